// SPDX-License-Identifier: GPL-2.0
/*
 * Palettes. Each colour family is a base colour plus a span per channel scaled
 * by one of three hash bytes of the frame name: the same name gets the same
 * colour in every graph, on every machine (FNV-1a over bytes, no pointers).
 */
#include "fg_palette.h"
#include "flamegraph.h"

#include <string.h>

struct family {
	uint8_t base[3], span[3];
	uint8_t var[3]; /* which hash byte drives each channel */
};

enum {
	FAM_HOT,
	FAM_MEM,
	FAM_IO,
	FAM_RED,
	FAM_GREEN,
	FAM_BLUE,
	FAM_AQUA,
	FAM_YELLOW,
	FAM_PURPLE,
	FAM_ORANGE,
	FAM_GREY,
	FAM_TEAL,
	FAM_SLATE,
	FAM_LIGHT,
};

static const struct family families[] = {
	[FAM_HOT] = { { 205, 0, 0 }, { 50, 230, 55 }, { 2, 0, 1 } },
	[FAM_MEM] = { { 0, 190, 0 }, { 0, 50, 210 }, { 0, 1, 0 } },
	[FAM_IO] = { { 80, 80, 190 }, { 60, 60, 55 }, { 0, 0, 1 } },
	[FAM_RED] = { { 200, 50, 50 }, { 55, 80, 80 }, { 0, 0, 0 } },
	[FAM_GREEN] = { { 50, 200, 50 }, { 60, 55, 60 }, { 0, 0, 0 } },
	[FAM_BLUE] = { { 80, 80, 205 }, { 60, 60, 50 }, { 0, 0, 0 } },
	[FAM_AQUA] = { { 50, 165, 165 }, { 60, 55, 55 }, { 0, 0, 0 } },
	[FAM_YELLOW] = { { 175, 175, 50 }, { 55, 55, 20 }, { 0, 0, 0 } },
	[FAM_PURPLE] = { { 190, 80, 190 }, { 65, 60, 65 }, { 0, 0, 0 } },
	[FAM_ORANGE] = { { 190, 90, 0 }, { 65, 65, 0 }, { 0, 0, 0 } },
	[FAM_GREY] = { { 160, 160, 160 }, { 40, 40, 40 }, { 0, 0, 0 } },
	[FAM_TEAL] = { { 0, 110, 120 }, { 20, 30, 30 }, { 0, 0, 0 } },
	[FAM_SLATE] = { { 110, 120, 145 }, { 30, 30, 30 }, { 0, 0, 0 } },
	[FAM_LIGHT] = { { 195, 195, 195 }, { 30, 30, 30 }, { 0, 0, 0 } },
};

/* The family of each scaletrace category. */
static const uint8_t category_family[] = {
	[FG_CAT_CODE] = FAM_HOT,   [FG_CAT_KFRAME] = FAM_AQUA,	[FG_CAT_KERNEL] = FAM_TEAL,
	[FG_CAT_USER] = FAM_GREEN, [FG_CAT_NETWORK] = FAM_BLUE, [FG_CAT_TARGET] = FAM_PURPLE,
	[FG_CAT_WAIT] = FAM_SLATE, [FG_CAT_PSEUDO] = FAM_LIGHT, [FG_CAT_SEPARATOR] = FAM_GREY,
};

#define PAL_SCALETRACE 0

static const struct {
	const char *name;
	int family; /* -1: by category */
} palettes[] = {
	{ "scaletrace", -1 },	  { "hot", FAM_HOT },	    { "mem", FAM_MEM },
	{ "io", FAM_IO },	  { "red", FAM_RED },	    { "green", FAM_GREEN },
	{ "blue", FAM_BLUE },	  { "aqua", FAM_AQUA },	    { "yellow", FAM_YELLOW },
	{ "purple", FAM_PURPLE }, { "orange", FAM_ORANGE }, { "grey", FAM_GREY },
};

#define NPALETTES (int)(sizeof(palettes) / sizeof(palettes[0]))

const char *fg__palette_names(void)
{
	return "scaletrace, hot, mem, io, red, green, blue, aqua, yellow, purple, orange, grey";
}

