// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming pruning (flamegraph/prune.c): on sorted input the SVG must be
 * byte-identical to the one of the whole tree, while the nodes held stay
 * bounded by what can be drawn; unsorted input (found after drops, from a
 * file or a pipe) must still come out identical.
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

#include "flamegraph.h"
#include "fg_tree.h"

/* Deterministic xorshift, so a failure names a reproducible seed. */
static uint64_t rng;

static uint32_t below(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/*
 * Names that sort differently frame by frame and line by line (bytes below and
 * above ';', prefixes of each other): the cases prune.c's order rules are about.
 */
static const char *const names[] = {
	"b", "b2", "b!", " b", "b~", "bz", "b;", "a", "a a", "c", "[k] x", "c<&>", "b2x", "\x01",
};

struct line {
	char *stack, *counts;
};

/* Byte order of the stacks: `LC_ALL=C sort` of one-column lines, stackcollapse's order. */
static int cmp_lines(const void *a, const void *b)
{
	return strcmp(((const struct line *)a)->stack, ((const struct line *)b)->stack);
}

/* @n random folded lines ("a;b;c COUNT" or "a;b OLD NEW" when @two), sorted when @sorted. */
static char *make_input(unsigned n, bool sorted, bool two)
{
	struct line *v = calloc(n, sizeof(*v));
	size_t total = 0, k = 0;
	char *out;
	unsigned i;

	for (i = 0; i < n; i++) {
		char buf[512], cnt[64];
		int len = 0, depth = 1 + (int)below(6), d;

		for (d = 0; d < depth; d++) {
			/* Skewed: a few names carry most lines, so some frames are wide. */
			uint32_t j = below(4) ? below(4) : below(sizeof(names) / sizeof(names[0]));
			const char *name = names[j];

			if (!strcmp(name, "b;"))
				name = "b"; /* ';' separates: keep one name per frame */
			len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%s%s", d ? ";" : "",
					name);
			if (below(7) == 0)
				len +=
				    snprintf(buf + len, sizeof(buf) - (size_t)len, "%u", below(40));
		}
		len = 0;
		if (two)
			len = snprintf(cnt, sizeof(cnt), " %u", below(50));
		snprintf(cnt + len, sizeof(cnt) - (size_t)len, " %u",
			 below(10) ? 1 + below(3) : 1 + below(400));
		v[i].stack = strdup(buf);
		v[i].counts = strdup(cnt);
		total += strlen(buf) + strlen(cnt) + 1;
	}
	if (sorted)
		qsort(v, n, sizeof(*v), cmp_lines);
	out = malloc(total + 1);
	for (i = 0; i < n; i++) {
		k += (size_t)sprintf(out + k, "%s%s\n", v[i].stack, v[i].counts);
		free(v[i].stack);
		free(v[i].counts);
	}
	out[k] = '\0';
	free(v);
	return out;
}

enum src { FROM_PIPE, FROM_FILE };

/* Read @text into @t as a pipe (fmemopen: no descriptor, so spooled) or a real file. */
static int read_text(struct fg *t, const char *text, enum src how)
{
	FILE *f;
	int err;

	if (how == FROM_FILE) {
		f = tmpfile();
		assert_non_null(f);
		assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
		rewind(f);
	} else {
		f = fmemopen((void *)text, strlen(text), "r");
		assert_non_null(f);
	}
	err = fg__read_folded(t, f, "prune.folded");
	fclose(f);
	return err;
}

static char *render(const struct fg *t, const struct fg_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(fg__write_svg(t, o, f), 0);
	fclose(f);
	return buf;
}

/* SVG of @text without pruning, and with it (compacting from @min_nodes nodes on). */
static void check_same(const char *text, const struct fg_opts *o, enum src how, uint32_t min_nodes,
		       struct fg_prune_stats *st)
{
	struct fg *full = fg__new(), *p = fg__new();
	char *a, *b;

	assert_int_equal(read_text(full, text, how), 0);
	p->prune.min_nodes = min_nodes;
	assert_int_equal(fg__set_prune(p, o), 0);
	assert_int_equal(read_text(p, text, how), 0);
	a = render(full, o);
	b = render(p, o);
	if (strcmp(a, b)) {
		fprintf(stderr, "seed %llu: pruned SVG differs (width %d minwidth %g%s)\n",
			(unsigned long long)rng, o->width, o->minwidth, o->minwidth_pct ? "%" : "");
		fail();
	}
	fg__prune_stats(p, st);
	free(a);
	free(b);
	fg__free(full);
	fg__free(p);
}

