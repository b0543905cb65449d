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
