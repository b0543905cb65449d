// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "k8s.h"
#include "support/faketree.h"

#define UID  "0b1c5a3e-7f2d-4c6b-9a8e-1d2f3a4b5c6d"
#define UIDU "0b1c5a3e_7f2d_4c6b_9a8e_1d2f3a4b5c6d"
#define CID  "4f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
#define HASH "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

/* ---- pod UIDs and cgroup paths ------------------------------------------- */

static void test_uids(void **state)
{
	char out[K8S_UID_LEN];

	(void)state;
	assert_true(k8s_is_pod_uid(UID));
	assert_true(k8s_is_pod_uid(UIDU));
	assert_true(k8s_is_pod_uid("0B1C5A3E-7F2D-4C6B-9A8E-1D2F3A4B5C6D"));
	assert_false(k8s_is_pod_uid("0b1c5a3e-7f2d_4c6b-9a8e-1d2f3a4b5c6d")); /* mixed */
	assert_false(k8s_is_pod_uid("0b1c5a3e-7f2d-4c6b-9a8e-1d2f3a4b5c6"));
	assert_false(k8s_is_pod_uid("0b1c5a3e-7f2d-4c6b-9a8e-1d2f3a4b5c6dd"));
	assert_false(k8s_is_pod_uid("0b1c5a3e-7f2d-4c6b-9a8e-1d2f3a4b5c6g"));
	assert_false(k8s_is_pod_uid("kubepods.slice"));
	assert_false(k8s_is_pod_uid(""));
	assert_int_equal(k8s_normalize_uid(UIDU, out, sizeof(out)), 0);
	assert_string_equal(out, UID);
	assert_int_equal(
	    k8s_normalize_uid("0B1C5A3E_7F2D_4C6B_9A8E_1D2F3A4B5C6D", out, sizeof(out)), 0);
	assert_string_equal(out, UID);
	assert_int_equal(k8s_normalize_uid("nope", out, sizeof(out)), -EINVAL);
	assert_int_equal(k8s_normalize_uid(UID, out, 10), -ENAMETOOLONG);
}

static void expect_pod(const char *path, const char *cid, const char *runtime, enum k8s_qos qos)
{
	struct k8s_pod p;

	if (!k8s_parse_cgroup(path, &p))
		fail_msg("not a pod: %s", path);
	assert_string_equal(p.pod_uid, UID);
	assert_string_equal(p.container_id, cid);
	assert_string_equal(p.runtime, runtime);
	assert_int_equal(p.qos, qos);
}

static void test_cgroup_systemd(void **state)
{
	(void)state;
	expect_pod("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UIDU
		   ".slice/cri-containerd-" CID ".scope",
		   CID, "containerd", K8S_QOS_BURSTABLE);
	expect_pod("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UIDU
		   ".slice/docker-" CID ".scope",
		   CID, "docker", K8S_QOS_BESTEFFORT);
	expect_pod("/kubepods.slice/kubepods-pod" UIDU ".slice/crio-" CID ".scope", CID, "crio",
		   K8S_QOS_GUARANTEED);
	/* CRI-O nests the workload one level below its scope; conmon has its own scope */
	expect_pod("/kubepods.slice/kubepods-pod" UIDU ".slice/crio-" CID ".scope/container", CID,
		   "crio", K8S_QOS_GUARANTEED);
	expect_pod("/kubepods.slice/kubepods-pod" UIDU ".slice/crio-conmon-" CID ".scope", CID,
		   "crio", K8S_QOS_GUARANTEED);
	/* the pod's own cgroup: no container */
	expect_pod("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UIDU ".slice",
		   "", "", K8S_QOS_BURSTABLE);
	/* kind / nested kubelet: kubepods under another slice */
	expect_pod("/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
		   "kubelet-kubepods-besteffort-pod" UIDU ".slice/cri-containerd-" CID ".scope",
		   CID, "containerd", K8S_QOS_BESTEFFORT);
	/* read from inside a cgroup namespace */
	expect_pod("/../../kubepods-besteffort-pod" UIDU ".slice/cri-containerd-" CID ".scope", CID,
		   "containerd", K8S_QOS_BESTEFFORT);
}

