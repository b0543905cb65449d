// SPDX-License-Identifier: GPL-2.0
/*
 * scaletrace offcpu: off-CPU time by (process, thread state, user stack, kernel
 * stack), aggregated in the kernel from sched_switch.
 */
#include "cmds.h"
#include "fold.h"
#include "offcpu.h"
#include "k8s.h"
#include "offcpu.skel.h"
#include "ustack.h"
#include "opts.h"
#include "podsum.h"
#include "report.h"
#include "session.h"
#include "stacks.h"
#include "table.h"
#include "util.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { O_MIN = 'm', O_MAX = 'M', O_STATE = 256, O_STACK_MIN, O_USER_ONLY, O_KERNEL_ONLY, O_TOP };

static const struct st_optdef offcpu_defs[] = {
	{ "min", 'm', "MIN_US", "ignore off-CPU intervals shorter than this (default 1)", O_MIN },
	{ "max", 'M', "MAX_US", "ignore off-CPU intervals longer than this", O_MAX },
	{ "state", 0, "R,S,D,I",
	  "only these thread states (R preempted, S sleep, D disk/uninterruptible, I idle)",
	  O_STATE },
	{ "stack-min", 0, "US",
	  "take stacks for intervals of at least this (default 1000; 0 = all)", O_STACK_MIN },
	{ "user-only", 'U', NULL, "user stacks only", O_USER_ONLY },
	{ "kernel-only", 'K', NULL, "kernel stacks only", O_KERNEL_ONLY },
	{ "top", 0, "N", "stacks shown in the summary (default 10)", O_TOP },
};

struct offcpu_opts {
	uint64_t min_ns, max_ns, stack_min_ns;
	uint32_t state_mask;
	bool user_only, kernel_only;
	uint64_t top;
	const struct st_common *c;
	struct st_features *feat; /* the session's: probed on first use */
};

static const char state_letters[OFFCPU_NSTATES] = { 'R', 'S', 'D', 'I', 'T' };

static int parse_states(const char *arg, uint32_t *mask)
{
	const char *p;

	*mask = 0;
	for (p = arg; *p; p++) {
		const char *hit = *p == ',' ? NULL : memchr(state_letters, *p, OFFCPU_NSTATES);

		if (*p == ',')
			continue;
		if (!hit || *p == 'T')
			return -EINVAL;
		*mask |= 1u << (hit - state_letters);
	}
	return *mask ? 0 : -EINVAL;
}

static int offcpu_opt(void *ctx, int id, const char *arg)
{
	struct offcpu_opts *o = ctx;
	uint64_t v;

	switch (id) {
	case O_MIN:
	case O_MAX:
	case O_STACK_MIN:
		if (st_parse_duration(arg, NSEC_PER_USEC, &v)) {
			st_err("invalid duration '%s' (microseconds, or with a unit: 5ms)", arg);
			return -1;
		}
		if (id == O_MIN)
			o->min_ns = v;
		else if (id == O_MAX)
			o->max_ns = v;
		else
			o->stack_min_ns = v;
		return 0;
	case O_STATE:
		if (parse_states(arg, &o->state_mask)) {
			st_err("invalid --state '%s': use letters R, S, D, I separated by commas",
			       arg);
			return -1;
		}
		return 0;
	case O_USER_ONLY:
		o->user_only = true;
		return 0;
	case O_KERNEL_ONLY:
		o->kernel_only = true;
		return 0;
	case O_TOP:
		if (st_parse_u64(arg, 1, 100000, &v)) {
			st_err("invalid --top '%s': expected 1 to 100000", arg);
			return -1;
		}
		o->top = v;
		return 0;
	}
	return -1;
}

static const struct st_probe_spec offcpu_probes[] = {
	{
		.name = "sched_switch",
		.purpose = "off-CPU intervals and their stacks",
		.variants = {
			{ ST_AK_TP_BTF, { "offcpu_switch_btf" }, { "sched:sched_switch" }, NULL,
			  "kernel stack unwound at switch-in, only for long intervals; per-task state "
			  "in task storage if task_storage_nolock, else a hash" },
			{ ST_AK_RAW_TP, { "offcpu_switch_raw" }, { "sched:sched_switch" }, NULL,
			  "stacks unwound at every switch-out (higher cost)" },
			{ ST_AK_TRACEPOINT, { "offcpu_switch_tp" }, { "sched:sched_switch" }, NULL,
			  "stacks unwound at every switch-out (higher cost)" },
		},
		.nvariants = 3,
	},
};

