// SPDX-License-Identifier: GPL-2.0
/*
 * The rows of a comparison and their verdicts. Each row holds, for one
 * quantity (a phase's wall time, a category of it, an iolat component, a stack
 * or frame), the samples of both runs: per operation (nodestage), per request
 * (iolat, when the JSON has every request) or per process (offcpu, profile).
 * Significance is the Mann-Whitney U test on those samples; a regression is a
 * significant increase whose p50 or p99 grew by more than the threshold.
 */
#include "compare.h"
#include "nsmodel.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pairs for the exact Hodges-Lehmann estimate (32 MiB of differences). */
#define CMP_HL_MAX_PAIRS (4u << 20)

static const double pcts[CMP_NPCT] = { 50, 95, 99 };

void cmp_opts_defaults(struct cmp_opts *o)
{
	o->threshold_pct = 10;
	o->alpha = 0.05;
	o->top = 10;
	o->min_share_pct = 1;
}

const char *cmp_verdict_name(enum cmp_verdict v)
{
	static const char *const names[] = {
		[CMP_SAME] = "~",
		[CMP_FASTER] = "faster",
		[CMP_SLOWER] = "slower",
		[CMP_REGRESSION] = "REGRESSION",
		[CMP_UNTESTED] = "not tested",
		[CMP_TOO_FEW] = "too few",
	};

	return v <= CMP_TOO_FEW ? names[v] : "?";
}

double cmp_change_pct(double base, double new)
{
	if (base == 0)
		return new == 0 ? 0 : new > 0 ? INFINITY : -INFINITY;
	return (new - base) / base * 100.0;
}

int cmp_exit_status(const struct cmp_result *r)
{
	return r->nregress ? 4 : 0;
}

void cmp_result_free(struct cmp_result *r)
{
	size_t i;
	int k;

	for (i = 0; i < r->nrows; i++)
		free(r->rows[i].name);
	free(r->rows);
	for (k = 0; k < r->nnotes; k++)
		free(r->notes[k]);
	memset(r, 0, sizeof(*r));
}

void cmp__note(struct cmp_result *r, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	if (r->nnotes >= (int)ARRAY_SIZE(r->notes))
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) >= 0)
		r->notes[r->nnotes++] = s;
	va_end(ap);
}

struct cmp_row *cmp__new_row(struct cmp_result *r, const char *section, const char *name,
			     const char *part)
{
	struct cmp_row *w;

	if (r->nrows == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		struct cmp_row *n = realloc(r->rows, cap * sizeof(*n));

		if (!n)
			return NULL;
		r->rows = n;
		r->cap = cap;
	}
	w = &r->rows[r->nrows];
	memset(w, 0, sizeof(*w));
	w->name = strdup(name);
	if (!w->name)
		return NULL;
	w->section = section;
	w->part = part;
	w->shown = true;
	r->nrows++;
	return w;
}

int cmp__fill(struct cmp_row *w, double *a, size_t na, double *b, size_t nb, bool pct)
{
	int k;

	stats_sort(a, na);
	stats_sort(b, nb);
	w->n_base = na;
	w->n_new = nb;
	if (pct) {
		w->have_pct = true;
		for (k = 0; k < CMP_NPCT; k++) {
			w->base[k] = stats_percentile_sorted(a, na, pcts[k]);
			w->new[k] = stats_percentile_sorted(b, nb, pcts[k]);
		}
	}
	if (!na || !nb) {
		w->untested = !na ? "no samples in the base run" : "no samples in the new run";
		return 0;
	}
	w->shift = stats_hodges_lehmann(a, na, b, nb, CMP_HL_MAX_PAIRS, &w->shift_exact);
	return stats_mann_whitney(a, na, b, nb, &w->t);
}

