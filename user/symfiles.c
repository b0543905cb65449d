// SPDX-License-Identifier: GPL-2.0
/* Opened ELF files shared across processes, keyed by (device, inode). */
#include "symfiles.h"
#include "symhash.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* elfutils' default, after the caller's directories: "" = next to the file (debuglink). */
#define SYSTEM_DEBUG_PATH ":.debug:/usr/lib/debug"

enum vdso_state { VDSO_UNTRIED, VDSO_FAILED, VDSO_READY };

struct symfiles {
	Dwfl_Callbacks cb; /* every symfile's Dwfl points here */
	char *debug_path;
	struct symhash *files;	/* symhash__mix(dev, ino) -> struct symfile * */
	struct symhash *by_map; /* the same files by the (dev, ino) their maps line showed */
	bool nofile_raised;
	uint64_t opens;
	enum vdso_state vdso_state;
	struct symfile *vdso;
	uint64_t vdso_size;
};

/*
 * libdwfl ignores relative entries for build-id lookups: make each directory absolute.
 * Directories that do not exist are dropped (with a note at -vv).
 */
static char *debug_path_new(const char *debug_dirs)
{
	char *dirs = strdup(debug_dirs ? debug_dirs : ""), *save = NULL, *dir;
	char *path = strdup("");

	for (dir = strtok_r(dirs, ":", &save); dir && path; dir = strtok_r(NULL, ":", &save)) {
		char *abs = realpath(dir, NULL), *next = NULL;

		if (!abs) {
			st_info(2, "syms: debug directory %s: %s", dir, strerror(errno));
			continue;
		}
		if (asprintf(&next, "%s%s:", path, abs) < 0)
			next = NULL;
		free(abs);
		free(path);
		path = next;
	}
	free(dirs);
	if (path) {
		char *full = NULL;

		if (asprintf(&full, "%s%s", path, SYSTEM_DEBUG_PATH) < 0)
			full = NULL;
		free(path);
		path = full;
	}
	return path;
}

struct symfiles *symfiles__new(const char *debug_dirs)
{
	struct symfiles *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return NULL;
	fs->debug_path = debug_path_new(debug_dirs);
	fs->files = symhash__new();
	fs->by_map = symhash__new();
	if (!fs->debug_path || !fs->files || !fs->by_map) {
		symfiles__free(fs);
		return NULL;
	}
	fs->cb.find_elf = dwfl_build_id_find_elf;
	fs->cb.find_debuginfo = dwfl_standard_find_debuginfo;
	fs->cb.section_address = dwfl_offline_section_address;
	fs->cb.debuginfo_path = &fs->debug_path;
	return fs;
}

void symfiles__free(struct symfiles *fs)
{
	if (!fs)
		return;
	if (fs->files && symhash__count(fs->files))
		st_warn("symfiles: %zu files still referenced at free", symhash__count(fs->files));
	symfile__free(fs->vdso);
	symhash__free(fs->files);
	symhash__free(fs->by_map);
	free(fs->debug_path);
	free(fs);
}

size_t symfiles__count(const struct symfiles *fs)
{
	return symhash__count(fs->files) + (fs->vdso ? 1 : 0);
}

uint64_t symfiles__opens(const struct symfiles *fs)
{
	return fs->opens;
}

/* A file's key in files (its fstat device and inode) and in by_map (those its maps line showed). */
static uint64_t symfiles_key(uint64_t dev, uint64_t ino)
{
	return symhash__mix(dev, ino);
}

void symfiles__put(struct symfiles *fs, struct symfile *f)
{
	uint64_t mdev, mino;

	if (!f || !symfile__put(f))
		return;
	symhash__del(fs->files, symfiles_key(symfile__id(f)->dev, symfile__id(f)->ino), f);
	symfile__map_id(f, &mdev, &mino);
	if (mino)
		symhash__del(fs->by_map, symfiles_key(mdev, mino), f);
	symfile__free(f);
}

/* @path, if it is the file mapped by @m (same inode); else -1 with errno ESTALE. */
static int open_checked(const char *path, const struct procmap *m)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd >= 0 && (fstat(fd, &st) || st.st_ino != m->inode)) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

/*
 * The ways to reach the mapped file, best first. map_files needs CAP_SYS_ADMIN (or
 * CAP_CHECKPOINT_RESTORE); without it a deleted main executable is still reachable as
 * /proc/PID/exe, and a file that still exists through the process's root.
 */
static int symfiles_open_fd(pid_t pid, const struct procmap *m)
{
	char p[PATH_MAX + 64];
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid, m->start,
		 m->end);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (m->deleted) {
		snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
		return open_checked(p, m);
	}
	snprintf(p, sizeof(p), "/proc/%d/root%s", (int)pid, m->path);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	/* Our own view of the path may be another file: trust it only if the inode agrees. */
	return open_checked(m->path, m);
}

/*
 * An open file here with the same device and inode is this one: the descriptor
 * it keeps open stops the inode from being reused, and every mapping of an
 * inode shows the same pages. So a process that maps known files (each new
 * process of a busy node) costs an open and an fstat per file; only a file
 * not open yet has its build-id read, which maps the ELF file and unmaps it
 * again, a TLB shootdown across the tracer's threads.
 */
static bool symfiles_match_inode(const void *val, const void *arg)
{
	const struct symfile_id *a = symfile__id(val), *b = arg;

	return a->dev == b->dev && a->ino == b->ino;
}

