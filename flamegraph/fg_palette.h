/* SPDX-License-Identifier: GPL-2.0 */
/* Frame colours: a hash of the name picks the shade, so colours are stable. */
#ifndef ST_FG_PALETTE_H
#define ST_FG_PALETTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fg_rgb {
	uint8_t r, g, b;
};

/* What a frame is, for the "scaletrace" palette (DESIGN.md §3 names). */
enum fg_category {
	FG_CAT_CODE,	  /* a user-space function */
	FG_CAT_KFRAME,	  /* "[k] func" or "func_[k]": a kernel function */
	FG_CAT_KERNEL,	  /* pseudo-frame [kernel] */
	FG_CAT_USER,	  /* [user] */
	FG_CAT_NETWORK,	  /* [network] */
	FG_CAT_TARGET,	  /* [target] */
	FG_CAT_WAIT,	  /* [wait] */
	FG_CAT_PSEUDO,	  /* any other [bracketed] frame, e.g. [unknown] */
	FG_CAT_SEPARATOR, /* "-" or "--" stack separators */
};

#define FG_SEARCH_RGB "rgb(230,0,230)"

enum fg_category fg_category(const char *name, size_t len);
/* Palette index for @name, or -1. */
int fg_palette__find(const char *name);
struct fg_rgb fg_palette__color(int palette, const char *name, size_t len);
/* Differential: red when @now > @base, blue when smaller, white when equal. */
struct fg_rgb fg_palette__diff(uint64_t now, uint64_t base, uint64_t max_delta);
/* Background gradient, top and bottom. */
void fg_palette__background(int palette, bool diff, const char **top, const char **bottom);

#endif
