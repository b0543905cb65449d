// SPDX-License-Identifier: GPL-2.0
#include "fold.h"
#include "symhash.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct fold_entry {
	char *path;
	uint64_t count;
	uint64_t hash;
};

struct fold {
	struct fold_entry *slots; /* open addressing, power-of-two capacity */
	size_t cap, used;
	uint64_t total;
};

struct fold *fold__new(void)
{
	struct fold *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->cap = 256;
	f->slots = calloc(f->cap, sizeof(*f->slots));
	if (!f->slots) {
		free(f);
		return NULL;
	}
	return f;
}

void fold__free(struct fold *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->cap; i++)
		free(f->slots[i].path);
	free(f->slots);
	free(f);
}

static struct fold_entry *find_slot(struct fold_entry *slots, size_t cap, const char *path,
				    uint64_t h)
{
	size_t i = h & (cap - 1);

	while (slots[i].path && (slots[i].hash != h || strcmp(slots[i].path, path)))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int grow(struct fold *f)
{
	size_t ncap = f->cap * 2, i;
	struct fold_entry *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	for (i = 0; i < f->cap; i++)
		if (f->slots[i].path)
			*find_slot(ns, ncap, f->slots[i].path, f->slots[i].hash) = f->slots[i];
	free(f->slots);
	f->slots = ns;
	f->cap = ncap;
	return 0;
}

/* Append one frame, replacing characters that would break the folded format. */
static size_t put_frame(char *dst, const char *name)
{
	size_t n = 0;

	if (!name || !*name)
		name = "[unknown]";
	for (; *name; name++)
		dst[n++] = (*name == ';' || *name == '\n' || *name == '\r') ? '_' : *name;
	return n;
}

/*
 * flamegraph.pl reads "STACK COUNT" with /^(.*)\s+?(\d+(?:\.\d*)?)$/ and then
 * tries the same on STACK for a second (differential) column: a last frame
 * ending in whitespace and a number ("worker 2") would turn into a count.
 * That whitespace becomes '_'.
 */
static void guard_count_suffix(char *path, char *end)
{
	char *q = end, *dot;

	while (q > path && isdigit((unsigned char)q[-1]))
		q--;
	if (q > path && q[-1] == '.') { /* "12." or "12.5": the integer part first */
		dot = q - 1;
		for (q = dot; q > path && isdigit((unsigned char)q[-1]);)
			q--;
		if (q == dot)
			return; /* ".5": no whitespace can precede the "5" */
	} else if (q == end) {
		return; /* no number at the end */
	}
	while (q > path && isspace((unsigned char)q[-1]))
		*--q = '_';
}

static char *join(const char *const *frames, int n)
{
	size_t len = 1;
	char *path, *p;
	int i;

	for (i = 0; i < n; i++)
		len += (frames[i] && *frames[i] ? strlen(frames[i]) : 9) + 1;
	path = malloc(len);
	if (!path)
		return NULL;
	p = path;
	for (i = 0; i < n; i++) {
		if (i)
			*p++ = ';';
		p += put_frame(p, frames[i]);
	}
	*p = '\0';
	/* The count follows the last space: a trailing space in a frame is ambiguous. */
	while (p > path && isspace((unsigned char)p[-1]))
		*--p = '\0';
	guard_count_suffix(path, p);
	return path;
}

int fold__add(struct fold *f, const char *const *frames, int n, uint64_t count)
{
	struct fold_entry *e;
	uint64_t h;
	char *path;

	if (n <= 0 || !count)
		return n <= 0 ? -EINVAL : 0;
	path = join(frames, n);
	if (!path)
		return -ENOMEM;
	if ((f->used + 1) * 4 > f->cap * 3 && grow(f)) {
		free(path);
		return -ENOMEM;
	}
	h = symhash__str(path, strlen(path));
	e = find_slot(f->slots, f->cap, path, h);
	if (e->path) {
		free(path);
	} else {
		e->path = path;
		e->hash = h;
		f->used++;
	}
	e->count += count;
	f->total += count;
	return 0;
}

uint64_t fold__total(const struct fold *f)
{
	return f->total;
}

size_t fold__count(const struct fold *f)
{
	return f->used;
}

static struct fold_entry **collect(const struct fold *f)
{
	struct fold_entry **v = malloc(sizeof(*v) * (f->used ? f->used : 1));
	size_t i, n = 0;

	if (!v)
		return NULL;
	for (i = 0; i < f->cap; i++)
		if (f->slots[i].path)
			v[n++] = &f->slots[i];
	return v;
}

static int by_path(const void *a, const void *b)
{
	return strcmp((*(struct fold_entry *const *)a)->path,
		      (*(struct fold_entry *const *)b)->path);
}

static int by_weight(const void *a, const void *b)
{
	const struct fold_entry *x = *(struct fold_entry *const *)a;
	const struct fold_entry *y = *(struct fold_entry *const *)b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->path, y->path);
}

static int visit(const struct fold *f, size_t limit, int (*cmp)(const void *, const void *),
		 fold_visit_fn fn, void *ctx)
{
	struct fold_entry **v = collect(f);
	size_t i;
	int err = 0;

	if (!v)
		return -ENOMEM;
	qsort(v, f->used, sizeof(*v), cmp);
	for (i = 0; i < f->used && i < limit && !err; i++)
		err = fn(v[i]->path, v[i]->count, ctx);
	free(v);
	return err;
}

int fold__visit_sorted(const struct fold *f, fold_visit_fn fn, void *ctx)
{
	return visit(f, SIZE_MAX, by_path, fn, ctx);
}

int fold__visit_top(const struct fold *f, size_t n, fold_visit_fn fn, void *ctx)
{
	return visit(f, n, by_weight, fn, ctx);
}

static int write_line(const char *path, uint64_t count, void *ctx)
{
	return fprintf(ctx, "%s %llu\n", path, (unsigned long long)count) < 0 ? -EIO : 0;
}

int fold__write(const struct fold *f, FILE *out)
{
	return fold__visit_sorted(f, write_line, out);
}
