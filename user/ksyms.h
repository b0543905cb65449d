/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel symbols from /proc/kallsyms, module symbols included.
 *
 * Lookups are binary searches over an address-sorted table. When several symbols share an
 * address, the one reported is a text symbol over data, a real name over a section marker
 * (_stext, __foo_start), a global over a local, then the first in file order.
 * A symbol extends to the next symbol of the same module; the last symbol of each module
 * (and of the core kernel) covers at most KSYMS_TAIL_MAX bytes, so an address past the
 * end of everything known is "unknown" rather than a huge offset into the last name.
 */
#ifndef ST_KSYMS_H
#define ST_KSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KSYMS_TAIL_MAX (64 * 1024)

struct ksyms;

/*
 * Load /proc/kallsyms. NULL with errno set on failure; when kernel.kptr_restrict hides
 * every address (all zero) errno is EPERM and one clear line says so on stderr.
 */
struct ksyms *ksyms__load(void);
/* Same from a file in kallsyms format ("ADDR TYPE NAME[\t[MODULE]]" lines), e.g. for tests. */
struct ksyms *ksyms__load_file(const char *path);
void ksyms__free(struct ksyms *ks);

/*
 * Name of the symbol containing @addr, or NULL if unknown. @offset (optional) gets
 * addr - symbol start; @module (optional) gets the module name without brackets, or NULL
 * for the core kernel. Strings live until ksyms__free().
 */
const char *ksyms__name(const struct ksyms *ks, uint64_t addr, uint64_t *offset,
			const char **module);
/* Address of @name (first occurrence in kallsyms order, so core kernel first); 0 if absent. */
uint64_t ksyms__addr(const struct ksyms *ks, const char *name);
size_t ksyms__count(const struct ksyms *ks);

/*
 * True for frames that belong to the tracing machinery itself and must never appear in
 * a report: JIT-ed BPF programs and trampolines, the raw-tracepoint and perf-tracepoint
 * glue that runs them, stack helpers, kprobe/kretprobe/fprobe/ftrace/uprobe trampolines
 * and handlers. NULL is not a tracer frame.
 */
bool ksyms__is_tracer_frame(const char *name);

#endif
