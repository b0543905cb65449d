// SPDX-License-Identifier: GPL-2.0
/*
 * podsum: totals by cgroup id, printed by pod and container on a fake cgroup
 * tree laid out as kubelet's systemd driver makes it. Two containers of one
 * pod, the pod's own cgroup and a cgroup outside any pod.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "k8s.h"
#include "podsum.h"
#include "support/faketree.h"

#define UID  "0b1c5a3e-7f2d-4c6b-9a8e-1d2f3a4b5c6d"
#define UIDU "0b1c5a3e_7f2d_4c6b_9a8e_1d2f3a4b5c6d"
#define CID1 "4f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
#define CID2 "aaaa2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
#define POD  "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UIDU ".slice"

/* What podsum__print writes, into @buf. */
static void print_to(const struct podsum *p, struct k8s_cgmap *cg, bool ns, size_t top, char *buf,
		     size_t len)
{
	FILE *f = fmemopen(buf, len, "w");

	assert_non_null(f);
	podsum__print(p, cg, f, "off-CPU time", ns, top);
	fclose(f);
}

static void test_by_pod(void **state)
{
	char *root = fake_root("podsum");
	struct podsum *p = podsum__new();
	struct k8s_cgmap *cg;
	uint64_t c1, c2, outside;
	char buf[1024] = "";

	(void)state;
	mkdirf(root, POD "/cri-containerd-" CID1 ".scope");
	mkdirf(root, POD "/cri-containerd-" CID2 ".scope");
	mkdirf(root, "/system.slice/cron.service");
	c1 = fake_ino(root, POD "/cri-containerd-" CID1 ".scope");
	c2 = fake_ino(root, POD "/cri-containerd-" CID2 ".scope");
	outside = fake_ino(root, "/system.slice/cron.service");
	cg = k8s_cgmap__new(root);
	assert_non_null(cg);
	/* 1.5 s and 0.3 s in two containers, 0.2 s outside, 1 s of an unknown cgroup */
	assert_int_equal(podsum__add(p, c1, 1000000000ULL), 0);
	assert_int_equal(podsum__add(p, c2, 300000000ULL), 0);
	assert_int_equal(podsum__add(p, outside, 200000000ULL), 0);
	assert_int_equal(podsum__add(p, c1, 500000000ULL), 0);
	assert_int_equal(podsum__add(p, 0, 1000000000ULL), 0);
	print_to(p, cg, true, 10, buf, sizeof(buf));
	assert_string_equal(buf, "by pod (off-CPU time):\n"
				 "       1.50s  50.0%  pod " UID " container 4f1e2d3c4b5a\n"
				 "       300ms  10.0%  pod " UID " container aaaa2d3c4b5a\n");
	/* at most @top rows, and how many more */
	print_to(p, cg, false, 1, buf, sizeof(buf));
	assert_string_equal(buf, "by pod (off-CPU time):\n"
				 "  1500000000  50.0%  pod " UID " container 4f1e2d3c4b5a\n"
				 "  ... 1 more\n");
	k8s_cgmap__free(cg);
	podsum__free(p);
	remove_tree(root);
}

static void test_nothing_in_pods(void **state)
{
	struct podsum *p = podsum__new();
	char buf[256] = "";

	(void)state;
	print_to(p, NULL, true, 10, buf, sizeof(buf));
	assert_string_equal(buf, "");
	assert_int_equal(podsum__add(p, 12345, 7), 0);
	print_to(p, NULL, true, 10, buf, sizeof(buf));
	assert_string_equal(buf, "");
	podsum__free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_pod),
		cmocka_unit_test(test_nothing_in_pods),
	};

	return cmocka_run_group_tests_name("podsum", tests, NULL, NULL);
}
