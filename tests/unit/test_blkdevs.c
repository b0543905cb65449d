// SPDX-License-Identifier: GPL-2.0
/*
 * blkdevs on a fake sysfs: NVMe-TCP namespaces with and without native
 * multipath (the path disk nvme0c0n1 is hidden: no dev file, requests carry
 * its own dev_t), iSCSI disks under a session, and the disks around them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "blkdevs.h"
#include "support/faketree.h"

static char *sysfs_tree(void)
{
	char *r = fake_root("blkdevs");

	/* nvme0: TCP, native multipath: the head is under the subsystem */
	write_file(r, "/class/nvme/nvme0/transport", "tcp\n");
	write_file(r, "/class/nvme/nvme0/address", "traddr=10.99.0.2,trsvcid=4420\n");
	mkdirf(r, "/class/nvme/nvme0/nvme0c0n1");
	mkdirf(r, "/class/block/nvme0c0n1");
	write_file(r, "/class/block/nvme0n1/dev", "259:1\n");
	/* nvme1: TCP, no multipath: the namespace itself, with a dev_t */
	write_file(r, "/class/nvme/nvme1/transport", "tcp\n");
	write_file(r, "/class/nvme/nvme1/address", "traddr=10.99.0.3,trsvcid=4420\n");
	mkdirf(r, "/class/nvme/nvme1/nvme1n1");
	write_file(r, "/class/block/nvme1n1/dev", "259:2\n");
	/* nvme2: local PCIe: not a network disk */
	write_file(r, "/class/nvme/nvme2/transport", "pcie\n");
	mkdirf(r, "/class/nvme/nvme2/nvme2n1");
	write_file(r, "/class/block/nvme2n1/dev", "259:3\n");
	/* sdb under an iSCSI session, sda local */
	write_file(r, "/devices/platform/host2/session1/target2:0:0/2:0:0:0/block/sdb/dev",
		   "8:16\n");
	symlinkf(r, "/class/block/sdb",
		 "../../devices/platform/host2/session1/target2:0:0/2:0:0:0/block/sdb");
	write_file(r, "/devices/pci0000:00/ata1/host0/block/sda/dev", "8:0\n");
	symlinkf(r, "/class/block/sda", "../../devices/pci0000:00/ata1/host0/block/sda");
	return r;
}

static const struct blkdev *find(const struct blkdev *d, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(d[i].name, name))
			return &d[i];
	return NULL;
}

static void test_scan(void **state)
{
	struct blkdev d[BLKDEVS_MAX];
	const struct blkdev *x;
	char *r = sysfs_tree();
	int n = blkdevs_scan(r, d, BLKDEVS_MAX);

	(void)state;
	assert_int_equal(n, 3);
	/* the hidden path: named, no dev_t (BPF learns it from the name) */
	x = find(d, n, "nvme0c0n1");
	assert_non_null(x);
	assert_int_equal(x->hidden, 1);
	assert_int_equal(x->dev, 0);
	assert_int_equal(x->proto, BLKDEV_NVME_TCP);
	assert_string_equal(x->target, "traddr=10.99.0.2,trsvcid=4420");
	x = find(d, n, "nvme1n1");
	assert_non_null(x);
	assert_int_equal(x->hidden, 0);
	assert_int_equal(x->dev, 259u << 20 | 2);
	x = find(d, n, "sdb");
	assert_non_null(x);
	assert_int_equal(x->dev, 8u << 20 | 16);
	assert_int_equal(x->proto, BLKDEV_ISCSI);
	assert_null(find(d, n, "nvme2n1"));
	assert_null(find(d, n, "sda"));
	/* a full table takes what fits */
	assert_int_equal(blkdevs_scan(r, d, 1), 1);
	remove_tree(r);
}

static void test_paths(void **state)
{
	struct blkdev d[8];
	char *r = sysfs_tree();

	(void)state;
	assert_int_equal(blkdev_paths(r, "nvme0n1", d, 8), 1);
	assert_string_equal(d[0].name, "nvme0c0n1");
	assert_int_equal(d[0].hidden, 1);
	assert_int_equal(blkdev_paths(r, "/dev/nvme0n1", d, 8), 1);
	assert_int_equal(blkdev_paths(r, "nvme1n1", d, 8), 0);
	assert_int_equal(blkdev_paths(r, "sdb", d, 8), 0);
	assert_int_equal(blkdev_paths(r, "nvme0n1/../x", d, 8), 0);
	remove_tree(r);
}

static void test_names(void **state)
{
	char buf[32] = "nvme0c0n1";
	uint32_t dev;
	char *r = sysfs_tree();

	(void)state;
	blkdev_head_name(buf);
	assert_string_equal(buf, "nvme0n1");
	snprintf(buf, sizeof(buf), "nvme12c3n45");
	blkdev_head_name(buf);
	assert_string_equal(buf, "nvme12n45");
	snprintf(buf, sizeof(buf), "sdc");
	blkdev_head_name(buf);
	assert_string_equal(buf, "sdc");
	assert_int_equal(blkdev_lookup(r, "/dev/nvme0n1", &dev), 0);
	assert_int_equal(dev, 259u << 20 | 1);
	assert_int_equal(blkdev_lookup(r, "8:16", &dev), 0);
	assert_int_equal(dev, 8u << 20 | 16);
	assert_int_equal(blkdev_lookup(r, "nvme0c0n1", &dev), -2);
	assert_int_equal(blkdev_lookup(r, "8:x", &dev), -2);
	remove_tree(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
