// SPDX-License-Identifier: GPL-2.0
/*
 * offcpu: off-CPU time per (process, thread state, user stack, kernel stack),
 * aggregated in the kernel, from sched_switch.
 *
 * Cost model (see docs/offcpu.md):
 * - Unwinding the kernel stack is the most expensive step. With tp_btf we have
 *   the next task's pointer, so its kernel stack is unwound at switch-in (it is
 *   still exactly the stack it slept on) and only for intervals of at least
 *   stack_min_ns; shorter intervals keep their exact time and user stack under
 *   one kernel pseudo-frame (OFFCPU_F_SHORT).
 * - Walking the user stack at every switch-out is the next cost. A task that
 *   sleeps again from the same place has the same user registers, so tp_btf
 *   keeps per task a fingerprint of the user register state (ip, sp, bp and the
 *   return address at bp) with the stack id it produced, and walks only when
 *   the fingerprint changes.
 * - Aggregation goes through a per-CPU cache (no hashing, no atomics) in front
 *   of the counts hash map.
 * - Per-task state is task storage where creating it in sched_switch is safe,
 *   else an LRU hash by tid (preallocated: nothing is allocated in the switch).
 * The raw_tp and tracepoint variants cannot read another task's stack or its
 * registers cheaply: they unwind both stacks at every switch-out instead.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "common.bpf.h"
#include "core_fixes.bpf.h"
#include "offcpu.h"
#include "ustack.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 min_ns = 1000;
const volatile __u64 max_ns = ~0ULL;
const volatile __u64 stack_min_ns = 1000000;
const volatile __u32 state_mask = (1 << OFFCPU_NSTATES) - 1;
const volatile bool user_stacks = true;
const volatile bool kernel_stacks = true;
const volatile bool ustack_cache = true;
/*
 * tp_btf keeps per-task state in task storage only where the kernel creates it
 * without kmalloc (user space checks BTF): under the run-queue lock a kmalloc
 * can wake kswapd or a kworker and deadlock (seen as soft lockups on 6.1).
 * Elsewhere the state lives in starts_hash, keyed by tid.
 */
const volatile bool use_task_storage = false;

/* Adjustable at run time by the overhead budget: false stops stack capture. */
bool stacks_enabled = true;

struct start {
	__u64 ts;
	__u64 kstack; /* eager variants only */
	__u64 ufp;    /* fingerprint of the user registers that produced ustack */
	__u64 ustack; /* key in st_ustacks, or 0 */
	__u64 ran;    /* the task's se.sum_exec_runtime at switch-out */
	__u32 tgid;
	__u32 weight; /* 1 in N sampling in force when the interval started */
	__u16 state;
	__u16 flags;
	char comm[ST_COMM_LEN]; /* eager variants: the process name at switch-out */
	__u64 cgid;		/* cgroup v2 id at switch-out */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct start);
} starts_task SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, struct start);
} starts_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 32768);
	__type(key, struct offcpu_key);
	__type(value, struct offcpu_val);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct offcpu_cache);
} cache SEC(".maps");

static __always_inline __u16 state_class(__u32 state)
{
	if (state == 0)
		return OFFCPU_R;
	if (state & 0x0001) /* TASK_INTERRUPTIBLE */
		return OFFCPU_S;
	if ((state & 0x0002) && (state & 0x0400)) /* TASK_UNINTERRUPTIBLE | TASK_NOLOAD */
		return OFFCPU_I;
	if (state & 0x0002)
		return OFFCPU_D;
	return OFFCPU_OTHER;
}

