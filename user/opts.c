// SPDX-License-Identifier: GPL-2.0
#include "opts.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum {
	C_PID = 1000,
	C_TID,
	C_CGROUP,
	C_COMM,
	C_DURATION,
	C_INTERVAL,
	C_FOLDED,
	C_SVG,
	C_JSON,
	C_PPROF,
	C_SAMPLE,
	C_MAXEPS,
	C_BUDGET,
	C_MAXSTACKS,
	C_VERBOSE,
	C_HELP,
};

static const struct st_optdef common_defs[] = {
	{ "pid", 'p', "PID", "trace this process (all its threads)", C_PID },
	{ "tid", 't', "TID", "trace this thread", C_TID },
	{ "cgroup", 'c', "CGROUP|POD_UID",
	  "trace tasks in this cgroup v2 (and below), or in this Kubernetes pod", C_CGROUP },
	{ "comm", 0, "NAME", "trace tasks with this exact name", C_COMM },
	{ "duration", 'd', "SECONDS", "stop after this long (also 500ms, 2m)", C_DURATION },
	{ "interval", 'i', "SECONDS", "print a report every interval", C_INTERVAL },
	{ "folded", 0, "FILE", "write folded stacks ('-' = stdout)", C_FOLDED },
	{ "svg", 0, "FILE", "write a flamegraph SVG", C_SVG },
	{ "json", 0, "FILE", "write JSON ('-' = stdout, replaces the summary)", C_JSON },
	{ "pprof", 0, "FILE", "write a gzip-compressed pprof profile (go tool pprof, Parca)",
	  C_PPROF },
	{ "sample", 0, "N", "keep 1 in N events (counts scaled by N)", C_SAMPLE },
	{ "max-events-per-sec", 0, "N", "cap the event rate in the kernel (per CPU)", C_MAXEPS },
	{ "overhead-budget", 0, "PCT", "CPU share of one CPU the BPF side may use", C_BUDGET },
	{ "max-stacks", 0, "N", "distinct stacks kept per stack map (default 4096)", C_MAXSTACKS },
};

static unsigned common_group(int id)
{
	switch (id) {
	case C_PID:
	case C_TID:
	case C_CGROUP:
	case C_COMM:
		return ST_OPT_TARGET;
	case C_DURATION:
		return ST_OPT_DURATION;
	case C_INTERVAL:
		return ST_OPT_INTERVAL;
	case C_FOLDED:
	case C_SVG:
		return ST_OPT_OUTPUT;
	case C_JSON:
		return ST_OPT_OUTPUT | ST_OPT_JSON;
	case C_PPROF:
		return ST_OPT_PPROF;
	case C_SAMPLE:
		return ST_OPT_SAMPLE;
	default:
		return ST_OPT_RATE;
	}
}

void st_common_defaults(struct st_common *c)
{
	memset(c, 0, sizeof(*c));
	c->sample = 1;
	c->overhead_budget_pct = 1.0;
	c->max_stacks = 4096;
}

bool st_common_has_target(const struct st_common *c)
{
	return c->pid || c->tid || c->cgroup || c->comm || c->cmd_argv;
}

static void print_opt(FILE *out, const struct st_optdef *d)
{
	char left[64];

	if (d->short_opt)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", d->short_opt, d->name,
			 d->arg ? " " : "", d->arg ? d->arg : "");
	else
		snprintf(left, sizeof(left), "    --%s%s%s", d->name, d->arg ? " " : "",
			 d->arg ? d->arg : "");
	fprintf(out, "  %-30s %s\n", left, d->help);
}

void st_print_help(const struct st_cmdspec *spec, FILE *out)
{
	static const struct st_optdef generic[] = {
		{ "verbose", 'v', NULL, "more messages (-vv, -vvv: libbpf debug)", C_VERBOSE },
		{ "help", 'h', NULL, "show this help", C_HELP },
	};
	size_t i;

	fprintf(out, "USAGE: scaletrace %s %s\n\n%s\n", spec->name, spec->usage, spec->summary);
	if (spec->details)
		fprintf(out, "\n%s\n", spec->details);
	fprintf(out, "\nOPTIONS:\n");
	for (i = 0; i < (size_t)spec->nopts; i++)
		print_opt(out, &spec->opts[i]);
	for (i = 0; i < ARRAY_SIZE(common_defs); i++) {
		unsigned g = common_group(common_defs[i].id);

		if (spec->common & g)
			print_opt(out, &common_defs[i]);
	}
	if (spec->common & ST_OPT_CMD)
		fprintf(out, "  %-30s %s\n", "-- CMD [ARGS...]",
			"run CMD and trace it and its descendants; exit with its status");
	for (i = 0; i < ARRAY_SIZE(generic); i++)
		print_opt(out, &generic[i]);
	if (spec->examples)
		fprintf(out, "\nEXAMPLES:\n%s", spec->examples);
}

