/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recover the frames a frame-pointer walk misses: a leaf function in code built
 * without frame pointers (e.g. glibc's syscall wrappers) hides its caller. The
 * BPF side keeps up to ST_USTACK_WIN code-like words from the top of the user
 * stack; the ones that are return addresses (validated as call sites) are the
 * missing frames, in order from the leaf outward.
 */
#ifndef ST_USTACK_RECOVER_H
#define ST_USTACK_RECOVER_H

#include "ustack.h"

#include <stdbool.h>
#include <stdint.h>

typedef bool (*st_is_call_site_fn)(void *ctx, uint64_t ret_addr);

/*
 * Leaf-first addresses: ips[0], the recovered return addresses, then ips[1..].
 * Window words equal to a frame already in the chain end the scan (the FP walk
 * takes over from there). Returns the number written to out[0..max).
 */
int st_ustack_recover(const struct st_ustack *u, st_is_call_site_fn is_call_site, void *ctx,
		      uint64_t *out, int max);

#endif
