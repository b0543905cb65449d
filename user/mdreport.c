// SPDX-License-Identifier: GPL-2.0
/*
 * Markdown reports from nodestage and iolat JSON. Durations in the JSON are
 * integer microseconds; the report shows them in milliseconds with three
 * decimals, which is exact. Percentiles are nearest-rank over the operations,
 * the definition the tools' own summaries use.
 */
#include "mdreport.h"
#include "opts.h"
#include "output.h"
#include "report.h"
#include "stats.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MD_MAX_PHASES 64

static const char *const ns_cats[] = { "kernel", "network", "target", "user", "wait" };
static const char *const io_comps[] = { "total", "kernel", "network", "target" };
static const double pcts[] = { 50, 95, 99 };

struct md {
	FILE *f;
	json_object *root;
	const struct md_report_opts *o;
	bool iolat;
};

/* ---- JSON access --------------------------------------------------------------------- */

static json_object *jget(json_object *o, const char *key)
{
	json_object *v = NULL;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v = jget(o, key);

	return v ? json_object_get_string(v) : "";
}

static double jnum(json_object *o, const char *key)
{
	return json_object_get_double(jget(o, key));
}

static size_t jlen(json_object *a)
{
	return json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static json_object *jidx(json_object *a, size_t i)
{
	return json_object_array_get_idx(a, i);
}

/* ---- Markdown helpers ----------------------------------------------------------------- */

/* A table cell: '|' escaped, line breaks flattened. */
static void cell(FILE *f, const char *s)
{
	fputs(" ", f);
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
	fputs(" |", f);
}

static void cellf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cellf(FILE *f, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cell(f, buf);
}

/* Header row and alignment row; @right: bitmask of right-aligned (numeric) columns. */
static void table_head(FILE *f, const char *const *cols, int n, unsigned right)
{
	int i;

	fputs("\n|", f);
	for (i = 0; i < n; i++)
		cell(f, cols[i]);
	fputs("\n|", f);
	for (i = 0; i < n; i++)
		fputs(right & (1u << i) ? " ---: |" : " --- |", f);
	fputc('\n', f);
}

static void row_start(FILE *f)
{
	fputc('|', f);
}

static void row_end(FILE *f)
{
	fputc('\n', f);
}

static void cell_ms(FILE *f, double us)
{
	cellf(f, "%.3f", us / 1000.0);
}

static void cell_pct(FILE *f, double part, double whole)
{
	cellf(f, "%.1f%%", whole > 0 ? 100.0 * part / whole : 0.0);
}

/* ---- environment and methodology ------------------------------------------------------ */

static void cpu_model(const char *path, char *buf, size_t len)
{
	char *info = st_read_file(path ? path : "/proc/cpuinfo", 1 << 20, NULL), *p, *nl;

	snprintf(buf, len, "unknown");
	p = info ? strstr(info, "model name") : NULL;
	if (p && (p = strchr(p, ':'))) {
		p += 1 + strspn(p + 1, " \t");
		nl = strchr(p, '\n');
		snprintf(buf, len, "%.*s", nl ? (int)(nl - p) : (int)strlen(p), p);
	}
	free(info);
}

/* Distinct values of @key in the objects of @arr with how many objects have each. */
static void distinct(FILE *f, json_object *arr, const char *key, const char *what)
{
	const char *names[32];
	size_t counts[32] = { 0 }, i;
	int n = 0, k;
	char buf[512];
	size_t used = 0;

	for (i = 0; i < jlen(arr); i++) {
		const char *s = jstr(jidx(arr, i), key);

		for (k = 0; k < n && strcmp(names[k], s); k++)
			;
		if (k == n && n < 32)
			names[n++] = s;
		if (k < n)
			counts[k]++;
	}
	buf[0] = '\0';
	for (k = 0; k < n && used < sizeof(buf); k++)
		used +=
		    (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s (%zu %s)", k ? ", " : "",
				     names[k][0] ? names[k] : "unknown", counts[k], what);
	cell(f, n ? buf : "none seen");
}

static void env_row(FILE *f, const char *name)
{
	row_start(f);
	cell(f, name);
}

static void write_environment(struct md *m)
{
	static const char *const cols[] = { "Item", "Value" };
	json_object *bpf = jget(m->root, "bpf"), *ops = jget(m->root, "operations");
	json_object *slow = jget(m->root, "slowest"), *prec = jget(m->root, "precision");
	char cpu[256];

	fprintf(m->f, "\n## Environment\n");
	table_head(m->f, cols, 2, 0);
	env_row(m->f, "Kernel");
	cell(m->f, jstr(m->root, "kernel"));
	row_end(m->f);
	cpu_model(m->o->cpuinfo_path, cpu, sizeof(cpu));
	env_row(m->f, "CPU");
	cell(m->f, cpu);
	row_end(m->f);
	env_row(m->f, "Protocol(s)");
	if (m->iolat)
		distinct(m->f, slow, "proto", "of the slowest requests");
	else
		distinct(m->f, ops, "protocol", "operations");
	row_end(m->f);
	env_row(m->f, m->iolat ? "Processes" : "Plugin process");
	if (m->iolat)
		distinct(m->f, slow, "comm", "of the slowest requests");
	else
		distinct(m->f, ops, "plugin", "operations");
	row_end(m->f);
	env_row(m->f, "Sampling");
	if (jnum(jget(m->root, "drops"), "sampled_out") > 0)
		cellf(m->f, "--sample in use: %.0f skipped",
		      jnum(jget(m->root, "drops"), "sampled_out"));
	else
		cell(m->f, m->iolat ? "every request" : "every operation");
	row_end(m->f);
	env_row(m->f, "Precision");
	cell(m->f, prec ? json_object_get_string(prec)
			: "not recorded in this JSON (scaletrace doctor lists each probe's)");
	row_end(m->f);
	env_row(m->f, "BPF overhead");
	cellf(m->f, "peak %.3f%% of one CPU, budget %.3f%%, %zu budget action(s)",
	      jnum(bpf, "peak_cpu_pct"), jnum(bpf, "budget_pct"),
	      jlen(jget(bpf, "budget_actions")));
	row_end(m->f);
	env_row(m->f, "Schema");
	cell(m->f, jstr(m->root, "schema"));
	row_end(m->f);
}

static void write_drops(struct md *m)
{
	json_object *drops = jget(m->root, "drops");
	int shown = 0;

	fprintf(m->f, "- Drops:");
	json_object_object_foreach(drops, key, val)
	{
		if (!strcmp(key, "sampled_out") || json_object_get_double(val) <= 0)
			continue;
		fprintf(m->f, "%s %s %.0f", shown++ ? "," : "", key, json_object_get_double(val));
	}
	fprintf(m->f, "%s\n", shown ? " (events lost: the numbers below undercount)" : " none");
	if (jnum(drops, "sampled_out") > 0)
		fprintf(m->f, "- Skipped by --sample: %.0f\n", jnum(drops, "sampled_out"));
}

static void ns_counts(json_object *ops, size_t *complete, size_t *failed, size_t *stage)
{
	size_t i;

	*complete = *failed = *stage = 0;
	for (i = 0; i < jlen(ops); i++) {
		json_object *op = jidx(ops, i);

		if (json_object_get_boolean(jget(op, "complete")))
			(*complete)++;
		else if (jnum(op, "status") != 0)
			(*failed)++;
		*stage += !strcmp(jstr(op, "kind"), "stage");
	}
}

static void write_methodology(struct md *m)
{
	json_object *ops = jget(m->root, "operations");
	size_t n = jlen(ops), complete, failed, stage, i;
	double xchg = 0;

	fprintf(m->f, "\n## Methodology\n\n");
	fprintf(m->f, "- Traced for %.3f s with `scaletrace %s`\n", jnum(m->root, "duration_s"),
		m->iolat ? "iolat" : "nodestage");
	if (m->iolat) {
		for (i = 0; i < jlen(jget(m->root, "exchanges")); i++)
			xchg += jnum(jidx(jget(m->root, "exchanges"), i), "count");
		fprintf(m->f,
			"- Requests seen: %.0f (%.0f split from block events only); socket "
			"exchanges: %.0f\n",
			jnum(m->root, "requests"), jnum(m->root, "block_only_requests"), xchg);
		fprintf(m->f,
			"- Percentiles: the tool's log-linear histograms (within about 3%%)\n");
	} else {
		ns_counts(ops, &complete, &failed, &stage);
		fprintf(m->f,
			"- Operations seen: %zu (%zu complete, %zu failed, %zu incomplete); stage "
			"%zu, unstage %zu\n",
			n, complete, failed, n - complete - failed, stage, n - stage);
		fprintf(m->f, "- Percentiles: nearest rank over the operations that ran the phase; "
			      "a phase that ran twice in one operation counts once, summed\n");
	}
	write_drops(m);
	fprintf(m->f, "- Times are in milliseconds (the JSON's microseconds / 1000)\n");
}

/* ---- nodestage ---------------------------------------------------------------------- */

/* Per-operation values of @phase ("total" = the operation); @cat -1 = wall time. */
static size_t ns_values(json_object *ops, const char *phase, int cat, double *v)
{
	size_t i, j, n = 0;

	for (i = 0; i < jlen(ops); i++) {
		json_object *op = jidx(ops, i), *ph = jget(op, "phases");
		bool seen = false;
		double sum = 0;

		if (!strcmp(phase, "total")) {
			v[n++] = cat < 0 ? jnum(op, "wall_us")
					 : jnum(jget(op, "categories_us"), ns_cats[cat]);
			continue;
		}
		for (j = 0; j < jlen(ph); j++) {
			json_object *p = jidx(ph, j);

			if (strcmp(jstr(p, "name"), phase))
				continue;
			seen = true;
			sum += cat < 0 ? jnum(p, "wall_us")
				       : jnum(jget(p, "categories_us"), ns_cats[cat]);
		}
		if (seen)
			v[n++] = sum;
	}
	return n;
}

static int ns_phase_names(json_object *ops, const char **names)
{
	size_t i, j;
	int n = 0, k;

	for (i = 0; i < jlen(ops); i++)
		for (j = 0; j < jlen(jget(jidx(ops, i), "phases")); j++) {
			const char *s = jstr(jidx(jget(jidx(ops, i), "phases"), j), "name");

			for (k = 0; k < n && strcmp(names[k], s); k++)
				;
			if (k == n && n < MD_MAX_PHASES - 1)
				names[n++] = s;
		}
	names[n++] = "total";
	return n;
}

static double sum(const double *v, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += v[i];
	return s;
}

static void pct_cells(FILE *f, double *v, size_t n)
{
	size_t k;

	stats_sort(v, n);
	for (k = 0; k < ARRAY_SIZE(pcts); k++)
		cell_ms(f, stats_percentile_sorted(v, n, pcts[k]));
}

static void ns_wall_table(struct md *m, json_object *ops, const char **names, int nn, double *v)
{
	static const char *const cols[] = { "Phase",	"Operations", "p50 (ms)", "p95 (ms)",
					    "p99 (ms)", "Max (ms)",   "Mean (ms)" };
	size_t n;
	int i;

	fprintf(m->f, "\n### Wall time per phase\n");
	table_head(m->f, cols, 7, 0x7e);
	for (i = 0; i < nn; i++) {
		n = ns_values(ops, names[i], -1, v);
		row_start(m->f);
		cell(m->f, names[i]);
		cellf(m->f, "%zu", n);
		pct_cells(m->f, v, n);
		cell_ms(m->f, n ? v[n - 1] : 0);
		cell_ms(m->f, n ? sum(v, n) / (double)n : 0);
		row_end(m->f);
	}
}

static void ns_cat_table(struct md *m, json_object *ops, const char **names, int nn, double *v)
{
	static const char *const cols[] = { "Phase",	"Category", "p50 (ms)",
					    "p95 (ms)", "p99 (ms)", "Share of the phase" };
	double tot[ARRAY_SIZE(ns_cats)], all;
	size_t n, c;
	int i;

	fprintf(m->f, "\n### Categories per phase\n\nShare: the category's time over the sum of "
		      "all categories of the phase, across operations. Categories at 0 in every "
		      "operation are left out. target = TrueNAS.\n");
	table_head(m->f, cols, 6, 0x3c);
	for (i = 0; i < nn; i++) {
		for (c = 0, all = 0; c < ARRAY_SIZE(ns_cats); c++) {
			n = ns_values(ops, names[i], (int)c, v);
			tot[c] = sum(v, n);
			all += tot[c];
		}
		for (c = 0; c < ARRAY_SIZE(ns_cats); c++) {
			if (tot[c] <= 0)
				continue;
			n = ns_values(ops, names[i], (int)c, v);
			row_start(m->f);
			cell(m->f, names[i]);
			cell(m->f, ns_cats[c]);
			pct_cells(m->f, v, n);
			cell_pct(m->f, tot[c], all);
			row_end(m->f);
		}
	}
}

static void ns_slos(struct md *m, json_object *ops, double *v)
{
	static const char *const cols[] = { "Objective", "Operations", "Observed (ms)",
					    "Limit (ms)", "Status" };
	json_object *slos = jget(m->root, "slos");
	size_t i, n;

	fprintf(m->f, "\n## SLO status\n\n");
	if (!jlen(slos)) {
		fprintf(m->f, "No SLO was set for this run (`scaletrace nodestage --slo "
			      "PHASE:pNN<LIMIT`).\n");
		return;
	}
	fprintf(m->f, "The tool's verdict: **%s**.\n",
		json_object_get_boolean(jget(m->root, "slo_violated")) ? "violated" : "met");
	table_head(m->f, cols, 5, 0xe);
	for (i = 0; i < jlen(slos); i++) {
		json_object *s = jidx(slos, i);
		double got;

		n = ns_values(ops, jstr(s, "phase"), -1, v);
		got = stats_percentile(v, n, jnum(s, "percentile"));
		row_start(m->f);
		cellf(m->f, "%s p%g", jstr(s, "phase"), jnum(s, "percentile"));
		cellf(m->f, "%zu", n);
		if (n)
			cell_ms(m->f, got);
		else
			cell(m->f, "-");
		cell_ms(m->f, jnum(s, "limit_us"));
		cell(m->f, !n			       ? "no operation had the phase"
			   : got > jnum(s, "limit_us") ? "VIOLATED"
						       : "met");
		row_end(m->f);
	}
}

struct contrib {
	json_object *op, *ph;
	double wall;
};

static int by_wall_desc(const void *a, const void *b)
{
	const struct contrib *x = a, *y = b;

	if (x->wall != y->wall)
		return x->wall < y->wall ? 1 : -1;
	return strcmp(jstr(x->ph, "name"), jstr(y->ph, "name"));
}

/* What the phase did, from its counters: the numbers behind its category split. */
static void evidence(FILE *f, json_object *p)
{
	static const struct {
		const char *key, *label;
		double div;
		int decimals;
	} items[] = {
		{ "ios", "I/Os", 1, 0 },
		{ "bytes_read", "KiB read", 1024, 1 },
		{ "bytes_written", "KiB written", 1024, 1 },
		{ "bytes_discarded", "KiB discarded", 1024, 1 },
		{ "exchanges", "exchanges with the target", 1, 0 },
	};
	char buf[256];
	size_t i, used = 0;

	for (i = 0; i < ARRAY_SIZE(items) && used < sizeof(buf); i++) {
		double v = jnum(p, items[i].key);

		if (v > 0)
			used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%.*f %s",
						 used ? ", " : "", items[i].decimals,
						 v / items[i].div, items[i].label);
	}
	cell(f, used ? buf : "no block I/O, no exchange with the target");
}

