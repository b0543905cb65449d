/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nodestage model internals shared by nsmodel.c (events, operations, time) and
 * nsphase.c (phases and their partition into categories). Not an API.
 */
#ifndef ST_NSMODEL_INT_H
#define ST_NSMODEL_INT_H

#include "nsmodel.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MS 1000000ULL

/* ---- growable arrays ---------------------------------------------------- */

struct vec {
	void *v;
	size_t n, cap, elem;
};

#define VEC_AT(a, type, i) (&((type *)(a)->v)[i])

/* ---- model state ------------------------------------------------------------- */

struct proc {
	pid_t pid, ppid, root;
	uint64_t t_start, t_exit;
	char comm[16];
	struct csi_cmd cmd;
	int op;	    /* operation id, -1 none */
	pid_t tool; /* the first-level tool process it belongs to (itself for tools) */
	bool exited;
	bool forked; /* t_start is its fork (the driver starting the step), not yet exec'd */
	bool
	    transparent; /* a shell or plugin process: part of the plugin, its children are tools */
	bool attached;	 /* its run is a phase of operation op */
	int code;
	uint64_t utime, stime;
};

struct thr {
	pid_t tid, pid;
	uint64_t a, b; /* alive; b = UINT64_MAX while running */
};

struct off {
	pid_t pid, tid, root;
	uint64_t a, b;
	unsigned flags;
	uint64_t ustack, kstack;
};

struct smp {
	pid_t pid, tid;
	uint64_t t;
	bool user;
	uint64_t ustack;
	int64_t kstack;
};

struct wire {
	char volume[64];
	char proto[8];
	uint64_t a, b, net, bytes;
	int op_type;
	bool xchg;
};

struct rawph {
	pid_t pid;
	char name[32], comm[16];
	char label[32]; /* the phase it ends up in (build_phases) */
	uint64_t a, b;
	bool open, known;
};

struct opx {
	struct nsm_op op;
	uint64_t call_key; /* --uprobe call that is this operation */
	bool call;
	struct vec ph; /* struct rawph, in start order */
	uint64_t last_activity;
	bool ended; /* end known; finish after the grace period */
	bool finished;
};

/* A tool exec'd while its root had no operation: a later one may adopt it. */
struct pend {
	pid_t pid;
	uint64_t t; /* the exec */
};

struct nsm {
	struct nsm_opts o;
	struct vec procs, thrs, offs, smps, wires, ops, pending;
	int next_id;
	uint64_t last_prune;
};

struct proc *nsm_proc_find(struct nsm *m, pid_t pid);
/* Build the phases of a finished operation, partition them, report it. */
void nsm_finish_op(struct nsm *m, struct opx *x);

#endif