ST_SKEL_CALLBACKS(offcpu)

const struct st_tracer_spec st_offcpu_spec = ST_TRACER_SPEC(offcpu, offcpu_probes);

static int skel_configure(void *skel, void *ctx)
{
	struct offcpu_bpf *s = skel;
	struct offcpu_opts *o = ctx;
	struct st_common_rodata ro = ST_COMMON_RODATA(s);

	s->rodata->min_ns = o->min_ns;
	s->rodata->max_ns = o->max_ns;
	s->rodata->stack_min_ns = o->stack_min_ns;
	s->rodata->state_mask = o->state_mask;
	s->rodata->user_stacks = !o->kernel_only;
	s->rodata->kernel_stacks = !o->user_only;
	s->rodata->use_task_storage = st_feature_ok(o->feat, ST_F_TASK_STORAGE_NOLOCK);
	s->rodata->st_switch_prev_state = st_feature_ok(o->feat, ST_F_SWITCH_PREV_STATE);
	s->data->st_sample_n = o->c->sample;
	s->bss->st_max_eps = o->c->max_events_per_sec;
	return st_apply_filters(o->c, &ro);
}

/* ---- reading the result -------------------------------------------------- */

struct offcpu_entry {
	struct offcpu_key key;
	struct offcpu_val val;
};

struct offcpu_result {
	struct offcpu_entry *v;
	size_t n;
	uint64_t total_ns, short_ns;
	uint64_t drops[ST_DROP__NR];
};

static int add_entry(struct offcpu_result *r, const struct offcpu_key *key,
		     const struct offcpu_val *val, size_t *cap)
{
	if (r->n == *cap) {
		struct offcpu_entry *nv;

		*cap = *cap ? *cap * 2 : 1024;
		nv = realloc(r->v, *cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		r->v = nv;
	}
	r->v[r->n].key = *key;
	r->v[r->n].val = *val;
	r->n++;
	return 0;
}

static int by_key(const void *a, const void *b)
{
	return memcmp(&((const struct offcpu_entry *)a)->key,
		      &((const struct offcpu_entry *)b)->key, sizeof(struct offcpu_key));
}

/* Merge entries with equal keys (counts map plus every CPU's cache). */
static void merge_equal(struct offcpu_result *r)
{
	size_t i, out = 0;

	qsort(r->v, r->n, sizeof(*r->v), by_key);
	for (i = 0; i < r->n; i++) {
		if (out && !memcmp(&r->v[out - 1].key, &r->v[i].key, sizeof(r->v[i].key))) {
			r->v[out - 1].val.total_ns += r->v[i].val.total_ns;
			r->v[out - 1].val.count += r->v[i].val.count;
			continue;
		}
		r->v[out++] = r->v[i];
	}
	r->n = out;
	r->total_ns = r->short_ns = 0;
	for (i = 0; i < r->n; i++) {
		r->total_ns += r->v[i].val.total_ns;
		if (r->v[i].key.flags & OFFCPU_F_SHORT)
			r->short_ns += r->v[i].val.total_ns;
	}
}

static int read_cache(struct offcpu_bpf *skel, struct offcpu_result *r, size_t *cap)
{
	int ncpu = libbpf_num_possible_cpus(), c, i, err = 0;
	struct offcpu_cache *v;
	uint32_t zero = 0;

	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.cache), &zero, v)) {
		free(v);
		return -errno;
	}
	for (c = 0; c < ncpu && !err; c++)
		for (i = 0; i < OFFCPU_CACHE_WAYS && !err; i++)
			if (v[c].ent[i].val.count)
				err = add_entry(r, &v[c].ent[i].key, &v[c].ent[i].val, cap);
	free(v);
	return err;
}

static int read_counts(struct offcpu_bpf *skel, struct offcpu_result *r)
{
	int fd = bpf_map__fd(skel->maps.counts), err = 0;
	struct offcpu_key key, next, *prev = NULL;
	size_t cap = 0;

	while (!err && bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct offcpu_val val;

		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &val))
			err = add_entry(r, &key, &val, &cap);
	}
	if (!err)
		err = read_cache(skel, r, &cap);
	if (!err)
		merge_equal(r);
	return err;
}