static void ns_dominant(FILE *f, json_object *p, double wall)
{
	json_object *cats = jget(p, "categories_us");
	size_t c, best = 0;

	for (c = 1; c < ARRAY_SIZE(ns_cats); c++)
		if (jnum(cats, ns_cats[c]) > jnum(cats, ns_cats[best]))
			best = c;
	cell(f, ns_cats[best]);
	cell_pct(f, jnum(cats, ns_cats[best]), wall);
}

static void ns_contributors(struct md *m, json_object *ops)
{
	static const char *const cols[] = { "#",     "Operation", "Volume",    "Protocol",
					    "Phase", "Process",	  "Wall (ms)", "Dominant",
					    "Share", "Evidence" };
	struct contrib *all;
	size_t i, j, n = 0;
	int top = m->o->top > 0 ? m->o->top : 5;

	for (i = 0; i < jlen(ops); i++)
		n += jlen(jget(jidx(ops, i), "phases"));
	fprintf(m->f,
		"\n## Top contributors\n\nThe longest phases of single operations, with "
		"the category that dominated them (share of the phase's wall time).%s\n",
		m->o->svg_path || m->o->folded_path ? " Their stacks are in the flamegraph and "
						      "folded files linked below."
						    : "");
	all = calloc(n + 1, sizeof(*all));
	if (!all)
		return;
	for (i = 0, n = 0; i < jlen(ops); i++)
		for (j = 0; j < jlen(jget(jidx(ops, i), "phases")); j++) {
			json_object *p = jidx(jget(jidx(ops, i), "phases"), j);

			all[n++] = (struct contrib){ jidx(ops, i), p, jnum(p, "wall_us") };
		}
	qsort(all, n, sizeof(*all), by_wall_desc);
	table_head(m->f, cols, 10, 0x141);
	for (i = 0; i < n && i < (size_t)top; i++) {
		row_start(m->f);
		cellf(m->f, "%zu", i + 1);
		cellf(m->f, "%s %.0f", jstr(all[i].op, "kind"), jnum(all[i].op, "id"));
		cell(m->f, jstr(all[i].op, "volume"));
		cell(m->f, jstr(all[i].op, "protocol"));
		cell(m->f, jstr(all[i].ph, "name"));
		cell(m->f, jstr(all[i].ph, "process"));
		cell_ms(m->f, all[i].wall);
		ns_dominant(m->f, all[i].ph, all[i].wall);
		evidence(m->f, all[i].ph);
		row_end(m->f);
	}
	free(all);
}

