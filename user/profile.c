// SPDX-License-Identifier: GPL-2.0
/*
 * scaletrace profile: on-CPU sampling by stack with perf_event (hardware cycles
 * where the CPU has a PMU, else the software cpu-clock), counted in the kernel.
 */
#include "cmds.h"
#include "fold.h"
#include "profile.h"
#include "profile.skel.h"
#include "ustack.h"
#include "opts.h"
#include "podsum.h"
#include "k8s.h"
#include "report.h"
#include "session.h"
#include "samplers.h"
#include "stacks.h"
#include "table.h"
#include "util.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { O_FREQ = 'F', O_USER_ONLY = 'U', O_KERNEL_ONLY = 'K', O_IDLE = 'I', O_TOP = 256 };

static const struct st_optdef profile_defs[] = {
	{ "frequency", 'F', "HZ", "samples per second per CPU (default 49)", O_FREQ },
	{ "user-only", 'U', NULL, "user stacks only", O_USER_ONLY },
	{ "kernel-only", 'K', NULL, "kernel stacks only", O_KERNEL_ONLY },
	{ "include-idle", 'I', NULL, "count samples of the idle task too", O_IDLE },
	{ "top", 0, "N", "stacks shown in the summary (default 10)", O_TOP },
};

struct profile_opts {
	uint64_t freq, top;
	bool user_only, kernel_only, idle;
	const struct st_common *c;
};

static int profile_opt(void *ctx, int id, const char *arg)
{
	struct profile_opts *o = ctx;

	switch (id) {
	case O_FREQ:
		if (st_parse_u64(arg, 1, 10000, &o->freq)) {
			st_err("invalid -F '%s': expected 1 to 10000 Hz", arg);
			return -1;
		}
		return 0;
	case O_TOP:
		if (st_parse_u64(arg, 1, 100000, &o->top)) {
			st_err("invalid --top '%s': expected 1 to 100000", arg);
			return -1;
		}
		return 0;
	case O_USER_ONLY:
		o->user_only = true;
		return 0;
	case O_KERNEL_ONLY:
		o->kernel_only = true;
		return 0;
	case O_IDLE:
		o->idle = true;
		return 0;
	}
	return -1;
}

static const struct st_probe_spec profile_probes[] = {
	{
	    .name = "cpu_sample",
	    .purpose = "on-CPU stack samples",
	    .variants = { { ST_AK_PERF_EVENT,
			    { "profile_sample" },
			    { NULL },
			    NULL,
			    "perf_event per CPU: cycles with a PMU, else cpu-clock" } },
	    .nvariants = 1,
	},
};

ST_SKEL_CALLBACKS(profile)

const struct st_tracer_spec st_profile_spec = ST_TRACER_SPEC(profile, profile_probes);

static int skel_configure(void *skel, void *ctx)
{
	struct profile_bpf *s = skel;
	struct profile_opts *o = ctx;
	struct st_common_rodata ro = ST_COMMON_RODATA(s);

	s->rodata->user_stacks = !o->kernel_only;
	s->rodata->kernel_stacks = !o->user_only;
	s->rodata->include_idle = o->idle;
	s->data->st_sample_n = o->c->sample;
	s->bss->st_max_eps = o->c->max_events_per_sec;
	return st_apply_filters(o->c, &ro);
}

/* ---- perf events ------------------------------------------------------------ */

struct profile_run {
	struct profile_opts o;
	struct st_session s;
	struct st_stacks *stacks;
	struct fold *fold;
	struct podsum *pods; /* samples by cgroup */
	struct st_samplers smp;
	uint64_t drops[ST_DROP__NR];
	uint64_t samples, lost_user, lost_kernel;
	json_object *jstacks;
};

/* ---- results ------------------------------------------------------------------- */

