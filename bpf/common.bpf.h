/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BPF-side helpers every tracer shares: target filters (-p, -t, -c, --comm,
 * -- CMD process tree), drop counters, sampling and a per-CPU token bucket.
 * Include once per tracer object, after vmlinux.h and bpf_helpers.h.
 */
#ifndef ST_COMMON_BPF_H
#define ST_COMMON_BPF_H

#include "common.h"

/* Set by user space between open and load. */
const volatile __u32 st_targ_tgid;
const volatile __u32 st_targ_tid;
const volatile bool st_targ_tree;   /* follow the process tree in st_tree */
const volatile bool st_targ_cgroup; /* st_cgroup[0] holds the cgroup */
const volatile bool st_targ_comm;
const volatile char st_targ_comm_name[ST_COMM_LEN];

/* Adjustable while running (the overhead budget raises them). */
__u32 st_sample_n = 1;
__u64 st_max_eps = 0; /* per CPU; 0 = unlimited */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ST_TREE_MAX);
	__type(key, __u32); /* tgid (or tid of a thread created in the tree) */
	__type(value, __u8);
} st_tree SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} st_cgroup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ST_DROP__NR);
	__type(key, __u32);
	__type(value, __u64);
} st_drops SEC(".maps");

struct st_bucket {
	__u64 window_start;
	__u64 count;
	__u64 sample_ctr;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct st_bucket);
} st_buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} st_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u64); /* when user space was last told */
} st_seen SEC(".maps");

/*
 * perf_event contexts: the sampled registers as the uapi lays them out, read as
 * plain u64 words. Not through vmlinux.h's struct pt_regs, whose field sizes
 * differ between kernels (cs became a u16 in 6.9) and would break CO-RE.
 */
#if defined(__TARGET_ARCH_x86)
#define ST_PE_REG_CS 17
#define ST_PE_REG_SP 19
#elif defined(__TARGET_ARCH_arm64)
#define ST_PE_REG_SP	 31
#define ST_PE_REG_PSTATE 33
#endif

static __always_inline bool st_pe_user_mode(void *ctx)
{
	const __u64 *regs = ctx;

#if defined(__TARGET_ARCH_x86)
	return (regs[ST_PE_REG_CS] & 3) != 0;
#elif defined(__TARGET_ARCH_arm64)
	return (regs[ST_PE_REG_PSTATE] & 0xf) == 0; /* EL0 */
#else
	return false;
#endif
}

static __always_inline __u64 st_pe_sp(void *ctx)
{
	const __u64 *regs = ctx;

	return regs[ST_PE_REG_SP];
}

/*
 * When an off-CPU interval that began at @t_off ended, for a task whose switch
 * back in the sched_switch tracepoint never reported (seen on 6.18: ftrace
 * missed the same switch) and which leaves the CPU again at @now: it ran since
 * for exactly its se.sum_exec_runtime growth, @ran_now - @ran_off
 * (put_prev_task brings the run time up to date before the tracepoint).
 */
static __always_inline __u64 st_missed_switch_in(__u64 t_off, __u64 ran_off, __u64 ran_now,
						 __u64 now)
{
	__u64 ran = ran_now - ran_off;

	return now - t_off > ran ? now - ran : t_off;
}

static __always_inline void st_drop(enum st_drop what)
{
	__u32 k = what;
	__u64 *v = bpf_map_lookup_elem(&st_drops, &k);

	if (v)
		(*v)++;
}

/*
 * The value at @key in the hash @map, inserted as a copy of @init when absent
 * (a race with another CPU inserting it is fine); a full map is a counted drop.
 */
static __always_inline void *st_lookup_or_init(void *map, const void *key, const void *init)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	v = bpf_map_lookup_elem(map, key);
	if (!v)
		st_drop(ST_DROP_MAP_FULL);
	return v;
}

