// SPDX-License-Identifier: GPL-2.0
/*
 * Folded stacks -> flamegraph SVG: one-column and two-column (differential) lines, a
 * separate base profile (--diff BASE), every fg_opts knob, line-by-line and streamed
 * (fg__read_folded) input.
 *
 * Input: a flag byte (FL_*); with FL_TITLE a line for the title, subtitle and count name;
 * 3 bytes for palette, sizes and minimum width; then folded text. With FL_BASE the text
 * before the first NUL byte is the base profile, the rest the new one.
 *
 * When every line is taken, the lines are also merged backwards: the SVG must not change.
 * A streamed input is also read with pruning (compacting every few nodes): the SVG must
 * not change either, sorted or not.
 */
#include "fg_tree.h"
#include "flamegraph.h"
#include "fuzz.h"

#include <math.h>

enum {
	FL_REVERSE = 1 << 0,
	FL_INVERTED = 1 << 1,
	FL_MINPCT = 1 << 2,
	FL_NORMALIZE = 1 << 3,
	FL_STREAM = 1 << 4, /* fg__read_folded() on a FILE, else fg__add_folded_line() */
	FL_BASE = 1 << 5,
	FL_TITLE = 1 << 6,
	FL_STACKS = 1 << 7, /* also fg__add_folded_stack() per line, count 1 */
};

static FILE *devnull;
static const char *palettes[32];
static size_t npalettes;
static char palette_buf[256];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *save = NULL;

	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	/* Every palette the library names, plus "none" (default) and an unknown one. */
	snprintf(palette_buf, sizeof(palette_buf), "%s", fg__palette_names());
	palettes[npalettes++] = NULL;
	palettes[npalettes++] = "no-such-palette";
	for (char *p = strtok_r(palette_buf, ", ", &save); p && npalettes < 32;
	     p = strtok_r(NULL, ", ", &save))
		palettes[npalettes++] = p;
	return 0;
}

/* The count a line that was accepted must have added: its last token (0: blank line). */
static uint64_t line_count(const char *s, size_t n)
{
	uint64_t v = 0;
	size_t i;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	for (i = n; i && s[i - 1] != ' ' && s[i - 1] != '\t'; i--)
		;
	for (; i < n; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	return v;
}

struct line {
	const char *p;
	size_t len;
};

/* The lines of s[0..n), newlines cut, into a malloc'd array. Returns how many. */
static size_t split_lines(const char *s, size_t n, struct line **out)
{
	const char *end = s + n;
	size_t k = 0, cap = 0;
	struct line *v = NULL;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);

		if (k == cap) {
			cap = cap ? cap * 2 : 64;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		v[k++] = (struct line){ s, len };
		s += len + 1;
	}
	*out = v;
	return k;
}

/*
 * Each line to the tree, like a caller that keeps going after a bad line, in file order
 * or backwards. Returns how many lines were refused. A line taken adds its count.
 */
static size_t add_lines(struct fg *t, const char *s, size_t n, bool stacks, bool backwards)
{
	struct line *lines;
	size_t nl = split_lines(s, n, &lines), bad = 0;

	for (size_t k = 0; k < nl; k++) {
		const struct line *l = &lines[backwards ? nl - 1 - k : k];
		uint64_t before = fg__total(t);

		if (fg__add_folded_line(t, l->p, l->len)) {
			bad++;
		} else {
			FZ_CHECK(fg__total(t) - before == line_count(l->p, l->len),
				 "line '%.*s' added %llu", (int)(l->len < 80 ? l->len : 80), l->p,
				 (unsigned long long)(fg__total(t) - before));
		}
		if (stacks) {
			before = fg__total(t);
			if (fg__add_folded_stack(t, l->p, l->len, 1))
				bad++;
			else
				FZ_CHECK(fg__total(t) - before == 1,
					 "a stack of count 1 added %llu",
					 (unsigned long long)(fg__total(t) - before));
		}
	}
	free(lines);
	return bad;
}

static int cmp_line(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	int r = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);

	return r ? r : (x->len > y->len) - (x->len < y->len);
}

/* The lines of s[0..n) in byte order (`LC_ALL=C sort`), in a malloc'd buffer. */
static char *sorted_text(const char *s, size_t n, size_t *outlen)
{
	struct line *lines;
	size_t nl = split_lines(s, n, &lines), k = 0;
	char *out = malloc(n + 1);

	if (!out)
		abort();
	if (nl > 1)
		qsort(lines, nl, sizeof(*lines), cmp_line);
	for (size_t i = 0; i < nl; i++) {
		memcpy(out + k, lines[i].p, lines[i].len);
		k += lines[i].len;
		out[k++] = '\n';
	}
	free(lines);
	*outlen = k;
	return out;
}

static struct fg *build(const char *s, size_t n, unsigned flags, bool backwards, size_t *bad,
			const struct fg_opts *prune)
{
	struct fg *t = fg__new();
	FILE *f;

	if (!t)
		abort();
	if (prune) {
		t->prune.min_nodes = 4; /* a pass every few nodes */
		fg__set_prune(t, prune);
	}
	if (flags & FL_STREAM) {
		f = n ? fmemopen((void *)s, n, "r") : NULL;
		if (f) {
			*bad += fg__read_folded(t, f, "fuzz") != 0;
			fclose(f);
		}
	} else {
		*bad += add_lines(t, s, n, flags & FL_STACKS, backwards);
	}
	return t;
}

