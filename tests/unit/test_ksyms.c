// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ksyms.h"

/* Unsorted on purpose, with modules, aliases, absolute and zero-address symbols. */
static const char kallsyms_text[] = "ffffffff81000200 T do_one\n"
				    "0000000000000000 A fixed_percpu_data\n"
				    "ffffffff81000000 T _stext\n"
				    "ffffffff81000000 t startup_64\n"
				    "ffffffff81000000 T _text\n"
				    "ffffffff81000100 t helper\n"
				    "ffffffff81000100 W helper_weak\n"
				    "ffffffff81000300 T schedule\n"
				    "ffffffff81000400 T __irqentry_text_end\n"
				    "ffffffff81000400 t irq_fn\n"
				    "ffffffffc0001000 t nvme_tcp_queue_rq\t[nvme_tcp]\n"
				    "ffffffffc0001100 t nvme_tcp_try_send\t[nvme_tcp]\n"
				    "ffffffffc0000000 t iscsi_sw_tcp_xmit\t[iscsi_tcp]\n"
				    "ffffffffc0000080 t helper\t[iscsi_tcp]\n"
				    "garbage line\n"
				    "ffffffffc0002000 t bpf_prog_6deef7357e7b4530_handle\t[bpf]\n";

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/st-ksyms-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static struct ksyms *load_text(const char *text)
{
	char *path = write_tmp(text);
	struct ksyms *ks = ksyms__load_file(path);

	unlink(path);
	free(path);
	return ks;
}

static int setup(void **state)
{
	*state = load_text(kallsyms_text);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	ksyms__free(*state);
	return 0;
}

static void assert_sym(const struct ksyms *ks, uint64_t addr, const char *name, uint64_t off,
		       const char *module)
{
	const char *mod = "unset";
	uint64_t o = ~0ULL;
	const char *n = ksyms__name(ks, addr, &o, &mod);

	assert_non_null(n);
	assert_string_equal(n, name);
	assert_int_equal(o, off);
	if (module)
		assert_string_equal(mod, module);
	else
		assert_null(mod);
}

static void test_lookup(void **state)
{
	const struct ksyms *ks = *state;

	assert_int_equal(ksyms__count(ks), 14);
	assert_sym(ks, 0xffffffff81000200, "do_one", 0, NULL);
	assert_sym(ks, 0xffffffff81000234, "do_one", 0x34, NULL);
	assert_sym(ks, 0xffffffff810002ff, "do_one", 0xff, NULL);
	assert_sym(ks, 0xffffffff81000300, "schedule", 0, NULL);
	assert_null(ksyms__name(ks, 0xffffffff80ffffff, NULL, NULL));
	assert_null(ksyms__name(ks, 0, NULL, NULL));
	assert_null(ksyms__name(NULL, 0xffffffff81000200, NULL, NULL));
}

static void test_modules(void **state)
{
	const struct ksyms *ks = *state;

	assert_sym(ks, 0xffffffffc0001010, "nvme_tcp_queue_rq", 0x10, "nvme_tcp");
	assert_sym(ks, 0xffffffffc0001100, "nvme_tcp_try_send", 0, "nvme_tcp");
	assert_sym(ks, 0xffffffffc0000004, "iscsi_sw_tcp_xmit", 4, "iscsi_tcp");
	assert_sym(ks, 0xffffffffc0000090, "helper", 0x10, "iscsi_tcp");
	assert_sym(ks, 0xffffffffc0002008, "bpf_prog_6deef7357e7b4530_handle", 8, "bpf");
}

/* Aliases: a function beats a section marker; a global beats a local, a local a weak one. */
static void test_duplicates(void **state)
{
	const struct ksyms *ks = *state;

	assert_sym(ks, 0xffffffff81000000, "startup_64", 0, NULL);
	assert_sym(ks, 0xffffffff81000110, "helper", 0x10, NULL);
	assert_sym(ks, 0xffffffff81000401, "irq_fn", 1, NULL);
}

/* The last symbol of a module or of everything covers at most KSYMS_TAIL_MAX bytes. */
static void test_beyond_last(void **state)
{
	const struct ksyms *ks = *state;

	assert_sym(ks, 0xffffffffc0002000 + KSYMS_TAIL_MAX - 1, "bpf_prog_6deef7357e7b4530_handle",
		   KSYMS_TAIL_MAX - 1, "bpf");
	assert_null(ksyms__name(ks, 0xffffffffc0002000 + KSYMS_TAIL_MAX, NULL, NULL));
	assert_null(ksyms__name(ks, UINT64_MAX, NULL, NULL));
	/* nvme_tcp_try_send is the last of its module: the next module is 3.8 KiB away */
	assert_sym(ks, 0xffffffffc0001fff, "nvme_tcp_try_send", 0xeff, "nvme_tcp");
	/* between the core kernel's last text and the first module: too far from irq_fn */
	assert_null(ksyms__name(ks, 0xffffffffa0000000, NULL, NULL));
}

