// SPDX-License-Identifier: GPL-2.0
/*
 * Folded-stack lines (DESIGN.md §3): "frame;frame;... COUNT", or FlameGraph's
 * differential form "frame;frame;... OLD NEW". The count is the last
 * whitespace-separated token, so frames may contain spaces.
 *
 * Whether an input is two-column is decided by its first line and holds for
 * the whole stream: a later "f 12 34" in a one-column input is the frame
 * "f 12" with count 34, as FlameGraph reads the first line it sees.
 */
#include "fg_tree.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct fold_line {
	size_t stack_len;
	uint64_t count, base;
	bool two;
	char why[160];
};

static bool is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static size_t rtrim(const char *s, size_t n)
{
	while (n && (is_ws(s[n - 1]) || s[n - 1] == '\r'))
		n--;
	return n;
}

/* Start of the last whitespace-separated token of s[0..n) (0 = no whitespace). */
static size_t last_token(const char *s, size_t n)
{
	while (n && !is_ws(s[n - 1]))
		n--;
	return n;
}

static bool all_digits(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return n > 0;
}

/* A short printable rendering of a bad token for an error message. */
static const char *show(const char *p, size_t n, char *buf, size_t len)
{
	size_t i, k = 0;

	for (i = 0; i < n && k + 4 < len; i++)
		buf[k++] = (unsigned char)p[i] >= 0x20 && (unsigned char)p[i] < 0x7f ? p[i] : '?';
	if (i < n) {
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k] = '\0';
	return buf;
}