/* Share an already-open file with the same device and inode, else open a new one. Takes @fd. */
static struct symfile *symfiles_intern(struct symfiles *fs, int fd, const char *path)
{
	struct symfile_id id = { 0 };
	struct symfile *f;
	struct stat st;
	int err;

	if (fstat(fd, &st)) {
		err = errno;
		close(fd);
		errno = err;
		return NULL;
	}
	id.dev = st.st_dev;
	id.ino = st.st_ino;
	f = symhash__find(fs->files, symfiles_key(id.dev, id.ino), symfiles_match_inode, &id);
	if (f) {
		close(fd);
		symfile__get(f);
		return f;
	}
	err = symfile__identify(fd, &id);
	if (err) {
		close(fd);
		errno = -err;
		return NULL;
	}
	f = symfile__open(fd, path, &id, &fs->cb);
	if (f && symhash__add(fs->files, symfiles_key(id.dev, id.ino), f)) {
		symfile__free(f);
		errno = ENOMEM;
		return NULL;
	}
	return f;
}

/*
 * Every distinct file stays open while a remembered process maps it: with many container
 * images (each with its own libc) that passes the usual soft limit of 1024 descriptors.
 * Raise the soft limit to the hard one, once, when that happens.
 */
static bool raise_nofile_limit(struct symfiles *fs)
{
	struct rlimit rl;

	if (fs->nofile_raised || getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= rl.rlim_max)
		return false;
	fs->nofile_raised = true;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return false;
	st_info(1, "syms: raised the open-file limit to %llu", (unsigned long long)rl.rlim_max);
	return true;
}

struct vdso_find {
	uint64_t start, end;
};

static int vdso_find_fn(const struct procmap *m, void *ctx)
{
	struct vdso_find *v = ctx;

	if (strcmp(m->path, "[vdso]"))
		return 0;
	v->start = m->start;
	v->end = m->end;
	return 1;
}

/* Copy our own vDSO into a memfd: libdwfl reads files, and every process shares it. */
static int vdso_memfd(uint64_t *size)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	struct vdso_find v = { 0 };
	int fd, err = procmaps__foreach(getpid(), vdso_find_fn, &v);

	if (err < 0)
		return err;
	if (!base || err != 1 || v.start != base)
		return -ENOENT;
	*size = v.end - v.start;
	fd = memfd_create("scaletrace-vdso", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, (const void *)base, *size) != (ssize_t)*size) {
		close(fd);
		return -EIO;
	}
	return fd;
}

/* Once per table: our vDSO image as a symfile. */
static void symfiles_vdso_init(struct symfiles *fs)
{
	struct symfile_id id;
	int fd = vdso_memfd(&fs->vdso_size);

	if (fd == -EMFILE && raise_nofile_limit(fs))
		fd = vdso_memfd(&fs->vdso_size);
	if (fd >= 0 && !symfile__identify(fd, &id))
		fs->vdso = symfile__open(fd, "[vdso]", &id, &fs->cb);
	else if (fd >= 0)
		close(fd);
	fs->vdso_state = fs->vdso ? VDSO_READY : VDSO_FAILED;
}

static struct symfile *symfiles_vdso(struct symfiles *fs, const struct procmap *m)
{
	if (fs->vdso_state == VDSO_UNTRIED)
		symfiles_vdso_init(fs);
	if (fs->vdso_state != VDSO_READY || m->end - m->start != fs->vdso_size) {
		errno = ENOENT;
		return NULL;
	}
	symfile__get(fs->vdso);
	return fs->vdso;
}

static bool symfiles_match_map(const void *val, const void *arg)
{
	const uint64_t *want = arg;
	uint64_t dev, ino;

	symfile__map_id(val, &dev, &ino);
	return dev == want[0] && ino == want[1];
}

/*
 * A file open here for a mapping with the same device and inode in some
 * process's maps is this one (the descriptor it keeps holds that inode, so
 * the pair is not reused while it is open): each new process of a busy node
 * maps files already open, and finds them without an open and an fstat each
 * (66 executable mappings for fio).
 */
struct symfile *symfiles__open(struct symfiles *fs, pid_t pid, const struct procmap *m)
{
	uint64_t want[2] = { (uint64_t)m->dev_major << 20 | m->dev_minor, m->inode };
	struct symfile *f;
	int fd;

	if (!strcmp(m->path, "[vdso]"))
		return symfiles_vdso(fs, m);
	if (m->path[0] != '/') {
		errno = ENOENT;
		return NULL;
	}
	if (m->inode) {
		f = symhash__find(fs->by_map, symfiles_key(want[0], want[1]), symfiles_match_map,
				  want);
		if (f) {
			symfile__get(f);
			return f;
		}
	}
	fd = symfiles_open_fd(pid, m);
	if (fd < 0 && errno == EMFILE && raise_nofile_limit(fs))
		fd = symfiles_open_fd(pid, m);
	if (fd < 0)
		return NULL;
	fs->opens++;
	f = symfiles_intern(fs, fd, m->path);
	/*
	 * Only when what was opened is that inode (a path re-resolved may name a
	 * newer file; overlayfs may show another inode number), and one alias
	 * per file: another view of the same file goes the long way.
	 */
	if (f && m->inode && symfile__id(f)->ino == m->inode) {
		uint64_t dev, ino;

		symfile__map_id(f, &dev, &ino);
		if (!ino && !symhash__add(fs->by_map, symfiles_key(want[0], want[1]), f))
			symfile__set_map_id(f, want[0], want[1]);
	}
	return f;
}
