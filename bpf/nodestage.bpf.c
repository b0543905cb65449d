// SPDX-License-Identifier: GPL-2.0
/*
 * nodestage: everything a CSI NodeStage operation does on this node, as events
 * for user/nsmodel.c to cut into operations and phases:
 * - process tree of CSI node plugins (comm matching a pattern, -p, or -- CMD)
 *   and storage helpers (iscsid, multipathd, udev): exec (with argv, secrets
 *   removed in the kernel), fork, exit (with utime/stime);
 * - every off-CPU interval of their threads, with its state, the syscall it
 *   slept in, whether its own timer ended it (a deliberate sleep or timeout),
 *   the waker, and its stacks (kernel stack unwound at switch-in, >= 1 ms);
 * - on-CPU samples of their threads (perf_event), with stacks;
 * - block I/O timelines and storage socket exchanges (storage.bpf.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "common.bpf.h"
#include "storage.bpf.h"
#include "nodestage.h"

char LICENSE[] SEC("license") = "GPL";

/* Substrings of a CSI node plugin's task name ("csi" matches scale-csi-node). */
const volatile char root_pats[NS_ROOT_PATS][ST_COMM_LEN];
const volatile __u32 n_root_pats = 0;
/* Exact task names of helpers. */
const volatile char helpers[NS_HELPERS][ST_COMM_LEN];
const volatile __u32 n_helpers = 0;
const volatile bool explicit_roots = false; /* -p / -- CMD: only those trees */
const volatile __u64 kstack_min_ns = 1000000;
const volatile bool uprobe_go = false; /* --uprobe on Go code: key calls by goroutine */

/* Set by user space while an operation is open: helpers only matter then. */
__u32 ops_open = 0;

extern const void hrtimer_wakeup __ksym __weak;
extern const void it_real_fn __ksym __weak;

struct ns_task {
	__u32 root; /* tgid of the operation root, 0 for helpers */
	__u8 role;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32); /* tid */
	__type(value, struct ns_task);
} ns_tasks SEC(".maps");

struct ns_thread {
	__u64 t_off;
	__u64 ran; /* se.sum_exec_runtime at t_off */
	__u64 ustack, ufp;
	__u32 syscall;
	__u32 waker;
	__u16 state;
};

/*
 * Per tracked thread, by tid: a preallocated hash, not task storage, because
 * it is created in sched_switch, under the run-queue lock, where task storage
 * that allocates with kmalloc (6.1) can deadlock. Bounded like ns_tasks: only
 * tracked threads get an entry, and it goes when the thread exits.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32); /* tid */
	__type(value, struct ns_thread);
} ns_threads SEC(".maps");

static __always_inline struct ns_thread *thread_of(__u32 tid, bool create)
{
	struct ns_thread zero = {};

	return create ? st_lookup_or_init(&ns_threads, &tid, &zero)
		      : bpf_map_lookup_elem(&ns_threads, &tid);
}

/*
 * When a thread's own sleep timer fired (hrtimer sleepers: nanosleep, poll,
 * select, epoll and futex timeouts), by tid: the timer callback only has an
 * untrusted task pointer, which task storage does not take on every kernel.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} ns_timer_fired SEC(".maps");

/* SIGALRM (ITIMER_REAL) delivery time per process: `read -t`, alarm()-based sleeps. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} ns_alarms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 4096);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, ST_MAX_STACK * sizeof(__u64));
} ns_skstacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ns_exec);
} ns_exec_scratch SEC(".maps");

static __always_inline struct ns_task *task_of(__u32 tid)
{
	return bpf_map_lookup_elem(&ns_tasks, &tid);
}

/* Helpers are only worth their events while an operation is open. */
static __always_inline bool emits(const struct ns_task *t)
{
	return t && (t->role == NS_ROLE_OP || ops_open);
}

/* @pat in @comm, but not "csi" inside "iscsi" (iscsid, iscsiadm are not plugins). */
static __always_inline bool comm_has(const char *comm, const volatile char *pat)
{
	int i, j;

	for (i = 0; i < ST_COMM_LEN; i++) {
		if (!comm[i])
			return false;
		if (i >= 2 && comm[i - 2] == 'i' && comm[i - 1] == 's' && pat[0] == 'c')
			continue;
		for (j = 0; j < ST_COMM_LEN; j++) {
			if (!pat[j])
				return true;
			if (i + j >= ST_COMM_LEN || comm[i + j] != pat[j])
				break;
		}
	}
	return false;
}

static __always_inline bool comm_is(const char *comm, const volatile char *name)
{
	int i;

	for (i = 0; i < ST_COMM_LEN; i++) {
		if (comm[i] != name[i])
			return false;
		if (!comm[i])
			return true;
	}
	return true;
}

