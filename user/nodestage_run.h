/* SPDX-License-Identifier: GPL-2.0 */
/* The state of one `scaletrace nodestage` run, shared by its source files. */
#ifndef ST_NODESTAGE_RUN_H
#define ST_NODESTAGE_RUN_H

#include "ioevent.h"
#include "nsmodel.h"
#include "nsreport.h"
#include "samplers.h"
#include "session.h"
#include "nodestage.h"

struct st_stacks;
struct ns_run;
struct iolat_event;
struct io_split;

/* Continuous use (scaletrace serve): what happens to results instead of reports. */
struct ns_hooks {
	void (*op_done)(void *ctx, const struct nsm_op *op);
	void (*io_done)(void *ctx, const struct iolat_event *e, const struct io_split *sp,
			const char *dev, const char *volume, const char *proto);
	void (*tick)(void *ctx, struct ns_run *run);
	/* An off-CPU interval of a traced task; state 'R' (runnable), 'D' or 'S'. */
	void (*off_done)(void *ctx, const char *comm, char state, uint64_t ns);
	void *ctx;
};

struct ns_devvol {
	uint32_t dev;
	char volume[64];
	char proto[8];
};

struct ustkeep;

struct ns_run {
	struct ns_opts o;
	struct st_session s;
	struct nsm *model;
	struct st_stacks *stacks;
	struct ustkeep *ustk; /* user stacks copied out of st_ustacks */
	uint64_t last_ustk_prune;
	struct ns_report rep;
	struct ns_devvol devvol[NS_DEVVOL_MAX];
	struct ioev_baseline base;
	int ndevvol;
	struct st_samplers smp;	     /* perf_event samplers, one per CPU */
	struct bpf_link *ulinks[64]; /* --uprobe: entry + returns */
	int nulinks;
	pid_t callers[64]; /* --uprobe: processes seen calling the function */
	int ncallers;
	bool uprobe_go;
	const struct ns_hooks *hooks;
	uint64_t ios, xchgs;
	int64_t mono_to_real;
};

/* --uprobe BIN:SYM: entry uprobe plus one per return instruction. */
int ns_attach_uprobe(struct ns_run *run);
void ns_detach_uprobe(struct ns_run *run);
/*
 * Run nodestage without its reports: every finished operation and every I/O
 * goes to @h, until SIGINT/SIGTERM or -d. Returns the exit status.
 */
struct ns_service {
	const char *plugins[NS_ROOT_PATS]; /* task-name patterns of CSI node plugins */
	int nplugins;			   /* 0: "csi" */
	uint64_t idle_ns;		   /* 0: 30 s */
};
int ns_service_run(const struct st_common *c, const struct ns_service *sv,
		   const struct ns_hooks *h);

/* Is the binary of "BIN:SYM" a Go program (calls keyed by goroutine)? */
bool ns_binary_is_go(const char *bin_sym);

#endif
