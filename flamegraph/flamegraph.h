/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Folded stacks (DESIGN.md §3) -> merged call tree -> self-contained interactive
 * SVG flamegraph, also differential. Used by `scaletrace flamegraph` and by the
 * --svg option of every tracer.
 *
 * Input is streamed: memory grows with the number of distinct tree nodes (a
 * frame under a given parent), never with the number of lines; with pruning
 * (fg__set_prune) and sorted input, only with the frames that can be drawn.
 * Output depends
 * only on the merged tree (children sorted by name, colours hashed from names),
 * so the same samples give a byte-identical SVG whatever their input order.
 */
#ifndef ST_FLAMEGRAPH_H
#define ST_FLAMEGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct fg; /* a merged call tree */

/* Accepted ranges of fg_opts.width and fg_opts.frame_height (px). */
#define FG_WIDTH_MIN	    200
#define FG_WIDTH_MAX	    100000
#define FG_FRAME_HEIGHT_MIN 8
#define FG_FRAME_HEIGHT_MAX 128

struct fg_opts {	       /* zero = defaults */
	const char *title;     /* default "Flame Graph" / "Icicle Graph" */
	const char *subtitle;  /* optional second line, e.g. the unit */
	const char *countname; /* unit of the counts: "us", "samples" (default) */
	int width;	       /* image width in px (default 1200) */
	int frame_height;      /* px per frame (default 16) */
	double minwidth;       /* omit frames narrower than this (0: 0.1 px) */
	bool minwidth_pct;     /* minwidth is a percentage of the total (0% = all) */
	bool reverse;	       /* merge from the leaves: stacks reversed */
	bool inverted;	       /* icicle graph: root at the top */
	const char *colors;    /* palette name: "scaletrace" (default), "hot", ... */
	bool normalize;	       /* diff only: scale the base to the new total */
};

struct fg *fg__new(void);
void fg__free(struct fg *t);

/* Add @count to the stack @frames[0..nframes) (root first). Empty frames are skipped. */
int fg__add_stack(struct fg *t, const char *const *frames, int nframes, uint64_t count);
/* Same, with a base (old) count for a differential graph. */
int fg__add_stack_diff(struct fg *t, const char *const *frames, int nframes, uint64_t base_count,
		       uint64_t count);

/*
 * A ';'-separated stack "a;b;c" (root first, no count) with its count: for
 * callers that hold folded paths already (no count parsing, no two-column
 * detection, so frames ending in digits are safe). 0 or -errno.
 */
int fg__add_folded_stack(struct fg *t, const char *stack, size_t len, uint64_t count);

/*
 * One folded line "a;b;c 123" (no newline needed; a trailing CR is ignored), or
 * FlameGraph's differential form "a;b;c OLD NEW". Blank lines are ignored.
 * Returns 0, or a negative errno after one st_err() line.
 */
int fg__add_folded_line(struct fg *t, const char *line, size_t len);
/* Every line of @in; errors name "@name_for_errors:LINE". Returns 0 or -errno. */
int fg__read_folded(struct fg *t, FILE *in, const char *name_for_errors);

/*
 * Differential: @t holds the new profile, @base the old one. Base counts are
 * copied into @t (the caller still owns and frees @base). Returns 0 or -errno.
 */
int fg__set_base(struct fg *t, struct fg *base);

/*
 * Keep memory bounded by the frames that can be drawn with @o (width and
 * minimum width): while sorted input streams in, frames the input has moved
 * past that are already too narrow are dropped (their counts stay in their
 * parents). Call on a fresh tree, before fg__read_folded of a single input;
 * not with --reverse (-EINVAL). Unsorted input is detected and read exactly
 * (a file again, a pipe from a spool). The SVG is the same either way.
 */
int fg__set_prune(struct fg *t, const struct fg_opts *o);

struct fg_prune_stats {
	bool enabled, unsorted, restarted;
	uint64_t dropped;     /* nodes dropped */
	uint64_t stuck;	      /* frames left open that could not be tracked */
	unsigned compactions; /* pruning passes */
	size_t kept, peak;    /* nodes now, and the most held at once */
};
void fg__prune_stats(const struct fg *t, struct fg_prune_stats *s);

/* Sum of all counts (new side), and whether @t is differential. */
uint64_t fg__total(const struct fg *t);
bool fg__is_diff(const struct fg *t);
/* Distinct nodes in the merged tree (the root included). */
size_t fg__nodes(const struct fg *t);

/*
 * Write the SVG. An empty tree gives a valid SVG that says "No samples".
 * Returns 0, -EINVAL for bad options (one st_err() line), or -EIO.
 */
int fg__write_svg(const struct fg *t, const struct fg_opts *opts, FILE *out);

/* Palette names accepted by fg_opts.colors, ", "-separated (for help texts). */
const char *fg__palette_names(void);
bool fg__palette_valid(const char *name);

#endif
