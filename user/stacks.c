// SPDX-License-Identifier: GPL-2.0
#include "stacks.h"
#include "ksyms.h"
#include "symhash.h"
#include "syms.h"
#include "ustack_recover.h"
#include "common.h"
#include "util.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (64 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	char data[];
};

#define RECENT_SLOTS 256

struct st_stacks {
	struct ksyms *ksyms;
	/*
	 * The symbol cache is shared by the reporting thread and the process
	 * watcher (reads a new process's maps and ELF files): @lock guards it.
	 */
	pthread_mutex_t lock;
	struct syms_cache *syms;
	struct ring_buffer *watch_rb;
	pthread_t watcher;
	bool watching;
	atomic_bool stop;
	struct arena_chunk *arena;
	struct symhash *interned; /* each distinct name once: a long run repeats them */
	bool ksyms_failed;
	/* When each pid's maps were last re-read, and the gap before the next (a small direct-mapped table). */
	struct {
		pid_t pid;
		uint64_t ns, gap_ns;
		uint64_t vm_pages; /* its size (statm) when its maps were last read; 0 unknown */
	} recent[RECENT_SLOTS];
};

struct st_stacks *st_stacks__new(void)
{
	struct st_stacks *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->syms = syms_cache__new(NULL);
	s->interned = symhash__new();
	if (!s->syms || !s->interned) {
		syms_cache__free(s->syms);
		symhash__free(s->interned);
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

void st_stacks__free(struct st_stacks *s)
{
	struct arena_chunk *c, *n;

	if (!s)
		return;
	st_stacks__unwatch(s, false);
	for (c = s->arena; c; c = n) {
		n = c->next;
		free(c);
	}
	ksyms__free(s->ksyms);
	syms_cache__free(s->syms);
	symhash__free(s->interned);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static bool same_str(const void *val, const void *arg)
{
	return !strcmp(val, arg);
}

const char *st_stacks__intern(struct st_stacks *s, const char *str)
{
	size_t len = strlen(str) + 1;
	uint64_t h = symhash__str(str, len - 1);
	struct arena_chunk *c = s->arena;
	char *p;

	p = symhash__find(s->interned, h, same_str, str);
	if (p)
		return p;
	if (!c || c->cap - c->used < len) {
		size_t cap = len > ARENA_CHUNK ? len : ARENA_CHUNK;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return "[out of memory]";
		c->cap = cap;
		c->used = 0;
		c->next = s->arena;
		s->arena = c;
	}
	p = c->data + c->used;
	memcpy(p, str, len);
	c->used += len;
	symhash__add(s->interned, h, p); /* not added: only a later copy more */
	return p;
}

void st_stacks__note_pid(struct st_stacks *s, pid_t pid)
{
	pthread_mutex_lock(&s->lock);
	syms_cache__prepare(s->syms, pid);
	pthread_mutex_unlock(&s->lock);
}

void st_stacks__forget_pid(struct st_stacks *s, pid_t pid)
{
	pthread_mutex_lock(&s->lock);
	syms_cache__forget(s->syms, pid);
	pthread_mutex_unlock(&s->lock);
}

/* Callers hold s->lock. */
static int user_frames(struct st_stacks *s, pid_t pid, const uint64_t *ips, int n, const char **out,
		       int max)
{
	char buf[512];
	int i, k = 0, leaf = -1;

	for (i = 0; i < n && ips[i]; i++)
		leaf = i;
	for (i = leaf; i >= 0 && k < max; i--) {
		/* Frames above the leaf are return addresses: look up the call itself. */
		uint64_t addr = i == 0 ? ips[i] : ips[i] - 1;
		struct sym_info si = { 0 };

		syms_cache__resolve(s->syms, pid, addr, &si);
		sym_format_user(buf, sizeof(buf), &si, addr);
		out[k++] = st_stacks__intern(s, buf);
	}
	return k;
}

int st_stacks__user(struct st_stacks *s, pid_t pid, const uint64_t *ips, int n, const char **out,
		    int max)
{
	int k;

	pthread_mutex_lock(&s->lock);
	k = user_frames(s, pid, ips, n, out, max);
	pthread_mutex_unlock(&s->lock);
	return k;
}

struct call_site_ctx {
	struct syms_cache *syms;
	pid_t pid;
};

static bool is_call_site(void *ctx, uint64_t addr)
{
	struct call_site_ctx *c = ctx;

	return syms_cache__is_call_site(c->syms, c->pid, addr);
}

int st_stacks__ustack(struct st_stacks *s, pid_t pid, const struct st_ustack *u, const char **out,
		      int max)
{
	uint64_t ips[ST_MAX_STACK + ST_USTACK_WIN];
	struct call_site_ctx c = { s->syms, pid };
	int n, k;

	pthread_mutex_lock(&s->lock);
	n = st_ustack_recover(u, is_call_site, &c, ips, (int)ARRAY_SIZE(ips));
	k = user_frames(s, pid, ips, n, out, max);
	pthread_mutex_unlock(&s->lock);
	return k;
}

void st_stacks__refresh_pid(struct st_stacks *s, pid_t pid)
{
	pthread_mutex_lock(&s->lock);
	if (syms_cache__refresh(s->syms, pid) == -ENOENT)
		syms_cache__prepare(s->syms, pid);
	pthread_mutex_unlock(&s->lock);
}

/*
 * Re-read a process's maps 150 ms after the last read, then at doubling gaps
 * up to 5 s, however often it is seen (watcher only). A process maps its
 * libraries early in its life (ld.so, then the dlopen()s of its start-up);
 * re-reading a long-lived one five times a second would cost the node a
 * /proc/PID/maps walk per process each time (the profile's largest user-side
 * cost). Lookups that miss in a live process still re-read on their own
 * (syms_opts.refresh_ms).
 */
#define REFRESH_FIRST_NS (150 * NSEC_PER_MSEC)
#define REFRESH_MAX_NS	 (5 * NSEC_PER_SEC)

/* A process's size in pages (/proc/PID/statm), 0 if unknown: one line, not its maps. */
static uint64_t vm_pages(pid_t pid)
{
	unsigned long long v = 0;
	char p[64], *buf;

	snprintf(p, sizeof(p), "/proc/%d/statm", (int)pid);
	buf = st_read_file(p, 128, NULL);
	if (!buf || sscanf(buf, "%llu", &v) != 1)
		v = 0;
	free(buf);
	return v;
}

/*
 * Is a re-read of @pid's maps due? When its gap has passed, and (for a pid
 * read before) only if its size changed since: a mapping added or removed
 * (ld.so, dlopen, munmap) changes it, and a long-lived process that maps
 * nothing new costs one line of statm instead of a maps walk.
 */
static bool refresh_due(struct st_stacks *s, pid_t pid)
{
	unsigned int i = (unsigned int)pid % RECENT_SLOTS;
	uint64_t now = st_now_ns(), pages;

	if (s->recent[i].pid == pid) {
		if (now - s->recent[i].ns < s->recent[i].gap_ns)
			return false;
		s->recent[i].gap_ns = s->recent[i].gap_ns >= REFRESH_MAX_NS / 2
					  ? REFRESH_MAX_NS
					  : 2 * s->recent[i].gap_ns;
		s->recent[i].ns = now;
		pages = vm_pages(pid);
		if (pages && pages == s->recent[i].vm_pages)
			return false;
		s->recent[i].vm_pages = pages;
		return true;
	}
	s->recent[i].pid = pid;
	s->recent[i].gap_ns = REFRESH_FIRST_NS;
	s->recent[i].ns = now;
	s->recent[i].vm_pages = vm_pages(pid);
	return true;
}

/* struct st_proc_event records (ctx: the st_stacks). */
static int on_proc_event(void *ctx, void *data, size_t len)
{
	const struct st_proc_event *e = data;
	struct st_stacks *s = ctx;

	/* A steady stream must not keep the consumer from seeing a stop request. */
	if (st_exiting())
		return -EINTR;
	if (len < sizeof(*e))
		return 0;
	/* At exec the libraries are not mapped yet: read the maps at first sight. */
	if (e->type == ST_EV_PROC_EXEC) {
		st_stacks__forget_pid(s, (pid_t)e->tgid);
		s->recent[(unsigned int)e->tgid % RECENT_SLOTS].pid = 0;
	} else if (refresh_due(s, (pid_t)e->tgid)) {
		st_stacks__refresh_pid(s, (pid_t)e->tgid);
	}
	return 0;
}

static int watch_cb(void *ctx, void *data, size_t len)
{
	struct st_stacks *s = ctx;

	if (atomic_load(&s->stop))
		return -EINTR;
	return on_proc_event(ctx, data, len);
}

static void *watch_main(void *arg)
{
	struct st_stacks *s = arg;

	while (!atomic_load(&s->stop) && !st_exiting()) {
		int err = ring_buffer__poll(s->watch_rb, 100);

		if (err < 0 && err != -EINTR) {
			st_warn("process ring poll failed: %s", strerror(-err));
			break;
		}
	}
	return NULL;
}

int st_stacks__watch(struct st_stacks *s, int ring_fd)
{
	sigset_t all, old;
	int err;

	if (s->watching)
		return -EBUSY;
	s->watch_rb = ring_buffer__new(ring_fd, watch_cb, s, NULL);
	if (!s->watch_rb) {
		err = -errno;
		st_err("cannot open the process ring: %s", strerror(-err));
		return err;
	}
	/*
	 * One malloc arena: a second one, the watcher's, keeps the pages of the
	 * symbol tables it frees (seen: +10 MB RSS over a 10,000-process churn).
	 */
	mallopt(M_ARENA_MAX, 1);
	/* Signals go to the main thread, whose poll they must interrupt. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = -pthread_create(&s->watcher, NULL, watch_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		st_err("cannot start the process watcher: %s", strerror(-err));
		ring_buffer__free(s->watch_rb);
		s->watch_rb = NULL;
		return err;
	}
	s->watching = true;
	return 0;
}

void st_stacks__unwatch(struct st_stacks *s, bool drain)
{
	if (!s->watching)
		return;
	atomic_store(&s->stop, true);
	pthread_join(s->watcher, NULL);
	atomic_store(&s->stop, false);
	/* What is left: processes seen last, read before the report names them. */
	if (drain)
		ring_buffer__consume(s->watch_rb);
	ring_buffer__free(s->watch_rb);
	s->watch_rb = NULL;
	s->watching = false;
}

static bool load_ksyms(struct st_stacks *s)
{
	if (!s->ksyms && !s->ksyms_failed) {
		s->ksyms = ksyms__load();
		if (!s->ksyms) {
			s->ksyms_failed = true;
			st_warn("cannot read /proc/kallsyms: kernel frames unnamed");
		}
	}
	return s->ksyms != NULL;
}

int st_stacks__kernel(struct st_stacks *s, const uint64_t *ips, int n, const char **out, int max)
{
	char buf[512];
	int i, k = 0, first = 0;

	if (!load_ksyms(s)) {
		if (max > 0)
			out[k++] = "[k] [unknown]";
		return k;
	}
	/* Leaf first: skip the tracer's own frames at the leaf end. */
	while (first < n) {
		const char *name = ksyms__name(s->ksyms, ips[first], NULL, NULL);

		if (!name || !ksyms__is_tracer_frame(name))
			break;
		first++;
	}
	for (i = n - 1; i >= first && k < max; i--) {
		const char *name;

		if (!ips[i])
			continue;
		name = ksyms__name(s->ksyms, i == first ? ips[i] : ips[i] - 1, NULL, NULL);

		if (name && ksyms__is_tracer_frame(name))
			continue;
		snprintf(buf, sizeof(buf), "[k] %s", name ? name : "[unknown]");
		out[k++] = st_stacks__intern(s, buf);
	}
	return k;
}