static int bad_value(const char *opt, const char *arg, const char *what)
{
	st_err("invalid value '%s' for --%s: %s", arg, opt, what);
	return -1;
}

static int parse_common(struct st_common *c, int id, const char *name, const char *arg)
{
	uint64_t v;
	double d;

	switch (id) {
	case C_PID:
	case C_TID:
		if (st_parse_u64(arg, 1, INT_MAX, &v))
			return bad_value(name, arg, "expected a process id");
		if (id == C_PID)
			c->pid = (pid_t)v;
		else
			c->tid = (pid_t)v;
		return 0;
	case C_CGROUP:
		if (!*arg)
			return bad_value(name, arg, "expected a cgroup path");
		c->cgroup = arg;
		return 0;
	case C_COMM:
		if (!*arg || strlen(arg) > 15)
			return bad_value(name, arg, "task names are 1 to 15 characters");
		c->comm = arg;
		return 0;
	case C_DURATION:
	case C_INTERVAL:
		if (st_parse_duration(arg, NSEC_PER_SEC, &v) || v == 0)
			return bad_value(name, arg,
					 "expected a positive duration (e.g. 10, 1.5s, 500ms)");
		if (id == C_DURATION)
			c->duration_ns = v;
		else
			c->interval_ns = v;
		return 0;
	case C_FOLDED:
	case C_SVG:
	case C_JSON:
	case C_PPROF:
		if (!*arg)
			return bad_value(name, arg, "expected a file name");
		if (id == C_FOLDED)
			c->folded_path = arg;
		else if (id == C_SVG)
			c->svg_path = arg;
		else if (id == C_PPROF)
			c->pprof_path = arg;
		else
			c->json_path = arg;
		return 0;
	case C_SAMPLE:
		if (st_parse_u64(arg, 1, 1000000, &v))
			return bad_value(name, arg, "expected an integer from 1 to 1000000");
		c->sample = (uint32_t)v;
		return 0;
	case C_MAXEPS:
		if (st_parse_u64(arg, 1, 100000000, &v))
			return bad_value(name, arg, "expected an integer from 1 to 100000000");
		c->max_events_per_sec = v;
		return 0;
	case C_BUDGET:
		if (st_parse_double(arg, 0.01, 100, &d))
			return bad_value(name, arg, "expected a percentage from 0.01 to 100");
		c->overhead_budget_pct = d;
		return 0;
	case C_MAXSTACKS:
		if (st_parse_u64(arg, 64, 1 << 20, &v))
			return bad_value(name, arg, "expected an integer from 64 to 1048576");
		c->max_stacks = (uint32_t)v;
		return 0;
	}
	return -1;
}

struct optset {
	struct option lopts[96];
	char shorts[96];
	int n;
};

static void add_opt(struct optset *s, const struct st_optdef *d)
{
	struct option *o = &s->lopts[s->n++];
	size_t len = strlen(s->shorts);

	o->name = d->name;
	o->has_arg = d->arg ? required_argument : no_argument;
	o->flag = NULL;
	o->val = d->id;
	if (d->short_opt) {
		s->shorts[len++] = (char)d->short_opt;
		if (d->arg)
			s->shorts[len++] = ':';
		s->shorts[len] = '\0';
	}
}

