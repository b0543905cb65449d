/* SPDX-License-Identifier: GPL-2.0 */
/* offcpu: types shared by bpf/offcpu.bpf.c and user/offcpu.c. */
#ifndef ST_OFFCPU_H
#define ST_OFFCPU_H

#include "common.h"

/* Thread-state classes for --state (offcpu_key.state). */
enum offcpu_state {
	OFFCPU_R = 0,	  /* preempted while runnable */
	OFFCPU_S = 1,	  /* interruptible sleep */
	OFFCPU_D = 2,	  /* uninterruptible sleep (I/O) */
	OFFCPU_I = 3,	  /* idle kernel-thread sleep (TASK_IDLE) */
	OFFCPU_OTHER = 4, /* stopped, traced, ... */
	OFFCPU_NSTATES,
};

enum offcpu_flags {
	OFFCPU_F_SHORT = 1 << 0,   /* shorter than stack_min_ns: no kernel stack taken */
	OFFCPU_F_KTHREAD = 1 << 1, /* kernel thread: no user stack by nature */
	OFFCPU_F_NO_USTACK = 1 << 2,
	OFFCPU_F_NO_KSTACK = 1 << 3,
	OFFCPU_F_RECOVERED = 1 << 4, /* its switch-in was never reported: end from run time */
};

/* One aggregation bucket: per process, not per thread (tgid). */
struct offcpu_key {
	__u32 tgid;
	__u16 state; /* enum offcpu_state */
	__u16 flags; /* enum offcpu_flags */
	__u32 pad;
	__u64 ustack; /* key in the st_ustacks map, or 0 */
	__u64 kstack; /* key in the kstacks map (hash of the frames), or 0 */
};

struct offcpu_val {
	__u64 total_ns;
	__u64 count;
	char comm[ST_COMM_LEN]; /* process name when the bucket was created */
	__u64 cgid;		/* its cgroup v2 id then (pods, containers: k8s.h) */
};

/*
 * Per-CPU direct-mapped aggregation cache in front of the counts hash map: hot
 * buckets are updated without hashing or atomics; evicted entries are added to
 * counts. User space merges both at the end, so nothing is lost.
 */
#define OFFCPU_CACHE_WAYS 64

struct offcpu_cache_ent {
	struct offcpu_key key;
	struct offcpu_val val;
};

struct offcpu_cache {
	struct offcpu_cache_ent ent[OFFCPU_CACHE_WAYS];
};

#endif
