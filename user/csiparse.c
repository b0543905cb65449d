// SPDX-License-Identifier: GPL-2.0
#include "csiparse.h"

#include <stdio.h>
#include <string.h>

#define SET(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

bool csi_is_staging_path(const char *path)
{
	return strstr(path, "/plugins/kubernetes.io/csi/") &&
	       (strstr(path, "/globalmount") || strstr(path, "/staging/"));
}

bool csi_name_matches(const char *comm, const char *pat)
{
	size_t plen = strlen(pat);
	const char *p;

	for (p = comm; plen && (p = strstr(p, pat)); p++)
		if (!(p - comm >= 2 && p[-2] == 'i' && p[-1] == 's' && pat[0] == 'c'))
			return true;
	return false;
}

bool csi_known_phase(const char *phase)
{
	static const char *const known[] = { "check",	"login",      "discovery",   "logout",
					     "connect", "disconnect", "device-wait", "fsprobe",
					     "mkfs",	"fsck",	      "resize",	     "mount",
					     "umount" };
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(phase, known[i]))
			return true;
	return false;
}

/* nsenter [opts] [--] CMD...; chroot [opts] NEWROOT CMD...: index of CMD or argc. */
static int skip_wrapper(int argc, const char *const *argv, int i)
{
	const char *w = base(argv[i]);
	bool chroot = !strcmp(w, "chroot");

	for (i++; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return i + 1;
		if (argv[i][0] != '-')
			break;
		/* nsenter's options that take a separate value */
		if (!chroot && (!strcmp(argv[i], "-t") || !strcmp(argv[i], "--target") ||
				!strcmp(argv[i], "-S") || !strcmp(argv[i], "-G") ||
				!strcmp(argv[i], "--setuid") || !strcmp(argv[i], "--setgid")))
			i++;
	}
	return chroot && i < argc ? i + 1 : i;
}

static bool is_interpreter(const char *a)
{
	static const char *const interp[] = { "sh", "bash", "dash", "ash", "python3", "perl" };
	const char *b = base(a);
	size_t i;

	for (i = 0; i < sizeof(interp) / sizeof(interp[0]); i++)
		if (!strcmp(b, interp[i]))
			return true;
	return false;
}

static bool is_wrapper(const char *a)
{
	const char *b = base(a);

	return !strcmp(b, "nsenter") || !strcmp(b, "chroot") || !strcmp(b, "env") ||
	       !strcmp(b, "sudo") || !strcmp(b, "timeout");
}

/* Value of option @opt in "-o val", "--opt val" or "--opt=val" forms. */
static const char *opt_val(int argc, const char *const *argv, const char *s, const char *l)
{
	size_t ll = l ? strlen(l) : 0;
	int i;

	for (i = 1; i < argc; i++) {
		if ((s && !strcmp(argv[i], s)) || (l && !strcmp(argv[i], l)))
			return i + 1 < argc ? argv[i + 1] : NULL;
		if (l && !strncmp(argv[i], l, ll) && argv[i][ll] == '=')
			return argv[i] + ll + 1;
	}
	return NULL;
}

static bool has_arg(int argc, const char *const *argv, const char *a, const char *b)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], a) || (b && !strcmp(argv[i], b)))
			return true;
	return false;
}

/* @a without surrounding blanks (a grep pattern " /path "), in @buf. */
static const char *trim(const char *a, char *buf, size_t len)
{
	size_t n;

	while (*a == ' ' || *a == '\t')
		a++;
	snprintf(buf, len, "%s", a);
	n = strlen(buf);
	while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	return buf;
}

static void scan_paths(int argc, const char *const *argv, struct csi_cmd *c)
{
	char buf[512];
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = trim(argv[i], buf, sizeof(buf));
		const char *iqn = strstr(a, "iqn.");

		if (csi_is_staging_path(a))
			SET(c->staging, a);
		else if (starts(a, "/dev/"))
			SET(c->device, a);
		/* by-path links embed the IQN; other arguments (a grep pattern) do not count */
		if (iqn && !c->iqn[0] && starts(a, "/dev/disk/by-path/")) {
			/* by-path links embed the IQN: ip-A:P-iscsi-IQN-lun-N */
			const char *end = strstr(iqn, "-lun-");

			snprintf(c->iqn, sizeof(c->iqn), "%.*s", end ? (int)(end - iqn) : 223, iqn);
		}
	}
}