/* tp_btf: the per-task state of @t, created (zeroed) if @create. */
static __always_inline struct start *start_of(struct task_struct *t, bool create)
{
	struct start zero = {};
	__u32 tid = t->pid;

	if (use_task_storage)
		return bpf_task_storage_get(&starts_task, t, 0,
					    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	return create ? st_lookup_or_init(&starts_hash, &tid, &zero)
		      : bpf_map_lookup_elem(&starts_hash, &tid);
}

/* The user registers at kernel entry (tp_btf variant), for the stack cache. */
struct uregs {
	__u64 fp; /* fingerprint: ip, sp, bp and the return address at bp; 0 = none */
	__u64 sp;
};

/*
 * Is the switch-out of the current task in @state one to record? The cheap
 * checks (state, filters, sampling) come before anything that reads memory.
 */
static __always_inline bool want_start(__u32 state, __u16 *cls, __u64 *now)
{
	__u64 id = bpf_get_current_pid_tgid();

	*cls = state_class(state);
	if (!(state_mask & (1u << *cls)) || !st_current_wanted(id >> 32, (__u32)id))
		return false;
	*now = bpf_ktime_get_ns();
	return st_admit(*now);
}

/*
 * Switch-out of the current task (admitted by want_start): remember when, in
 * which state, and its user stack (walked only when the user-register
 * fingerprint changed or is 0). @eager variants also unwind the kernel stack now.
 */
static __always_inline void fill_start(void *ctx, struct start *s, __u16 cls, __u64 now, __u64 ran,
				       bool kthread, bool eager, const struct uregs *ur)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	/* A reused tid (hash variant) must not inherit another process's stack. */
	if (s->tgid != tgid)
		s->ustack = 0;
	s->ts = now;
	s->ran = ran;
	s->cgid = bpf_get_current_cgroup_id();
	s->state = cls;
	s->tgid = tgid;
	s->weight = st_sample_n > 1 ? st_sample_n : 1;
	s->flags = kthread ? OFFCPU_F_KTHREAD : 0;
	s->kstack = 0;
	if (!stacks_enabled || !user_stacks || kthread) {
		s->ustack = 0;
		s->ufp = 0;
	} else if (!ur->fp || ur->fp != s->ufp || !s->ustack) {
		s->ustack = st_ustack_capture(ctx, ur->sp);
		s->ufp = ur->fp;
		/* Tell user space now, while the process surely still runs. */
		if (s->ustack)
			st_note_process(s->tgid);
	}
	if (eager && kernel_stacks && stacks_enabled)
		s->kstack = st_kstack_of_current(ctx);
}

static __always_inline bool key_eq(const struct offcpu_key *a, const struct offcpu_key *b)
{
	return a->tgid == b->tgid && a->state == b->state && a->flags == b->flags &&
	       a->ustack == b->ustack && a->kstack == b->kstack;
}

static __always_inline void flush_to_counts(const struct offcpu_cache_ent *e)
{
	struct offcpu_val *v = bpf_map_lookup_elem(&counts, &e->key);

	if (!v) {
		if (!bpf_map_update_elem(&counts, &e->key, &e->val, BPF_NOEXIST))
			return;
		v = bpf_map_lookup_elem(&counts, &e->key);
		if (!v) {
			st_drop(ST_DROP_MAP_FULL);
			return;
		}
	}
	__sync_fetch_and_add(&v->total_ns, e->val.total_ns);
	__sync_fetch_and_add(&v->count, e->val.count);
}

static __always_inline void account(const struct start *s, __u64 delta, __u64 kstack,
				    const char *comm_src)
{
	struct offcpu_cache_ent *e;
	struct offcpu_cache *c;
	struct offcpu_key key = {};
	__u32 zero = 0, idx;

	key.tgid = s->tgid;
	key.state = s->state;
	key.flags = s->flags;
	key.ustack = s->ustack;
	if (s->ustack)
		st_note_process(s->tgid);
	else if (user_stacks && stacks_enabled && !(s->flags & OFFCPU_F_KTHREAD))
		key.flags |= OFFCPU_F_NO_USTACK;
	if (delta < stack_min_ns || !stacks_enabled)
		key.flags |= OFFCPU_F_SHORT;
	else if (kernel_stacks && !(key.kstack = kstack))
		key.flags |= OFFCPU_F_NO_KSTACK;

	c = bpf_map_lookup_elem(&cache, &zero);
	if (!c)
		return;
	idx = (key.tgid * 0x9E3779B1u ^ (__u32)key.ustack * 31 ^ (__u32)key.kstack ^ key.state ^
	       (__u32)key.flags << 4) %
	      OFFCPU_CACHE_WAYS;
	e = &c->ent[idx];
	if (e->val.count && key_eq(&e->key, &key)) {
		e->val.total_ns += delta * s->weight;
		e->val.count += s->weight;
		return;
	}
	if (e->val.count)
		flush_to_counts(e);
	e->key = key;
	e->val.total_ns = delta * s->weight;
	e->val.count = s->weight;
	e->val.cgid = s->cgid;
	bpf_probe_read_kernel_str(e->val.comm, sizeof(e->val.comm), comm_src);
}

/* How long was @s off CPU, and is it in range? 0 = ignore. Consumes the start. */
static __always_inline __u64 interval(struct start *s, __u64 now)
{
	__u64 delta;

	if (!s->ts)
		return 0;
	delta = now - s->ts;
	s->ts = 0;
	if (delta < min_ns || delta > max_ns)
		return 0;
	return delta;
}

/*
 * A switch-in the tracepoint never reported: the task leaves the CPU again
 * with its start unconsumed (about one in 2,000 of a sleeping task's switches
 * on 6.18); st_missed_switch_in says when the interval ended. Its kernel stack
 * is the one taken at switch-out (@kstack, eager variants) or gone (0).
 * Callers check that @s is set.
 */
static __always_inline void recover_missed_in(struct start *s, __u64 ran_now, __u64 now,
					      __u64 kstack, const char *comm)
{
	__u64 delta = st_missed_switch_in(s->ts, s->ran, ran_now, now) - s->ts;

	s->ts = 0;
	if (delta < min_ns || delta > max_ns)
		return;
	s->flags |= OFFCPU_F_RECOVERED;
	account(s, delta, kstack, comm);
}