/* The tree of the (base and) new profile, with its lines taken in file order or backwards. */
static struct fg *build_all(const char *s, size_t n, unsigned flags, bool backwards, size_t *bad,
			    const struct fg_opts *prune)
{
	const char *nul = (flags & FL_BASE) ? memchr(s, '\0', n) : NULL;
	struct fg *t, *base = NULL;

	if (nul) {
		base = build(s, (size_t)(nul - s), flags, backwards, bad, NULL);
		n -= (size_t)(nul - s) + 1;
		s = nul + 1;
	}
	t = build(s, n, flags, backwards, bad, prune);
	if (base) {
		*bad += fg__set_base(t, base) != 0;
		fg__free(base);
	}
	FZ_CHECK(fg__nodes(t) >= 1, "a tree always has its root");
	return t;
}

/* The SVG of @t in a malloc'd buffer (NULL when fg__write_svg() refused). */
static char *render(const struct fg *t, const struct fg_opts *o, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	int err;

	if (!f)
		abort();
	err = fg__write_svg(t, o, f);
	fclose(f);
	if (err) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void set_opts(struct fz_in *in, unsigned flags, struct fg_opts *o, const char *title)
{
	static const int widths[] = { 0,   1200,	 FG_WIDTH_MIN,	   FG_WIDTH_MIN - 1,
				      333, FG_WIDTH_MAX, FG_WIDTH_MAX + 1, -5 };
	static const int heights[] = { 0, 16, FG_FRAME_HEIGHT_MIN, FG_FRAME_HEIGHT_MIN - 1,
				       9, 12, FG_FRAME_HEIGHT_MAX, FG_FRAME_HEIGHT_MAX + 1 };
	static const double minwidths[] = { 0,	 0.1, 0.5, 1,	5,	  50,
					    100, 101, -1,  NAN, INFINITY, 1e-300 };
	uint8_t p = fz_byte(in), wh = fz_byte(in), mw = fz_byte(in);

	memset(o, 0, sizeof(*o));
	o->reverse = flags & FL_REVERSE;
	o->inverted = flags & FL_INVERTED;
	o->minwidth_pct = flags & FL_MINPCT;
	o->normalize = flags & FL_NORMALIZE;
	o->colors = palettes[p % npalettes];
	o->width = widths[wh % 8];
	o->frame_height = heights[(wh >> 3) % 8];
	o->minwidth = minwidths[mw % (sizeof(minwidths) / sizeof(minwidths[0]))];
	if (title) {
		o->title = title;
		o->subtitle = title;
		o->countname = title;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	unsigned flags = fz_byte(&in);
	size_t bad = 0, bad2 = 0, len = 0, len2 = 0;
	struct fg_opts o;
	char *title = NULL, *svg, *svg2;
	struct fg *t, *t2;

	if (flags & FL_TITLE) {
		const uint8_t *nl = memchr(in.p, '\n', in.n);
		size_t tlen = nl ? (size_t)(nl - in.p) : in.n;

		title = fz_strndup(in.p, tlen);
		tlen += nl != NULL;
		in.p += tlen;
		in.n -= tlen;
	}
	set_opts(&in, flags, &o, title);
	t = build_all((const char *)in.p, in.n, flags, false, &bad, NULL);
	if (!bad && (flags & FL_STREAM) && !o.reverse) {
		/* Pruned while streaming: the same SVG, whatever the order of the lines. */
		t2 = build_all((const char *)in.p, in.n, flags, false, &bad2, &o);
		svg = render(t, &o, &len);
		svg2 = render(t2, &o, &len2);
		FZ_CHECK(!bad2 && !svg == !svg2 && len == len2 && (!svg || !memcmp(svg, svg2, len)),
			 "pruning changed the SVG (%zu vs %zu bytes)", len, len2);
		free(svg2);
		fg__free(t2);
		/*
		 * The same lines sorted, pruned: the same SVG again (unless sorting moved
		 * the first line, which decides the columns, or a byte order mark).
		 */
		if (!(flags & FL_BASE) && !(in.n >= 3 && !memcmp(in.p, "\xef\xbb\xbf", 3))) {
			size_t slen, bad3 = 0;
			char *sorted = sorted_text((const char *)in.p, in.n, &slen);

			t2 = build_all(sorted, slen, flags, false, &bad3, &o);
			if (!bad3 && fg__is_diff(t2) == fg__is_diff(t)) {
				svg2 = render(t2, &o, &len2);
				FZ_CHECK(!svg == !svg2 && len == len2 &&
					     (!svg || !memcmp(svg, svg2, len)),
					 "sorted and pruned, the SVG changed (%zu vs %zu bytes)",
					 len, len2);
				free(svg2);
			}
			fg__free(t2);
			free(sorted);
		}
		free(svg);
	}
	if (bad || (flags & FL_STREAM)) {
		fg__write_svg(t, &o, devnull);
		fg__free(t);
		free(title);
		return 0;
	}
	/*
	 * Every line was taken: the same lines backwards must give the same tree and a
	 * byte-identical SVG (flamegraph.h: output depends only on the merged tree).
	 */
	t2 = build_all((const char *)in.p, in.n, flags, true, &bad2, NULL);
	svg = render(t, &o, &len);
	svg2 = render(t2, &o, &len2);
	if (!bad2 && fg__is_diff(t) == fg__is_diff(t2)) {
		FZ_CHECK(fg__total(t) == fg__total(t2) && fg__nodes(t) == fg__nodes(t2),
			 "backwards: total %llu/%llu, nodes %zu/%zu",
			 (unsigned long long)fg__total(t), (unsigned long long)fg__total(t2),
			 fg__nodes(t), fg__nodes(t2));
		FZ_CHECK(!svg == !svg2 && len == len2 && (!svg || !memcmp(svg, svg2, len)),
			 "the SVG depends on line order (%zu vs %zu bytes)", len, len2);
	}
	free(svg);
	free(svg2);
	fg__free(t2);
	fg__free(t);
	free(title);
	return 0;
}
