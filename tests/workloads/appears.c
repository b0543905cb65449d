// SPDX-License-Identifier: GPL-2.0
/*
 * appears PATH [TIMEOUT_S]: block (inotify on PATH's directory, no polling)
 * until PATH exists, then print CLOCK_MONOTONIC in ns and exit 0; exit 1 on
 * timeout (default 60 s) or error. The lab's nodestage test uses it as an
 * independent witness of when udev made a device's /dev/disk/by-path link.
 * Create the directory watch before PATH can appear (start this first).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	char dir[PATH_MAX], *slash;
	char buf[4096] __attribute__((aligned(8)));
	long long deadline;
	struct stat st;
	int fd, timeout_s = argc > 2 ? atoi(argv[2]) : 60;

	if (argc < 2 || timeout_s <= 0) {
		fprintf(stderr, "usage: appears PATH [TIMEOUT_S]\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir) {
		fprintf(stderr, "appears: %s: need an absolute path below a directory\n", argv[1]);
		return 2;
	}
	*slash = '\0';
	fd = inotify_init1(IN_CLOEXEC);
	if (fd < 0) {
		perror("appears: inotify_init1");
		return 1;
	}
	deadline = mono_ns() + timeout_s * 1000000000LL;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left;
		char parent[PATH_MAX], *ps;

		/*
		 * (Re)arm the watches: cheap, and the parent's covers a directory
		 * that does not exist yet (no such device seen so far).
		 */
		inotify_add_watch(fd, dir, IN_CREATE | IN_MOVED_TO);
		snprintf(parent, sizeof(parent), "%s", dir);
		ps = strrchr(parent, '/');
		if (ps && ps != parent) {
			*ps = '\0';
			inotify_add_watch(fd, parent, IN_CREATE | IN_MOVED_TO);
		}
		if (lstat(argv[1], &st) == 0) {
			printf("%lld\n", mono_ns());
			return 0;
		}
		left = deadline - mono_ns();
		if (left <= 0)
			return 1;
		if (poll(&p, 1, (int)(left / 1000000) + 1) < 0 && errno != EINTR) {
			perror("appears: poll");
			return 1;
		}
		if (p.revents & POLLIN)
			(void)!read(fd, buf, sizeof(buf));
	}
}
