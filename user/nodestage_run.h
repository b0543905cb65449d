/* SPDX-License-Identifier: GPL-2.0 */
/* The state of one `scaletrace nodestage` run, shared by its source files. */
#ifndef ST_NODESTAGE_RUN_H
#define ST_NODESTAGE_RUN_H

#include "ioevent.h"
#include "nsmodel.h"
#include "nsreport.h"
#include "session.h"

struct st_stacks;

struct ns_devvol {
	uint32_t dev;
	char volume[64];
	char proto[8];
};

struct ns_run {
	struct ns_opts o;
	struct st_session s;
	struct nsm *model;
	struct st_stacks *stacks;
	struct ns_report rep;
	struct ns_devvol devvol[NS_DEVVOL_MAX];
	struct ioev_baseline base;
	int ndevvol;
	struct bpf_link **links; /* perf_event samplers, one per CPU */
	int *pfds, ncpu;
	struct bpf_link *ulinks[64]; /* --uprobe: entry + returns */
	int nulinks;
	pid_t callers[64]; /* --uprobe: processes seen calling the function */
	int ncallers;
	bool uprobe_go;
	uint64_t ios, xchgs;
	int64_t mono_to_real;
};

/* --uprobe BIN:SYM: entry uprobe plus one per return instruction. */
int ns_attach_uprobe(struct ns_run *run);
void ns_detach_uprobe(struct ns_run *run);
/* Is the binary of "BIN:SYM" a Go program (calls keyed by goroutine)? */
bool ns_binary_is_go(const char *bin_sym);

#endif
