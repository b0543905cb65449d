// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procmaps.h"

static void test_parse_file_line(void **state)
{
	char line[] = "55d0c0a00000-55d0c0a02000 r-xp 00002000 fd:01 1234567        "
		      "/usr/bin/my tool\n";
	struct procmap m;

	(void)state;
	assert_int_equal(procmaps__parse_line(line, &m), 0);
	assert_int_equal(m.start, 0x55d0c0a00000);
	assert_int_equal(m.end, 0x55d0c0a02000);
	assert_int_equal(m.pgoff, 0x2000);
	assert_int_equal(m.dev_major, 0xfd);
	assert_int_equal(m.dev_minor, 1);
	assert_int_equal(m.inode, 1234567);
	assert_true(m.readable && m.executable && !m.writable);
	assert_false(m.deleted);
	assert_string_equal(m.path, "/usr/bin/my tool");
}

static void test_parse_special(void **state)
{
	char deleted[] = "7f0000000000-7f0000001000 r-xp 00000000 08:02 42 /tmp/x (deleted)";
	char anon[] = "7f0000002000-7f0000003000 rw-p 00000000 00:00 0 \n";
	char vdso[] = "7ffd1b3f0000-7ffd1b3f2000 r-xp 00000000 00:00 0                  [vdso]";
	char bad[] = "zzzz-7f0000003000 rw-p 00000000 00:00 0";
	char backwards[] = "7f0000003000-7f0000002000 rw-p 00000000 00:00 0";
	struct procmap m;

	(void)state;
	assert_int_equal(procmaps__parse_line(deleted, &m), 0);
	assert_true(m.deleted);
	assert_string_equal(m.path, "/tmp/x");
	assert_int_equal(procmaps__parse_line(anon, &m), 0);
	assert_string_equal(m.path, "");
	assert_false(m.executable);
	assert_int_equal(procmaps__parse_line(vdso, &m), 0);
	assert_string_equal(m.path, "[vdso]");
	assert_int_equal(procmaps__parse_line(bad, &m), -EINVAL);
	assert_int_equal(procmaps__parse_line(backwards, &m), -EINVAL);
}

static int count_fn(const struct procmap *m, void *ctx)
{
	size_t *n = ctx;

	(void)m;
	(*n)++;
	return 0;
}

static int find_self_fn(const struct procmap *m, void *ctx)
{
	uint64_t addr = (uint64_t)(uintptr_t)ctx;

	return addr >= m->start && addr < m->end && m->executable && m->path[0] == '/' ? 1 : 0;
}

static void test_foreach_buf(void **state)
{
	char buf[] = "1000-2000 r-xp 00000000 08:02 42 /a\n"
		     "garbage\n"
		     "3000-4000 r--p 00001000 08:02 42 /a\n";
	size_t n = 0;

	(void)state;
	assert_int_equal(procmaps__foreach_buf(buf, count_fn, &n), 0);
	assert_int_equal(n, 2);
}

static void test_foreach_pid(void **state)
{
	pid_t child;

	(void)state;
	/* This function's own code is in an executable file mapping of this process. */
	assert_int_equal(
	    procmaps__foreach(getpid(), find_self_fn, (void *)(uintptr_t)test_foreach_pid), 1);
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	assert_int_equal(procmaps__foreach(child, find_self_fn, NULL), -ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_file_line),
		cmocka_unit_test(test_parse_special),
		cmocka_unit_test(test_foreach_buf),
		cmocka_unit_test(test_foreach_pid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
