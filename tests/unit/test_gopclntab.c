// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gopclntab.h"
#include "util.h"
#include "support/workload.h"

/* ---- synthetic tables, one per layout ------------------------------------------- */

#define NFUNC 3
static const char *const fake_names[NFUNC] = { "main.a", "main.b", "runtime.c" };
static const uint64_t fake_entry[NFUNC + 1] = { 0x401000, 0x401040, 0x401100, 0x401180 };
#define TEXT 0x401000
/* Room in each fake _func for entry, nameoff, args, deferreturn and pcsp (0: no table). */
#define FUNC_STRIDE 32

struct fake {
	uint8_t b[512];
	size_t len;
	enum gopclntab_version v;
	unsigned int ps;
};

static void put(struct fake *f, size_t off, unsigned int width, uint64_t val)
{
	for (unsigned int i = 0; i < width; i++)
		f->b[off + i] = (uint8_t)(val >> (8 * i));
	if (off + width > f->len)
		f->len = off + width;
}

static size_t align8(size_t x)
{
	return (x + 7) & ~(size_t)7;
}

static uint32_t magic_of(enum gopclntab_version v)
{
	switch (v) {
	case GOPCLNTAB_V12:
		return 0xfffffffb;
	case GOPCLNTAB_V116:
		return 0xfffffffa;
	case GOPCLNTAB_V118:
		return 0xfffffff0;
	default:
		return 0xfffffff1;
	}
}

/* Names at @at; returns where each name starts (relative to @at) in @offs. */
static size_t put_names(struct fake *f, size_t at, uint32_t offs[NFUNC])
{
	size_t pos = at;

	for (int i = 0; i < NFUNC; i++) {
		offs[i] = (uint32_t)(pos - at);
		memcpy(f->b + pos, fake_names[i], strlen(fake_names[i]) + 1);
		pos += strlen(fake_names[i]) + 1;
	}
	f->len = pos > f->len ? pos : f->len;
	return pos;
}

/*
 * ftab at @ftab (fields of @fw bytes, entries relative to @base) and the _func records
 * after it; funcoff and the names' offsets are relative to @funcbase and @namebase.
 */
static void put_ftab(struct fake *f, size_t ftab, unsigned int fw, uint64_t base, size_t funcbase,
		     size_t names, size_t namebase, const uint32_t offs[NFUNC])
{
	size_t funcs = align8(ftab + (2 * NFUNC + 1) * fw);

	for (int i = 0; i < NFUNC; i++) {
		size_t func = funcs + (size_t)i * FUNC_STRIDE;

		put(f, ftab + 2 * i * fw, fw, fake_entry[i] - base);
		put(f, ftab + (2 * i + 1) * fw, fw, func - funcbase);
		put(f, func, fw, fake_entry[i] - base);
		put(f, func + fw, 4, names + offs[i] - namebase);
	}
	put(f, ftab + 2 * NFUNC * fw, fw, fake_entry[NFUNC] - base);
}

static void build_fake(struct fake *f, enum gopclntab_version v, unsigned int ps, uint64_t text)
{
	bool v118 = v == GOPCLNTAB_V118 || v == GOPCLNTAB_V120;
	unsigned int nwords = v == GOPCLNTAB_V12 ? 1 : v118 ? 8 : 7;
	size_t hdr = 8 + nwords * ps, names = hdr, pcln;
	uint32_t offs[NFUNC];

	memset(f, 0, sizeof(*f));
	f->v = v;
	f->ps = ps;
	put(f, 0, 4, magic_of(v));
	put(f, 6, 1, 1);
	put(f, 7, 1, ps);
	put(f, 8, ps, NFUNC);
	if (v == GOPCLNTAB_V12) {
		/* ftab right after the header; names after it, relative to the table start */
		names = align8(hdr + (2 * NFUNC + 1) * ps) + NFUNC * FUNC_STRIDE;
		put_names(f, names, offs);
		put_ftab(f, hdr, ps, 0, 0, names, 0, offs);
		return;
	}
	pcln = align8(put_names(f, names, offs));
	put(f, 8 + (v118 ? 3 : 2) * ps, ps, names);
	put(f, 8 + (v118 ? 7 : 6) * ps, ps, pcln);
	if (v118)
		put(f, 8 + 2 * ps, ps, text);
	put_ftab(f, pcln, v118 ? 4 : ps, v118 ? TEXT : 0, pcln, names, names, offs);
}

