/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every CO-RE fallback for kernel drift lives here, each naming the kernel
 * change that made it necessary. Tracers never test kernel versions.
 */
#ifndef ST_CORE_FIXES_BPF_H
#define ST_CORE_FIXES_BPF_H

#include <bpf/bpf_core_read.h>

/*
 * Kernel 5.14, commit 2f064a59a11f ("sched: Change task_struct::state"):
 * task_struct::state became __state (unsigned int).
 */
struct task_struct___o {
	volatile long int state;
} __attribute__((preserve_access_index));

struct task_struct___x {
	unsigned int __state;
} __attribute__((preserve_access_index));

static __always_inline __u32 st_task_state(void *task)
{
	struct task_struct___x *t = task;

	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return (__u32)BPF_CORE_READ((struct task_struct___o *)task, state);
}

/*
 * Kernel 5.18, commit fa2c3254d7cf ("sched/tracing: Don't re-read p->state
 * when emitting sched_switch event"): the tracepoint passes prev_state, because
 * prev->__state read there races with a remote wake-up that has already set it
 * to TASK_WAKING or TASK_RUNNING: a sleep then reads as a preemption. User
 * space sets this from the tracepoint's BTF prototype (switch_prev_state);
 * where it is false, the dead branch (a fifth argument the kernel lacks) is
 * never verified.
 */
const volatile bool st_switch_prev_state = false;

/* The state @prev left the CPU in, in a tp_btf or raw_tp sched_switch program. */
static __always_inline __u32 st_switch_state(const __u64 *ctx, void *prev)
{
	if (st_switch_prev_state)
		return (__u32)ctx[3];
	return st_task_state(prev);
}

/*
 * Kernel 5.19, commit f3fa33acca9f ("block: remove the ->rq_disk field in struct
 * request"): the disk of a request is now rq->q->disk.
 */
struct request___x {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

static __always_inline struct gendisk *st_rq_disk(struct request *rq)
{
	struct request___x *r = (void *)rq;

	if (bpf_core_field_exists(r->rq_disk))
		return BPF_CORE_READ(r, rq_disk);
	return BPF_CORE_READ(rq, q, disk);
}

#endif