static void ns_summary(struct md *m, json_object *ops, double *v)
{
	size_t n = ns_values(ops, "total", -1, v);

	fprintf(m->f, "\n## Summary\n\n- Operations: %zu\n", n);
	if (n) {
		stats_sort(v, n);
		fprintf(m->f, "- Total wall time: p50 %.3f ms, p99 %.3f ms\n",
			stats_percentile_sorted(v, n, 50) / 1000.0,
			stats_percentile_sorted(v, n, 99) / 1000.0);
	}
	if (jlen(jget(m->root, "slos")))
		fprintf(m->f, "- SLO: %s\n",
			json_object_get_boolean(jget(m->root, "slo_violated")) ? "violated"
									       : "met");
}

static int write_nodestage(struct md *m)
{
	json_object *ops = jget(m->root, "operations");
	const char *names[MD_MAX_PHASES];
	double *v = calloc(jlen(ops) + 1, sizeof(*v));
	int nn;

	if (!v)
		return -ENOMEM;
	nn = ns_phase_names(ops, names);
	ns_summary(m, ops, v);
	write_environment(m);
	write_methodology(m);
	fprintf(m->f, "\n## Percentiles\n");
	if (jlen(ops)) {
		ns_wall_table(m, ops, names, nn, v);
		ns_cat_table(m, ops, names, nn, v);
	} else {
		fprintf(m->f, "\nNo operation was seen.\n");
	}
	ns_slos(m, ops, v);
	if (jlen(ops))
		ns_contributors(m, ops);
	else
		fprintf(m->f, "\n## Top contributors\n\nNo operation was seen.\n");
	free(v);
	return 0;
}

