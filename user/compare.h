/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Comparing two runs of the same subcommand (`scaletrace compare`): the
 * documents (scaletrace JSON or folded stacks), the rows of the comparison
 * (percentiles before and after, a Mann-Whitney U test on the per-operation,
 * per-request or per-process samples, a verdict), and the regression gate.
 * Pure: documents in, rows out; the command in compare.c prints and writes.
 */
#ifndef ST_COMPARE_H
#define ST_COMPARE_H

#include "stats.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

struct fg;

enum cmp_kind { CMP_NODESTAGE, CMP_IOLAT, CMP_OFFCPU, CMP_PROFILE, CMP_FOLDED };

/* One stack's count in one process (pid 0: unknown, as in folded files). */
struct cmp_rec {
	char *key;
	long long pid;
	double v;
};

struct cmp_doc {
	enum cmp_kind kind;
	char *name;	      /* for messages: the path */
	char *schema;	      /* "scaletrace.offcpu/1"; "folded" for folded stacks */
	char *unit;	      /* "us", "samples"; "" when the document does not say */
	bool readable;	      /* a schema version this code reads (cmp_check() refuses others) */
	json_object *root;    /* JSON documents (a reference is held) */
	struct cmp_rec *recs; /* stack kinds: one record per (stack, process) entry */
	size_t nrecs;
};

/*
 * Load @path: JSON when its first non-blank byte is '{', else folded stacks.
 * 0, or a negative errno after one st_err() line (-EINVAL: not a document
 * compare understands).
 */
int cmp_doc_load(struct cmp_doc *d, const char *path);
/* From a parsed JSON document (takes its own reference) or folded text; as above. */
int cmp_doc_from_json(struct cmp_doc *d, json_object *root, const char *name);
int cmp_doc_from_folded(struct cmp_doc *d, const char *text, size_t len, const char *name);
void cmp_doc_free(struct cmp_doc *d);
const char *cmp_kind_name(enum cmp_kind k);

/*
 * Refuse runs of different subcommands, schema versions or units: 0, or
 * -EINVAL with one line of explanation in @why.
 */
int cmp_check(const struct cmp_doc *base, const struct cmp_doc *new, char *why, size_t len);

struct cmp_opts {
	double threshold_pct; /* gate: p50 or p99 up by more than this (default 10) */
	double alpha;	      /* significance level (default 0.05) */
	double min_share_pct; /* gate only rows that are this share of their whole (default 1) */
	int top;	      /* stack kinds: rows shown per section (default 10) */
};

enum cmp_verdict {
	CMP_SAME,	/* no significant difference */
	CMP_FASTER,	/* significantly lower */
	CMP_SLOWER,	/* significantly higher, within the threshold */
	CMP_REGRESSION, /* significantly higher, p50 or p99 beyond the threshold */
	CMP_UNTESTED,	/* no samples to test (see untested) */
	CMP_TOO_FEW,	/* so few samples that no result could reach alpha */
};

enum { CMP_P50, CMP_P95, CMP_P99, CMP_NPCT };

struct cmp_row {
	const char *section;  /* "phase", "group", "exchange", "stack", "frame" */
	char *name;	      /* phase, group, stack (root first) or frame */
	const char *part;     /* "wall", a category, an iolat component; NULL for stacks */
	size_t n_base, n_new; /* operations, requests or processes behind the numbers */
	bool have_pct;
	double base[CMP_NPCT], new[CMP_NPCT]; /* in the documents' unit */
	double sum_base, sum_new;	      /* stack kinds: totals */
	double share_base, share_new;	      /* stack kinds: fraction of the run's total */
	struct stats_mwu t;
	double q;     /* p adjusted for the rows tested together (Benjamini-Hochberg) */
	double shift; /* Hodges-Lehmann estimate of new - base */
	bool shift_exact;
	const char *untested; /* why there is no test, for CMP_UNTESTED */
	enum cmp_verdict verdict;
	bool shown;	  /* printed (stack kinds show the top rows only) */
	bool immaterial;  /* slower beyond the threshold, but below min_share_pct of its whole */
	int trigger_pct;  /* CMP_P50 or CMP_P99: what the gate saw */
	char trigger[96]; /* "p99 +35.2%" for a regression */
};

struct cmp_result {
	enum cmp_kind kind;
	const char *unit;
	const char *sample_name; /* "operations", "requests", "processes", "stacks" */
	struct cmp_row *rows;
	size_t nrows, cap;
	char *notes[16]; /* caveats: excluded operations, untested groups */
	int nnotes;
	double total_base, total_new; /* stack kinds */
	size_t nregress;
	size_t family; /* rows tested together: q-values are adjusted over them */
};

void cmp_opts_defaults(struct cmp_opts *o);
/* Compare @new against @base (cmp_check() passed). 0 or -ENOMEM. */
int cmp_run(const struct cmp_doc *base, const struct cmp_doc *new, const struct cmp_opts *o,
	    struct cmp_result *r);
void cmp_result_free(struct cmp_result *r);
const char *cmp_verdict_name(enum cmp_verdict v);
/* The process exit status the result asks for: 4 on a regression, else 0. */
int cmp_exit_status(const struct cmp_result *r);
/* Relative change in percent; +INFINITY when base is 0 and new is not. */
double cmp_change_pct(double base, double new);

/* The comparison as JSON (schema "scaletrace.compare/1"); NULL on ENOMEM. */
json_object *cmp_result_json(const struct cmp_result *r, const struct cmp_doc *base,
			     const struct cmp_doc *new, const struct cmp_opts *o);

/*
 * Stacks of @d for a flamegraph: the stacks themselves, nodestage as
 * PHASE;[category] and iolat as GROUP;[component] (mean x count). 0 or -errno.
 */
int cmp_doc_fold(const struct cmp_doc *d, struct fg *t);

/* ---- shared by compare_core.c and compare_stacks.c only ---------------------------- */
struct cmp_row *cmp__new_row(struct cmp_result *r, const char *section, const char *name,
			     const char *part);
/* Percentiles (when @pct) and the test from the two samples, which get sorted. */
int cmp__fill(struct cmp_row *w, double *a, size_t na, double *b, size_t nb, bool pct);
void cmp__note(struct cmp_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cmp__run_stacks(const struct cmp_doc *base, const struct cmp_doc *new, const struct cmp_opts *o,
		    struct cmp_result *r);

#endif
