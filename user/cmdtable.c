// SPDX-License-Identifier: GPL-2.0
/* The subcommand table, prefix lookup, help and version. */
#include "cmds.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static const struct st_cmd cmds[] = {
	{ "doctor", "what this kernel supports and which attach mode each probe uses", cmd_doctor },
	{ "compare",
	  "compare two runs (JSON or folded): percentile changes, significance, differential "
	  "flamegraph",
	  cmd_compare },
	{ "flamegraph", "render folded stacks as an interactive SVG flamegraph (also differential)",
	  cmd_flamegraph },
	{ "iolat", "per-I/O latency on iSCSI/NVMe-TCP split into kernel, network, target",
	  cmd_iolat },
	{ "nodestage",
	  "CSI NodeStage operations phase by phase: kernel, network, TrueNAS, user, wait",
	  cmd_nodestage },
	{ "offcpu", "off-CPU time by process, thread state and stack (folded, flamegraph)",
	  cmd_offcpu },
	{ "profile", "on-CPU samples by stack (perf_event; folded, flamegraph)", cmd_profile },
	{ "serve", "trace continuously; Prometheus / OpenMetrics metrics on /metrics, /healthz",
	  cmd_serve },
	{ "help", "show this help, or a subcommand's (scaletrace help SUBCMD)", cmd_help },
	{ "version", "print the version", cmd_version },
};

const struct st_cmd *st_cmd_table(int *n)
{
	*n = (int)ARRAY_SIZE(cmds);
	return cmds;
}

const struct st_cmd *st_cmd_find(const char *name, int *ambiguous)
{
	const struct st_cmd *found = NULL;
	size_t len = strlen(name), i;
	int matches = 0;

	*ambiguous = 0;
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	for (i = 0; len && i < ARRAY_SIZE(cmds); i++) {
		if (!strncmp(cmds[i].name, name, len)) {
			found = &cmds[i];
			matches++;
		}
	}
	if (matches > 1) {
		*ambiguous = 1;
		return NULL;
	}
	return found;
}

void st_usage(FILE *out)
{
	size_t i;

	fprintf(out, "USAGE: scaletrace [--version] SUBCOMMAND [OPTIONS]\n\n"
		     "eBPF tracing for networked storage on Kubernetes nodes: where did the\n"
		     "time go -- this node's kernel, the network, or the TrueNAS target?\n\n"
		     "SUBCOMMANDS:\n");
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(out, "  %-11s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(out, "\nSubcommands may be abbreviated to a unique prefix.\n"
		     "Run 'scaletrace SUBCOMMAND --help' for its options and examples.\n");
}

int cmd_help(int argc, char **argv)
{
	const struct st_cmd *c;
	char *hargv[] = { NULL, "--help", NULL };
	int amb;

	if (argc < 2) {
		st_usage(stdout);
		return 0;
	}
	c = st_cmd_find(argv[1], &amb);
	if (!c || c->run == cmd_help || c->run == cmd_version) {
		if (c)
			return c->run == cmd_help ? (st_usage(stdout), 0) : cmd_version(1, argv);
		st_err("unknown subcommand '%s' (see 'scaletrace help')", argv[1]);
		return 2;
	}
	hargv[0] = (char *)c->name;
	st_set_cmdname(c->name);
	return c->run(2, hargv);
}

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("scaletrace %s (%s)\n", ST_VERSION, ST_GIT_REV);
	return 0;
}