static int parse_count(const char *p, size_t n, uint64_t *out, char *why, size_t wlen)
{
	char tok[40];
	uint64_t v = 0;
	size_t i;

	if (n > 1 && p[0] == '-' && all_digits(p + 1, n - 1)) {
		snprintf(why, wlen, "negative count '%s'", show(p, n, tok, sizeof(tok)));
		return -EINVAL;
	}
	if (!all_digits(p, n)) {
		snprintf(why, wlen,
			 "count '%s' is not a non-negative integer (expected 'a;b;c COUNT')",
			 show(p, n, tok, sizeof(tok)));
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(p[i] - '0');

		if (v > (UINT64_MAX - d) / 10) {
			snprintf(why, wlen, "count '%s' does not fit in 64 bits",
				 show(p, n, tok, sizeof(tok)));
			return -ERANGE;
		}
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* The column layout of this line against the stream's and the tree's. */
static int check_columns(struct fg *t, struct fold_line *fl)
{
	enum fg_cols c = fl->two ? FG_COLS_TWO : FG_COLS_ONE;

	if (t->input_cols == FG_COLS_UNKNOWN) {
		if (t->cols != FG_COLS_UNKNOWN && t->cols != c) {
			snprintf(fl->why, sizeof(fl->why), "%s",
				 fl->two ? "two-column (differential) input cannot be merged with "
					   "one-column input"
					 : "one-column input cannot be merged with two-column "
					   "(differential) input");
			return -EINVAL;
		}
		if (fl->two && t->has_base_tree) {
			snprintf(fl->why, sizeof(fl->why),
				 "two-column (differential) input cannot also take a base profile");
			return -EINVAL;
		}
		t->input_cols = t->cols = c;
		if (fl->two && fg_tree__make_diff(t))
			return -ENOMEM;
	}
	if (t->input_cols == FG_COLS_TWO && !fl->two) {
		snprintf(fl->why, sizeof(fl->why),
			 "expected two counts 'OLD NEW' like the first line of this input");
		return -EINVAL;
	}
	return 0;
}

/* Returns 1 for a blank line, 0 when parsed, -errno with fl->why set. */
static int parse_line(struct fg *t, const char *s, size_t n, struct fold_line *fl)
{
	size_t i, j;
	int err;

	n = rtrim(s, n);
	if (!n)
		return 1;
	i = last_token(s, n);
	if (!i) {
		snprintf(fl->why, sizeof(fl->why), "%s",
			 all_digits(s, n) ? "no stack before the count"
					  : "missing count (expected 'a;b;c COUNT')");
		return -EINVAL;
	}
	err = parse_count(s + i, n - i, &fl->count, fl->why, sizeof(fl->why));
	if (err)
		return err;
	fl->stack_len = rtrim(s, i);
	fl->two = false;
	j = last_token(s, fl->stack_len);
	if (t->input_cols != FG_COLS_ONE && j && all_digits(s + j, fl->stack_len - j)) {
		err = parse_count(s + j, fl->stack_len - j, &fl->base, fl->why, sizeof(fl->why));
		if (err)
			return err;
		fl->two = true;
		fl->stack_len = rtrim(s, j);
	}
	err = check_columns(t, fl);
	if (!err && !fl->stack_len) {
		snprintf(fl->why, sizeof(fl->why), "no stack before the count");
		err = -EINVAL;
	}
	return err;
}

/* Frames of s[0..n) into t->scratch, empty ones skipped. Returns how many or -errno. */
static int64_t split_frames(struct fg *t, const char *s, size_t n)
{
	const char *end = s + n, *p = s;
	uint32_t k = 0;
	int err;

	while (p <= end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *fe = semi ? semi : end;

		if (fe - p > (ptrdiff_t)UINT32_MAX)
			return -E2BIG;
		if (fe > p) {
			if (k == t->scratch_cap && (err = fg_tree__scratch(t, k + 1)))
				return err;
			t->scratch[k++] = (struct fg_span){ p, (uint32_t)(fe - p) };
		}
		p = fe + 1;
	}
	return k;
}

static int report(const struct fg *t, int err, const char *why)
{
	if (!why || !*why)
		why = err == -EOVERFLOW ? "the total count overflows 64 bits"
		      : err == -E2BIG	? "too many distinct frames or a frame too long"
					: strerror(-err);
	if (t->src)
		st_err("%s:%lu: %s", t->src, t->lineno, why);
	else
		st_err("folded input: %s", why);
	return err;
}

int fg__add_folded_line(struct fg *t, const char *line, size_t len)
{
	struct fold_line fl = { .why = "" };
	int64_t n;
	int err;

	err = parse_line(t, line, len, &fl);
	if (err)
		return err > 0 ? 0 : report(t, err, fl.why);
	n = split_frames(t, line, fl.stack_len);
	if (n < 0)
		return report(t, (int)n, NULL);
	if (n == 0)
		return report(t, -EINVAL, "empty stack (only ';' separators)");
	err = fg_tree__add(t, t->scratch, (uint32_t)n, fl.count, fl.two ? fl.base : 0);
	/* -ESTALE: pruning met a line out of order; fg__read_folded reads again. */
	return err && err != -ESTALE ? report(t, err, NULL) : err;
}

int fg__add_folded_stack(struct fg *t, const char *stack, size_t len, uint64_t count)
{
	int64_t n = split_frames(t, stack, len);

	if (n <= 0)
		return n ? (int)n : -EINVAL;
	return fg_tree__add(t, t->scratch, (uint32_t)n, count, 0);
}

/* Lines of @in into @t (copied to @spool when given), line numbers going on. */
static int read_lines(struct fg *t, FILE *in, FILE *spool)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int err = 0;

	errno = 0;
	while ((len = getline(&line, &cap, in)) >= 0) {
		const char *p = line;

		if (spool && fwrite(line, 1, (size_t)len, spool) != (size_t)len) {
			if (t->prune.dropped) {
				st_err("%s: cannot keep a copy of the input for a second read: %s",
				       t->src, strerror(errno ? errno : EIO));
				err = -EIO;
				break;
			}
			t->prune.active = false; /* nothing dropped yet: read on, exactly */
			spool = NULL;
		}
		t->lineno++;
		if (len && line[len - 1] == '\n')
			len--;
		if (t->lineno == 1 && len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) {
			p += 3; /* a UTF-8 byte order mark */
			len -= 3;
		}
		err = fg__add_folded_line(t, p, (size_t)len);
		if (err)
			break;
	}
	if (!err && ferror(in)) {
		err = errno ? -errno : -EIO;
		st_err("%s: read error: %s", t->src, strerror(-err));
	}
	free(line);
	return err;
}

/* A regular file we can come back to: where it starts, or -1. */
static off_t rereadable(FILE *in)
{
	struct stat st;

	if (fstat(fileno(in), &st) || !S_ISREG(st.st_mode))
		return -1;
	return ftello(in);
}

/*
 * Pruning dropped frames and then met a line out of order: read the input
 * again from @start (a file) or from @spool (what was read of a pipe) and on,
 * without pruning.
 */
static int read_again(struct fg *t, FILE *in, off_t start, FILE *spool)
{
	int err = fg_tree__reset(t);

	if (err)
		return err;
	t->prune.restarted = true;
	t->lineno = 0;
	t->input_cols = FG_COLS_UNKNOWN;
	if (spool ? fflush(spool) || fseeko(spool, 0, SEEK_SET) : fseeko(in, start, SEEK_SET)) {
		err = -errno;
		st_err("%s: cannot read the input again: %s", t->src, strerror(errno));
		return err;
	}
	if (spool && (err = read_lines(t, spool, NULL)))
		return err;
	return read_lines(t, in, NULL);
}

int fg__read_folded(struct fg *t, FILE *in, const char *name_for_errors)
{
	FILE *spool = NULL;
	off_t start = -1;
	int err;

	t->src = name_for_errors ? name_for_errors : "<input>";
	t->lineno = 0;
	t->input_cols = FG_COLS_UNKNOWN;
	/* Only a single input into a fresh tree is pruned (fg__set_prune). */
	t->prune.active = t->prune.on && fg_tree__fresh(t);
	if (t->prune.active && (start = rereadable(in)) < 0 && !(spool = tmpfile()))
		t->prune.active = false;
	err = read_lines(t, in, spool);
	if (err == -ESTALE)
		err = read_again(t, in, start, spool);
	t->prune.active = false;
	if (spool)
		fclose(spool);
	t->src = NULL;
	t->lineno = 0;
	return err;
}
