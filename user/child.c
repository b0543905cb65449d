// SPDX-License-Identifier: GPL-2.0
#include "child.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void child_main(int go_rd, int err_wr, char *const argv[])
{
	char b = 0;
	int e;

	/* Restore default signal dispositions the tracer changed. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	while (read(go_rd, &b, 1) < 0 && errno == EINTR)
		;
	close(go_rd);
	if (b != 'g')
		_exit(126);
	execvp(argv[0], argv);
	e = errno;
	if (write(err_wr, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

int st_child_spawn(struct st_child *c, char *const argv[])
{
	int go[2], er[2];

	memset(c, 0, sizeof(*c));
	c->name = argv[0];
	if (pipe2(go, O_CLOEXEC) || pipe2(er, O_CLOEXEC)) {
		st_err("cannot create pipes for %s: %s", argv[0], strerror(errno));
		return -errno;
	}
	c->pid = fork();
	if (c->pid < 0) {
		int err = errno;

		st_err("cannot fork to run %s: %s", argv[0], strerror(err));
		close(go[0]), close(go[1]), close(er[0]), close(er[1]);
		return -err;
	}
	if (c->pid == 0) {
		close(go[1]);
		close(er[0]);
		child_main(go[0], er[1], argv);
	}
	close(go[0]);
	close(er[1]);
	c->go_fd = go[1];
	c->err_fd = er[0];
	return 0;
}

int st_child_release(struct st_child *c)
{
	ssize_t n;
	int e = 0;

	if (write(c->go_fd, "g", 1) != 1) {
		st_err("cannot start %s: %s", c->name, strerror(errno));
		return -errno;
	}
	close(c->go_fd);
	c->go_fd = -1;
	do
		n = read(c->err_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(c->err_fd);
	c->err_fd = -1;
	if (n == sizeof(e)) {
		st_err("cannot run %s: %s", c->name, strerror(e));
		waitpid(c->pid, NULL, 0);
		c->pid = 0;
		return -e;
	}
	return 0;
}

void st_child_abort(struct st_child *c)
{
	if (c->pid <= 0)
		return;
	if (c->go_fd >= 0)
		close(c->go_fd); /* the child reads EOF and exits 126 */
	if (c->err_fd >= 0)
		close(c->err_fd);
	kill(c->pid, SIGKILL);
	waitpid(c->pid, NULL, 0);
	c->pid = 0;
}

int st_child_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}
