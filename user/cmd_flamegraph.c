// SPDX-License-Identifier: GPL-2.0
/*
 * scaletrace flamegraph: folded stacks (files or stdin, merged) -> interactive
 * SVG, also differential (--diff BASE or two-column input).
 */
#include "cmds.h"
#include "flamegraph.h"
#include "opts.h"
#include "output.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	OPT_TITLE = 256,
	OPT_SUBTITLE,
	OPT_WIDTH,
	OPT_HEIGHT,
	OPT_MINWIDTH,
	OPT_REVERSE,
	OPT_INVERTED,
	OPT_COUNTNAME,
	OPT_COLORS,
	OPT_DIFF,
	OPT_NORMALIZE,
	OPT_OUTPUT,
};

struct fg_cli {
	struct fg_opts o;
	const char *diff_path;
	const char *out_path;
};

static const struct st_optdef fg_defs[] = {
	{ "title", 0, "TEXT", "title (default \"Flame Graph\")", OPT_TITLE },
	{ "subtitle", 0, "TEXT", "second title line, e.g. what the counts measure", OPT_SUBTITLE },
	{ "width", 0, "PX", "image width (default 1200)", OPT_WIDTH },
	{ "height", 0, "PX", "height of one frame (default 16)", OPT_HEIGHT },
	{ "minwidth", 0, "PX|PCT%", "omit narrower frames (default 0.1 px; 0 = none)",
	  OPT_MINWIDTH },
	{ "reverse", 0, NULL, "reverse every stack: merge from the leaves", OPT_REVERSE },
	{ "inverted", 0, NULL, "icicle graph: root at the top", OPT_INVERTED },
	{ "countname", 0, "NAME", "unit of the counts (default \"samples\"; us, bytes)",
	  OPT_COUNTNAME },
	{ "colors", 0, "PALETTE", "scaletrace (default), hot, mem, io, red, green, ...",
	  OPT_COLORS },
	{ "diff", 0, "BASE", "differential against BASE (folded): red grew, blue shrank",
	  OPT_DIFF },
	{ "normalize", 0, NULL, "diff: scale BASE to the same total first", OPT_NORMALIZE },
	{ "output", 'o', "FILE", "write the SVG here (default stdout)", OPT_OUTPUT },
};

static int bad(const char *opt, const char *arg, const char *what)
{
	st_err("invalid value '%s' for --%s: %s", arg, opt, what);
	return -1;
}

static int parse_minwidth(struct fg_opts *o, const char *arg)
{
	size_t n = strlen(arg);
	char num[64];

	if (n && arg[n - 1] == '%') {
		if (n >= sizeof(num))
			return bad("minwidth", arg, "expected pixels or a percentage like 0.5%");
		memcpy(num, arg, n - 1);
		num[n - 1] = '\0';
		o->minwidth_pct = true;
		return st_parse_double(num, 0, 100, &o->minwidth)
			   ? bad("minwidth", arg, "expected a percentage from 0% to 100%")
			   : 0;
	}
	if (st_parse_double(arg, 0, FG_WIDTH_MAX, &o->minwidth))
		return bad("minwidth", arg, "expected pixels (e.g. 0.5) or a percentage (e.g. 1%)");
	o->minwidth_pct = o->minwidth == 0; /* 0 px: draw everything, i.e. 0% */
	return 0;
}

static int parse_px(const char *opt, const char *arg, int min, int max, int *out)
{
	char what[64];

	if (!st_parse_int(arg, min, max, out))
		return 0;
	snprintf(what, sizeof(what), "expected pixels from %d to %d", min, max);
	return bad(opt, arg, what);
}

/* Where an option that just keeps its argument goes; NULL for the others. */
static const char **text_opt(struct fg_cli *c, int id)
{
	switch (id) {
	case OPT_TITLE:
		return &c->o.title;
	case OPT_SUBTITLE:
		return &c->o.subtitle;
	case OPT_COUNTNAME:
		return &c->o.countname;
	case OPT_DIFF:
		return &c->diff_path;
	case OPT_OUTPUT:
		return &c->out_path;
	}
	return NULL;
}

