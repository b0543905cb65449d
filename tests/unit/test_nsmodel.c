// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "nsmodel.h"

#define MS	   1000000ULL
#define ARRAY_N(a) (sizeof(a) / sizeof((a)[0]))

static struct nsm_op done_ops[4];
static struct nsm_phase done_phases[4][32];
static int ndone;
static uint64_t folded_us;

static void on_done(void *ctx, const struct nsm_op *op)
{
	(void)ctx;
	if (ndone >= 4)
		return;
	done_ops[ndone] = *op;
	memcpy(done_phases[ndone], op->phases, sizeof(op->phases[0]) * (size_t)op->nphases);
	ndone++;
}

static void on_fold(void *ctx, const struct nsm_op *op, const char *const *fr, int n, uint64_t us)
{
	(void)ctx;
	(void)op;
	assert_string_equal(fr[0], "nodestage");
	assert_true(fr[n - 1][0] == '[');
	folded_us += us;
}

static const char *stg = "/var/lib/kubelet/plugins/kubernetes.io/csi/org.scale.csi.iscsi/abc/"
			 "globalmount";

static void exec_cmd(struct nsm *m, uint64_t t, pid_t pid, pid_t root, int argc,
		     const char *const *argv)
{
	struct csi_cmd c;
	const char *slash = strrchr(argv[0], '/');

	csi_parse(argc, argv, &c);
	nsm__fork(m, t, pid, pid, root, root);
	nsm__exec(m, t, pid, root, root, slash ? slash + 1 : argv[0], &c);
}

#define EXEC(m, t, pid, root, ...)                                                        \
	do {                                                                              \
		const char *a_[] = { __VA_ARGS__ };                                       \
		exec_cmd((m), (t), (pid), (root), (int)(sizeof(a_) / sizeof(a_[0])), a_); \
	} while (0)

static const struct nsm_phase *phase(int op, const char *name)
{
	int i;

	for (i = 0; i < done_ops[op].nphases; i++)
		if (!strcmp(done_phases[op][i].name, name))
			return &done_phases[op][i];
	return NULL;
}

static uint64_t sum(const uint64_t *c)
{
	uint64_t s = 0;
	int i;

	for (i = 0; i < NSM_CAT_NR; i++)
		s += c[i];
	return s;
}

/* One iSCSI staging with a 1 s device wait, a target-heavy mkfs, the staging mount. */
static void stage_iscsi(struct nsm *m, pid_t root, uint64_t t0, const char *iqn, const char *vol)
{
	char dev[128];

	snprintf(dev, sizeof(dev), "/dev/disk/by-path/ip-10.99.0.2:3260-iscsi-%s-lun-0", iqn);
	EXEC(m, t0 + 10 * MS, root + 1, root, "findmnt", "--target", stg);
	nsm__exit(m, t0 + 15 * MS, root + 1, root + 1, true, 0, 0, 0);
	EXEC(m, t0 + 20 * MS, root + 2, root, "iscsiadm", "-m", "node", "-T", iqn, "-o", "new");
	nsm__exit(m, t0 + 30 * MS, root + 2, root + 2, true, 0, 0, 0);
	EXEC(m, t0 + 32 * MS, root + 3, root, "iscsiadm", "-m", "node", "-T", iqn, "--login");
	nsm__off(m, root + 3, root + 3, root, t0 + 35 * MS, t0 + 1495 * MS, 0, 0, 0);
	nsm__wire(m, NULL, "iscsi", t0 + 40 * MS, t0 + 1440 * MS, 1000 * MS, 3, 0, true);
	nsm__exit(m, t0 + 1500 * MS, root + 3, root + 3, true, 0, 0, 0);
	nsm__off(m, root, root, root, t0 + 1500 * MS, t0 + 2499 * MS, NSM_OFF_TIMER, 0, 0);
	EXEC(m, t0 + 2500 * MS, root + 4, root, "blkid", "-p", dev);
	nsm__exit(m, t0 + 2510 * MS, root + 4, root + 4, true, 2 << 8, 0, 0);
	EXEC(m, t0 + 2520 * MS, root + 5, root, "mkfs.ext4", "-F", dev);
	nsm__off(m, root + 5, root + 5, root, t0 + 2600 * MS, t0 + 3500 * MS, 0, 0, 0);
	nsm__wire(m, vol, "iscsi", t0 + 2600 * MS, t0 + 3500 * MS, 100 * MS, 1, 1 << 20, false);
	nsm__exit(m, t0 + 3520 * MS, root + 5, root + 5, true, 0, 0, 0);
	EXEC(m, t0 + 3530 * MS, root + 6, root, "mount", "-t", "ext4", dev, stg);
	nsm__exit(m, t0 + 3600 * MS, root + 6, root + 6, true, 0, 0, 0);
}

static struct nsm *model(bool fold)
{
	struct nsm_opts o = { .done = on_done,
			      .fold = fold ? on_fold : NULL,
			      .idle_ns = 2000 * MS };
	struct nsm *m = nsm__new(&o);
	struct csi_cmd c;
	const char *argv[] = { "scale-csi-node" };

