/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One process's executable mappings, snapshotted from /proc/PID/maps with their ELF
 * files opened at once, so the process can be symbolized after it exits.
 */
#ifndef ST_SYMPROC_H
#define ST_SYMPROC_H

#include "symfiles.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct symmap {
	uint64_t start, end; /* [start, end) run-time addresses */
	uint64_t pgoff;	     /* file offset mapped at start */
	uint64_t inode;	     /* as /proc/PID/maps shows them, to recognise it at a reload */
	unsigned int dev_major, dev_minor;
	struct symfile *file; /* a reference; NULL when the file could not be opened as ELF */
	char *label;	      /* module name when file is NULL: basename, "[vsyscall]", "[anon]" */
};

struct symproc;

struct symproc *symproc__new(pid_t pid);
/* Releases the file references into @fs. */
void symproc__free(struct symproc *p, struct symfiles *fs);

/*
 * Read /proc/PID/maps now and open the files of its executable mappings. On a later
 * call the new snapshot wins, and earlier mappings that no new one overlaps are kept
 * (a library unloaded since may still be on recorded stacks). 0 or -errno; -ESRCH when
 * the process is gone. A failure leaves the earlier snapshot in place.
 *
 * Reloads are cheap: maps text identical to the last one read (same length and 64-bit
 * hash) is not parsed again, and a file mapping identical to a known one (same range,
 * offset, device and inode) keeps its file instead of opening it again. A file that
 * could not be opened is retried only when the maps text changed.
 */
int symproc__load(struct symproc *p, struct symfiles *fs);

/* The mapping containing @addr, or NULL. */
struct symmap *symproc__find(const struct symproc *p, uint64_t addr);
size_t symproc__nmaps(const struct symproc *p);
pid_t symproc__pid(const struct symproc *p);

#endif
