// SPDX-License-Identifier: GPL-2.0
/*
 * Symbolization target with known function names.
 *
 *   symtarget            print "NAME 0xADDR" for each named function, then wait for EOF on stdin
 *   symtarget burn SECS  burn CPU inside symtarget_burn() for SECS seconds
 *   symtarget sleep      sleep 5 x 200 ms inside symtarget_sleep()
 *
 * build-extra compiles variants of this file (stripped, MiniDebugInfo, separate debug file);
 * SYMTARGET_VARIANT makes each variant's build-id differ.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef SYMTARGET_VARIANT
#define SYMTARGET_VARIANT "plain"
#endif

static volatile unsigned long sink;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) void symtarget_burn(double secs)
{
	double end = now_s() + secs;

	while (now_s() < end) {
		for (int i = 0; i < 100000; i++)
			sink += (unsigned long)i * 7;
	}
}

__attribute__((noinline)) void symtarget_sleep(void)
{
	for (int i = 0; i < 5; i++)
		usleep(200 * 1000);
}

__attribute__((noinline)) static void symtarget_wait(void)
{
	char buf[64];

	while (fread(buf, 1, sizeof(buf), stdin) > 0)
		sink++;
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "burn")) {
		symtarget_burn(atof(argv[2]));
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "sleep")) {
		symtarget_sleep();
		return 0;
	}
	printf("variant %s\n", SYMTARGET_VARIANT);
	printf("symtarget_burn %p\n", (void *)symtarget_burn);
	printf("symtarget_sleep %p\n", (void *)symtarget_sleep);
	printf("symtarget_wait %p\n", (void *)symtarget_wait);
	printf("ready\n");
	fflush(stdout);
	symtarget_wait();
	return 0;
}
