/* mono-ns: print CLOCK_MONOTONIC in nanoseconds (the clock bpf_ktime_get_ns()
 * uses), so shell scripts such as nodestage-sim can write phase timestamps
 * that line up with BPF event times.  Built into the lab cache by
 * scripts/lab/run (or on the fly by nodestage-sim). */
#include <stdio.h>
#include <time.h>

int main(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		perror("mono-ns: clock_gettime");
		return 1;
	}
	printf("%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	return 0;
}
