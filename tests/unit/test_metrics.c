// SPDX-License-Identifier: GPL-2.0
/* The OpenMetrics registry behind `scaletrace serve`: exact text, bounded series. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static char *render(struct metrics *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(metrics__render(r, f), 0);
	fclose(f);
	return buf;
}

static void test_counter_gauge_text(void **state)
{
	static const char *const l[] = { "reason" };
	struct metrics *r = metrics__new();
	struct metric *c = metrics__add(r, "st_drops", "dropped events", METRIC_COUNTER, 8, 1, l);
	struct metric *g = metrics__add(r, "st_up", "running", METRIC_GAUGE, 1, 0, NULL);
	char *t;

	(void)state;
	metric__inc(c, (const char *[]){ "ringbuf_full" }, 2, 1);
	metric__inc(c, (const char *[]){ "map_full" }, 1, 2);
	metric__inc(c, (const char *[]){ "ringbuf_full" }, 3, 3);
	metric__set(g, NULL, 1, 4);
	t = render(r);
	assert_string_equal(t, "# TYPE st_drops counter\n"
			       "# HELP st_drops dropped events\n"
			       "st_drops_total{reason=\"map_full\"} 1\n"
			       "st_drops_total{reason=\"ringbuf_full\"} 5\n"
			       "# TYPE st_up gauge\n"
			       "# HELP st_up running\n"
			       "st_up 1\n"
			       "# EOF\n");
	free(t);
	metrics__free(r);
}

static void test_histogram_cumulative(void **state)
{
	static const char *const l[] = { "phase" };
	struct metrics *r = metrics__new();
	struct metric *h = metrics__add(r, "st_phase_seconds", "phase", METRIC_HISTOGRAM, 4, 1, l);
	char *t;

	(void)state;
	metric__observe(h, (const char *[]){ "mkfs" }, 0.00004, 1); /* first bucket */
	metric__observe(h, (const char *[]){ "mkfs" }, 0.3, 2);	    /* le 0.5 */
	metric__observe(h, (const char *[]){ "mkfs" }, 500, 3);	    /* only +Inf */
	t = render(r);
	assert_non_null(strstr(t, "st_phase_seconds_bucket{phase=\"mkfs\",le=\"5e-05\"} 1\n"));
	assert_non_null(strstr(t, "st_phase_seconds_bucket{phase=\"mkfs\",le=\"0.25\"} 1\n"));
	assert_non_null(strstr(t, "st_phase_seconds_bucket{phase=\"mkfs\",le=\"0.5\"} 2\n"));
	assert_non_null(strstr(t, "st_phase_seconds_bucket{phase=\"mkfs\",le=\"120\"} 2\n"));
	assert_non_null(strstr(t, "st_phase_seconds_bucket{phase=\"mkfs\",le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(t, "st_phase_seconds_count{phase=\"mkfs\"} 3\n"));
	assert_non_null(strstr(t, "st_phase_seconds_sum{phase=\"mkfs\"} 500.30004\n"));
	free(t);
	metrics__free(r);
}

/* Over max_series, the least recently updated series goes, and is counted. */
static void test_bounded_series(void **state)
{
	static const char *const l[] = { "volume" };
	struct metrics *r = metrics__new();
	struct metric *g = metrics__add(r, "st_last", "last", METRIC_GAUGE, 3, 1, l);
	char name[32], *t;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "pvc-%d", i);
		metric__set(g, (const char *[]){ name }, i, (uint64_t)i + 1);
		/* pvc-0 stays fresh, so it is never the one dropped */
		metric__set(g, (const char *[]){ "pvc-0" }, 0, (uint64_t)i + 1);
	}
	t = render(r);
	assert_non_null(strstr(t, "st_last{volume=\"pvc-0\"} 0\n"));
	assert_non_null(strstr(t, "st_last{volume=\"pvc-999\"} 999\n"));
	assert_non_null(strstr(t, "st_last{volume=\"pvc-998\"} 998\n"));
	assert_null(strstr(t, "pvc-997"));
	assert_int_equal(metrics__evicted(r), 997);
	free(t);
	metric__expire(g, 1000);
	t = render(r);
	assert_null(strstr(t, "pvc-998"));
	assert_non_null(strstr(t, "pvc-999"));
	free(t);
	metrics__free(r);
}

static void test_label_escaping(void **state)
{
	static const char *const l[] = { "comm" };
	struct metrics *r = metrics__new();
	struct metric *c = metrics__add(r, "st_off", "off", METRIC_COUNTER, 4, 1, l);
	char *t;

	(void)state;
	metric__inc(c, (const char *[]){ "a\"b\\c\nd" }, 1, 1);
	t = render(r);
	assert_non_null(strstr(t, "st_off_total{comm=\"a\\\"b\\\\c\\nd\"} 1\n"));
	free(t);
	metrics__free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_gauge_text),
		cmocka_unit_test(test_histogram_cumulative),
		cmocka_unit_test(test_bounded_series),
		cmocka_unit_test(test_label_escaping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
