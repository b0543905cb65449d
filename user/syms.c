// SPDX-License-Identifier: GPL-2.0
/* The user-space symbol cache: processes (LRU-capped) over shared ELF files. */
#include "syms.h"
#include "symfiles.h"
#include "symhash.h"
#include "symproc.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct syms_entry {
	struct symproc *proc;
	struct syms_entry *prev, *next; /* LRU list, most recently used at the head */
	uint64_t loaded_ns;		/* last /proc/PID/maps read attempt */
};

struct syms_cache {
	struct symfiles *files;
	struct symhash *procs; /* pid -> struct syms_entry */
	struct syms_entry *head, *tail;
	size_t max_procs;
	uint64_t refresh_ns;
	size_t mappings;
	uint64_t evictions, resolved, unresolved;
};

struct syms_cache *syms_cache__new(const struct syms_opts *opts)
{
	struct syms_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->max_procs = opts && opts->max_procs ? opts->max_procs : SYMS_DEFAULT_MAX_PROCS;
	c->refresh_ns =
	    (opts && opts->refresh_ms ? opts->refresh_ms : SYMS_DEFAULT_REFRESH_MS) * NSEC_PER_MSEC;
	c->files = symfiles__new(opts ? opts->debug_dirs : NULL);
	c->procs = symhash__new();
	if (!c->files || !c->procs) {
		syms_cache__free(c);
		errno = ENOMEM;
		return NULL;
	}
	return c;
}

