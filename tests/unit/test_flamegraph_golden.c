// SPDX-License-Identifier: GPL-2.0
/*
 * Golden SVGs: each tests/unit/golden/flamegraph/NAME.folded renders to exactly
 * NAME.svg, and again with its lines in reverse order (output must not depend on
 * input order). FG_GOLDEN_UPDATE=1 rewrites the .svg files after a deliberate
 * change; review the diff (and open one in a browser) before committing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"

struct golden {
	const char *name;
	const char *base; /* --diff BASE, or NULL */
	struct fg_opts opts;
};

static const struct golden cases[] = {
	{ "basic", NULL, { 0 } },
	{ "categories",
	  NULL,
	  { .title = "NodeStage pvc-0f3a",
	    .subtitle = "wall time by category",
	    .countname = "us" } },
	{ "diff-2col", NULL, { .countname = "samples" } },
	{ "diff-base", "diff-base.base", { .normalize = true, .subtitle = "normalised base" } },
	{ "icicle-reverse",
	  NULL,
	  { .inverted = true,
	    .reverse = true,
	    .colors = "hot",
	    .minwidth = 1,
	    .minwidth_pct = true,
	    .width = 800,
	    .frame_height = 20 } },
	{ "hostile", NULL, { .title = "<hostile> & \"names\" ]]>", .countname = "<b>" } },
	{ "empty", NULL, { 0 } },
};

static char dir[512];

static void golden_dir(void)
{
	const char *env = getenv("FG_GOLDEN_DIR"), *slash = strrchr(__FILE__, '/');

	if (env)
		snprintf(dir, sizeof(dir), "%s", env);
	else
		snprintf(dir, sizeof(dir), "%.*s/golden/flamegraph",
			 slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".");
}

static char *slurp(const char *name, const char *ext, size_t *len)
{
	char path[1024];
	char *buf = NULL;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s%s", dir, name, ext);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* @text with its lines in reverse order (bytes, NULs included), length in *out_len. */
static char *reverse_lines(const char *text, size_t len, size_t *out_len)
{
	char *out = malloc(len + 2);
	size_t k = 0, end = len;

	while (end > 0) {
		size_t start = end - 1;

		while (start > 0 && text[start - 1] != '\n')
			start--;
		memcpy(out + k, text + start, end - start);
		k += end - start;
		if (k && out[k - 1] != '\n')
			out[k++] = '\n';
		end = start;
	}
	out[k] = '\0';
	*out_len = k;
	return out;
}

static struct fg *load(const char *text, size_t len, const char *what)
{
	struct fg *t = fg__new();
	FILE *f = fmemopen((void *)text, len ? len : 1, "r");

	assert_non_null(t);
	assert_non_null(f);
	if (len && fg__read_folded(t, f, what))
		fail_msg("cannot read %s", what);
	fclose(f);
	return t;
}

static char *render(const struct golden *g, const char *input, size_t len, size_t *out_len)
{
	struct fg *t = load(input, len, g->name);
	char *svg = NULL;
	FILE *f;

	if (g->base) {
		size_t blen;
		char *btext = slurp(g->base, ".folded", &blen);
		struct fg *base = load(btext, blen, g->base);

		assert_int_equal(fg__set_base(t, base), 0);
		fg__free(base);
		free(btext);
	}
	f = open_memstream(&svg, out_len);
	assert_int_equal(fg__write_svg(t, &g->opts, f), 0);
	fclose(f);
	fg__free(t);
	return svg;
}

static void update(const struct golden *g, const char *svg, size_t len)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.svg", dir, g->name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(svg, 1, len, f), len);
	fclose(f);
	print_message("updated %s\n", path);
}

static void check_case(void **state)
{
	const struct golden *g = *state;
	size_t in_len, want_len, got_len, rev_len;
	size_t rev_in_len;
	char *in = slurp(g->name, ".folded", &in_len);
	char *rev = reverse_lines(in, in_len, &rev_in_len);
	char *got = render(g, in, in_len, &got_len), *want, *got_rev;

	if (getenv("FG_GOLDEN_UPDATE"))
		update(g, got, got_len);
	want = slurp(g->name, ".svg", &want_len);
	if (got_len != want_len || memcmp(got, want, want_len))
		fail_msg("%s.svg differs from the rendering (FG_GOLDEN_UPDATE=1 to accept)",
			 g->name);
	got_rev = render(g, rev, rev_in_len, &rev_len);
	if (rev_len != got_len || memcmp(got_rev, got, got_len))
		fail_msg("%s: output depends on the input line order", g->name);
	free(in);
	free(rev);
	free(got);
	free(want);
	free(got_rev);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0])];
	size_t i;

	golden_dir();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = cases[i].name;
		tests[i].test_func = check_case;
		tests[i].initial_state = (void *)&cases[i];
	}
	return cmocka_run_group_tests_name("flamegraph_golden", tests, NULL, NULL);
}
