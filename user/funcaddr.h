/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a function lives in an ELF file, for uprobes: its entry and every return
 * instruction as file offsets. Go functions get one uprobe per return instruction
 * instead of a uretprobe, whose return-address trampoline breaks Go's stack growth
 * (the runtime copies stacks and unwinds through return addresses it must recognise).
 */
#ifndef ST_FUNCADDR_H
#define ST_FUNCADDR_H

#include <stdint.h>

struct func_loc {
	uint64_t vaddr;	   /* function entry, ELF virtual address */
	uint64_t size;	   /* bytes of code; 0 when the symbol gives no size */
	uint64_t file_off; /* file offset of the entry: what uprobes attach to */
};

/*
 * Find function @sym in the ELF file @path: .symtab, then .dynsym (defined STT_FUNC
 * symbols; a Go assembly function's ".abi0" suffix may be left out), then .gopclntab (Go
 * binaries stripped with -ldflags='-s -w'; the size is the code's, by its pcsp table, so
 * both builds of one program agree). The address goes to a file offset through the
 * PT_LOAD segment holding it, PIE or not; the size is clipped to that segment's file
 * part. Returns 0, -ENOENT when no table names it (nothing printed: the caller says so),
 * -ERANGE when its address is in no loadable segment, -ENOEXEC when @path is not an ELF
 * executable or shared object, or -errno. @out is set only on success.
 */
int func_find(const char *path, const char *sym, struct func_loc *out);

/*
 * File offsets of every return instruction (x86 RET, RET imm16, with any prefix such as
 * REP or BND: the offset is the instruction's first byte) in @f, decoded linearly from
 * its entry with capstone; an undecodable byte is stepped over. Returns how many were
 * stored in @offs, -E2BIG when there are more than @max (never a silently short list),
 * -EINVAL when @f is not inside an executable segment of @path, -EOPNOTSUPP for a
 * machine other than x86-64 / i386, or -errno. @offs NULL: count only, @max ignored.
 */
int func_ret_offsets(const char *path, const struct func_loc *f, uint64_t *offs, int max);

#endif
