// SPDX-License-Identifier: GPL-2.0
/* Flamegraph library: folded parsing, merging, layout, palette, XML safety. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"
#include "fg_js.h"
#include "fg_layout.h"
#include "fg_palette.h"
#include "fg_tree.h"
#include "fg_xml.h"

#define LINE(t, s) fg__add_folded_line((t), (s), strlen(s))

/* Feed @text (several lines) through fg__read_folded. */
static int feed(struct fg *t, const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int err;

	assert_non_null(f);
	err = fg__read_folded(t, f, "test.folded");
	fclose(f);
	return err;
}

static struct fg_layout *layout(const struct fg *t, const struct fg_opts *o)
{
	struct fg_layout *l;
	struct fg_conf c;

	assert_int_equal(fg_conf__resolve(o, fg__is_diff(t), &c), 0);
	assert_int_equal(fg__layout(t, &c, &l), 0);
	return l;
}

/* "name@x+width" of every drawn frame, pre-order, ';'-joined. */
static char *describe(const struct fg_layout *l)
{
	static char out[4096];
	size_t i, k = 0;

	out[0] = '\0';
	for (i = 0; i < l->n; i++) {
		size_t len;
		const char *name = fg__name(l->tree, l->rects[i].node, &len);

		k += (size_t)snprintf(out + k, sizeof(out) - k, "%s%.*s@%llu+%llu", i ? ";" : "",
				      (int)len, name, (unsigned long long)l->rects[i].x,
				      (unsigned long long)l->rects[i].width);
	}
	return out;
}

static void test_parse_basic(void **state)
{
	struct fg *t = fg__new();

	(void)state;
	assert_int_equal(LINE(t, "a;b;c 10"), 0);
	assert_int_equal(LINE(t, "a;b 5\r"), 0);     /* CRLF */
	assert_int_equal(LINE(t, "a;b;c 1  \t"), 0); /* trailing blanks */
	assert_int_equal(LINE(t, ""), 0);	     /* blank */
	assert_int_equal(LINE(t, "  \t\r"), 0);	     /* blank */
	assert_int_equal(LINE(t, "a;b;;c; 4"), 0);   /* empty frames skipped */
	assert_int_equal(LINE(t, "a;b;c 0"), 0);     /* zero: nothing */
	assert_int_equal(fg__total(t), 20);
	assert_int_equal(fg__nodes(t), 4); /* root, a, b, c */
	assert_false(fg__is_diff(t));
	fg__free(t);
}

static void test_parse_spaces_in_frames(void **state)
{
	struct fg *t = fg__new();
	struct fg_layout *l;

	(void)state;
	assert_int_equal(LINE(t, "java;Thread 1;do work 7"), 0);
	assert_int_equal(LINE(t, "java;Thread 1;do  work\t3"), 0);
	l = layout(t, NULL);
	assert_string_equal(describe(l),
			    "all@0+10;java@0+10;Thread 1@0+10;do  work@0+3;do work@3+7");
	fg_layout__free(l);
	fg__free(t);
}

static void test_parse_errors(void **state)
{
	static const char *const bad[] = {
		"a;b;c",		      /* missing count */
		"a;b;c x12",		      /* not a number */
		"a;b;c -5",		      /* negative */
		"a;b;c 1.5",		      /* not an integer */
		"a;b;c 18446744073709551616", /* 2^64 */
		"a;b;c +5",
		"12", /* no stack */
		" 12",
		";;; 5", /* empty stack */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fg *t = fg__new();

		assert_int_not_equal(LINE(t, bad[i]), 0);
		assert_int_equal(fg__total(t), 0);
		fg__free(t);
	}
}

static void test_parse_huge_counts(void **state)
{
	struct fg *t = fg__new();

	(void)state;
	assert_int_equal(LINE(t, "a 18446744073709551615"), 0); /* UINT64_MAX */
	assert_int_equal(fg__total(t), UINT64_MAX);
	assert_int_equal(LINE(t, "b 1"), -EOVERFLOW);
	assert_int_equal(fg__total(t), UINT64_MAX);
	fg__free(t);
}

static void test_read_folded(void **state)
{
	struct fg *t = fg__new();

	(void)state;
	assert_int_equal(feed(t, "\xef\xbb\xbf"
				 "a;b 1\r\n\r\na;c 2\n\na;b 3"),
			 0); /* BOM, no final newline */
	assert_int_equal(fg__total(t), 6);
	assert_int_equal(feed(t, "a;b 1\nbroken\na;b 5\n"), -EINVAL);
	assert_int_equal(fg__total(t), 7); /* lines before the error were merged */
	fg__free(t);
}

