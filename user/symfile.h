/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One mapped ELF file and its symbols: libdwfl for .symtab/.dynsym, MiniDebugInfo
 * (.gnu_debugdata) and separate debug files (build-id, debuglink); .gopclntab for Go
 * binaries. Addresses here are ELF virtual addresses (p_vaddr space), not run-time ones.
 * The file descriptor given at open time stays open (inside libdwfl) for the object's
 * life, so a file unlinked or a process exited since still resolves.
 */
#ifndef ST_SYMFILE_H
#define ST_SYMFILE_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYMFILE_BUILD_ID_MAX 64

/* An opened file: its device and inode (what sharing compares) and its GNU build-id. */
struct symfile_id {
	uint64_t dev, ino;
	uint8_t build_id[SYMFILE_BUILD_ID_MAX];
	size_t build_id_len; /* 0: the file has none */
};

/* Fill @id from an open ELF file. 0 or -errno (-ENOEXEC: not ELF). */
int symfile__identify(int fd, struct symfile_id *id);

struct symfile;

/*
 * Open the ELF behind @fd (always consumed, even on failure). @path names it for messages,
 * debuglink search and the module name (its basename). @cb must outlive the object; its
 * debuginfo_path decides where build-id debug files are looked for. NULL + errno on error.
 */
struct symfile *symfile__open(int fd, const char *path, const struct symfile_id *id,
			      const Dwfl_Callbacks *cb);
void symfile__free(struct symfile *f);

/* Reference count, for sharing between processes; a new file has 1. */
void symfile__get(struct symfile *f);
/* Drop a reference; true when it was the last (the caller then frees). */
bool symfile__put(struct symfile *f);

const struct symfile_id *symfile__id(const struct symfile *f);
/*
 * The device and inode a process's maps showed for this file (0, 0: none
 * noted); symfiles finds the file by them without opening it again.
 */
void symfile__set_map_id(struct symfile *f, uint64_t dev, uint64_t ino);
void symfile__map_id(const struct symfile *f, uint64_t *dev, uint64_t *ino);
/* Basename of the path given at open ("libc.so.6"); lives as long as @f. */
const char *symfile__module(const struct symfile *f);

/* File offset -> ELF virtual address through the PT_LOAD segment that maps it. */
bool symfile__vaddr(const struct symfile *f, uint64_t file_off, uint64_t *vaddr);

/*
 * Function containing ELF address @vaddr, or NULL. @offset gets vaddr - symbol start.
 * Go tables are tried first when the file has one (they are exact and complete), then
 * the function symbols libdwfl loaded, copied at the first lookup into a sorted index
 * (libdwfl's own address lookup is a linear scan). Among aliases at one address the
 * global, then weak, then local one with the fewest leading '_' wins. The name lives
 * as long as @f.
 */
const char *symfile__lookup(struct symfile *f, uint64_t vaddr, uint64_t *offset);

/*
 * Is file offset @file_off, inside an executable PT_LOAD segment, a return address: do
 * the bytes just before it decode as an x86 call ending exactly there? Read from the
 * file itself (never from a process). False for other machines. A direct call must also
 * target code of this file. See syms_cache__is_call_site().
 */
bool symfile__is_call_site(struct symfile *f, uint64_t file_off);

/* Longest call that symfile__x86_call_before() looks for, without its prefixes. */
#define X86_CALL_MAX 7

enum x86_call {
	X86_CALL_NONE,
	X86_CALL_DIRECT,   /* E8 rel32; *rel32 is set */
	X86_CALL_INDIRECT, /* FF /2, any ModRM/SIB/displacement (REX or others may precede) */
};

/*
 * Does a call instruction end exactly at @code + @n (the @n bytes before a return
 * address)? Indirect wins when both readings fit. 64- and 32-bit x86 share the lengths.
 */
enum x86_call symfile__x86_call_before(const uint8_t *code, size_t n, int32_t *rel32);

#endif
