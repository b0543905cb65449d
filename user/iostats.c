// SPDX-License-Identifier: GPL-2.0
#include "iostats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const comp_names[IOS__NR] = { "total", "kernel", "network", "target" };

const char *iostat_comp_name(enum iostat_comp c)
{
	return c < IOS__NR ? comp_names[c] : "?";
}

void iostats_init(struct iostats *s)
{
	memset(s, 0, sizeof(*s));
}

void iostats_free(struct iostats *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->g[i].name);
	free(s->g);
	memset(s, 0, sizeof(*s));
}

static struct iostat_group *group(struct iostats *s, const char *name)
{
	struct iostat_group *g;
	size_t i;
	int c;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->g[i].name, name))
			return &s->g[i];
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;

		g = realloc(s->g, cap * sizeof(*g));
		if (!g)
			return NULL;
		s->g = g;
		s->cap = cap;
	}
	g = &s->g[s->n];
	memset(g, 0, sizeof(*g));
	g->name = strdup(name);
	if (!g->name)
		return NULL;
	for (c = 0; c < IOS__NR; c++)
		hist_init(&g->h[c]);
	s->n++;
	return g;
}

int iostats_add(struct iostats *s, const char *name, const struct io_split *sp,
		enum attrib_precision p, uint64_t bytes)
{
	struct iostat_group *g = group(s, name);

	if (!g)
		return -ENOMEM;
	g->count++;
	g->bytes += bytes;
	g->retrans_ios += sp->retransmitted;
	g->transport_ios += p == ATTRIB_TRANSPORT;
	hist_add(&g->h[IOS_TOTAL], sp->total);
	hist_add(&g->h[IOS_KERNEL], sp->kernel);
	hist_add(&g->h[IOS_NETWORK], sp->network);
	hist_add(&g->h[IOS_TARGET], sp->target);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct iostat_group *)a)->name,
		      ((const struct iostat_group *)b)->name);
}

void iostats_sort(struct iostats *s)
{
	if (s->n > 1)
		qsort(s->g, s->n, sizeof(*s->g), by_name);
}