static void test_diff_two_columns(void **state)
{
	struct fg *t = fg__new();
	struct fg_layout *l;

	(void)state;
	assert_int_equal(feed(t, "a;b 10 30\na;c 20 0\na 5 5\n"), 0);
	assert_true(fg__is_diff(t));
	assert_int_equal(fg__total(t), 35);
	l = layout(t, NULL);
	assert_true(l->diff);
	assert_string_equal(describe(l), "all@0+35;a@0+35;b@0+30");
	assert_int_equal(l->rects[0].base, 35);
	assert_int_equal(l->rects[2].base, 10);
	assert_int_equal(l->max_delta, 20);
	fg_layout__free(l);
	/* A second input must have the same layout. */
	assert_int_equal(feed(t, "a;b 3\n"), -EINVAL);
	assert_int_equal(feed(t, "a;b 1 3\nx;y 4\n"), -EINVAL); /* then one column */
	fg__free(t);
}

static void test_one_column_keeps_digits_in_names(void **state)
{
	struct fg *t = fg__new();

	(void)state;
	/* The first line fixes one column: later "worker 3 15" is frame "worker 3". */
	assert_int_equal(feed(t, "py;main 2\npy;worker 3 15\n"), 0);
	assert_false(fg__is_diff(t));
	assert_int_equal(fg__total(t), 17);
	fg__free(t);
}

static void test_set_base(void **state)
{
	struct fg *t = fg__new(), *base = fg__new(), *two = fg__new();
	struct fg_layout *l;
	struct fg_opts o = { .normalize = true };

	(void)state;
	assert_int_equal(feed(t, "a;b 10\na;c 30\n"), 0);
	assert_int_equal(feed(base, "a;b 40\na;d 40\n"), 0);
	assert_int_equal(fg__set_base(t, base), 0);
	assert_true(fg__is_diff(t));
	l = layout(t, NULL);
	assert_string_equal(describe(l), "all@0+40;a@0+40;b@0+10;c@10+30");
	assert_int_equal(l->rects[2].base, 40);
	assert_int_equal(l->rects[3].base, 0);
	fg_layout__free(l);
	l = layout(t, &o); /* base scaled 80 -> 40 */
	assert_int_equal(l->rects[0].base, 40);
	assert_int_equal(l->rects[2].base, 20);
	fg_layout__free(l);
	/* A two-column input cannot take a base, nor be one. */
	assert_int_equal(feed(two, "a 1 2\n"), 0);
	assert_int_equal(fg__set_base(two, base), -EINVAL);
	assert_int_equal(fg__set_base(base, two), -EINVAL);
	fg__free(t);
	fg__free(base);
	fg__free(two);
}

static void test_add_stack_api(void **state)
{
	const char *s1[] = { "main", "", "read" }, *s2[] = { "main", "write" };
	struct fg *t = fg__new();
	struct fg_layout *l;

	(void)state;
	assert_int_equal(fg__add_stack(t, s1, 3, 4), 0);
	assert_int_equal(fg__add_stack(t, s2, 2, 6), 0);
	assert_int_equal(fg__add_stack(t, s2, 0, 6), -EINVAL);
	assert_int_equal(fg__add_stack_diff(t, s1, 3, 2, 1), 0);
	assert_int_equal(fg__add_folded_stack(t, "main;write 3", 12, 2), 0); /* digits kept */
	assert_int_equal(fg__add_folded_stack(t, ";;", 2, 2), -EINVAL);
	l = layout(t, NULL);
	assert_string_equal(describe(l), "all@0+13;main@0+13;read@0+5;write@5+6;write 3@11+2");
	assert_int_equal(l->rects[2].base, 2);
	fg_layout__free(l);
	fg__free(t);
}

static void test_order_independent(void **state)
{
	struct fg *a = fg__new(), *b = fg__new();
	struct fg_layout *la, *lb;

	(void)state;
	assert_int_equal(feed(a, "m;z 1\nm;a;x 2\nk;q 3\nm;a 4\nm;b 5\n"), 0);
	assert_int_equal(feed(b, "m;b 5\nm;a 4\nk;q 3\nm;a;x 2\nm;z 1\n"), 0);
	la = layout(a, NULL);
	lb = layout(b, NULL);
	assert_string_equal(describe(la), "all@0+15;k@0+3;q@0+3;m@3+12;a@3+6;x@3+2;b@9+5;z@14+1");
	assert_string_equal(describe(lb), describe(la));
	fg_layout__free(la);
	fg_layout__free(lb);
	fg__free(a);
	fg__free(b);
}

