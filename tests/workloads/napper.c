// SPDX-License-Identifier: GPL-2.0
/*
 * Off-CPU workload with a chosen shape, for comparing runs:
 *
 *   napper MS [COUNT]   sleep COUNT (default 5) x MS milliseconds inside napper_sleep()
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

__attribute__((noinline)) void napper_sleep(long ms, int count)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	for (int i = 0; i < count; i++)
		nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : -1;
	int count = argc > 2 ? atoi(argv[2]) : 5;

	if (ms < 0 || count < 0) {
		fprintf(stderr, "usage: napper MS [COUNT]\n");
		return 2;
	}
	napper_sleep(ms, count);
	return 0;
}