static int by_total(const void *a, const void *b)
{
	const struct offcpu_entry *x = a, *y = b;

	if (x->val.total_ns != y->val.total_ns)
		return x->val.total_ns > y->val.total_ns ? -1 : 1;
	return by_key(a, b);
}

/* Frames root first: process, user frames, kernel frames (or a pseudo-frame). */
static int entry_frames(struct offcpu_bpf *skel, struct st_stacks *st, const struct offcpu_entry *e,
			uint64_t stack_min_ns, const char **fr, int max)
{
	struct st_kstack ks;
	struct st_ustack us;
	char buf[96];
	int n = 0;

	fr[n++] = st_stacks__intern(st, e->val.comm[0] ? e->val.comm : "[unknown]");
	if (e->key.ustack &&
	    !bpf_map_lookup_elem(bpf_map__fd(skel->maps.st_ustacks), &e->key.ustack, &us))
		n += st_stacks__ustack(st, (pid_t)e->key.tgid, &us, fr + n, max - n);
	else if (e->key.flags & OFFCPU_F_NO_USTACK)
		fr[n++] = "[user stack unavailable]";
	if (e->key.flags & OFFCPU_F_SHORT) {
		snprintf(buf, sizeof(buf), "[k] [off-CPU < %lluus: kernel stack not taken]",
			 (unsigned long long)(stack_min_ns / NSEC_PER_USEC));
		fr[n++] = st_stacks__intern(st, buf);
	} else if (e->key.kstack &&
		   !bpf_map_lookup_elem(bpf_map__fd(skel->maps.st_kstacks), &e->key.kstack, &ks))
		n += st_stacks__kernel(st, (const uint64_t *)ks.ips,
				       (int)(ks.nr < ST_MAX_STACK ? ks.nr : ST_MAX_STACK), fr + n,
				       max - n);
	else if (e->key.flags & OFFCPU_F_RECOVERED)
		fr[n++] = "[k] [switch-in not traced: kernel stack unknown]";
	else if (e->key.flags & OFFCPU_F_NO_KSTACK)
		fr[n++] = "[k] [kernel stack unavailable]";
	return n;
}

struct offcpu_run {
	struct offcpu_opts o;
	struct st_session s;
	struct st_stacks *stacks;
	struct offcpu_result r;
	struct fold *fold;
};

static const char *state_name(uint32_t s)
{
	static const char *const names[OFFCPU_NSTATES] = { "R", "S", "D", "I", "other" };

	return s < OFFCPU_NSTATES ? names[s] : "?";
}

static int build_fold(struct offcpu_run *run, struct offcpu_bpf *skel)
{
	const char *fr[2 * ST_MAX_STACK + 4];
	size_t i;
	int err = 0;

	run->fold = fold__new();
	if (!run->fold)
		return -ENOMEM;
	for (i = 0; i < run->r.n && !err; i++) {
		const struct offcpu_entry *e = &run->r.v[i];
		int n = entry_frames(skel, run->stacks, e, run->o.stack_min_ns, fr, ARRAY_SIZE(fr));

		err = fold__add(run->fold, fr, n, (e->val.total_ns + 500) / NSEC_PER_USEC);
	}
	return err;
}

static int print_top(const char *path, uint64_t count, void *ctx)
{
	uint64_t total = *(uint64_t *)ctx;

	printf("  %10.1f ms %5.1f%%  %s\n", (double)count / 1e3,
	       total ? 100.0 * (double)count / (double)total : 0.0, path);
	return 0;
}

/* Off-CPU time by Kubernetes pod and container, when any process ran in one. */
static void print_pods(const struct offcpu_run *run)
{
	struct podsum *p = podsum__new();
	size_t i;
	int err = p ? 0 : -ENOMEM;

	for (i = 0; i < run->r.n && !err; i++)
		err = podsum__add(p, run->r.v[i].val.cgid, run->r.v[i].val.total_ns);
	if (!err)
		st_report_pods(stdout, p, "off-CPU time", true, run->o.top);
	podsum__free(p);
}

