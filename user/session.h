/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tracing session: preflight, "-- CMD" child, load/attach through the loader,
 * filters, ring buffers, the run loop, the overhead budget, clean teardown.
 * Every tracing subcommand runs through it so none repeats this boilerplate.
 */
#ifndef ST_SESSION_H
#define ST_SESSION_H

#include "child.h"
#include "kfeat.h"
#include "loader.h"
#include "opts.h"

#include <stdint.h>

struct st_budget_step {
	const char *what; /* printed when taken, e.g. "sampling raised to 1 in 4" */
};

struct st_session;

/* Tracer hooks; all optional. */
struct st_session_ops {
	/* Called each second with the BPF CPU share; return >0 after degrading one step. */
	int (*degrade)(struct st_session *s, void *ctx, int level, char *what, size_t len);
	int (*on_interval)(void *ctx);
	int (*on_tick)(void *ctx);
	/*
	 * The last step, once degrade has nothing left: programs (by name, "prefix*"
	 * for a prefix) that may be detached, the costliest of the last second first.
	 * NULL-terminated; programs that frame the tool's results (process
	 * lifecycle) are left out.
	 */
	const char *const *pausable;
	/*
	 * Programs that serve only the one in front: when the budget pauses a
	 * program matching with[0], those matching the rest go with it (e.g.
	 * with block completions paused no request is recorded, so its other
	 * hooks would cost for nothing and fill the map of requests in flight).
	 * NULL-terminated, like pausable; may be NULL.
	 */
	const char *const *with;
};

struct st_stacks;

struct st_bpf_cost {
	char name[64];
	uint64_t run_ns, run_cnt;
};

struct st_session {
	const struct st_common *c;
	struct st_features feat;
	struct st_child child;
	struct st_loader loader;
	struct ring_buffer *rb;
	struct st_stacks *watched; /* its process watcher stops before the maps go */
	/* Pointers into the tracer's .bss (common.bpf.h) for sampling/rate changes. */
	uint32_t *bss_sample_n;
	uint64_t *bss_max_eps;
	/* Overhead budget state. */
	int stats_fd;
	uint64_t last_run_ns, last_check_ns, start_ns, end_ns;
	int degrade_level;
	/* every step: the tracer's own (a few) and one per link it may pause */
	char degrade_log[16 + 128][128];
	uint64_t link_run_ns[128]; /* per attached link: its program's run time at the last check */
	int ndegrade;
	double max_cpu_pct;
	int exit_status; /* CMD's status, or 0 */
	const struct st_session_ops *ops;
	void *ops_ctx;
};

/* Privileges, BTF, tracefs, feature probes, and the CMD child (not yet released). */
int st_session_init(struct st_session *s, const struct st_common *c);
/* Load and attach through @l (spec/open/... set by the tracer), filters. */
int st_session_start(struct st_session *s, const struct st_loader *l);
/* Everything is in place: let "-- CMD" run (a no-op without one). */
int st_session_release(struct st_session *s);
/* Add a ring buffer map with its callback (call after start). */
int st_session_add_ringbuf(struct st_session *s, const char *map_name, ring_buffer_sample_fn fn,
			   void *ctx);
/*
 * Keep @st's symbol cache fed from the st_events ring on a thread of its own
 * (call after start; stopped by st_session_end).
 */
int st_session_watch_procs(struct st_session *s, struct st_stacks *st);
/* Before the report: handle what the rings still hold (and stop the watcher). */
void st_session_drain(struct st_session *s);
/* Run until -d, SIGINT/SIGTERM or CMD exit. */
int st_session_run(struct st_session *s, const struct st_session_ops *ops, void *ctx);
/* Per-program BPF run time (needs the stats fd open; returns the count filled). */
int st_session_costs(const struct st_session *s, struct st_bpf_cost *out, int max);
/* Detach, free, and return the exit status to use (CMD's when there was one). */
int st_session_end(struct st_session *s, int err);
struct bpf_object *st_session_obj(const struct st_session *s);
/* Upper bound of the memory of every map the session created, in bytes. */
uint64_t st_session_map_bytes(const struct st_session *s);

#endif
