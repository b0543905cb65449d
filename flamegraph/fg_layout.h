/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layout: which frames are drawn and where, in count units (pixels are the SVG
 * writer's business). Pure data in, pure data out, so unit tests drive it.
 */
#ifndef ST_FG_LAYOUT_H
#define ST_FG_LAYOUT_H

#include "flamegraph.h"

#include <stdbool.h>
#include <stdint.h>

#define FG_XPAD 10 /* px left and right of the frames */

/* fg_opts with defaults applied and values checked. */
struct fg_conf {
	const char *title, *subtitle, *countname;
	int width, frame_height, font_size;
	double minwidth;
	bool minwidth_pct, reverse, inverted, normalize;
	int palette;
};

/* Fill @c from @o (NULL = all defaults). 0, or -EINVAL after one st_err() line. */
int fg_conf__resolve(const struct fg_opts *o, bool diff, struct fg_conf *c);
/* Only width, minwidth and reverse of @c from @o, quietly. 0, or -EINVAL when out of range. */
int fg_conf__geometry(const struct fg_opts *o, struct fg_conf *c);
/* The narrowest drawn frame, in counts, for a graph of @total counts. */
double fg_conf__thresh(const struct fg_conf *c, uint64_t total);

struct fg_rect {
	uint32_t node;	/* in fg_layout.tree */
	uint32_t depth; /* 0 = the root "all" */
	uint64_t x;	/* left edge, counts from the left of the graph */
	uint64_t width; /* inclusive count (new side) */
	uint64_t base;	/* diff: inclusive base count, normalised when asked */
};

struct fg_layout {
	const struct fg *tree; /* the tree drawn: @owned with --reverse */
	struct fg *owned;
	struct fg_rect *rects; /* pre-order, children sorted by name */
	size_t n;
	uint64_t total;
	uint32_t max_depth;
	bool diff;
	uint64_t max_delta; /* largest |width - base| among drawn frames */
};

/* Returns 0 with *out set (free with fg_layout__free), or -errno. */
int fg__layout(const struct fg *t, const struct fg_conf *c, struct fg_layout **out);
void fg_layout__free(struct fg_layout *l);

#endif