/* A task that just exec'd: a new root or helper? (role 0 = neither) */
static __always_inline __u8 classify(const char *comm)
{
	__u32 i;

	if (!explicit_roots)
		for (i = 0; i < NS_ROOT_PATS && i < n_root_pats; i++)
			if (comm_has(comm, root_pats[i]))
				return NS_ROLE_OP;
	for (i = 0; i < NS_HELPERS && i < n_helpers; i++)
		if (comm_is(comm, helpers[i]))
			return NS_ROLE_HELPER;
	return 0;
}

/* ---- process tree ------------------------------------------------------------ */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(ns_fork, struct task_struct *parent, struct task_struct *child)
{
	struct ns_task *p = task_of(parent->pid), c;
	__u32 tid = child->pid;
	struct ns_fork *e;

	if (!p)
		return 0;
	c = *p;
	bpf_map_update_elem(&ns_tasks, &tid, &c, BPF_ANY);
	bpf_map_delete_elem(&ns_threads, &tid); /* a reused tid starts clean */
	if (c.role != NS_ROLE_OP)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		st_drop(ST_DROP_RINGBUF_FULL);
		return 0;
	}
	e->type = NS_EV_FORK;
	e->tid = tid;
	e->tgid = child->tgid;
	e->ppid = parent->tgid;
	e->root = c.root;
	e->t = bpf_ktime_get_ns();
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * argv of the current task, NUL-separated. Everything after an argument that
 * names a password or secret (iscsiadm -n node.session.auth.password -v X) is
 * zeroed here, so CHAP secrets never leave the kernel.
 */
static __always_inline __u32 read_args(struct ns_exec *e)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	unsigned long start = BPF_CORE_READ(task, mm, arg_start);
	unsigned long end = BPF_CORE_READ(task, mm, arg_end);
	__u32 len = end > start ? end - start : 0;
	int i, cut = -1;

	if (len > NS_ARGS_LEN - 1)
		len = NS_ARGS_LEN - 1;
	/* A mask the verifier keeps through 32-bit moves (6.1 loses a compare bound). */
	len &= NS_ARGS_LEN - 1;
	if (!len || bpf_probe_read_user(e->args, len, (void *)start))
		return 0;
	for (i = 0; i + 6 < NS_ARGS_LEN; i++) {
		char a = e->args[i], b = e->args[i + 1];

		if (i >= (int)len)
			break;
		if ((a == 'p' && b == 'a' && e->args[i + 2] == 's' && e->args[i + 3] == 's' &&
		     e->args[i + 4] == 'w') ||
		    (a == 's' && b == 'e' && e->args[i + 2] == 'c' && e->args[i + 3] == 'r' &&
		     e->args[i + 4] == 'e' && e->args[i + 5] == 't')) {
			cut = i;
			break;
		}
	}
	if (cut >= 0) {
		/* Keep the key itself ("...password"), drop everything after it. */
		for (i = cut; i < NS_ARGS_LEN; i++) {
			if (!e->args[i])
				break;
		}
		len = i < NS_ARGS_LEN ? i + 1 : NS_ARGS_LEN;
	}
	return len;
}

