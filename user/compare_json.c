// SPDX-License-Identifier: GPL-2.0
/* The comparison as JSON: schema "scaletrace.compare/1". */
#include "compare.h"

#include <math.h>
#include <string.h>

static const char *const pct_names[CMP_NPCT] = { "p50", "p95", "p99" };

static json_object *pct_obj(const double *v)
{
	json_object *o = json_object_new_object();
	int k;

	for (k = 0; k < CMP_NPCT; k++)
		json_object_object_add(o, pct_names[k], json_object_new_double(v[k]));
	return o;
}

/* Percent changes; null where the base is 0 (no finite change). */
static json_object *change_obj(const struct cmp_row *w)
{
	json_object *o = json_object_new_object();
	int k;

	for (k = 0; k < CMP_NPCT; k++) {
		double d = cmp_change_pct(w->base[k], w->new[k]);

		json_object_object_add(o, pct_names[k],
				       isinf(d) ? NULL : json_object_new_double(d));
	}
	return o;
}

static json_object *test_obj(const struct cmp_row *w)
{
	json_object *o;

	if (w->verdict == CMP_UNTESTED)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "u", json_object_new_double(w->t.u_b));
	json_object_object_add(o, "z", json_object_new_double(w->t.z));
	json_object_object_add(o, "p", json_object_new_double(w->t.p));
	json_object_object_add(o, "q", json_object_new_double(w->q));
	json_object_object_add(o, "p_min", json_object_new_double(w->t.p_min));
	json_object_object_add(o, "p_superiority", json_object_new_double(w->t.superior));
	json_object_object_add(o, "shift", json_object_new_double(w->shift));
	json_object_object_add(
	    o, "shift_method",
	    json_object_new_string(w->shift_exact ? "hodges-lehmann" : "median difference"));
	return o;
}

static json_object *row_obj(const struct cmp_row *w)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "section", json_object_new_string(w->section));
	json_object_object_add(o, "name", json_object_new_string(w->name));
	if (w->part)
		json_object_object_add(o, "part", json_object_new_string(w->part));
	json_object_object_add(o, "n_base", json_object_new_uint64(w->n_base));
	json_object_object_add(o, "n_new", json_object_new_uint64(w->n_new));
	if (w->have_pct) {
		json_object_object_add(o, "base", pct_obj(w->base));
		json_object_object_add(o, "new", pct_obj(w->new));
		json_object_object_add(o, "change_pct", change_obj(w));
	}
	if (!w->part) {
		double d = cmp_change_pct(w->sum_base, w->sum_new);

		json_object_object_add(o, "sum_base", json_object_new_double(w->sum_base));
		json_object_object_add(o, "sum_new", json_object_new_double(w->sum_new));
		json_object_object_add(o, "sum_change_pct",
				       isinf(d) ? NULL : json_object_new_double(d));
		json_object_object_add(o, "share_base", json_object_new_double(w->share_base));
		json_object_object_add(o, "share_new", json_object_new_double(w->share_new));
	}
	json_object_object_add(o, "test", test_obj(w));
	json_object_object_add(o, "verdict", json_object_new_string(cmp_verdict_name(w->verdict)));
	if (w->untested)
		json_object_object_add(o, "untested_reason", json_object_new_string(w->untested));
	if (w->immaterial)
		json_object_object_add(o, "below_min_share", json_object_new_boolean(1));
	if (w->trigger[0])
		json_object_object_add(o, "trigger", json_object_new_string(w->trigger));
	return o;
}

static json_object *side_obj(const struct cmp_doc *d, double total, bool stacks)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "path", json_object_new_string(d->name));
	json_object_object_add(o, "schema", json_object_new_string(d->schema));
	if (stacks)
		json_object_object_add(o, "total", json_object_new_double(total));
	return o;
}

json_object *cmp_result_json(const struct cmp_result *r, const struct cmp_doc *base,
			     const struct cmp_doc *new, const struct cmp_opts *o)
{
	json_object *root = json_object_new_object(), *rows = json_object_new_array();
	json_object *notes = json_object_new_array(), *regs = json_object_new_array();
	bool stacks = r->kind != CMP_NODESTAGE && r->kind != CMP_IOLAT;
	size_t i;
	int k;

	if (!root || !rows || !notes || !regs) {
		json_object_put(root);
		json_object_put(rows);
		json_object_put(notes);
		json_object_put(regs);
		return NULL;
	}
	json_object_object_add(root, "schema", json_object_new_string("scaletrace.compare/1"));
	json_object_object_add(root, "kind", json_object_new_string(cmp_kind_name(r->kind)));
	json_object_object_add(root, "unit", json_object_new_string(r->unit));
	json_object_object_add(root, "base", side_obj(base, r->total_base, stacks));
	json_object_object_add(root, "new", side_obj(new, r->total_new, stacks));
	json_object_object_add(root, "samples", json_object_new_string(r->sample_name));
	json_object_object_add(root, "test",
			       json_object_new_string("Mann-Whitney U, two-sided, normal "
						      "approximation with tie and continuity "
						      "correction"));
	json_object_object_add(root, "adjustment",
			       json_object_new_string("Benjamini-Hochberg: q = p adjusted over the "
						      "rows tested together"));
	json_object_object_add(root, "tested_rows", json_object_new_uint64(r->family));
	json_object_object_add(root, "percentiles", json_object_new_string("nearest rank"));
	json_object_object_add(root, "alpha", json_object_new_double(o->alpha));
	json_object_object_add(root, "threshold_pct", json_object_new_double(o->threshold_pct));
	json_object_object_add(root, "min_share_pct", json_object_new_double(o->min_share_pct));
	if (stacks) /* rows: the top ones of each section, and every regression */
		json_object_object_add(root, "top", json_object_new_int(o->top));
	for (i = 0; i < r->nrows; i++) {
		const struct cmp_row *w = &r->rows[i];

		if (w->shown)
			json_object_array_add(rows, row_obj(w));
		if (w->verdict == CMP_REGRESSION)
			json_object_array_add(regs, row_obj(w));
	}
	for (k = 0; k < r->nnotes; k++)
		json_object_array_add(notes, json_object_new_string(r->notes[k]));
	json_object_object_add(root, "rows", rows);
	json_object_object_add(root, "notes", notes);
	json_object_object_add(root, "regressions", regs);
	json_object_object_add(root, "regression", json_object_new_boolean(r->nregress > 0));
	json_object_object_add(root, "exit_status", json_object_new_int(cmp_exit_status(r)));
	return root;
}