static void print_summary(struct offcpu_run *run)
{
	struct st_table *t = st_table__new(5, 0x1c);
	uint64_t total_us = fold__total(run->fold);
	uint64_t by_state[OFFCPU_NSTATES] = { 0 }, cnt[OFFCPU_NSTATES] = { 0 };
	char a[32], b[32];
	size_t i;

	for (i = 0; i < run->r.n; i++) {
		uint32_t s = run->r.v[i].key.state;

		if (s < OFFCPU_NSTATES) {
			by_state[s] += run->r.v[i].val.total_ns;
			cnt[s] += run->r.v[i].val.count;
		}
	}
	printf("off-CPU time: %s in %zu stacks (%s in intervals shorter than --stack-min, "
	       "counted without stacks)\n",
	       st_fmt_duration(run->r.total_ns, a, sizeof(a)), fold__count(run->fold),
	       st_fmt_duration(run->r.short_ns, b, sizeof(b)));
	st_table__rowf(t, "state\t\tintervals\ttime\tshare");
	for (i = 0; i < OFFCPU_NSTATES; i++)
		if (cnt[i])
			st_table__rowf(
			    t, "%s\t\t%llu\t%s\t%.1f%%", state_name((uint32_t)i),
			    (unsigned long long)cnt[i], st_fmt_duration(by_state[i], a, sizeof(a)),
			    run->r.total_ns ? 100.0 * (double)by_state[i] / (double)run->r.total_ns
					    : 0);
	st_table__print(t, stdout, 2);
	st_table__free(t);
	printf("top stacks (root first; time, share, stack):\n");
	fold__visit_top(run->fold, run->o.top, print_top, &total_us);
	print_pods(run);
	st_report_drops(stdout, run->r.drops);
	st_report_costs(stdout, &run->s);
}

static json_object *json_stacks(struct offcpu_run *run, struct offcpu_bpf *skel)
{
	struct k8s_cgmap *cg = st_k8s_cgmap_open();
	json_object *arr = json_object_new_array();
	const char *fr[2 * ST_MAX_STACK + 4];
	size_t i;

	for (i = 0; i < run->r.n; i++) {
		const struct offcpu_entry *e = &run->r.v[i];
		json_object *o = json_object_new_object(), *frames = json_object_new_array();
		int k,
		    n = entry_frames(skel, run->stacks, e, run->o.stack_min_ns, fr, ARRAY_SIZE(fr));

		for (k = 0; k < n; k++)
			json_object_array_add(frames, json_object_new_string(fr[k]));
		json_object_object_add(o, "pid", json_object_new_int64(e->key.tgid));
		json_object_object_add(o, "comm", json_object_new_string(e->val.comm));
		json_object_object_add(o, "state",
				       json_object_new_string(state_name(e->key.state)));
		json_object_object_add(
		    o, "total_us", json_object_new_uint64((e->val.total_ns + 500) / NSEC_PER_USEC));
		json_object_object_add(o, "count", json_object_new_uint64(e->val.count));
		json_object_object_add(o, "frames", frames);
		st_json_k8s(o, cg, e->val.cgid);
		json_object_array_add(arr, o);
	}
	k8s_cgmap__free(cg);
	return arr;
}

static int write_outputs(struct offcpu_run *run, struct offcpu_bpf *skel)
{
	const struct st_common *c = run->o.c;
	int err = 0;

	err = st_write_fold_outputs(c, run->fold, "Off-CPU time", "us", "offcpu", &run->s);
	if (!err && c->json_path) {
		json_object *root = st_json_header("scaletrace.offcpu/1", "us", &run->s);

		json_object_object_add(root, "total_us",
				       json_object_new_uint64(run->r.total_ns / NSEC_PER_USEC));
		json_object_object_add(root, "short_us",
				       json_object_new_uint64(run->r.short_ns / NSEC_PER_USEC));
		json_object_object_add(root, "stack_min_us",
				       json_object_new_uint64(run->o.stack_min_ns / NSEC_PER_USEC));
		json_object_object_add(root, "stacks", json_stacks(run, skel));
		json_object_object_add(root, "drops", st_json_drops(run->r.drops));
		json_object_object_add(root, "bpf", st_json_costs(&run->s));
		err = st_json_write(root, c->json_path);
		json_object_put(root);
	}
	return err;
}