static void judge(struct cmp_row *w, const struct cmp_opts *o, struct cmp_result *r)
{
	double d50 = cmp_change_pct(w->base[CMP_P50], w->new[CMP_P50]);
	double d99 = cmp_change_pct(w->base[CMP_P99], w->new[CMP_P99]);

	if (w->untested || !w->t.tested) {
		w->verdict = CMP_UNTESTED;
		if (!w->untested)
			w->untested = "no samples";
	} else if (w->t.p_min >= o->alpha) {
		w->verdict = CMP_TOO_FEW;
	} else if (w->q >= o->alpha) {
		w->verdict = CMP_SAME;
	} else if (w->t.z < 0) {
		w->verdict = CMP_FASTER;
	} else {
		w->verdict = CMP_SLOWER;
	}
	if (w->verdict != CMP_SLOWER || !w->have_pct)
		return;
	if (d50 > o->threshold_pct || d99 > o->threshold_pct) {
		bool use99 = !(d50 > o->threshold_pct) || d99 > d50;

		w->verdict = CMP_REGRESSION;
		w->trigger_pct = use99 ? CMP_P99 : CMP_P50;
		if (isinf(use99 ? d99 : d50))
			snprintf(w->trigger, sizeof(w->trigger), "%s from 0",
				 use99 ? "p99" : "p50");
		else
			snprintf(w->trigger, sizeof(w->trigger), "%s %+.1f%%",
				 use99 ? "p99" : "p50", use99 ? d99 : d50);
		r->nregress++;
	}
}

/* ---- nodestage: per operation, per phase and category -------------------------------- */

static const char *const ns_parts[] = { "wall", "kernel", "network", "target", "user", "wait" };

struct ns_side {
	json_object **ops; /* complete operations */
	size_t n, excluded;
};

static const char *jstr(json_object *o, const char *key)
{
	json_object *v = json_object_object_get(o, key);

	return v ? json_object_get_string(v) : "";
}

static double jnum(json_object *o, const char *key)
{
	json_object *v = json_object_object_get(o, key);

	return v ? json_object_get_double(v) : 0;
}

static int ns_side_init(struct ns_side *s, const struct cmp_doc *d)
{
	json_object *ops = json_object_object_get(d->root, "operations");
	size_t i, n = json_object_is_type(ops, json_type_array) ? json_object_array_length(ops) : 0;

	memset(s, 0, sizeof(*s));
	s->ops = calloc(n + 1, sizeof(*s->ops));
	if (!s->ops)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		json_object *op = json_object_array_get_idx(ops, i);

		if (json_object_get_boolean(json_object_object_get(op, "complete")))
			s->ops[s->n++] = op;
		else
			s->excluded++;
	}
	return 0;
}

/* The operation's value for (phase, part); false when it has no such phase. */
static bool ns_value(json_object *op, const char *phase, int part, double *out)
{
	json_object *phases;
	size_t i, n;
	bool seen = false;

	if (!strcmp(phase, "total")) {
		*out = part ? jnum(json_object_object_get(op, "categories_us"), ns_parts[part])
			    : jnum(op, "wall_us");
		return true;
	}
	*out = 0;
	phases = json_object_object_get(op, "phases");
	n = phases ? json_object_array_length(phases) : 0;
	for (i = 0; i < n; i++) {
		json_object *p = json_object_array_get_idx(phases, i);

		if (strcmp(jstr(p, "name"), phase))
			continue;
		/* a phase name repeated in one operation adds up, as in the summary */
		*out += part ? jnum(json_object_object_get(p, "categories_us"), ns_parts[part])
			     : jnum(p, "wall_us");
		seen = true;
	}
	return seen;
}

static size_t ns_samples(const struct ns_side *s, const char *kind, const char *phase, int part,
			 double *v)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		if ((!kind || !strcmp(jstr(s->ops[i], "kind"), kind)) &&
		    ns_value(s->ops[i], phase, part, &v[n]))
			n++;
	return n;
}

struct name_list {
	char *v[128];
	int n;
};

static void add_name(struct name_list *l, const char *s)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return;
	if (l->n < (int)ARRAY_SIZE(l->v))
		l->v[l->n++] = (char *)s;
}

