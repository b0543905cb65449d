// SPDX-License-Identifier: GPL-2.0
/*
 * scaletrace compare BASE NEW: two runs of the same subcommand side by side,
 * with a significance test per row and exit status 4 on a regression, so it
 * can gate CI and canaries. The rows come from compare_core.c.
 */
#include "cmds.h"
#include "compare.h"
#include "flamegraph.h"
#include "opts.h"
#include "output.h"
#include "report.h"
#include "table.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_THRESHOLD = 256, OPT_ALPHA, OPT_SVG, OPT_TOP, OPT_MIN_SHARE };

struct compare_cli {
	struct cmp_opts o;
	const char *svg_path;
};

static const struct st_optdef compare_defs[] = {
	{ "threshold", 0, "PCT",
	  "regression: a significant p50 or p99 increase above PCT percent (default 10)",
	  OPT_THRESHOLD },
	{ "alpha", 0, "A", "significance level of the Mann-Whitney U test (default 0.05)",
	  OPT_ALPHA },
	{ "svg", 0, "FILE", "write a differential flamegraph: NEW against BASE, normalized",
	  OPT_SVG },
	{ "min-share", 0, "PCT",
	  "gate only rows at least PCT percent of their whole: the operation, group or run "
	  "(default 1)",
	  OPT_MIN_SHARE },
	{ "top", 0, "N", "stacks and frames shown per table (default 10)", OPT_TOP },
};

static int compare_opt(void *ctx, int id, const char *arg)
{
	struct compare_cli *c = ctx;
	int top;

	switch (id) {
	case OPT_THRESHOLD:
		if (!st_parse_double(arg, 0, 1e6, &c->o.threshold_pct))
			return 0;
		st_err("invalid value '%s' for --threshold: expected a percentage, e.g. 10", arg);
		return -1;
	case OPT_ALPHA:
		if (!st_parse_double(arg, 1e-9, 0.5, &c->o.alpha) && c->o.alpha > 0)
			return 0;
		st_err("invalid value '%s' for --alpha: expected a level from 1e-9 to 0.5, e.g. "
		       "0.05",
		       arg);
		return -1;
	case OPT_MIN_SHARE:
		if (!st_parse_double(arg, 0, 100, &c->o.min_share_pct))
			return 0;
		st_err("invalid value '%s' for --min-share: expected a percentage from 0 to 100",
		       arg);
		return -1;
	case OPT_SVG:
		if (!*arg) {
			st_err("invalid value '' for --svg: expected a file name");
			return -1;
		}
		c->svg_path = arg;
		return 0;
	case OPT_TOP:
		if (st_parse_int(arg, 1, 1000, &top)) {
			st_err("invalid value '%s' for --top: expected 1 to 1000", arg);
			return -1;
		}
		c->o.top = top;
		return 0;
	}
	return -1;
}

/* ---- text ------------------------------------------------------------------------------ */

static const char *fmt_val(double v, const char *unit, char *buf, size_t len)
{
	if (v == 0) {
		snprintf(buf, len, "0");
	} else if (!strcmp(unit, "us")) {
		char d[16];

		snprintf(buf, len, "%s%s", v < 0 ? "-" : "",
			 st_fmt_duration((uint64_t)llround(fabs(v) * 1000.0), d, sizeof(d)));
	} else {
		snprintf(buf, len, "%.0f", v);
	}
	return buf;
}

static const char *fmt_change(double base, double new, char *buf, size_t len)
{
	double d = cmp_change_pct(base, new);

	if (isinf(d))
		snprintf(buf, len, "%s", d > 0 ? "+inf" : "-inf");
	else
		snprintf(buf, len, "%+.1f%%", d);
	return buf;
}

static const char *fmt_p(const struct cmp_row *w, char *buf, size_t len)
{
	if (w->verdict == CMP_UNTESTED)
		snprintf(buf, len, "-");
	else if (w->q < 0.0001)
		snprintf(buf, len, "<0.0001");
	else
		snprintf(buf, len, "%.4f", w->q);
	return buf;
}

static const char *fmt_shift(const struct cmp_row *w, const char *unit, char *buf, size_t len)
{
	char v[24];

	if (w->verdict == CMP_UNTESTED)
		return "-";
	fmt_val(w->shift, unit, v, sizeof(v));
	snprintf(buf, len, "%s%s", w->shift > 0 ? "+" : "", v);
	return buf;
}

