// SPDX-License-Identifier: GPL-2.0
/* --svg for every tracer: a fold rendered through the flamegraph library. */
#include "flamegraph.h"
#include "fold.h"
#include "output.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int add_path(const char *path, uint64_t count, void *ctx)
{
	return fg__add_folded_stack(ctx, path, strlen(path), count);
}

int st_write_svg(const struct fold *f, const char *path, const char *title, const char *countname)
{
	char subtitle[96];
	struct fg_opts o = { .title = title, .subtitle = subtitle, .countname = countname };
	struct fg *t = fg__new();
	struct st_out out;
	int err;

	if (!t)
		return -ENOMEM;
	snprintf(subtitle, sizeof(subtitle), "scaletrace %s; counts in %s%s", st_cmdname(),
		 countname, strcmp(countname, "us") ? "" : " (microseconds)");
	err = fold__visit_sorted(f, add_path, t);
	if (!err)
		err = st_out_open(&out, path);
	if (!err) {
		err = fg__write_svg(t, &o, out.f);
		if (err)
			st_out_abort(&out);
		else
			err = st_out_commit(&out);
	}
	fg__free(t);
	return err;
}