/* Phase names in first-seen order (base, then new), then "total". */
static void ns_phases(const struct ns_side *s, int nsides, const char *kind, struct name_list *l)
{
	int k;
	size_t i, j;

	for (k = 0; k < nsides; k++)
		for (i = 0; i < s[k].n; i++) {
			json_object *ph = json_object_object_get(s[k].ops[i], "phases");

			if (kind && strcmp(jstr(s[k].ops[i], "kind"), kind))
				continue;
			for (j = 0; ph && j < json_object_array_length(ph); j++)
				add_name(l, jstr(json_object_array_get_idx(ph, j), "name"));
		}
	add_name(l, "total");
}

static bool all_zero(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] != 0)
			return false;
	return true;
}

static int ns_rows_for(struct cmp_result *r, const struct ns_side *s, const char *kind, bool prefix,
		       const struct cmp_opts *o, double *a, double *b)
{
	struct name_list l = { .n = 0 };
	char name[160];
	size_t na, nb;
	int i, part, err = 0;

	ns_phases(s, 2, kind, &l);
	for (i = 0; !err && i < l.n; i++)
		for (part = 0; !err && part < (int)ARRAY_SIZE(ns_parts); part++) {
			struct cmp_row *w;

			na = ns_samples(&s[0], kind, l.v[i], part, a);
			nb = ns_samples(&s[1], kind, l.v[i], part, b);
			if (part && all_zero(a, na) && all_zero(b, nb))
				continue; /* a category this phase never had */
			snprintf(name, sizeof(name), "%s%s%s", prefix ? kind : "",
				 prefix ? "/" : "", l.v[i]);
			w = cmp__new_row(r, "phase", name, ns_parts[part]);
			if (!w)
				return -ENOMEM;
			err = cmp__fill(w, a, na, b, nb, true);
		}
	return err;
}

static bool ns_has_kind(const struct ns_side *s, const char *kind)
{
	int k;
	size_t i;

	for (k = 0; k < 2; k++)
		for (i = 0; i < s[k].n; i++)
			if (!strcmp(jstr(s[k].ops[i], "kind"), kind))
				return true;
	return false;
}

static int run_nodestage(const struct cmp_doc *base, const struct cmp_doc *new,
			 const struct cmp_opts *o, struct cmp_result *r)
{
	struct ns_side s[2];
	bool mixed;
	double *a = NULL, *b = NULL;
	int err;

	r->sample_name = "operations";
	err = ns_side_init(&s[0], base);
	if (!err)
		err = ns_side_init(&s[1], new);
	if (!err) {
		a = calloc(s[0].n + 1, sizeof(*a));
		b = calloc(s[1].n + 1, sizeof(*b));
		if (!a || !b)
			err = -ENOMEM;
	}
	if (!err && (s[0].excluded || s[1].excluded))
		cmp__note(
		    r,
		    "operations that did not complete are left out: %zu in the base run, %zu in "
		    "the new run",
		    s[0].excluded, s[1].excluded);
	mixed = ns_has_kind(s, "stage") && ns_has_kind(s, "unstage");
	if (!err && (!mixed || ns_has_kind(s, "stage")))
		err = ns_rows_for(r, s, mixed ? "stage" : NULL, mixed, o, a, b);
	if (!err && mixed)
		err = ns_rows_for(r, s, "unstage", true, o, a, b);
	free(a);
	free(b);
	free(s[0].ops);
	free(s[1].ops);
	return err;
}

/* ---- iolat: per group and component ------------------------------------------------- */

static const char *const io_comps[] = { "total", "kernel", "network", "target" };

/* The group a slowest[] request falls in under each --by: dev+op, dev, op, proc. */
static void io_group_name(json_object *req, int by, char *buf, size_t len)
{
	switch (by) {
	case 0:
		snprintf(buf, len, "%s %s", jstr(req, "dev"), jstr(req, "op"));
		break;
	case 1:
		snprintf(buf, len, "%s", jstr(req, "dev"));
		break;
	case 2:
		snprintf(buf, len, "%s", jstr(req, "op"));
		break;
	default:
		snprintf(buf, len, "%.16s", jstr(req, "comm"));
	}
}

