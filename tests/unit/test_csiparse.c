// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "csiparse.h"

#define PARSE(c, ...)                                                           \
	do {                                                                    \
		const char *argv_[] = { __VA_ARGS__ };                          \
		csi_parse((int)(sizeof(argv_) / sizeof(argv_[0])), argv_, (c)); \
	} while (0)

static const char *stg = "/var/lib/kubelet/plugins/kubernetes.io/csi/org.scale.csi.iscsi/"
			 "9f2c1a7b3e4d/globalmount";

static void test_iscsi(void **state)
{
	struct csi_cmd c;
	char v[64];

	(void)state;
	PARSE(&c, "iscsiadm", "-m", "node", "-T", "iqn.2005-10.org.freenas.ctl:vol1", "-p",
	      "10.99.0.2:3260", "-o", "new");
	assert_string_equal(c.phase, "login");
	assert_string_equal(c.proto, "iscsi");
	assert_string_equal(c.iqn, "iqn.2005-10.org.freenas.ctl:vol1");
	assert_string_equal(c.portal, "10.99.0.2:3260");
	csi_volume_name(&c, v, sizeof(v));
	assert_string_equal(v, "vol1");
	PARSE(&c, "/usr/bin/iscsiadm", "-m", "session");
	assert_string_equal(c.phase, "check");
	assert_false(c.names_volume);
	PARSE(&c, "iscsiadm", "-m", "node", "-T", "iqn.x:vol2", "-p", "a:3260", "--logout");
	assert_string_equal(c.phase, "logout");
	assert_int_equal(c.kind, CSI_UNSTAGE);
	PARSE(&c, "iscsiadm", "-m", "discovery", "-t", "st", "-p", "10.99.0.2");
	assert_string_equal(c.phase, "discovery");
}

static void test_wrappers_and_nvme(void **state)
{
	struct csi_cmd c;
	char v[64];

	(void)state;
	PARSE(&c, "nsenter", "--mount=/proc/1/ns/mnt", "--", "nvme", "connect", "-t", "tcp", "-a",
	      "10.99.0.2", "-s", "4420", "-n", "nqn.2011-06.com.truenas:uuid:lab:vol3");
	assert_string_equal(c.tool, "nvme");
	assert_string_equal(c.phase, "connect");
	assert_string_equal(c.proto, "nvme");
	assert_string_equal(c.portal, "10.99.0.2:4420");
	csi_volume_name(&c, v, sizeof(v));
	assert_string_equal(v, "vol3");
	PARSE(&c, "chroot", "/host", "iscsiadm", "-m", "session");
	assert_string_equal(c.tool, "iscsiadm");
	PARSE(&c, "nsenter", "-t", "1", "-m", "blkid", "-p", "/dev/nvme0n1");
	assert_string_equal(c.tool, "blkid");
	assert_string_equal(c.phase, "fsprobe");
	assert_string_equal(c.device, "/dev/nvme0n1");
	PARSE(&c, "/bin/sh", "/opt/bin/iscsiadm", "-m", "node", "-T", "iqn.x:vol5", "--login");
	assert_string_equal(c.tool, "iscsiadm");
	assert_string_equal(c.phase, "login");
	PARSE(&c, "sh", "-c", "iscsiadm -m session");
	assert_string_equal(c.tool, "sh");
	PARSE(&c, "nvme", "disconnect", "-n", "nqn.x:vol3");
	assert_int_equal(c.kind, CSI_UNSTAGE);
}

static void test_mounts(void **state)
{
	struct csi_cmd c;
	char v[64];

	(void)state;
	PARSE(&c, "mount", "-t", "ext4",
	      "/dev/disk/by-path/ip-10.99.0.2:3260-iscsi-"
	      "iqn.2005-10.org.freenas.ctl:vol1-lun-0",
	      stg);
	assert_true(c.stage_mount);
	assert_string_equal(c.iqn, "iqn.2005-10.org.freenas.ctl:vol1");
	assert_string_equal(c.staging, stg);
	PARSE(&c, "mount", "-t", "nfs", "-o", "nfsvers=4.1", "10.99.0.2:/mnt/tank/vol4", stg);
	assert_string_equal(c.proto, "nfs");
	assert_string_equal(c.nfs_export, "/mnt/tank/vol4");
	csi_volume_name(&c, v, sizeof(v));
	assert_string_equal(v, "vol4");
	PARSE(&c, "mount", "--bind", stg, "/var/lib/kubelet/pods/x/volumes/y");
	assert_false(c.stage_mount);
	PARSE(&c, "umount", stg);
	assert_int_equal(c.kind, CSI_UNSTAGE);
	PARSE(&c, "findmnt", "-o", "SOURCE", "--target", stg);
	assert_string_equal(c.phase, "check");
	assert_true(c.names_volume);
	csi_volume_name(&c, v, sizeof(v));
	assert_string_equal(v, "9f2c1a7b3e4d");
	PARSE(&c, "mkfs.ext4", "-F", "/dev/sdb");
	assert_string_equal(c.phase, "mkfs");
	PARSE(&c, "sleep", "1");
	assert_string_equal(c.phase, "sleep");
}

static void test_plugin_names(void **state)
{
	(void)state;
	assert_true(csi_name_matches("scale-csi-node", "csi"));
	assert_true(csi_name_matches("democratic-csi", "csi"));
	assert_true(csi_name_matches("csi-node", "csi"));
	assert_false(csi_name_matches("iscsiadm", "csi"));
	assert_false(csi_name_matches("iscsid", "csi"));
	assert_true(csi_name_matches("iscsi-csi", "csi"));
	assert_false(csi_name_matches("kubelet", "csi"));
}

static void test_split(void **state)
{
	char buf[] = "a\0bb\0ccc";
	const char *argv[8];

	(void)state;
	assert_int_equal(csi_split_args(buf, sizeof(buf), argv, 8), 3);
	assert_string_equal(argv[2], "ccc");
	assert_int_equal(csi_split_args(buf, 4, argv, 8), 2); /* truncated "bb" */
	assert_string_equal(argv[1], "b");
	assert_int_equal(csi_split_args(buf, 0, argv, 8), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iscsi),	     cmocka_unit_test(test_wrappers_and_nvme),
		cmocka_unit_test(test_mounts),	     cmocka_unit_test(test_split),
		cmocka_unit_test(test_plugin_names),
	};

	return cmocka_run_group_tests_name("csiparse", tests, NULL, NULL);
}
