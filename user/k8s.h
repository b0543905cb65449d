/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kubernetes attribution: which pod and container a task or a cgroup belongs to,
 * and which PersistentVolume a kubelet path names.
 *
 * The parsers take strings. Everything that reads the node takes the root it
 * reads under (a cgroup2 mount, a procfs, a filesystem prefix) so tests can use
 * fake trees. Sizes follow Kubernetes: a pod UID is a 36-character UUID, a
 * container ID 64 hex digits.
 */
#ifndef ST_K8S_H
#define ST_K8S_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define K8S_UID_LEN	   37	 /* "0b1c5a3e-...": 36 characters and NUL */
#define K8S_CID_LEN	   65	 /* 64 hex digits and NUL */
#define K8S_CGMAP_MAX	   65536 /* cgroups remembered by one k8s_cgmap */
#define K8S_CGROUP_DEFAULT "/sys/fs/cgroup"

enum k8s_qos {
	K8S_QOS_NONE = 0, /* not a pod */
	K8S_QOS_GUARANTEED,
	K8S_QOS_BURSTABLE,
	K8S_QOS_BESTEFFORT,
};

struct k8s_pod {
	char pod_uid[K8S_UID_LEN];	/* dashed, lower case; "" when not in a pod */
	char container_id[K8S_CID_LEN]; /* "" for the pod's own cgroup */
	char runtime[16]; /* "containerd", "docker", "crio"; "" if the path does not say */
	enum k8s_qos qos;
};

/* "guaranteed", "burstable", "besteffort" or "" */
const char *k8s_qos_name(enum k8s_qos q);

/* A pod UID: 36 characters, hex digits with '-' or '_' (the systemd slice spelling). */
bool k8s_is_pod_uid(const char *s);
/* Dashed, lower-case form of a pod UID. -EINVAL when @s is not one. */
int k8s_normalize_uid(const char *s, char *out, size_t len);

/*
 * Pod and container of a cgroup v2 path, for the layouts kubelet makes:
 *   systemd driver:  /kubepods.slice/kubepods-burstable.slice/
 *                    kubepods-burstable-pod<uid, '_' for '-'>.slice/cri-containerd-<id>.scope
 *                    (also docker-<id>.scope, crio-<id>.scope, crio-conmon-<id>.scope;
 *                    Guaranteed pods sit directly in kubepods.slice; any prefix such as
 *                    kind's /kubelet.slice/kubelet-kubepods.slice is accepted)
 *   cgroupfs driver: /kubepods/burstable/pod<uid>/<id>  (also crio-<id>)
 * Components below the container's (e.g. CRI-O's "container") are ignored, and so is
 * a leading "/../.." from a reader inside a cgroup namespace.
 * Returns true for a pod; otherwise false and @out is all empty.
 */
bool k8s_parse_cgroup(const char *cgpath, struct k8s_pod *out);

/* The cgroup v2 path ("0::" line) of /proc/PID/cgroup text. -ENOENT without one. */
int k8s_parse_proc_cgroup(const char *text, char *path, size_t len);
/* Read @procfs/PID/cgroup (procfs is "/proc" on a live node). */
int k8s_pid_cgroup(const char *procfs, pid_t pid, char *path, size_t len);
/* Pod and container of a live task. 0 (and @out empty when not in a pod) or -errno. */
int k8s_pid_pod(const char *procfs, pid_t pid, struct k8s_pod *out);

/*
 * The cgroup2 mount point in /proc/self/mountinfo text: /sys/fs/cgroup when it is
 * cgroup2 (unified hierarchy), else the first cgroup2 mount (/sys/fs/cgroup/unified
 * on hybrid hosts). -ENOENT when there is none.
 */
int k8s_parse_mountinfo_cgroup2(const char *text, char *root, size_t len);
/* The same, for this process. */
int k8s_cgroup2_root(char *root, size_t len);

/*
 * The cgroup directory of pod @uid under the cgroup2 mount @cgroot (absolute path
 * into @path): the usual places of both drivers first, then a bounded walk for
 * unusual prefixes. -ENOENT when the pod has no cgroup here.
 */
int k8s_pod_cgroup(const char *cgroot, const char *uid, char *path, size_t len);

/*
 * The -c argument: @arg unchanged when it is a cgroup path, the pod's cgroup
 * directory when it is a pod UID (36-character UUID, dashes or underscores).
 * -ENOENT: no such pod on this node; -ENODEV: no cgroup2 mount.
 */
int k8s_resolve_cgroup(const char *arg, char *path, size_t len);
/* As k8s_resolve_cgroup, under the cgroup2 mount @cgroot (NULL: this host's). */
int k8s_resolve_cgroup_in(const char *cgroot, const char *arg, char *path, size_t len);

