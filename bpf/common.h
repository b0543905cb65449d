/* SPDX-License-Identifier: GPL-2.0 */
/* Types shared by every tracer's BPF side and user space. No kernel types here. */
#ifndef ST_COMMON_H
#define ST_COMMON_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define ST_COMM_LEN  16
#define ST_MAX_STACK 127 /* frames per stack, the kernel's limit for bpf_get_stack */
#define ST_TREE_MAX  16384

/*
 * Exact counters of everything the BPF side did not record, per CPU, summed by
 * user space and printed in every report.
 */
enum st_drop {
	ST_DROP_RINGBUF_FULL,	 /* event lost: ring buffer full */
	ST_DROP_MAP_FULL,	 /* aggregation or in-flight map full */
	ST_DROP_RATE_LIMIT,	 /* --max-events-per-sec token bucket empty */
	ST_DROP_SAMPLED_OUT,	 /* skipped by --sample N (expected, not a loss) */
	ST_DROP_STACK_USER,	 /* user stack could not be read (counted, event kept) */
	ST_DROP_STACK_KERNEL,	 /* kernel stack could not be read (event kept) */
	ST_DROP_STACK_COLLISION, /* stack map bucket taken by another stack */
	ST_DROP_TREE_FULL,	 /* process-tree map full: a descendant is not followed */
	ST_DROP_INFLIGHT_LOST,	 /* a start timestamp was evicted before its end */
	ST_DROP__NR,
};

/* Process notices on the st_events ring buffer: symbolize while it lives. */
enum st_event_type {
	ST_EV_PROC_SEEN = 1, /* first stack-bearing event of this process */
	ST_EV_PROC_EXEC = 2, /* the process image changed */
};

struct st_proc_event {
	__u32 type;
	__u32 tgid;
};

#endif
