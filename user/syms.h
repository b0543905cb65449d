/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space symbols for many processes, surviving their exit.
 *
 * Call syms_cache__prepare() when a process is first seen (exec, first event): it
 * snapshots /proc/PID/maps and opens every executable mapping's ELF file at once, so
 * stacks recorded while the process lived still resolve after it exited, even when its
 * binary was deleted. Files are shared between processes by (device, inode, build-id);
 * the number of processes remembered is capped (least recently used evicted first).
 * syms_cache__refresh() adds what a live process mapped since (dlopen);
 * syms_cache__is_call_site() tells return addresses apart on a raw stack, from the same
 * open files.
 *
 * Symbols come from .symtab/.dynsym, MiniDebugInfo (.gnu_debugdata), separate debug
 * files by build-id (configured directories, then /usr/lib/debug/.build-id) or
 * debuglink, and .gopclntab for Go binaries without .symtab; the vDSO is resolved from
 * this process's own copy. Names are not demangled. Not thread-safe. As everywhere
 * libdwfl is used, a DEBUGINFOD_URLS environment variable lets it fetch missing debug
 * files over the network: leave it unset on nodes that must stay offline.
 *
 * String lifetime: names and modules returned by syms_cache__resolve() stay valid until
 * that pid is forgotten (syms_cache__forget(), or evicted by the cap inside a later
 * prepare/resolve of another pid) or the cache is freed. Copy or intern them if they
 * must outlive that.
 */
#ifndef ST_SYMS_H
#define ST_SYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SYMS_DEFAULT_MAX_PROCS	4096
#define SYMS_DEFAULT_REFRESH_MS 1000

struct syms_opts {
	/* Colon-separated directories holding .build-id/xx/yyyy.debug trees, searched
	 * before /usr/lib/debug (relative ones are made absolute at creation, missing ones
	 * skipped). NULL: only the system ones. */
	const char *debug_dirs;
	/* Processes remembered at most; 0 = SYMS_DEFAULT_MAX_PROCS. */
	size_t max_procs;
	/* An address in no known mapping of a live process re-reads its maps (a dlopen since
	 * the snapshot), at most once per this many ms; 0 = SYMS_DEFAULT_REFRESH_MS. */
	unsigned int refresh_ms;
};

struct syms_stats {
	size_t procs;	    /* processes remembered now */
	size_t files;	    /* distinct ELF files open now, shared between processes */
	size_t mappings;    /* executable mappings remembered now */
	uint64_t evictions; /* processes dropped by the max_procs cap */
	uint64_t opens;	   /* mapped files opened (a file already open is found by its maps line) */
	uint64_t resolved; /* syms_cache__resolve() calls that found a symbol */
	uint64_t unresolved;
};

struct sym_info {
	const char *name;   /* function, or NULL if unknown */
	const char *module; /* basename of the mapped file ("libc.so.6", "[vdso]"), or NULL */
	uint64_t offset;    /* with a name: addr - function start; without: see resolve */
};

struct syms_cache;

/* @opts may be NULL. NULL + errno on failure. */
struct syms_cache *syms_cache__new(const struct syms_opts *opts);
void syms_cache__free(struct syms_cache *c);

/*
 * Snapshot @pid's mappings and open their files now. Idempotent: a pid already known is
 * only marked as recently used. Call syms_cache__forget() first at exec, so that the new
 * image replaces the old one. 0 or -errno; -ESRCH when the process is gone.
 */
int syms_cache__prepare(struct syms_cache *c, pid_t pid);

/*
 * Symbolize user address @addr of process @pid (its tgid), preparing it first if it is
 * unknown and still alive. 0 with out->name, out->module and out->offset set; -ENOENT
 * when there is no symbol. Then out->module is still set if the mapping is known, with
 * out->offset the address in that module: the ELF virtual address (what addr2line and
 * nm use) when the file is readable, else the file offset.
 */
int syms_cache__resolve(struct syms_cache *c, pid_t pid, uint64_t addr, struct sym_info *out);

/*
 * Re-read @pid's /proc/PID/maps now, whatever the refresh_ms rate limit, and open the
 * files of mappings new since the last read (a library dlopen()ed after prepare): call it
 * when the process is known to have mapped something, so that its addresses still
 * resolve if it exits before they are looked up. Known mappings stay, even unmapped
 * ones (earlier stacks may hold their addresses), unless new ones overlap them. Cheap
 * when nothing changed: the maps text is hashed and compared with the last one, and
 * unchanged file mappings keep their open file. An unknown pid is prepared. 0 or -errno;
 * -ESRCH when the process is gone (the earlier snapshot stays).
 */
int syms_cache__refresh(struct syms_cache *c, pid_t pid);

/*
 * Is @ret_addr a return address in @pid: is it in an executable file mapping (or the
 * vDSO) of @pid, and do the code bytes just before it decode as an x86 call ending
 * exactly at @ret_addr (E8 rel32 aimed at code of the same file, or FF /2 with any ModRM,
 * SIB, displacement and prefixes)? The process is looked up, prepared and refreshed on
 * a miss like syms_cache__resolve(); the bytes come from the ELF file opened at prepare,
 * never from the process, so this keeps working after it exited. False for anonymous
 * (JIT) code, unknown mappings and other architectures. No system call for an address in
 * a known mapping (a few byte compares): cheap enough for every word of a stack.
 *
 * Frame-pointer unwinding loses the caller of a leaf function in a library built without
 * frame pointers (Debian's glibc): the leaf's caller is skipped. The BPF side also
 * captures the first user-stack words from sp; the words that are call sites are the
 * return addresses that recover the missing frames. A false positive is possible (a
 * stale return address, or data that happens to point just after a call); a return
 * address pushed by a call instruction of a known file is never missed.
 */
bool syms_cache__is_call_site(struct syms_cache *c, pid_t pid, uint64_t ret_addr);

/* Drop one process (after its last stack is resolved, or at exec). */
void syms_cache__forget(struct syms_cache *c, pid_t pid);

void syms_cache__stats(const struct syms_cache *c, struct syms_stats *st);

/*
 * One user frame for folded stacks and reports, into @buf (always NUL-terminated when
 * @len > 0): the function name alone (no offset, so that samples aggregate), else
 * "[unknown] (MODULE+0xOFF)" when only the module is known, else "[unknown]". @info may
 * be NULL (nothing known). ';' and control characters, which would break the folded
 * format, become '_'. @addr is not printed: folded output must aggregate, and raw
 * addresses of unknown frames would not. Returns the length written.
 */
int sym_format_user(char *buf, size_t len, const struct sym_info *info, uint64_t addr);

#endif
