// SPDX-License-Identifier: GPL-2.0
/*
 * One mapped ELF file: libdwfl symbol tables plus .gopclntab for stripped Go binaries,
 * and the x86 call-site check on its code.
 */
#include "symfile.h"
#include "gopclntab.h"
#include "symsearch.h"

#include <elfutils/libdwelf.h>
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct symseg {
	uint64_t off, vaddr, filesz;
	bool exec; /* PF_X: holds code */
};

/* A function symbol; the name points into libdwfl's copy of the string table. */
struct symfunc {
	uint64_t addr, size; /* size 0: extends to the next function */
	const char *name;
	int rank; /* among aliases at one address: global, weak, local; fewer '_' */
};

enum symfile_index {
	SYMFILE_INDEX_UNBUILT, /* built at the first lookup: prepare stays cheap */
	SYMFILE_INDEX_BUILT,
};

enum symfile_image {
	SYMFILE_IMAGE_UNKNOWN, /* fetched at the first call-site check */
	SYMFILE_IMAGE_NONE,
	SYMFILE_IMAGE_READY,
};

enum symfile_go {
	SYMFILE_GO_UNKNOWN, /* not looked for yet: most files are not Go, look lazily */
	SYMFILE_GO_NONE,
	SYMFILE_GO_TABLE,
};

struct symfile {
	unsigned int refs;
	struct symfile_id id;
	uint64_t map_dev, map_ino; /* as a process's maps showed it (symfile__set_map_id) */
	char *module;
	Dwfl *dwfl;
	Dwfl_Module *mod; /* reported at bias 0: its addresses are ELF virtual addresses */
	struct symseg *segs;
	size_t nsegs;
	bool x86; /* EM_X86_64 or EM_386: call sites can be decoded */
	enum symfile_image image_state;
	const uint8_t *image; /* the whole file as libelf holds it (mapped) */
	size_t image_size;
	enum symfile_go go_state;
	struct gopclntab *go;
	enum symfile_index index_state;
	struct symfunc *funcs; /* sorted by address, one per address */
	size_t nfuncs;
};

int symfile__identify(int fd, struct symfile_id *id)
{
	const void *bid = NULL;
	struct stat st;
	ssize_t n;
	Elf *elf;

	memset(id, 0, sizeof(*id));
	if (fstat(fd, &st))
		return -errno;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		return -ENOEXEC;
	}
	n = dwelf_elf_gnu_build_id(elf, &bid);
	if (n > 0 && (size_t)n <= sizeof(id->build_id)) {
		memcpy(id->build_id, bid, (size_t)n);
		id->build_id_len = (size_t)n;
	}
	elf_end(elf);
	return 0;
}

static int symfile_load_segments(struct symfile *f)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(f->mod, &bias);
	GElf_Ehdr eh;
	size_t phnum;

	if (!elf || elf_getphdrnum(elf, &phnum) || !gelf_getehdr(elf, &eh))
		return -ENOEXEC;
	f->x86 = eh.e_machine == EM_X86_64 || eh.e_machine == EM_386;
	f->segs = calloc(phnum ? phnum : 1, sizeof(*f->segs));
	if (!f->segs)
		return -ENOMEM;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		f->segs[f->nsegs++] = (struct symseg){ ph.p_offset, ph.p_vaddr, ph.p_filesz,
						       (ph.p_flags & PF_X) != 0 };
	}
	return f->nsegs ? 0 : -ENOEXEC;
}

/* libdwfl takes @fd only when it succeeds. */
static int symfile_report(struct symfile *f, int fd, const char *path, const Dwfl_Callbacks *cb)
{
	f->dwfl = dwfl_begin(cb);
	if (!f->dwfl) {
		close(fd);
		return -ENOMEM;
	}
	dwfl_report_begin(f->dwfl);
	/* ET_DYN at base 0 with p_vaddr added: bias 0, module addresses = ELF addresses. */
	f->mod = dwfl_report_elf(f->dwfl, f->module, path, fd, 0, true);
	if (!f->mod) {
		close(fd);
		return -ENOEXEC;
	}
	dwfl_report_end(f->dwfl, NULL, NULL);
	return symfile_load_segments(f);
}

struct symfile *symfile__open(int fd, const char *path, const struct symfile_id *id,
			      const Dwfl_Callbacks *cb)
{
	struct symfile *f = calloc(1, sizeof(*f));
	const char *base = strrchr(path, '/');
	int err;

	if (!f) {
		close(fd);
		return NULL;
	}
	f->refs = 1;
	f->id = *id;
	f->module = strdup(base ? base + 1 : path);
	if (!f->module) {
		close(fd);
		err = -ENOMEM;
	} else {
		err = symfile_report(f, fd, path, cb);
	}
	if (err) {
		symfile__free(f);
		errno = -err;
		return NULL;
	}
	return f;
}

