// SPDX-License-Identifier: GPL-2.0
#include "output.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int st_out_open(struct st_out *o, const char *path)
{
	char *dcopy, *bcopy;
	struct stat st;
	int fd, len;

	memset(o, 0, sizeof(*o));
	if (!strcmp(path, "-")) {
		o->f = stdout;
		o->is_stdout = true;
		return 0;
	}
	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		st_err("cannot write %s: it is a directory", path);
		return -EISDIR;
	}
	/* Devices and FIFOs (/dev/null, a pipe) are written in place, never replaced. */
	if (lstat(path, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
		fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
			int err = errno;

			st_err("cannot write %s: %s", path, strerror(err));
			if (fd >= 0)
				close(fd);
			return -err;
		}
		o->is_stdout = true; /* no rename; closed at commit */
		o->path = NULL;
		return 0;
	}
	dcopy = strdup(path);
	bcopy = strdup(path);
	o->path = strdup(path);
	len = dcopy && bcopy ? snprintf(NULL, 0, "%s/.%s.XXXXXX", dirname(dcopy), basename(bcopy))
			     : -1;
	if (len > 0 && (o->tmp = malloc((size_t)len + 1))) {
		strcpy(dcopy, path);
		strcpy(bcopy, path);
		snprintf(o->tmp, (size_t)len + 1, "%s/.%s.XXXXXX", dirname(dcopy), basename(bcopy));
	}
	free(dcopy);
	free(bcopy);
	if (!o->tmp || !o->path) {
		st_out_abort(o);
		return -ENOMEM;
	}
	fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		st_err("cannot create %s: %s", path, strerror(err));
		free(o->tmp);
		o->tmp = NULL;
		st_out_abort(o);
		return -err;
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		close(fd);
		st_out_abort(o);
		return -ENOMEM;
	}
	return 0;
}

int st_out_commit(struct st_out *o)
{
	mode_t mask;
	int err = 0;

	if (o->is_stdout) {
		if (fflush(o->f) && errno != EPIPE)
			err = -errno;
		if (o->f != stdout)
			fclose(o->f);
		o->f = NULL;
		return err;
	}
	mask = umask(0);
	umask(mask);
	if (fflush(o->f) || fchmod(fileno(o->f), 0666 & ~mask) || fsync(fileno(o->f)))
		err = -errno;
	if (fclose(o->f) && !err)
		err = -errno;
	o->f = NULL;
	if (!err && rename(o->tmp, o->path))
		err = -errno;
	if (err) {
		st_err("cannot write %s: %s", o->path, strerror(-err));
		unlink(o->tmp);
	}
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return err;
}

void st_out_abort(struct st_out *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
}
