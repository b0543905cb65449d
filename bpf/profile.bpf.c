// SPDX-License-Identifier: GPL-2.0
/*
 * profile: on-CPU sampling by stack. A perf event per CPU (hardware cycles where
 * the CPU has a PMU, else the software cpu-clock) runs this program; samples are
 * counted in the kernel per (process, user stack, kernel stack).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "common.bpf.h"
#include "profile.h"
#include "ustack.bpf.h"

char LICENSE[] SEC("license") = "GPL";

const volatile bool user_stacks = true;
const volatile bool kernel_stacks = true;
/* Cleared at run time by the overhead budget: samples still counted, per process. */
bool stacks_enabled = true;
const volatile bool include_idle = false;

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, ST_MAX_STACK * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, struct profile_key);
	__type(value, struct profile_val);
} counts SEC(".maps");

static __always_inline __s32 stack_id(void *ctx, __u64 flags, enum st_drop missing)
{
	long id = bpf_get_stackid(ctx, &stacks, flags);

	if (id == -17 /* -EEXIST: the bucket holds another stack */)
		st_drop(ST_DROP_STACK_COLLISION);
	else if (id < 0)
		st_drop(missing);
	return id < 0 ? -1 : (__s32)id;
}

/* The user sp: from the sample when it hit user mode, else saved at kernel entry. */
static __always_inline __u64 user_sp(struct bpf_perf_event_data *ctx)
{
	struct pt_regs *regs;

	if (st_pe_user_mode(ctx))
		return st_pe_sp(ctx);
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	return regs ? BPF_CORE_READ(regs, sp) : 0;
}

SEC("perf_event")
int profile_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct task_struct *task = (void *)bpf_get_current_task();
	struct profile_key key = {};
	struct profile_val *v, init = {};
	__u32 tid = (__u32)id;

	if ((!tid && !include_idle) || !st_current_wanted(id >> 32, tid) ||
	    !st_admit(bpf_ktime_get_ns()))
		return 0;
	key.tgid = id >> 32;
	key.kstack = -1;
	if (!BPF_CORE_READ(task, mm))
		key.flags |= PROFILE_F_KTHREAD;
	if (!stacks_enabled)
		key.flags |= PROFILE_F_NO_STACKS;
	else if (!(key.flags & PROFILE_F_KTHREAD) && user_stacks &&
		 !(key.ustack = st_ustack_capture(ctx, user_sp(ctx))))
		key.flags |= PROFILE_F_NO_USTACK;
	/* A sample taken in user mode has no kernel stack: that is not a loss. */
	if (stacks_enabled && kernel_stacks && !st_pe_user_mode(ctx) &&
	    (key.kstack = stack_id(ctx, 0, ST_DROP_STACK_KERNEL)) < 0)
		key.flags |= PROFILE_F_NO_KSTACK;
	if (key.ustack)
		st_note_process(key.tgid);
	v = bpf_map_lookup_elem(&counts, &key);
	if (v) {
		__sync_fetch_and_add(&v->samples, st_sample_n > 1 ? st_sample_n : 1);
		return 0;
	}
	init.samples = st_sample_n > 1 ? st_sample_n : 1;
	init.cgid = bpf_get_current_cgroup_id();
	BPF_CORE_READ_STR_INTO(&init.comm, task, group_leader, comm);
	if (bpf_map_update_elem(&counts, &key, &init, BPF_NOEXIST)) {
		v = bpf_map_lookup_elem(&counts, &key);
		if (v)
			__sync_fetch_and_add(&v->samples, init.samples);
		else
			st_drop(ST_DROP_MAP_FULL);
	}
	return 0;
}
