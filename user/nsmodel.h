/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The NodeStage model: events in (execs, exits, off-CPU intervals, on-CPU
 * samples, I/O and socket exchanges with their wire split), operations out,
 * each cut into phases whose wall time is partitioned into kernel / network /
 * target / user / wait. Pure: no BPF, no /proc; unit tests drive it directly.
 *
 * The partition, per instant of a phase, looking at the phase's actor (the
 * tool process it runs, or the plugin itself between tools):
 *   an actor thread on-CPU          -> user or kernel (the process's ratio)
 *   an actor thread runnable         -> kernel (run queue)
 *   the operation's I/O or exchanges on the wire -> target, else network
 *   a helper (iscsid, udev) on-CPU   -> user
 *   the actor asleep until its own timer (nanosleep, poll timeout) -> wait
 *   anything else                    -> kernel (submission, completion, scans)
 * so the categories of each phase sum to its wall time exactly.
 */
#ifndef ST_NSMODEL_H
#define ST_NSMODEL_H

#include "csiparse.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum nsm_cat { NSM_KERNEL, NSM_NETWORK, NSM_TARGET, NSM_USER, NSM_WAIT, NSM_CAT_NR };

const char *nsm_cat_name(enum nsm_cat c);

struct nsm_phase {
	char name[32];
	char comm[16]; /* the actor: tool, or the plugin between tools */
	uint64_t start, end;
	uint64_t cat[NSM_CAT_NR];
	uint64_t io_bytes[4]; /* read, write, discard, other: the operation's I/O in the phase */
	uint64_t ios, exchanges;
};

struct nsm_op {
	int id;
	pid_t root;
	char root_comm[16];
	char volume[64];
	char proto[8];
	char iqn[224], nqn[224], staging[256], nfs_export[256], device[128];
	int kind; /* enum csi_kind */
	uint64_t start, end;
	bool complete; /* ended by its staging mount (or unstaging) returning */
	int status;    /* exit status of the last tool (0 = ok) */
	/* Kubernetes, filled by the caller when the node says (k8s.h); "" otherwise */
	char pod_uid[40], container_id[72]; /* the node plugin's pod and container */
	char pv[256], volume_handle[256], driver[128];
	struct nsm_phase *phases;
	int nphases;
	uint64_t cat[NSM_CAT_NR];
};

/*
 * Resolves stack keys to frames (root first); returns the number written.
 * @khash: interned kernel stack (0 none); @kid: stack-map id of a sample (-1 none).
 */
typedef int (*nsm_frames_fn)(void *ctx, pid_t pid, uint64_t ustack, uint64_t khash, int64_t kid,
			     const char **out, int max);
/* A folded stack for an operation: frames root first, value in microseconds. */
typedef void (*nsm_fold_fn)(void *ctx, const struct nsm_op *op, const char *const *frames, int n,
			    uint64_t us);
/* An operation is finished (called once, in end order). */
typedef void (*nsm_done_fn)(void *ctx, const struct nsm_op *op);

struct nsm_opts {
	uint64_t idle_ns;  /* end an operation after this long without its tools (default 30 s) */
	uint64_t grace_ns; /* wait this long after the end for late events (default 300 ms) */
	bool whole_tree;   /* "-- CMD": the root's whole life is one operation */
	nsm_frames_fn frames;
	nsm_fold_fn fold;
	nsm_done_fn done;
	void *ctx;
};

struct nsm;

struct nsm *nsm__new(const struct nsm_opts *o);
void nsm__free(struct nsm *m);

/* Events, in any order within a few hundred ms (the grace period). */
void nsm__exec(struct nsm *m, uint64_t t, pid_t pid, pid_t ppid, pid_t root, const char *comm,
	       const struct csi_cmd *cmd);
/* A new task @tid: a process when @tgid == @tid, else a thread of @tgid. */
void nsm__fork(struct nsm *m, uint64_t t, pid_t tid, pid_t tgid, pid_t ppid, pid_t root);
void nsm__exit(struct nsm *m, uint64_t t, pid_t pid, pid_t tid, bool leader, int code,
	       uint64_t utime, uint64_t stime);

enum nsm_off_flags { NSM_OFF_TIMER = 1, NSM_OFF_PREEMPT = 2 };
/*
 * A thread went off CPU at @t_off; until its nsm__off() arrives the interval is
 * open. @sleep_syscall: it sleeps in nanosleep/clock_nanosleep (a deliberate wait).
 */
void nsm__off_begin(struct nsm *m, pid_t pid, pid_t tid, pid_t root, uint64_t t_off, unsigned flags,
		    bool sleep_syscall);
void nsm__off(struct nsm *m, pid_t pid, pid_t tid, pid_t root, uint64_t t_off, uint64_t t_on,
	      unsigned flags, uint64_t ustack, uint64_t kstack);
void nsm__sample(struct nsm *m, pid_t pid, pid_t tid, uint64_t t, bool user_mode, uint64_t ustack,
		 int64_t kstack);
/*
 * Wire time of one I/O or exchange that belongs to @volume (NULL: any
 * operation of @proto active then): [t_tx, t_rx] of which @network_ns is network.
 * @op_type: 0 read, 1 write, 2 discard, 3 other; @bytes for the phase summary.
 */
void nsm__wire(struct nsm *m, const char *volume, const char *proto, uint64_t t_tx, uint64_t t_rx,
	       uint64_t network_ns, int op_type, uint64_t bytes, bool exchange);

/*
 * --uprobe: a call of the traced function began or returned in process @root
 * (@key: the goroutine or thread). Each call is one operation; tools that run
 * during it belong to it.
 */
void nsm__call(struct nsm *m, uint64_t t, pid_t root, const char *root_comm, uint64_t key,
	       bool begin);

/* Advance time: finishes operations that are idle or past their grace period. */
void nsm__tick(struct nsm *m, uint64_t now);
/* Tracing ends: finish everything still open (incomplete ones are marked so). */
void nsm__flush(struct nsm *m, uint64_t now);
/* Operations open right now (helpers matter only then). */
int nsm__open_ops(const struct nsm *m);
/* The command name of a traced process, NULL when the model does not know it. */
const char *nsm__comm(struct nsm *m, pid_t pid);
/* The model forgets what happened before this: nothing older can be reported. */
uint64_t nsm__horizon(struct nsm *m, uint64_t now);
/* Memory held: events buffered. */
size_t nsm__buffered(const struct nsm *m);

#endif