/*
 * The user registers saved at kernel entry, and the return address at bp: equal
 * fingerprints mean the task sleeps again from the same user-space call chain.
 */
static __always_inline void user_regs(struct task_struct *task, struct uregs *ur)
{
	struct pt_regs *regs;
	__u64 ip, bp, ret = 0;

	ur->fp = ur->sp = 0;
	if (!task->mm)
		return;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (!regs)
		return;
	ip = BPF_CORE_READ(regs, ip);
	ur->sp = BPF_CORE_READ(regs, sp);
	bp = BPF_CORE_READ(regs, bp);
	if (!ustack_cache)
		return;
	if (bp)
		bpf_probe_read_user(&ret, sizeof(ret), (void *)(bp + 8));
	ur->fp = ((ip * 0x9E3779B97F4A7C15ULL) ^ (ur->sp << 1) ^ (bp * 31) ^
		  (ret * 0xC2B2AE3D27D4EB4FULL)) |
		 1;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(offcpu_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u64 delta, kstack = 0;
	struct start *s;

	if (prev->pid) {
		__u64 now = 0;
		__u16 cls = 0;

		if (want_start(st_switch_state(ctx, prev), &cls, &now)) {
			s = start_of(prev, true);
			if (s) {
				/* put_prev_task brought the run time up to date */
				__u64 ran = prev->se.sum_exec_runtime;
				struct uregs ur;

				if (s->ts)
					recover_missed_in(s, ran, now, 0, prev->group_leader->comm);
				user_regs(prev, &ur);
				fill_start(ctx, s, cls, now, ran, !prev->mm, false, &ur);
			}
		} else {
			/* Not recorded now; a start left unconsumed still counts. */
			s = start_of(prev, false);
			if (s && s->ts)
				recover_missed_in(s, prev->se.sum_exec_runtime, bpf_ktime_get_ns(),
						  0, prev->group_leader->comm);
		}
	}
	if (!next->pid)
		return 0;
	s = start_of(next, false);
	if (!s)
		return 0;
	delta = interval(s, bpf_ktime_get_ns());
	if (!delta)
		return 0;
	if (kernel_stacks && stacks_enabled && delta >= stack_min_ns)
		kstack = st_kstack_of_task(next);
	account(s, delta, kstack, next->group_leader->comm);
	return 0;
}

static __always_inline int switch_by_pid(void *ctx, __u32 prev_pid, __u32 prev_state, bool kthread,
					 __u32 next_pid)
{
	struct uregs none = {};
	struct start s0 = {}, *s;
	__u64 delta, now = 0;
	__u16 cls = 0;

	if (prev_pid && want_start(prev_state, &cls, &now)) {
		struct task_struct *cur = (void *)bpf_get_current_task();
		__u64 ran = BPF_CORE_READ(cur, se.sum_exec_runtime);

		/* present only when its switch-in went unreported (deleted there) */
		s = bpf_map_lookup_elem(&starts_hash, &prev_pid);
		if (s && s->ts)
			recover_missed_in(s, ran, now, s->kstack, s->comm);
		fill_start(ctx, &s0, cls, now, ran, kthread, true, &none);
		BPF_CORE_READ_STR_INTO(&s0.comm, cur, group_leader, comm);
		bpf_map_update_elem(&starts_hash, &prev_pid, &s0, BPF_ANY);
	}
	if (!next_pid)
		return 0;
	s = bpf_map_lookup_elem(&starts_hash, &next_pid);
	if (!s)
		return 0;
	delta = interval(s, bpf_ktime_get_ns());
	if (delta)
		account(s, delta, s->kstack, s->comm);
	bpf_map_delete_elem(&starts_hash, &next_pid);
	return 0;
}

SEC("raw_tp/sched_switch")
int BPF_PROG(offcpu_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__u32 prev_pid = BPF_CORE_READ(prev, pid), next_pid = BPF_CORE_READ(next, pid);

	return switch_by_pid(ctx, prev_pid, st_switch_state(ctx, prev), !BPF_CORE_READ(prev, mm),
			     next_pid);
}

SEC("tracepoint/sched/sched_switch")
int offcpu_switch_tp(struct trace_event_raw_sched_switch *ctx)
{
	struct task_struct *cur = (void *)bpf_get_current_task();
	__u32 state = (__u32)ctx->prev_state;

	/* The tracepoint reports TASK_REPORT bits: idle is 0x80, not NOLOAD. */
	if (state & 0x80)
		state = 0x0402;
	return switch_by_pid(ctx, ctx->prev_pid, state, !BPF_CORE_READ(cur, mm), ctx->next_pid);
}
