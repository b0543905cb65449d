// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "util.h"
#include "opts.h"
#include "cmds.h"
#include "table.h"

static void test_parse_u64(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(st_parse_u64("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(st_parse_u64("", 0, 100, &v), -EINVAL);
	assert_int_equal(st_parse_u64("-1", 0, 100, &v), -EINVAL);
	assert_int_equal(st_parse_u64("12x", 0, 100, &v), -EINVAL);
	assert_int_equal(st_parse_u64(" 1", 0, 100, &v), -EINVAL);
	assert_int_equal(st_parse_u64("101", 0, 100, &v), -ERANGE);
	assert_int_equal(st_parse_u64("99999999999999999999999", 0, UINT64_MAX, &v), -ERANGE);
	assert_int_equal(v, 42);
}

static void test_parse_duration(void **state)
{
	uint64_t ns = 0;

	(void)state;
	assert_int_equal(st_parse_duration("5", NSEC_PER_SEC, &ns), 0);
	assert_int_equal(ns, 5 * NSEC_PER_SEC);
	assert_int_equal(st_parse_duration("1.5s", NSEC_PER_SEC, &ns), 0);
	assert_int_equal(ns, 1500 * NSEC_PER_MSEC);
	assert_int_equal(st_parse_duration("200ms", NSEC_PER_SEC, &ns), 0);
	assert_int_equal(ns, 200 * NSEC_PER_MSEC);
	assert_int_equal(st_parse_duration("150", NSEC_PER_USEC, &ns), 0);
	assert_int_equal(ns, 150 * NSEC_PER_USEC);
	assert_int_equal(st_parse_duration("2m", NSEC_PER_SEC, &ns), 0);
	assert_int_equal(ns, 120 * NSEC_PER_SEC);
	assert_int_equal(st_parse_duration("1h", NSEC_PER_SEC, &ns), 0);
	assert_int_equal(ns, 3600 * NSEC_PER_SEC);
	assert_int_equal(st_parse_duration("-1", NSEC_PER_SEC, &ns), -EINVAL);
	assert_int_equal(st_parse_duration("1x", NSEC_PER_SEC, &ns), -EINVAL);
	assert_int_equal(st_parse_duration("", NSEC_PER_SEC, &ns), -EINVAL);
	assert_int_equal(st_parse_duration("nan", NSEC_PER_SEC, &ns), -EINVAL);
	assert_int_equal(st_parse_duration("inf", NSEC_PER_SEC, &ns), -EINVAL);
	assert_int_equal(st_parse_duration("1e30", NSEC_PER_SEC, &ns), -ERANGE);
	assert_int_equal(st_parse_duration("s", NSEC_PER_SEC, &ns), -EINVAL);
}

static void test_fmt_duration(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(st_fmt_duration(1500, b, sizeof(b)), "1.5us");
	assert_string_equal(st_fmt_duration(812000, b, sizeof(b)), "812us");
	assert_string_equal(st_fmt_duration(4210000, b, sizeof(b)), "4.21ms");
	assert_string_equal(st_fmt_duration(250000000, b, sizeof(b)), "250ms");
	assert_string_equal(st_fmt_duration(1500000000, b, sizeof(b)), "1.50s");
}

static void test_cmd_prefix(void **state)
{
	int amb;

	(void)state;
	assert_non_null(st_cmd_find("doctor", &amb));
	assert_string_equal(st_cmd_find("doc", &amb)->name, "doctor");
	assert_null(st_cmd_find("zzz", &amb));
	assert_int_equal(amb, 0);
	assert_null(st_cmd_find("", &amb));
}

static int handled_id;
static const char *handled_arg;

static int handler(void *ctx, int id, const char *arg)
{
	(void)ctx;
	handled_id = id;
	handled_arg = arg;
	return 0;
}

static void test_parse_args(void **state)
{
	static const struct st_optdef defs[] = { { "min", 'm', "US", "min", 300 } };
	struct st_cmdspec spec = { .name = "t",
				   .usage = "",
				   .summary = "",
				   .common = ST_OPT_ALL,
				   .opts = defs,
				   .nopts = 1,
				   .handle = handler };
	char *a1[] = { "t", "-p", "1", "-d", "2", "-m", "50", "--json", "-", NULL };
	char *a2[] = { "t", "-d", "0", NULL };
	char *a3[] = { "t", "--bogus", NULL };
	char *a4[] = { "t", "--dur", "1.5", "--", "sleep", "1", NULL };
	char *a5[] = { "t", "-p", NULL };
	char *a6[] = { "t", "-p", "1", "--", "x", NULL };
	struct st_common c;
	int argi;

	(void)state;
	st_common_defaults(&c);
	assert_int_equal(st_parse_args(&spec, &c, 9, a1, &argi), 0);
	assert_int_equal(c.pid, 1);
	assert_int_equal(c.duration_ns, 2 * NSEC_PER_SEC);
	assert_string_equal(c.json_path, "-");
	assert_int_equal(handled_id, 300);
	assert_string_equal(handled_arg, "50");
	st_common_defaults(&c);
	assert_int_equal(st_parse_args(&spec, &c, 3, a2, &argi), -1);
	assert_int_equal(st_parse_args(&spec, &c, 2, a3, &argi), -1);
	st_common_defaults(&c);
	assert_int_equal(st_parse_args(&spec, &c, 6, a4, &argi), 0);
	assert_int_equal(c.duration_ns, 1500 * NSEC_PER_MSEC);
	assert_non_null(c.cmd_argv);
	assert_string_equal(c.cmd_argv[0], "sleep");
	st_common_defaults(&c);
	assert_int_equal(st_parse_args(&spec, &c, 2, a5, &argi), -1);
	st_common_defaults(&c);
	assert_int_equal(st_parse_args(&spec, &c, 5, a6, &argi), -1);
}

static void test_table(void **state)
{
	struct st_table *t = st_table__new(3, 1u << 2);
	char buf[256] = { 0 };
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	(void)state;
	st_table__rowf(t, "a\tbb\t1");
	st_table__rowf(t, "ccc\td\t100");
	st_table__print(t, f, 1);
	fclose(f);
	assert_string_equal(buf, " a    bb    1\n ccc  d   100\n");
	st_table__free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_u64),    cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_fmt_duration), cmocka_unit_test(test_cmd_prefix),
		cmocka_unit_test(test_parse_args),   cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
