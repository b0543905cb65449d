/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User stacks as the BPF side records them: the frame-pointer chain plus a few
 * words from the top of the user stack. Code built without frame pointers
 * (Debian's glibc) hides the caller of a leaf library function from the FP
 * walk; user space recovers it by finding return addresses among these words.
 * Only words that fall in the address range of the FP chain's code are kept:
 * never stack data (see docs/safety.md).
 */
#ifndef ST_USTACK_H
#define ST_USTACK_H

#include "common.h"

#define ST_USTACK_WIN 32

struct st_ustack {
	__u32 nr;   /* frames in ips (leaf first) */
	__u32 nwin; /* words in win, from the user sp upward; 0 = none read */
	__u64 sp;   /* user sp the window starts at */
	__u64 ips[ST_MAX_STACK];
	__u64 win[ST_USTACK_WIN]; /* code-range words only; others zeroed */
};

/* Kernel stacks interned by a hash of their frames (any task, not only current). */
struct st_kstack {
	__u32 nr;
	__u32 pad;
	__u64 ips[ST_MAX_STACK];
};

#endif
