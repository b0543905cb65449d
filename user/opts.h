/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command-line parsing shared by every subcommand: the COMMON options of
 * DESIGN.md §2, subcommand options from a table, generated --help text.
 */
#ifndef ST_OPTS_H
#define ST_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Which COMMON options a subcommand accepts. */
enum st_common_mask {
	ST_OPT_TARGET = 1 << 0,	  /* -p, -t, -c, --comm */
	ST_OPT_DURATION = 1 << 1, /* -d */
	ST_OPT_OUTPUT = 1 << 2,	  /* --folded, --svg, --json */
	ST_OPT_RATE = 1 << 3,	  /* --max-events-per-sec, --overhead-budget, --max-stacks */
	ST_OPT_JSON = 1 << 4,	  /* --json only (doctor) */
	ST_OPT_PPROF = 1 << 5,	  /* --pprof: subcommands whose output is stacks */
	ST_OPT_CMD = 1 << 6,	  /* -- CMD [ARGS...] */
	ST_OPT_INTERVAL = 1 << 7, /* -i: periodic reports */
	ST_OPT_SAMPLE = 1 << 8,	  /* --sample: tracers that keep 1 in N events */
	ST_OPT_ALL = ST_OPT_TARGET | ST_OPT_CMD | ST_OPT_DURATION | ST_OPT_INTERVAL |
		     ST_OPT_OUTPUT | ST_OPT_RATE,
};

struct st_common {
	pid_t pid;	      /* -p: a process (all its threads) */
	pid_t tid;	      /* -t: one thread */
	const char *cgroup;   /* -c: cgroup v2 path (absolute or relative to /sys/fs/cgroup) */
	const char *comm;     /* --comm: exact task name (15 chars max) */
	char **cmd_argv;      /* -- CMD ARGS */
	uint64_t duration_ns; /* -d */
	uint64_t interval_ns; /* -i */
	const char *folded_path;
	const char *svg_path;
	const char *json_path;
	const char *pprof_path;	     /* --pprof */
	uint32_t sample;	     /* --sample N: keep 1 in N (1 = all) */
	uint64_t max_events_per_sec; /* 0 = default cap of the tracer */
	double overhead_budget_pct;  /* CPU share of one CPU */
	uint32_t max_stacks;	     /* --max-stacks: entries of every stack map */
	int verbose;
};

/* A subcommand-specific option. */
struct st_optdef {
	const char *name; /* long name, without "--" */
	int short_opt;	  /* 0 when none */
	const char *arg;  /* NULL: flag; otherwise the metavariable shown in help */
	const char *help;
	int id; /* passed to the handler; must be >= 256 when short_opt is 0 */
};

struct st_cmdspec {
	const char *name;
	const char *usage;    /* arguments after "scaletrace NAME " */
	const char *summary;  /* one line */
	const char *details;  /* optional paragraph(s) */
	const char *examples; /* lines "  scaletrace ... # why" */
	unsigned common;      /* enum st_common_mask */
	const struct st_optdef *opts;
	int nopts;
	/* Return 0, or a negative value after printing one error line. */
	int (*handle)(void *ctx, int id, const char *arg);
	void *ctx;
	bool positional; /* accepts positional arguments (returned via *argi) */
};

void st_common_defaults(struct st_common *c);

/*
 * Parse argv (argv[0] is the subcommand name). Returns 0 and sets *argi to the
 * index of the first positional argument, 1 when --help was printed (exit 0), or
 * -1 after printing one error line (exit 2).
 */
int st_parse_args(const struct st_cmdspec *spec, struct st_common *c, int argc, char **argv,
		  int *argi);

void st_print_help(const struct st_cmdspec *spec, FILE *out);

/* True when any filter (-p/-t/-c/--comm/--) is set. */
bool st_common_has_target(const struct st_common *c);

#endif