/* ---- iolat ---------------------------------------------------------------------------- */

static void io_table(struct md *m, json_object *groups, const char *title, const char *first)
{
	static const char *const hdr[] = { NULL,       "Count",	   "Component", "p50 (ms)",
					   "p95 (ms)", "p99 (ms)", "Max (ms)",	"Mean (ms)" };
	const char *cols[8];
	size_t i, c;

	memcpy(cols, hdr, sizeof(cols));
	cols[0] = first;
	fprintf(m->f, "\n### %s\n", title);
	if (!jlen(groups)) {
		fprintf(m->f, "\nNone seen.\n");
		return;
	}
	table_head(m->f, cols, 8, 0xfa);
	for (i = 0; i < jlen(groups); i++)
		for (c = 0; c < ARRAY_SIZE(io_comps); c++) {
			json_object *g = jidx(groups, i), *h = jget(g, io_comps[c]);

			row_start(m->f);
			cell(m->f, jstr(g, "group"));
			cellf(m->f, "%.0f", jnum(g, "count"));
			cell(m->f, io_comps[c]);
			cell_ms(m->f, jnum(h, "p50_us"));
			cell_ms(m->f, jnum(h, "p95_us"));
			cell_ms(m->f, jnum(h, "p99_us"));
			cell_ms(m->f, jnum(h, "max_us"));
			cell_ms(m->f, jnum(h, "mean_us"));
			row_end(m->f);
		}
}