void symfile__free(struct symfile *f)
{
	if (!f)
		return;
	gopclntab__free(f->go);
	free(f->funcs);
	if (f->dwfl)
		dwfl_end(f->dwfl);
	free(f->segs);
	free(f->module);
	free(f);
}

void symfile__get(struct symfile *f)
{
	f->refs++;
}

bool symfile__put(struct symfile *f)
{
	return --f->refs == 0;
}

const struct symfile_id *symfile__id(const struct symfile *f)
{
	return &f->id;
}

void symfile__set_map_id(struct symfile *f, uint64_t dev, uint64_t ino)
{
	f->map_dev = dev;
	f->map_ino = ino;
}

void symfile__map_id(const struct symfile *f, uint64_t *dev, uint64_t *ino)
{
	*dev = f->map_dev;
	*ino = f->map_ino;
}

const char *symfile__module(const struct symfile *f)
{
	return f->module;
}

bool symfile__vaddr(const struct symfile *f, uint64_t file_off, uint64_t *vaddr)
{
	for (size_t i = 0; i < f->nsegs; i++) {
		const struct symseg *s = &f->segs[i];

		if (file_off >= s->off && file_off - s->off < s->filesz) {
			*vaddr = file_off - s->off + s->vaddr;
			return true;
		}
	}
	return false;
}

static struct gopclntab *symfile_go(struct symfile *f)
{
	GElf_Addr bias;

	if (f->go_state == SYMFILE_GO_UNKNOWN) {
		f->go = gopclntab__from_elf(dwfl_module_getelf(f->mod, &bias));
		f->go_state = f->go ? SYMFILE_GO_TABLE : SYMFILE_GO_NONE;
	}
	return f->go;
}

static int symfunc_rank(const GElf_Sym *sym, const char *name)
{
	int bind = GELF_ST_BIND(sym->st_info);
	int rank = bind == STB_GLOBAL ? 2 : bind == STB_WEAK ? 1 : 0;

	return rank * 16 - (int)(strspn(name, "_") < 15 ? strspn(name, "_") : 15);
}

static bool symfunc_wanted(const GElf_Sym *sym, GElf_Word shndx, GElf_Addr addr)
{
	int type = GELF_ST_TYPE(sym->st_info);

	if (shndx == SHN_UNDEF || !addr)
		return false;
	return type == STT_FUNC || type == STT_GNU_IFUNC || (type == STT_NOTYPE && sym->st_size);
}

static int symfunc_cmp(const void *pa, const void *pb)
{
	const struct symfunc *a = pa, *b = pb;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	if (a->rank != b->rank)
		return b->rank - a->rank;
	return strcmp(a->name, b->name);
}

/* Keep the best-ranked alias per address, with the largest size any alias gives. */
static void symfile_dedup(struct symfile *f)
{
	size_t out = 0;

	for (size_t i = 0; i < f->nfuncs; i++) {
		if (out && f->funcs[out - 1].addr == f->funcs[i].addr) {
			if (f->funcs[i].size > f->funcs[out - 1].size)
				f->funcs[out - 1].size = f->funcs[i].size;
			continue;
		}
		f->funcs[out++] = f->funcs[i];
	}
	f->nfuncs = out;
}

/*
 * libdwfl's own address lookup scans every symbol; a report resolves many frames, so
 * copy the function symbols it found (symtab, debug file or MiniDebugInfo) once, sorted.
 */
static void symfile_build_index(struct symfile *f)
{
	int n = dwfl_module_getsymtab(f->mod);

	f->index_state = SYMFILE_INDEX_BUILT;
	if (n <= 1)
		return;
	f->funcs = calloc((size_t)n, sizeof(*f->funcs));
	if (!f->funcs)
		return;
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		GElf_Word shndx;
		const char *name =
		    dwfl_module_getsym_info(f->mod, i, &sym, &addr, &shndx, NULL, NULL);

		if (!name || !*name || !symfunc_wanted(&sym, shndx, addr))
			continue;
		f->funcs[f->nfuncs++] =
		    (struct symfunc){ addr, sym.st_size, name, symfunc_rank(&sym, name) };
	}
	qsort(f->funcs, f->nfuncs, sizeof(*f->funcs), symfunc_cmp);
	symfile_dedup(f);
}

static const struct symfunc *symfile_find_func(struct symfile *f, uint64_t vaddr)
{
	const struct symfunc *fn;
	size_t i;

	if (f->index_state == SYMFILE_INDEX_UNBUILT)
		symfile_build_index(f);
	i = sym_upper_bound(f->funcs, f->nfuncs, sizeof(*f->funcs), offsetof(struct symfunc, addr),
			    vaddr);
	if (!i)
		return NULL;
	fn = &f->funcs[i - 1];
	return !fn->size || vaddr - fn->addr < fn->size ? fn : NULL;
}

