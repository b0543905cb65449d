// SPDX-License-Identifier: GPL-2.0
/*
 * Markdown reports: a real nodestage JSON (tests/unit/golden/mdreport, made by
 * the fake CSI plugin of tests/integration/test-nodestage.sh), variants of it,
 * and an iolat document are rendered, then mdreport_check.py parses each report
 * and checks every number in it against the JSON.
 *
 * Also a converter for the integration test:
 *   test_mdreport JSON OUT.md [TOP [SVG [JSONLINK [FOLDED]]]]
 */
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

#include "mdreport.h"
#include "opts.h"

static char dir[512];

static void set_dir(void)
{
	const char *slash = strrchr(__FILE__, '/');

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - __FILE__) : 1,
		 slash ? __FILE__ : ".");
}

static char *tmp_path(const char *tag)
{
	char *p = NULL;

	assert_true(asprintf(&p, "/tmp/st-test-mdreport-%d-%s", getpid(), tag) > 0);
	return p;
}

static json_object *fixture(const char *name)
{
	char path[1024];
	json_object *j;

	snprintf(path, sizeof(path), "%s/golden/mdreport/%s", dir, name);
	j = json_object_from_file(path);
	if (!j)
		fail_msg("cannot read %s", path);
	return j;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	assert_true(fread(buf, 1, (1 << 20) - 1, f) > 0);
	fclose(f);
	return buf;
}

/* Render @doc, run the checker on it, return the report text (caller frees). */
static char *render_and_check(json_object *doc, const char *tag, const struct md_report_opts *o)
{
	char *md = tmp_path(tag), *js = NULL, *cmd = NULL, *text;
	int rc;

	assert_true(asprintf(&js, "%s.json", md) > 0);
	assert_int_equal(json_object_to_file(js, doc), 0);
	assert_int_equal(md_report_write(doc, md, o), 0);
	assert_true(asprintf(&cmd, "python3 %s/mdreport_check.py %s %s %d%s%s%s%s%s%s", dir, md, js,
			     o->top ? o->top : 5, o->svg_path ? " " : "",
			     o->svg_path ? o->svg_path : "", o->json_path ? " " : "",
			     o->json_path ? o->json_path : "", o->folded_path ? " " : "",
			     o->folded_path ? o->folded_path : "") > 0);
	rc = system(cmd);
	if (rc)
		fail_msg("%s failed (%d); report kept at %s", cmd, rc, md);
	text = slurp(md);
	unlink(md);
	unlink(js);
	free(md);
	free(js);
	free(cmd);
	return text;
}

static void test_nodestage_report(void **state)
{
	char *cpu = tmp_path("cpuinfo"), *text;
	struct md_report_opts o = { .svg_path = "out/ns.svg",
				    .json_path = "out/ns.json",
				    .folded_path = "out/ns.folded",
				    .cpuinfo_path = cpu,
				    .top = 4 };
	json_object *doc = fixture("nodestage.json");
	FILE *f = fopen(cpu, "w");

	(void)state;
	assert_non_null(f);
	fputs("processor\t: 0\nmodel name\t: Test CPU @ 2.40GHz\nflags\t: fpu\n", f);
	fclose(f);
	text = render_and_check(doc, "ns", &o);
	assert_non_null(strstr(text, "| CPU | Test CPU @ 2.40GHz |"));
	assert_non_null(strstr(text, "The tool's verdict: **violated**."));
	assert_non_null(strstr(text, "| total p99 | 6 | 681.376 | 600.000 | VIOLATED |"));
	assert_non_null(strstr(text, "[out/ns.svg](<out/ns.svg>)"));
	free(text);
	unlink(cpu);
	free(cpu);
	json_object_put(doc);
}

