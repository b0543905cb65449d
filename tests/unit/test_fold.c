// SPDX-License-Identifier: GPL-2.0
/*
 * Folded lines as flamegraph.pl reads them: "STACK COUNT", split by
 * /^(.*)\s+?(\d+(?:\.\d*)?)$/, then the same split tried on STACK for a
 * differential second column. A frame must never make that second split match,
 * nor contain the separator or a line break.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"

/* fold__write of one stack, without the newline */
static char *one_line(const char *const *frames, int n, uint64_t count)
{
	struct fold *f = fold__new();
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_non_null(m);
	assert_int_equal(fold__add(f, frames, n, count), 0);
	assert_int_equal(fold__write(f, m), 0);
	fclose(m);
	fold__free(f);
	assert_true(len > 0 && buf[len - 1] == '\n');
	buf[len - 1] = '\0';
	assert_null(strchr(buf, '\n'));
	return buf;
}

static void expect(const char *const *frames, int n, const char *want)
{
	char *got = one_line(frames, n, 7);

	assert_string_equal(got, want);
	free(got);
}

static void test_number_suffix(void **state)
{
	const char *a[] = { "app", "worker 2" };
	const char *b[] = { "app", "x\t 12.5" };
	const char *c[] = { "app", "ratio 12." };
	const char *d[] = { "worker 2", "leaf" };
	const char *e[] = { "app", "v .5" };
	const char *g[] = { "app", "[k] io_schedule" };
	const char *h[] = { "app", "port:3260" };

	(void)state;
	expect(a, 2, "app;worker_2 7");
	expect(b, 2, "app;x__12.5 7");
	expect(c, 2, "app;ratio_12. 7");
	expect(d, 2, "worker 2;leaf 7"); /* only the last frame is ambiguous */
	expect(e, 2, "app;v .5 7");	 /* flamegraph.pl cannot read ".5" as a count */
	expect(g, 2, "app;[k] io_schedule 7");
	expect(h, 2, "app;port:3260 7");
}

static void test_separators(void **state)
{
	const char *a[] = { "a;b", "c\nd", "", "e\r" };
	const char *b[] = { "app", "trailing  " };

	(void)state;
	expect(a, 4, "a_b;c_d;[unknown];e_ 7");
	expect(b, 2, "app;trailing 7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_number_suffix),
		cmocka_unit_test(test_separators),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