static bool *flag_opt(struct fg_cli *c, int id)
{
	switch (id) {
	case OPT_REVERSE:
		return &c->o.reverse;
	case OPT_INVERTED:
		return &c->o.inverted;
	case OPT_NORMALIZE:
		return &c->o.normalize;
	}
	return NULL;
}

static int fg_opt(void *ctx, int id, const char *arg)
{
	struct fg_cli *c = ctx;
	const char **text = text_opt(c, id);
	bool *flag = flag_opt(c, id);

	if (text || flag) {
		if (text)
			*text = arg;
		else
			*flag = true;
		return 0;
	}
	switch (id) {
	case OPT_WIDTH:
		return parse_px("width", arg, FG_WIDTH_MIN, FG_WIDTH_MAX, &c->o.width);
	case OPT_HEIGHT:
		return parse_px("height", arg, FG_FRAME_HEIGHT_MIN, FG_FRAME_HEIGHT_MAX,
				&c->o.frame_height);
	case OPT_MINWIDTH:
		return parse_minwidth(&c->o, arg);
	case OPT_COLORS:
		if (!fg__palette_valid(arg))
			return bad("colors", arg, fg__palette_names());
		c->o.colors = arg;
		return 0;
	}
	return -1;
}

/* Read one folded file ("-" = stdin) into @t. 0, or -errno after one error line. */
static int read_input(struct fg *t, const char *path)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "re");
	int err;

	if (!f) {
		err = -errno;
		st_err("cannot open %s: %s", path, strerror(errno));
		return err;
	}
	/* Single-threaded reader: skip stdio locking, use large reads. */
	__fsetlocking(f, FSETLOCKING_BYCALLER);
	if (!is_stdin)
		setvbuf(f, NULL, _IOFBF, 1 << 20);
	err = fg__read_folded(t, f, is_stdin ? "<stdin>" : path);
	if (!is_stdin)
		fclose(f);
	return err;
}

static int read_base(struct fg *t, const char *path)
{
	struct fg *base = fg__new();
	int err;

	if (!base)
		return -ENOMEM;
	err = read_input(base, path);
	if (!err)
		err = fg__set_base(t, base);
	fg__free(base);
	return err;
}

/*
 * -o PATH. A regular file, or a symlink planted at PATH, is replaced atomically
 * (st_out_open: temp file + rename). A device or FIFO named by the user
 * (/dev/null, a pipe) is written in place: renaming over it would destroy it.
 * A symlink to one is refused, since whoever planted it chose the target.
 */
static int open_special(const char *path, FILE **direct)
{
	struct stat st, tgt;
	int fd;

	if (lstat(path, &st))
		return 0;
	if (S_ISLNK(st.st_mode) && !stat(path, &tgt) && !S_ISREG(tgt.st_mode)) {
		st_err("refusing to write through the symlink %s to a non-regular file "
		       "(use -o - for stdout)",
		       path);
		return -EINVAL;
	}
	if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode))
		return 0;
	fd = open(path, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || !(*direct = fdopen(fd, "w"))) {
		int err = errno;

		if (fd >= 0)
			close(fd);
		st_err("cannot write %s: %s", path, strerror(err));
		return -err;
	}
	return 0;
}

static int write_output(const struct fg *t, const struct fg_cli *c)
{
	const char *path = c->out_path ? c->out_path : "-";
	FILE *direct = NULL;
	struct st_out out;
	int err;

	if (!strcmp(path, "/dev/stdout"))
		path = "-";
	if (strcmp(path, "-") && (err = open_special(path, &direct)))
		return err;
	if (!direct && (err = st_out_open(&out, path)))
		return err;
	err = fg__write_svg(t, &c->o, direct ? direct : out.f);
	if (direct) {
		if (fclose(direct) && !err)
			err = -EIO;
	} else if (err) {
		st_out_abort(&out);
	} else {
		return st_out_commit(&out);
	}
	if (err == -EIO)
		st_err("cannot write the SVG to %s", path);
	return err;
}

