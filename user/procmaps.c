// SPDX-License-Identifier: GPL-2.0
/* /proc/PID/maps parsing. */
#include "procmaps.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A JVM or a browser can have tens of thousands of mappings. */
#define MAPS_MAX_SIZE (64u << 20)

static const char deleted_suffix[] = " (deleted)";

static void procmap_set_path(struct procmap *out, char *path)
{
	size_t len, slen = sizeof(deleted_suffix) - 1;

	path += strspn(path, " \t");
	path[strcspn(path, "\n")] = '\0';
	len = strlen(path);
	out->deleted = len > slen && !strcmp(path + len - slen, deleted_suffix);
	if (out->deleted)
		path[len - slen] = '\0';
	out->path = path;
}

int procmaps__parse_line(char *line, struct procmap *out)
{
	char perms[5];
	int pos = -1;

	memset(out, 0, sizeof(*out));
	/* "55d0c0a00000-55d0c0a02000 r-xp 00002000 fd:01 1234567    /usr/bin/foo" */
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64 "%n", &out->start,
		   &out->end, perms, &out->pgoff, &out->dev_major, &out->dev_minor, &out->inode,
		   &pos) != 7 ||
	    pos < 0 || out->end < out->start || strlen(perms) != 4)
		return -EINVAL;
	out->readable = perms[0] == 'r';
	out->writable = perms[1] == 'w';
	out->executable = perms[2] == 'x';
	procmap_set_path(out, line + pos);
	return 0;
}

int procmaps__foreach_buf(char *buf, procmaps_fn fn, void *ctx)
{
	char *line = buf, *nl;
	int err;

	for (; line && *line; line = nl) {
		struct procmap m;

		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		if (procmaps__parse_line(line, &m))
			continue;
		err = fn(&m, ctx);
		if (err)
			return err;
	}
	return 0;
}

char *procmaps__read(pid_t pid, size_t *len)
{
	char path[64], *buf;
	size_t n = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	buf = st_read_file(path, MAPS_MAX_SIZE, &n);
	if (!buf) {
		if (errno == ENOENT)
			errno = ESRCH;
		return NULL;
	}
	if (!n) {
		free(buf);
		errno = ESRCH;
		return NULL;
	}
	if (len)
		*len = n;
	return buf;
}

int procmaps__foreach(pid_t pid, procmaps_fn fn, void *ctx)
{
	char *buf = procmaps__read(pid, NULL);
	int err;

	if (!buf)
		return -errno;
	err = procmaps__foreach_buf(buf, fn, ctx);
	free(buf);
	return err;
}
