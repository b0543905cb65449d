// SPDX-License-Identifier: GPL-2.0
/* Function entry and return-instruction file offsets, for uprobes on C and Go code. */
#include "funcaddr.h"
#include "gopclntab.h"

#include <capstone.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

struct fa_elf {
	int fd;
	Elf *elf;
};

static void fa_close(struct fa_elf *e)
{
	elf_end(e->elf);
	if (e->fd >= 0)
		close(e->fd);
}

/* An executable or shared object (ET_EXEC / ET_DYN: st_value is a virtual address). */
static int fa_open(struct fa_elf *e, const char *path)
{
	GElf_Ehdr eh;

	e->elf = NULL;
	e->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (e->fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	e->elf = elf_begin(e->fd, ELF_C_READ_MMAP, NULL);
	if (!e->elf || elf_kind(e->elf) != ELF_K_ELF || !gelf_getehdr(e->elf, &eh) ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)) {
		fa_close(e);
		return -ENOEXEC;
	}
	return 0;
}

/* Does symbol @name name function @sym: exactly (2), as Go's "@sym.abi0" (1), or not (0)? */
static int fa_name_match(const char *name, const char *sym)
{
	size_t n = strlen(sym);

	if (strncmp(name, sym, n))
		return 0;
	if (!name[n])
		return 2;
	return !strcmp(name + n, ".abi0") ? 1 : 0;
}

/* Best-matching defined STT_FUNC symbol in one symbol table; returns its match level. */
static int fa_scan_syms(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, const char *sym,
			struct func_loc *f)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	int best = 0;

	for (size_t i = 0; d && i < sh->sh_size / sh->sh_entsize && best < 2; i++) {
		const char *name;
		GElf_Sym s;
		int m;

		if (!gelf_getsym(d, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
		    s.st_shndx == SHN_UNDEF)
			continue;
		name = elf_strptr(elf, sh->sh_link, s.st_name);
		m = name ? fa_name_match(name, sym) : 0;
		if (m > best) {
			best = m;
			f->vaddr = s.st_value;
			f->size = s.st_size;
		}
	}
	return best;
}

/* @sym in the symbol table(s) of section type @type (SHT_SYMTAB or SHT_DYNSYM). */
static int fa_symtab(Elf *elf, Elf64_Word type, const char *sym, struct func_loc *f)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		if (gelf_getshdr(scn, &sh) && sh.sh_type == type && sh.sh_entsize &&
		    fa_scan_syms(elf, scn, &sh, sym, f))
			return 0;
	}
	return -ENOENT;
}

static int fa_gopclntab(Elf *elf, const char *sym, struct func_loc *f)
{
	struct gopclntab *t = gopclntab__from_elf(elf);
	uint64_t end;
	int err;

	if (!t)
		return errno == ENOMEM ? -ENOMEM : -ENOENT;
	err = gopclntab__find(t, sym, &f->vaddr, &end);
	if (!err)
		f->size = end - f->vaddr;
	gopclntab__free(t);
	return err;
}

/* vaddr -> file offset through the PT_LOAD segment whose file part holds the entry. */
static int fa_to_file(Elf *elf, struct func_loc *f)
{
	size_t phnum;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &phnum))
		return -ENOEXEC;
	for (size_t i = 0; i < phnum; i++) {
		uint64_t in;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    f->vaddr < ph.p_vaddr || f->vaddr - ph.p_vaddr >= ph.p_filesz)
			continue;
		in = f->vaddr - ph.p_vaddr;
		f->file_off = ph.p_offset + in;
		if (f->size > ph.p_filesz - in)
			f->size = ph.p_filesz - in;
		return 0;
	}
	return -ERANGE;
}

int func_find(const char *path, const char *sym, struct func_loc *out)
{
	struct func_loc f = { 0 };
	struct fa_elf e;
	int err;

	if (!path || !sym || !*sym || !out)
		return -EINVAL;
	err = fa_open(&e, path);
	if (err)
		return err;
	err = fa_symtab(e.elf, SHT_SYMTAB, sym, &f);
	if (err == -ENOENT)
		err = fa_symtab(e.elf, SHT_DYNSYM, sym, &f);
	if (err == -ENOENT)
		err = fa_gopclntab(e.elf, sym, &f);
	if (!err)
		err = fa_to_file(e.elf, &f);
	if (!err)
		*out = f;
	fa_close(&e);
	return err;
}

/* Is all of @f inside the file part of an executable PT_LOAD segment? */
static bool fa_in_code(Elf *elf, const struct func_loc *f)
{
	size_t phnum;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &phnum))
		return false;
	for (size_t i = 0; i < phnum; i++) {
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    !(ph.p_flags & PF_X) || f->file_off < ph.p_offset ||
		    f->file_off - ph.p_offset > ph.p_filesz)
			continue;
		if (f->size <= ph.p_filesz - (f->file_off - ph.p_offset))
			return true;
	}
	return false;
}

static int fa_disasm_open(Elf *elf, csh *cs)
{
	GElf_Ehdr eh;
	cs_mode mode;
	cs_err err;

	if (!gelf_getehdr(elf, &eh))
		return -ENOEXEC;
	if (eh.e_machine == EM_X86_64)
		mode = CS_MODE_64; /* also x32 (ELFCLASS32): 64-bit code */
	else if (eh.e_machine == EM_386)
		mode = CS_MODE_32;
	else
		return -EOPNOTSUPP;
	err = cs_open(CS_ARCH_X86, mode, cs);
	if (err == CS_ERR_MEM)
		return -ENOMEM;
	return err == CS_ERR_OK ? 0 : -EOPNOTSUPP;
}

/*
 * Linear sweep of @len bytes of @code, which start at file offset @off: store the offset
 * of each return instruction. Capstone's address is the file offset here. A byte that
 * does not decode (padding, data) is stepped over, as objdump does with "(bad)".
 */
static int fa_sweep(csh cs, const uint8_t *code, size_t len, uint64_t off, uint64_t *offs, int max)
{
	cs_insn *insn = cs_malloc(cs);
	int n = 0;

	if (!insn)
		return -ENOMEM;
	while (len) {
		if (!cs_disasm_iter(cs, &code, &len, &off, insn)) {
			code++;
			len--;
			off++;
			continue;
		}
		if (insn->id != X86_INS_RET) /* RETF is not a near return */
			continue;
		if (n == INT_MAX || (offs && n == max)) {
			n = -E2BIG;
			break;
		}
		if (offs)
			offs[n] = insn->address;
		n++;
	}
	cs_free(insn, 1);
	return n;
}

int func_ret_offsets(const char *path, const struct func_loc *f, uint64_t *offs, int max)
{
	const uint8_t *image;
	struct fa_elf e;
	size_t fsize;
	csh cs;
	int err;

	if (!path || !f || (offs && max < 0))
		return -EINVAL;
	err = fa_open(&e, path);
	if (err)
		return err;
	image = (const uint8_t *)elf_rawfile(e.elf, &fsize);
	if (!image || f->file_off > fsize || f->size > fsize - f->file_off ||
	    !fa_in_code(e.elf, f)) {
		err = -EINVAL;
		goto cleanup;
	}
	err = fa_disasm_open(e.elf, &cs);
	if (err)
		goto cleanup;
	err = fa_sweep(cs, image + f->file_off, f->size, f->file_off, offs, max);
	cs_close(&cs);
cleanup:
	fa_close(&e);
	return err;
}
