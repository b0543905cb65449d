/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Totals by cgroup id, reported by Kubernetes pod and container: the "by pod"
 * lines of the offcpu, profile and iolat summaries.
 */
#ifndef ST_PODSUM_H
#define ST_PODSUM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct podsum;
struct k8s_cgmap;

struct podsum *podsum__new(void);
void podsum__free(struct podsum *p);
/* Add @value (ns or a count) to cgroup @cgid (0: unknown). 0 or -ENOMEM. */
int podsum__add(struct podsum *p, uint64_t cgid, uint64_t value);
/*
 * "by pod (WHAT):" and one line per pod and container, heaviest first, at most
 * @top, with the share of all that was added; values are durations when @ns,
 * else counts. Prints nothing when no cgroup is in a pod. @cg resolves the
 * cgroup ids (NULL: nothing is).
 */
void podsum__print(const struct podsum *p, struct k8s_cgmap *cg, FILE *out, const char *what,
		   bool ns, size_t top);

#endif
