// SPDX-License-Identifier: GPL-2.0
/*
 * The storage probe table: tcp_probe (every TCP segment the node receives)
 * is attached only while some transport's send time could be missing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "storage_probes.h"

static const struct st_probe_spec probes[] = { ST_STORAGE_PROBES };

static const struct st_probe_spec *find(const char *name)
{
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		if (!strcmp(probes[i].name, name))
			return &probes[i];
	return NULL;
}

static void choices(int *ch, int send, int sendpages, int iscsi)
{
	for (int i = 0; i < PR_STORAGE_NR; i++)
		ch[i] = 0;
	ch[PR_SEND] = send;
	ch[PR_SENDPAGES] = sendpages;
	ch[PR_ISCSI] = iscsi;
}

static void test_tcp_probe_wanted(void **state)
{
	const struct st_probe_spec *p = find("tcp_probe");
	int ch[PR_STORAGE_NR];

	(void)state;
	assert_non_null(p);
	assert_ptr_equal(p->wanted, st_tcp_probe_wanted);
	assert_non_null(p->unneeded);
	/* both transports' sends hooked (6.1: do_tcp_sendpages): not needed */
	choices(ch, 0, 0, 0);
	assert_false(p->wanted(ch));
	choices(ch, 1, 1, 0);
	assert_false(p->wanted(ch));
	/* no iSCSI transmit hook (module not loaded, or no module BTF) */
	choices(ch, 0, 0, -1);
	assert_true(p->wanted(ch));
	/* no NVMe-TCP send hook at all */
	choices(ch, -1, -1, 0);
	assert_true(p->wanted(ch));
	/* block tracepoints only */
	choices(ch, -1, -1, -1);
	assert_true(p->wanted(ch));
}

/* The other probes are attached whenever they can be. */
static void test_only_tcp_probe_conditional(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		if (strcmp(probes[i].name, "tcp_probe"))
			assert_null(probes[i].wanted);
	assert_string_equal(probes[PR_SEND].name, "tcp_send");
	assert_string_equal(probes[PR_SENDPAGES].name, "tcp_sendpages");
	assert_string_equal(probes[PR_ISCSI].name, "iscsi_xmit");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_probe_wanted),
		cmocka_unit_test(test_only_tcp_probe_conditional),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