static void pct_table_row(struct st_table *t, const struct cmp_row *w, const char *unit, bool first)
{
	char c[16][32], n[48];
	const char *cells[15];
	int k, i = 0;

	snprintf(n, sizeof(n), "%zu/%zu", w->n_base, w->n_new);
	cells[i++] = first ? w->name : "";
	cells[i++] = w->part;
	cells[i++] = n;
	for (k = 0; k < CMP_NPCT; k++) {
		cells[i] = fmt_val(w->base[k], unit, c[i], sizeof(c[i]));
		i++;
		cells[i] = fmt_val(w->new[k], unit, c[i], sizeof(c[i]));
		i++;
		cells[i] = fmt_change(w->base[k], w->new[k], c[i], sizeof(c[i]));
		i++;
	}
	cells[i] = fmt_shift(w, unit, c[i], sizeof(c[i]));
	i++;
	cells[i] = fmt_p(w, c[i], sizeof(c[i]));
	i++;
	cells[i++] = cmp_verdict_name(w->verdict);
	st_table__row(t, cells);
}

static void print_pct_section(const struct cmp_result *r, const char *section, const char *title)
{
	struct st_table *t = st_table__new(15, 0x3ffc);
	const char *prev = NULL;
	size_t i;

	if (!t)
		return;
	st_table__rowf(t,
		       "%s\tPART\t%s\tp50 BASE\tp50 NEW\tΔp50\tp95 BASE\tp95 NEW\tΔp95\tp99 "
		       "BASE\tp99 NEW\tΔp99\tSHIFT\tq\tVERDICT",
		       title, r->kind == CMP_NODESTAGE ? "OPS" : "COUNT");
	for (i = 0; i < r->nrows; i++) {
		const struct cmp_row *w = &r->rows[i];

		if (strcmp(w->section, section))
			continue;
		pct_table_row(t, w, r->unit, !prev || strcmp(prev, w->name));
		prev = w->name;
	}
	if (st_table__rows(t) > 1) {
		printf("\n");
		st_table__print(t, stdout, 2);
	}
	st_table__free(t);
}

/* A stack for a table cell: its first frame, "...", and as many leaf frames as fit. */
static void short_stack(const char *s, char *buf, size_t len, size_t max)
{
	const char *tail;
	size_t first = strcspn(s, ";");

	if (strlen(s) <= max || first + 8 >= max) {
		snprintf(buf, len, "%.*s", (int)max, s);
		return;
	}
	tail = s + strlen(s) - (max - first - 5);
	tail += strcspn(tail, ";");
	if (!*tail) /* one leaf frame longer than the room: cut it */
		tail = s + strlen(s) - (max - first - 5) - 1;
	snprintf(buf, len, "%.*s;...%s", (int)first, s, tail);
}

static void print_stack_section(const struct cmp_result *r, const char *section, const char *title)
{
	struct st_table *t = st_table__new(10, 0x1fe);
	char c[8][32], name[128];
	size_t i;

	if (!t)
		return;
	st_table__rowf(t, "%s\tBASE\tNEW\tCHANGE\tSHARE BASE\tSHARE NEW\tΔSHARE\tPROCS\tq\tVERDICT",
		       title);
	for (i = 0; i < r->nrows; i++) {
		const struct cmp_row *w = &r->rows[i];

		if (strcmp(w->section, section) || !w->shown)
			continue;
		short_stack(w->name, name, sizeof(name), 72);
		snprintf(c[0], sizeof(c[0]), "%.1f%%", 100 * w->share_base);
		snprintf(c[1], sizeof(c[1]), "%.1f%%", 100 * w->share_new);
		snprintf(c[2], sizeof(c[2]), "%+.1f", 100 * (w->share_new - w->share_base));
		if (r->kind == CMP_FOLDED)
			snprintf(c[3], sizeof(c[3]), "-");
		else
			snprintf(c[3], sizeof(c[3]), "%zu/%zu", w->n_base, w->n_new);
		st_table__row(t, (const char *[]){ name, fmt_val(w->sum_base, r->unit, c[4], 32),
						   fmt_val(w->sum_new, r->unit, c[5], 32),
						   fmt_change(w->sum_base, w->sum_new, c[6], 32),
						   c[0], c[1], c[2], c[3], fmt_p(w, c[7], 32),
						   cmp_verdict_name(w->verdict) });
	}
	if (st_table__rows(t) > 1) {
		printf("\n%s\n", !strcmp(section, "stack")
				     ? "top stacks (by share; root first):"
				     : "top frames (inclusive; by size of the change):");
		st_table__print(t, stdout, 2);
	}
	st_table__free(t);
}