/* Failed and unstage operations, drops, I/O evidence, a '|' in a name, no SLOs. */
static void test_nodestage_variants(void **state)
{
	json_object *doc = fixture("nodestage.json"), *ops, *op, *ph, *drops;
	struct md_report_opts o = { .top = 3 };
	char *text;
	size_t i;

	(void)state;
	ops = json_object_object_get(doc, "operations");
	for (i = 0; i < json_object_array_length(ops); i++)
		json_object_object_add(json_object_array_get_idx(ops, i), "volume",
				       json_object_new_string("vol|1"));
	op = json_object_array_get_idx(ops, 0);
	json_object_object_add(op, "complete", json_object_new_boolean(0));
	json_object_object_add(op, "status", json_object_new_int(1));
	op = json_object_array_get_idx(ops, 1);
	json_object_object_add(op, "kind", json_object_new_string("unstage"));
	json_object_object_add(op, "complete", json_object_new_boolean(0));
	json_object_object_add(op, "protocol", json_object_new_string("nvme-tcp"));
	ph = json_object_array_get_idx(json_object_object_get(op, "phases"), 4);
	json_object_object_add(ph, "ios", json_object_new_int(42));
	json_object_object_add(ph, "bytes_written", json_object_new_int(3 << 20));
	json_object_object_add(ph, "exchanges", json_object_new_int(7));
	drops = json_object_object_get(doc, "drops");
	json_object_object_add(drops, "ringbuf_full", json_object_new_int(3));
	json_object_object_add(drops, "sampled_out", json_object_new_int(10));
	json_object_object_add(doc, "slos", json_object_new_array());
	text = render_and_check(doc, "nsvar", &o);
	assert_non_null(strstr(text, "(4 complete, 1 failed, 1 incomplete); stage 5, unstage 1"));
	assert_non_null(strstr(text, "- Drops: ringbuf_full 3 (events lost"));
	assert_non_null(strstr(text, "vol\\|1"));
	assert_non_null(strstr(text, "No SLO was set"));
	assert_non_null(strstr(text, "No other file was written"));
	free(text);
	json_object_put(doc);
}

static void test_nodestage_empty(void **state)
{
	json_object *doc = fixture("nodestage.json");
	struct md_report_opts o = { .top = 5 };
	char *text;

	(void)state;
	json_object_object_add(doc, "operations", json_object_new_array());
	text = render_and_check(doc, "nsempty", &o);
	assert_non_null(strstr(text, "No operation was seen."));
	free(text);
	json_object_put(doc);
}

static void test_iolat_report(void **state)
{
	json_object *doc = fixture("iolat.json");
	struct md_report_opts o = { .json_path = "io.json", .top = 5 };
	char *text;

	(void)state;
	text = render_and_check(doc, "io", &o);
	assert_non_null(strstr(text, "# scaletrace iolat report"));
	assert_non_null(strstr(text, "| Protocol(s) | iscsi (6 of the slowest requests) |"));
	assert_non_null(strstr(text, "rate_limited 12, inflight_lost 1"));
	free(text);
	json_object_put(doc);
}

/* The tracers' end of run: --json and --report together, links to the outputs. */
static void test_outputs_for_tracers(void **state)
{
	json_object *doc = fixture("nodestage.json"), *back;
	char *js = tmp_path("out.json"), *md = tmp_path("out.md"), *text;
	struct st_common c;

	(void)state;
	st_common_defaults(&c);
	c.json_path = js;
	c.svg_path = "ns.svg";
	assert_int_equal(md_report_outputs(doc, &c, md, 2), 0);
	back = json_object_from_file(js);
	assert_non_null(back);
	assert_int_equal(json_object_array_length(json_object_object_get(back, "operations")), 6);
	text = slurp(md);
	assert_non_null(strstr(text, "[ns.svg](<ns.svg>)"));
	assert_non_null(strstr(text, js));
	assert_non_null(strstr(text, "| 2 | stage "));
	assert_null(strstr(text, "| 3 | stage "));
	free(text);
	unlink(md);
	unlink(js);
	/* no --json: the report alone */
	c.json_path = NULL;
	assert_int_equal(md_report_outputs(doc, &c, md, 5), 0);
	assert_int_equal(access(md, F_OK), 0);
	unlink(md);
	json_object_put(back);
	json_object_put(doc);
	free(js);
	free(md);
}

static void test_refuses_other_documents(void **state)
{
	json_object *doc = json_tokener_parse("{\"schema\":\"scaletrace.offcpu/1\"}");
	char *md = tmp_path("refused");

	(void)state;
	assert_int_equal(md_report_write(doc, md, NULL), -EINVAL);
	assert_int_equal(access(md, F_OK), -1); /* nothing left behind */
	json_object_put(doc);
	free(md);
}

static int convert(int argc, char **argv)
{
	struct md_report_opts o = {
		.top = argc > 3 ? atoi(argv[3]) : 5,
		.svg_path = argc > 4 ? argv[4] : NULL,
		.json_path = argc > 5 ? argv[5] : NULL,
		.folded_path = argc > 6 ? argv[6] : NULL,
	};
	json_object *doc = json_object_from_file(argv[1]);
	int err;

	if (!doc) {
		fprintf(stderr, "cannot read %s\n", argv[1]);
		return 1;
	}
	err = md_report_write(doc, argv[2], &o);
	json_object_put(doc);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nodestage_report),
		cmocka_unit_test(test_nodestage_variants),
		cmocka_unit_test(test_nodestage_empty),
		cmocka_unit_test(test_iolat_report),
		cmocka_unit_test(test_outputs_for_tracers),
		cmocka_unit_test(test_refuses_other_documents),
	};

	if (argc >= 3)
		return convert(argc, argv);
	set_dir();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