static void io_contributors(struct md *m)
{
	static const char *const cols[] = { "#",	   "Process",	  "PID",
					    "Device",	   "Op",	  "Bytes",
					    "Total (ms)",  "Kernel (ms)", "Network (ms)",
					    "Target (ms)", "RTT (ms)",	  "Retransmitted" };
	json_object *slow = jget(m->root, "slowest");
	int top = m->o->top > 0 ? m->o->top : 5;
	size_t i;

	fprintf(m->f, "\n## Top contributors\n\nThe slowest requests, split into kernel, network "
		      "and target (TrueNAS) time.\n");
	if (!jlen(slow)) {
		fprintf(m->f, "\nNo request was seen.\n");
		return;
	}
	table_head(m->f, cols, 12, 0x7e5);
	for (i = 0; i < jlen(slow) && i < (size_t)top; i++) {
		json_object *s = jidx(slow, i);

		row_start(m->f);
		cellf(m->f, "%zu", i + 1);
		cell(m->f, jstr(s, "comm"));
		cellf(m->f, "%.0f", jnum(s, "pid"));
		cell(m->f, jstr(s, "dev"));
		cell(m->f, jstr(s, "op"));
		cellf(m->f, "%.0f", jnum(s, "bytes"));
		cell_ms(m->f, jnum(s, "total_us"));
		cell_ms(m->f, jnum(s, "kernel_us"));
		cell_ms(m->f, jnum(s, "network_us"));
		cell_ms(m->f, jnum(s, "target_us"));
		cell_ms(m->f, jnum(s, "rtt_us"));
		cell(m->f, json_object_get_boolean(jget(s, "retransmitted")) ? "yes" : "no");
		row_end(m->f);
	}
}