static int offcpu_degrade(struct st_session *s, void *ctx, int level, char *what, size_t len)
{
	struct offcpu_run *run = ctx;
	struct offcpu_bpf *skel = s->loader.skel;

	(void)run;
	if (level <= 3) {
		skel->data->st_sample_n = skel->data->st_sample_n * 4;
		snprintf(what, len, "sampling raised to 1 in %u intervals",
			 skel->data->st_sample_n);
		return 1;
	}
	if (skel->data->stacks_enabled) {
		skel->data->stacks_enabled = false;
		snprintf(what, len, "stack capture stopped (time still counted)");
		return 1;
	}
	return 0;
}

static const char *const offcpu_pausable[] = { "offcpu_switch_*", NULL };
static const struct st_session_ops offcpu_ops = { .degrade = offcpu_degrade,
						  .pausable = offcpu_pausable };

static int offcpu_finish(struct offcpu_run *run)
{
	struct offcpu_bpf *skel = run->s.loader.skel;
	int err;

	st_session_drain(&run->s);
	st_read_drops(skel->obj, run->r.drops);
	err = read_counts(skel, &run->r);
	if (!err) {
		qsort(run->r.v, run->r.n, sizeof(*run->r.v), by_total);
		err = build_fold(run, skel);
	}
	if (!err && (!run->o.c->json_path || strcmp(run->o.c->json_path, "-")))
		print_summary(run);
	if (!err)
		err = write_outputs(run, skel);
	return err;
}

int cmd_offcpu(int argc, char **argv)
{
	struct offcpu_run run = { .o = { .min_ns = NSEC_PER_USEC,
					 .max_ns = ~0ULL,
					 .stack_min_ns = NSEC_PER_MSEC,
					 .state_mask = (1u << OFFCPU_NSTATES) - 1,
					 .top = 10 } };
	const struct st_cmdspec spec = {
		.name = "offcpu",
		.usage = "[OPTIONS] [-- CMD [ARGS...]]",
		.summary = "Off-CPU time by process, thread state and stack, from sched_switch.",
		.details =
		    "Time is exact for every interval between -m and -M. Stacks are taken for\n"
		    "intervals of at least --stack-min (default 1 ms): unwinding is the costly\n"
		    "part, and shorter intervals are shown under one pseudo-frame per process.\n"
		    "Folded output is in microseconds.",
		.examples =
		    "  scaletrace offcpu -d 10                    # whole system, 10 s\n"
		    "  scaletrace offcpu -p 1234 --state D        # one process, I/O waits only\n"
		    "  scaletrace offcpu --folded out.folded -- mkfs.ext4 -F /dev/sdb\n"
		    "  scaletrace offcpu --stack-min 0 -m 10 -d 5 # stacks for everything >= "
		    "10us\n",
		.common = ST_OPT_ALL | ST_OPT_PPROF | ST_OPT_SAMPLE,
		.opts = offcpu_defs,
		.nopts = ARRAY_SIZE(offcpu_defs),
		.handle = offcpu_opt,
		.ctx = &run.o,
	};
	struct st_common c;
	struct st_loader l = { .spec = &st_offcpu_spec,
			       .configure = skel_configure,
			       .ctx = &run.o };
	int argi, err;

	st_common_defaults(&c);
	run.o.c = &c;
	run.o.feat = &run.s.feat;
	err = st_parse_args(&spec, &c, argc, argv, &argi);
	if (err)
		return err > 0 ? 0 : 2;
	if (run.o.user_only && run.o.kernel_only) {
		st_err("-U and -K are mutually exclusive");
		return 2;
	}
	if (run.o.min_ns > run.o.max_ns) {
		st_err("-m is larger than -M");
		return 2;
	}
	err = st_session_init(&run.s, &c);
	if (err)
		return st_session_end(&run.s, err);
	run.stacks = st_stacks__new();
	err = run.stacks ? st_session_start(&run.s, &l) : -ENOMEM;
	if (!err)
		err = st_session_watch_procs(&run.s, run.stacks);
	if (!err)
		err = st_session_release(&run.s);
	if (!err)
		err = st_session_run(&run.s, &offcpu_ops, &run);
	if (!err)
		err = offcpu_finish(&run);
	fold__free(run.fold);
	free(run.r.v);
	err = st_session_end(&run.s, err);
	st_stacks__free(run.stacks);
	return err;
}