static json_object *io_group(json_object *groups, const char *name)
{
	size_t i, n = groups ? json_object_array_length(groups) : 0;

	for (i = 0; i < n; i++)
		if (!strcmp(jstr(json_object_array_get_idx(groups, i), "group"), name))
			return json_object_array_get_idx(groups, i);
	return NULL;
}

/*
 * slowest[] holds the N slowest requests only. When it holds every request
 * (N >= requests) and one --by grouping reproduces every group's count, it is
 * the full per-request sample; returns that grouping, or -1.
 */
static int io_full_samples(json_object *root)
{
	json_object *slow = json_object_object_get(root, "slowest");
	json_object *groups = json_object_object_get(root, "groups");
	size_t i, n = slow ? json_object_array_length(slow) : 0, g;
	size_t ng = groups ? json_object_array_length(groups) : 0;
	char name[96];
	int by;

	if (!n || (double)n != jnum(root, "requests"))
		return -1;
	for (by = 0; by < 4; by++) {
		bool ok = true;

		for (g = 0; ok && g < ng; g++) {
			json_object *grp = json_object_array_get_idx(groups, g);
			size_t cnt = 0;

			for (i = 0; i < n; i++) {
				io_group_name(json_object_array_get_idx(slow, i), by, name,
					      sizeof(name));
				cnt += !strcmp(name, jstr(grp, "group"));
			}
			ok = (double)cnt == jnum(grp, "count");
		}
		if (ok)
			return by;
	}
	return -1;
}

static size_t io_samples(json_object *root, int by, const char *group, int comp, double *v)
{
	json_object *slow = json_object_object_get(root, "slowest");
	size_t i, n = slow ? json_object_array_length(slow) : 0, k = 0;
	char name[96], field[32];

	snprintf(field, sizeof(field), "%s_us", io_comps[comp]);
	for (i = 0; i < n; i++) {
		json_object *req = json_object_array_get_idx(slow, i);

		io_group_name(req, by, name, sizeof(name));
		if (!strcmp(name, group))
			v[k++] = jnum(req, field);
	}
	return k;
}

static void io_pcts(json_object *grp, int comp, double *out)
{
	json_object *h = grp ? json_object_object_get(grp, io_comps[comp]) : NULL;

	out[CMP_P50] = jnum(h, "p50_us");
	out[CMP_P95] = jnum(h, "p95_us");
	out[CMP_P99] = jnum(h, "p99_us");
}

static const char *io_why_untested(const struct cmp_doc *d, bool exch)
{
	(void)d;
	if (exch)
		return "the JSON has percentiles of socket exchanges, not each exchange";
	return "the JSON has per-request samples only for the slowest requests "
	       "(re-run iolat with --top at least the request count)";
}

static int io_section(struct cmp_result *r, const struct cmp_doc *base, const struct cmp_doc *new,
		      const char *array, const struct cmp_opts *o, double *a, double *b)
{
	json_object *gb = json_object_object_get(base->root, array);
	json_object *gn = json_object_object_get(new->root, array);
	bool exch = !strcmp(array, "exchanges");
	int by_b = exch ? -1 : io_full_samples(base->root),
	    by_n = exch ? -1 : io_full_samples(new->root);
	struct name_list l = { .n = 0 };
	size_t i;
	int g, c, err = 0;

	for (i = 0; gb && i < json_object_array_length(gb); i++)
		add_name(&l, jstr(json_object_array_get_idx(gb, i), "group"));
	for (i = 0; gn && i < json_object_array_length(gn); i++)
		add_name(&l, jstr(json_object_array_get_idx(gn, i), "group"));
	for (g = 0; !err && g < l.n; g++)
		for (c = 0; !err && c < (int)ARRAY_SIZE(io_comps); c++) {
			json_object *xb = io_group(gb, l.v[g]), *xn = io_group(gn, l.v[g]);
			struct cmp_row *w =
			    cmp__new_row(r, exch ? "exchange" : "group", l.v[g], io_comps[c]);

			if (!w)
				return -ENOMEM;
			if (by_b >= 0 && by_n >= 0 && by_b == by_n) {
				size_t na = io_samples(base->root, by_b, l.v[g], c, a);
				size_t nb = io_samples(new->root, by_n, l.v[g], c, b);

				err = cmp__fill(w, a, na, b, nb, false);
			} else {
				w->untested = io_why_untested(by_b < 0 ? base : new, exch);
			}
			w->have_pct = true;
			w->n_base = (size_t)jnum(xb, "count");
			w->n_new = (size_t)jnum(xn, "count");
			io_pcts(xb, c, w->base);
			io_pcts(xn, c, w->new);
			if (!xb || !xn)
				w->untested = !xb ? "no such group in the base run"
						  : "no such group in the new run";
		}
	return err;
}

