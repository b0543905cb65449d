// SPDX-License-Identifier: GPL-2.0
/* libstwork.so: named functions that live in a shared library. */
#include "stwork.h"

#include <time.h>
#include <unistd.h>

static volatile unsigned long stwork_sink;

static double stwork_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) void stwork_burn(double secs)
{
	double end = stwork_now() + secs;

	while (stwork_now() < end) {
		for (int i = 0; i < 100000; i++)
			stwork_sink += (unsigned long)i * 7;
	}
}

__attribute__((noinline)) void stwork_sleep(void)
{
	for (int i = 0; i < 5; i++)
		usleep(200 * 1000);
}
