// SPDX-License-Identifier: GPL-2.0
#include "table.h"

#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct st_table {
	int ncols;
	unsigned right;
	int nrows, cap;
	char **cells; /* nrows * ncols */
};

struct st_table *st_table__new(int ncols, unsigned right)
{
	struct st_table *t;

	if (ncols <= 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ncols = ncols;
	t->right = right;
	return t;
}

int st_table__row(struct st_table *t, const char *const *cells)
{
	int i;

	if (t->nrows == t->cap) {
		int cap = t->cap ? t->cap * 2 : 16;
		char **nc = realloc(t->cells, sizeof(*nc) * (size_t)cap * (size_t)t->ncols);

		if (!nc)
			return -ENOMEM;
		t->cells = nc;
		t->cap = cap;
	}
	for (i = 0; i < t->ncols; i++) {
		const char *c = cells[i] ? cells[i] : "";

		t->cells[t->nrows * t->ncols + i] = strdup(c);
	}
	t->nrows++;
	return 0;
}

int st_table__rowf(struct st_table *t, const char *fmt, ...)
{
	const char *cells[32] = { 0 };
	char buf[2048], *p, *save = NULL;
	va_list ap;
	int i = 0;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (p = buf; i < t->ncols && i < 32; i++) {
		cells[i] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	(void)save;
	return st_table__row(t, cells);
}

int st_table__rows(const struct st_table *t)
{
	return t ? t->nrows : 0;
}

/* Display width: count UTF-8 code points, not bytes. */
static int width(const char *s)
{
	int w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

void st_table__print(const struct st_table *t, FILE *out, int indent)
{
	int w[32] = { 0 }, r, c, ncols;

	if (!t)
		return;
	ncols = t->ncols < 32 ? t->ncols : 32;
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < ncols; c++) {
			int cw = width(t->cells[r * t->ncols + c]);

			if (cw > w[c])
				w[c] = cw;
		}
	for (r = 0; r < t->nrows; r++) {
		int last = ncols - 1;

		while (last > 0 && !t->cells[r * t->ncols + last][0])
			last--;
		fprintf(out, "%*s", indent, "");
		for (c = 0; c <= last; c++) {
			const char *s = t->cells[r * t->ncols + c];
			int pad = w[c] - width(s);
			bool right = t->right & (1u << c);

			if (c)
				fputs("  ", out);
			if (right)
				fprintf(out, "%*s", pad, "");
			fputs(s, out);
			if (!right && c < last)
				fprintf(out, "%*s", pad, "");
		}
		fputc('\n', out);
	}
}

void st_table__free(struct st_table *t)
{
	int i;

	if (!t)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}
