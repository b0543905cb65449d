/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test helpers around build/workloads: find a workload binary, run one that prints
 * "NAME 0xADDR" lines and "ready" (then waits for EOF on stdin), and stop it.
 */
#ifndef ST_TEST_WORKLOAD_H
#define ST_TEST_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define WL_MAX_ADDRS 16

struct wl_proc {
	pid_t pid;
	int stdin_fd; /* closing it makes the workload exit */
	size_t naddrs;
	struct {
		char name[64];
		uint64_t addr;
	} addrs[WL_MAX_ADDRS];
};

/*
 * Path of workload @name in $ST_WORKLOADS, build/workloads or build-san/workloads (tests
 * run from the project root). False, with a line on stderr saying how to build it, if
 * it is missing.
 */
bool wl_find(const char *name, char *buf, size_t len);

/* Run @path (argv[0] = path, no other args) and read its addresses up to "ready". */
int wl_start(struct wl_proc *p, const char *path);
/* Address printed for @name, 0 if none. */
uint64_t wl_addr(const struct wl_proc *p, const char *name);
/* Close its stdin, SIGKILL it and reap it: afterwards /proc/PID is gone. */
void wl_stop(struct wl_proc *p);

#endif
