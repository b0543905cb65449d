// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "stats.h"

#define assert_near(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

/*
 * SciPy's documented example (scipy.stats.mannwhitneyu): ages of males
 * {19, 22, 16, 29, 24} and females {20, 11, 17, 12}: U = 17 for the males,
 * method="asymptotic" (continuity-corrected normal) p = 0.11134688653314041.
 */
static void test_mwu_scipy_example(void **state)
{
	const double females[] = { 20, 11, 17, 12 }, males[] = { 19, 22, 16, 29, 24 };
	struct stats_mwu r;

	(void)state;
	assert_int_equal(stats_mann_whitney(females, 4, males, 5, &r), 0);
	assert_true(r.tested);
	assert_near(r.u_b, 17, 1e-12);
	assert_near(r.p, 0.11134688653314041, 1e-12);
	assert_true(r.z > 0); /* the males tend to be older */
	assert_near(r.superior, 17.0 / 20.0, 1e-12);
	/* swapping the samples mirrors U and keeps the two-sided p */
	assert_int_equal(stats_mann_whitney(males, 5, females, 4, &r), 0);
	assert_near(r.u_b, 3, 1e-12);
	assert_near(r.p, 0.11134688653314041, 1e-12);
	assert_true(r.z < 0);
}

/*
 * Wikipedia's tortoise and hare: finishing order T H H H H H T T T T T H.
 * U for the hares is 11 (and 25 for the tortoises).
 */
static void test_mwu_tortoise_hare(void **state)
{
	const double tortoise[] = { 1, 7, 8, 9, 10, 11 }, hare[] = { 2, 3, 4, 5, 6, 12 };
	struct stats_mwu r;

	(void)state;
	assert_int_equal(stats_mann_whitney(tortoise, 6, hare, 6, &r), 0);
	assert_near(r.u_b, 11, 1e-12);
	assert_int_equal(stats_mann_whitney(hare, 6, tortoise, 6, &r), 0);
	assert_near(r.u_b, 25, 1e-12);
	/* z = (|25 - 18| - 0.5) / sqrt(36 * 13 / 12) = 6.5 / 6.245 */
	assert_near(r.z, 6.5 / sqrt(39.0), 1e-12);
	assert_near(r.p, erfc(6.5 / sqrt(39.0) / sqrt(2.0)), 1e-12);
}

/*
 * Ties: a = {1, 2, 2, 3, 3, 3}, b = {2, 3, 3, 4, 4, 5}. Pooled N = 12 with tie
 * groups of 3 (value 2), 5 (value 3) and 2 (value 4): sum(t^3 - t) = 24 + 120
 * + 6 = 150. U_b = 29 (count b > a, ties 1/2), mu = 18,
 * var = 36/12 * (13 - 150 / 132) = 35.5909, z = 10.5 / 5.9658 = 1.76003,
 * p = 0.0784029. Without the tie correction p would be 0.0810.
 */
static void test_mwu_ties(void **state)
{
	const double a[] = { 1, 2, 2, 3, 3, 3 }, b[] = { 2, 3, 3, 4, 4, 5 };
	struct stats_mwu r;

	(void)state;
	assert_int_equal(stats_mann_whitney(a, 6, b, 6, &r), 0);
	assert_near(r.u_b, 29, 1e-12);
	assert_near(r.z, 1.7600287353976034, 1e-9);
	assert_near(r.p, 0.07840293453326797, 1e-9);
}

static void test_mwu_identical_samples(void **state)
{
	double a[10], c[8] = { 5, 5, 5, 5, 5, 5, 5, 5 };
	struct stats_mwu r;
	int i;

	(void)state;
	for (i = 0; i < 10; i++)
		a[i] = 100 + i * 7 % 10;
	assert_int_equal(stats_mann_whitney(a, 10, a, 10, &r), 0);
	assert_near(r.u_b, 50, 1e-12);
	assert_near(r.p, 1.0, 1e-12);
	assert_near(r.superior, 0.5, 1e-12);
	/* every value tied: no variance, p = 1, no division by zero */
	assert_int_equal(stats_mann_whitney(c, 4, c + 4, 4, &r), 0);
	assert_near(r.p, 1.0, 1e-12);
	assert_near(r.z, 0, 1e-12);
}

