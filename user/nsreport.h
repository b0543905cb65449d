/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nodestage reports: one line per finished operation, the per-phase summary
 * (percentiles across operations, category shares, top stacks, the biggest
 * contributors in words), SLO checks, JSON, folded and SVG output.
 */
#ifndef ST_NSREPORT_H
#define ST_NSREPORT_H

#include "common.h"
#include "nsmodel.h"
#include "opts.h"

#include <stdbool.h>
#include <stdint.h>

#define NS_MAX_SLO    16
#define NS_MAX_ROOTS  6
#define NS_DEVVOL_MAX 64

struct ns_slo {
	char phase[32]; /* a phase name or "total" */
	double pct;	/* 99 for p99 */
	uint64_t limit_ns;
};

/* "mkfs:p99<2s", "total:p95<500ms". Returns 0 or -EINVAL. */
int ns_parse_slo(const char *s, struct ns_slo *out);

struct ns_opts {
	const struct st_common *c;
	struct ns_slo slo[NS_MAX_SLO];
	int nslo;
	const char *roots[NS_MAX_ROOTS];
	int nroots;
	uint64_t idle_ns;
	int top;
	const char *uprobe;
	uint64_t freq;
	const char *report; /* --report FILE.md */
};

struct ns_oprec {
	struct nsm_op op; /* phases points into this record's own copy */
};

struct fold;
struct st_session;

struct ns_report {
	const struct ns_opts *o;
	struct ns_oprec *ops;
	size_t nops, cap;
	struct fold *fold;	 /* nodestage;VOLUME;PHASE;PROCESS;...;[cat] */
	struct fold *phase_fold; /* PHASE;PROCESS;...;[cat], for top stacks per phase */
	uint64_t drops[ST_DROP__NR];
	bool quiet; /* --json - : no human text on stdout */
	bool slo_violated;
};

int ns_report_init(struct ns_report *r, const struct ns_opts *o);
void ns_report_free(struct ns_report *r);
void ns_report_op(struct ns_report *r, const struct nsm_op *op, int64_t mono_to_real);
void ns_report_fold(struct ns_report *r, const struct nsm_op *op, const char *const *fr, int n,
		    uint64_t us);
/* The summary, SLO verdicts and output files. Returns 0 or -errno. */
int ns_report_end(struct ns_report *r, const struct st_session *s);

/* Pure helpers, exposed for tests. */
uint64_t ns_percentile(uint64_t *v, size_t n, double pct); /* sorts v; nearest rank */
/* "mkfs.ext4 wrote 1.0 GiB: 1.80s, 92% target (TrueNAS) (vol1 iscsi, mkfs)" into buf. */
void ns_contributor(const struct nsm_op *op, const struct nsm_phase *p, char *buf, size_t len);

#endif
