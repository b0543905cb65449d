// SPDX-License-Identifier: GPL-2.0
/* Go .gopclntab parser: PC -> function name for Go binaries without .symtab. */
#include "gopclntab.h"

#include <endian.h>
#include <errno.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define GO_MAGIC_12  0xfffffffbu
#define GO_MAGIC_116 0xfffffffau
#define GO_MAGIC_118 0xfffffff0u
#define GO_MAGIC_120 0xfffffff1u

struct gopclntab {
	const uint8_t *data;
	size_t size;
	enum gopclntab_version version;
	unsigned int ptrsize;
	unsigned int quantum; /* pc deltas in pc-value tables are in units of this */
	uint64_t nfunc;
	uint64_t text_start;	 /* added to ftab entries (1.18+); 0 when they are absolute PCs */
	size_t ftab;		 /* offset of ftab: nfunc (entry, funcoff) pairs + the end PC */
	unsigned int field;	 /* width of one ftab field */
	size_t funcdata;	 /* funcoff is relative to this offset */
	size_t names;		 /* a _func's nameoff is relative to this offset */
	unsigned int nameoff_at; /* where nameoff sits in a _func (after its entry field) */
	size_t pctab;		 /* a _func's pcsp offset is relative to this offset */
};

/* Little-endian read of a 4- or 8-byte field at @off; false when out of bounds. */
static bool gp_read(const struct gopclntab *t, uint64_t off, unsigned int width, uint64_t *out)
{
	uint32_t v32;
	uint64_t v64;

	if (off > t->size || width > t->size - off)
		return false;
	if (width == 4) {
		memcpy(&v32, t->data + off, 4);
		*out = le32toh(v32);
	} else {
		memcpy(&v64, t->data + off, 8);
		*out = le64toh(v64);
	}
	return true;
}

/* Header word @i (pointer-sized), counted from the end of the 8-byte preamble. */
static bool gp_word(const struct gopclntab *t, unsigned int i, uint64_t *out)
{
	return gp_read(t, 8 + (uint64_t)i * t->ptrsize, t->ptrsize, out);
}

static int gp_layout_12(struct gopclntab *t)
{
	t->version = GOPCLNTAB_V12;
	t->ftab = 8 + t->ptrsize;
	t->field = t->ptrsize;
	t->funcdata = 0;
	t->names = 0;
	t->nameoff_at = t->ptrsize;
	t->pctab = 0;
	return gp_word(t, 0, &t->nfunc) ? 0 : -EINVAL;
}

/* 1.16+: nfunc, nfiles, [textStart,] funcnameOffset, cuOffset, filetabOffset, pctabOffset,
 * pclnOffset. */
static int gp_layout_116(struct gopclntab *t, bool has_text, uint64_t text_hint)
{
	unsigned int o = has_text ? 1 : 0;
	uint64_t names, pctab, pcln, text = 0;

	if (!gp_word(t, 0, &t->nfunc) || !gp_word(t, 2 + o, &names) || !gp_word(t, 5 + o, &pctab) ||
	    !gp_word(t, 6 + o, &pcln))
		return -EINVAL;
	if (has_text && !gp_word(t, 2, &text))
		return -EINVAL;
	if (names > t->size || pcln > t->size)
		return -EINVAL;
	/* Only code sizes come from pctab: an odd value there costs them, not the table. */
	t->pctab = pctab <= t->size ? pctab : t->size;
	t->names = names;
	t->ftab = pcln;
	t->funcdata = pcln;
	t->field = has_text ? 4 : t->ptrsize;
	t->nameoff_at = has_text ? 4 : t->ptrsize;
	t->text_start = has_text ? (text ? text : text_hint) : 0;
	return 0;
}

static int gp_parse_header(struct gopclntab *t, uint64_t text_hint)
{
	const uint8_t *d = t->data;
	uint64_t magic;

	if (t->size < 16 || !gp_read(t, 0, 4, &magic) || d[4] || d[5])
		return -EINVAL;
	if ((d[6] != 1 && d[6] != 2 && d[6] != 4) || (d[7] != 4 && d[7] != 8))
		return -EINVAL;
	t->ptrsize = d[7];
	t->quantum = d[6];
	switch (magic) {
	case GO_MAGIC_12:
		return gp_layout_12(t);
	case GO_MAGIC_116:
		t->version = GOPCLNTAB_V116;
		return gp_layout_116(t, false, text_hint);
	case GO_MAGIC_118:
	case GO_MAGIC_120:
		t->version = magic == GO_MAGIC_118 ? GOPCLNTAB_V118 : GOPCLNTAB_V120;
		return gp_layout_116(t, true, text_hint);
	default:
		return -EINVAL;
	}
}