	ndone = 0;
	folded_us = 0;
	csi_parse(1, argv, &c);
	nsm__exec(m, 0, 100, 1, 100, "scale-csi-node", &c);
	nsm__exec(m, 0, 200, 1, 200, "scale-csi-node", &c);
	return m;
}

static void test_phases_and_split(void **state)
{
	struct nsm *m = model(true);
	const struct nsm_phase *p;
	int i;

	(void)state;
	stage_iscsi(m, 100, 0, "iqn.2005-10.org.freenas.ctl:vol1", "vol1");
	nsm__tick(m, 3700 * MS);
	assert_int_equal(ndone, 0); /* still within the grace period */
	nsm__tick(m, 4000 * MS);
	assert_int_equal(ndone, 1);
	assert_string_equal(done_ops[0].volume, "vol1");
	assert_true(done_ops[0].complete);
	assert_int_equal(done_ops[0].start, 10 * MS);
	assert_int_equal(done_ops[0].end, 3600 * MS);
	/* order */
	assert_string_equal(done_phases[0][0].name, "check");
	for (i = 1; i < done_ops[0].nphases; i++)
		assert_true(done_phases[0][i].start >= done_phases[0][i - 1].end);
	/* each phase's categories sum to its wall time; the op to its wall time */
	for (i = 0; i < done_ops[0].nphases; i++)
		assert_int_equal(sum(done_phases[0][i].cat),
				 done_phases[0][i].end - done_phases[0][i].start);
	assert_int_equal(sum(done_ops[0].cat), 3590 * MS);
	assert_true(folded_us > 3580000 && folded_us <= 3590000);
	p = phase(0, "login");
	assert_non_null(p);
	assert_int_equal(p->start, 15 * MS); /* the gap before a step is its preparation */
	assert_int_equal(p->end, 1500 * MS);
	assert_int_equal(p->cat[NSM_NETWORK], 1000 * MS);
	assert_int_equal(p->cat[NSM_TARGET], 400 * MS);
	p = phase(0, "device-wait");
	assert_non_null(p);
	assert_int_equal(p->cat[NSM_WAIT], 999 * MS);
	p = phase(0, "mkfs");
	assert_non_null(p);
	assert_int_equal(p->cat[NSM_TARGET], 800 * MS);
	assert_int_equal(p->cat[NSM_NETWORK], 100 * MS);
	assert_int_equal(p->io_bytes[1], 1 << 20);
	assert_non_null(phase(0, "fsprobe"));
	assert_non_null(phase(0, "mount"));
	nsm__free(m);
}

static void test_concurrent_volumes(void **state)
{
	struct nsm *m = model(false);

	(void)state;
	stage_iscsi(m, 100, 0, "iqn.2005-10.org.freenas.ctl:vol1", "vol1");
	stage_iscsi(m, 200, 200 * MS, "iqn.2005-10.org.freenas.ctl:vol2", "vol2");
	nsm__tick(m, 10000 * MS);
	assert_int_equal(ndone, 2);
	assert_string_equal(done_ops[0].volume, "vol1");
	assert_string_equal(done_ops[1].volume, "vol2");
	assert_int_equal(done_ops[1].start, 210 * MS);
	/* vol1's mkfs I/O does not land in vol2's mkfs (they overlap in time) */
	assert_int_equal(phase(1, "mkfs")->cat[NSM_TARGET], 800 * MS);
	assert_int_equal(phase(0, "mkfs")->io_bytes[1], 1 << 20);
	nsm__free(m);
}

static void test_idle_end_and_flush(void **state)
{
	struct nsm *m = model(false);

	(void)state;
	EXEC(m, 10 * MS, 101, 100, "iscsiadm", "-m", "node", "-T", "iqn.x:vol9", "--login");
	nsm__exit(m, 20 * MS, 101, 101, true, 0, 0, 0);
	nsm__tick(m, 1000 * MS);
	assert_int_equal(ndone, 0);
	assert_int_equal(nsm__open_ops(m), 1);
	nsm__tick(m, 2400 * MS); /* idle 2 s after the last tool, plus grace */
	assert_int_equal(ndone, 1);
	assert_false(done_ops[0].complete);
	assert_int_equal(done_ops[0].end, 20 * MS);
	EXEC(m, 3000 * MS, 102, 100, "nvme", "connect", "-n", "nqn.y:vol8");
	nsm__flush(m, 3500 * MS);
	assert_int_equal(ndone, 2);
	assert_string_equal(done_ops[1].volume, "vol8");
	assert_int_equal(nsm__open_ops(m), 0);
	nsm__free(m);
}

/* ---- the partition invariant under random event streams ------------------------------ */

static uint64_t rnd_state;
static uint64_t rnd(uint64_t n)
{
	rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return n ? (rnd_state >> 33) % n : 0;
}