static void test_cgroup_cgroupfs(void **state)
{
	(void)state;
	expect_pod("/kubepods/burstable/pod" UID "/" CID, CID, "", K8S_QOS_BURSTABLE);
	expect_pod("/kubepods/besteffort/pod" UID "/" CID, CID, "", K8S_QOS_BESTEFFORT);
	expect_pod("/kubepods/pod" UID "/" CID, CID, "", K8S_QOS_GUARANTEED);
	expect_pod("/kubepods/pod" UID "/crio-" CID, CID, "crio", K8S_QOS_GUARANTEED);
	expect_pod("/kubepods/burstable/pod" UID, "", "", K8S_QOS_BURSTABLE);
}

static void test_cgroup_not_pods(void **state)
{
	static const char *const paths[] = {
		"/",
		"",
		"/system.slice/containerd.service",
		"/user.slice/user-1000.slice/session-3.scope",
		"/kubepods.slice",
		"/kubepods.slice/kubepods-burstable.slice",
		"/system.slice/pod" UID ".slice", /* no kubepods ancestor */
		"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UIDU "x.slice",
		"/kubepods/burstable/xpod" UID,
		"/kubepods/burstable/pod0b1c5a3e-7f2d-4c6b-9a8e",
	};
	struct k8s_pod p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (k8s_parse_cgroup(paths[i], &p))
			fail_msg("taken for a pod: %s", paths[i]);
		assert_string_equal(p.pod_uid, "");
		assert_string_equal(p.container_id, "");
		assert_int_equal(p.qos, K8S_QOS_NONE);
	}
	/* a container component that is not one: pod found, no container */
	expect_pod("/kubepods/burstable/pod" UID "/not-a-container", "", "", K8S_QOS_BURSTABLE);
	assert_string_equal(k8s_qos_name(K8S_QOS_BESTEFFORT), "besteffort");
	assert_string_equal(k8s_qos_name(K8S_QOS_NONE), "");
}

/* ---- procfs, mountinfo ---------------------------------------------------- */

static void test_proc_cgroup(void **state)
{
	static const char *v1 = "12:memory:/kubepods/x\n11:pids:/\n0::/kubepods.slice/"
				"kubepods-pod" UIDU ".slice/cri-containerd-" CID ".scope\n";
	char *root = fake_root("k8s");
	char path[PATH_MAX];
	struct k8s_pod p;

	(void)state;
	assert_int_equal(k8s_parse_proc_cgroup(v1, path, sizeof(path)), 0);
	assert_string_equal(path, "/kubepods.slice/kubepods-pod" UIDU ".slice/cri-containerd-" CID
				  ".scope");
	assert_int_equal(k8s_parse_proc_cgroup("0::/\n", path, sizeof(path)), 0);
	assert_string_equal(path, "/");
	assert_int_equal(k8s_parse_proc_cgroup("4:memory:/a\n", path, sizeof(path)), -ENOENT);
	assert_int_equal(k8s_parse_proc_cgroup("", path, sizeof(path)), -ENOENT);
	assert_int_equal(k8s_parse_proc_cgroup(v1, path, 8), -ENAMETOOLONG);

	write_file(root, "/4242/cgroup", v1);
	write_file(root, "/4243/cgroup", "0::/system.slice/sshd.service\n");
	assert_int_equal(k8s_pid_pod(root, 4242, &p), 0);
	assert_string_equal(p.pod_uid, UID);
	assert_string_equal(p.container_id, CID);
	assert_int_equal(k8s_pid_pod(root, 4243, &p), 0);
	assert_string_equal(p.pod_uid, "");
	assert_int_equal(k8s_pid_pod(root, 4244, &p), -ENOENT);
	/* this process: /proc/PID/cgroup has a 0:: line on any host with cgroup2 */
	if (!k8s_cgroup2_root(path, sizeof(path)))
		assert_int_equal(k8s_pid_cgroup("/proc", getpid(), path, sizeof(path)), 0);
	remove_tree(root);
}

