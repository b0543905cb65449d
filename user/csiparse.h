/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a command run by a CSI node plugin means for a NodeStage operation:
 * which phase it is, which protocol, and which volume identifiers it names
 * (IQN, NQN, staging path, device, NFS export). Wrappers such as nsenter and
 * chroot are looked through. Pure string work.
 */
#ifndef ST_CSIPARSE_H
#define ST_CSIPARSE_H

#include <stdbool.h>

enum csi_kind {
	CSI_STAGE = 0,	 /* part of staging (or neutral) */
	CSI_UNSTAGE = 1, /* umount / logout / disconnect */
};

struct csi_cmd {
	char tool[32];	/* basename of the effective command ("iscsiadm") */
	char phase[32]; /* "check", "login", "connect", "fsprobe", "mkfs", "mount", ... */
	char proto[8];	/* "iscsi", "nvme", "nfs" or "" */
	char iqn[224];
	char nqn[224];
	char portal[64];   /* "10.99.0.2:3260" or NVMe "addr:port" */
	char staging[256]; /* the staging path, if named */
	char device[128];  /* a /dev path, if named */
	char nfs_export[256];
	bool stage_mount; /* mount onto the staging path: the operation's last step */
	int kind;	  /* enum csi_kind */
	bool names_volume;
	bool known; /* a step of staging (check, login, ...), not a helper tool */
};

/* Parse argv[0..argc). Never fails: unknown commands get phase = their basename. */
void csi_parse(int argc, const char *const *argv, struct csi_cmd *out);
/*
 * Does a task name contain @pat, not counting a "csi" that is part of "iscsi"
 * (iscsid and iscsiadm are storage tools, not CSI plugins)?
 */
bool csi_name_matches(const char *comm, const char *pat);
/* A phase of staging or unstaging (not a helper tool's own name). */
bool csi_known_phase(const char *phase);
/* Split a NUL-separated argument block (as from /proc/PID/cmdline) into argv. */
int csi_split_args(char *buf, int len, const char **argv, int max);
/* Is @path a kubelet staging path (.../plugins/kubernetes.io/csi/.../globalmount,
 * .../volumeDevices/staging/...)? */
bool csi_is_staging_path(const char *path);
/* Short volume name from an identifier: "vol1" from an IQN/NQN/export suffix,
 * the PV name or hash from a staging path. */
void csi_volume_name(const struct csi_cmd *c, char *buf, int len);

#endif
