// SPDX-License-Identifier: GPL-2.0
#include "blkdevs.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* First line of a small sysfs file, without the newline. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int parse_devt(const char *s, uint32_t *dev)
{
	unsigned int ma, mi;
	char extra;

	if (sscanf(s, "%u:%u%c", &ma, &mi, &extra) != 2 || ma > 4095 || mi > 0xfffff)
		return -EINVAL;
	*dev = ma << 20 | mi;
	return 0;
}

static int block_devt(const char *sysfs, const char *name, uint32_t *dev)
{
	char p[PATH_MAX], line[32];

	snprintf(p, sizeof(p), "%s/class/block/%s/dev", sysfs, name);
	if (read_line(p, line, sizeof(line)))
		return -ENOENT;
	return parse_devt(line, dev);
}

static int add(struct blkdev *out, int n, int max, const char *sysfs, const char *name, int proto,
	       const char *target)
{
	uint32_t dev = 0;
	int i, hidden;

	if (n >= max || strlen(name) >= sizeof(out[n].name))
		return n;
	/* A multipath path (nvmeXcYnZ) is a hidden disk: named, without a dev_t. */
	hidden = block_devt(sysfs, name, &dev) != 0;
	if (hidden && (strncmp(name, "nvme", 4) || !strchr(name + 4, 'c')))
		return n;
	for (i = 0; i < n; i++)
		if (hidden ? !strcmp(out[i].name, name) : out[i].dev == dev)
			return n;
	memset(&out[n], 0, sizeof(out[n]));
	snprintf(out[n].name, sizeof(out[n].name), "%s", name);
	snprintf(out[n].target, sizeof(out[n].target), "%s", target);
	out[n].dev = dev;
	out[n].hidden = hidden;
	out[n].proto = proto;
	return n + 1;
}

