// SPDX-License-Identifier: GPL-2.0
#include "podsum.h"
#include "k8s.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct cg_total {
	uint64_t cgid, value;
};

struct podsum {
	struct cg_total *v;
	size_t n, cap;
	uint64_t total;
};

/* A pod and container with its total, for printing. */
struct pod_row {
	struct k8s_pod pod;
	uint64_t value;
};

struct podsum *podsum__new(void)
{
	return calloc(1, sizeof(struct podsum));
}

void podsum__free(struct podsum *p)
{
	if (p)
		free(p->v);
	free(p);
}

int podsum__add(struct podsum *p, uint64_t cgid, uint64_t value)
{
	size_t i;

	p->total += value;
	/* Few distinct cgroups in one run: a scan from the newest is enough. */
	for (i = p->n; i-- > 0;)
		if (p->v[i].cgid == cgid) {
			p->v[i].value += value;
			return 0;
		}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct cg_total *nv = realloc(p->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		p->v = nv;
		p->cap = cap;
	}
	p->v[p->n++] = (struct cg_total){ cgid, value };
	return 0;
}

static int by_value(const void *a, const void *b)
{
	const struct pod_row *x = a, *y = b;
	int c;

	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	c = strcmp(x->pod.pod_uid, y->pod.pod_uid);
	return c ? c : strcmp(x->pod.container_id, y->pod.container_id);
}

/* The rows of @p's cgroups that are in a pod, merged by pod and container. */
static size_t pod_rows(const struct podsum *p, struct k8s_cgmap *cg, struct pod_row *rows)
{
	size_t i, j, n = 0;

	for (i = 0; i < p->n; i++) {
		struct k8s_pod pod = { 0 };

		if (!cg || !p->v[i].cgid || k8s_cgmap__pod(cg, p->v[i].cgid, &pod) ||
		    !pod.pod_uid[0])
			continue;
		for (j = 0; j < n; j++)
			if (!strcmp(rows[j].pod.pod_uid, pod.pod_uid) &&
			    !strcmp(rows[j].pod.container_id, pod.container_id))
				break;
		if (j == n)
			rows[n++] = (struct pod_row){ .pod = pod };
		rows[j].value += p->v[i].value;
	}
	return n;
}

void podsum__print(const struct podsum *p, struct k8s_cgmap *cg, FILE *out, const char *what,
		   bool ns, size_t top)
{
	struct pod_row *rows = p->n ? calloc(p->n, sizeof(*rows)) : NULL;
	size_t i, n = rows ? pod_rows(p, cg, rows) : 0;
	char v[32];

	if (!n) {
		free(rows);
		return;
	}
	fprintf(out, "by pod (%s):\n", what);
	qsort(rows, n, sizeof(*rows), by_value);
	for (i = 0; i < n && i < top; i++) {
		if (ns)
			st_fmt_duration(rows[i].value, v, sizeof(v));
		else
			snprintf(v, sizeof(v), "%llu", (unsigned long long)rows[i].value);
		fprintf(out, "  %10s %5.1f%%  pod %s container %.12s\n", v,
			p->total ? 100.0 * (double)rows[i].value / (double)p->total : 0.0,
			rows[i].pod.pod_uid,
			rows[i].pod.container_id[0] ? rows[i].pod.container_id : "-");
	}
	if (n > top)
		fprintf(out, "  ... %zu more\n", n - top);
	free(rows);
}
