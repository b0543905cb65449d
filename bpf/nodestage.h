/* SPDX-License-Identifier: GPL-2.0 */
/* nodestage: types shared by bpf/nodestage.bpf.c and user space. */
#ifndef ST_NODESTAGE_H
#define ST_NODESTAGE_H

#include "common.h"

#define NS_ARGS_LEN  1024 /* argv bytes kept per exec (NUL-separated; power of two) */
#define NS_ROOT_PATS 6
#define NS_HELPERS   6

enum ns_role {
	NS_ROLE_OP = 1,	    /* in a CSI node plugin's process tree */
	NS_ROLE_HELPER = 2, /* iscsid, multipathd, udev: works for operations */
};

/* Record types on the events ring buffer (after iolat.h's 1 and 2). */
enum ns_event_type {
	NS_EV_EXEC = 10,
	NS_EV_EXIT = 11,
	NS_EV_OFF = 12,	   /* one off-CPU interval of a tracked thread */
	NS_EV_SAMPLE = 13, /* one on-CPU sample of a tracked thread */
	NS_EV_FORK = 14,
	NS_EV_CALL = 15,      /* --uprobe: the traced function was entered or returned */
	NS_EV_OFF_BEGIN = 16, /* a plugin thread went off CPU (its NS_EV_OFF follows) */
};

struct ns_off_begin {
	__u32 type;
	__u32 pid, tid, root;
	__u64 t_off;
	__u32 flags;
	__u32 syscall;
};

struct ns_call {
	__u32 type;
	__u32 pid, tid;
	__u8 begin, pad[3];
	__u64 key; /* goroutine (Go: R14) or thread */
	__u64 t;
};

enum ns_off_flags {
	NS_OFF_TIMER = 1 << 0,	 /* ended by its own timer: a deliberate sleep or timeout */
	NS_OFF_PREEMPT = 1 << 1, /* runnable: waited for a CPU */
	NS_OFF_IO = 1 << 2,	 /* uninterruptible (D) */
};

struct ns_exec {
	__u32 type;
	__u32 pid, ppid, root;
	__u8 role, pad[3];
	__u32 args_len;
	__u64 t;
	char comm[ST_COMM_LEN];
	char args[NS_ARGS_LEN];
};

struct ns_fork {
	__u32 type;
	__u32 tid, tgid, ppid, root;
	__u32 pad;
	__u64 t;
};

struct ns_exit {
	__u32 type;
	__u32 pid, tid, root;
	__s32 code;
	__u8 leader, pad[3];
	__u64 t;
	__u64 utime_ns, stime_ns;
};

struct ns_off {
	__u32 type;
	__u32 pid, tid, root;
	__u64 t_off, t_on;
	__u64 ustack; /* st_ustacks key, 0 = none */
	__u64 kstack; /* ns_kstacks key, 0 = none */
	__u32 flags;
	__u32 syscall; /* syscall number it slept in, ~0 = none */
	__u32 waker;   /* tid that woke it, 0 = unknown/interrupt */
	__u32 pad;
};

struct ns_sample {
	__u32 type;
	__u32 pid, tid, root;
	__u64 t;
	__u64 ustack;
	__s32 kstack; /* ns_skstacks id, -1 = none */
	__u8 user_mode, pad[3];
};

#endif