static const char *samples_desc(const struct cmp_result *r)
{
	switch (r->kind) {
	case CMP_NODESTAGE:
		return "Mann-Whitney U on per-operation samples";
	case CMP_IOLAT:
		return "Mann-Whitney U on per-request samples";
	case CMP_FOLDED:
		return "none (folded stacks hold one sum per stack)";
	default:
		return "Mann-Whitney U on per-process totals";
	}
}

#define MAX_REGRESSION_LINES 20

static void print_regressions(const struct cmp_result *r, FILE *out)
{
	char a[32], b[32], p[16];
	size_t i, n = 0;

	for (i = 0; i < r->nrows; i++) {
		const struct cmp_row *w = &r->rows[i];
		int k = strncmp(w->trigger, "p99", 3) ? CMP_P50 : CMP_P99;

		if (w->verdict != CMP_REGRESSION || n++ >= MAX_REGRESSION_LINES)
			continue;
		fprintf(out, "REGRESSION: %s %s%s%s: %s (%s -> %s), q=%s\n", w->section, w->name,
			w->part ? " " : "", w->part ? w->part : "", w->trigger,
			fmt_val(w->base[k], r->unit, a, sizeof(a)),
			fmt_val(w->new[k], r->unit, b, sizeof(b)), fmt_p(w, p, sizeof(p)));
	}
	if (n > MAX_REGRESSION_LINES)
		fprintf(out, "REGRESSION: ... and %zu more rows (all in --json)\n",
			n - MAX_REGRESSION_LINES);
}

static void print_text(const struct cmp_result *r, const struct cmp_doc *base,
		       const struct cmp_doc *new, const struct cmp_opts *o)
{
	int k;

	printf("compare %s (%s): base %s, new %s\n", cmp_kind_name(r->kind),
	       r->unit[0] ? r->unit : "counts", base->name, new->name);
	if (r->kind == CMP_FOLDED)
		printf("test: %s; changes are shown, never gated\n", samples_desc(r));
	else
		printf("test: %s, two-sided; q: p adjusted over the %zu rows tested "
		       "(Benjamini-Hochberg)\nregression: q below %g, p50 or p99 up more than "
		       "%g%%, at least %g%% of %s\n",
		       samples_desc(r), r->family, o->alpha, o->threshold_pct, o->min_share_pct,
		       r->kind == CMP_NODESTAGE ? "the operation"
		       : r->kind == CMP_IOLAT	? "the group"
						: "the run");
	if (r->kind == CMP_NODESTAGE || r->kind == CMP_IOLAT) {
		print_pct_section(r, "phase", "PHASE");
		print_pct_section(r, "group", "GROUP");
		print_pct_section(r, "exchange", "EXCHANGE");
	} else {
		print_stack_section(r, "stack", "STACK");
		print_stack_section(r, "frame", "FRAME");
	}
	printf("\n");
	for (k = 0; k < r->nnotes; k++)
		printf("note: %s\n", r->notes[k]);
	print_regressions(r, stdout);
	if (r->nregress)
		printf("result: %zu significant regression%s beyond %g%% (exit 4)\n", r->nregress,
		       r->nregress == 1 ? "" : "s", o->threshold_pct);
	else
		printf("result: no significant regression beyond %g%%\n", o->threshold_pct);
}

/* ---- outputs --------------------------------------------------------------------------- */

static int write_svg(const struct cmp_doc *base, const struct cmp_doc *new, const char *path)
{
	struct fg *tb = fg__new(), *tn = fg__new();
	char title[256], subtitle[160];
	struct fg_opts fo = { .title = title, .subtitle = subtitle, .normalize = true };
	struct st_out out;
	int err = tb && tn ? 0 : -ENOMEM;

	snprintf(title, sizeof(title), "Differential %s: %s vs %s", cmp_kind_name(base->kind),
		 new->name, base->name);
	snprintf(subtitle, sizeof(subtitle),
		 "red grew, blue shrank (base normalized to the new total); counts in %s",
		 base->unit[0] ? base->unit : "samples");
	fo.countname = base->unit[0] ? base->unit : "samples";
	if (!err)
		err = cmp_doc_fold(base, tb);
	if (!err)
		err = cmp_doc_fold(new, tn);
	if (!err)
		err = fg__set_base(tn, tb);
	if (!err)
		err = st_out_open(&out, path);
	if (!err) {
		err = fg__write_svg(tn, &fo, out.f);
		if (err)
			st_out_abort(&out);
		else
			err = st_out_commit(&out);
	}
	fg__free(tb);
	fg__free(tn);
	return err;
}

