// SPDX-License-Identifier: GPL-2.0
/* scaletrace: one binary, many subcommands (like bpftool, perf, git). */
#include "cmds.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const struct st_cmd *c;
	int amb;

	if (argc < 2) {
		st_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return cmd_version(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(1, argv + 1);
	c = st_cmd_find(argv[1], &amb);
	if (!c) {
		if (amb)
			st_err("ambiguous subcommand '%s' (see 'scaletrace help')", argv[1]);
		else
			st_err("unknown subcommand '%s' (see 'scaletrace help')", argv[1]);
		return 2;
	}
	st_set_cmdname(c->name);
	argv[1] = (char *)c->name;
	return c->run(argc - 1, argv + 1);
}