static void test_mountinfo(void **state)
{
	static const char *hybrid =
	    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
	static const char *unified =
	    "40 31 0:38 / /run/my\\040cg rw shared:1 - cgroup2 cgroup2 rw\n"
	    "41 23 0:39 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate\n";
	char root[PATH_MAX];

	(void)state;
	assert_int_equal(k8s_parse_mountinfo_cgroup2(hybrid, root, sizeof(root)), 0);
	assert_string_equal(root, "/sys/fs/cgroup/unified");
	assert_int_equal(k8s_parse_mountinfo_cgroup2(unified, root, sizeof(root)), 0);
	assert_string_equal(root, "/sys/fs/cgroup");
	assert_int_equal(k8s_parse_mountinfo_cgroup2(unified, root, 15), 0);
	assert_string_equal(root, "/sys/fs/cgroup"); /* exactly fits */
	/* only the escaped one */
	assert_int_equal(
	    k8s_parse_mountinfo_cgroup2("40 31 0:38 / /run/my\\040cg rw - cgroup2 cgroup2 rw\n",
					root, sizeof(root)),
	    0);
	assert_string_equal(root, "/run/my cg");
	assert_int_equal(
	    k8s_parse_mountinfo_cgroup2(
		"32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n", root, sizeof(root)),
	    -ENOENT);
	assert_int_equal(k8s_parse_mountinfo_cgroup2("", root, sizeof(root)), -ENOENT);
}

/* ---- pod UID -> cgroup directory, -c ------------------------------------------ */

#define SD_POD "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UIDU ".slice"

static void test_pod_cgroup_systemd(void **state)
{
	char *root = fake_root("k8s");
	char path[PATH_MAX], want[PATH_MAX];

	(void)state;
	mkdirf(root, SD_POD "/cri-containerd-" CID ".scope");
	snprintf(want, sizeof(want), "%s" SD_POD, root);
	assert_int_equal(k8s_pod_cgroup(root, UID, path, sizeof(path)), 0);
	assert_string_equal(path, want);
	assert_int_equal(k8s_pod_cgroup(root, UIDU, path, sizeof(path)), 0);
	assert_string_equal(path, want);
	assert_int_equal(k8s_resolve_cgroup_in(root, UID, path, sizeof(path)), 0);
	assert_string_equal(path, want);
	assert_int_equal(
	    k8s_pod_cgroup(root, "11111111-2222-3333-4444-555555555555", path, sizeof(path)),
	    -ENOENT);
	assert_int_equal(k8s_pod_cgroup(root, "not-a-uid", path, sizeof(path)), -EINVAL);
	assert_int_equal(k8s_pod_cgroup(root, UID, path, 20), -ENAMETOOLONG);
	remove_tree(root);
}

static void test_pod_cgroup_cgroupfs_and_walk(void **state)
{
	char *root = fake_root("k8s");
	char path[PATH_MAX], want[PATH_MAX];

	(void)state;
	/* cgroupfs driver, Guaranteed */
	mkdirf(root, "/kubepods/pod" UID "/" CID);
	snprintf(want, sizeof(want), "%s/kubepods/pod" UID, root);
	assert_int_equal(k8s_pod_cgroup(root, UID, path, sizeof(path)), 0);
	assert_string_equal(path, want);
	remove_tree(root);

	/* kind: only the walk finds it, and it stops at the pod, not a child */
	root = fake_root("k8s");
	mkdirf(root, "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
		     "kubelet-kubepods-besteffort-pod" UIDU ".slice/cri-containerd-" CID ".scope");
	snprintf(want, sizeof(want),
		 "%s/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
		 "kubelet-kubepods-besteffort-pod" UIDU ".slice",
		 root);
	assert_int_equal(k8s_pod_cgroup(root, UID, path, sizeof(path)), 0);
	assert_string_equal(path, want);
	remove_tree(root);
}

static void test_resolve_paths(void **state)
{
	char path[PATH_MAX];

	(void)state;
	/* paths come back unchanged, relative or absolute; the root is not even read */
	assert_int_equal(k8s_resolve_cgroup_in("/nonexistent", "system.slice", path, sizeof(path)),
			 0);
	assert_string_equal(path, "system.slice");
	assert_int_equal(
	    k8s_resolve_cgroup_in("/nonexistent", "/sys/fs/cgroup/a", path, sizeof(path)), 0);
	assert_string_equal(path, "/sys/fs/cgroup/a");
	assert_int_equal(k8s_resolve_cgroup("kubepods.slice/x", path, sizeof(path)), 0);
	assert_string_equal(path, "kubepods.slice/x");
	/* a UID-shaped path component is still a path */
	assert_int_equal(
	    k8s_resolve_cgroup_in("/nonexistent", "kubepods/pod" UID, path, sizeof(path)), 0);
	assert_string_equal(path, "kubepods/pod" UID);
	assert_int_equal(k8s_resolve_cgroup_in("/nonexistent", UID, path, sizeof(path)), -ENOENT);
	assert_int_equal(k8s_resolve_cgroup_in(NULL, "abc", path, 2), -ENAMETOOLONG);
}

