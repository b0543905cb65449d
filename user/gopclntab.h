/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Go's PC -> function table (.gopclntab), for Go binaries stripped of .symtab
 * (go build -ldflags='-s -w'). Layouts, by magic (little-endian, 4- or 8-byte pointers):
 *   0xfffffffb  Go 1.2 - 1.15   ftab of (entry PC, func offset) pointer pairs
 *   0xfffffffa  Go 1.16 - 1.17  header with section offsets; pointer-sized ftab
 *   0xfffffff0  Go 1.18 - 1.19  adds textStart; ftab of uint32 offsets from it
 *   0xfffffff1  Go 1.20 +       same table layout as 1.18
 * Every offset is bounds-checked: a corrupt or hostile table yields NULL, never a bad read.
 */
#ifndef ST_GOPCLNTAB_H
#define ST_GOPCLNTAB_H

#include <libelf.h>
#include <stddef.h>
#include <stdint.h>

enum gopclntab_version {
	GOPCLNTAB_V12 = 12,   /* Go 1.2 - 1.15 */
	GOPCLNTAB_V116 = 116, /* Go 1.16 - 1.17 */
	GOPCLNTAB_V118 = 118, /* Go 1.18 - 1.19 */
	GOPCLNTAB_V120 = 120, /* Go 1.20 + */
};

struct gopclntab;

/*
 * Parse a table image of @size bytes. @data is borrowed: it must outlive the table.
 * @text_start is the address of runtime.text (the .text section), used by 1.18+ tables
 * whose textStart field is 0 in the file (PIE: filled in by a dynamic relocation).
 * NULL with errno EINVAL when the image is not a table this parser knows.
 */
struct gopclntab *gopclntab__new(const void *data, size_t size, uint64_t text_start);

/*
 * Find the table in an ELF image: section .gopclntab (or .data.rel.ro.gopclntab in PIE),
 * else, when section headers are gone, a scan of the loadable segments for a valid
 * header. Borrows @elf's data: @elf must outlive the table. NULL + errno ENOENT if none.
 */
struct gopclntab *gopclntab__from_elf(Elf *elf);

void gopclntab__free(struct gopclntab *t);

/*
 * Name of the function containing @pc (an ELF virtual address), NULL if none. @offset
 * (optional) gets pc - entry. The string points into the table image.
 */
const char *gopclntab__lookup(const struct gopclntab *t, uint64_t pc, uint64_t *offset);

/*
 * Entry and end of the function named exactly @name ("main.(*nodeServer).NodeStageVolume"),
 * by a linear walk of the function table. @end is where its code ends by its pcsp table
 * (the INT3 padding before the next function left out, as in the st_size of an unstripped
 * binary's symbol), else the next function's entry. 0, -ENOENT if no function has that
 * name, -EINVAL for a NULL table or name.
 */
int gopclntab__find(const struct gopclntab *t, const char *name, uint64_t *entry, uint64_t *end);

size_t gopclntab__count(const struct gopclntab *t);
enum gopclntab_version gopclntab__version(const struct gopclntab *t);
/* [min, max) PC range the table covers. */
void gopclntab__range(const struct gopclntab *t, uint64_t *min_pc, uint64_t *max_pc);

#endif