static void test_minwidth(void **state)
{
	struct fg *t = fg__new();
	struct fg_opts px = { .width = 1020, .minwidth = 10 }; /* 1000 px of frames */
	struct fg_opts pct = { .minwidth = 2, .minwidth_pct = true };
	struct fg_opts all = { .minwidth = 0, .minwidth_pct = true };
	struct fg_layout *l;

	(void)state;
	assert_int_equal(feed(t, "a;big 980\na;small 15\na;tiny;deeper 5\n"), 0);
	l = layout(t, &px); /* 10 px = 10 counts */
	assert_string_equal(describe(l), "all@0+1000;a@0+1000;big@0+980;small@980+15");
	fg_layout__free(l);
	l = layout(t, &pct); /* 2% = 20 counts */
	assert_string_equal(describe(l), "all@0+1000;a@0+1000;big@0+980");
	fg_layout__free(l);
	l = layout(t, &all);
	assert_int_equal(l->n, 6);
	assert_int_equal(l->max_depth, 3);
	fg_layout__free(l);
	fg__free(t);
}

static void test_reverse(void **state)
{
	struct fg *t = fg__new();
	struct fg_opts o = { .reverse = true };
	struct fg_layout *l;

	(void)state;
	assert_int_equal(feed(t, "a;b;leaf 3\nc;leaf 2\na;b 1\n"), 0);
	l = layout(t, &o);
	assert_string_equal(describe(l), "all@0+6;b@0+1;a@0+1;leaf@1+5;b@1+3;a@1+3;c@4+2");
	fg_layout__free(l);
	fg__free(t);
}

static void test_deep_stack(void **state)
{
	enum { DEPTH = 20000 };
	const char **frames = malloc(DEPTH * sizeof(*frames));
	struct fg *t = fg__new();
	struct fg_opts o = { .minwidth_pct = true };
	struct fg_layout *l;
	int i;

	(void)state;
	for (i = 0; i < DEPTH; i++)
		frames[i] = i % 2 ? "odd" : "even";
	assert_int_equal(fg__add_stack(t, frames, DEPTH, 1), 0);
	l = layout(t, &o); /* iterative: no recursion to overflow */
	assert_int_equal(l->n, DEPTH + 1);
	assert_int_equal(l->max_depth, DEPTH);
	fg_layout__free(l);
	free(frames);
	fg__free(t);
}

static void test_conf(void **state)
{
	struct fg_conf c;
	struct fg_opts bad_w = { .width = 50 }, bad_pal = { .colors = "nope" };
	struct fg_opts bad_min = { .minwidth = 150, .minwidth_pct = true };
	struct fg_opts inv = { .inverted = true };

	(void)state;
	assert_int_equal(fg_conf__resolve(NULL, false, &c), 0);
	assert_int_equal(c.width, 1200);
	assert_int_equal(c.frame_height, 16);
	assert_string_equal(c.title, "Flame Graph");
	assert_string_equal(c.countname, "samples");
	assert_true(c.minwidth > 0.09 && c.minwidth < 0.11);
	assert_int_equal(fg_conf__resolve(&inv, true, &c), 0);
	assert_string_equal(c.title, "Differential Icicle Graph");
	assert_int_equal(fg_conf__resolve(&bad_w, false, &c), -EINVAL);
	assert_int_equal(fg_conf__resolve(&bad_pal, false, &c), -EINVAL);
	assert_int_equal(fg_conf__resolve(&bad_min, false, &c), -EINVAL);
}