/* ---- cgroup id -> path ------------------------------------------------------------ */

static void test_cgmap(void **state)
{
	static const char *ctr = SD_POD "/cri-containerd-" CID ".scope";
	char *root = fake_root("k8s");
	char path[PATH_MAX];
	struct k8s_cgmap *m;
	struct k8s_pod p;
	uint64_t id, late;

	(void)state;
	mkdirf(root, ctr);
	mkdirf(root, "/system.slice/sshd.service");
	m = k8s_cgmap__new(root);
	assert_non_null(m);
	id = fake_ino(root, ctr);
	assert_int_equal(k8s_cgmap__path(m, id, path, sizeof(path)), 0);
	assert_string_equal(path, ctr);
	assert_int_equal(k8s_cgmap__pod(m, id, &p), 0);
	assert_string_equal(p.pod_uid, UID);
	assert_string_equal(p.container_id, CID);
	assert_int_equal(k8s_cgmap__pod(m, fake_ino(root, "/system.slice/sshd.service"), &p), 0);
	assert_string_equal(p.pod_uid, "");
	assert_int_equal(k8s_cgmap__path(m, fake_ino(root, ""), path, sizeof(path)), 0);
	assert_string_equal(path, "/");
	/* a cgroup made after the scan: a miss within a second does not rescan ... */
	mkdirf(root, "/kubepods.slice/late");
	late = fake_ino(root, "/kubepods.slice/late");
	assert_int_equal(k8s_cgmap__path(m, late, path, sizeof(path)), -ENOENT);
	/* ... an explicit rescan finds it */
	assert_int_equal(k8s_cgmap__rescan(m), 8); /* root + 7 directories */
	assert_int_equal(k8s_cgmap__path(m, late, path, sizeof(path)), 0);
	assert_string_equal(path, "/kubepods.slice/late");
	assert_int_equal(k8s_cgmap__path(m, id, path, 10), -ENAMETOOLONG);
	assert_int_equal(k8s_cgmap__pod(m, 0xdeadbeefcafeULL, &p), -ENOENT);
	k8s_cgmap__free(m);
	k8s_cgmap__free(NULL);

	m = k8s_cgmap__new("/nonexistent/cgroup");
	assert_non_null(m);
	assert_int_equal(k8s_cgmap__rescan(m), -ENOENT);
	assert_int_equal(k8s_cgmap__path(m, 1, path, sizeof(path)), -ENOENT);
	k8s_cgmap__free(m);
	remove_tree(root);
}

/* ---- kubelet paths -------------------------------------------------------------- */

#define KL  "/var/lib/kubelet"
#define CSI KL "/plugins/kubernetes.io/csi"

static void expect_vol(const char *path, enum k8s_vol_kind kind, const char *pv, const char *pod,
		       const char *driver)
{
	struct k8s_volume v;

	if (!k8s_parse_kubelet_path(path, &v))
		fail_msg("not a kubelet path: %s", path);
	assert_int_equal(v.kind, kind);
	assert_string_equal(v.pv, pv);
	assert_string_equal(v.pod_uid, pod);
	assert_string_equal(v.driver, driver);
	assert_string_equal(v.kubelet_root, KL);
}