static int sums_checked, sums_bad;
static void on_done_sums(void *ctx, const struct nsm_op *op)
{
	uint64_t all = 0;
	int i;

	(void)ctx;
	for (i = 0; i < op->nphases; i++) {
		const struct nsm_phase *p = &op->phases[i];

		if (sum(p->cat) != p->end - p->start) {
			fprintf(stderr, "op %d phase %d %s: categories %llu, wall %llu\n", op->id,
				i, p->name, (unsigned long long)sum(p->cat),
				(unsigned long long)(p->end - p->start));
			sums_bad++;
		}
		if (i && p->start != op->phases[i - 1].end)
			sums_bad++;
		all += p->end - p->start;
	}
	if (op->nphases && (all != op->end - op->start || sum(op->cat) != all))
		sums_bad++;
	sums_checked++;
}

/* Random off-CPU intervals, samples and wire time for @pid in [a, b). */
static void noise(struct nsm *m, pid_t pid, pid_t root, uint64_t a, uint64_t b)
{
	uint64_t t = a;

	while (b > a + 2 * MS && t < b) {
		uint64_t off = t + rnd(20) * MS, on = off + 1 + rnd(200) * MS;
		unsigned fl = rnd(3) == 0 ? NSM_OFF_TIMER : rnd(4) == 0 ? NSM_OFF_PREEMPT : 0;

		if (on > b)
			on = b;
		if (off >= on)
			break;
		nsm__off(m, pid, pid, root, off, on, fl, 0, 0);
		if (rnd(3) == 0)
			nsm__wire(m, rnd(2) ? "vol1" : NULL, "iscsi", off, on, (on - off) / 3, 0,
				  4096, rnd(5) == 0);
		if (rnd(2))
			nsm__sample(m, pid, pid, on + rnd(3) * MS, rnd(2), 0, -1);
		t = on + rnd(10) * MS;
	}
}

static void random_staging(struct nsm *m, pid_t root, uint64_t *t)
{
	static const char *const tools[][4] = {
		{ "findmnt", "--target", NULL }, { "iscsiadm", "-m", "session" },
		{ "iscsiadm", "-m", "node" },	 { "readlink", "-f", "/dev/sda" },
		{ "blkid", "-p", "/dev/sda" },	 { "mkfs.ext4", "-F", "/dev/sda" },
		{ "grep", "-q", "x" },		 { "udevadm", "settle" },
	};
	pid_t pid = root + 1;
	int k, n = 3 + (int)rnd(8);

	for (k = 0; k < n; k++, pid++) {
		const char *const *tl = tools[rnd(ARRAY_N(tools))];
		const char *argv[4] = { tl[0], tl[1], tl[2] ? tl[2] : stg, NULL };
		uint64_t a = *t + rnd(50) * MS, b = a + 1 + rnd(800) * MS;
		struct csi_cmd c;

		csi_parse(3, argv, &c);
		if (rnd(3) == 0) /* the plugin polls between tools */
			noise(m, root, root, *t, a);
		nsm__fork(m, a, pid, pid, root, root);
		nsm__exec(m, a, pid, root, root, tl[0], &c);
		noise(m, pid, root, a, b);
		if (rnd(4) == 0) /* a helper (udev) busy meanwhile */
			noise(m, 900, 0, a, b);
		nsm__exit(m, b, pid, pid, true, rnd(4) == 0 ? 1 << 8 : 0, rnd(100), rnd(100));
		*t = b;
		if (rnd(3) == 0)
			nsm__tick(m, *t);
	}
	{
		const char *argv[] = { "mount", "-t", "ext4", "/dev/sda", stg };
		struct csi_cmd c;

		csi_parse(5, argv, &c);
		nsm__fork(m, *t + MS, pid, pid, root, root);
		nsm__exec(m, *t + MS, pid, root, root, "mount", &c);
		noise(m, pid, root, *t + MS, *t + 300 * MS);
		nsm__exit(m, *t + 300 * MS, pid, pid, true, 0, 1, 1);
		*t += 300 * MS;
	}
}

static void test_random_streams_partition(void **state)
{
	int trial;

	(void)state;
	sums_checked = sums_bad = 0;
	for (trial = 0; trial < 300; trial++) {
		struct nsm_opts o = { .done = on_done_sums, .idle_ns = 2000 * MS };
		struct nsm *m = nsm__new(&o);
		const char *argv[] = { "scale-csi-node" };
		struct csi_cmd c;
		uint64_t t = 10 * MS;
		int ops;

		rnd_state = (uint64_t)trial + 1;
		csi_parse(1, argv, &c);
		nsm__exec(m, 0, 100, 1, 100, "scale-csi-node", &c);
		for (ops = 0; ops < 3; ops++) {
			random_staging(m, 100, &t);
			t += rnd(3000) * MS;
			nsm__tick(m, t);
		}
		nsm__flush(m, t + 5000 * MS);
		nsm__free(m);
	}
	assert_true(sums_checked >= 300);
	assert_int_equal(sums_bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phases_and_split),
		cmocka_unit_test(test_concurrent_volumes),
		cmocka_unit_test(test_idle_end_and_flush),
		cmocka_unit_test(test_random_streams_partition),
	};

	return cmocka_run_group_tests_name("nsmodel", tests, NULL, NULL);
}
