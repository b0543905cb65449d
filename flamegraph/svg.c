// SPDX-License-Identifier: GPL-2.0
/*
 * The SVG writer: a layout (count units) becomes pixels, labels, colours and
 * the embedded script. Every byte that comes from input passes fg_xml_put*;
 * the script reads data from attributes and text only (fg_js.h).
 */
#include "fg_js.h"
#include "fg_layout.h"
#include "fg_palette.h"
#include "fg_tree.h"
#include "fg_xml.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct svg {
	FILE *f;
	const struct fg_conf *c;
	const struct fg_layout *l;
	struct fg_buf name, scratch;
	struct fg_buf unit; /* the count name, clean UTF-8 */
	int height, ypad1, ypad2;
	double scale; /* px per count */
	double charw; /* average glyph width, px */
};

/* Fixed two decimals, trailing zeros dropped: short, and locale-free digits. */
static void put_num(FILE *f, double v)
{
	char b[48];
	size_t n = (size_t)snprintf(b, sizeof(b), "%.2f", v);

	while (n > 1 && b[n - 1] == '0')
		n--;
	if (n > 1 && b[n - 1] == '.')
		n--;
	fwrite(b, 1, n, f);
}

/* 1234567 -> "1,234,567", as flamegraph.pl shows counts. */
static void put_count(FILE *f, uint64_t v)
{
	char d[24], out[32];
	int n = snprintf(d, sizeof(d), "%llu", (unsigned long long)v), i, k = 0;

	for (i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = d[i];
	}
	fwrite(out, 1, (size_t)k, f);
}

static void put_text(struct svg *s, const char *attrs, const char *raw)
{
	fprintf(s->f, "<text %s>", attrs);
	fg_xml_put_raw(s->f, raw, strlen(raw), &s->scratch);
	fputs("</text>\n", s->f);
}

static void write_head(struct svg *s, int width, int height)
{
	fprintf(s->f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"xmlns=\"http://www.w3.org/2000/svg\">\n"
		"<!-- Flame graph by scaletrace: hover for details, click to zoom, "
		"Search or Ctrl-F to find frames, Ctrl-I for case-insensitive search. -->\n",
		width, height, width, height);
}

static void write_style(struct svg *s)
{
	const char *top, *bottom;
	int fs = s->c->font_size;

	fg_palette__background(s->c->palette, s->l->diff, &top, &bottom);
	fprintf(s->f,
		"<defs><linearGradient id=\"background\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">"
		"<stop stop-color=\"%s\" offset=\"5%%\"/><stop stop-color=\"%s\" offset=\"95%%\"/>"
		"</linearGradient></defs>\n",
		top, bottom);
	fprintf(s->f,
		"<style type=\"text/css\"><![CDATA[\n"
		"text { font-family: Verdana, sans-serif; font-size: %dpx; fill: rgb(0,0,0); }\n"
		"#title { text-anchor: middle; font-size: %dpx; }\n"
		"#subtitle { text-anchor: middle; fill: rgb(90,90,90); }\n"
		"#search, #ignorecase { opacity: 0.1; cursor: pointer; }\n"
		"#search:hover, #search.show, #ignorecase:hover, #ignorecase.show { opacity: 1; }\n"
		"#unzoom { cursor: pointer; }\n"
		"#frames > g { cursor: pointer; }\n"
		"#frames > g:hover > rect { stroke: rgb(0,0,0); stroke-width: 0.5; }\n"
		"#frames > g.match > rect { fill: %s; }\n"
		"#frames text { pointer-events: none; }\n"
		".hide { display: none; }\n"
		".parent { opacity: 0.5; }\n"
		"]]></style>\n",
		fs, fs + 5, FG_SEARCH_RGB);
}

