/* SPDX-License-Identifier: GPL-2.0 */
/* /proc/PID/maps parsing. */
#ifndef ST_PROCMAPS_H
#define ST_PROCMAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct procmap {
	uint64_t start, end; /* [start, end) virtual addresses */
	uint64_t pgoff;	     /* file offset mapped at start */
	uint64_t inode;	     /* 0 for anonymous mappings */
	unsigned int dev_major, dev_minor;
	bool readable, writable, executable;
	bool deleted;	  /* the file was unlinked: " (deleted)" has been cut from path */
	const char *path; /* "" (anonymous), "[vdso]", "[stack]", or a path in the
			   * process's mount namespace; points into the parsed line */
};

/* Parse one maps line in place (the path is cut at the newline). 0 or -EINVAL. */
int procmaps__parse_line(char *line, struct procmap *out);

/* Called per mapping; a non-zero return stops the walk and is returned. */
typedef int (*procmaps_fn)(const struct procmap *m, void *ctx);

/* Walk the lines of @buf (modified in place); malformed lines are skipped. */
int procmaps__foreach_buf(char *buf, procmaps_fn fn, void *ctx);

/*
 * The text of /proc/PID/maps, NUL-terminated, to free(); @len (may be NULL) gets its
 * length. NULL with errno ESRCH when the process is gone (no maps file, or an empty one:
 * a zombie), another errno on read errors.
 */
char *procmaps__read(pid_t pid, size_t *len);

/*
 * Walk /proc/PID/maps. -ESRCH when the process is gone (no maps file, or an empty one:
 * a zombie), another -errno on read errors, else what fn returned (0 normally).
 */
int procmaps__foreach(pid_t pid, procmaps_fn fn, void *ctx);

#endif
