/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output files written safely: a temp file made with O_EXCL next to the target,
 * then rename(2) over it, so a symlink planted at the path in a shared directory
 * is replaced, never followed, and readers never see a half-written file.
 */
#ifndef ST_OUTPUT_H
#define ST_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

struct st_out {
	FILE *f;
	char *path;
	char *tmp;
	bool is_stdout;
};

/* "-" means stdout. Returns 0 or -errno after one error line. */
int st_out_open(struct st_out *o, const char *path);
/* Flush, fsync, chmod 0644 & ~umask, rename into place. 0 or -errno after one line. */
int st_out_commit(struct st_out *o);
/* Discard a file that will not be completed. */
void st_out_abort(struct st_out *o);

#endif
