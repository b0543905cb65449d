/* lab-iolat: latency of synchronous 4 KiB direct I/O (O_DIRECT, one I/O at a
 * time), the yardstick the storage lab uses to prove its injections.
 *
 * usage: lab-iolat [--rw read|write] [--count N] [--warmup N] [--size MB] TARGET
 *   TARGET  a block device (read only: never written) or a regular file,
 *           laid out with --size MB (default 16) of written blocks when it
 *           is missing or shorter, so that later writes are plain overwrites.
 *   Offsets are random, 4 KiB aligned, within the first --size MB. The first
 *   --warmup I/Os (default 3) are not counted. Before each I/O it pauses a
 *   random 0-4 ms: dm-delay counts in ticks of the guest's 250 Hz clock, and
 *   I/O issued right after the tick that completed the previous one would
 *   always see the longest wait; the pause spreads the requests over the tick.
 * Prints one line:
 *   median_ms=M mean_ms=A min_ms=L max_ms=H n=N rw=RW
 * Exit 0, 1 on I/O error, 2 on bad usage.
 *
 * A C tool rather than fio: under TCG fio's start-up costs seconds, this
 * one a few milliseconds. scripts/lab/run builds it into the lab cache
 * (on PATH inside the guest). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BS 4096

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint64_t rng_state;
static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void usage(void)
{
	fprintf(stderr, "usage: lab-iolat [--rw read|write] [--count N] [--warmup N] [--size MB] TARGET\n");
	exit(2);
}

static long num_arg(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	int write_mode = 0, fd, i;
	long count = 20, warmup = 3, size_mb = 16;
	const char *target = NULL;
	struct stat st;
	uint64_t span, blocks;
	void *buf;
	double *lat, sum = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rw") && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "write"))
				write_mode = 1;
			else if (strcmp(argv[i], "read"))
				usage();
		} else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
			count = num_arg(argv[++i]);
		} else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) {
			warmup = num_arg(argv[++i]);
		} else if (!strcmp(argv[i], "--size") && i + 1 < argc) {
			size_mb = num_arg(argv[++i]);
		} else if (argv[i][0] == '-' || target) {
			usage();
		} else {
			target = argv[i];
		}
	}
	if (!target || count < 1 || size_mb < 1)
		usage();
	if (posix_memalign(&buf, BS, 1 << 20)) {
		perror("lab-iolat: posix_memalign");
		return 1;
	}
	rng_state = (uint64_t)now_ms() * 1000003ULL ^ (uint64_t)getpid() << 32 ^ 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < (1 << 20) / 8; i++)
		((uint64_t *)buf)[i] = rnd();

	span = (uint64_t)size_mb << 20;
	if (stat(target, &st) == 0 && S_ISBLK(st.st_mode)) {
		uint64_t dev_size = 0;

		if (write_mode) {
			fprintf(stderr, "lab-iolat: refusing to write to block device %s\n", target);
			return 2;
		}
		fd = open(target, O_RDONLY | O_DIRECT);
		if (fd < 0 || ioctl(fd, BLKGETSIZE64, &dev_size) != 0) {
			fprintf(stderr, "lab-iolat: %s: %s\n", target, strerror(errno));
			return 1;
		}
		if (dev_size < span)
			span = dev_size;
	} else {
		fd = open(target, (write_mode ? O_RDWR : O_RDONLY) | O_CREAT | O_DIRECT, 0644);
		if (fd < 0 && !write_mode)
			fd = open(target, O_RDWR | O_CREAT | O_DIRECT, 0644);
		if (fd < 0 || fstat(fd, &st) != 0) {
			fprintf(stderr, "lab-iolat: %s: %s\n", target, strerror(errno));
			return 1;
		}
		if ((uint64_t)st.st_size < span) {
			/* lay the file out with real written blocks, 1 MiB at a time */
			int wfd = open(target, O_WRONLY | O_DIRECT);
			uint64_t off;

			for (off = 0; wfd >= 0 && off < span; off += 1 << 20) {
				if (pwrite(wfd, buf, 1 << 20, off) != 1 << 20) {
					fprintf(stderr, "lab-iolat: laying out %s: %s\n", target, strerror(errno));
					return 1;
				}
			}
			if (wfd < 0 || fsync(wfd) != 0) {
				fprintf(stderr, "lab-iolat: laying out %s: %s\n", target, strerror(errno));
				return 1;
			}
			close(wfd);
		}
	}
	blocks = span / BS;
	if (blocks == 0) {
		fprintf(stderr, "lab-iolat: %s is smaller than 4 KiB\n", target);
		return 1;
	}

	lat = calloc(count, sizeof(*lat));
	if (!lat)
		return 1;
	for (i = 0; i < warmup + count; i++) {
		off_t off = (off_t)(rnd() % blocks) * BS;
		struct timespec pause = { 0, (long)(rnd() % 4000000) };
		double t0, t1;
		ssize_t n;

		nanosleep(&pause, NULL);
		t0 = now_ms();
		n = write_mode ? pwrite(fd, buf, BS, off) : pread(fd, buf, BS, off);

		t1 = now_ms();
		if (n != BS) {
			fprintf(stderr, "lab-iolat: %s at %lld: %s\n", write_mode ? "write" : "read",
				(long long)off, n < 0 ? strerror(errno) : "short I/O");
			return 1;
		}
		if (i >= warmup) {
			lat[i - warmup] = t1 - t0;
			sum += t1 - t0;
		}
	}
	qsort(lat, count, sizeof(*lat), cmp_double);
	printf("median_ms=%.2f mean_ms=%.2f min_ms=%.2f max_ms=%.2f n=%ld rw=%s\n",
	       count % 2 ? lat[count / 2] : (lat[count / 2 - 1] + lat[count / 2]) / 2,
	       sum / count, lat[0], lat[count - 1], count, write_mode ? "write" : "read");
	return 0;
}