static void test_kubelet_paths(void **state)
{
	struct k8s_volume v;
	char name[64];

	(void)state;
	/* newer kubelet: sha256(volume handle), no PV name in the path */
	assert_true(k8s_parse_kubelet_path(CSI "/org.scale.csi.iscsi/" HASH "/globalmount", &v));
	assert_int_equal(v.kind, K8S_VOL_STAGE_HASH);
	assert_string_equal(v.driver, "org.scale.csi.iscsi");
	assert_string_equal(v.handle_sha256, HASH);
	assert_string_equal(v.pv, "");
	assert_string_equal(k8s_volume_name(&v, name, sizeof(name)), "9f86d081884c");
	expect_vol(CSI "/org.scale.csi.iscsi/" HASH "/globalmount/lost+found", K8S_VOL_STAGE_HASH,
		   "", "", "org.scale.csi.iscsi");
	/* older kubelet */
	expect_vol(CSI "/pv/pvc-1234/globalmount", K8S_VOL_STAGE_PV, "pvc-1234", "", "");
	/* block mode */
	expect_vol(CSI "/volumeDevices/staging/pvc-1234", K8S_VOL_BLOCK_STAGE, "pvc-1234", "", "");
	expect_vol(CSI "/volumeDevices/publish/pvc-1234/" UID, K8S_VOL_BLOCK_PUBLISH, "pvc-1234",
		   UID, "");
	expect_vol(CSI "/volumeDevices/publish/pvc-1234", K8S_VOL_BLOCK_PUBLISH, "pvc-1234", "",
		   "");
	expect_vol(CSI "/volumeDevices/pvc-1234/dev", K8S_VOL_BLOCK_GLOBAL, "pvc-1234", "", "");
	/* publish paths */
	expect_vol(KL "/pods/" UID "/volumes/kubernetes.io~csi/pvc-1234/mount", K8S_VOL_PUBLISH,
		   "pvc-1234", UID, "");
	expect_vol(KL "/pods/" UID "/volumes/kubernetes.io~csi/pvc-1234/vol_data.json",
		   K8S_VOL_PUBLISH, "pvc-1234", UID, "");
	expect_vol(KL "/pods/" UID "/volumeDevices/kubernetes.io~csi/pvc-1234", K8S_VOL_POD_DEVICE,
		   "pvc-1234", UID, "");
	/* a kubelet --root-dir elsewhere */
	assert_true(k8s_parse_kubelet_path(
	    "/data/kubelet/plugins/kubernetes.io/csi/pv/pvc-9/globalmount", &v));
	assert_string_equal(v.kubelet_root, "/data/kubelet");
	assert_string_equal(k8s_volume_name(&v, name, sizeof(name)), "pvc-9");
}

static void test_kubelet_not_paths(void **state)
{
	static const char *const paths[] = {
		"/var/lib/kubelet",
		"/var/lib/kubelet/plugins/kubernetes.io/csi/",
		CSI "/org.scale.csi.iscsi/" HASH,		     /* no globalmount */
		CSI "/org.scale.csi.iscsi/" HASH "/globalmountx",    /* not the component */
		CSI "/org.scale.csi.iscsi/9f86d081884c/globalmount", /* not a sha256 */
		CSI "/pv//globalmount",				     /* empty PV name */
		CSI "/volumeDevices/staging",			     /* no PV name */
		KL "/pods/not-a-uid/volumes/kubernetes.io~csi/pvc-1/mount",
		KL "/pods/" UID "/volumes/kubernetes.io~empty-dir/cache",
		KL "/pods/" UID "/volumes/kubernetes.io~csi/",
		"/mnt/data",
		"",
	};
	struct k8s_volume v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (k8s_parse_kubelet_path(paths[i], &v))
			fail_msg("taken for a kubelet path: %s", paths[i]);
		assert_int_equal(v.kind, K8S_VOL_NONE);
		assert_string_equal(v.pv, "");
	}
}

/* ---- vol_data.json ---------------------------------------------------------------- */

static void test_vol_data(void **state)
{
	struct k8s_vol_data d;

	(void)state;
	assert_int_equal(k8s_parse_vol_data("{\"specVolID\":\"pvc-1\",\"volumeHandle\":\"tank/k8s/"
					    "pvc-1\",\"driverName\":\"org.scale.csi.nfs\","
					    "\"nodeName\":\"n1\",\"attachmentID\":\"csi-x\"}",
					    &d),
			 0);
	assert_string_equal(d.pv, "pvc-1");
	assert_string_equal(d.handle, "tank/k8s/pvc-1");
	assert_string_equal(d.driver, "org.scale.csi.nfs");
	/* the staging copy: no specVolID */
	assert_int_equal(k8s_parse_vol_data("{\"volumeHandle\":\"h\",\"driverName\":\"d\"}", &d),
			 0);
	assert_string_equal(d.pv, "");
	assert_string_equal(d.handle, "h");
	/* wrong types are ignored, not trusted */
	assert_int_equal(k8s_parse_vol_data("{\"specVolID\":7,\"volumeHandle\":null}", &d), 0);
	assert_string_equal(d.pv, "");
	assert_string_equal(d.handle, "");
	assert_int_equal(k8s_parse_vol_data("[1,2]", &d), -EINVAL);
	assert_int_equal(k8s_parse_vol_data("{\"specVolID\":", &d), -EINVAL);
	assert_int_equal(k8s_parse_vol_data("", &d), -EINVAL);
	assert_int_equal(k8s_read_vol_data("/nonexistent/vol_data.json", &d), -ENOENT);
}

