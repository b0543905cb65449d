// SPDX-License-Identifier: GPL-2.0
/* A process's executable mappings with their ELF files, kept past the process's exit. */
#include "symproc.h"
#include "symhash.h"
#include "symsearch.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct symproc {
	pid_t pid;
	struct symmap *maps; /* sorted by start, non-overlapping */
	size_t nmaps;
	uint64_t maps_hash; /* of the maps text last loaded (nmaps > 0) */
	size_t maps_len;
};

struct symmaps {
	struct symmap *v;
	size_t n, cap;
};

struct load_ctx {
	const struct symproc *old; /* the snapshot being replaced */
	struct symfiles *fs;
	struct symmaps out;
};

struct symproc *symproc__new(pid_t pid)
{
	struct symproc *p = calloc(1, sizeof(*p));

	if (p)
		p->pid = pid;
	return p;
}

static void symmap_release(struct symmap *m, struct symfiles *fs)
{
	symfiles__put(fs, m->file);
	free(m->label);
}

static void symmaps_release(struct symmaps *ms, struct symfiles *fs)
{
	for (size_t i = 0; i < ms->n; i++)
		symmap_release(&ms->v[i], fs);
	free(ms->v);
	*ms = (struct symmaps){ 0 };
}

void symproc__free(struct symproc *p, struct symfiles *fs)
{
	if (!p)
		return;
	symmaps_release(&(struct symmaps){ p->maps, p->nmaps, p->nmaps }, fs);
	free(p);
}

static int symmaps_push(struct symmaps *ms, const struct symmap *m)
{
	if (ms->n == ms->cap) {
		size_t ncap = ms->cap ? ms->cap * 2 : 16;
		struct symmap *v = reallocarray(ms->v, ncap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		ms->v = v;
		ms->cap = ncap;
	}
	ms->v[ms->n++] = *m;
	return 0;
}

/* Module name for a mapping whose file is not available. */
static char *symmap_label(const struct procmap *m)
{
	const char *slash = strrchr(m->path, '/');

	if (slash)
		return strdup(slash + 1);
	return strdup(m->path[0] ? m->path : "[anon]");
}

/* The file of the same file mapping in the old snapshot (a new reference), or NULL. */
static struct symfile *symmap_reuse(const struct symproc *old, const struct procmap *pm)
{
	const struct symmap *m = symproc__find(old, pm->start);

	if (!m || !m->file || !pm->inode || m->start != pm->start || m->end != pm->end ||
	    m->pgoff != pm->pgoff || m->inode != pm->inode || m->dev_major != pm->dev_major ||
	    m->dev_minor != pm->dev_minor)
		return NULL;
	symfile__get(m->file);
	return m->file;
}

static int load_fn(const struct procmap *pm, void *arg)
{
	struct load_ctx *ctx = arg;
	struct symmap m = {
		.start = pm->start,
		.end = pm->end,
		.pgoff = pm->pgoff,
		.inode = pm->inode,
		.dev_major = pm->dev_major,
		.dev_minor = pm->dev_minor,
	};
	int err;

	if (!pm->executable)
		return 0;
	m.file = symmap_reuse(ctx->old, pm);
	if (!m.file)
		m.file = symfiles__open(ctx->fs, ctx->old->pid, pm);
	if (!m.file) {
		if (pm->path[0] == '/')
			st_info(3, "syms: pid %d: cannot open %s: %s", (int)ctx->old->pid, pm->path,
				strerror(errno));
		m.label = symmap_label(pm);
		if (!m.label)
			return -ENOMEM;
	}
	err = symmaps_push(&ctx->out, &m);
	if (err)
		symmap_release(&m, ctx->fs);
	return err;
}

static int symmap_cmp(const void *a, const void *b)
{
	const struct symmap *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Does @m overlap one of the first @n (sorted, disjoint) mappings of @ms? */
static bool symmap_overlaps(const struct symmap *m, const struct symmaps *ms, size_t n)
{
	/* The last mapping starting before m->end (> m->start >= 0) is the only candidate. */
	size_t i =
	    sym_upper_bound(ms->v, n, sizeof(*ms->v), offsetof(struct symmap, start), m->end - 1);

	return i && ms->v[i - 1].end > m->start;
}

/* Move the old mappings that the new sorted snapshot @ms does not overlap into it. */
static void symproc_merge_old(struct symproc *p, struct symmaps *ms, struct symfiles *fs)
{
	size_t nnew = ms->n;

	for (size_t i = 0; i < p->nmaps; i++) {
		struct symmap *m = &p->maps[i];

		if (!symmap_overlaps(m, ms, nnew) && !symmaps_push(ms, m))
			continue;
		symmap_release(m, fs);
	}
	free(p->maps);
	p->maps = NULL;
	p->nmaps = 0;
	qsort(ms->v, ms->n, sizeof(*ms->v), symmap_cmp);
}

static uint64_t maps_hash(const char *text, size_t len)
{
	uint64_t h = len, w;
	size_t i;

	for (i = 0; i + sizeof(w) <= len; i += sizeof(w)) {
		memcpy(&w, text + i, sizeof(w));
		h = symhash__mix(h, w);
	}
	w = 0;
	memcpy(&w, text + i, len - i);
	return symhash__mix(h, w);
}

int symproc__load(struct symproc *p, struct symfiles *fs)
{
	struct load_ctx ctx = { .old = p, .fs = fs };
	size_t len = 0;
	char *text = procmaps__read(p->pid, &len);
	uint64_t hash;
	int err;

	if (!text)
		return -errno;
	hash = maps_hash(text, len);
	if (p->nmaps && len == p->maps_len && hash == p->maps_hash) {
		free(text);
		return 0; /* nothing changed since the last read */
	}
	err = procmaps__foreach_buf(text, load_fn, &ctx);
	free(text);
	if (!err && !ctx.out.n)
		err = -ESRCH; /* a kernel thread or a zombie: nothing to symbolize */
	if (err) {
		symmaps_release(&ctx.out, fs);
		return err;
	}
	qsort(ctx.out.v, ctx.out.n, sizeof(*ctx.out.v), symmap_cmp);
	symproc_merge_old(p, &ctx.out, fs);
	p->maps = ctx.out.v;
	p->nmaps = ctx.out.n;
	p->maps_hash = hash;
	p->maps_len = len;
	return 0;
}

struct symmap *symproc__find(const struct symproc *p, uint64_t addr)
{
	size_t i = sym_upper_bound(p->maps, p->nmaps, sizeof(*p->maps),
				   offsetof(struct symmap, start), addr);

	return i && addr < p->maps[i - 1].end ? &p->maps[i - 1] : NULL;
}

size_t symproc__nmaps(const struct symproc *p)
{
	return p->nmaps;
}

pid_t symproc__pid(const struct symproc *p)
{
	return p->pid;
}
