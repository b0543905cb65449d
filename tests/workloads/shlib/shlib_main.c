// SPDX-License-Identifier: GPL-2.0
/*
 * PIE executable linked to libstwork.so (found through an $ORIGIN rpath).
 *
 *   shlib_work            print "NAME 0xADDR" per named function, then wait for EOF on stdin
 *   shlib_work burn SECS  burn CPU inside stwork_burn() (in the library)
 *   shlib_work sleep      sleep 5 x 200 ms inside stwork_sleep() (in the library)
 */
#include "stwork.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static void shlib_wait(void)
{
	char buf[64];

	while (fread(buf, 1, sizeof(buf), stdin) > 0)
		;
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "burn")) {
		stwork_burn(atof(argv[2]));
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "sleep")) {
		stwork_sleep();
		return 0;
	}
	printf("stwork_burn %p\n", (void *)stwork_burn);
	printf("stwork_sleep %p\n", (void *)stwork_sleep);
	printf("shlib_wait %p\n", (void *)shlib_wait);
	printf("ready\n");
	fflush(stdout);
	shlib_wait();
	return 0;
}
