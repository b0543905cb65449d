/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stack frames for reports: BPF stack traces (leaf first) turned into frame
 * names (root first) with kernel frames prefixed "[k] " and the tracer's own
 * frames removed. Strings live in an arena until st_stacks__free.
 */
#ifndef ST_STACKS_H
#define ST_STACKS_H

#include <stdbool.h>
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
 * Consume the st_proc_event ring @ring_fd on a thread of its own (forget a
 * process at exec, read its mappings when it is seen), so reading a new
 * program's maps and ELF files never stalls the consumer of the event ring.
 * The other st_stacks__ calls may then come from one other thread (they share
 * the symbol cache under a lock; the string arena and kernel symbols belong to
 * that thread).
 */
int st_stacks__watch(struct st_stacks *s, int ring_fd);
/* Stop the watcher (st_stacks__free does too); @drain: handle what is left first. */
void st_stacks__unwatch(struct st_stacks *s, bool drain);
/* Re-read a live process's mappings (libraries loaded since the first look). */
void st_stacks__refresh_pid(struct st_stacks *s, pid_t pid);
int st_stacks__kernel(struct st_stacks *s, const uint64_t *ips, int n, const char **out, int max);
/* A copy of @str owned by the arena (one per distinct string). */
const char *st_stacks__intern(struct st_stacks *s, const char *str);

#endif