static void assert_func(const struct gopclntab *t, uint64_t pc, const char *name, uint64_t off)
{
	uint64_t o = ~0ULL;
	const char *n = gopclntab__lookup(t, pc, &o);

	if (!n || strcmp(n, name) || o != off)
		fail_msg("pc %#llx: got %s+%#llx, want %s+%#llx", (unsigned long long)pc,
			 n ? n : "NULL", (unsigned long long)o, name, (unsigned long long)off);
}

/* A heap copy of exactly @len bytes, so that ASan sees any read past the end. */
static struct gopclntab *parse_copy(const struct fake *f, size_t len, uint64_t text, uint8_t **copy)
{
	*copy = malloc(len ? len : 1);
	assert_non_null(*copy);
	memcpy(*copy, f->b, len);
	return gopclntab__new(*copy, len, text);
}

static void check_fake(enum gopclntab_version v, unsigned int ps)
{
	struct gopclntab *t;
	struct fake f;
	uint64_t lo, hi;
	uint8_t *copy;

	build_fake(&f, v, ps, TEXT);
	t = parse_copy(&f, f.len, 0, &copy);
	if (!t)
		fail_msg("version %d ptrsize %u: not parsed", v, ps);
	assert_int_equal(gopclntab__version(t), v);
	assert_int_equal(gopclntab__count(t), NFUNC);
	gopclntab__range(t, &lo, &hi);
	assert_int_equal(lo, fake_entry[0]);
	assert_int_equal(hi, fake_entry[NFUNC]);
	assert_func(t, 0x401000, "main.a", 0);
	assert_func(t, 0x40103f, "main.a", 0x3f);
	assert_func(t, 0x401040, "main.b", 0);
	assert_func(t, 0x40117f, "runtime.c", 0x7f);
	assert_null(gopclntab__lookup(t, 0x400fff, NULL));
	assert_null(gopclntab__lookup(t, 0x401180, NULL));
	gopclntab__free(t);
	free(copy);
}

static void test_layouts(void **state)
{
	(void)state;
	check_fake(GOPCLNTAB_V12, 8);
	check_fake(GOPCLNTAB_V12, 4);
	check_fake(GOPCLNTAB_V116, 8);
	check_fake(GOPCLNTAB_V116, 4);
	check_fake(GOPCLNTAB_V118, 8);
	check_fake(GOPCLNTAB_V120, 8);
	check_fake(GOPCLNTAB_V120, 4);
}

/* A PIE table has textStart 0 in the file: the caller's .text address stands in. */
static void test_text_start_hint(void **state)
{
	struct gopclntab *t;
	struct fake f;
	uint8_t *copy;

	(void)state;
	build_fake(&f, GOPCLNTAB_V120, 8, 0);
	t = parse_copy(&f, f.len, TEXT, &copy);
	assert_non_null(t);
	assert_func(t, 0x401044, "main.b", 4);
	gopclntab__free(t);
	free(copy);
}

/* Every truncation of a valid table is refused or stays in bounds (ASan checks). */
static void test_truncated(void **state)
{
	struct fake f;

	(void)state;
	build_fake(&f, GOPCLNTAB_V118, 8, TEXT);
	for (size_t len = 0; len < f.len; len++) {
		uint8_t *copy;
		struct gopclntab *t = parse_copy(&f, len, 0, &copy);
		uint64_t entry, end;

		for (uint64_t pc = 0x400ff0; pc < 0x401190; pc += 0x10)
			gopclntab__lookup(t, pc, NULL);
		gopclntab__find(t, "runtime.c", &entry, &end);
		gopclntab__free(t);
		free(copy);
	}
}

static void expect_refused(struct fake *f, const char *what)
{
	uint8_t *copy;
	struct gopclntab *t = parse_copy(f, f->len, 0, &copy);

	if (t)
		fail_msg("%s: parsed", what);
	assert_int_equal(errno, EINVAL);
	free(copy);
}

