// SPDX-License-Identifier: GPL-2.0
#include "k8s.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UUID_CHARS     36
#define CID_CHARS      64
#define SMALL_FILE_MAX (64 * 1024)
#define WALK_DEPTH     16 /* kubepods.slice/<qos>/<pod>/<container> is depth 4 */
#define POD_WALK_DEPTH 6
#define RESCAN_NS      NSEC_PER_SEC

/* ---- small string helpers ------------------------------------------------ */

static bool all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool ends(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

/* Copy the component at *p (up to '/') into @buf and step past it; false at the end. */
static bool next_comp(const char **p, char *buf, size_t len)
{
	const char *s = *p;
	size_t n;

	while (*s == '/')
		s++;
	n = strcspn(s, "/");
	if (!n)
		return false;
	snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), s);
	*p = s + n;
	return n < len;
}

static int copy_str(char *dst, size_t len, const char *src)
{
	if (snprintf(dst, len, "%s", src) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

/* ---- pod UIDs ------------------------------------------------------------------- */

/* A UUID at @s, with one separator ('-' or '_') used throughout. */
static bool uuid_at(const char *s)
{
	static const int seps[] = { 8, 13, 18, 23 };
	char sep = s[8];
	int i, j = 0;

	if (sep != '-' && sep != '_')
		return false;
	for (i = 0; i < UUID_CHARS; i++) {
		if (j < 4 && i == seps[j]) {
			if (s[i] != sep)
				return false;
			j++;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

bool k8s_is_pod_uid(const char *s)
{
	return strlen(s) == UUID_CHARS && uuid_at(s);
}

static void uid_copy(const char *s, char *out)
{
	int i;

	for (i = 0; i < UUID_CHARS; i++)
		out[i] = s[i] == '_' ? '-' : (char)tolower((unsigned char)s[i]);
	out[UUID_CHARS] = '\0';
}

int k8s_normalize_uid(const char *s, char *out, size_t len)
{
	if (!k8s_is_pod_uid(s))
		return -EINVAL;
	if (len < K8S_UID_LEN)
		return -ENAMETOOLONG;
	uid_copy(s, out);
	return 0;
}

const char *k8s_qos_name(enum k8s_qos q)
{
	switch (q) {
	case K8S_QOS_GUARANTEED:
		return "guaranteed";
	case K8S_QOS_BURSTABLE:
		return "burstable";
	case K8S_QOS_BESTEFFORT:
		return "besteffort";
	default:
		return "";
	}
}

/* ---- cgroup path -> pod ------------------------------------------------------ */

/*
 * A pod's cgroup component: "pod<uid>" (cgroupfs) or "...-pod<uid_>.slice" (systemd).
 * Copies the dashed UID into @uid.
 */
static bool pod_comp(const char *c, char *uid)
{
	size_t n = strlen(c);
	const char *p;

	if (ends(c, n, ".slice"))
		n -= strlen(".slice");
	if (n < 3 + UUID_CHARS)
		return false;
	p = c + n - UUID_CHARS - 3;
	if (strncmp(p, "pod", 3) || (p != c && p[-1] != '-') || !uuid_at(p + 3))
		return false;
	uid_copy(p + 3, uid);
	return true;
}

static enum k8s_qos qos_of(const char *c)
{
	if (strstr(c, "besteffort"))
		return K8S_QOS_BESTEFFORT;
	if (strstr(c, "burstable"))
		return K8S_QOS_BURSTABLE;
	return K8S_QOS_NONE;
}

/* Container component: [<runtime prefix>-]<64 hex>[.scope]. */
static bool container_comp(const char *c, struct k8s_pod *out)
{
	static const struct {
		const char *prefix, *runtime;
	} rt[] = {
		{ "cri-containerd-", "containerd" },
		{ "containerd-", "containerd" },
		{ "docker-", "docker" },
		{ "crio-conmon-", "crio" },
		{ "crio-", "crio" },
		{ "", "" },
	};
	size_t n, i;

	for (i = 0; i < ARRAY_SIZE(rt); i++) {
		const char *id = c + strlen(rt[i].prefix);

		if (!starts(c, rt[i].prefix))
			continue;
		n = strlen(id);
		if (ends(id, n, ".scope"))
			n -= strlen(".scope");
		if (n != CID_CHARS || !all_hex(id, n))
			continue;
		snprintf(out->container_id, sizeof(out->container_id), "%.*s", CID_CHARS, id);
		snprintf(out->runtime, sizeof(out->runtime), "%s", rt[i].runtime);
		return true;
	}
	return false;
}

bool k8s_parse_cgroup(const char *cgpath, struct k8s_pod *out)
{
	enum k8s_qos qos = K8S_QOS_NONE;
	bool kubepods = false;
	char c[NAME_MAX + 1];
	const char *p = cgpath;

	memset(out, 0, sizeof(*out));
	while (next_comp(&p, c, sizeof(c))) {
		if (out->pod_uid[0]) {
			container_comp(c, out);
			break;
		}
		kubepods = kubepods || strstr(c, "kubepods");
		if (!kubepods)
			continue;
		if (qos_of(c))
			qos = qos_of(c);
		if (pod_comp(c, out->pod_uid))
			out->qos = qos ? qos : K8S_QOS_GUARANTEED;
	}
	return out->pod_uid[0] != '\0';
}

/* ---- /proc/PID/cgroup -------------------------------------------------------- */

int k8s_parse_proc_cgroup(const char *text, char *path, size_t len)
{
	const char *l;

	for (l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (starts(l, "0::")) {
			size_t n = strcspn(l + 3, "\n");

			if (n >= len)
				return -ENAMETOOLONG;
			memcpy(path, l + 3, n);
			path[n] = '\0';
			return 0;
		}
	}
	return -ENOENT;
}

int k8s_pid_cgroup(const char *procfs, pid_t pid, char *path, size_t len)
{
	char file[PATH_MAX];
	char *text;
	int err;

	snprintf(file, sizeof(file), "%s/%d/cgroup", procfs, (int)pid);
	text = st_read_file(file, SMALL_FILE_MAX, NULL);
	if (!text)
		return errno ? -errno : -EIO;
	err = k8s_parse_proc_cgroup(text, path, len);
	free(text);
	return err;
}

/* @out from the cgroup path a lookup found (@err 0); else all empty. Returns @err. */
static int pod_from(int err, const char *path, struct k8s_pod *out)
{
	memset(out, 0, sizeof(*out));
	if (!err)
		k8s_parse_cgroup(path, out);
	return err;
}

int k8s_pid_pod(const char *procfs, pid_t pid, struct k8s_pod *out)
{
	char path[PATH_MAX];

	return pod_from(k8s_pid_cgroup(procfs, pid, path, sizeof(path)), path, out);
}

/* ---- the cgroup2 mount ----------------------------------------------------- */

/* mountinfo escapes ' ', '\t', '\n' and '\\' as \ooo. */
static void unescape_octal(char *s)
{
	char *d = s;

	for (; *s; s++, d++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*d = *s;
		}
	}
	*d = '\0';
}

/* The mount point (fifth field) of one mountinfo line if its filesystem is cgroup2. */
static bool cgroup2_line(const char *line, char *mnt, size_t len)
{
	const char *p = line;
	size_t n;
	int i;

	if (!strstr(line, " - cgroup2 "))
		return false;
	for (i = 0; i < 4 && p; i++) {
		p = strchr(p, ' ');
		p = p ? p + 1 : NULL;
	}
	if (!p)
		return false;
	n = strcspn(p, " ");
	if (!n || n >= len)
		return false;
	memcpy(mnt, p, n);
	mnt[n] = '\0';
	unescape_octal(mnt);
	return true;
}

int k8s_parse_mountinfo_cgroup2(const char *text, char *root, size_t len)
{
	char mnt[PATH_MAX];
	const char *l;
	bool found = false;

	for (l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char line[2 * PATH_MAX];

		snprintf(line, sizeof(line), "%.*s", (int)strcspn(l, "\n"), l);
		if (!cgroup2_line(line, mnt, sizeof(mnt)))
			continue;
		if (!strcmp(mnt, K8S_CGROUP_DEFAULT))
			return copy_str(root, len, mnt);
		if (!found && !copy_str(root, len, mnt))
			found = true;
	}
	return found ? 0 : -ENOENT;
}

int k8s_cgroup2_root(char *root, size_t len)
{
	char *text = st_read_file("/proc/self/mountinfo", 4 << 20, NULL);
	int err;

	if (!text)
		return -ENODEV;
	err = k8s_parse_mountinfo_cgroup2(text, root, len);
	free(text);
	return err ? -ENODEV : 0;
}

/* ---- walking a cgroup tree --------------------------------------------------- */

/* Called for each directory below the root with its "/"-prefixed relative path; 1 stops. */
typedef int (*walk_fn)(const char *rel, const struct stat *st, void *ctx);

static int walk_dir(char *abs, size_t rootlen, int depth, walk_fn fn, void *ctx);

static int walk_entry(char *abs, size_t rootlen, int depth, const char *name, walk_fn fn, void *ctx)
{
	size_t n = strlen(abs);
	struct stat st;
	int ret = 0;

	if (n + 1 + strlen(name) >= PATH_MAX)
		return 0;
	abs[n] = '/';
	strcpy(abs + n + 1, name);
	if (!lstat(abs, &st) && S_ISDIR(st.st_mode)) {
		ret = fn(abs + rootlen, &st, ctx);
		if (!ret && depth > 1)
			ret = walk_dir(abs, rootlen, depth - 1, fn, ctx);
	}
	abs[n] = '\0';
	return ret;
}

static int walk_dir(char *abs, size_t rootlen, int depth, walk_fn fn, void *ctx)
{
	struct dirent *de;
	DIR *d = opendir(abs);
	int ret = 0;

	if (!d)
		return 0;
	while (!ret && (de = readdir(d))) {
		if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		ret = walk_entry(abs, rootlen, depth, de->d_name, fn, ctx);
	}
	closedir(d);
	return ret;
}

/* Walk @root down to @depth levels; the root itself is reported as "/". */
static int walk_tree(const char *root, int depth, walk_fn fn, void *ctx)
{
	char abs[PATH_MAX];
	struct stat st;
	size_t n;
	int ret;

	if (copy_str(abs, sizeof(abs), root))
		return -ENAMETOOLONG;
	n = strlen(abs);
	while (n > 1 && abs[n - 1] == '/')
		abs[--n] = '\0';
	if (stat(abs, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	ret = fn("/", &st, ctx);
	return ret ? ret : walk_dir(abs, n, depth, fn, ctx);
}

/* ---- pod UID -> cgroup directory ---------------------------------------------- */

struct pod_search {
	const char *uid; /* dashed */
	char rel[PATH_MAX];
};

static int match_pod_dir(const char *rel, const struct stat *st, void *ctx)
{
	struct pod_search *s = ctx;
	struct k8s_pod pod;

	(void)st;
	if (!k8s_parse_cgroup(rel, &pod) || pod.container_id[0] || strcmp(pod.pod_uid, s->uid))
		return 0;
	/* Only the pod's own directory, not a non-container child of it. */
	if (!pod_comp(strrchr(rel, '/') + 1, pod.pod_uid))
		return 0;
	snprintf(s->rel, sizeof(s->rel), "%s", rel);
	return 1;
}

/* Where kubelet puts a pod's cgroup: <dir>pod<uid><suffix>, systemd driver then cgroupfs. */
static bool pod_at_usual_place(const char *cgroot, const char *dashed, char *path, size_t len)
{
	static const struct {
		const char *dir, *suffix;
	} places[] = {
		{ "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-", ".slice" },
		{ "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-", ".slice" },
		{ "kubepods.slice/kubepods-", ".slice" },
		{ "kubepods/besteffort/", "" },
		{ "kubepods/burstable/", "" },
		{ "kubepods/", "" },
	};
	char underscored[K8S_UID_LEN];
	struct stat st;
	size_t i;

	snprintf(underscored, sizeof(underscored), "%s", dashed);
	for (i = 0; underscored[i]; i++)
		underscored[i] = underscored[i] == '-' ? '_' : underscored[i];
	for (i = 0; i < ARRAY_SIZE(places); i++) {
		/* systemd slice names use '_': '-' separates the slice hierarchy */
		const char *uid = places[i].suffix[0] ? underscored : dashed;

		if (snprintf(path, len, "%s/%spod%s%s", cgroot, places[i].dir, uid,
			     places[i].suffix) < (int)len &&
		    !stat(path, &st) && S_ISDIR(st.st_mode))
			return true;
	}
	return false;
}

int k8s_pod_cgroup(const char *cgroot, const char *uid, char *path, size_t len)
{
	struct pod_search s = { 0 };
	char dashed[K8S_UID_LEN];
	int err;

	if (k8s_normalize_uid(uid, dashed, sizeof(dashed)))
		return -EINVAL;
	if (pod_at_usual_place(cgroot, dashed, path, len))
		return 0;
	s.uid = dashed;
	err = walk_tree(cgroot, POD_WALK_DEPTH, match_pod_dir, &s);
	if (err < 0)
		return err;
	if (err != 1)
		return -ENOENT;
	if (snprintf(path, len, "%s%s", cgroot, s.rel) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int k8s_resolve_cgroup_in(const char *cgroot, const char *arg, char *path, size_t len)
{
	char root[PATH_MAX];

	if (!k8s_is_pod_uid(arg))
		return copy_str(path, len, arg);
	if (!cgroot) {
		if (k8s_cgroup2_root(root, sizeof(root)))
			return -ENODEV;
		cgroot = root;
	}
	return k8s_pod_cgroup(cgroot, arg, path, len);
}

int k8s_resolve_cgroup(const char *arg, char *path, size_t len)
{
	return k8s_resolve_cgroup_in(NULL, arg, path, len);
}

/* ---- cgroup id -> path ------------------------------------------------------- */

struct cg_ent {
	uint64_t id;
	char *path;
};

struct k8s_cgmap {
	char root[PATH_MAX];
	struct cg_ent *ents;
	size_t n, cap;
	uint64_t scanned_ns; /* 0: never */
	bool truncated;
};

struct k8s_cgmap *k8s_cgmap__new(const char *cgroot)
{
	struct k8s_cgmap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	if (copy_str(m->root, sizeof(m->root), cgroot)) {
		free(m);
		errno = ENAMETOOLONG;
		return NULL;
	}
	return m;
}

static void cgmap_clear(struct k8s_cgmap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->ents[i].path);
	m->n = 0;
	m->truncated = false;
}

static int cgmap_add(const char *rel, const struct stat *st, void *ctx)
{
	struct k8s_cgmap *m = ctx;
	struct cg_ent *e;

	if (m->n == K8S_CGMAP_MAX) {
		m->truncated = true;
		return 1;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;

		e = realloc(m->ents, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		m->ents = e;
		m->cap = cap;
	}
	e = &m->ents[m->n];
	e->path = strdup(rel);
	if (!e->path)
		return -ENOMEM;
	e->id = (uint64_t)st->st_ino;
	m->n++;
	return 0;
}

static int cmp_ent(const void *a, const void *b)
{
	const struct cg_ent *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int k8s_cgmap__rescan(struct k8s_cgmap *m)
{
	int err;

	cgmap_clear(m);
	m->scanned_ns = st_now_ns();
	err = walk_tree(m->root, WALK_DEPTH, cgmap_add, m);
	if (m->n)
		qsort(m->ents, m->n, sizeof(*m->ents), cmp_ent);
	if (err < 0)
		return err;
	if (m->truncated)
		st_info(1, "cgroup map: more than %d cgroups under %s; the rest stay unnamed",
			K8S_CGMAP_MAX, m->root);
	return (int)m->n;
}

static const struct cg_ent *cgmap_find(const struct k8s_cgmap *m, uint64_t id)
{
	struct cg_ent key = { .id = id };

	return m->n ? bsearch(&key, m->ents, m->n, sizeof(*m->ents), cmp_ent) : NULL;
}

int k8s_cgmap__path(struct k8s_cgmap *m, uint64_t cgid, char *path, size_t len)
{
	const struct cg_ent *e = cgmap_find(m, cgid);

	if (!e && (!m->scanned_ns || st_now_ns() - m->scanned_ns >= RESCAN_NS)) {
		k8s_cgmap__rescan(m);
		e = cgmap_find(m, cgid);
	}
	if (!e)
		return -ENOENT;
	return copy_str(path, len, e->path);
}

int k8s_cgmap__pod(struct k8s_cgmap *m, uint64_t cgid, struct k8s_pod *out)
{
	char path[PATH_MAX];

	return pod_from(k8s_cgmap__path(m, cgid, path, sizeof(path)), path, out);
}

void k8s_cgmap__free(struct k8s_cgmap *m)
{
	if (!m)
		return;
	cgmap_clear(m);
	free(m->ents);
	free(m);
}

/* ---- kubelet paths ---------------------------------------------------------------- */

#define CSI_PLUGIN_DIR "/plugins/kubernetes.io/csi/"
#define POD_VOLUMES    "/volumes/kubernetes.io~csi/"
#define POD_DEVICES    "/volumeDevices/kubernetes.io~csi/"

/* Is the next component @name (followed by '/' or the end)? Steps past it (and the
 * slashes before it). */
static bool comp_is(const char **p, const char *name)
{
	size_t n = strlen(name);

	while (**p == '/')
		(*p)++;

	if (strncmp(*p, name, n) || ((*p)[n] && (*p)[n] != '/'))
		return false;
	*p += n;
	return true;
}

/* plugins/kubernetes.io/csi/volumeDevices/... (the part after "volumeDevices/") */
static bool parse_block(const char *p, struct k8s_volume *v)
{
	char pod[NAME_MAX + 1];

	if (comp_is(&p, "staging"))
		v->kind = K8S_VOL_BLOCK_STAGE;
	else if (comp_is(&p, "publish"))
		v->kind = K8S_VOL_BLOCK_PUBLISH;
	else
		v->kind = K8S_VOL_BLOCK_GLOBAL;
	if (!next_comp(&p, v->pv, sizeof(v->pv)))
		return false;
	if (v->kind == K8S_VOL_BLOCK_PUBLISH && next_comp(&p, pod, sizeof(pod)) &&
	    k8s_is_pod_uid(pod))
		uid_copy(pod, v->pod_uid);
	return true;
}

/* The part after "plugins/kubernetes.io/csi/". */
static bool parse_plugin_path(const char *p, struct k8s_volume *v)
{
	char first[sizeof(v->driver)], second[NAME_MAX + 1];

	if (comp_is(&p, "volumeDevices"))
		return parse_block(p, v);
	if (!next_comp(&p, first, sizeof(first)) || !next_comp(&p, second, sizeof(second)) ||
	    !comp_is(&p, "globalmount"))
		return false;
	if (!strcmp(first, "pv")) {
		v->kind = K8S_VOL_STAGE_PV;
		return !copy_str(v->pv, sizeof(v->pv), second);
	}
	if (strlen(second) != CID_CHARS || !all_hex(second, CID_CHARS))
		return false;
	v->kind = K8S_VOL_STAGE_HASH;
	snprintf(v->driver, sizeof(v->driver), "%s", first);
	snprintf(v->handle_sha256, sizeof(v->handle_sha256), "%s", second);
	return true;
}

/* .../pods/<uid>/volumes/kubernetes.io~csi/<pv> or .../volumeDevices/kubernetes.io~csi/<pv> */
static bool parse_pod_path(const char *path, struct k8s_volume *v)
{
	const char *pods = strstr(path, "/pods/");
	const char *p, *vols;
	char uid[NAME_MAX + 1];

	for (; pods; pods = strstr(pods + 1, "/pods/")) {
		p = pods + strlen("/pods/");
		if (!next_comp(&p, uid, sizeof(uid)) || !k8s_is_pod_uid(uid))
			continue;
		if (starts(p, POD_VOLUMES))
			v->kind = K8S_VOL_PUBLISH;
		else if (starts(p, POD_DEVICES))
			v->kind = K8S_VOL_POD_DEVICE;
		else
			continue;
		vols = p + (v->kind == K8S_VOL_PUBLISH ? strlen(POD_VOLUMES) : strlen(POD_DEVICES));
		if (!next_comp(&vols, v->pv, sizeof(v->pv)))
			return false;
		uid_copy(uid, v->pod_uid);
		snprintf(v->kubelet_root, sizeof(v->kubelet_root), "%.*s", (int)(pods - path),
			 path);
		return true;
	}
	return false;
}

bool k8s_parse_kubelet_path(const char *path, struct k8s_volume *out)
{
	const char *csi = strstr(path, CSI_PLUGIN_DIR);

	memset(out, 0, sizeof(*out));
	if (csi && parse_plugin_path(csi + strlen(CSI_PLUGIN_DIR), out)) {
		snprintf(out->kubelet_root, sizeof(out->kubelet_root), "%.*s", (int)(csi - path),
			 path);
		return true;
	}
	memset(out, 0, sizeof(*out));
	if (parse_pod_path(path, out))
		return true;
	memset(out, 0, sizeof(*out));
	return false;
}

/* ---- vol_data.json ---------------------------------------------------------------- */

static void json_str(struct json_object *o, const char *key, char *dst, size_t len)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		snprintf(dst, len, "%s", json_object_get_string(v));
}

int k8s_parse_vol_data(const char *json, struct k8s_vol_data *out)
{
	struct json_object *o = json_tokener_parse(json);

	memset(out, 0, sizeof(*out));
	if (!o)
		return -EINVAL;
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -EINVAL;
	}
	json_str(o, "volumeHandle", out->handle, sizeof(out->handle));
	json_str(o, "specVolID", out->pv, sizeof(out->pv));
	json_str(o, "driverName", out->driver, sizeof(out->driver));
	json_object_put(o);
	return 0;
}

int k8s_read_vol_data(const char *file, struct k8s_vol_data *out)
{
	char *text = st_read_file(file, SMALL_FILE_MAX, NULL);
	int err;

	memset(out, 0, sizeof(*out));
	if (!text)
		return errno ? -errno : -EIO;
	err = k8s_parse_vol_data(text, out);
	free(text);
	return err;
}

/* Where the kubelet keeps vol_data.json for a decoded path. */
static int vol_data_file(const char *fsroot, const struct k8s_volume *v, char *file, size_t len)
{
	const char *kr = v->kubelet_root;
	int n;

	switch (v->kind) {
	case K8S_VOL_STAGE_HASH:
		n = snprintf(file, len, "%s%s" CSI_PLUGIN_DIR "%s/%s/vol_data.json", fsroot, kr,
			     v->driver, v->handle_sha256);
		break;
	case K8S_VOL_STAGE_PV:
		n = snprintf(file, len, "%s%s" CSI_PLUGIN_DIR "pv/%s/vol_data.json", fsroot, kr,
			     v->pv);
		break;
	case K8S_VOL_PUBLISH:
		n = snprintf(file, len, "%s%s/pods/%s" POD_VOLUMES "%s/vol_data.json", fsroot, kr,
			     v->pod_uid, v->pv);
		break;
	default: /* every block-mode path shares the volume's data directory */
		n = snprintf(file, len, "%s%s" CSI_PLUGIN_DIR "volumeDevices/%s/data/vol_data.json",
			     fsroot, kr, v->pv);
		break;
	}
	return n < (int)len ? 0 : -ENAMETOOLONG;
}

static void merge_vol_data(struct k8s_volume *v, const struct k8s_vol_data *d)
{
	if (!v->handle[0])
		snprintf(v->handle, sizeof(v->handle), "%s", d->handle);
	if (!v->driver[0])
		snprintf(v->driver, sizeof(v->driver), "%s", d->driver);
	if (!v->pv[0])
		snprintf(v->pv, sizeof(v->pv), "%s", d->pv);
}

/* A publish-side vol_data.json of pod directory @poddir naming @v's handle. */
static bool pv_from_pod(const char *poddir, struct k8s_volume *v)
{
	char dir[PATH_MAX], file[PATH_MAX];
	struct k8s_vol_data d;
	struct dirent *de;
	bool found = false;
	DIR *vols;

	if (snprintf(dir, sizeof(dir), "%s" POD_VOLUMES, poddir) >= (int)sizeof(dir))
		return false;
	vols = opendir(dir);
	if (!vols)
		return false;
	while (!found && (de = readdir(vols))) {
		if (de->d_name[0] == '.' || snprintf(file, sizeof(file), "%s%s/vol_data.json", dir,
						     de->d_name) >= (int)sizeof(file))
			continue;
		found = !k8s_read_vol_data(file, &d) && d.pv[0] && !strcmp(d.handle, v->handle) &&
			(!d.driver[0] || !v->driver[0] || !strcmp(d.driver, v->driver));
	}
	closedir(vols);
	if (found)
		snprintf(v->pv, sizeof(v->pv), "%s", d.pv);
	return found;
}

static void pv_from_pods(const char *fsroot, struct k8s_volume *v)
{
	char pods[PATH_MAX], poddir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(pods, sizeof(pods), "%s%s/pods", fsroot, v->kubelet_root);
	d = opendir(pods);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!k8s_is_pod_uid(de->d_name) || snprintf(poddir, sizeof(poddir), "%s/%s", pods,
							    de->d_name) >= (int)sizeof(poddir))
			continue;
		if (pv_from_pod(poddir, v))
			break;
	}
	closedir(d);
}

int k8s_volume_resolve(const char *fsroot, const char *path, struct k8s_volume *out)
{
	char file[PATH_MAX];
	struct k8s_vol_data d;

	if (!k8s_parse_kubelet_path(path, out))
		return -EINVAL;
	if (!vol_data_file(fsroot, out, file, sizeof(file)) && !k8s_read_vol_data(file, &d))
		merge_vol_data(out, &d);
	if (!out->pv[0] && out->handle[0])
		pv_from_pods(fsroot, out);
	return 0;
}

const char *k8s_volume_name(const struct k8s_volume *v, char *buf, size_t len)
{
	if (v->pv[0])
		snprintf(buf, len, "%s", v->pv);
	else if (v->handle[0])
		snprintf(buf, len, "%s", v->handle);
	else
		snprintf(buf, len, "%.12s", v->handle_sha256);
	return buf;
}