static int entry_frames(struct profile_run *run, const struct profile_key *k,
			const struct profile_val *v, const char **fr, int max)
{
	struct profile_bpf *skel = run->s.loader.skel;
	int fd = bpf_map__fd(skel->maps.stacks), n = 0;
	uint64_t ips[ST_MAX_STACK];
	struct st_ustack us;

	fr[n++] = st_stacks__intern(run->stacks, v->comm[0] ? v->comm : "[unknown]");
	if (k->flags & PROFILE_F_NO_STACKS) {
		fr[n++] = "[stacks not captured: overhead budget]";
		return n;
	}
	if (k->ustack && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.st_ustacks), &k->ustack, &us))
		n += st_stacks__ustack(run->stacks, (pid_t)k->tgid, &us, fr + n, max - n);
	else if (k->flags & PROFILE_F_NO_USTACK)
		fr[n++] = "[user stack unavailable]";
	if (k->kstack >= 0 && !bpf_map_lookup_elem(fd, &k->kstack, ips))
		n += st_stacks__kernel(run->stacks, ips, ST_MAX_STACK, fr + n, max - n);
	else if (k->flags & PROFILE_F_NO_KSTACK)
		fr[n++] = "[k] [kernel stack unavailable]";
	return n;
}

static int collect(struct profile_run *run)
{
	struct profile_bpf *skel = run->s.loader.skel;
	int fd = bpf_map__fd(skel->maps.counts), err = 0;
	const char *fr[2 * ST_MAX_STACK + 4];
	struct profile_key key, next, *prev = NULL;
	struct profile_val val;

	struct k8s_cgmap *cg = run->o.c->json_path ? st_k8s_cgmap_open() : NULL;

	run->fold = fold__new();
	run->pods = podsum__new();
	run->jstacks = json_object_new_array();
	if (!run->fold || !run->pods) {
		k8s_cgmap__free(cg);
		return -ENOMEM;
	}
	while (!err && bpf_map_get_next_key(fd, prev, &next) == 0) {
		int n;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &val))
			continue;
		n = entry_frames(run, &key, &val, fr, ARRAY_SIZE(fr));
		err = fold__add(run->fold, fr, n, val.samples);
		if (!err)
			err = podsum__add(run->pods, val.cgid, val.samples);
		run->samples += val.samples;
		if (run->o.c->json_path) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "pid", json_object_new_int64(key.tgid));
			json_object_object_add(o, "comm", json_object_new_string(val.comm));
			json_object_object_add(o, "samples", json_object_new_uint64(val.samples));
			json_object_object_add(o, "frames", st_json_frames(fr, n));
			st_json_k8s(o, cg, val.cgid);
			json_object_array_add(run->jstacks, o);
		}
	}
	k8s_cgmap__free(cg);
	return err;
}

static int json_by_samples(const void *a, const void *b)
{
	json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b;
	uint64_t sx = json_object_get_uint64(json_object_object_get(x, "samples"));
	uint64_t sy = json_object_get_uint64(json_object_object_get(y, "samples"));

	if (sx != sy)
		return sx > sy ? -1 : 1;
	return strcmp(json_object_to_json_string(json_object_object_get(x, "frames")),
		      json_object_to_json_string(json_object_object_get(y, "frames")));
}

static int write_json(struct profile_run *run)
{
	json_object *root = st_json_header("scaletrace.profile/1", "samples", &run->s);
	int err;

	json_object_array_sort(run->jstacks, json_by_samples);
	json_object_object_add(root, "clock", json_object_new_string(run->smp.clock));
	json_object_object_add(root, "frequency_hz", json_object_new_uint64(run->o.freq));
	json_object_object_add(root, "samples", json_object_new_uint64(run->samples));
	json_object_object_add(root, "stacks", json_object_get(run->jstacks));
	json_object_object_add(root, "drops", st_json_drops(run->drops));
	json_object_object_add(root, "bpf", st_json_costs(&run->s));
	err = st_json_write(root, run->o.c->json_path);
	json_object_put(root);
	return err;
}

static void print_summary(struct profile_run *run)
{
	printf("on-CPU samples: %llu at %llu Hz per CPU (%s), %zu stacks\n",
	       (unsigned long long)run->samples, (unsigned long long)run->o.freq, run->smp.clock,
	       fold__count(run->fold));
	st_report_top(stdout, run->fold, run->o.top, "samples");
	st_report_pods(stdout, run->pods, "on-CPU samples", false, run->o.top);
	st_report_drops(stdout, run->drops);
	st_report_costs(stdout, &run->s);
}

