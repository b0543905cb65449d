// SPDX-License-Identifier: GPL-2.0
/*
 * The shared option parser: st_parse_args() with the COMMON options and a few subcommand
 * options, argv built from NUL-separated input. Parsed values must respect the ranges
 * opts.c promises; positional and "-- CMD" results must point into argv.
 *
 * Input: a flag byte, then the arguments after argv[0], NUL-separated.
 */
#include "fuzz.h"
#include "opts.h"
#include "util.h"

#include <getopt.h>

#define MAX_ARGS 48

enum { O_MIN = 300, O_DEV, O_REVERSE, O_FREQ };

static const struct st_optdef defs[] = {
	{ "min", 'm', "US", "minimum off-CPU time", O_MIN },
	{ "dev", 0, "DEV", "only this device", O_DEV },
	{ "reverse", 'r', NULL, "merge from the leaves", O_REVERSE },
	{ "freq", 'F', "HZ", "sampling frequency", O_FREQ },
};

struct sub {
	uint64_t min_ns, freq;
	const char *dev;
	int reverse;
};

static int handle(void *ctx, int id, const char *arg)
{
	struct sub *s = ctx;

	switch (id) {
	case O_MIN:
		if (st_parse_duration(arg, NSEC_PER_USEC, &s->min_ns)) {
			st_err("bad --min '%s'", arg);
			return -1;
		}
		return 0;
	case O_DEV:
		s->dev = arg;
		return 0;
	case O_REVERSE:
		FZ_CHECK(!arg, "a flag got an argument");
		s->reverse++;
		return 0;
	case O_FREQ:
		if (st_parse_u64(arg, 1, 100000, &s->freq)) {
			st_err("bad --freq '%s'", arg);
			return -1;
		}
		return 0;
	}
	FZ_CHECK(0, "handler got unknown id %d", id);
	return -1;
}

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	return 0;
}

static void check_result(const struct st_cmdspec *spec, const struct st_common *c, char **argv,
			 int argc, int argi)
{
	FZ_CHECK(argi >= 1 && argi <= argc, "argi %d of %d", argi, argc);
	FZ_CHECK(spec->positional || argi == argc, "positional argument accepted");
	FZ_CHECK(c->sample >= 1 && c->sample <= 1000000, "sample %u", c->sample);
	FZ_CHECK(c->max_events_per_sec <= 100000000, "max-events-per-sec");
	FZ_CHECK(c->overhead_budget_pct >= 0.01 && c->overhead_budget_pct <= 100, "budget");
	FZ_CHECK(c->pid >= 0 && c->tid >= 0, "pid %d tid %d", c->pid, c->tid);
	FZ_CHECK(!c->comm || (*c->comm && strlen(c->comm) <= 15), "comm");
	FZ_CHECK(!c->cgroup || *c->cgroup, "cgroup");
	FZ_CHECK(!!c->pid + !!c->tid + !!c->cmd_argv <= 1, "exclusive targets");
	if (c->cmd_argv) {
		FZ_CHECK(spec->common & ST_OPT_TARGET, "-- CMD without ST_OPT_TARGET");
		FZ_CHECK(c->cmd_argv > argv && c->cmd_argv < argv + argc, "cmd_argv outside argv");
		FZ_CHECK(argv[argc] == NULL, "argv not NULL-terminated");
	}
	if (!(spec->common & ST_OPT_TARGET))
		FZ_CHECK(!st_common_has_target(c), "a target without ST_OPT_TARGET");
}

/* What one parse produced, comparable across calls (strings by value). */
struct outcome {
	int ret, argi, cmd_at, verbose;
	pid_t pid, tid;
	uint64_t duration_ns, interval_ns, max_events_per_sec;
	uint32_t sample;
	double budget;
	char strs[5][64];
	struct sub sub;
};

static void snap_str(char *dst, const char *s)
{
	snprintf(dst, 64, "%s", s ? s : "(null)");
}

/*
 * Parse the NUL-separated @p[0..n) as argv[1..] from a fresh heap copy, freed before
 * returning: a later call that still read this argv (getopt's state) is a use-after-free.
 */
static void parse_once(const struct st_cmdspec *tmpl, const uint8_t *p, size_t n, struct outcome *o)
{
	struct st_cmdspec spec = *tmpl;
	char *block = fz_strndup(p, n), **argv = malloc(sizeof(*argv) * (MAX_ARGS + 2));
	struct st_common c;
	int argc = 1;
	size_t off = 0;

	if (!argv)
		abort();
	memset(o, 0, sizeof(*o));
	spec.ctx = &o->sub;
	argv[0] = (char *)"fuzz";
	while (n && off <= n && argc < MAX_ARGS + 1) {
		argv[argc++] = block + off;
		off += strlen(block + off) + 1;
	}
	argv[argc] = NULL;
	st_common_defaults(&c);
	o->argi = -1;
	o->ret = st_parse_args(&spec, &c, argc, argv, &o->argi);
	FZ_CHECK(o->ret == 0 || o->ret == 1 || o->ret == -1, "returned %d", o->ret);
	if (o->ret == 0)
		check_result(&spec, &c, argv, argc, o->argi);
	o->cmd_at = c.cmd_argv ? (int)(c.cmd_argv - argv) : 0;
	o->verbose = c.verbose;
	o->pid = c.pid;
	o->tid = c.tid;
	o->duration_ns = c.duration_ns;
	o->interval_ns = c.interval_ns;
	o->max_events_per_sec = c.max_events_per_sec;
	o->sample = c.sample;
	o->budget = c.overhead_budget_pct;
	snap_str(o->strs[0], c.cgroup);
	snap_str(o->strs[1], c.comm);
	snap_str(o->strs[2], c.folded_path);
	snap_str(o->strs[3], c.svg_path);
	snap_str(o->strs[4], c.json_path);
	o->sub.dev = NULL; /* points into argv */
	free(argv);
	free(block);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned commons[] = { ST_OPT_ALL, ST_OPT_JSON, ST_OPT_TARGET | ST_OPT_OUTPUT,
					    0 };
	struct fz_in in = { data, size };
	uint8_t flags = fz_byte(&in);
	struct st_cmdspec spec = {
		.name = "fuzz",
		.usage = "[OPTIONS] [ARGS]",
		.summary = "fuzzing st_parse_args",
		.examples = "  scaletrace fuzz -p 1\n",
		.common = commons[flags & 3],
		.opts = (flags & 4) ? NULL : defs,
		.nopts = (flags & 4) ? 0 : (int)(sizeof(defs) / sizeof(defs[0])),
		.handle = (flags & 8) ? NULL : handle,
		.positional = flags & 16,
	};
	struct outcome first, again;

	/* The same command line twice: a parse must not depend on the one before it. */
	parse_once(&spec, in.p, in.n, &first);
	parse_once(&spec, in.p, in.n, &again);
	FZ_CHECK(!memcmp(&first, &again, sizeof(first)),
		 "second parse differs: ret %d/%d argi %d/%d", first.ret, again.ret, first.argi,
		 again.argi);
	if (flags & 32)
		st_print_help(&spec, devnull);
	return 0;
}