static void test_sorted_identical(void **state)
{
	const struct fg_opts opts[] = {
		{ 0 },
		{ .width = 300, .minwidth = 3 },
		{ .minwidth = 1.5, .minwidth_pct = true },
		{ .inverted = true, .width = 200, .minwidth = 10 },
	};
	unsigned run, dropped = 0, o;

	(void)state;
	for (run = 0; run < 60; run++) {
		char *text;

		rng = 0x9e3779b97f4a7c15ULL + run;
		text = make_input(200 + below(2000), true, run % 5 == 4);
		for (o = 0; o < sizeof(opts) / sizeof(opts[0]); o++) {
			struct fg_prune_stats st;

			check_same(text, &opts[o], run % 2 ? FROM_FILE : FROM_PIPE, 8, &st);
			assert_true(st.enabled);
			assert_false(st.unsorted);
			dropped += st.dropped > 0;
		}
		free(text);
	}
	/* The wide minimum widths must have dropped frames in most runs. */
	assert_true(dropped > 100);
}

static void test_unsorted_identical(void **state)
{
	unsigned run, restarted = 0;
	const struct fg_opts o = { .width = 300, .minwidth = 3 };

	(void)state;
	for (run = 0; run < 40; run++) {
		struct fg_prune_stats st;
		char *sorted, *text;
		size_t len;

		rng = 0x51ed270b27a6d3c5ULL + run;
		sorted = make_input(300 + below(1000), true, false);
		/* Sorted, then one early stack again at the end: out of order after drops. */
		len = strlen(sorted);
		text = malloc(len + 64);
		memcpy(text, sorted, len);
		snprintf(text + len, 64, "%s", run % 2 ? "a 7\n" : "\x01;b 3\n");
		check_same(text, &o, run % 4 < 2 ? FROM_FILE : FROM_PIPE, 8, &st);
		assert_true(st.unsorted);
		restarted += st.restarted;
		free(sorted);
		free(text);
		/* Unsorted from the first lines: pruning stops before dropping anything. */
		text = make_input(500, false, false);
		check_same(text, &o, FROM_PIPE, 8, &st);
		assert_true(st.unsorted);
		free(text);
	}
	assert_true(restarted > 30);
}

/* 400,000 distinct leaves of count 1 under 4 parents, sorted, after @first (or none). */
static void churn(const char *first, struct fg_prune_stats *st)
{
	struct fg *t = fg__new();
	const struct fg_opts o = { .width = 1200 }; /* 0.1 px: frames >= 1/11800 of the total */
	char line[128];
	unsigned i;

	t->prune.min_nodes = 1024;
	assert_int_equal(fg__set_prune(t, &o), 0);
	t->src = "gen";
	t->prune.active = true; /* what fg__read_folded does for a single fresh input */
	if (first)
		assert_int_equal(fg__add_folded_line(t, first, strlen(first)), 0);
	for (i = 0; i < 400000; i++) {
		snprintf(line, sizeof(line), "main;worker%u;leaf%07u 1", i / 100000, i);
		assert_int_equal(fg__add_folded_line(t, line, strlen(line)), 0);
	}
	fg__prune_stats(t, st);
	fg__free(t);
}

/* Many distinct narrow stacks: the nodes held stay bounded by what can be drawn. */
static void test_memory_bounded(void **state)
{
	struct fg_prune_stats st;

	(void)state;
	/*
	 * Alone, a leaf of count 1 may be drawn until the total passes 11,800:
	 * held nodes stay within twice that, a fraction of the 400,005 distinct.
	 */
	churn(NULL, &st);
	assert_true(st.dropped > 390000);
	assert_true(st.peak <= 2 * 11800 + 1024);
	assert_true(st.kept <= 1024 + 8);
	/* After a wide frame (a count of 10^8) none of them can be: held <= the floor. */
	churn("main;a-wide 100000000", &st);
	assert_true(st.dropped > 399000);
	assert_true(st.peak <= 1024 + 8);
}

static void test_not_with_reverse_or_used_tree(void **state)
{
	struct fg *t = fg__new();
	const struct fg_opts rev = { .reverse = true }, bad = { .width = 10 };

	(void)state;
	assert_int_equal(fg__set_prune(t, &rev), -EINVAL);
	assert_int_equal(fg__set_prune(t, &bad), -EINVAL);
	assert_int_equal(fg__add_folded_line(t, "a;b 1", 5), 0);
	assert_int_equal(fg__set_prune(t, NULL), -EBUSY);
	fg__free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted_identical),
		cmocka_unit_test(test_unsorted_identical),
		cmocka_unit_test(test_memory_bounded),
		cmocka_unit_test(test_not_with_reverse_or_used_tree),
	};

	return cmocka_run_group_tests_name("fg_prune", tests, NULL, NULL);
}
