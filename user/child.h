/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "-- CMD ARGS": run CMD as a child that waits until tracing is attached, like
 * `perf stat -- cmd`. Exec failures are reported by the parent in one line.
 */
#ifndef ST_CHILD_H
#define ST_CHILD_H

#include <sys/types.h>

struct st_child {
	pid_t pid;
	int go_fd;  /* write end: a byte releases the child */
	int err_fd; /* read end: errno of a failed exec, EOF on success */
	const char *name;
};

/* Fork CMD, blocked before exec. Returns 0 or -errno after one error line. */
int st_child_spawn(struct st_child *c, char *const argv[]);
/* Let it exec. Returns 0, or -errno (one line printed) when exec failed. */
int st_child_release(struct st_child *c);
/* Kill and reap a child that will not be released (tracing failed to start). */
void st_child_abort(struct st_child *c);
/* Map a wait status to a shell-style exit status (128+signal). */
int st_child_exit_status(int wstatus);

#endif
