/* SPDX-License-Identifier: GPL-2.0 */
/* profile: types shared by bpf/profile.bpf.c and user/profile.c. */
#ifndef ST_PROFILE_H
#define ST_PROFILE_H

#include "common.h"

struct profile_key {
	__u32 tgid;
	__s32 kstack; /* stack map id, or -1 */
	__u64 ustack; /* key in st_ustacks, or 0 */
	__u32 flags;  /* PROFILE_F_* */
	__u32 pad;
};

enum profile_flags {
	PROFILE_F_KTHREAD = 1 << 0,
	PROFILE_F_NO_USTACK = 1 << 1,
	PROFILE_F_NO_KSTACK = 1 << 2,
	PROFILE_F_NO_STACKS = 1 << 3, /* stack capture stopped by the overhead budget */
};

struct profile_val {
	__u64 samples;
	__u64 cgid; /* cgroup v2 id at the first sample (pods, containers: k8s.h) */
	char comm[ST_COMM_LEN];
};

#endif