static int write_json(const struct cmp_result *r, const struct cmp_doc *base,
		      const struct cmp_doc *new, const struct cmp_opts *o, const char *path)
{
	json_object *root = cmp_result_json(r, base, new, o);
	int err;

	if (!root)
		return -ENOMEM;
	err = st_json_write(root, path);
	json_object_put(root);
	return err;
}

/* Load, check and compare; 0 with @r filled, 2 for unusable inputs, 1 for other errors. */
static int compare_files(const char *bp, const char *np, const struct cmp_opts *o,
			 struct cmp_doc d[2], struct cmp_result *r)
{
	char why[512];
	int err;

	err = cmp_doc_load(&d[0], bp);
	if (!err)
		err = cmp_doc_load(&d[1], np);
	if (err)
		return err == -EINVAL ? 2 : 1;
	if (cmp_check(&d[0], &d[1], why, sizeof(why))) {
		st_err("%s", why);
		return 2;
	}
	err = cmp_run(&d[0], &d[1], o, r);
	if (err)
		st_err("comparing %s and %s: %s", bp, np, strerror(-err));
	return err ? 1 : 0;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_cli cli = { .svg_path = NULL };
	const struct st_cmdspec spec = {
		.name = "compare",
		.usage =
		    "BASE NEW [--threshold PCT] [--alpha A] [--min-share PCT] [--svg DIFF.svg] "
		    "[--top N] [--json FILE]",
		.summary = "Compare two runs of the same subcommand: what changed, and is it real?",
		.details =
		    "BASE and NEW are two --json outputs of nodestage, iolat, offcpu or profile,\n"
		    "or two folded-stack files. Rows give p50/p95/p99 before and after "
		    "(nodestage:\n"
		    "per phase and category; iolat: per group and component; stacks: total and\n"
		    "share per stack and frame), the Hodges-Lehmann shift and the two-sided\n"
		    "Mann-Whitney U test on the samples behind them: operations, requests, or\n"
		    "per-process totals. Exit status: 0, or 4 when a significant increase moved a\n"
		    "p50 or p99 by more than --threshold percent in a row that is at least\n"
		    "--min-share percent of its whole; 2 for bad usage or runs that cannot be\n"
		    "compared (other subcommand, unit or schema version); 1 on errors.\n"
		    "See docs/compare.md for the statistics and their limits.",
		.examples =
		    "  scaletrace compare before.json after.json             # table, exit 4 "
		    "on a regression\n"
		    "  scaletrace compare --threshold 20 --alpha 0.01 a.json b.json\n"
		    "  scaletrace compare --svg diff.svg old.folded new.folded\n"
		    "  scaletrace compare --json - base.json new.json        # for CI\n",
		.common = ST_OPT_JSON,
		.opts = compare_defs,
		.nopts = ARRAY_SIZE(compare_defs),
		.handle = compare_opt,
		.ctx = &cli,
		.positional = true,
	};
	struct cmp_doc d[2] = { 0 };
	struct cmp_result r = { 0 };
	struct st_common c;
	int argi, err;
	bool quiet;

	cmp_opts_defaults(&cli.o);
	st_common_defaults(&c);
	err = st_parse_args(&spec, &c, argc, argv, &argi);
	if (err)
		return err > 0 ? 0 : 2;
	if (argc - argi != 2) {
		st_err("expected two inputs, BASE and NEW, got %d (see --help)", argc - argi);
		return 2;
	}
	err = compare_files(argv[argi], argv[argi + 1], &cli.o, d, &r);
	quiet = c.json_path && !strcmp(c.json_path, "-");
	if (!err && !quiet)
		print_text(&r, &d[0], &d[1], &cli.o);
	else if (!err)
		print_regressions(&r, stderr);
	if (!err && c.json_path && write_json(&r, &d[0], &d[1], &cli.o, c.json_path))
		err = 1;
	if (!err && cli.svg_path && write_svg(&d[0], &d[1], cli.svg_path))
		err = 1;
	if (!err)
		err = cmp_exit_status(&r);
	cmp_result_free(&r);
	cmp_doc_free(&d[0]);
	cmp_doc_free(&d[1]);
	return err;
}