static void test_corrupt(void **state)
{
	struct gopclntab *t;
	struct fake f;
	uint8_t *copy;

	(void)state;
	build_fake(&f, GOPCLNTAB_V118, 8, TEXT);
	put(&f, 0, 4, 0xfffffff2);
	expect_refused(&f, "unknown magic");
	build_fake(&f, GOPCLNTAB_V118, 8, TEXT);
	put(&f, 7, 1, 3);
	expect_refused(&f, "pointer size 3");
	build_fake(&f, GOPCLNTAB_V118, 8, TEXT);
	put(&f, 8, 8, 1000000);
	expect_refused(&f, "nfunc too large");
	build_fake(&f, GOPCLNTAB_V116, 8, TEXT);
	put(&f, 8 + 6 * 8, 8, 0);
	put(&f, 0, 8, 0xfffffffa); /* ftab over the header: entries out of order */
	expect_refused(&f, "unsorted ftab");
	assert_null(gopclntab__new(NULL, 100, 0));
	/* A name offset past the end: the table parses, that function has no name. */
	build_fake(&f, GOPCLNTAB_V118, 8, TEXT);
	t = parse_copy(&f, f.len, 0, &copy);
	assert_non_null(t);
	memcpy(copy + f.len - 4, "\xff\xff\xff\x0f", 4); /* the last _func's nameoff */
	assert_null(gopclntab__lookup(t, 0x401100, NULL));
	assert_func(t, 0x401000, "main.a", 0);
	gopclntab__free(t);
	free(copy);
}

/* ---- by name --------------------------------------------------------------------- */

static void assert_find(const struct gopclntab *t, const char *name, uint64_t entry, uint64_t end)
{
	uint64_t e = 0, n = 0;
	int err = gopclntab__find(t, name, &e, &n);

	if (err || e != entry || n != end)
		fail_msg("%s: got %d [%#llx, %#llx), want [%#llx, %#llx)", name, err,
			 (unsigned long long)e, (unsigned long long)n, (unsigned long long)entry,
			 (unsigned long long)end);
}

static uint64_t get(const struct fake *f, size_t off, unsigned int width)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < width; i++)
		v |= (uint64_t)f->b[off + i] << (8 * i);
	return v;
}

/*
 * Give function @i the pcsp table @tab (@n bytes), at the end of the image. 1.16+ tables
 * get a non-zero pctabOffset, which the _func's pcsp is relative to.
 */
static void put_pcsp(struct fake *f, int i, const uint8_t *tab, size_t n)
{
	bool v118 = f->v == GOPCLNTAB_V118 || f->v == GOPCLNTAB_V120;
	unsigned int fw = v118 ? 4 : f->ps;
	/* past the last _func's pcsp field, which may lie beyond the image's current end */
	size_t ftab, funcbase, pctab = 0, at = align8(f->len) + FUNC_STRIDE;

	if (f->v == GOPCLNTAB_V12) {
		ftab = 8 + f->ps;
		funcbase = 0;
	} else {
		ftab = funcbase = get(f, 8 + (v118 ? 7 : 6) * f->ps, f->ps);
		pctab = 8;
		put(f, 8 + (v118 ? 6 : 5) * f->ps, f->ps, pctab);
	}
	memcpy(f->b + at, tab, n);
	f->len = at + n;
	put(f, funcbase + get(f, ftab + (2 * i + 1) * fw, fw) + fw + 12, 4, at - pctab);
}

static void check_find(enum gopclntab_version v, unsigned int ps)
{
	/* sp +8 over 0x20 bytes, +8 over 0x90 (a two-byte varint): 0xb0 bytes of code */
	static const uint8_t sized[] = { 0x10, 0x20, 0x10, 0x90, 0x01, 0x00 };
	/* 0x100 bytes: longer than the 0x80 to the next entry, so not believed */
	static const uint8_t too_long[] = { 0x10, 0x80, 0x02, 0x00 };
	struct gopclntab *t;
	struct fake f;
	uint8_t *copy;
	uint64_t e, n;

	build_fake(&f, v, ps, TEXT);
	put_pcsp(&f, 1, sized, sizeof(sized));
	put_pcsp(&f, 2, too_long, sizeof(too_long));
	t = parse_copy(&f, f.len, 0, &copy);
	if (!t)
		fail_msg("version %d ptrsize %u: not parsed", v, ps);
	assert_find(t, "main.a", 0x401000, 0x401040); /* no pcsp: up to the next entry */
	assert_find(t, "main.b", 0x401040, 0x4010f0);
	assert_find(t, "runtime.c", 0x401100, 0x401180);
	assert_int_equal(gopclntab__find(t, "main.c", &e, &n), -ENOENT);
	assert_int_equal(gopclntab__find(t, "main", &e, &n), -ENOENT);
	assert_int_equal(gopclntab__find(t, "main.bb", &e, &n), -ENOENT);
	assert_int_equal(gopclntab__find(t, "", &e, &n), -ENOENT);
	assert_int_equal(gopclntab__find(NULL, "main.a", &e, &n), -EINVAL);
	assert_int_equal(gopclntab__find(t, NULL, &e, &n), -EINVAL);
	/* lookup by PC is unchanged by the pcsp tables */
	assert_func(t, 0x4010f8, "main.b", 0xb8);
	gopclntab__free(t);
	free(copy);
}