static int run_iolat(const struct cmp_doc *base, const struct cmp_doc *new,
		     const struct cmp_opts *o, struct cmp_result *r)
{
	json_object *sb = json_object_object_get(base->root, "slowest");
	json_object *sn = json_object_object_get(new->root, "slowest");
	size_t nb = sb ? json_object_array_length(sb) : 0,
	       nn = sn ? json_object_array_length(sn) : 0;
	double *a = calloc(nb + 1, sizeof(*a)), *b = calloc(nn + 1, sizeof(*b));
	int err = a && b ? 0 : -ENOMEM;

	r->sample_name = "requests";
	if (!err && (io_full_samples(base->root) < 0 || io_full_samples(new->root) < 0))
		cmp__note(
		    r,
		    "significance not tested: slowest[] holds %zu of %.0f requests (base) and %zu "
		    "of %.0f (new); a test on the slowest alone would be biased. Re-run iolat "
		    "with --top at least the request count to test per request.",
		    nb, jnum(base->root, "requests"), nn, jnum(new->root, "requests"));
	if (!err)
		err = io_section(r, base, new, "groups", o, a, b);
	if (!err)
		err = io_section(r, base, new, "exchanges", o, a, b);
	free(a);
	free(b);
	return err;
}

static int by_p(const void *x, const void *y)
{
	const struct cmp_row *a = *(const struct cmp_row *const *)x;
	const struct cmp_row *b = *(const struct cmp_row *const *)y;

	return a->t.p < b->t.p ? -1 : a->t.p > b->t.p;
}

/*
 * Many rows are tested at once (phases x categories, hundreds of frames): at
 * alpha 0.05 each, two runs of the same thing would raise a false alarm in a
 * third of comparisons. Benjamini-Hochberg adjusts the p-values (q) so that
 * the expected share of false discoveries stays below alpha, which is also
 * the chance of any false alarm when nothing changed. Rows that cannot reach
 * alpha whatever their data (too few samples) are left out of the family, as
 * in Tarone's procedure for discrete tests.
 */
static int adjust_fdr(struct cmp_result *r, const struct cmp_opts *o)
{
	struct cmp_row **fam = calloc(r->nrows + 1, sizeof(*fam));
	size_t i, m = 0;
	double q = 1;

	if (!fam)
		return -ENOMEM;
	for (i = 0; i < r->nrows; i++) {
		r->rows[i].q = 1;
		if (!r->rows[i].untested && r->rows[i].t.tested && r->rows[i].t.p_min < o->alpha)
			fam[m++] = &r->rows[i];
	}
	qsort(fam, m, sizeof(*fam), by_p);
	for (i = m; i-- > 0;) {
		q = fmin(q, fam[i]->t.p * (double)m / (double)(i + 1));
		fam[i]->q = fmin(q, 1.0);
	}
	r->family = m;
	free(fam);
	return 0;
}

/* The new run's value of the whole @w is part of: the operation's, or the group's total. */
static double whole_of(const struct cmp_result *r, const struct cmp_row *w, int k)
{
	const char *part = r->kind == CMP_NODESTAGE ? "wall" : "total";
	size_t i, plen = 0;
	char total[160];

	if (r->kind == CMP_NODESTAGE && !strncmp(w->name, "stage/", 6))
		plen = 6;
	else if (r->kind == CMP_NODESTAGE && !strncmp(w->name, "unstage/", 8))
		plen = 8;
	if (r->kind == CMP_NODESTAGE)
		snprintf(total, sizeof(total), "%.*stotal", (int)plen, w->name);
	else
		snprintf(total, sizeof(total), "%s", w->name);
	for (i = 0; i < r->nrows; i++)
		if (r->rows[i].section == w->section && !strcmp(r->rows[i].name, total) &&
		    !strcmp(r->rows[i].part, part))
			return r->rows[i].new[k];
	return 0;
}

