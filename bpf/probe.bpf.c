// SPDX-License-Identifier: GPL-2.0
/*
 * Feature probes: one trivial program per attach kind. User space loads and
 * attaches them one at a time (all others set to autoload=false) to learn what
 * this kernel really accepts, instead of guessing from version numbers.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

__u64 hits[16];

enum { P_TP, P_RAW_TP, P_TP_BTF, P_FENTRY, P_KPROBE, P_KPROBE_MULTI, P_UPROBE, P_PERF, P_STACK };

SEC("tracepoint/sched/sched_process_fork")
int probe_tracepoint(void *ctx)
{
	__sync_fetch_and_add(&hits[P_TP], 1);
	return 0;
}

SEC("raw_tp/sched_process_fork")
int probe_raw_tp(void *ctx)
{
	__sync_fetch_and_add(&hits[P_RAW_TP], 1);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int probe_tp_btf(void *ctx)
{
	__sync_fetch_and_add(&hits[P_TP_BTF], 1);
	return 0;
}

/*
 * fentry and kprobes are attached by user space to a cold function
 * (bpf_fentry_test1, called only by BPF_PROG_TEST_RUN; vfs_read where it is
 * missing): patching the entry of a function other CPUs are running is the
 * riskiest thing a probe does, so the probe does it where nobody runs.
 */
SEC("fentry")
int probe_fentry(void *ctx)
{
	__sync_fetch_and_add(&hits[P_FENTRY], 1);
	return 0;
}

SEC("kprobe")
int probe_kprobe(void *ctx)
{
	__sync_fetch_and_add(&hits[P_KPROBE], 1);
	return 0;
}

SEC("kprobe.multi")
int probe_kprobe_multi(void *ctx)
{
	__sync_fetch_and_add(&hits[P_KPROBE_MULTI], 1);
	return 0;
}

SEC("uprobe")
int probe_uprobe(void *ctx)
{
	__sync_fetch_and_add(&hits[P_UPROBE], 1);
	return 0;
}

SEC("perf_event")
int probe_perf_event(void *ctx)
{
	__sync_fetch_and_add(&hits[P_PERF], 1);
	return 0;
}

SEC("tracepoint/sched/sched_process_fork")
int probe_get_stack(void *ctx)
{
	__u64 ips[8];

	if (bpf_get_stack(ctx, ips, sizeof(ips), 0) > 0)
		__sync_fetch_and_add(&hits[P_STACK], 1);
	return 0;
}
