// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "hist.h"

static void test_buckets_cover_and_order(void **state)
{
	unsigned int b;
	uint64_t v;

	(void)state;
	for (b = 0; b + 1 < HIST_BUCKETS; b++) {
		assert_true(hist_bucket_low(b) <= hist_bucket_high(b));
		assert_int_equal(hist_bucket_high(b) + 1, hist_bucket_low(b + 1));
		assert_int_equal(hist_bucket(hist_bucket_low(b)), b);
		assert_int_equal(hist_bucket(hist_bucket_high(b)), b);
	}
	for (v = 1; v < (1ULL << 62); v = v * 3 + 1) {
		b = hist_bucket(v);
		assert_true(hist_bucket_low(b) <= v && v <= hist_bucket_high(b));
		/* relative width: within 1/32 */
		if (v > 64)
			assert_true((double)(hist_bucket_high(b) - hist_bucket_low(b)) / (double)v <
				    1.0 / 31);
	}
	assert_int_equal(hist_bucket(UINT64_MAX), HIST_BUCKETS - 1);
}

static void test_percentiles_uniform(void **state)
{
	struct hist h;
	uint64_t i;

	(void)state;
	hist_init(&h);
	for (i = 1; i <= 100000; i++)
		hist_add(&h, i * 1000); /* 1us .. 100ms */
	assert_true(fabs((double)hist_percentile(&h, 50) / 50e6 - 1) < 0.03);
	assert_true(fabs((double)hist_percentile(&h, 95) / 95e6 - 1) < 0.03);
	assert_true(fabs((double)hist_percentile(&h, 99) / 99e6 - 1) < 0.03);
	assert_int_equal(hist_percentile(&h, 100), 100000 * 1000);
	assert_int_equal(hist_percentile(&h, 0), 1000);
	assert_int_equal(h.count, 100000);
}

static void test_constant_and_empty(void **state)
{
	struct hist h, g;
	int i;

	(void)state;
	hist_init(&h);
	assert_int_equal(hist_percentile(&h, 50), 0);
	for (i = 0; i < 10; i++)
		hist_add(&h, 30000000); /* 30 ms exactly */
	assert_int_equal(hist_percentile(&h, 50), 30000000);
	assert_int_equal(hist_percentile(&h, 99), 30000000);
	hist_init(&g);
	hist_add(&g, 1);
	hist_merge(&g, &h);
	assert_int_equal(g.count, 11);
	assert_int_equal(g.min, 1);
	assert_int_equal(g.max, 30000000);
	assert_int_equal(hist_percentile(&g, 50), 30000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets_cover_and_order),
		cmocka_unit_test(test_percentiles_uniform),
		cmocka_unit_test(test_constant_and_empty),
	};

	return cmocka_run_group_tests_name("hist", tests, NULL, NULL);
}
