// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "attrib.h"

#define MS 1000000ULL
#define US 1000ULL

static void assert_sums(const struct io_split *s)
{
	assert_int_equal(s->kernel + s->network + s->target, s->total);
}

/* 20 ms RTT, target answers at once: all wire time is network. */
static void test_net_delay(void **state)
{
	struct io_timeline t = { .t_issue = 1 * MS,
				 .t_tx = 1 * MS + 100 * US,
				 .t_rx = 21 * MS + 200 * US,
				 .t_complete = 21 * MS + 300 * US,
				 .exchanges = 1,
				 .rtt_us = 20000 };
	struct io_split s;

	(void)state;
	assert_int_equal(attrib_io(&t, &s), ATTRIB_TRANSPORT);
	assert_sums(&s);
	assert_int_equal(s.network, 20 * MS);
	assert_int_equal(s.target, 100 * US);
	assert_int_equal(s.kernel, 200 * US);
}

/* 30 ms at the target, 0.2 ms RTT. */
static void test_target_delay(void **state)
{
	struct io_timeline t = { .t_insert = 500 * US,
				 .t_issue = 1 * MS,
				 .t_tx = 2 * MS,
				 .t_rx = 32 * MS + 200 * US,
				 .t_complete = 33 * MS,
				 .exchanges = 1,
				 .rtt_us = 200 };
	struct io_split s;

	(void)state;
	attrib_io(&t, &s);
	assert_sums(&s);
	assert_int_equal(s.total, 32 * MS + 500 * US);
	assert_int_equal(s.network, 200 * US);
	assert_int_equal(s.target, 30 * MS);
	assert_int_equal(s.kernel, 1500 * US + 800 * US);
}

/* A write with one R2T: two round trips on the wire. */
static void test_r2t_two_exchanges(void **state)
{
	struct io_timeline t = { .t_issue = 0 + 1,
				 .t_tx = 1 + 10 * US,
				 .t_rx = 1 + 50 * MS,
				 .t_complete = 1 + 50 * MS + 10 * US,
				 .exchanges = 2,
				 .rtt_us = 20000 };
	struct io_split s;

	(void)state;
	attrib_io(&t, &s);
	assert_sums(&s);
	assert_int_equal(s.network, 40 * MS);
	assert_int_equal(s.target, 50 * MS - 10 * US - 40 * MS);
}

/* A retransmission 200 ms after the send: that wait is network. */
static void test_retransmission(void **state)
{
	struct io_timeline t = { .t_issue = 1,
				 .t_tx = 1 + 10 * US,
				 .t_rx = 1 + 230 * MS,
				 .t_complete = 1 + 231 * MS,
				 .exchanges = 1,
				 .rtt_us = 20000,
				 .retrans = 1,
				 .t_last_retrans = 1 + 210 * MS };
	struct io_split s;

	(void)state;
	attrib_io(&t, &s);
	assert_sums(&s);
	assert_true(s.retransmitted);
	assert_int_equal(s.network, 210 * MS - 10 * US + 20 * MS);
	assert_int_equal(s.target, 0);
}

/* A loss on the way back (out-of-order arrival): beyond the usual target time is network. */
static void test_loss_with_hint(void **state)
{
	struct io_timeline t = { .t_issue = 1,
				 .t_tx = 1 + 10 * US,
				 .t_rx = 1 + 400 * MS,
				 .t_complete = 1 + 401 * MS,
				 .exchanges = 1,
				 .rtt_us = 1000,
				 .lost_back = 1,
				 .target_hint = 5 * MS };
	struct io_split s;

	(void)state;
	attrib_io(&t, &s);
	assert_sums(&s);
	assert_true(s.retransmitted);
	assert_int_equal(s.target, 5 * MS);
	assert_int_equal(s.network, 400 * MS - 10 * US - 5 * MS);
	t.lost_back = 0; /* no loss: the hint is not used */
	attrib_io(&t, &s);
	assert_int_equal(s.network, 1 * MS);
}

/* Network never exceeds the wire time; missing transport stamps degrade. */
static void test_clamp_and_degrade(void **state)
{
	struct io_timeline t = { .t_issue = 1 * MS, .t_complete = 6 * MS, .rtt_us = 20000 };
	struct io_split s;

	(void)state;
	assert_int_equal(attrib_io(&t, &s), ATTRIB_BLOCK);
	assert_sums(&s);
	assert_int_equal(s.network, 5 * MS);
	assert_int_equal(s.target, 0);
	assert_int_equal(s.kernel, 0);
	t.t_tx = 7 * MS; /* inconsistent: after completion */
	t.t_rx = 8 * MS;
	assert_int_equal(attrib_io(&t, &s), ATTRIB_BLOCK);
	t.t_complete = 0;
	assert_int_equal(attrib_io(&t, &s), ATTRIB_BLOCK);
	assert_int_equal(s.total, 0);
}

static void test_exchange(void **state)
{
	struct io_split s;

	(void)state;
	attrib_exchange(10 * MS, 75 * MS, 50000, 0, 0, &s);
	assert_int_equal(s.total, 65 * MS);
	assert_int_equal(s.network, 50 * MS);
	assert_int_equal(s.target, 15 * MS);
	attrib_exchange(10 * MS, 5 * MS, 50000, 0, 0, &s);
	assert_int_equal(s.total, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_net_delay),	  cmocka_unit_test(test_target_delay),
		cmocka_unit_test(test_r2t_two_exchanges), cmocka_unit_test(test_retransmission),
		cmocka_unit_test(test_clamp_and_degrade), cmocka_unit_test(test_exchange),
		cmocka_unit_test(test_loss_with_hint),
	};

	return cmocka_run_group_tests_name("attrib", tests, NULL, NULL);
}