static __always_inline bool st_comm_matches(void)
{
	char comm[ST_COMM_LEN];
	int i;

	bpf_get_current_comm(comm, sizeof(comm));
	for (i = 0; i < ST_COMM_LEN; i++) {
		if (comm[i] != st_targ_comm_name[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

/* Is the current task one we trace? (tgid/tid of current passed in.) */
static __always_inline bool st_current_wanted(__u32 tgid, __u32 tid)
{
	if (st_targ_tgid && tgid != st_targ_tgid)
		return false;
	if (st_targ_tid && tid != st_targ_tid)
		return false;
	if (st_targ_tree && !bpf_map_lookup_elem(&st_tree, &tgid))
		return false;
	if (st_targ_cgroup && bpf_current_task_under_cgroup(&st_cgroup, 0) != 1)
		return false;
	if (st_targ_comm && !st_comm_matches())
		return false;
	return true;
}

/*
 * --sample N decided by a key that stays the same for one operation (a block
 * request's allocation time, say), so that every hook of the operation
 * takes the same decision and the unsampled ones cost a failed lookup, not
 * the whole timeline. The key is mixed (murmur3's finalizer): its low bits
 * are nanoseconds, the result is as good as random. For a power-of-two N a
 * key kept at 2N is kept at N: raising N keeps a subset.
 */
static __always_inline bool st_sampled_key(__u64 key)
{
	__u32 n = st_sample_n;

	if (n <= 1)
		return true;
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	key *= 0xc4ceb9fe1a85ec53ULL;
	key ^= key >> 33;
	return key % n == 0;
}

/*
 * --sample N (when @sample: 1 in N by a per-CPU count; callers that sampled
 * by key already pass false) and --max-events-per-sec: true when this event
 * may be recorded. Counts what it refuses. A fixed one-second window per CPU
 * is exact and cheap.
 */
static __always_inline bool st_admit_ex(__u64 now, bool sample)
{
	__u32 zero = 0, n = sample ? st_sample_n : 1;
	struct st_bucket *b;

	if (n <= 1 && !st_max_eps)
		return true;
	b = bpf_map_lookup_elem(&st_buckets, &zero);
	if (!b)
		return true;
	if (n > 1 && (b->sample_ctr++ % n) != 0) {
		st_drop(ST_DROP_SAMPLED_OUT);
		return false;
	}
	if (st_max_eps) {
		if (now - b->window_start >= 1000000000ULL) {
			b->window_start = now;
			b->count = 0;
		}
		if (b->count >= st_max_eps) {
			st_drop(ST_DROP_RATE_LIMIT);
			return false;
		}
		b->count++;
	}
	return true;
}

static __always_inline bool st_admit(__u64 now)
{
	return st_admit_ex(now, true);
}

/*
 * Bulk events (off-CPU intervals, samples, per-request records) are refused
 * once a ring buffer is three quarters full, so that the rare events that frame an
 * operation (fork, exec, exit, a traced call) still find room when user space
 * falls behind. Callers count a refusal as ringbuf_full, like a full ring.
 */
static __always_inline void *st_bulk_reserve(void *rb, __u64 size)
{
	if (bpf_ringbuf_query(rb, BPF_RB_AVAIL_DATA) >
	    bpf_ringbuf_query(rb, BPF_RB_RING_SIZE) / 4 * 3)
		return NULL;
	return bpf_ringbuf_reserve(rb, size, 0);
}

/*
 * Bulk records go in without waking the consumer: a wakeup is an irq_work, a
 * self-IPI (a VM exit each on a virtual machine; most of a completion
 * record's cost there). User space drains its rings on every 100 ms tick;
 * once an eighth of the ring waits, the consumer is woken, so a burst
 * cannot fill it between ticks. Records that frame an operation keep the
 * default (wake a consumer that has caught up), and take the bulk with them.
 */
static __always_inline void st_bulk_submit(void *rb, void *rec)
{
	bpf_ringbuf_submit(rec, bpf_ringbuf_query(rb, BPF_RB_AVAIL_DATA) >
					bpf_ringbuf_query(rb, BPF_RB_RING_SIZE) / 8
				    ? BPF_RB_FORCE_WAKEUP
				    : BPF_RB_NO_WAKEUP);
}

static __always_inline void st_emit_proc(__u32 type, __u32 tgid)
{
	struct st_proc_event *e = bpf_ringbuf_reserve(&st_events, sizeof(*e), 0);

	if (!e) {
		st_drop(ST_DROP_RINGBUF_FULL);
		return;
	}
	e->type = type;
	e->tgid = tgid;
	bpf_ringbuf_submit(e, 0);
}

/*
 * Tell user space about a process when it has a stack worth naming, and again
 * at most every 200 ms while it keeps having them, so libraries it loads later
 * (the first stacks are often taken while ld.so still maps them) are in the
 * snapshot before it exits.
 */
static __always_inline void st_note_process(__u32 tgid)
{
	__u64 now = bpf_ktime_get_ns(), *last = bpf_map_lookup_elem(&st_seen, &tgid);

	if (last && now - *last < 200000000ULL)
		return;
	if (last)
		*last = now;
	else
		bpf_map_update_elem(&st_seen, &tgid, &now, BPF_ANY);
	st_emit_proc(ST_EV_PROC_SEEN, tgid);
}

/* A traced process that execs gets a new image: user space re-reads its maps. */
SEC("tracepoint/sched/sched_process_exec")
int st_proc_exec(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;

	if (!st_current_wanted(tgid, (__u32)id))
		return 0;
	bpf_map_delete_elem(&st_seen, &tgid);
	st_emit_proc(ST_EV_PROC_EXEC, tgid);
	return 0;
}

/*
 * Process-tree following for "-- CMD": a task forked by a traced process is
 * traced; an exiting process leaves the map. Classic tracepoints work on every
 * kernel we support, so no variants are needed here.
 */
SEC("tracepoint/sched/sched_process_fork")
int st_tree_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	__u32 parent = bpf_get_current_pid_tgid() >> 32;
	__u32 child = ctx->child_pid;
	__u8 one = 1;

	if (!st_targ_tree || !bpf_map_lookup_elem(&st_tree, &parent))
		return 0;
	if (bpf_map_update_elem(&st_tree, &child, &one, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&st_tree, &child))
		st_drop(ST_DROP_TREE_FULL);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int st_tree_exit(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;

	/* Only the leader's exit ends the process; threads leave their own tid key. */
	if (st_targ_tree)
		bpf_map_delete_elem(&st_tree, &tid);
	return 0;
}

#endif