static void test_addr(void **state)
{
	const struct ksyms *ks = *state;

	assert_int_equal(ksyms__addr(ks, "schedule"), 0xffffffff81000300);
	assert_int_equal(ksyms__addr(ks, "nvme_tcp_try_send"), 0xffffffffc0001100);
	/* duplicates: the first in file order, the core kernel's */
	assert_int_equal(ksyms__addr(ks, "helper"), 0xffffffff81000100);
	assert_int_equal(ksyms__addr(ks, "nope"), 0);
	assert_int_equal(ksyms__addr(ks, "fixed_percpu_data"), 0);
	assert_int_equal(ksyms__addr(ks, NULL), 0);
}

static void test_hidden_addresses(void **state)
{
	(void)state;
	errno = 0;
	assert_null(load_text("0000000000000000 T _stext\n0000000000000000 T schedule\n"));
	assert_int_equal(errno, EPERM);
	errno = 0;
	assert_null(load_text(""));
	assert_int_equal(errno, ENODATA);
	errno = 0;
	assert_null(ksyms__load_file("/nonexistent/kallsyms"));
	assert_int_equal(errno, ENOENT);
}

/* The host's own kallsyms, when readable with real addresses. */
static void test_proc_kallsyms(void **state)
{
	struct ksyms *ks = ksyms__load();
	uint64_t addr, off = 1;
	const char *mod = "unset";

	(void)state;
	if (!ks) {
		fprintf(stderr, "/proc/kallsyms unusable here (%s): skipped\n", strerror(errno));
		skip();
	}
	addr = ksyms__addr(ks, "schedule");
	assert_true(addr != 0);
	assert_string_equal(ksyms__name(ks, addr, &off, &mod), "schedule");
	assert_int_equal(off, 0);
	assert_null(mod);
	ksyms__free(ks);
}

static void test_tracer_frames(void **state)
{
	static const char *const tracer[] = {
		"bpf_prog_6deef7357e7b4530_handle_sched_switch",
		"bpf_prog_6deef7357e7b4530",
		"bpf_trace_run4",
		"__bpf_trace_sched_switch",
		"__traceiter_sched_switch",
		"bpf_trampoline_6442524658",
		"__bpf_prog_enter_recur",
		"__bpf_prog_exit",
		"perf_trace_sched_switch",
		"perf_trace_run_bpf_submit",
		"trace_call_bpf",
		"bpf_get_stackid_raw_tp",
		"bpf_get_stack_raw_tp",
		"____bpf_get_stack",
		"kprobe_ftrace_handler",
		"kprobe_dispatcher",
		"kprobe_perf_func",
		"kretprobe_trampoline",
		"__kretprobe_trampoline",
		"arch_rethook_trampoline",
		"ftrace_trampoline",
		"fprobe_handler",
		"uprobe_dispatcher",
		"bpf_overflow_handler",
	};
	static const char *const real[] = {
		"schedule",
		"__schedule",
		"io_schedule",
		"submit_bio",
		"nvme_tcp_queue_rq",
		"bpf_prog_run_generic_xdp",
		"bpf_prog_xyz",
		"bpf_prog_6deef7357e7b453",
		"bpf_dispatcher_xdp_func",
		"perf_event_mmap",
		"trace_sched_switch_x",
		"tcp_sendmsg",
		"",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(tracer) / sizeof(tracer[0]); i++) {
		if (!ksyms__is_tracer_frame(tracer[i]))
			fail_msg("%s should be a tracer frame", tracer[i]);
	}
	for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		if (ksyms__is_tracer_frame(real[i]))
			fail_msg("%s should not be a tracer frame", real[i]);
	}
	assert_false(ksyms__is_tracer_frame(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_beyond_last, setup, teardown),
		cmocka_unit_test_setup_teardown(test_addr, setup, teardown),
		cmocka_unit_test(test_hidden_addresses),
		cmocka_unit_test(test_proc_kallsyms),
		cmocka_unit_test(test_tracer_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
