// SPDX-License-Identifier: GPL-2.0
#include "nsreport.h"
#include "mdreport.h"
#include "fold.h"
#include "report.h"
#include "session.h"
#include "table.h"
#include "util.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int ns_parse_slo(const char *s, struct ns_slo *out)
{
	const char *colon = strchr(s, ':'), *lt;
	char pct[16];
	double p;

	memset(out, 0, sizeof(*out));
	if (!colon || colon == s || (size_t)(colon - s) >= sizeof(out->phase))
		return -EINVAL;
	lt = strchr(colon, '<');
	if (!lt || colon[1] != 'p' || lt - colon - 2 <= 0 || lt - colon - 2 >= (int)sizeof(pct))
		return -EINVAL;
	snprintf(out->phase, sizeof(out->phase), "%.*s", (int)(colon - s), s);
	snprintf(pct, sizeof(pct), "%.*s", (int)(lt - colon - 2), colon + 2);
	if (st_parse_double(pct, 1, 100, &p))
		return -EINVAL;
	out->pct = p;
	if (st_parse_duration(lt + 1, NSEC_PER_SEC, &out->limit_ns) || !out->limit_ns)
		return -EINVAL;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t ns_percentile(uint64_t *v, size_t n, double pct)
{
	size_t rank;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	rank = (size_t)((pct / 100.0) * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	return v[(rank > n ? n : rank) - 1];
}

static enum nsm_cat dominant(const uint64_t *cat)
{
	int c, best = 0;

	for (c = 1; c < NSM_CAT_NR; c++)
		if (cat[c] > cat[best])
			best = c;
	return (enum nsm_cat)best;
}

static void fmt_bytes(uint64_t b, char *buf, size_t len)
{
	if (b >= (1ULL << 30))
		snprintf(buf, len, "%.1f GiB", (double)b / (double)(1ULL << 30));
	else if (b >= (1ULL << 20))
		snprintf(buf, len, "%.1f MiB", (double)b / (double)(1ULL << 20));
	else
		snprintf(buf, len, "%.0f KiB", (double)b / 1024.0);
}

void ns_contributor(const struct nsm_op *op, const struct nsm_phase *p, char *buf, size_t len)
{
	static const char *const verbs[] = { "read", "wrote", "discarded", "transferred" };
	uint64_t wall = p->end - p->start;
	enum nsm_cat d = dominant(p->cat);
	char dur[16], bytes[32], what[160];
	int i, best = -1;

	for (i = 0; i < 4; i++)
		if (p->io_bytes[i] && (best < 0 || p->io_bytes[i] > p->io_bytes[best]))
			best = i;
	if (best >= 0) {
		fmt_bytes(p->io_bytes[best], bytes, sizeof(bytes));
		snprintf(what, sizeof(what), "%s %s %s", p->comm, verbs[best], bytes);
	} else if (p->exchanges) {
		snprintf(what, sizeof(what), "%s in %s: %llu exchanges with the target", p->comm,
			 p->name, (unsigned long long)p->exchanges);
	} else if (d == NSM_WAIT) {
		snprintf(what, sizeof(what), "%s slept in %s", p->comm, p->name);
	} else {
		snprintf(what, sizeof(what), "%s in %s", p->comm, p->name);
	}
	snprintf(buf, len, "%s: %s, %.0f%% %s (%s %s, %s)", what,
		 st_fmt_duration(wall, dur, sizeof(dur)),
		 wall ? 100.0 * (double)p->cat[d] / (double)wall : 0.0,
		 d == NSM_TARGET ? "target (TrueNAS)" : nsm_cat_name(d), op->volume,
		 op->proto[0] ? op->proto : "-", p->name);
}

int ns_report_init(struct ns_report *r, const struct ns_opts *o)
{
	memset(r, 0, sizeof(*r));
	r->o = o;
	r->quiet = o->c->json_path && !strcmp(o->c->json_path, "-");
	r->fold = fold__new();
	r->phase_fold = fold__new();
	return r->fold && r->phase_fold ? 0 : -ENOMEM;
}

void ns_report_free(struct ns_report *r)
{
	size_t i;

	for (i = 0; i < r->nops; i++)
		free(r->ops[i].op.phases);
	free(r->ops);
	fold__free(r->fold);
	fold__free(r->phase_fold);
	memset(r, 0, sizeof(*r));
}

static void print_op_line(const struct nsm_op *op, int64_t mono_to_real)
{
	uint64_t wall = op->end - op->start;
	time_t t = (time_t)(((int64_t)op->end + mono_to_real) / 1000000000);
	char d[16], pd[16];
	struct tm tm;
	int i, c;

	localtime_r(&t, &tm);
	printf("%02d:%02d:%02d %-7s %-12s %-5s %8s %-10s", tm.tm_hour, tm.tm_min, tm.tm_sec,
	       op->kind == CSI_UNSTAGE ? "UNSTAGE" : "STAGE", op->volume[0] ? op->volume : "?",
	       op->proto[0] ? op->proto : "-", st_fmt_duration(wall, d, sizeof(d)),
	       op->complete ? "ok"
	       : op->status ? "failed"
			    : "incomplete");
	for (c = 0; c < NSM_CAT_NR; c++)
		printf(" %s %2.0f%%", c == NSM_TARGET ? "truenas" : nsm_cat_name(c),
		       wall ? 100.0 * (double)op->cat[c] / (double)wall : 0.0);
	printf("  [");
	for (i = 0; i < op->nphases; i++)
		printf("%s%s %s", i ? ", " : "", op->phases[i].name,
		       st_fmt_duration(op->phases[i].end - op->phases[i].start, pd, sizeof(pd)));
	printf("]");
	if (op->pv[0] && strcmp(op->pv, op->volume))
		printf(" pv %s", op->pv);
	if (op->pod_uid[0])
		printf(" pod %s", op->pod_uid);
	if (op->container_id[0]) /* the short form of docker / crictl ps */
		printf(" container %.12s", op->container_id);
	printf("\n");
	fflush(stdout);
}

void ns_report_op(struct ns_report *r, const struct nsm_op *op, int64_t mono_to_real)
{
	struct ns_oprec *rec;

	if (!r->quiet)
		print_op_line(op, mono_to_real);
	if (r->nops == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct ns_oprec *n = realloc(r->ops, cap * sizeof(*n));

		if (!n)
			return;
		r->ops = n;
		r->cap = cap;
	}
	rec = &r->ops[r->nops];
	rec->op = *op;
	rec->op.phases = malloc(sizeof(*op->phases) * (size_t)(op->nphases ? op->nphases : 1));
	if (!rec->op.phases)
		return;
	memcpy(rec->op.phases, op->phases, sizeof(*op->phases) * (size_t)op->nphases);
	r->nops++;
}

void ns_report_fold(struct ns_report *r, const struct nsm_op *op, const char *const *fr, int n,
		    uint64_t us)
{
	(void)op;
	fold__add(r->fold, fr, n, us);
	if (n > 2)
		fold__add(r->phase_fold, fr + 2, n - 2, us);
}

/* ---- the summary ------------------------------------------------------------------ */

/* Distinct phase names in first-seen order across operations. */
static int phase_names(const struct ns_report *r, const char **names, int max)
{
	size_t i;
	int j, k, n = 0;

	for (i = 0; i < r->nops; i++)
		for (j = 0; j < r->ops[i].op.nphases; j++) {
			const char *nm = r->ops[i].op.phases[j].name;

			for (k = 0; k < n && strcmp(names[k], nm); k++)
				;
			if (k == n && n < max)
				names[n++] = nm;
		}
	return n;
}

/* Durations of @phase (or "total") across operations; returns how many. */
static size_t collect(const struct ns_report *r, const char *phase, uint64_t *v, uint64_t *cat)
{
	size_t i, n = 0;
	int j, c;

	for (i = 0; i < r->nops; i++) {
		const struct nsm_op *op = &r->ops[i].op;
		uint64_t d = 0;
		bool seen = false;

		if (!strcmp(phase, "total")) {
			d = op->end - op->start;
			seen = true;
			for (c = 0; cat && c < NSM_CAT_NR; c++)
				cat[c] += op->cat[c];
		}
		for (j = 0; !seen && j < op->nphases; j++)
			if (!strcmp(op->phases[j].name, phase)) {
				d += op->phases[j].end - op->phases[j].start;
				for (c = 0; cat && c < NSM_CAT_NR; c++)
					cat[c] += op->phases[j].cat[c];
				seen = true;
				/* a phase name repeated in one operation adds up */
				while (++j < op->nphases)
					if (!strcmp(op->phases[j].name, phase)) {
						d += op->phases[j].end - op->phases[j].start;
						for (c = 0; cat && c < NSM_CAT_NR; c++)
							cat[c] += op->phases[j].cat[c];
					}
			}
		if (seen)
			v[n++] = d;
	}
	return n;
}

static void phase_row(struct st_table *t, const struct ns_report *r, const char *phase, uint64_t *v)
{
	uint64_t cat[NSM_CAT_NR] = { 0 }, all = 0;
	char p[3][16], sh[NSM_CAT_NR][8];
	size_t n = collect(r, phase, v, cat);
	int c;

	if (!n)
		return;
	for (c = 0; c < NSM_CAT_NR; c++)
		all += cat[c];
	for (c = 0; c < NSM_CAT_NR; c++)
		snprintf(sh[c], sizeof(sh[c]), "%.0f%%",
			 all ? 100.0 * (double)cat[c] / (double)all : 0);
	st_table__rowf(t, "%s\t%zu\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", phase, n,
		       st_fmt_duration(ns_percentile(v, n, 50), p[0], sizeof(p[0])),
		       st_fmt_duration(ns_percentile(v, n, 95), p[1], sizeof(p[1])),
		       st_fmt_duration(ns_percentile(v, n, 99), p[2], sizeof(p[2])), sh[0], sh[1],
		       sh[2], sh[3], sh[4]);
}

static void print_phase_table(const struct ns_report *r)
{
	const char *names[64];
	uint64_t *v = calloc(r->nops + 1, sizeof(*v));
	struct st_table *t = st_table__new(10, 0x3fe);
	int i, n = phase_names(r, names, 64);

	if (!v || !t)
		goto out;
	st_table__rowf(t, "PHASE\tOPS\tp50\tp95\tp99\tkernel\tnetwork\ttruenas\tuser\twait");
	for (i = 0; i < n; i++)
		phase_row(t, r, names[i], v);
	phase_row(t, r, "total", v);
	printf("\nper phase across %zu operations (wall time percentiles, category shares):\n",
	       r->nops);
	st_table__print(t, stdout, 2);
out:
	st_table__free(t);
	free(v);
}

struct top_ctx {
	const char *phase;
	size_t plen;
	int left;
};

static int print_phase_stack(const char *path, uint64_t us, void *ctx)
{
	struct top_ctx *t = ctx;

	if (t->left <= 0 || strncmp(path, t->phase, t->plen) || path[t->plen] != ';')
		return 0;
	printf("    %9.1f ms  %s\n", (double)us / 1e3, path + t->plen + 1);
	t->left--;
	return 0;
}

static void print_top_stacks(const struct ns_report *r)
{
	const char *names[64];
	int i, n = phase_names(r, names, 64);

	if (!fold__count(r->phase_fold))
		return;
	printf("\ntop stacks per phase (process;stack;[category], time summed over operations):\n");
	for (i = 0; i < n; i++) {
		struct top_ctx t = { names[i], strlen(names[i]), 3 };

		printf("  %s\n", names[i]);
		fold__visit_top(r->phase_fold, (size_t)-1, print_phase_stack, &t);
	}
}

struct contrib {
	const struct nsm_op *op;
	const struct nsm_phase *ph;
};

static int by_wall_desc(const void *a, const void *b)
{
	const struct nsm_phase *x = ((const struct contrib *)a)->ph;
	const struct nsm_phase *y = ((const struct contrib *)b)->ph;
	uint64_t dx = x->end - x->start, dy = y->end - y->start;

	return dx < dy ? 1 : dx > dy ? -1 : strcmp(x->name, y->name);
}

static void print_contributors(const struct ns_report *r)
{
	struct contrib *all;
	size_t i, n = 0;
	int j;
	char line[320];

	for (i = 0; i < r->nops; i++)
		n += (size_t)r->ops[i].op.nphases;
	all = calloc(n ? n : 1, sizeof(*all));
	if (!all)
		return;
	n = 0;
	for (i = 0; i < r->nops; i++)
		for (j = 0; j < r->ops[i].op.nphases; j++)
			all[n++] = (struct contrib){ &r->ops[i].op, &r->ops[i].op.phases[j] };
	qsort(all, n, sizeof(*all), by_wall_desc);
	if (n)
		printf("\nbiggest contributors:\n");
	for (i = 0; i < n && i < (size_t)r->o->top; i++) {
		ns_contributor(all[i].op, all[i].ph, line, sizeof(line));
		printf("  %zu. %s\n", i + 1, line);
	}
	free(all);
}

/* ---- SLOs --------------------------------------------------------------------------- */

static void check_slos(struct ns_report *r)
{
	uint64_t *v = calloc(r->nops + 1, sizeof(*v));
	char a[16], b[16];
	int s;

	if (!v)
		return;
	for (s = 0; s < r->o->nslo; s++) {
		const struct ns_slo *slo = &r->o->slo[s];
		size_t n = collect(r, slo->phase, v, NULL), i;
		uint64_t got = ns_percentile(v, n, slo->pct);
		int j;

		if (!n) {
			st_warn("SLO %s:p%g: no operation had that phase", slo->phase, slo->pct);
			continue;
		}
		if (got <= slo->limit_ns) {
			if (!r->quiet)
				printf("SLO ok: %s p%g %s <= %s\n", slo->phase, slo->pct,
				       st_fmt_duration(got, a, sizeof(a)),
				       st_fmt_duration(slo->limit_ns, b, sizeof(b)));
			continue;
		}
		r->slo_violated = true;
		fprintf(r->quiet ? stderr : stdout, "SLO VIOLATED: %s p%g %s > %s; operations:\n",
			slo->phase, slo->pct, st_fmt_duration(got, a, sizeof(a)),
			st_fmt_duration(slo->limit_ns, b, sizeof(b)));
		for (i = 0; i < r->nops; i++) {
			const struct nsm_op *op = &r->ops[i].op;
			uint64_t d = !strcmp(slo->phase, "total") ? op->end - op->start : 0;

			for (j = 0; j < op->nphases; j++)
				if (!strcmp(op->phases[j].name, slo->phase))
					d += op->phases[j].end - op->phases[j].start;
			if (d > slo->limit_ns)
				fprintf(r->quiet ? stderr : stdout, "  op %d %s: %s %s\n", op->id,
					op->volume, slo->phase, st_fmt_duration(d, a, sizeof(a)));
		}
	}
	free(v);
}

/* ---- JSON --------------------------------------------------------------------------- */

static json_object *json_cats(const uint64_t *cat)
{
	json_object *o = json_object_new_object();
	int c;

	for (c = 0; c < NSM_CAT_NR; c++)
		json_object_object_add(o, nsm_cat_name(c), json_object_new_uint64(cat[c] / 1000));
	return o;
}

static json_object *json_op(const struct nsm_op *op, int64_t mono_to_real)
{
	json_object *o = json_object_new_object(), *ph = json_object_new_array();
	int i;

	json_object_object_add(o, "id", json_object_new_int(op->id));
	json_object_object_add(
	    o, "kind", json_object_new_string(op->kind == CSI_UNSTAGE ? "unstage" : "stage"));
	json_object_object_add(o, "volume", json_object_new_string(op->volume));
	json_object_object_add(o, "protocol", json_object_new_string(op->proto));
	json_object_object_add(o, "iqn", json_object_new_string(op->iqn));
	json_object_object_add(o, "nqn", json_object_new_string(op->nqn));
	json_object_object_add(o, "staging_path", json_object_new_string(op->staging));
	json_object_object_add(o, "nfs_export", json_object_new_string(op->nfs_export));
	json_object_object_add(o, "plugin_pid", json_object_new_int(op->root));
	json_object_object_add(o, "plugin", json_object_new_string(op->root_comm));
	json_object_object_add(o, "pod_uid", json_object_new_string(op->pod_uid));
	json_object_object_add(o, "container_id", json_object_new_string(op->container_id));
	json_object_object_add(o, "pv", json_object_new_string(op->pv));
	json_object_object_add(o, "volume_handle", json_object_new_string(op->volume_handle));
	json_object_object_add(o, "driver", json_object_new_string(op->driver));
	json_object_object_add(o, "complete", json_object_new_boolean(op->complete));
	json_object_object_add(o, "status", json_object_new_int(op->status));
	json_object_object_add(o, "start_unix_ns",
			       json_object_new_int64((int64_t)op->start + mono_to_real));
	json_object_object_add(o, "start_mono_ns", json_object_new_uint64(op->start));
	json_object_object_add(o, "end_mono_ns", json_object_new_uint64(op->end));
	json_object_object_add(o, "wall_us", json_object_new_uint64((op->end - op->start) / 1000));
	json_object_object_add(o, "categories_us", json_cats(op->cat));
	for (i = 0; i < op->nphases; i++) {
		const struct nsm_phase *p = &op->phases[i];
		json_object *j = json_object_new_object();

		json_object_object_add(j, "name", json_object_new_string(p->name));
		json_object_object_add(j, "process", json_object_new_string(p->comm));
		json_object_object_add(j, "start_mono_ns", json_object_new_uint64(p->start));
		json_object_object_add(j, "end_mono_ns", json_object_new_uint64(p->end));
		json_object_object_add(j, "wall_us",
				       json_object_new_uint64((p->end - p->start) / 1000));
		json_object_object_add(j, "categories_us", json_cats(p->cat));
		json_object_object_add(j, "ios", json_object_new_uint64(p->ios));
		json_object_object_add(j, "exchanges", json_object_new_uint64(p->exchanges));
		json_object_object_add(j, "bytes_read", json_object_new_uint64(p->io_bytes[0]));
		json_object_object_add(j, "bytes_written", json_object_new_uint64(p->io_bytes[1]));
		json_object_object_add(j, "bytes_discarded",
				       json_object_new_uint64(p->io_bytes[2]));
		json_object_array_add(ph, j);
	}
	json_object_object_add(o, "phases", ph);
	return o;
}

static int write_json(struct ns_report *r, const struct st_session *s)
{
	json_object *root = st_json_header("scaletrace.nodestage/1", "us", s);
	json_object *ops = json_object_new_array(), *slos = json_object_new_array();
	int64_t off = st_mono_to_real_offset();
	size_t i;
	int k;
	int err;

	for (i = 0; i < r->nops; i++)
		json_object_array_add(ops, json_op(&r->ops[i].op, off));
	for (k = 0; k < r->o->nslo; k++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "phase", json_object_new_string(r->o->slo[k].phase));
		json_object_object_add(o, "percentile", json_object_new_double(r->o->slo[k].pct));
		json_object_object_add(o, "limit_us",
				       json_object_new_uint64(r->o->slo[k].limit_ns / 1000));
		json_object_array_add(slos, o);
	}
	json_object_object_add(root, "operations", ops);
	json_object_object_add(root, "slos", slos);
	json_object_object_add(root, "slo_violated", json_object_new_boolean(r->slo_violated));
	json_object_object_add(root, "drops", st_json_drops(r->drops));
	json_object_object_add(root, "bpf", st_json_costs(s));
	err = md_report_outputs(root, r->o->c, r->o->report, r->o->top);
	json_object_put(root);
	return err;
}

int ns_report_end(struct ns_report *r, const struct st_session *s)
{
	int err = 0;

	check_slos(r);
	if (!r->quiet) {
		if (r->nops) {
			print_phase_table(r);
			print_top_stacks(r);
			print_contributors(r);
		} else {
			printf("no NodeStage operation seen\n");
		}
		st_report_drops(stdout, r->drops);
		st_report_costs(stdout, s);
	}
	err = st_write_fold_outputs(r->o->c, r->fold,
				    "NodeStage: kernel, network, TrueNAS, user, wait", "us",
				    "nodestage", s);
	if (!err && (r->o->c->json_path || r->o->report))
		err = write_json(r, s);
	return err;
}
