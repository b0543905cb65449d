// SPDX-License-Identifier: GPL-2.0
#include "report.h"
#include "fold.h"
#include "loader.h"
#include "output.h"
#include "k8s.h"
#include "podsum.h"
#include "pprof.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/utsname.h>

void st_report_drops(FILE *out, const uint64_t *drops)
{
	int i, shown = 0;

	fprintf(out, "drops:");
	for (i = 0; i < ST_DROP__NR; i++) {
		if (!drops[i] || i == ST_DROP_SAMPLED_OUT)
			continue;
		fprintf(out, " %s=%llu", st_drop_name(i), (unsigned long long)drops[i]);
		shown++;
	}
	if (!shown)
		fprintf(out, " none");
	if (drops[ST_DROP_SAMPLED_OUT])
		fprintf(out, " (skipped by --sample: %llu)",
			(unsigned long long)drops[ST_DROP_SAMPLED_OUT]);
	fputc('\n', out);
}

json_object *st_json_drops(const uint64_t *drops)
{
	json_object *o = json_object_new_object();
	int i;

	for (i = 0; i < ST_DROP__NR; i++)
		json_object_object_add(o, st_drop_name(i), json_object_new_uint64(drops[i]));
	return o;
}

void st_report_costs(FILE *out, const struct st_session *s)
{
	struct st_bpf_cost c[64];
	int i, n = st_session_costs(s, c, 64);
	uint64_t ns = 0, cnt = 0;
	double secs = s->end_ns > s->start_ns ? (double)(s->end_ns - s->start_ns) / 1e9 : 0;

	for (i = 0; i < n; i++) {
		ns += c[i].run_ns;
		cnt += c[i].run_cnt;
	}
	if (s->stats_fd >= 0 && cnt)
		fprintf(out,
			"bpf cost: %llu events, %.0f ns/event, %.3f%% of one CPU (peak %.3f%%/s)\n",
			(unsigned long long)cnt, (double)ns / (double)cnt,
			secs > 0 ? 100.0 * (double)ns / 1e9 / secs : 0.0, s->max_cpu_pct);
	for (i = 0; i < s->ndegrade; i++)
		fprintf(out, "overhead budget: %s\n", s->degrade_log[i]);
	if (st_verbosity() >= 1)
		for (i = 0; i < n; i++)
			if (c[i].run_cnt)
				fprintf(out, "  %-28s %10llu runs %8.0f ns/run\n", c[i].name,
					(unsigned long long)c[i].run_cnt,
					(double)c[i].run_ns / (double)c[i].run_cnt);
}

json_object *st_json_costs(const struct st_session *s)
{
	json_object *o = json_object_new_object(), *progs = json_object_new_array();
	json_object *deg = json_object_new_array();
	struct st_bpf_cost c[64];
	int i, n = st_session_costs(s, c, 64);

	for (i = 0; i < n; i++) {
		json_object *p = json_object_new_object();

		json_object_object_add(p, "program", json_object_new_string(c[i].name));
		json_object_object_add(p, "runs", json_object_new_uint64(c[i].run_cnt));
		json_object_object_add(p, "run_ns", json_object_new_uint64(c[i].run_ns));
		json_object_array_add(progs, p);
	}
	for (i = 0; i < s->ndegrade; i++)
		json_object_array_add(deg, json_object_new_string(s->degrade_log[i]));
	json_object_object_add(o, "stats_enabled", json_object_new_boolean(s->stats_fd >= 0));
	json_object_object_add(o, "programs", progs);
	json_object_object_add(o, "peak_cpu_pct", json_object_new_double(s->max_cpu_pct));
	json_object_object_add(o, "budget_pct", json_object_new_double(s->c->overhead_budget_pct));
	json_object_object_add(o, "budget_actions", deg);
	return o;
}

