// SPDX-License-Identifier: GPL-2.0
/* Test helpers: find and run workloads from build/workloads. */
#include "workload.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

bool wl_find(const char *name, char *buf, size_t len)
{
	const char *dirs[] = { getenv("ST_WORKLOADS"), "build/workloads", "build-san/workloads" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (!dirs[i])
			continue;
		snprintf(buf, len, "%s/%s", dirs[i], name);
		if (!access(buf, F_OK))
			return true;
	}
	fprintf(stderr, "workload %s not found (run `make workloads` or set ST_WORKLOADS)\n", name);
	return false;
}

static void wl_child(const char *path, int in[2], int out[2])
{
	dup2(in[0], STDIN_FILENO);
	dup2(out[1], STDOUT_FILENO);
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
	execl(path, path, (char *)NULL);
	_exit(127);
}

static int wl_read_addrs(struct wl_proc *p, FILE *f)
{
	char line[256], name[64];
	unsigned long long addr;

	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "ready", 5))
			return 0;
		if (sscanf(line, "%63s %llx", name, &addr) != 2 || p->naddrs == WL_MAX_ADDRS)
			continue;
		snprintf(p->addrs[p->naddrs].name, sizeof(p->addrs[0].name), "%s", name);
		p->addrs[p->naddrs++].addr = addr;
	}
	return -EIO;
}

int wl_start(struct wl_proc *p, const char *path)
{
	int in[2], out[2], err;
	FILE *f;

	memset(p, 0, sizeof(*p));
	p->stdin_fd = -1;
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return -errno;
	p->pid = fork();
	if (p->pid < 0)
		return -errno;
	if (p->pid == 0)
		wl_child(path, in, out);
	close(in[0]);
	close(out[1]);
	p->stdin_fd = in[1];
	f = fdopen(out[0], "r");
	if (!f)
		return -errno;
	err = wl_read_addrs(p, f);
	fclose(f);
	return err;
}

uint64_t wl_addr(const struct wl_proc *p, const char *name)
{
	for (size_t i = 0; i < p->naddrs; i++) {
		if (!strcmp(p->addrs[i].name, name))
			return p->addrs[i].addr;
	}
	return 0;
}

void wl_stop(struct wl_proc *p)
{
	if (p->stdin_fd >= 0)
		close(p->stdin_fd);
	p->stdin_fd = -1;
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	p->pid = 0;
}
