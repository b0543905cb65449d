// SPDX-License-Identifier: GPL-2.0
/*
 * flamegraph-gen LINES [SEED]: a deterministic folded-stack file with the shape
 * of a real system-wide profile, for bench/flamegraph-bench.
 *
 * A fixed call graph (a few thousand user functions, C++-style names, some
 * with spaces and templates; a kernel call graph under syscall entries) is
 * walked from a handful of processes; each callee is picked with a skewed
 * (Zipf-like) weight, so hot paths repeat and shared prefixes dominate, as in
 * perf data. Stacks end by chance (mean depth ~18), a third of them continue
 * into the kernel. Counts are mostly small with a long tail. Lines come out in
 * generation order (unsorted), and a stack may appear on several lines, as
 * when folded files from several runs are concatenated.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUSER	 6000
#define NKERN	 1500
#define MAXCALL	 8
#define MAXDEPTH 64

static uint64_t rng = 0x5ca1e7acef1a3e5ULL;

static uint64_t next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static unsigned below(unsigned n)
{
	return (unsigned)(next() % n);
}

struct func {
	char name[96];
	unsigned ncall;
	unsigned call[MAXCALL];
};

static struct func user[NUSER], kern[NKERN];

static const char *const syl[] = { "read",  "write", "parse",  "alloc",	 "free",  "lock",   "hash",
				   "send",  "recv",  "queue",  "flush",	 "map",	  "buffer", "index",
				   "merge", "sort",  "scan",   "io",	 "event", "poll",   "json",
				   "http",  "tls",   "crc",    "inode",	 "page",  "sched",  "timer",
				   "cache", "block", "submit", "commit", "sync",  "resolve" };
#define NSYL (sizeof(syl) / sizeof(syl[0]))

static void user_name(char *out, size_t len, unsigned i)
{
	switch (i % 5) {
	case 0:
		snprintf(out, len, "%s_%s", syl[i % NSYL], syl[(i / 7) % NSYL]);
		break;
	case 1:
		snprintf(out, len, "ns%u::%s%s::%s", i % 13, syl[(i / 3) % NSYL],
			 syl[(i / 11) % NSYL], syl[(i / 5) % NSYL]);
		break;
	case 2:
		snprintf(out, len, "std::vector<%s_t>::%s", syl[(i / 2) % NSYL], syl[i % NSYL]);
		break;
	case 3:
		snprintf(out, len, "%s%u", syl[(i / 9) % NSYL], i);
		break;
	default:
		snprintf(out, len, "%s::operator() (lambda %u)", syl[(i / 4) % NSYL], i % 97);
	}
}

/* Callees are mostly "near" the caller in id space: modules call themselves. */
static void wire(struct func *f, unsigned n, unsigned self, unsigned span)
{
	unsigned k;

	f->ncall = 1 + below(3) + (below(4) == 0 ? below(MAXCALL - 3) : 0);
	for (k = 0; k < f->ncall; k++)
		f->call[k] = (self + 1 + below(span)) % n;
}

static void build(void)
{
	unsigned i;

	for (i = 0; i < NUSER; i++) {
		user_name(user[i].name, sizeof(user[i].name), i);
		wire(&user[i], NUSER, i, 400);
	}
	for (i = 0; i < NKERN; i++) {
		snprintf(kern[i].name, sizeof(kern[i].name), "[k] %s_%s%s", syl[i % NSYL],
			 syl[(i / NSYL) % NSYL], i % 3 ? "" : "_locked");
		wire(&kern[i], NKERN, i, 150);
	}
}

/*
 * Zipf-like pick among n callees, the first being the hot path. Frameworks near
 * the root call the same few paths; leaves vary more: the skew falls with depth.
 */
static unsigned pick(unsigned n, unsigned depth)
{
	unsigned hot = depth < 8 ? 960 : depth < 16 ? 850 : 600, r = below(1000);

	if (n == 1 || r < hot)
		return 0;
	if (n == 2 || r < hot + (1000 - hot) / 2)
		return 1;
	return 2 + below(n - 2);
}

static const char *const procs[] = { "postgres",   "nginx",	"java",	  "kubelet",
				     "containerd", "scale-csi", "iscsid", "kworker/u16:2" };

static void line(FILE *out)
{
	unsigned p = below(1000) < 400 ? 0 : 1 + below(7), f = p * 700 + below(3), d, kd = 0;
	struct func *fr = user;

	fputs(procs[p], out);
	for (d = 0; d < MAXDEPTH; d++) {
		fputc(';', out);
		fputs(fr[f].name, out);
		if (fr == kern && below(100) < 14)
			break; /* kernel tails are short: mean ~7 frames */
		if (fr == user && d > 3 && below(100) < 8) {
			if (below(3))
				break;
			fr = kern; /* a system call */
			f = below(12);
			kd = d;
			continue;
		}
		f = fr[f].call[pick(fr[f].ncall, fr == kern ? d - kd : d)];
	}
	fprintf(out, " %u\n", below(100) < 70 ? 1 + below(5) : 1 + below(2000));
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000, i;
	static char buf[1 << 20];

	if (argc > 2)
		rng ^= strtoull(argv[2], NULL, 10) * 0x9e3779b97f4a7c15ULL;
	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	build();
	for (i = 0; i < n; i++)
		line(stdout);
	return fflush(stdout) ? 1 : 0;
}