json_object *st_json_header(const char *schema, const char *unit, const struct st_session *s)
{
	json_object *o = json_object_new_object();
	struct utsname u;

	uname(&u);
	json_object_object_add(o, "schema", json_object_new_string(schema));
	json_object_object_add(o, "unit", json_object_new_string(unit));
	json_object_object_add(o, "kernel", json_object_new_string(u.release));
	json_object_object_add(o, "duration_s",
			       json_object_new_double((double)(s->end_ns - s->start_ns) / 1e9));
	return o;
}

int st_json_write(json_object *root, const char *path)
{
	struct st_out out;
	int err = st_out_open(&out, path);

	if (err)
		return err;
	fprintf(out.f, "%s\n",
		json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	return st_out_commit(&out);
}

int st_write_folded(const struct fold *f, const char *path)
{
	struct st_out out;
	int err = st_out_open(&out, path);

	if (err)
		return err;
	err = fold__write(f, out.f);
	if (err) {
		st_err("cannot write %s: %s", path, strerror(-err));
		st_out_abort(&out);
		return err;
	}
	return st_out_commit(&out);
}

struct top_ctx {
	FILE *out;
	uint64_t total;
	bool us;
};

static int print_top_line(const char *path, uint64_t count, void *ctx)
{
	struct top_ctx *t = ctx;
	double pct = t->total ? 100.0 * (double)count / (double)t->total : 0.0;

	if (t->us)
		fprintf(t->out, "  %10.1f ms %5.1f%%  %s\n", (double)count / 1e3, pct, path);
	else
		fprintf(t->out, "  %10llu %5.1f%%  %s\n", (unsigned long long)count, pct, path);
	return 0;
}

void st_report_top(FILE *out, const struct fold *f, size_t n, const char *unit)
{
	struct top_ctx t = { out, fold__total(f), !strcmp(unit, "us") };

	fprintf(out, "top stacks (%s, share, stack root first):\n", t.us ? "time" : unit);
	fold__visit_top(f, n, print_top_line, &t);
}

static int write_pprof(const struct st_common *c, const struct fold *f, const char *type,
		       const char *unit, const struct st_session *s)
{
	const struct pprof_meta m = {
		.sample_type = type,
		.unit = strcmp(unit, "us") ? "count" : "microseconds",
		.period = 1,
		.duration_ns = (int64_t)(s->end_ns - s->start_ns),
		.time_ns = (int64_t)s->start_ns + st_mono_to_real_offset(),
	};

	return c->pprof_path ? pprof_write_fold(f, c->pprof_path, &m) : 0;
}

int st_write_fold_outputs(const struct st_common *c, const struct fold *f, const char *title,
			  const char *unit, const char *type, const struct st_session *s)
{
	int err = 0;

	if (c->folded_path)
		err = st_write_folded(f, c->folded_path);
	if (!err && c->svg_path)
		err = st_write_svg(f, c->svg_path, title, unit);
	if (!err)
		err = write_pprof(c, f, type, unit, s);
	return err;
}

json_object *st_json_frames(const char *const *fr, int n)
{
	json_object *a = json_object_new_array();
	int i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(fr[i]));
	return a;
}

void st_json_k8s(json_object *o, struct k8s_cgmap *cg, uint64_t cgid)
{
	char path[4096] = "";
	struct k8s_pod pod = { 0 };

	if (cg && cgid && !k8s_cgmap__path(cg, cgid, path, sizeof(path)))
		k8s_cgmap__pod(cg, cgid, &pod);
	json_object_object_add(o, "cgroup", json_object_new_string(path));
	json_object_object_add(o, "pod_uid", json_object_new_string(pod.pod_uid));
	json_object_object_add(o, "container_id", json_object_new_string(pod.container_id));
}

struct k8s_cgmap *st_k8s_cgmap_open(void)
{
	char root[4096];

	return k8s_cgroup2_root(root, sizeof(root)) ? NULL : k8s_cgmap__new(root);
}

void st_report_pods(FILE *out, const struct podsum *p, const char *what, bool ns, size_t top)
{
	struct k8s_cgmap *cg = st_k8s_cgmap_open();

	podsum__print(p, cg, out, what, ns, top);
	k8s_cgmap__free(cg);
}
