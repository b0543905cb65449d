/* SPDX-License-Identifier: GPL-2.0 */
/* Subcommand entry points. Each returns the process exit status. */
#ifndef ST_CMDS_H
#define ST_CMDS_H

struct st_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

int cmd_doctor(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_flamegraph(int argc, char **argv);
int cmd_offcpu(int argc, char **argv);
int cmd_iolat(int argc, char **argv);
int cmd_nodestage(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);

#include <stdio.h>
void st_usage(FILE *out);

/* The dispatch table (main.c) and its lookup, exposed for tests. */
const struct st_cmd *st_cmd_table(int *n);
/* Exact name, else unique prefix; NULL with *ambiguous set when several match. */
const struct st_cmd *st_cmd_find(const char *name, int *ambiguous);

#endif