static void test_find(void **state)
{
	(void)state;
	check_find(GOPCLNTAB_V12, 8);
	check_find(GOPCLNTAB_V12, 4);
	check_find(GOPCLNTAB_V116, 8);
	check_find(GOPCLNTAB_V116, 4);
	check_find(GOPCLNTAB_V118, 8);
	check_find(GOPCLNTAB_V120, 8);
	check_find(GOPCLNTAB_V120, 4);
}

/* A pcsp table cut short (no terminator before the end of the image) is ignored. */
static void test_find_truncated_pcsp(void **state)
{
	static const uint8_t open_ended[] = { 0x10, 0x20, 0x10, 0x90 };
	struct gopclntab *t;
	struct fake f;
	uint8_t *copy;

	(void)state;
	build_fake(&f, GOPCLNTAB_V118, 8, TEXT);
	put_pcsp(&f, 2, open_ended, sizeof(open_ended));
	t = parse_copy(&f, f.len, 0, &copy);
	assert_non_null(t);
	assert_find(t, "runtime.c", 0x401100, 0x401180);
	gopclntab__free(t);
	free(copy);
}

/* ---- a real Go binary (Debian's golang, -ldflags='-s -w') ------------------------ */

struct elf_file {
	int fd;
	Elf *elf;
};

static bool elf_file_open(struct elf_file *ef, const char *name)
{
	char path[512];

	if (!wl_find(name, path, sizeof(path)))
		return false;
	elf_version(EV_CURRENT);
	ef->fd = open(path, O_RDONLY);
	assert_true(ef->fd >= 0);
	ef->elf = elf_begin(ef->fd, ELF_C_READ_MMAP, NULL);
	assert_non_null(ef->elf);
	return true;
}

static void elf_file_close(struct elf_file *ef)
{
	elf_end(ef->elf);
	close(ef->fd);
}

static Elf_Scn *find_symtab(Elf *elf, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		if (gelf_getshdr(scn, sh) && sh->sh_type == SHT_SYMTAB)
			return scn;
	}
	return NULL;
}

/*
 * Same name, but for the ".abi0" suffix that the symtab gives assembly functions, and
 * the "[...]" that pclntab writes for array lengths in generated type..eq functions.
 */
static bool same_go_name(const char *pcln, const char *symtab)
{
	size_t n = strlen(pcln);

	if (strstr(pcln, "[...]"))
		return true;
	return !strncmp(pcln, symtab, n) && (!symtab[n] || !strcmp(symtab + n, ".abi0"));
}

struct sym_counts {
	size_t checked, other;
};

typedef void (*func_sym_fn)(const struct gopclntab *t, const GElf_Sym *sym, const char *name,
			    struct sym_counts *c);

/* Call @fn for every sized function symbol of @full inside the range @t covers. */
static void for_each_func_sym(const struct gopclntab *t, Elf *full, func_sym_fn fn,
			      struct sym_counts *c)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_symtab(full, &sh);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	uint64_t lo, hi;

	assert_non_null(d);
	gopclntab__range(t, &lo, &hi);
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Sym sym;

		if (!gelf_getsym(d, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    !sym.st_size || sym.st_value < lo || sym.st_value >= hi)
			continue;
		fn(t, &sym, elf_strptr(full, sh.sh_link, sym.st_name), c);
	}
}

/* Every sized function symbol of the unstripped twin names the same function. */
static void compare_one(const struct gopclntab *t, const GElf_Sym *sym, const char *want,
			struct sym_counts *c)
{
	uint64_t off = 1;
	const char *got = gopclntab__lookup(t, sym->st_value + sym->st_size / 2, &off);

