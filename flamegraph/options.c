// SPDX-License-Identifier: GPL-2.0
/* fg_opts -> fg_conf: defaults, ranges, palette lookup. */
#include "fg_layout.h"
#include "fg_palette.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <string.h>

static const struct fg_opts defaults;

static bool minwidth_valid(const struct fg_opts *o)
{
	return isfinite(o->minwidth) && o->minwidth >= 0 && !(o->minwidth_pct && o->minwidth > 100);
}

int fg_conf__geometry(const struct fg_opts *o, struct fg_conf *c)
{
	if (!o)
		o = &defaults;
	memset(c, 0, sizeof(*c));
	c->width = o->width ? o->width : 1200;
	c->minwidth = o->minwidth > 0 ? o->minwidth : 0;
	if (!o->minwidth && !o->minwidth_pct)
		c->minwidth = 0.1; /* px, like flamegraph.pl */
	c->minwidth_pct = o->minwidth_pct;
	c->reverse = o->reverse;
	return c->width < FG_WIDTH_MIN || c->width > FG_WIDTH_MAX || !minwidth_valid(o) ? -EINVAL
											: 0;
}

double fg_conf__thresh(const struct fg_conf *c, uint64_t total)
{
	if (c->minwidth_pct)
		return c->minwidth / 100.0 * (double)total;
	return c->minwidth * (double)total / (c->width - 2 * FG_XPAD);
}

int fg_conf__resolve(const struct fg_opts *o, bool diff, struct fg_conf *c)
{
	if (!o)
		o = &defaults;
	fg_conf__geometry(o, c);
	c->frame_height = o->frame_height ? o->frame_height : 16;
	c->inverted = o->inverted;
	c->normalize = o->normalize;
	c->countname = o->countname && *o->countname ? o->countname : "samples";
	c->subtitle = o->subtitle && *o->subtitle ? o->subtitle : NULL;
	if (o->title && *o->title)
		c->title = o->title;
	else if (diff)
		c->title = o->inverted ? "Differential Icicle Graph" : "Differential Flame Graph";
	else
		c->title = o->inverted ? "Icicle Graph" : "Flame Graph";
	if (c->width < FG_WIDTH_MIN || c->width > FG_WIDTH_MAX) {
		st_err("flamegraph width %d px is outside %d..%d", c->width, FG_WIDTH_MIN,
		       FG_WIDTH_MAX);
		return -EINVAL;
	}
	if (c->frame_height < FG_FRAME_HEIGHT_MIN || c->frame_height > FG_FRAME_HEIGHT_MAX) {
		st_err("frame height %d px is outside %d..%d", c->frame_height, FG_FRAME_HEIGHT_MIN,
		       FG_FRAME_HEIGHT_MAX);
		return -EINVAL;
	}
	if (!minwidth_valid(o)) {
		st_err("minimum frame width must be 0..100%% or a non-negative number of px");
		return -EINVAL;
	}
	/* Text must fit the frame: 12px type from 16px frames down. */
	c->font_size = c->frame_height >= 16 ? 12 : c->frame_height - 4;
	c->palette = fg_palette__find(o->colors && *o->colors ? o->colors : "scaletrace");
	if (c->palette < 0) {
		st_err("unknown palette '%s' (choose from: %s)", o->colors, fg__palette_names());
		return -EINVAL;
	}
	return 0;
}