const char *symfile__lookup(struct symfile *f, uint64_t vaddr, uint64_t *offset)
{
	struct gopclntab *go = symfile_go(f);
	const char *name = go ? gopclntab__lookup(go, vaddr, offset) : NULL;
	const struct symfunc *fn;

	if (name)
		return name;
	fn = symfile_find_func(f, vaddr);
	if (!fn)
		return NULL;
	if (offset)
		*offset = vaddr - fn->addr;
	return fn->name;
}

/*
 * Length of the FF /2 (call near, absolute indirect) whose opcode byte is @p[0], from its
 * ModRM and SIB bytes; 0 if the @n bytes at @p are not one. Prefixes (REX, segment,
 * notrack) would only precede it: they change no length, so they need no decoding.
 */
static size_t x86_ff2_len(const uint8_t *p, size_t n)
{
	uint8_t modrm, mod, rm;
	size_t len = 2;

	if (n < 2 || p[0] != 0xff || ((p[1] >> 3) & 7) != 2)
		return 0;
	modrm = p[1];
	mod = modrm >> 6;
	rm = modrm & 7;
	if (mod == 3)
		return len; /* call *%reg */
	if (rm == 4) {
		if (n < 3)
			return 0;
		len++; /* SIB; base 101 without displacement means disp32 and no base */
		if (mod == 0 && (p[2] & 7) == 5)
			len += 4;
	} else if (mod == 0 && rm == 5) {
		len += 4; /* RIP-relative (absolute in 32-bit code) */
	}
	if (mod == 1)
		len += 1;
	else if (mod == 2)
		len += 4;
	return len;
}

enum x86_call symfile__x86_call_before(const uint8_t *code, size_t n, int32_t *rel32)
{
	const uint8_t *end;

	if (n < 2)
		return X86_CALL_NONE;
	end = code + n;
	for (size_t len = 2; len <= X86_CALL_MAX && len <= n; len++) {
		if (x86_ff2_len(end - len, len) == len)
			return X86_CALL_INDIRECT;
	}
	if (n >= 5 && end[-5] == 0xe8) {
		uint32_t rel = (uint32_t)end[-4] | (uint32_t)end[-3] << 8 |
			       (uint32_t)end[-2] << 16 | (uint32_t)end[-1] << 24;

		if (rel32)
			*rel32 = (int32_t)rel;
		return X86_CALL_DIRECT;
	}
	return X86_CALL_NONE;
}

/* The executable segment whose file bytes end at or contain @file_off (not its start). */
static const struct symseg *symfile_code_seg(const struct symfile *f, uint64_t file_off)
{
	for (size_t i = 0; i < f->nsegs; i++) {
		const struct symseg *s = &f->segs[i];

		if (s->exec && file_off > s->off && file_off - s->off <= s->filesz)
			return s;
	}
	return NULL;
}

static bool symfile_is_code_vaddr(const struct symfile *f, uint64_t vaddr)
{
	for (size_t i = 0; i < f->nsegs; i++) {
		const struct symseg *s = &f->segs[i];

		if (s->exec && vaddr >= s->vaddr && vaddr - s->vaddr < s->filesz)
			return true;
	}
	return false;
}

/*
 * libdwfl owns the descriptor, but libelf already holds the whole file (mapped, so this
 * costs nothing; read into memory only where mmap failed): the same bytes pread would get.
 */
static const uint8_t *symfile_image(struct symfile *f)
{
	GElf_Addr bias;
	Elf *elf;
	char *raw;

	if (f->image_state == SYMFILE_IMAGE_UNKNOWN) {
		elf = dwfl_module_getelf(f->mod, &bias);
		raw = elf ? elf_rawfile(elf, &f->image_size) : NULL;
		f->image = (const uint8_t *)raw;
		f->image_state = raw ? SYMFILE_IMAGE_READY : SYMFILE_IMAGE_NONE;
	}
	return f->image;
}

bool symfile__is_call_site(struct symfile *f, uint64_t file_off)
{
	const struct symseg *s = f->x86 ? symfile_code_seg(f, file_off) : NULL;
	const uint8_t *image = s ? symfile_image(f) : NULL;
	uint64_t n;
	int32_t rel;

	if (!image || file_off > f->image_size)
		return false;
	n = file_off - s->off < X86_CALL_MAX ? file_off - s->off : X86_CALL_MAX;
	switch (symfile__x86_call_before(image + file_off - n, n, &rel)) {
	case X86_CALL_INDIRECT:
		return true;
	case X86_CALL_DIRECT:
		/* rel32 calls stay inside the module: a target elsewhere means data, not code */
		return symfile_is_code_vaddr(f,
					     file_off - s->off + s->vaddr + (uint64_t)(int64_t)rel);
	default:
		return false;
	}
}
