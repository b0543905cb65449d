/* mono-ns: print CLOCK_MONOTONIC in nanoseconds (the clock of the BPF helper
 * bpf_ktime_get_ns()).
 *
 *   mono-ns            CLOCK_MONOTONIC now, in ns
 *   mono-ns --offset   CLOCK_MONOTONIC - CLOCK_REALTIME, in ns: add it to a
 *                      realtime stamp (e.g. bash's $EPOCHREALTIME) to get a
 *                      monotonic one without spawning a process per stamp.
 *
 * Built into the lab cache by scripts/lab/run (on PATH in the guest), or on
 * the fly by nodestage-sim. */
#include <stdio.h>
#include <string.h>
#include <time.h>

static long long ns(clockid_t c)
{
	struct timespec ts;

	if (clock_gettime(c, &ts) != 0) {
		perror("mono-ns: clock_gettime");
		return -1;
	}
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--offset") == 0) {
		/* realtime read on both sides of the monotonic read: use the midpoint */
		long long r0 = ns(CLOCK_REALTIME);
		long long m = ns(CLOCK_MONOTONIC);
		long long r1 = ns(CLOCK_REALTIME);

		printf("%lld\n", m - (r0 + (r1 - r0) / 2));
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "usage: mono-ns [--offset]\n");
		return 2;
	}
	printf("%lld\n", ns(CLOCK_MONOTONIC));
	return 0;
}