static void parse_iscsiadm(int argc, const char *const *argv, struct csi_cmd *c)
{
	const char *mode = opt_val(argc, argv, "-m", "--mode"), *v;
	const char *op = opt_val(argc, argv, "-o", "--op");

	SET(c->proto, "iscsi");
	if ((v = opt_val(argc, argv, "-T", "--targetname")))
		SET(c->iqn, v);
	if ((v = opt_val(argc, argv, "-p", "--portal")))
		SET(c->portal, v);
	if (has_arg(argc, argv, "-u", "--logout") || (op && !strcmp(op, "delete"))) {
		SET(c->phase, "logout");
		c->kind = CSI_UNSTAGE;
	} else if (mode && !strcmp(mode, "session") && !has_arg(argc, argv, "-r", "--rescan")) {
		SET(c->phase, "check");
	} else if (mode && (!strcmp(mode, "discovery") || !strcmp(mode, "discoverydb"))) {
		SET(c->phase, "discovery");
	} else if (has_arg(argc, argv, "-l", "--login") || op) {
		SET(c->phase, "login"); /* the login, or the node record it needs */
	} else {
		SET(c->phase, "check"); /* a query of the node records */
	}
}

static void parse_nvme(int argc, const char *const *argv, struct csi_cmd *c)
{
	const char *sub = argc > 1 ? argv[1] : "", *v;

	SET(c->proto, "nvme");
	if ((v = opt_val(argc, argv, "-n", "--nqn")))
		SET(c->nqn, v);
	if ((v = opt_val(argc, argv, "-a", "--traddr")))
		snprintf(c->portal, sizeof(c->portal), "%s:%s", v,
			 opt_val(argc, argv, "-s", "--trsvcid") ?: "4420");
	if (!strcmp(sub, "connect") || !strcmp(sub, "connect-all") || !strcmp(sub, "discover")) {
		SET(c->phase, "connect");
	} else if (!strcmp(sub, "disconnect") || !strcmp(sub, "disconnect-all")) {
		SET(c->phase, "disconnect");
		c->kind = CSI_UNSTAGE;
	} else {
		SET(c->phase, "check");
	}
}

static void parse_mount(int argc, const char *const *argv, struct csi_cmd *c)
{
	const char *type = opt_val(argc, argv, "-t", "--types");
	int i;

	SET(c->phase, "mount");
	for (i = 1; i < argc; i++) {
		const char *colon = strchr(argv[i], ':');

		/* server:/export (NFS) */
		if (colon && colon[1] == '/' && argv[i][0] != '/' && argv[i][0] != '-')
			SET(c->nfs_export, colon + 1);
	}
	if ((type && !strncmp(type, "nfs", 3)) || c->nfs_export[0])
		SET(c->proto, "nfs");
	c->stage_mount = c->staging[0] && !has_arg(argc, argv, "--bind", "-B");
}

struct tool_phase {
	const char *prefix;
	const char *phase;
	bool exact;
};

/*
 * Helpers whose meaning depends on what they touch: a grep of the mount table
 * or a mkdir of the staging path are parts of check and mount.
 */
static bool semantic_phase(int argc, const char *const *argv, struct csi_cmd *c)
{
	const char *tool = base(argv[0]);
	int i;

	if (!strcmp(tool, "iscsid")) {
		SET(c->phase, "login");
		SET(c->proto, "iscsi");
		return true;
	}
	if (!strcmp(tool, "mkdir") && c->staging[0]) {
		SET(c->phase, "mount");
		return true;
	}
	if (!strcmp(tool, "readlink") && c->device[0]) {
		SET(c->phase, "device-wait");
		return true;
	}
	if (!strcmp(tool, "grep") || !strcmp(tool, "cat") || !strcmp(tool, "awk")) {
		for (i = 1; i < argc; i++)
			if (strstr(argv[i], "/mounts") || strstr(argv[i], "mountinfo"))
				break;
		if (c->staging[0] || i < argc) {
			SET(c->phase, "check");
			return true;
		}
	}
	return false;
}

