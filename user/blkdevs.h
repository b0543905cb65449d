/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Network block devices on this node, from sysfs: NVMe-TCP namespaces
 * (/sys/class/nvme/<ctrl>/transport = tcp) and iSCSI disks (a SCSI device under
 * an iscsi session). The sysfs root is a parameter so tests can use a fake tree.
 */
#ifndef ST_BLKDEVS_H
#define ST_BLKDEVS_H

#include <stdint.h>

enum blkdev_proto { BLKDEV_OTHER = 0, BLKDEV_NVME_TCP = 1, BLKDEV_ISCSI = 2 };

struct blkdev {
	char name[32];	  /* "sdb", "nvme0n1", "nvme0c0n1" */
	uint32_t dev;	  /* kernel dev_t: major << 20 | minor; 0 for a hidden disk */
	int hidden;	  /* a path of a multipath namespace: no dev_t in sysfs */
	int proto;	  /* enum blkdev_proto */
	char target[128]; /* "10.99.0.2:4420 nqn..." / "10.99.0.2:3260 iqn..." when known */
};

#define BLKDEVS_MAX 256

/* Fill @out with network block devices under @sysfs ("/sys"). Returns the count. */
int blkdevs_scan(const char *sysfs, struct blkdev *out, int max);
/* Any block device by name ("sdb", "/dev/sdb") or "MAJ:MIN"; 0 and *dev set, or -ENOENT. */
int blkdev_lookup(const char *sysfs, const char *name, uint32_t *dev);
/* Name of a dev_t from /sys/dev/block/MAJ:MIN, or "MAJ:MIN"; writes into buf. */
const char *blkdev_name(const char *sysfs, uint32_t dev, char *buf, int len);

/*
 * The paths of multipath namespace @name ("nvme0n1" -> "nvme0c0n1", ...), found
 * in the controllers' sysfs directories, as hidden entries; 0 for any other disk.
 * Their requests carry the path's dev_t, which sysfs does not show.
 */
int blkdev_paths(const char *sysfs, const char *name, struct blkdev *out, int max);

/* nvme0c1n2 (a path of a multipath namespace) -> nvme0n2, the disk users see. */
void blkdev_head_name(char *name);

/*
 * The target a block device belongs to: the IQN of an iSCSI disk's session or
 * the subsystem NQN of an NVMe namespace ("sdb", "nvme0n1", "/dev/disk/by-path/...").
 * Returns the blkdev_proto (0 and an empty @id when it is neither).
 */
int blkdev_target(const char *sysfs, const char *dev, char *id, int len);

#define BLKDEV_MAJOR(d) ((d) >> 20)
#define BLKDEV_MINOR(d) ((d)&0xfffff)

#endif
