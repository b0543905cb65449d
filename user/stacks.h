/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stack frames for reports: BPF stack traces (leaf first) turned into frame
 * names (root first) with kernel frames prefixed "[k] " and the tracer's own
 * frames removed. Strings live in an arena until st_stacks__free.
 */
#ifndef ST_STACKS_H
#define ST_STACKS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct st_stacks;

struct st_stacks *st_stacks__new(void);
void st_stacks__free(struct st_stacks *s);
/* Cache what is needed to symbolize @pid later (call at exec / first sight). */
void st_stacks__note_pid(struct st_stacks *s, pid_t pid);
void st_stacks__forget_pid(struct st_stacks *s, pid_t pid);
struct st_ustack;

/* Frames root first into out[0..max); returns the number written. */
int st_stacks__user(struct st_stacks *s, pid_t pid, const uint64_t *ips, int n, const char **out,
		    int max);
/* A recorded user stack (FP chain plus stack window): recovers hidden callers. */
int st_stacks__ustack(struct st_stacks *s, pid_t pid, const struct st_ustack *u, const char **out,
		      int max);
/*
 * Ring-buffer callback for struct st_proc_event (ctx: the st_stacks): forget a
 * process at exec, (re)read its mappings when it is seen.
 */
int st_stacks__on_proc_event(void *ctx, void *data, size_t len);
/* Re-read a live process's mappings (libraries loaded since the first look). */
void st_stacks__refresh_pid(struct st_stacks *s, pid_t pid);
int st_stacks__kernel(struct st_stacks *s, const uint64_t *ips, int n, const char **out, int max);
/* A copy of @str owned by the arena. */
const char *st_stacks__intern(struct st_stacks *s, const char *str);

#endif
