/* SPDX-License-Identifier: GPL-2.0 */
/* Pieces every report shares: drop counters, BPF cost, budget actions, outputs. */
#ifndef ST_REPORT_H
#define ST_REPORT_H

#include "common.h"
#include "session.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>

struct fold;

/* "drops: none" or "drops: ringbuf_full=3 map_full=1 (sampled_out=100 by --sample)". */
void st_report_drops(FILE *out, const uint64_t *drops);
json_object *st_json_drops(const uint64_t *drops);
/* Per-program BPF run time and ns/event, and what the overhead budget did. */
void st_report_costs(FILE *out, const struct st_session *s);
json_object *st_json_costs(const struct st_session *s);
/* Common JSON header fields: schema, unit, duration, kernel. */
json_object *st_json_header(const char *schema, const char *unit, const struct st_session *s);
/* Write @root to @path (or stdout for "-") pretty-printed; 0 or -errno. */
int st_json_write(json_object *root, const char *path);
/* --folded FILE and --svg FILE from a fold; @countname is "us" or "samples". */
int st_write_folded(const struct fold *f, const char *path);
/* The @n heaviest stacks of @f, one line each; @unit "us" prints ms, else raw counts. */
void st_report_top(FILE *out, const struct fold *f, size_t n, const char *unit);
/*
 * --folded / --svg / --pprof of a fold, as the common options ask: @title and
 * @unit ("us" or "samples") for the SVG, @type the pprof sample type.
 */
int st_write_fold_outputs(const struct st_common *c, const struct fold *f, const char *title,
			  const char *unit, const char *type, const struct st_session *s);
struct k8s_cgmap;
/* "cgroup", "pod_uid", "container_id" of cgroup @cgid into @o (empty when unknown) */
void st_json_k8s(json_object *o, struct k8s_cgmap *cg, uint64_t cgid);
/* A cgroup map of this host's cgroup v2 tree (NULL when there is none) */
struct k8s_cgmap *st_k8s_cgmap_open(void);
struct podsum;
/* The "by pod" lines of @p on this host (podsum__print), nothing outside pods. */
void st_report_pods(FILE *out, const struct podsum *p, const char *what, bool ns, size_t top);

json_object *st_json_frames(const char *const *fr, int n);
int st_write_svg(const struct fold *f, const char *path, const char *title, const char *countname);

#endif