int fg_palette__find(const char *name)
{
	int i;

	for (i = 0; name && i < NPALETTES; i++)
		if (!strcmp(palettes[i].name, name))
			return i;
	return -1;
}

bool fg__palette_valid(const char *name)
{
	return fg_palette__find(name) >= 0;
}

static bool starts(const char *s, size_t len, const char *pfx)
{
	size_t n = strlen(pfx);

	return len >= n && !memcmp(s, pfx, n);
}

static bool ends(const char *s, size_t len, const char *sfx)
{
	size_t n = strlen(sfx);

	return len >= n && !memcmp(s + len - n, sfx, n);
}

/* "[word]" alone or followed by a space or ':' (e.g. "[network] rtt"). */
static bool pseudo(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word);

	return starts(s, len, word) && (len == n || s[n] == ' ' || s[n] == ':');
}

enum fg_category fg_category(const char *s, size_t len)
{
	static const struct {
		const char *word;
		enum fg_category cat;
	} words[] = {
		{ "[kernel]", FG_CAT_KERNEL },	 { "[user]", FG_CAT_USER },
		{ "[network]", FG_CAT_NETWORK }, { "[target]", FG_CAT_TARGET },
		{ "[wait]", FG_CAT_WAIT },
	};
	size_t i;

	if (starts(s, len, "[k] ") || ends(s, len, "_[k]"))
		return FG_CAT_KFRAME;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (pseudo(s, len, words[i].word))
			return words[i].cat;
	if (len > 1 && s[0] == '[' && memchr(s, ']', len))
		return FG_CAT_PSEUDO;
	if ((len == 1 && s[0] == '-') || (len == 2 && !memcmp(s, "--", 2)))
		return FG_CAT_SEPARATOR;
	return FG_CAT_CODE;
}

static uint32_t name_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	/* "[k] f" and "f_[k]" are the same function: same shade. */
	if (starts(s, len, "[k] ")) {
		s += 4;
		len -= 4;
	} else if (ends(s, len, "_[k]")) {
		len -= 4;
	}
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	h ^= h >> 16; /* avalanche: FNV's low bytes alone are weak */
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

struct fg_rgb fg_palette__color(int palette, const char *name, size_t len)
{
	uint32_t h = name_hash(name, len);
	unsigned v[3] = { h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff };
	const struct family *f;
	uint8_t c[3];
	int i, fam;

	if (palette < 0 || palette >= NPALETTES)
		palette = PAL_SCALETRACE;
	fam = palettes[palette].family;
	if (fam < 0)
		fam = category_family[fg_category(name, len)];
	f = &families[fam];
	for (i = 0; i < 3; i++)
		c[i] = (uint8_t)(f->base[i] + f->span[i] * v[f->var[i]] / 256);
	return (struct fg_rgb){ c[0], c[1], c[2] };
}

struct fg_rgb fg_palette__diff(uint64_t now, uint64_t base, uint64_t max_delta)
{
	uint64_t d = now > base ? now - base : base - now;
	uint8_t v;

	if (!d || !max_delta)
		return (struct fg_rgb){ 255, 255, 255 };
	/* 210 at no change down to 0 at the largest change: deeper is bigger. */
	v = (uint8_t)((unsigned __int128)210 * (max_delta - d) / max_delta);
	if (now > base)
		return (struct fg_rgb){ 255, v, v };
	return (struct fg_rgb){ v, v, 255 };
}

void fg_palette__background(int palette, bool diff, const char **top, const char **bottom)
{
	int fam = palette >= 0 && palette < NPALETTES ? palettes[palette].family : -1;

	*top = "#eeeeee";
	if (diff || (fam >= FAM_RED && fam != FAM_MEM && fam != FAM_IO)) {
		*top = "#f8f8f8";
		*bottom = "#e8e8e8";
	} else if (fam == FAM_MEM) {
		*top = "#eef2ee";
		*bottom = "#e0ffe0";
	} else if (fam == FAM_IO) {
		*bottom = "#e0e0ff";
	} else {
		*bottom = "#eeeeb0";
	}
}
