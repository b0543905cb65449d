/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The table of opened ELF files shared by every process of a syms_cache: one symfile per
 * (device, inode, build-id), reference-counted by the mappings that use it.
 */
#ifndef ST_SYMFILES_H
#define ST_SYMFILES_H

#include "procmaps.h"
#include "symfile.h"

#include <stddef.h>
#include <sys/types.h>

struct symfiles;

/*
 * @debug_dirs: colon-separated directories searched (before /usr/lib/debug) for
 * .build-id/xx/yyyy.debug files; NULL or "" for none.
 */
struct symfiles *symfiles__new(const char *debug_dirs);
void symfiles__free(struct symfiles *fs);

/*
 * A referenced file for mapping @m of process @pid, shared with every other mapping of
 * the same file. Opened through /proc/PID/map_files (the exact inode: works for deleted
 * files and other mount namespaces), else /proc/PID/root/PATH, else PATH if its inode
 * matches. "[vdso]" is served from this process's own vDSO image when it has the same
 * size (same kernel, same ABI). NULL + errno when none of that works or it is not ELF.
 * Each distinct file holds a descriptor: on EMFILE the soft RLIMIT_NOFILE is raised to
 * the hard limit (once) and the open retried.
 */
struct symfile *symfiles__open(struct symfiles *fs, pid_t pid, const struct procmap *m);
void symfiles__put(struct symfiles *fs, struct symfile *f);
size_t symfiles__count(const struct symfiles *fs);
/* How many times a mapped file was opened (symfiles__open that found none open). */
uint64_t symfiles__opens(const struct symfiles *fs);

#endif
