/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Markdown performance reports from a tracer's JSON document (nodestage or
 * iolat, the exact object written with --json): environment, methodology,
 * percentile tables, SLO status, top contributors with their numbers, links
 * to the other outputs. Every number comes from the JSON object (the CPU model
 * alone is read from /proc/cpuinfo), so a test can check each against it.
 */
#ifndef ST_MDREPORT_H
#define ST_MDREPORT_H

#include <json-c/json.h>
#include <stdio.h>

struct md_report_opts {	       /* zero = defaults */
	const char *title;     /* default "scaletrace SUBCOMMAND report" */
	const char *svg_path;  /* links to the files written with the report; */
	const char *json_path; /* NULL (or "-") when not written */
	const char *folded_path;
	const char *cpuinfo_path; /* default /proc/cpuinfo */
	int top;		  /* contributors listed (default 5) */
};

/*
 * Write the report for @root to @path ("-" = stdout), created safely (see
 * output.h). Returns 0, or a negative errno after one st_err() line; -EINVAL
 * when @root is not a nodestage or iolat document.
 */
int md_report_write(json_object *root, const char *path, const struct md_report_opts *o);
/* The same into an open stream. */
int md_report_fprint(json_object *root, FILE *out, const struct md_report_opts *o);

struct st_common;

/*
 * For a tracer's end of run: @root to --json (when c->json_path is set) and the
 * report to @report_path (when set), linking the run's --svg, --json and
 * --folded files; @top contributors. 0 or a negative errno after one line.
 */
int md_report_outputs(json_object *root, const struct st_common *c, const char *report_path,
		      int top);

#endif