/* NVMe controllers with transport "tcp": their namespaces "nvmeXnY" (and nvmeXcYnZ). */
static int scan_nvme(const char *sysfs, struct blkdev *out, int n, int max)
{
	char p[PATH_MAX], line[256], target[128];
	struct dirent *c, *ns;
	DIR *d, *cd;

	snprintf(p, sizeof(p), "%s/class/nvme", sysfs);
	d = opendir(p);
	while (d && (c = readdir(d))) {
		if (c->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/class/nvme/%s/transport", sysfs, c->d_name);
		if (read_line(p, line, sizeof(line)) || strcmp(line, "tcp"))
			continue;
		snprintf(p, sizeof(p), "%s/class/nvme/%s/address", sysfs, c->d_name);
		if (read_line(p, line, sizeof(line)))
			line[0] = '\0';
		snprintf(target, sizeof(target), "%s", line);
		snprintf(p, sizeof(p), "%s/class/nvme/%s", sysfs, c->d_name);
		cd = opendir(p);
		while (cd && (ns = readdir(cd)))
			if (!strncmp(ns->d_name, "nvme", 4) && strchr(ns->d_name + 4, 'n'))
				n = add(out, n, max, sysfs, ns->d_name, BLKDEV_NVME_TCP, target);
		if (cd)
			closedir(cd);
	}
	if (d)
		closedir(d);
	return n;
}

/* sdX whose device path runs through an iSCSI session ("/sessionN/"). */
static int scan_iscsi(const char *sysfs, struct blkdev *out, int n, int max)
{
	char p[PATH_MAX], link[PATH_MAX];
	struct dirent *b;
	ssize_t len;
	DIR *d;

	snprintf(p, sizeof(p), "%s/class/block", sysfs);
	d = opendir(p);
	while (d && (b = readdir(d))) {
		if (strncmp(b->d_name, "sd", 2))
			continue;
		snprintf(p, sizeof(p), "%s/class/block/%s", sysfs, b->d_name);
		len = readlink(p, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (strstr(link, "/session"))
			n = add(out, n, max, sysfs, b->d_name, BLKDEV_ISCSI, "");
	}
	if (d)
		closedir(d);
	return n;
}

int blkdevs_scan(const char *sysfs, struct blkdev *out, int max)
{
	int n = scan_nvme(sysfs, out, 0, max);

	return scan_iscsi(sysfs, out, n, max);
}

int blkdev_paths(const char *sysfs, const char *name, struct blkdev *out, int max)
{
	char p[PATH_MAX], head[sizeof(out->name)];
	struct dirent *c, *e;
	DIR *d, *cd;
	int n = 0;

	if (!strncmp(name, "/dev/", 5))
		name += 5;
	if (strncmp(name, "nvme", 4) || strchr(name, '/'))
		return 0;
	/*
	 * The paths nvmeXcYnZ of head nvmeXnZ sit in their controllers' sysfs
	 * directories on every kernel (a head's multipath/ directory of links
	 * is newer than 6.1).
	 */
	snprintf(p, sizeof(p), "%s/class/nvme", sysfs);
	d = opendir(p);
	while (d && (c = readdir(d))) {
		if (c->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/class/nvme/%s", sysfs, c->d_name);
		cd = opendir(p);
		while (cd && (e = readdir(cd))) {
			if (strncmp(e->d_name, "nvme", 4) || !strchr(e->d_name + 4, 'c'))
				continue;
			snprintf(head, sizeof(head), "%s", e->d_name);
			blkdev_head_name(head);
			if (!strcmp(head, name))
				n = add(out, n, max, sysfs, e->d_name, BLKDEV_NVME_TCP, "");
		}
		if (cd)
			closedir(cd);
	}
	if (d)
		closedir(d);
	return n;
}

int blkdev_lookup(const char *sysfs, const char *name, uint32_t *dev)
{
	if (!strncmp(name, "/dev/", 5))
		name += 5;
	if (strchr(name, ':'))
		return parse_devt(name, dev) ? -ENOENT : 0;
	if (!*name || strchr(name, '/'))
		return -ENOENT;
	return block_devt(sysfs, name, dev);
}

/* Hidden disks (NVMe multipath paths) have no /sys/dev/block link: scan. */
static int scan_devt(const char *sysfs, uint32_t dev, char *name, size_t len)
{
	char p[PATH_MAX];
	struct dirent *d;
	uint32_t v;
	DIR *dir;
	int found = -ENOENT;

	snprintf(p, sizeof(p), "%s/class/block", sysfs);
	dir = opendir(p);
	while (dir && found && (d = readdir(dir)))
		if (d->d_name[0] != '.' && !block_devt(sysfs, d->d_name, &v) && v == dev) {
			snprintf(name, len, "%s", d->d_name);
			found = 0;
		}
	if (dir)
		closedir(dir);
	return found;
}

void blkdev_head_name(char *name)
{
	char *c = strchr(name + 4, 'c'), *n;

	if (strncmp(name, "nvme", 4) || !c || !(n = strchr(c, 'n')))
		return;
	memmove(c, n, strlen(n) + 1);
}

const char *blkdev_name(const char *sysfs, uint32_t dev, char *buf, int len)
{
	char p[PATH_MAX], link[PATH_MAX];
	ssize_t n;
	char *base;

	snprintf(p, sizeof(p), "%s/dev/block/%u:%u", sysfs, BLKDEV_MAJOR(dev), BLKDEV_MINOR(dev));
	n = readlink(p, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		base = strrchr(link, '/');
		snprintf(buf, (size_t)len, "%s", base ? base + 1 : link);
	} else if (dev && !scan_devt(sysfs, dev, buf, (size_t)len)) {
		blkdev_head_name(buf);
	} else if (!dev) {
		snprintf(buf, (size_t)len, "fabrics");
	} else {
		snprintf(buf, (size_t)len, "%u:%u", BLKDEV_MAJOR(dev), BLKDEV_MINOR(dev));
	}
	return buf;
}

/* "/dev/disk/by-path/..." or "/dev/sdb" -> "sdb" (symlinks followed). */
static void dev_basename(const char *dev, char *out, size_t len)
{
	char real[PATH_MAX];
	const char *b;

	if (!strncmp(dev, "/dev/", 5) && realpath(dev, real))
		dev = real;
	b = strrchr(dev, '/');
	b = b ? b + 1 : dev;
	if (strlen(b) >= len) {
		out[0] = '\0';
		return;
	}
	memcpy(out, b, strlen(b) + 1);
}

int blkdev_target(const char *sysfs, const char *dev, char *id, int len)
{
	char name[64], p[PATH_MAX], link[PATH_MAX], *s;
	ssize_t n;

	id[0] = '\0';
	dev_basename(dev, name, sizeof(name));
	if (!strncmp(name, "nvme", 4)) {
		snprintf(p, sizeof(p), "%s/class/block/%s/device/subsysnqn", sysfs, name);
		if (read_line(p, id, (size_t)len) == 0)
			return BLKDEV_NVME_TCP;
		snprintf(p, sizeof(p), "%s/class/block/%s/device/device/subsysnqn", sysfs, name);
		return read_line(p, id, (size_t)len) == 0 ? BLKDEV_NVME_TCP : BLKDEV_OTHER;
	}
	snprintf(p, sizeof(p), "%s/class/block/%s", sysfs, name);
	n = readlink(p, link, sizeof(link) - 1);
	if (n <= 0)
		return BLKDEV_OTHER;
	link[n] = '\0';
	s = strstr(link, "/session");
	if (!s)
		return BLKDEV_OTHER;
	snprintf(p, sizeof(p), "%s/class/iscsi_session/%.*s/targetname", sysfs,
		 (int)strcspn(s + 1, "/"), s + 1);
	return read_line(p, id, (size_t)len) == 0 ? BLKDEV_ISCSI : BLKDEV_OTHER;
}