static void test_categories_and_colors(void **state)
{
	struct fg_rgb a, b;

	(void)state;
	assert_int_equal(fg_category("[k] tcp_sendmsg", 15), FG_CAT_KFRAME);
	assert_int_equal(fg_category("tcp_sendmsg_[k]", 15), FG_CAT_KFRAME);
	assert_int_equal(fg_category("[kernel]", 8), FG_CAT_KERNEL);
	assert_int_equal(fg_category("[network] rtt", 13), FG_CAT_NETWORK);
	assert_int_equal(fg_category("[networks]", 10), FG_CAT_PSEUDO);
	assert_int_equal(fg_category("[target]", 8), FG_CAT_TARGET);
	assert_int_equal(fg_category("[wait]", 6), FG_CAT_WAIT);
	assert_int_equal(fg_category("[user]", 6), FG_CAT_USER);
	assert_int_equal(fg_category("[unknown]", 9), FG_CAT_PSEUDO);
	assert_int_equal(fg_category("-", 1), FG_CAT_SEPARATOR);
	assert_int_equal(fg_category("main", 4), FG_CAT_CODE);
	/* Stable per name, and "[k] f" is "f_[k]". */
	a = fg_palette__color(0, "[k] vfs_read", 12);
	b = fg_palette__color(0, "vfs_read_[k]", 12);
	assert_memory_equal(&a, &b, sizeof(a));
	a = fg_palette__color(0, "[network]", 9); /* blue family */
	assert_true(a.b >= 205 && a.r <= 140);
	a = fg_palette__color(0, "[target]", 8); /* purple family */
	assert_true(a.r >= 190 && a.b >= 190 && a.g <= 140);
	a = fg_palette__color(0, "main", 4); /* hot */
	assert_true(a.r >= 205 && a.b <= 55);
	assert_int_equal(fg_palette__find("hot"), 1);
	assert_int_equal(fg_palette__find("HOT"), -1);
	assert_true(fg__palette_valid("scaletrace"));
}

/*
 * The scaletrace palette tells the categories apart: every colour of one
 * (code, [k] frames, [kernel], [network], [target], [wait], [user]) is at least
 * 50 apart (RGB distance) from every colour of another, whatever the names.
 */
static void test_category_colors_distinct(void **state)
{
	static const char *const names[][3] = {
		{ "main", "do_work", "mkfs_write" },
		{ "[k] vfs_read", "[k] tcp_sendmsg", "[k] io_schedule" },
		{ "[kernel]", "[kernel] submit", "[kernel] completion" },
		{ "[network]", "[network] rtt", "[network] retransmit" },
		{ "[target]", "[target] service", "[target] queue" },
		{ "[wait]", "[wait] poll", "[wait] sleep" },
		{ "[user]", "[user] iscsiadm", "[user] csi" },
	};
	size_t i, j, a, b, n = sizeof(names) / sizeof(names[0]);

	(void)state;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			for (a = 0; a < 3; a++)
				for (b = 0; b < 3; b++) {
					struct fg_rgb x =
					    fg_palette__color(0, names[i][a], strlen(names[i][a]));
					struct fg_rgb y =
					    fg_palette__color(0, names[j][b], strlen(names[j][b]));
					int dr = x.r - y.r, dg = x.g - y.g, db = x.b - y.b;

					if (dr * dr + dg * dg + db * db < 50 * 50)
						fail_msg("%s and %s look alike", names[i][a],
							 names[j][b]);
				}
}

static void test_diff_colors(void **state)
{
	struct fg_rgb c;

	(void)state;
	c = fg_palette__diff(10, 10, 5);
	assert_true(c.r == 255 && c.g == 255 && c.b == 255);
	c = fg_palette__diff(15, 10, 5); /* the biggest growth: pure red */
	assert_true(c.r == 255 && c.g == 0 && c.b == 0);
	c = fg_palette__diff(10, 15, 10); /* half the biggest change, shrink: light blue */
	assert_true(c.r == 105 && c.g == 105 && c.b == 255);
}

static void test_utf8_clean(void **state)
{
	struct fg_buf b = { 0 };

	(void)state;
	assert_int_equal(fg_utf8_clean("plain", 5, &b), 5);
	assert_string_equal(b.p, "plain");
	assert_int_equal(fg_utf8_clean("\xe4\xb8\xad\xf0\x9f\x94\xa5", 7, &b), 2);
	assert_string_equal(b.p, "\xe4\xb8\xad\xf0\x9f\x94\xa5");
	assert_int_equal(fg_utf8_clean("a\x01\x7f\xff\tb", 6, &b), 6);
	assert_string_equal(b.p, "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd b");
	assert_int_equal(fg_utf8_clean("\xe4\xb8", 2, &b), 1);	   /* truncated: one U+FFFD */
	assert_int_equal(fg_utf8_clean("\xc0\xaf", 2, &b), 2);	   /* overlong */
	assert_int_equal(fg_utf8_clean("\xed\xa0\x80", 3, &b), 3); /* surrogate */
	assert_int_equal(fg_utf8_clean("\xef\xbf\xbe", 3, &b), 1); /* U+FFFE */
	assert_string_equal(b.p, "\xef\xbf\xbd");
	assert_int_equal(fg_utf8_clean("\xc2\x85", 2, &b), 1); /* C1 NEL */
	assert_string_equal(b.p, "\xef\xbf\xbd");
	assert_int_equal(fg_utf8_clean("x\0y", 3, &b), 3);
	assert_string_equal(b.p + 1, "\xef\xbf\xbdy");
	assert_int_equal(fg_utf8_prefix("\xe4\xb8\xad\xe6\x96\x87x", 7, 2), 6);
	fg_buf__free(&b);
}