/*
 * cgroup id -> cgroup path. The id is what bpf_get_current_cgroup_id() returns: the
 * inode number of the cgroup2 directory. A miss rescans the tree, at most once a
 * second (cgroup ids are never reused on 64-bit kernels, so hits stay right); the
 * map holds at most K8S_CGMAP_MAX cgroups.
 */
struct k8s_cgmap;

struct k8s_cgmap *k8s_cgmap__new(const char *cgroot);
/* Path relative to the mount, "/"-prefixed like /proc/PID/cgroup. -ENOENT when unknown. */
int k8s_cgmap__path(struct k8s_cgmap *m, uint64_t cgid, char *path, size_t len);
/* Pod and container of a cgroup id: 0 (@out empty when not a pod) or -ENOENT. */
int k8s_cgmap__pod(struct k8s_cgmap *m, uint64_t cgid, struct k8s_pod *out);
/* Forget everything and walk the tree now. Returns the number of cgroups or -errno. */
int k8s_cgmap__rescan(struct k8s_cgmap *m);
void k8s_cgmap__free(struct k8s_cgmap *m);

/* ---- kubelet volume paths ------------------------------------------------- */

enum k8s_vol_kind {
	K8S_VOL_NONE = 0,
	K8S_VOL_STAGE_HASH,    /* plugins/kubernetes.io/csi/<driver>/<sha256>/globalmount */
	K8S_VOL_STAGE_PV,      /* plugins/kubernetes.io/csi/pv/<pv>/globalmount (kubelet < 1.25) */
	K8S_VOL_BLOCK_STAGE,   /* plugins/kubernetes.io/csi/volumeDevices/staging/<pv> */
	K8S_VOL_BLOCK_PUBLISH, /* plugins/kubernetes.io/csi/volumeDevices/publish/<pv>[/<pod uid>] */
	K8S_VOL_BLOCK_GLOBAL,  /* plugins/kubernetes.io/csi/volumeDevices/<pv>/{dev,data} */
	K8S_VOL_PUBLISH,       /* pods/<pod uid>/volumes/kubernetes.io~csi/<pv>/mount */
	K8S_VOL_POD_DEVICE,    /* pods/<pod uid>/volumeDevices/kubernetes.io~csi/<pv> */
};

struct k8s_volume {
	enum k8s_vol_kind kind;
	char kubelet_root[256]; /* the path up to /plugins or /pods ("/var/lib/kubelet") */
	char driver[128]; /* CSI driver name: from the path (hashed staging), or vol_data.json */
	/*
	 * PV name. Empty after parsing a hashed staging path: newer kubelets name the
	 * staging directory after sha256(volume handle), which does not contain the PV
	 * name; k8s_volume_resolve() recovers it from vol_data.json files when it can.
	 */
	char pv[256];
	char pod_uid[K8S_UID_LEN]; /* publish paths only */
	char handle_sha256[65];	   /* hashed staging paths: hex sha256 of the volume handle */
	char handle[256];	   /* the CSI volume handle, from vol_data.json */
};

/* Decode a kubelet path (or a path below one). false when it is not one. */
bool k8s_parse_kubelet_path(const char *path, struct k8s_volume *out);

/* The kubelet's vol_data.json (all fields optional; absent ones stay ""). */
struct k8s_vol_data {
	char handle[256]; /* "volumeHandle" */
	char pv[256];	  /* "specVolID": the PV name; the staging copy lacks it */
	char driver[128]; /* "driverName" */
};

int k8s_parse_vol_data(const char *json, struct k8s_vol_data *out);
int k8s_read_vol_data(const char *file, struct k8s_vol_data *out);

/*
 * Decode @path and complete it from the kubelet's vol_data.json files, read under
 * the filesystem prefix @fsroot ("" on a live node):
 *  - the file beside the path gives the volume handle and driver (and the PV name on
 *    publish paths);
 *  - for a hashed staging path, the PV name comes from a publish-side vol_data.json
 *    (pods/<uid>/volumes/kubernetes.io~csi/<pv>/vol_data.json) with the same volume
 *    handle: it exists once a pod on this node uses the volume, not during the
 *    first NodeStage.
 * 0 when @path is a kubelet path (fields filled as far as the node allows), -EINVAL
 * when it is not.
 */
int k8s_volume_resolve(const char *fsroot, const char *path, struct k8s_volume *out);
/* Best short name into @buf: the PV name, else the volume handle, else 12 hex digits of
 * the handle's hash. Returns @buf. */
const char *k8s_volume_name(const struct k8s_volume *v, char *buf, size_t len);

#endif