static void build_optset(const struct st_cmdspec *spec, struct optset *s)
{
	static const struct st_optdef generic[] = {
		{ "verbose", 'v', NULL, "", C_VERBOSE },
		{ "help", 'h', NULL, "", C_HELP },
	};
	size_t i;

	memset(s, 0, sizeof(*s));
	/*
	 * '+': stop at the first non-option (CMD after "--" or a positional);
	 * ':': a missing argument comes back as ':', not as an unknown option.
	 */
	strcpy(s->shorts, spec->positional ? ":" : "+:");
	for (i = 0; i < (size_t)spec->nopts; i++)
		add_opt(s, &spec->opts[i]);
	for (i = 0; i < ARRAY_SIZE(common_defs); i++)
		if (spec->common & common_group(common_defs[i].id))
			add_opt(s, &common_defs[i]);
	for (i = 0; i < ARRAY_SIZE(generic); i++)
		add_opt(s, &generic[i]);
}

/* Map a short option character back to its id (getopt returns the char). */
static int short_to_id(const struct optset *s, const struct st_cmdspec *spec, int ch)
{
	size_t i;

	for (i = 0; i < (size_t)spec->nopts; i++)
		if (spec->opts[i].short_opt == ch)
			return spec->opts[i].id;
	for (i = 0; i < ARRAY_SIZE(common_defs); i++)
		if (common_defs[i].short_opt == ch &&
		    (spec->common & common_group(common_defs[i].id)))
			return common_defs[i].id;
	if (ch == 'v')
		return C_VERBOSE;
	if (ch == 'h')
		return C_HELP;
	(void)s;
	return ch;
}

static const char *opt_name(const struct optset *s, int id, int ch)
{
	static char buf[2];
	int i;

	for (i = 0; i < s->n; i++)
		if (s->lopts[i].val == id)
			return s->lopts[i].name;
	buf[0] = (char)ch;
	return buf;
}

static int report_getopt_error(char **argv, int ch)
{
	const char *bad = argv[optind - 1];
	bool is_long = !strncmp(bad, "--", 2);
	int len = (int)strcspn(bad, "=");

	if (ch == ':' && is_long)
		st_err("option '%.*s' needs an argument (see --help)", len, bad);
	else if (ch == ':')
		st_err("option '-%c' needs an argument (see --help)", optopt);
	else if (is_long && optopt)
		st_err("option '%.*s' takes no argument (see --help)", len, bad);
	else if (optopt > 0 && optopt < 128 && isprint(optopt))
		st_err("unknown option '-%c' (see --help)", optopt);
	else
		st_err("unknown or ambiguous option '%s' (see --help)", bad);
	return -1;
}

static int check_target(const struct st_cmdspec *spec, struct st_common *c)
{
	int n = !!c->pid + !!c->tid + !!c->cmd_argv;

	if (n > 1) {
		st_err("-p, -t and -- CMD are mutually exclusive");
		return -1;
	}
	if (c->cmd_argv && c->duration_ns) {
		/* Allowed: stop at whichever comes first, like timeout(1). */
	}
	(void)spec;
	return 0;
}

int st_parse_args(const struct st_cmdspec *spec, struct st_common *c, int argc, char **argv,
		  int *argi)
{
	struct optset s;
	int ch, idx;

	build_optset(spec, &s);
	opterr = 0;
	/*
	 * 0, not 1: glibc then forgets the previous scan (its position inside a cluster such
	 * as "-vh", which points into that call's argv, and the '+' ordering).
	 */
	optind = 0;
	while ((ch = getopt_long(argc, argv, s.shorts, s.lopts, &idx)) != -1) {
		int id = ch;

		if (ch == '?' || ch == ':')
			return report_getopt_error(argv, ch);
		if (ch < 256)
			id = short_to_id(&s, spec, ch);
		if (id == C_HELP) {
			st_print_help(spec, stdout);
			return 1;
		}
		if (id == C_VERBOSE) {
			c->verbose++;
			continue;
		}
		if (id >= C_PID && id < C_VERBOSE) {
			if (parse_common(c, id, opt_name(&s, id, ch), optarg))
				return -1;
			continue;
		}
		if (!spec->handle || spec->handle(spec->ctx, id, optarg))
			return -1;
	}
	/* "--" ends options; what follows is CMD when the subcommand traces targets. */
	if (optind < argc && (spec->common & ST_OPT_CMD) && !strcmp(argv[optind - 1], "--")) {
		c->cmd_argv = &argv[optind];
		optind = argc;
	}
	if (optind < argc && !spec->positional) {
		st_err("unexpected argument '%s' (see --help)", argv[optind]);
		return -1;
	}
	if (check_target(spec, c))
		return -1;
	*argi = optind;
	return 0;
}