#define STAGE_JSON "{\"volumeHandle\":\"tank/k8s/pvc-77\",\"driverName\":\"org.scale.csi.iscsi\"}"
#define PUB_JSON                                                                         \
	"{\"specVolID\":\"pvc-77\",\"volumeHandle\":\"tank/k8s/pvc-77\",\"driverName\":" \
	"\"org.scale.csi.iscsi\",\"volumeLifecycleMode\":\"Persistent\"}"
#define OTHER_JSON "{\"specVolID\":\"pvc-other\",\"volumeHandle\":\"tank/k8s/other\"}"

static void test_volume_resolve(void **state)
{
	static const char *staging = CSI "/org.scale.csi.iscsi/" HASH "/globalmount";
	char *root = fake_root("k8s");
	struct k8s_volume v;
	char name[64];

	(void)state;
	/* nothing on disk: the path alone */
	assert_int_equal(k8s_volume_resolve(root, staging, &v), 0);
	assert_string_equal(v.pv, "");
	assert_string_equal(v.handle, "");

	/* first NodeStage: only the staging vol_data.json, which has the handle */
	write_file(root, CSI "/org.scale.csi.iscsi/" HASH "/vol_data.json", STAGE_JSON);
	assert_int_equal(k8s_volume_resolve(root, staging, &v), 0);
	assert_string_equal(v.handle, "tank/k8s/pvc-77");
	assert_string_equal(v.pv, "");
	assert_string_equal(k8s_volume_name(&v, name, sizeof(name)), "tank/k8s/pvc-77");

	/* a pod uses it: the publish vol_data.json maps the handle to the PV name */
	write_file(root,
		   KL "/pods/11111111-2222-3333-4444-555555555555/volumes/kubernetes.io~csi/"
		      "pvc-other/vol_data.json",
		   OTHER_JSON);
	write_file(root, KL "/pods/" UID "/volumes/kubernetes.io~csi/pvc-77/vol_data.json",
		   PUB_JSON);
	mkdirf(root, KL "/pods/not-a-pod/volumes");
	assert_int_equal(k8s_volume_resolve(root, staging, &v), 0);
	assert_string_equal(v.pv, "pvc-77");
	assert_string_equal(v.driver, "org.scale.csi.iscsi");
	assert_string_equal(k8s_volume_name(&v, name, sizeof(name)), "pvc-77");

	/* publish path: its own vol_data.json */
	assert_int_equal(
	    k8s_volume_resolve(root, KL "/pods/" UID "/volumes/kubernetes.io~csi/pvc-77/mount", &v),
	    0);
	assert_string_equal(v.handle, "tank/k8s/pvc-77");
	assert_string_equal(v.driver, "org.scale.csi.iscsi");
	assert_string_equal(v.pod_uid, UID);

	/* block mode: the volume's data directory */
	write_file(root, CSI "/volumeDevices/pvc-blk/data/vol_data.json",
		   "{\"specVolID\":\"pvc-blk\",\"volumeHandle\":\"tank/k8s/blk\"}");
	assert_int_equal(k8s_volume_resolve(root, CSI "/volumeDevices/staging/pvc-blk", &v), 0);
	assert_string_equal(v.handle, "tank/k8s/blk");
	assert_string_equal(v.pv, "pvc-blk");

	assert_int_equal(k8s_volume_resolve(root, "/mnt/data", &v), -EINVAL);
	remove_tree(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uids),
		cmocka_unit_test(test_cgroup_systemd),
		cmocka_unit_test(test_cgroup_cgroupfs),
		cmocka_unit_test(test_cgroup_not_pods),
		cmocka_unit_test(test_proc_cgroup),
		cmocka_unit_test(test_mountinfo),
		cmocka_unit_test(test_pod_cgroup_systemd),
		cmocka_unit_test(test_pod_cgroup_cgroupfs_and_walk),
		cmocka_unit_test(test_resolve_paths),
		cmocka_unit_test(test_cgmap),
		cmocka_unit_test(test_kubelet_paths),
		cmocka_unit_test(test_kubelet_not_paths),
		cmocka_unit_test(test_vol_data),
		cmocka_unit_test(test_volume_resolve),
	};

	return cmocka_run_group_tests_name("k8s", tests, NULL, NULL);
}
