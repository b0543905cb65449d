// SPDX-License-Identifier: GPL-2.0
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

void stats_sort(double *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_double);
}

double stats_normal_sf(double z)
{
	return 0.5 * erfc(z / M_SQRT2);
}

double stats_percentile_sorted(const double *v, size_t n, double pct)
{
	double r;
	size_t rank;

	if (!n)
		return 0;
	/* ceil() of a product like 0.95 * 20 must give 19, not 20: allow for rounding. */
	r = ceil(pct / 100.0 * (double)n - 1e-9);
	rank = r < 1 ? 1 : (size_t)r;
	return v[(rank > n ? n : rank) - 1];
}

double stats_percentile(double *v, size_t n, double pct)
{
	stats_sort(v, n);
	return stats_percentile_sorted(v, n, pct);
}

double stats_median_sorted(const double *v, size_t n)
{
	if (!n)
		return 0;
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

struct ranked {
	double v;
	int from_b;
};

static int cmp_ranked(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;

	return a->v < b->v ? -1 : a->v > b->v;
}

/*
 * Rank the pooled samples (mid-ranks for ties). Returns the rank sum of b and
 * sets *ties to sum(t^3 - t) over the groups of t tied values.
 */
static double rank_sum_b(struct ranked *all, size_t n, double *ties)
{
	double sum = 0;
	size_t i = 0, j;

	qsort(all, n, sizeof(*all), cmp_ranked);
	*ties = 0;
	while (i < n) {
		double mid, t;

		for (j = i + 1; j < n && all[j].v == all[i].v; j++)
			;
		mid = ((double)(i + 1) + (double)j) / 2.0; /* ranks i+1 .. j */
		t = (double)(j - i);
		*ties += t * t * t - t;
		for (; i < j; i++)
			if (all[i].from_b)
				sum += mid;
	}
	return sum;
}

/* Two-sided p of a continuity-corrected normal deviate; also sets r->z. */
static double corrected_p(double u, double mu, double sigma, double *z)
{
	double d = fabs(u - mu) - 0.5;

	if (sigma <= 0) {
		*z = 0;
		return 1.0;
	}
	*z = (d > 0 ? d : 0) / sigma * (u >= mu ? 1 : -1);
	return fmin(1.0, 2.0 * stats_normal_sf(fabs(*z)));
}

int stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb, struct stats_mwu *r)
{
	double n = (double)(na + nb), nab = (double)na * (double)nb, ties, mu, var, z0;
	struct ranked *all;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->n_a = na;
	r->n_b = nb;
	r->p = r->p_min = 1.0;
	r->superior = 0.5;
	if (!na || !nb)
		return 0;
	all = malloc((na + nb) * sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (i = 0; i < na; i++)
		all[i] = (struct ranked){ a[i], 0 };
	for (i = 0; i < nb; i++)
		all[na + i] = (struct ranked){ b[i], 1 };
	r->u_b = rank_sum_b(all, na + nb, &ties) - (double)nb * ((double)nb + 1) / 2.0;
	free(all);
	mu = nab / 2.0;
	var = nab / 12.0 * ((n + 1) - (n > 1 ? ties / (n * (n - 1)) : 0));
	r->p = corrected_p(r->u_b, mu, var > 0 ? sqrt(var) : 0, &r->z);
	/* Complete separation without ties: the best these sample sizes can do. */
	r->p_min = corrected_p(nab, mu, sqrt(nab * (n + 1) / 12.0), &z0);
	r->superior = r->u_b / nab;
	r->tested = true;
	return 0;
}

double stats_hodges_lehmann(const double *a, size_t na, const double *b, size_t nb,
			    size_t max_pairs, bool *exact)
{
	double *d, *sa, *sb, m = 0;
	size_t i, j, k = 0;

	*exact = false;
	if (!na || !nb)
		return 0;
	if (na <= max_pairs / nb && (d = malloc(na * nb * sizeof(*d)))) {
		for (i = 0; i < na; i++)
			for (j = 0; j < nb; j++)
				d[k++] = b[j] - a[i];
		stats_sort(d, k);
		m = stats_median_sorted(d, k);
		free(d);
		*exact = true;
		return m;
	}
	sa = malloc(na * sizeof(*sa));
	sb = malloc(nb * sizeof(*sb));
	if (sa && sb) {
		memcpy(sa, a, na * sizeof(*sa));
		memcpy(sb, b, nb * sizeof(*sb));
		stats_sort(sa, na);
		stats_sort(sb, nb);
		m = stats_median_sorted(sb, nb) - stats_median_sorted(sa, na);
	}
	free(sa);
	free(sb);
	return m;
}