static void write_chrome(struct svg *s)
{
	int w = s->c->width, fs = s->c->font_size, bottom = s->height - s->ypad2 / 2;
	char a[128];

	fprintf(s->f,
		"<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"url(#background)\"/>\n", w,
		s->height);
	snprintf(a, sizeof(a), "id=\"title\" x=\"%d\" y=\"%d\"", w / 2, fs * 2);
	put_text(s, a, s->c->title);
	if (s->c->subtitle) {
		snprintf(a, sizeof(a), "id=\"subtitle\" x=\"%d\" y=\"%d\"", w / 2, fs * 4);
		put_text(s, a, s->c->subtitle);
	}
	fprintf(s->f, "<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n", FG_XPAD, bottom);
	fprintf(s->f, "<text id=\"unzoom\" class=\"hide\" x=\"%d\" y=\"%d\">Reset Zoom</text>\n",
		FG_XPAD, fs * 2);
	fprintf(s->f, "<text id=\"search\" x=\"%d\" y=\"%d\">Search</text>\n", w - FG_XPAD - 100,
		fs * 2);
	fprintf(s->f, "<text id=\"ignorecase\" x=\"%d\" y=\"%d\">ic</text>\n", w - FG_XPAD - 16,
		fs * 2);
	fprintf(s->f, "<text id=\"matched\" x=\"%d\" y=\"%d\"> </text>\n", w - FG_XPAD - 100,
		bottom);
}

/* "(1,234 us, 12.34%)", or for a differential "(1,234 us, 12.34%; was 1,000 us, +23.40%)". */
static void write_info(struct svg *s, const struct fg_rect *r)
{
	FILE *f = s->f;

	fputc('(', f);
	put_count(f, r->width);
	fputc(' ', f);
	fg_xml_put(f, s->unit.p, s->unit.len);
	fprintf(f, ", %.2f%%", 100.0 * (double)r->width / (double)s->l->total);
	if (s->l->diff) {
		if (!r->base) {
			fputs("; new", f);
		} else {
			double d = ((double)r->width - (double)r->base) * 100.0 / (double)r->base;

			fputs("; was ", f);
			put_count(f, r->base);
			fputc(' ', f);
			fg_xml_put(f, s->unit.p, s->unit.len);
			fprintf(f, ", %+.2f%%", d);
		}
	}
	fputc(')', f);
}

static struct fg_rgb frame_color(const struct svg *s, const struct fg_rect *r)
{
	size_t len;
	const char *name = fg__name(s->l->tree, r->node, &len);

	if (s->l->diff)
		return fg_palette__diff(r->width, r->base, s->l->max_delta);
	return fg_palette__color(s->c->palette, name, len);
}

static int write_frame(struct svg *s, const struct fg_rect *r)
{
	int fh = s->c->frame_height, y;
	double x = FG_XPAD + (double)r->x * s->scale, w = (double)r->width * s->scale;
	struct fg_rgb rgb = frame_color(s, r);
	size_t len;
	const char *raw = fg__name(s->l->tree, r->node, &len);
	int64_t ncp = fg_utf8_clean(raw, len, &s->name);

	if (ncp < 0)
		return -ENOMEM;
	if (s->c->inverted)
		y = s->ypad1 + (int)r->depth * fh;
	else
		y = s->height - s->ypad2 - ((int)r->depth + 1) * fh + 1;
	fprintf(s->f, "<g data-x=\"%llu\" data-w=\"%llu\"><title>", (unsigned long long)r->x,
		(unsigned long long)r->width);
	fg_xml_put(s->f, s->name.p, s->name.len);
	fputs("&#10;", s->f);
	write_info(s, r);
	fputs("</title><rect x=\"", s->f);
	put_num(s->f, x);
	fprintf(s->f, "\" y=\"%d\" width=\"", y);
	put_num(s->f, w);
	fprintf(s->f, "\" height=\"%d\" rx=\"2\" ry=\"2\" fill=\"rgb(%u,%u,%u)\"/><text x=\"",
		fh - 1, rgb.r, rgb.g, rgb.b);
	put_num(s->f, x + 3);
	fputs("\" y=\"", s->f);
	put_num(s->f, y + (fh - 1) / 2.0 + 3);
	fputs("\">", s->f);
	fg_xml_put_label(s->f, s->name.p, s->name.len, (size_t)ncp, fg_fit_chars(w, s->charw));
	fputs("</text></g>\n", s->f);
	return 0;
}

static int write_frames(struct svg *s)
{
	size_t i;
	int err = 0;

	fprintf(s->f,
		"<g id=\"frames\" data-total=\"%llu\" data-width=\"%d\" data-xpad=\"%d\" "
		"data-charw=\"",
		(unsigned long long)s->l->total, s->c->width, FG_XPAD);
	put_num(s->f, s->charw);
	fprintf(s->f, "\" data-inverted=\"%d\">\n", s->c->inverted ? 1 : 0);
	for (i = 0; i < s->l->n && !err; i++)
		err = write_frame(s, &s->l->rects[i]);
	fputs("</g>\n", s->f);
	return err;
}

static void write_empty(struct svg *s)
{
	int w = s->c->width, fs = s->c->font_size;
	char a[128];

	s->height = fs * 7;
	write_head(s, w, s->height);
	write_style(s);
	fprintf(s->f,
		"<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"url(#background)\"/>\n", w,
		s->height);
	snprintf(a, sizeof(a), "id=\"title\" x=\"%d\" y=\"%d\"", w / 2, fs * 2);
	put_text(s, a, s->c->title);
	fprintf(s->f,
		"<text id=\"details\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">No samples: the "
		"input held no stacks with a non-zero count.</text>\n</svg>\n",
		w / 2, fs * 5);
}

/* Image height in px for the layout, or -E2BIG when it cannot be an int. */
static int64_t graph_height(struct svg *s)
{
	const struct fg_conf *c = s->c;
	int64_t h;

	s->ypad1 = c->font_size * 3 + (c->subtitle ? c->font_size * 2 : 0);
	s->ypad2 = c->font_size * 2 + 10;
	h = s->ypad1 + ((int64_t)s->l->max_depth + 1) * c->frame_height + s->ypad2;
	if (h > INT32_MAX / 2) {
		st_err("flamegraph too deep (%u frames) for an SVG: use --minwidth to prune",
		       s->l->max_depth);
		return -E2BIG;
	}
	return h;
}

static int write_graph(struct svg *s)
{
	int64_t h = graph_height(s);
	int err;

	if (h < 0)
		return (int)h;
	s->height = (int)h;
	s->scale = (double)(s->c->width - 2 * FG_XPAD) / (double)s->l->total;
	write_head(s, s->c->width, s->height);
	write_style(s);
	write_chrome(s);
	err = write_frames(s);
	fprintf(s->f, "<script type=\"text/ecmascript\"><![CDATA[\n%s]]></script>\n</svg>\n",
		fg_js);
	return err;
}

int fg__write_svg(const struct fg *t, const struct fg_opts *opts, FILE *out)
{
	struct fg_layout *l = NULL;
	struct fg_conf c;
	struct svg s = { .f = out, .c = &c };
	int err;

	err = fg_conf__resolve(opts, fg__is_diff(t), &c);
	if (err)
		return err;
	if (c.normalize && !fg__is_diff(t)) {
		st_err("--normalize needs a differential input (--diff BASE or two-column lines)");
		return -EINVAL;
	}
	err = fg__layout(t, &c, &l);
	if (err) {
		st_err("flamegraph layout: %s", strerror(-err));
		return err;
	}
	s.l = l;
	if (fg_utf8_clean(c.countname, strlen(c.countname), &s.unit) < 0) {
		fg_layout__free(l);
		return -ENOMEM;
	}
	s.charw = c.font_size * 0.59; /* Verdana's average advance, as flamegraph.pl */
	if (!l->n)
		write_empty(&s);
	else
		err = write_graph(&s);
	fg_buf__free(&s.name);
	fg_buf__free(&s.scratch);
	fg_buf__free(&s.unit);
	fg_layout__free(l);
	if (!err && (fflush(out) || ferror(out)))
		err = -EIO;
	return err;
}