/*
 * A significant jump of something tiny (0 -> 50us of network time in a 500 ms
 * staging, a stack at 0.1% of the run) is real but not a regression anyone
 * should be paged for: below min_share_pct of its whole it does not gate.
 */
static void apply_min_share(struct cmp_result *r, const struct cmp_opts *o)
{
	size_t i, n = 0;

	for (i = 0; i < r->nrows; i++) {
		struct cmp_row *w = &r->rows[i];
		double whole;
		bool material;

		if (w->verdict != CMP_REGRESSION)
			continue;
		if (!w->part) {
			material = 100 * w->share_new >= o->min_share_pct;
		} else {
			whole = whole_of(r, w, w->trigger_pct);
			material =
			    whole <= 0 || 100 * w->new[w->trigger_pct] >= o->min_share_pct *whole;
		}
		if (material)
			continue;
		w->verdict = CMP_SLOWER;
		w->immaterial = true;
		w->trigger[0] = '\0';
		r->nregress--;
		n++;
	}
	if (n)
		cmp__note(
		    r,
		    "%zu significant increase%s beyond the threshold did not gate: below %g%% of "
		    "%s (--min-share)",
		    n, n == 1 ? "" : "s", o->min_share_pct,
		    r->kind == CMP_NODESTAGE ? "the operation's total"
		    : r->kind == CMP_IOLAT   ? "the group's total"
					     : "the run");
}

/* Say once why some rows could not reach significance whatever their data. */
static void note_too_few(struct cmp_result *r, const struct cmp_opts *o)
{
	const struct cmp_row *w = NULL;
	size_t i, n = 0, lost = 0;

	for (i = 0; i < r->nrows; i++) {
		const struct cmp_row *x = &r->rows[i];

		if (x->verdict == CMP_TOO_FEW && x->shown) {
			w = w ? w : x;
			n++;
		}
		lost += x->verdict == CMP_SAME && x->t.p < o->alpha;
	}
	if (w)
		cmp__note(r,
			  "%zu row%s had too few %s to test: with %zu and %zu samples the smallest "
			  "possible p is %.3f, not below alpha %g (4 or more on each side are "
			  "needed at alpha 0.05)",
			  n, n == 1 ? "" : "s", r->sample_name, w->n_base, w->n_new, w->t.p_min,
			  o->alpha);
	if (lost)
		cmp__note(r,
			  "%zu row%s had p below %g but not q, after adjusting for the %zu rows "
			  "tested together: more %s per run would tell",
			  lost, lost == 1 ? "" : "s", o->alpha, r->family, r->sample_name);
}

int cmp_run(const struct cmp_doc *base, const struct cmp_doc *new, const struct cmp_opts *o,
	    struct cmp_result *r)
{
	size_t i;
	int err;

	memset(r, 0, sizeof(*r));
	r->kind = base->kind;
	r->unit = base->unit;
	switch (base->kind) {
	case CMP_NODESTAGE:
		err = run_nodestage(base, new, o, r);
		break;
	case CMP_IOLAT:
		err = run_iolat(base, new, o, r);
		break;
	default:
		err = cmp__run_stacks(base, new, o, r);
	}
	if (!err)
		err = adjust_fdr(r, o);
	for (i = 0; !err && i < r->nrows; i++) {
		judge(&r->rows[i], o, r);
		/* stack kinds show their top rows, and every regression */
		r->rows[i].shown |= r->rows[i].verdict == CMP_REGRESSION;
	}
	if (!err) {
		apply_min_share(r, o);
		note_too_few(r, o);
	}
	return err;
}