/* -v: what the tree held, and whether pruning could bound it. */
static void report_prune(const struct fg *t)
{
	struct fg_prune_stats s;

	fg__prune_stats(t, &s);
	if (!s.enabled) {
		st_info(1, "flamegraph: %zu nodes (not pruned: several inputs or --reverse)",
			s.kept);
		return;
	}
	st_info(1,
		"flamegraph: %zu nodes kept, at most %zu held, %llu too narrow dropped in %u "
		"passes%s%s",
		s.kept, s.peak, (unsigned long long)s.dropped, s.compactions,
		s.unsorted ? (s.restarted ? "; input out of byte order: read again in full"
					  : "; input out of byte order: held in full")
			   : "",
		s.stuck ? "; some frames stayed open" : "");
}

static int run(struct fg_cli *c, int nfiles, char **files)
{
	struct fg *t = fg__new();
	int i, err = 0;

	if (!t) {
		st_err("out of memory");
		return 1;
	}
	/* One input, merged from the root: memory bounded by the frames drawn. */
	if (nfiles <= 1 && !c->o.reverse)
		fg__set_prune(t, &c->o);
	for (i = 0; i < nfiles && !err; i++)
		err = read_input(t, files[i]);
	if (!nfiles)
		err = read_input(t, "-");
	if (!err && c->diff_path)
		err = read_base(t, c->diff_path);
	if (!err && c->o.normalize && !fg__is_diff(t)) {
		st_err("--normalize needs a differential input (--diff BASE or two-column lines)");
		err = -EINVAL;
	}
	if (!err)
		report_prune(t);
	if (!err && !fg__total(t))
		st_warn("no samples in the input: writing a flamegraph that says so");
	if (!err)
		err = write_output(t, c);
	fg__free(t);
	return err ? 1 : 0;
}

int cmd_flamegraph(int argc, char **argv)
{
	struct fg_cli c = { 0 };
	const struct st_cmdspec spec = {
		.name = "flamegraph",
		.usage = "[OPTIONS] [FOLDED...]",
		.summary =
		    "Render folded stacks as an interactive SVG flamegraph (also differential).",
		.details =
		    "Input: folded stacks, one 'frame;frame;... COUNT' per line, root first, from\n"
		    "the FOLDED files (merged) or stdin ('-' or no file). FlameGraph's two-column\n"
		    "form 'frame;... OLD NEW' gives a differential graph, as does --diff BASE:\n"
		    "widths are NEW, red frames grew, blue shrank. In the browser: hover for\n"
		    "details, click to zoom, Search (Ctrl-F) takes a regex, 'ic' (Ctrl-I) ignores\n"
		    "case; zoom and search are kept in the URL. Input without samples gives an "
		    "SVG\n"
		    "that says so (and a warning). Exit status: 0 written, 1 bad input or I/O\n"
		    "error (one line names FILE:LINE), 2 bad usage.",
		.examples =
		    "  scaletrace flamegraph out.folded -o out.svg\n"
		    "  scaletrace flamegraph --countname us --subtitle 'off-CPU time' a.folded "
		    "b.folded > ab.svg\n"
		    "  scaletrace flamegraph --diff before.folded after.folded -o diff.svg\n"
		    "  scaletrace flamegraph --inverted --colors hot --minwidth 0.5% < x.folded "
		    "> x.svg\n",
		.opts = fg_defs,
		.nopts = ARRAY_SIZE(fg_defs),
		.handle = fg_opt,
		.ctx = &c,
		.positional = true,
	};
	struct st_common common;
	int argi, r;

	st_common_defaults(&common);
	r = st_parse_args(&spec, &common, argc, argv, &argi);
	if (r)
		return r > 0 ? 0 : 2;
	st_set_verbosity(common.verbose);
	if (argi == argc && isatty(STDIN_FILENO)) {
		st_err("no input: give FOLDED files or pipe folded stacks on stdin (see --help)");
		return 2;
	}
	return run(&c, argc - argi, argv + argi);
}