static bool gp_entry(const struct gopclntab *t, uint64_t i, uint64_t *pc)
{
	if (!gp_read(t, t->ftab + 2 * i * t->field, t->field, pc))
		return false;
	*pc += t->text_start;
	return true;
}

/* The ftab (2 * nfunc + 1 fields) must fit, and entries must be sorted for bsearch. */
static int gp_check_ftab(const struct gopclntab *t)
{
	uint64_t prev = 0, pc;

	if (!t->nfunc || t->ftab > t->size || t->nfunc >= (t->size - t->ftab) / (2 * t->field))
		return -EINVAL;
	for (uint64_t i = 0; i <= t->nfunc; i++) {
		if (!gp_entry(t, i, &pc) || pc < prev)
			return -EINVAL;
		prev = pc;
	}
	return 0;
}

struct gopclntab *gopclntab__new(const void *data, size_t size, uint64_t text_start)
{
	struct gopclntab *t;

	if (!data) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->data = data;
	t->size = size;
	if (gp_parse_header(t, text_start) || gp_check_ftab(t)) {
		free(t);
		errno = EINVAL;
		return NULL;
	}
	return t;
}

void gopclntab__free(struct gopclntab *t)
{
	free(t);
}

size_t gopclntab__count(const struct gopclntab *t)
{
	return t ? t->nfunc : 0;
}

enum gopclntab_version gopclntab__version(const struct gopclntab *t)
{
	return t->version;
}

void gopclntab__range(const struct gopclntab *t, uint64_t *min_pc, uint64_t *max_pc)
{
	if (!gp_entry(t, 0, min_pc) || !gp_entry(t, t->nfunc, max_pc))
		*min_pc = *max_pc = 0;
}

/* Name of function @i: funcdata + funcoff -> _func; its nameoff indexes the name table. */
static const char *gp_func_name(const struct gopclntab *t, uint64_t i)
{
	uint64_t funcoff, nameoff, pos;
	const char *name;

	if (!gp_read(t, t->ftab + (2 * i + 1) * t->field, t->field, &funcoff) ||
	    !gp_read(t, t->funcdata + funcoff + t->nameoff_at, 4, &nameoff))
		return NULL;
	if ((int32_t)nameoff < 0)
		return NULL;
	pos = t->names + nameoff;
	if (pos >= t->size)
		return NULL;
	name = (const char *)t->data + pos;
	return memchr(name, '\0', t->size - pos) && *name ? name : NULL;
}

const char *gopclntab__lookup(const struct gopclntab *t, uint64_t pc, uint64_t *offset)
{
	uint64_t lo = 0, hi, entry;

	if (!t || !gp_entry(t, t->nfunc, &entry) || pc >= entry)
		return NULL;
	/* Largest i < nfunc with entry(i) <= pc. */
	hi = t->nfunc;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (gp_entry(t, mid, &entry) && entry <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	gp_entry(t, lo - 1, &entry);
	if (offset)
		*offset = pc - entry;
	return gp_func_name(t, lo - 1);
}

/* Go's unsigned varint (LEB128) at *@pos, at most 5 bytes for its uint32 values. */
static bool gp_uvarint(const struct gopclntab *t, uint64_t *pos, uint32_t *out)
{
	uint32_t v = 0;

	for (unsigned int shift = 0; shift < 35; shift += 7) {
		uint8_t b;

		if (*pos >= t->size)
			return false;
		b = t->data[(*pos)++];
		v |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return true;
		}
	}
	return false;
}

/*
 * Bytes of code of function @i, 0 if unknown. The pc deltas of its pcsp table (value
 * delta, pc delta; a 0 value delta after the first pair ends it) add up to the size the
 * compiler gave the function (cmd/internal/obj funcpctab): the INT3 padding up to the
 * next entry is not part of it. pcsp sits 12 bytes after nameoff in every _func layout.
 */
static uint64_t gp_code_size(const struct gopclntab *t, uint64_t i)
{
	uint64_t funcoff, pcsp, pos, len = 0;
	uint32_t vdelta, pcdelta;

	if (!gp_read(t, t->ftab + (2 * i + 1) * t->field, t->field, &funcoff) ||
	    !gp_read(t, t->funcdata + funcoff + t->nameoff_at + 12, 4, &pcsp) || !pcsp)
		return 0;
	pos = t->pctab + pcsp;
	for (bool first = true; len <= UINT32_MAX; first = false) {
		if (!gp_uvarint(t, &pos, &vdelta))
			return 0;
		if (!vdelta && !first)
			return len;
		if (!gp_uvarint(t, &pos, &pcdelta))
			return 0;
		len += (uint64_t)pcdelta * t->quantum;
	}
	return 0;
}

