/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two-sample statistics for comparing runs: the Mann-Whitney U test (normal
 * approximation with tie and continuity correction, two-sided), the
 * Hodges-Lehmann shift estimate, nearest-rank percentiles. Pure: plain arrays
 * in, plain numbers out, no allocation visible to the caller.
 */
#ifndef ST_STATS_H
#define ST_STATS_H

#include <stdbool.h>
#include <stddef.h>

struct stats_mwu {
	size_t n_a, n_b;
	double u_b;	 /* pairs (a, b) with b > a, ties count 1/2: 0 .. n_a * n_b */
	double z;	 /* continuity-corrected, signed: > 0 when b tends to be larger */
	double p;	 /* two-sided p-value; 1 when it cannot be computed */
	double p_min;	 /* the smallest p these sample sizes can give (complete separation) */
	double superior; /* u_b / (n_a n_b): P(b > a) + P(b = a) / 2, 0.5 = no effect */
	bool tested;	 /* both samples non-empty */
};

/*
 * Mann-Whitney U (Wilcoxon rank-sum) of @b against @a. Ties get mid-ranks and
 * the variance their correction; when every value is tied the p-value is 1.
 * Returns 0, or -ENOMEM (r->tested false).
 */
int stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb, struct stats_mwu *r);

/*
 * Hodges-Lehmann estimate of the shift b - a: the median of all na * nb
 * pairwise differences. Above @max_pairs pairs it falls back to
 * median(b) - median(a) and sets *exact false. 0 when a sample is empty.
 */
double stats_hodges_lehmann(const double *a, size_t na, const double *b, size_t nb,
			    size_t max_pairs, bool *exact);

/* Nearest-rank percentile of an ascending array: the value at rank ceil(pct/100 n). */
double stats_percentile_sorted(const double *v, size_t n, double pct);
/* Same on an unsorted array, which is sorted in place. */
double stats_percentile(double *v, size_t n, double pct);
/* Median (mean of the two middle values when n is even) of an ascending array. */
double stats_median_sorted(const double *v, size_t n);
void stats_sort(double *v, size_t n);

/* Upper tail of the standard normal distribution, P(Z > z). */
double stats_normal_sf(double z);

#endif
