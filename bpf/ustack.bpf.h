/* SPDX-License-Identifier: GPL-2.0 */
/* Interned user stacks (bpf/ustack.h): capture, filter, hash, store. */
#ifndef ST_USTACK_BPF_H
#define ST_USTACK_BPF_H

#include "ustack.h"

/*
 * Preallocated: perf_event programs (NMI context) may only use preallocated
 * hash maps before kernel 6.x's bpf_mem_alloc; 8192 stacks is ~10 MiB.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct st_ustack);
} st_ustacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct st_ustack);
} st_uscratch SEC(".maps");

/* Same top 28 bits as the leaf or the first return address: same code region. */
static __always_inline bool st_code_like(__u64 w, __u64 a, __u64 b)
{
	return w && ((w >> 28) == (a >> 28) || (w >> 28) == (b >> 28));
}

static __always_inline __u64 st_ustack_hash(const struct st_ustack *u)
{
	__u64 h = 0xcbf29ce484222325ULL;
	int i;

	for (i = 0; i < ST_MAX_STACK; i++) {
		if (i >= (int)u->nr)
			break;
		h = (h ^ u->ips[i]) * 0x100000001b3ULL;
	}
	for (i = 0; i < ST_USTACK_WIN; i++)
		h = (h ^ u->win[i]) * 0x100000001b3ULL;
	return h ? h : 1;
}

/*
 * Record the current task's user stack; @usp is the user sp (0: no window).
 * Returns the key in st_ustacks, or 0 (counted in st_drops).
 */
static __always_inline __u64 st_ustack_capture(void *ctx, __u64 usp)
{
	__u32 zero = 0;
	struct st_ustack *u = bpf_map_lookup_elem(&st_uscratch, &zero);
	long len;
	__u64 h;
	int i;

	if (!u)
		return 0;
	len = bpf_get_stack(ctx, u->ips, sizeof(u->ips), BPF_F_USER_STACK);
	if (len <= 0) {
		st_drop(ST_DROP_STACK_USER);
		return 0;
	}
	u->nr = (__u32)(len / sizeof(__u64));
	u->sp = usp;
	u->nwin = 0;
	if (usp && !bpf_probe_read_user(u->win, sizeof(u->win), (void *)usp))
		u->nwin = ST_USTACK_WIN;
	for (i = 0; i < ST_USTACK_WIN; i++)
		if (!u->nwin || !st_code_like(u->win[i], u->ips[0], u->nr > 1 ? u->ips[1] : 0))
			u->win[i] = 0;
	h = st_ustack_hash(u);
	if (bpf_map_update_elem(&st_ustacks, &h, u, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&st_ustacks, &h)) {
		st_drop(ST_DROP_MAP_FULL);
		return 0;
	}
	return h;
}

/* ---- kernel stacks ---------------------------------------------------------- */

/* Allocated on demand: tracepoint context may allocate, and most runs need few. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct st_kstack);
} st_kstacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct st_kstack);
} st_kscratch SEC(".maps");

/* FNV-1a over the frames: a stable key for st_kstacks. */
static __always_inline __u64 st_kstack_hash(const struct st_kstack *ks)
{
	__u64 h = 0xcbf29ce484222325ULL;
	int i;

	for (i = 0; i < ST_MAX_STACK; i++) {
		if (i >= (int)ks->nr)
			break;
		h = (h ^ ks->ips[i]) * 0x100000001b3ULL;
	}
	return h ? h : 1;
}

/* Store the frames in @ks (nr from @len bytes); return their key or 0. */
static __always_inline __u64 st_kstack_intern(struct st_kstack *ks, long len)
{
	__u64 h;

	if (len <= 0) {
		st_drop(ST_DROP_STACK_KERNEL);
		return 0;
	}
	ks->nr = (__u32)(len / sizeof(__u64));
	h = st_kstack_hash(ks);
	if (bpf_map_update_elem(&st_kstacks, &h, ks, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&st_kstacks, &h)) {
		st_drop(ST_DROP_MAP_FULL);
		return 0;
	}
	return h;
}

static __always_inline __u64 st_kstack_of_current(void *ctx)
{
	__u32 zero = 0;
	struct st_kstack *ks = bpf_map_lookup_elem(&st_kscratch, &zero);

	if (!ks)
		return 0;
	return st_kstack_intern(ks, bpf_get_stack(ctx, ks->ips, sizeof(ks->ips), 0));
}

/* The kernel stack of a task that is not running (e.g. the one switching in). */
static __always_inline __u64 st_kstack_of_task(struct task_struct *task)
{
	__u32 zero = 0;
	struct st_kstack *ks = bpf_map_lookup_elem(&st_kscratch, &zero);

	if (!ks)
		return 0;
	return st_kstack_intern(ks, bpf_get_task_stack(task, ks->ips, sizeof(ks->ips), 0));
}

#endif