	if (!got || !same_go_name(got, want) || off != sym->st_size / 2)
		fail_msg("%#llx: pclntab says %s, symtab %s", (unsigned long long)sym->st_value,
			 got ? got : "NULL", want);
	c->checked++;
}

/*
 * Every sized function symbol of the unstripped twin, looked up by name in the stripped
 * binary's table: same entry, and the pcsp-derived code size equals st_size. A symtab
 * ".abi0" suffix is dropped for the lookup; names pclntab shortens with "[...]" and the
 * rare name given to two functions are counted, not checked.
 */
static void find_one(const struct gopclntab *t, const GElf_Sym *sym, const char *symname,
		     struct sym_counts *c)
{
	uint64_t entry = 0, end = 0;
	char name[512];
	size_t n;

	snprintf(name, sizeof(name), "%s", symname);
	n = strlen(name);
	if (n > 5 && !strcmp(name + n - 5, ".abi0"))
		name[n - 5] = '\0';
	if (gopclntab__find(t, name, &entry, &end) || entry != sym->st_value) {
		c->other++;
		return;
	}
	if (end - entry != sym->st_size)
		fail_msg("%s: code size %#llx, st_size %#llx", name,
			 (unsigned long long)(end - entry), (unsigned long long)sym->st_size);
	c->checked++;
}

static void test_real_go_binary(void **state)
{
	struct sym_counts c = { 0 };
	struct elf_file go, full;
	struct gopclntab *t;

	(void)state;
	if (!elf_file_open(&go, "goburn"))
		skip();
	assert_true(elf_file_open(&full, "goburn.full"));
	t = gopclntab__from_elf(go.elf);
	assert_non_null(t);
	/* Debian 12's golang-go is 1.19 (magic 0xfffffff0); 1.20+ would be V120. */
	assert_true(gopclntab__version(t) >= GOPCLNTAB_V118);
	assert_true(gopclntab__count(t) > 1000);
	for_each_func_sym(t, full.elf, compare_one, &c);
	assert_true(c.checked > 1000);
	/* and back, by name */
	c = (struct sym_counts){ 0 };
	for_each_func_sym(t, full.elf, find_one, &c);
	if (c.checked < 1000 || c.other > c.checked / 50)
		fail_msg("%zu functions found by name, %zu not", c.checked, c.other);
	gopclntab__free(t);
	elf_file_close(&full);
	elf_file_close(&go);
}

static uint64_t symtab_addr(Elf *elf, const char *name)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_symtab(elf, &sh);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;

	for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Sym sym;

		if (gelf_getsym(d, (int)i, &sym) &&
		    !strcmp(elf_strptr(elf, sh.sh_link, sym.st_name), name))
			return sym.st_value;
	}
	return 0;
}

/* Section headers gone (e_shoff = e_shnum = 0): found by scanning the segments. */
static void test_no_section_headers(void **state)
{
	struct elf_file full;
	char path[512];
	size_t len;
	char *img;
	Elf64_Ehdr *eh;
	Elf *elf;
	struct gopclntab *t;

	(void)state;
	if (!wl_find("goburn", path, sizeof(path)) || !elf_file_open(&full, "goburn.full"))
		skip();
	img = st_read_file(path, 64 << 20, &len);
	assert_non_null(img);
	eh = (Elf64_Ehdr *)img;
	eh->e_shoff = 0;
	eh->e_shnum = 0;
	eh->e_shstrndx = 0;
	elf = elf_memory(img, len);
	assert_non_null(elf);
	t = gopclntab__from_elf(elf);
	assert_non_null(t);
	assert_func(t, symtab_addr(full.elf, "main.burn") + 2, "main.burn", 2);
	gopclntab__free(t);
	elf_end(elf);
	free(img);
	elf_file_close(&full);
}

static void test_not_go(void **state)
{
	int fd = open("/proc/self/exe", O_RDONLY);
	Elf *elf;

	(void)state;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	errno = 0;
	assert_null(gopclntab__from_elf(elf));
	assert_int_equal(errno, ENOENT);
	assert_null(gopclntab__from_elf(NULL));
	elf_end(elf);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_text_start_hint),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_real_go_binary),
		cmocka_unit_test(test_no_section_headers),
		cmocka_unit_test(test_not_go),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_find_truncated_pcsp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