static char *capture(void (*fn)(FILE *, const void *), const void *arg)
{
	static char buf[1024];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	fn(f, arg);
	fclose(f);
	return buf;
}

static void put_escaped(FILE *f, const void *arg)
{
	fg_xml_put(f, arg, strlen(arg));
}

static void put_label_5(FILE *f, const void *arg)
{
	fg_xml_put_label(f, arg, strlen(arg), strlen(arg), 5);
}

static void test_xml_escape_and_labels(void **state)
{
	(void)state;
	assert_string_equal(capture(put_escaped, "<a href=\"x\">&'</a>]]>"),
			    "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;]]&gt;");
	assert_string_equal(capture(put_label_5, "abc"), "abc");
	assert_string_equal(capture(put_label_5, "abcde"), "abcde");
	assert_string_equal(capture(put_label_5, "abcdef"), "abc..");
	assert_string_equal(capture(put_label_5, "<<<<<<"), "&lt;&lt;&lt;..");
	assert_int_equal(fg_fit_chars(100, 7.08), 13);
	assert_int_equal(fg_fit_chars(20, 7.08), 0);
}

static char *render(const struct fg *t, const struct fg_opts *o, int *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*err = fg__write_svg(t, o, f);
	fclose(f);
	return buf;
}

static void test_write_svg(void **state)
{
	struct fg *t = fg__new();
	struct fg_opts bad = { .colors = "nope" }, o = { .countname = "us", .subtitle = "<u>" };
	char *svg;
	int err;

	(void)state;
	svg = render(t, NULL, &err);
	assert_int_equal(err, 0);
	assert_non_null(strstr(svg, "No samples"));
	assert_null(strstr(svg, "<script"));
	free(svg);
	assert_int_equal(LINE(t, "a;<b> 1234"), 0);
	svg = render(t, &o, &err);
	assert_int_equal(err, 0);
	assert_non_null(strstr(svg, "<title>&lt;b&gt;&#10;(1,234 us, 100.00%)</title>"));
	assert_non_null(strstr(svg, ">&lt;u&gt;</text>"));
	free(svg);
	svg = render(t, &bad, &err);
	assert_int_equal(err, -EINVAL);
	free(svg);
	fg__free(t);
}

static void test_script_is_cdata_safe(void **state)
{
	(void)state;
	assert_null(strstr(fg_js, "]]>"));
	assert_null(strstr(fg_js, "innerHTML"));
	assert_null(strstr(fg_js, "eval("));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_basic),
		cmocka_unit_test(test_parse_spaces_in_frames),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_huge_counts),
		cmocka_unit_test(test_read_folded),
		cmocka_unit_test(test_diff_two_columns),
		cmocka_unit_test(test_one_column_keeps_digits_in_names),
		cmocka_unit_test(test_set_base),
		cmocka_unit_test(test_add_stack_api),
		cmocka_unit_test(test_order_independent),
		cmocka_unit_test(test_minwidth),
		cmocka_unit_test(test_reverse),
		cmocka_unit_test(test_deep_stack),
		cmocka_unit_test(test_conf),
		cmocka_unit_test(test_categories_and_colors),
		cmocka_unit_test(test_category_colors_distinct),
		cmocka_unit_test(test_diff_colors),
		cmocka_unit_test(test_utf8_clean),
		cmocka_unit_test(test_xml_escape_and_labels),
		cmocka_unit_test(test_write_svg),
		cmocka_unit_test(test_script_is_cdata_safe),
	};

	return cmocka_run_group_tests_name("flamegraph", tests, NULL, NULL);
}