static void lru_unlink(struct syms_cache *c, struct syms_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_push_head(struct syms_cache *c, struct syms_entry *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	if (!c->tail)
		c->tail = e;
}

static void lru_touch(struct syms_cache *c, struct syms_entry *e)
{
	if (c->head == e)
		return;
	lru_unlink(c, e);
	lru_push_head(c, e);
}

static void entry_free(struct syms_cache *c, struct syms_entry *e)
{
	symhash__del(c->procs, (uint64_t)symproc__pid(e->proc), e);
	lru_unlink(c, e);
	c->mappings -= symproc__nmaps(e->proc);
	symproc__free(e->proc, c->files);
	free(e);
}

void syms_cache__free(struct syms_cache *c)
{
	if (!c)
		return;
	while (c->head)
		entry_free(c, c->head);
	symhash__free(c->procs);
	symfiles__free(c->files);
	free(c);
}

static struct syms_entry *entry_find(const struct syms_cache *c, pid_t pid)
{
	return symhash__find(c->procs, (uint64_t)pid, NULL, NULL);
}

static int entry_load(struct syms_cache *c, struct syms_entry *e)
{
	size_t before = symproc__nmaps(e->proc);
	int err = symproc__load(e->proc, c->files);

	c->mappings += symproc__nmaps(e->proc) - before;
	e->loaded_ns = st_now_ns();
	return err;
}

/* Evict from the cold end until the cap holds again; never @keep. */
static void entries_trim(struct syms_cache *c, const struct syms_entry *keep)
{
	while (symhash__count(c->procs) > c->max_procs && c->tail && c->tail != keep) {
		st_info(3, "syms: evicting pid %d (cap %zu)", (int)symproc__pid(c->tail->proc),
			c->max_procs);
		entry_free(c, c->tail);
		c->evictions++;
	}
}

static struct syms_entry *entry_create(struct syms_cache *c, pid_t pid)
{
	struct syms_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->proc = symproc__new(pid);
	if (!e->proc || symhash__add(c->procs, (uint64_t)pid, e)) {
		symproc__free(e->proc, c->files);
		free(e);
		return NULL;
	}
	lru_push_head(c, e);
	entries_trim(c, e);
	return e;
}

/* Known entries come back marked recently used; unknown ones are created and loaded. */
static struct syms_entry *entry_get(struct syms_cache *c, pid_t pid, int *err)
{
	struct syms_entry *e = entry_find(c, pid);

	*err = 0;
	if (e) {
		lru_touch(c, e);
		return e;
	}
	e = entry_create(c, pid);
	if (!e) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = entry_load(c, e);
	return e;
}

int syms_cache__prepare(struct syms_cache *c, pid_t pid)
{
	struct syms_entry *e;
	int err;

	if (!c || pid <= 0)
		return -EINVAL;
	e = entry_get(c, pid, &err);
	if (e && !err && !symproc__nmaps(e->proc))
		err = entry_load(c, e); /* known but empty (was gone): the pid may be alive now */
	return err;
}

/* A live process may have mapped more since its snapshot; re-read at a bounded rate. */
static struct symmap *entry_find_map(struct syms_cache *c, struct syms_entry *e, uint64_t addr)
{
	struct symmap *m = symproc__find(e->proc, addr);

	if (m || st_now_ns() - e->loaded_ns < c->refresh_ns)
		return m;
	if (entry_load(c, e))
		return NULL;
	return symproc__find(e->proc, addr);
}

static int resolve_in_map(struct symmap *m, uint64_t addr, struct sym_info *out)
{
	uint64_t file_off = addr - m->start + m->pgoff, vaddr;

	out->offset = file_off;
	if (!m->file) {
		out->module = m->label;
		return -ENOENT;
	}
	out->module = symfile__module(m->file);
	if (!symfile__vaddr(m->file, file_off, &vaddr))
		return -ENOENT;
	out->name = symfile__lookup(m->file, vaddr, &out->offset);
	if (!out->name) {
		out->offset = vaddr;
		return -ENOENT;
	}
	return 0;
}

int syms_cache__resolve(struct syms_cache *c, pid_t pid, uint64_t addr, struct sym_info *out)
{
	struct syms_entry *e;
	struct symmap *m = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	if (!c || pid <= 0)
		return -EINVAL;
	e = entry_get(c, pid, &err);
	if (e)
		m = entry_find_map(c, e, addr);
	err = m ? resolve_in_map(m, addr, out) : -ENOENT;
	if (err)
		c->unresolved++;
	else
		c->resolved++;
	return err;
}

int syms_cache__refresh(struct syms_cache *c, pid_t pid)
{
	struct syms_entry *e;

	if (!c || pid <= 0)
		return -EINVAL;
	e = entry_find(c, pid);
	if (!e)
		return syms_cache__prepare(c, pid); /* first sight: that read is the refresh */
	lru_touch(c, e);
	return entry_load(c, e);
}

bool syms_cache__is_call_site(struct syms_cache *c, pid_t pid, uint64_t ret_addr)
{
	struct syms_entry *e;
	struct symmap *m;
	int err;

	if (!c || pid <= 0)
		return false;
	e = entry_get(c, pid, &err);
	m = e ? entry_find_map(c, e, ret_addr) : NULL;
	return m && m->file && symfile__is_call_site(m->file, ret_addr - m->start + m->pgoff);
}

void syms_cache__forget(struct syms_cache *c, pid_t pid)
{
	struct syms_entry *e = c ? entry_find(c, pid) : NULL;

	if (e)
		entry_free(c, e);
}

void syms_cache__stats(const struct syms_cache *c, struct syms_stats *st)
{
	*st = (struct syms_stats){
		.procs = symhash__count(c->procs),
		.files = symfiles__count(c->files),
		.mappings = c->mappings,
		.evictions = c->evictions,
		.opens = symfiles__opens(c->files),
		.resolved = c->resolved,
		.unresolved = c->unresolved,
	};
}

int sym_format_user(char *buf, size_t len, const struct sym_info *info, uint64_t addr)
{
	(void)addr;
	if (!buf || !len)
		return 0;
	if (info && info->name)
		snprintf(buf, len, "%s", info->name);
	else if (info && info->module)
		snprintf(buf, len, "[unknown] (%s+0x%" PRIx64 ")", info->module, info->offset);
	else
		snprintf(buf, len, "[unknown]");
	for (char *p = buf; *p; p++) {
		if (*p == ';' || (unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '_';
	}
	return (int)strlen(buf);
}