/*
 * Over budget: keep 1 in 2, 4, 8, 16 samples (counts scaled), then stop stack
 * capture (samples still counted per process), then detach the sampler.
 */
static int profile_degrade(struct st_session *s, void *ctx, int level, char *what, size_t len)
{
	struct profile_bpf *skel = s->loader.skel;
	struct profile_run *run = ctx;

	if (level <= 4) {
		skel->data->st_sample_n = skel->data->st_sample_n * 2;
		snprintf(what, len, "keeping 1 in %u samples (counts scaled)",
			 skel->data->st_sample_n);
		return 1;
	}
	if (skel->data->stacks_enabled) {
		skel->data->stacks_enabled = false;
		snprintf(what, len, "stack capture stopped (samples still counted)");
		return 1;
	}
	if (run->smp.links) {
		st_samplers_detach(&run->smp);
		snprintf(what, len, "perf_event sampler detached");
		return 1;
	}
	return 0;
}

static const struct st_session_ops profile_ops = { .degrade = profile_degrade };

static int profile_finish(struct profile_run *run)
{
	struct profile_bpf *skel = run->s.loader.skel;
	int err;

	st_session_drain(&run->s);
	st_read_drops(skel->obj, run->drops);
	err = collect(run);
	if (!err && (!run->o.c->json_path || strcmp(run->o.c->json_path, "-")))
		print_summary(run);
	if (!err)
		err = st_write_fold_outputs(run->o.c, run->fold, "On-CPU samples", "samples",
					    "samples", &run->s);
	if (!err && run->o.c->json_path)
		err = write_json(run);
	return err;
}

int cmd_profile(int argc, char **argv)
{
	struct profile_run run = { .o = { .freq = 49, .top = 10 } };
	const struct st_cmdspec spec = {
		.name = "profile",
		.usage = "[OPTIONS] [-- CMD [ARGS...]]",
		.summary = "On-CPU time by stack: sampling with perf_event, counted in the kernel.",
		.details =
		    "Uses hardware cycles where the CPU has a PMU, else the software cpu-clock\n"
		    "(most VMs). Folded output counts samples.",
		.examples =
		    "  scaletrace profile -d 10                # whole system, 10 s at 49 Hz\n"
		    "  scaletrace profile -F 199 -p 1234       # one process, finer\n"
		    "  scaletrace profile --svg cpu.svg -- mkfs.ext4 -F /dev/sdb\n",
		.common = ST_OPT_ALL | ST_OPT_PPROF | ST_OPT_SAMPLE,
		.opts = profile_defs,
		.nopts = ARRAY_SIZE(profile_defs),
		.handle = profile_opt,
		.ctx = &run.o,
	};
	struct st_loader l = { .spec = &st_profile_spec,
			       .configure = skel_configure,
			       .ctx = &run.o };
	struct st_common c;
	int argi, err;

	st_common_defaults(&c);
	run.o.c = &c;
	err = st_parse_args(&spec, &c, argc, argv, &argi);
	if (err)
		return err > 0 ? 0 : 2;
	if (run.o.user_only && run.o.kernel_only) {
		st_err("-U and -K are mutually exclusive");
		return 2;
	}
	err = st_session_init(&run.s, &c);
	if (err)
		return st_session_end(&run.s, err);
	run.stacks = st_stacks__new();
	err = run.stacks ? st_session_start(&run.s, &l) : -ENOMEM;
	if (!err)
		err = st_samplers_attach(
		    &run.smp, ((struct profile_bpf *)run.s.loader.skel)->progs.profile_sample,
		    run.o.freq, true);
	if (!err)
		err = st_session_watch_procs(&run.s, run.stacks);
	if (!err)
		err = st_session_release(&run.s);
	if (!err)
		err = st_session_run(&run.s, &profile_ops, &run);
	st_samplers_detach(&run.smp);
	if (!err)
		err = profile_finish(&run);
	fold__free(run.fold);
	podsum__free(run.pods);
	json_object_put(run.jstacks);
	err = st_session_end(&run.s, err);
	st_stacks__free(run.stacks);
	return err;
}