static int write_iolat(struct md *m)
{
	fprintf(m->f, "\n## Summary\n\n- Requests: %.0f in %zu group(s)\n",
		jnum(m->root, "requests"), jlen(jget(m->root, "groups")));
	write_environment(m);
	write_methodology(m);
	fprintf(m->f, "\n## Percentiles\n");
	io_table(m, jget(m->root, "groups"), "Requests per group", "Group");
	io_table(m, jget(m->root, "exchanges"), "Socket exchanges (last send to first receive)",
		 "Exchange");
	fprintf(m->f, "\n## SLO status\n\niolat checks no SLO: none was set.\n");
	io_contributors(m);
	return 0;
}

/* ---- the document ----------------------------------------------------------------------- */

static void md_link(FILE *f, const char *what, const char *path)
{
	if (path && strcmp(path, "-"))
		fprintf(f, "- %s: [%s](<%s>)\n", what, path, path);
}

static void write_files(struct md *m)
{
	const struct md_report_opts *o = m->o;
	bool any = (o->svg_path && strcmp(o->svg_path, "-")) ||
		   (o->json_path && strcmp(o->json_path, "-")) ||
		   (o->folded_path && strcmp(o->folded_path, "-"));

	fprintf(m->f, "\n## Files\n\n");
	if (!any)
		fprintf(m->f, "No other file was written with this report.\n");
	md_link(m->f, "Flamegraph (SVG)", o->svg_path);
	md_link(m->f, "Full data (JSON)", o->json_path);
	md_link(m->f, "Folded stacks", o->folded_path);
}

int md_report_fprint(json_object *root, FILE *out, const struct md_report_opts *o)
{
	static const struct md_report_opts none;
	const char *schema = jstr(root, "schema");
	struct md m = { out, root, o ? o : &none, false };
	int err;

	if (!strcmp(schema, "scaletrace.iolat/1")) {
		m.iolat = true;
	} else if (strcmp(schema, "scaletrace.nodestage/1")) {
		st_err("a Markdown report needs nodestage or iolat JSON, not '%s'",
		       schema[0] ? schema : "(no schema)");
		return -EINVAL;
	}
	if (m.o->title)
		fprintf(out, "# %s\n", m.o->title);
	else
		fprintf(out, "# scaletrace %s report\n", m.iolat ? "iolat" : "nodestage");
	err = m.iolat ? write_iolat(&m) : write_nodestage(&m);
	if (!err)
		write_files(&m);
	return err;
}

int md_report_outputs(json_object *root, const struct st_common *c, const char *report_path,
		      int top)
{
	const struct md_report_opts o = {
		.svg_path = c->svg_path,
		.json_path = c->json_path,
		.folded_path = c->folded_path,
		.top = top,
	};
	int err = c->json_path ? st_json_write(root, c->json_path) : 0;

	if (!err && report_path)
		err = md_report_write(root, report_path, &o);
	return err;
}

int md_report_write(json_object *root, const char *path, const struct md_report_opts *o)
{
	struct st_out out;
	int err = st_out_open(&out, path);

	if (err)
		return err;
	err = md_report_fprint(root, out.f, o);
	if (err) {
		st_out_abort(&out);
		return err;
	}
	return st_out_commit(&out);
}