SEC("tracepoint/sched/sched_process_exec")
int ns_exec(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, tgid = id >> 32, zero = 0;
	struct ns_task *t = task_of(tid), nt = {};
	struct task_struct *task;
	struct ns_exec *e;
	char comm[ST_COMM_LEN];

	bpf_get_current_comm(comm, sizeof(comm));
	if (!t) {
		nt.role = classify(comm);
		if (!nt.role)
			return 0;
		nt.root = nt.role == NS_ROLE_OP ? tgid : 0;
		bpf_map_update_elem(&ns_tasks, &tid, &nt, BPF_ANY);
		t = task_of(tid);
		if (!t)
			return 0;
	}
	if (t->role != NS_ROLE_OP)
		return 0;
	e = bpf_map_lookup_elem(&ns_exec_scratch, &zero);
	if (!e)
		return 0;
	task = (void *)bpf_get_current_task();
	e->type = NS_EV_EXEC;
	e->pid = tgid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->root = t->root;
	e->role = t->role;
	e->t = bpf_ktime_get_ns();
	__builtin_memcpy(e->comm, comm, sizeof(comm));
	e->args_len = read_args(e);
	if (bpf_ringbuf_output(&events, e, sizeof(*e), 0))
		st_drop(ST_DROP_RINGBUF_FULL);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int ns_exit(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct ns_task *t = task_of(tid);
	struct task_struct *task;
	struct ns_exit *e;

	if (!t)
		return 0;
	if (t->role == NS_ROLE_OP && (e = bpf_ringbuf_reserve(&events, sizeof(*e), 0))) {
		task = (void *)bpf_get_current_task();
		e->type = NS_EV_EXIT;
		e->pid = id >> 32;
		e->tid = tid;
		e->root = t->root;
		e->leader = e->pid == tid;
		e->code = BPF_CORE_READ(task, exit_code);
		e->utime_ns = BPF_CORE_READ(task, utime);
		e->stime_ns = BPF_CORE_READ(task, stime);
		e->t = bpf_ktime_get_ns();
		bpf_ringbuf_submit(e, 0);
	} else if (t->role == NS_ROLE_OP) {
		st_drop(ST_DROP_RINGBUF_FULL);
	}
	bpf_map_delete_elem(&ns_tasks, &tid);
	bpf_map_delete_elem(&ns_threads, &tid);
	return 0;
}

/* ---- off-CPU intervals ------------------------------------------------------------ */

static __always_inline __u16 off_flags(__u32 state)
{
	if (state == 0)
		return NS_OFF_PREEMPT;
	if ((state & 0x0002) && !(state & 0x0400))
		return NS_OFF_IO;
	return 0;
}

/* Plugin threads announce a sleep when it starts, so one still going is known. */
static __always_inline void announce(struct task_struct *prev, const struct ns_task *t,
				     const struct ns_thread *th)
{
	struct ns_off_begin *e;

	if (t->role != NS_ROLE_OP)
		return;
	e = st_bulk_reserve(&events, sizeof(*e));
	if (!e) {
		st_drop(ST_DROP_RINGBUF_FULL);
		return;
	}
	e->type = NS_EV_OFF_BEGIN;
	e->pid = prev->tgid;
	e->tid = prev->pid;
	e->root = t->root;
	e->t_off = th->t_off;
	e->flags = th->state;
	e->syscall = th->syscall;
	st_bulk_submit(&events, e);
}

/*
 * The off-CPU interval of @th that ended at @t_on: to the ring, with its kernel
 * stack @kstack (0: none), marked when a timer of its own ended it.
 */
static __always_inline void emit_off(struct ns_thread *th, const struct ns_task *t, __u32 tgid,
				     __u32 tid, __u64 t_on, __u64 kstack)
{
	__u64 *alarm, *fired;
	struct ns_off *e;

	e = st_bulk_reserve(&events, sizeof(*e));
	if (!e) {
		st_drop(ST_DROP_RINGBUF_FULL);
		th->t_off = 0;
		return;
	}
	e->type = NS_EV_OFF;
	e->pid = tgid;
	e->tid = tid;
	e->root = t->root;
	e->t_off = th->t_off;
	e->t_on = t_on;
	e->flags = th->state;
	e->syscall = th->syscall;
	e->waker = th->waker;
	e->ustack = th->ustack;
	e->kstack = kstack;
	alarm = bpf_map_lookup_elem(&ns_alarms, &tgid);
	fired = bpf_map_lookup_elem(&ns_timer_fired, &tid);
	if ((fired && *fired >= th->t_off && *fired <= t_on) ||
	    (alarm && *alarm >= th->t_off && *alarm <= t_on))
		e->flags |= NS_OFF_TIMER;
	st_bulk_submit(&events, e);
	if (th->ustack)
		st_note_process(tgid);
	th->t_off = 0;
}

static __always_inline void switch_out(__u64 *ctx, struct task_struct *prev,
				       const struct ns_task *t)
{
	struct ns_thread *th;
	struct pt_regs *regs;
	__u64 ip, sp, bp, fp, now, ran;

	th = thread_of(prev->pid, true);
	if (!th)
		return;
	now = bpf_ktime_get_ns();
	ran = prev->se.sum_exec_runtime;
	/* an interval whose switch-in the tracepoint never reported; no stack */
	if (th->t_off)
		emit_off(th, t, prev->tgid, prev->pid,
			 st_missed_switch_in(th->t_off, th->ran, ran, now), 0);
	th->t_off = now;
	th->ran = ran;
	th->state = off_flags(st_switch_state(ctx, prev));
	th->waker = 0;
	th->syscall = ~0U;
	regs = prev->mm ? (struct pt_regs *)bpf_task_pt_regs(prev) : NULL;
	if (regs)
		th->syscall = (__u32)BPF_CORE_READ(regs, orig_ax);
	announce(prev, t, th);
	if (!regs)
		return;
	ip = BPF_CORE_READ(regs, ip);
	sp = BPF_CORE_READ(regs, sp);
	bp = BPF_CORE_READ(regs, bp);
	fp = ((ip * 0x9E3779B97F4A7C15ULL) ^ (sp << 1) ^ (bp * 31)) | 1;
	if (fp != th->ufp || !th->ustack) {
		th->ustack = st_ustack_capture(ctx, sp);
		th->ufp = fp;
	}
}

static __always_inline void switch_in(struct task_struct *next, const struct ns_task *t)
{
	struct ns_thread *th = thread_of(next->pid, false);
	__u64 now;

	if (!th || !th->t_off)
		return;
	now = bpf_ktime_get_ns();
	emit_off(th, t, next->tgid, next->pid, now,
		 now - th->t_off >= kstack_min_ns ? st_kstack_of_task(next) : 0);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(ns_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct ns_task *t = task_of(prev->pid);

	if (t && emits(t))
		switch_out(ctx, prev, t);
	t = task_of(next->pid);
	if (t && emits(t))
		switch_in(next, t);
	return 0;
}

/* Who woke a tracked thread (a helper, a kworker, 0 for interrupts). */
SEC("tp_btf/sched_wakeup")
int BPF_PROG(ns_wakeup, struct task_struct *p)
{
	struct ns_thread *th;

	if (!task_of(p->pid))
		return 0;
	th = thread_of(p->pid, false);
	if (th && th->t_off && !th->waker)
		th->waker = bpf_get_current_pid_tgid();
	return 0;
}

/* A sleep's own timer expired (nanosleep, poll/select/epoll/futex timeouts). */
SEC("tp_btf/hrtimer_expire_entry")
int BPF_PROG(ns_hrtimer, struct hrtimer *timer)
{
	void *fn = BPF_CORE_READ(timer, function);
	struct task_struct *task;

	if (fn == &hrtimer_wakeup && &hrtimer_wakeup) {
		__u32 tid;
		__u64 now;

		task = BPF_CORE_READ(container_of(timer, struct hrtimer_sleeper, timer), task);
		tid = task ? BPF_CORE_READ(task, pid) : 0;
		if (!tid || !task_of(tid))
			return 0;
		now = bpf_ktime_get_ns();
		bpf_map_update_elem(&ns_timer_fired, &tid, &now, BPF_ANY);
	} else if (fn == &it_real_fn && &it_real_fn) {
		struct signal_struct *sig = container_of(timer, struct signal_struct, real_timer);
		__u32 tgid = BPF_CORE_READ(sig, pids[PIDTYPE_TGID], numbers[0].nr);
		__u64 now = bpf_ktime_get_ns();

		if (task_of(tgid))
			bpf_map_update_elem(&ns_alarms, &tgid, &now, BPF_ANY);
	}
	return 0;
}

/* ---- on-CPU samples ------------------------------------------------------------------ */

SEC("perf_event")
int ns_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct ns_task *t = task_of((__u32)id);
	struct task_struct *task;
	struct pt_regs *regs;
	struct ns_sample *e;

	if (!t || !emits(t))
		return 0;
	e = st_bulk_reserve(&events, sizeof(*e));
	if (!e) {
		st_drop(ST_DROP_RINGBUF_FULL);
		return 0;
	}
	e->type = NS_EV_SAMPLE;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->root = t->root;
	e->t = bpf_ktime_get_ns();
	e->user_mode = st_pe_user_mode(ctx);
	e->kstack = e->user_mode ? -1 : bpf_get_stackid(ctx, &ns_skstacks, 0);
	e->ustack = 0;
	task = bpf_get_current_task_btf();
	if (task->mm) {
		regs = (struct pt_regs *)bpf_task_pt_regs(task);
		e->ustack =
		    st_ustack_capture(ctx, e->user_mode ? st_pe_sp(ctx) : BPF_CORE_READ(regs, sp));
	}
	st_bulk_submit(&events, e);
	return 0;
}

/* ---- --uprobe: one operation per call of a function ------------------------------ */

static __always_inline int on_call(struct pt_regs *ctx, bool begin)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct ns_task nt = { .root = id >> 32, .role = NS_ROLE_OP };
	struct ns_call *e;

	if (begin && !task_of(tid))
		bpf_map_update_elem(&ns_tasks, &tid, &nt, BPF_ANY);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		st_drop(ST_DROP_RINGBUF_FULL);
		return 0;
	}
	e->type = NS_EV_CALL;
	e->pid = id >> 32;
	e->tid = tid;
	e->begin = begin;
	/* Go (ABIInternal, amd64) keeps the current goroutine in R14 across the call. */
	e->key = uprobe_go ? BPF_CORE_READ(ctx, r14) : tid;
	e->t = bpf_ktime_get_ns();
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("uprobe")
int ns_call_entry(struct pt_regs *ctx)
{
	return on_call(ctx, true);
}

SEC("uprobe")
int ns_call_ret(struct pt_regs *ctx)
{
	return on_call(ctx, false);
}
