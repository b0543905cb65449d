/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The open -> configure -> select variants -> load -> attach sequence every
 * tracer uses, with the libbpf log callback and the run loop.
 */
#ifndef ST_LOADER_H
#define ST_LOADER_H

#include "kfeat.h"
#include "opts.h"

#include <bpf/libbpf.h>
#include "util.h"
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum st_attach_kind {
	ST_AK_FENTRY,
	ST_AK_KPROBE,
	ST_AK_TP_BTF,
	ST_AK_RAW_TP,
	ST_AK_TRACEPOINT,
	ST_AK_UPROBE,
	ST_AK_PERF_EVENT,
};

#define ST_VARIANT_PROGS 8

/* One way of hooking a logical probe point; the first available one wins. */
struct st_variant {
	enum st_attach_kind kind;
	const char *progs[ST_VARIANT_PROGS];   /* skeleton program names, NULL-terminated */
	const char *targets[ST_VARIANT_PROGS]; /* functions / "cat:name" that must exist */
	const char *module;		       /* module that must be loaded, or NULL (vmlinux) */
	const char *precision; /* what the variant measures, for doctor and reports */
};

#define ST_MAX_VARIANTS 4

#define ST_CHOICE_UNNEEDED (-2)

struct st_probe_spec {
	const char *name;
	const char *purpose;
	bool optional; /* the tracer works (with less precision) without it */
	/*
	 * NULL: always attached when usable. Else attached only if it returns
	 * true for the other probes' chosen variants (choice[], -1 = none); an
	 * optional probe it declines gets ST_CHOICE_UNNEEDED and @unneeded says why.
	 */
	bool (*wanted)(const int *choice);
	const char *unneeded;
	struct st_variant variants[ST_MAX_VARIANTS];
	int nvariants;
};

/* A tracer: its probe table and its skeleton's typed callbacks. */
struct st_tracer_spec {
	const char *name;
	const struct st_probe_spec *probes;
	int nprobes;
	void *(*open)(void);
	struct bpf_object *(*obj)(void *skel);
	int (*load)(void *skel);
	void (*destroy)(void *skel);
};

/* The four skeleton callbacks of bpftool-generated skeleton NAME_bpf. */
#define ST_SKEL_CALLBACKS(NAME)                               \
	static void *NAME##_skel_open(void)                   \
	{                                                     \
		return NAME##_bpf__open();                    \
	}                                                     \
	static struct bpf_object *NAME##_skel_obj(void *skel) \
	{                                                     \
		return ((struct NAME##_bpf *)skel)->obj;      \
	}                                                     \
	static int NAME##_skel_load(void *skel)               \
	{                                                     \
		return NAME##_bpf__load(skel);                \
	}                                                     \
	static void NAME##_skel_destroy(void *skel)           \
	{                                                     \
		NAME##_bpf__destroy(skel);                    \
	}

#define ST_TRACER_SPEC(NAME, PROBES)                                                  \
	{                                                                             \
#NAME, PROBES, ARRAY_SIZE(PROBES), NAME##_skel_open, NAME##_skel_obj, \
		    NAME##_skel_load, NAME##_skel_destroy                             \
	}

/* Every tracer's probe table, for doctor. NULL-terminated. */
extern const struct st_tracer_spec *const st_all_tracers[];

const char *st_attach_kind_name(enum st_attach_kind k);

/*
 * Which variant of each probe is usable here: index into variants[], or -1 with
 * @why filled in. Pure given @f (plus target existence checks).
 */
int st_variant_usable(const struct st_variant *v, struct st_features *f, char *why, size_t whylen);
int st_select_variant(const struct st_probe_spec *p, struct st_features *f, int skip_mask);

struct st_links {
	struct bpf_link *l[128];
	struct bpf_program *p[128]; /* the program of each link */
	int n;
};

/* One tracer's load: its spec (with the skeleton callbacks) and its configuration. */
struct st_loader {
	const struct st_tracer_spec *spec;
	int (*configure)(void *skel, void *ctx); /* set rodata, map sizes; 0 or -errno */
	void *ctx;
	bool tree;	     /* keep the process-tree programs (st_tree_fork/exit) loaded */
	uint32_t max_stacks; /* entries of every stack map (0: as compiled) */
	/* Outputs. */
	void *skel;
	int choice[16]; /* per probe: chosen variant or -1 */
	struct st_links links;
};

/*
 * Open, configure, select variants from @f, load (retrying with the next
 * variant when the kernel refuses one), attach every auto-attachable program.
 * Returns 0 or a negative errno after printing one error line.
 */
int st_loader_run(struct st_loader *l, struct st_features *f);
void st_loader_destroy(struct st_loader *l);
/* Print "probe: variant (precision)" lines at verbosity >= 1 (to stderr). */
void st_loader_describe(const struct st_loader *l, FILE *out);

/* libbpf messages at -v (warn), -vv (info), -vvv (debug); the last warning is kept. */
void st_libbpf_setup(int verbosity);
const char *st_libbpf_last_error(void);

/* Privileges: one line naming what is missing; 0 when tracing may proceed. */
int st_check_privileges(void);
bool st_check_privileges_quiet(void);
/* Everything a tracing subcommand needs before it loads: privileges, BTF, tracefs. */
int st_tracing_preflight(struct st_features *f);

/* Apply the common target filters to a tracer's rodata (common.bpf.h globals). */
struct st_common_rodata {
	uint32_t *targ_tgid, *targ_tid;
	bool *targ_tree, *targ_cgroup, *targ_comm;
	char *targ_comm_name; /* ST_COMM_LEN */
};
/* The filter variables of a skeleton @skel (every tracer has them, common.bpf.h). */
#define ST_COMMON_RODATA(skel)                                               \
	{                                                                    \
		&(skel)->rodata->st_targ_tgid, &(skel)->rodata->st_targ_tid, \
		    (bool *)&(skel)->rodata->st_targ_tree,                   \
		    (bool *)&(skel)->rodata->st_targ_cgroup,                 \
		    (bool *)&(skel)->rodata->st_targ_comm,                   \
		    (char *)(skel)->rodata->st_targ_comm_name,               \
	}
int st_apply_filters(const struct st_common *c, const struct st_common_rodata *ro);
/* After load: put the cgroup fd in st_cgroup, seed st_tree with @root_pid. */
int st_filters_after_load(struct bpf_object *obj, const struct st_common *c, pid_t root_pid);

/* Sum the per-CPU st_drops map into out[ST_DROP__NR]. */
int st_read_drops(struct bpf_object *obj, uint64_t *out);
const char *st_drop_name(int idx);

/* The run loop: ring buffer polling, -d, -i, -- CMD exit, SIGINT/SIGTERM. */
struct st_loop {
	struct ring_buffer *rb; /* NULL: just sleep between ticks */
	uint64_t duration_ns;
	uint64_t interval_ns;
	uint64_t tick_ns; /* on_tick period (default 100 ms) */
	pid_t child;	  /* -- CMD child or 0 */
	int (*on_interval)(void *ctx);
	int (*on_tick)(void *ctx);
	void *ctx;
	/* Out: the child's exit status as a shell would report it, or -1. */
	int child_status;
};
int st_loop_run(struct st_loop *l);

#endif