int gopclntab__find(const struct gopclntab *t, const char *name, uint64_t *entry, uint64_t *end)
{
	uint64_t lo, hi, size;

	if (!t || !name)
		return -EINVAL;
	for (uint64_t i = 0; i < t->nfunc; i++) {
		const char *n = gp_func_name(t, i);

		if (!n || strcmp(n, name))
			continue;
		if (!gp_entry(t, i, &lo) || !gp_entry(t, i + 1, &hi))
			return -EINVAL;
		size = gp_code_size(t, i);
		*entry = lo;
		*end = size && size <= hi - lo ? lo + size : hi;
		return 0;
	}
	return -ENOENT;
}

/* ---- finding the table in an ELF image ------------------------------------------ */

static Elf_Scn *elf_section_by_name(Elf *elf, const char *name, GElf_Shdr *shdr)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, shdr))
			continue;
		n = elf_strptr(elf, shstrndx, shdr->sh_name);
		if (n && !strcmp(n, name))
			return scn;
	}
	return NULL;
}

static struct gopclntab *gp_from_section(Elf *elf, uint64_t text)
{
	static const char *const names[] = { ".gopclntab", ".data.rel.ro.gopclntab" };
	GElf_Shdr shdr;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		Elf_Scn *scn = elf_section_by_name(elf, names[i], &shdr);
		Elf_Data *d;

		if (!scn || shdr.sh_type == SHT_NOBITS)
			continue;
		d = elf_rawdata(scn, NULL);
		if (d && d->d_buf)
			return gopclntab__new(d->d_buf, d->d_size, text);
	}
	return NULL;
}

/* Any offset in [@seg, @seg + @len) where a valid table header starts. */
static struct gopclntab *gp_scan(const uint8_t *seg, size_t len, uint64_t text)
{
	static const uint32_t magics[] = { GO_MAGIC_120, GO_MAGIC_118, GO_MAGIC_116, GO_MAGIC_12 };

	for (size_t m = 0; m < sizeof(magics) / sizeof(magics[0]); m++) {
		uint32_t le = htole32(magics[m]);
		const uint8_t *p = seg, *end = seg + len;

		while ((p = memmem(p, (size_t)(end - p), &le, sizeof(le)))) {
			struct gopclntab *t = gopclntab__new(p, (size_t)(end - p), text);

			if (t)
				return t;
			p++;
		}
	}
	return NULL;
}

/* No section headers: search the file-backed part of each PT_LOAD segment. */
static struct gopclntab *gp_from_segments(Elf *elf)
{
	size_t fsize, phnum;
	const uint8_t *image = (const uint8_t *)elf_rawfile(elf, &fsize);
	uint64_t text = 0;
	GElf_Phdr ph;

	if (!image || elf_getphdrnum(elf, &phnum))
		return NULL;
	/* Best effort for 1.18+ PIE tables: the executable segment's start. */
	for (size_t i = 0; i < phnum && !text; i++) {
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD && (ph.p_flags & PF_X))
			text = ph.p_vaddr;
	}
	for (size_t i = 0; i < phnum; i++) {
		struct gopclntab *t;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    ph.p_offset > fsize || ph.p_filesz > fsize - ph.p_offset)
			continue;
		t = gp_scan(image + ph.p_offset, ph.p_filesz, text);
		if (t)
			return t;
	}
	return NULL;
}

/* Go's linker always writes a note named "Go\0\0" (namesz 4) of type 4: the Go build ID. */
static bool elf_is_go(Elf *elf)
{
	size_t phnum;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &phnum))
		return false;
	for (size_t i = 0; i < phnum; i++) {
		Elf_Data *d;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE)
			continue;
		d = elf_getdata_rawchunk(elf, ph.p_offset, ph.p_filesz, ELF_T_NHDR);
		while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off))) {
			if (nh.n_type == 4 && nh.n_namesz >= 3 &&
			    !memcmp((const char *)d->d_buf + name_off, "Go", 3))
				return true;
		}
	}
	return false;
}

struct gopclntab *gopclntab__from_elf(Elf *elf)
{
	struct gopclntab *t;
	GElf_Shdr shdr;
	uint64_t text = 0;

	if (!elf) {
		errno = EINVAL;
		return NULL;
	}
	if (elf_section_by_name(elf, ".text", &shdr))
		text = shdr.sh_addr;
	t = gp_from_section(elf, text);
	if (!t && elf_is_go(elf))
		t = gp_from_segments(elf);
	if (!t)
		errno = ENOENT;
	return t;
}