static const struct tool_phase simple_tools[] = {
	{ "findmnt", "check", true },	    { "mountpoint", "check", true },
	{ "lsblk", "check", true },	    { "stat", "check", true },
	{ "blkid", "fsprobe", true },	    { "mkfs", "mkfs", false },
	{ "mke2fs", "mkfs", true },	    { "fsck", "fsck", false },
	{ "e2fsck", "fsck", true },	    { "xfs_repair", "fsck", true },
	{ "resize2fs", "resize", true },    { "xfs_growfs", "resize", true },
	{ "udevadm", "device-wait", true }, { "multipath", "device-wait", true },
	{ "dumpe2fs", "fsprobe", true },    { "tune2fs", "mkfs", true },
};

void csi_parse(int argc, const char *const *argv, struct csi_cmd *c)
{
	const char *tool;
	size_t i;
	int start = 0;

	memset(c, 0, sizeof(*c));
	while (start < argc && is_wrapper(argv[start]))
		start = skip_wrapper(argc, argv, start);
	/* A script run through its #! interpreter: the script is the command. */
	if (start + 1 < argc && is_interpreter(argv[start]) && argv[start + 1][0] == '/')
		start++;
	if (start >= argc) {
		SET(c->tool, argc ? base(argv[0]) : "?");
		SET(c->phase, c->tool);
		return;
	}
	argv += start;
	argc -= start;
	tool = base(argv[0]);
	SET(c->tool, tool);
	scan_paths(argc, argv, c);
	if (!strcmp(tool, "iscsiadm")) {
		parse_iscsiadm(argc, argv, c);
	} else if (!strcmp(tool, "nvme")) {
		parse_nvme(argc, argv, c);
	} else if (!strcmp(tool, "mount") || starts(tool, "mount.")) {
		parse_mount(argc, argv, c);
	} else if (!strcmp(tool, "umount")) {
		SET(c->phase, "umount");
		c->kind = c->staging[0] ? CSI_UNSTAGE : CSI_STAGE;
	} else if (!semantic_phase(argc, argv, c)) {
		for (i = 0; i < sizeof(simple_tools) / sizeof(simple_tools[0]); i++) {
			const struct tool_phase *t = &simple_tools[i];

			if (t->exact ? !strcmp(tool, t->prefix) : starts(tool, t->prefix)) {
				SET(c->phase, t->phase);
				break;
			}
		}
		if (!c->phase[0])
			SET(c->phase, tool);
	}
	c->known = csi_known_phase(c->phase);
	if (c->iqn[0] && !c->proto[0])
		SET(c->proto, "iscsi");
	c->names_volume = c->iqn[0] || c->nqn[0] || c->staging[0] || c->nfs_export[0];
}

int csi_split_args(char *buf, int len, const char **argv, int max)
{
	int n = 0, i = 0;

	while (i < len && n < max) {
		argv[n++] = buf + i;
		while (i < len && buf[i])
			i++;
		if (i == len && i > 0 && buf[i - 1]) {
			buf[len - 1] = '\0'; /* truncated last argument */
			break;
		}
		i++;
	}
	return n;
}

/* The part after the last ':' (IQN/NQN) or '/' (paths), if non-empty. */
static const char *tail(const char *s, char sep)
{
	const char *t = strrchr(s, sep);

	return t && t[1] ? t + 1 : s;
}

void csi_volume_name(const struct csi_cmd *c, char *buf, int len)
{
	if (c->iqn[0]) {
		snprintf(buf, (size_t)len, "%s", tail(c->iqn, ':'));
	} else if (c->nqn[0]) {
		snprintf(buf, (size_t)len, "%s", tail(c->nqn, ':'));
	} else if (c->nfs_export[0]) {
		snprintf(buf, (size_t)len, "%s", tail(c->nfs_export, '/'));
	} else if (c->staging[0]) {
		/* .../csi/<driver>/<hash>/globalmount or .../pv/<pv>/globalmount */
		char tmp[256];
		char *g;

		snprintf(tmp, sizeof(tmp), "%s", c->staging);
		g = strstr(tmp, "/globalmount");
		if (g)
			*g = '\0';
		snprintf(buf, (size_t)len, "%.12s", tail(tmp, '/'));
	} else if (c->device[0]) {
		snprintf(buf, (size_t)len, "%s", tail(c->device, '/'));
	} else {
		snprintf(buf, (size_t)len, "%s", c->tool);
	}
}