static void test_mwu_shifted_samples(void **state)
{
	double a[20], b[20];
	struct stats_mwu r;
	bool exact;
	int i;

	(void)state;
	for (i = 0; i < 20; i++) {
		a[i] = 1000 + (i * 13) % 20;
		b[i] = 1100 + (i * 7) % 20;
	}
	assert_int_equal(stats_mann_whitney(a, 20, b, 20, &r), 0);
	assert_near(r.u_b, 400, 1e-12);
	assert_true(r.p < 1e-6);
	assert_true(r.z > 5);
	assert_near(r.superior, 1, 1e-12);
	assert_near(stats_hodges_lehmann(a, 20, b, 20, 1 << 20, &exact), 100, 1e-12);
	assert_true(exact);
}

/* The smallest p that n_a, n_b can give: at alpha 0.05 it takes 4 per side. */
static void test_mwu_p_min(void **state)
{
	const double x[] = { 1, 2, 3, 4 }, y[] = { 11, 12, 13, 14 };
	struct stats_mwu r;

	(void)state;
	assert_int_equal(stats_mann_whitney(x, 3, y, 3, &r), 0);
	assert_true(r.p_min > 0.05);
	assert_near(r.p, r.p_min, 1e-12); /* complete separation */
	assert_int_equal(stats_mann_whitney(x, 4, y, 4, &r), 0);
	assert_true(r.p_min < 0.05);
	assert_true(r.p < 0.05);
	assert_int_equal(stats_mann_whitney(x, 1, y, 1, &r), 0);
	assert_near(r.p_min, 1, 1e-12);
	/* an empty sample: no test */
	assert_int_equal(stats_mann_whitney(x, 0, y, 4, &r), 0);
	assert_false(r.tested);
	assert_near(r.p, 1, 1e-12);
}

static void test_hodges_lehmann(void **state)
{
	const double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6, 20 };
	bool exact;

	(void)state;
	/* differences: 3 4 5 19 | 2 3 4 18 | 1 2 3 17 -> sorted median (3 + 4) / 2 */
	assert_near(stats_hodges_lehmann(a, 3, b, 4, 100, &exact), 3.5, 1e-12);
	assert_true(exact);
	/* too many pairs: difference of the medians, 5.5 - 2 */
	assert_near(stats_hodges_lehmann(a, 3, b, 4, 11, &exact), 3.5, 1e-12);
	assert_false(exact);
	assert_near(stats_hodges_lehmann(a, 3, b + 1, 3, 1, &exact), 4, 1e-12);
	assert_near(stats_hodges_lehmann(a, 0, b, 4, 100, &exact), 0, 1e-12);
}

static void test_percentiles_nearest_rank(void **state)
{
	double v[100], w[] = { 9, 1, 5, 3, 7 };
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		v[i] = 100 - i; /* unsorted on purpose */
	assert_near(stats_percentile(v, 100, 50), 50, 0);
	assert_near(stats_percentile_sorted(v, 100, 99), 99, 0);
	assert_near(stats_percentile_sorted(v, 100, 100), 100, 0);
	assert_near(stats_percentile_sorted(v, 100, 0), 1, 0);
	/* rank ceil(0.95 * 20) = 19, not 20 from rounding */
	assert_near(stats_percentile_sorted(v, 20, 95), 19, 0);
	assert_near(stats_percentile_sorted(v, 10, 50), 5, 0);
	assert_near(stats_percentile_sorted(v, 10, 95), 10, 0);
	assert_near(stats_percentile_sorted(v, 10, 10), 1, 0);
	assert_near(stats_percentile_sorted(v, 10, 11), 2, 0);
	assert_near(stats_percentile(w, 5, 50), 5, 0);
	assert_near(stats_percentile_sorted(w, 1, 99), 1, 0);
	assert_near(stats_percentile_sorted(w, 0, 50), 0, 0);
	assert_near(stats_median_sorted(w, 5), 5, 0);
	assert_near(stats_median_sorted(w, 4), 4, 0);
}

static void test_normal_sf(void **state)
{
	(void)state;
	assert_near(stats_normal_sf(0), 0.5, 1e-15);
	assert_near(stats_normal_sf(1.959963984540054), 0.025, 1e-12);
	assert_near(stats_normal_sf(-1.959963984540054), 0.975, 1e-12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mwu_scipy_example),
		cmocka_unit_test(test_mwu_tortoise_hare),
		cmocka_unit_test(test_mwu_ties),
		cmocka_unit_test(test_mwu_identical_samples),
		cmocka_unit_test(test_mwu_shifted_samples),
		cmocka_unit_test(test_mwu_p_min),
		cmocka_unit_test(test_hodges_lehmann),
		cmocka_unit_test(test_percentiles_nearest_rank),
		cmocka_unit_test(test_normal_sf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
