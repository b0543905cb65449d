// SPDX-License-Identifier: GPL-2.0
/*
 * Go .gopclntab tables: gopclntab__new() on a raw table image, or gopclntab__from_elf() on
 * an ELF image (section, or a scan of the segments of a Go binary without sections); then
 * lookups and finds whose answers must agree with each other and with the table's range.
 *
 * Input: 1 flag byte, 8 bytes of text_start (raw mode), 32 bytes of PCs to look up, then
 * the image.
 */
#include "fuzz.h"
#include "gopclntab.h"

#include <gelf.h>

#define NPCS	  4
#define MAX_FINDS 8

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		abort();
	return 0;
}

static void check_find(const struct gopclntab *t, const char *name, uint64_t min, uint64_t max)
{
	uint64_t entry = 1, end = 0, off = ~0ULL;
	const char *n;
	int err = gopclntab__find(t, name, &entry, &end);

	FZ_CHECK(err == 0, "'%s' was looked up but not found: %d", fz_show(name), err);
	FZ_CHECK(min <= entry && entry <= end && end <= max,
		 "'%s': [%llx, %llx) outside [%llx, %llx)", fz_show(name),
		 (unsigned long long)entry, (unsigned long long)end, (unsigned long long)min,
		 (unsigned long long)max);
	if (entry < max) {
		n = gopclntab__lookup(t, entry, &off);
		FZ_CHECK(!n || off == 0, "entry %llx of '%s' is at offset %llx",
			 (unsigned long long)entry, fz_show(name), (unsigned long long)off);
	}
}

/* Look up @pc; a name found is checked against its offset and found again by name. */
static void check_pc(const struct gopclntab *t, uint64_t pc, uint64_t min, uint64_t max, int *finds)
{
	uint64_t off = ~0ULL, off2 = ~0ULL;
	const char *n = gopclntab__lookup(t, pc, &off);

	if (pc < min || pc >= max)
		FZ_CHECK(!n, "pc %llx outside [%llx, %llx) resolved to '%s'",
			 (unsigned long long)pc, (unsigned long long)min, (unsigned long long)max,
			 fz_show(n));
	if (!n)
		return;
	FZ_CHECK(off <= pc - min, "pc %llx: offset %llx before the table's start %llx",
		 (unsigned long long)pc, (unsigned long long)off, (unsigned long long)min);
	FZ_CHECK(*n, "empty name at pc %llx", (unsigned long long)pc);
	/* The function's entry is in the same function, at offset 0. */
	gopclntab__lookup(t, pc - off, &off2);
	FZ_CHECK(off2 == 0, "entry %llx of '%s' is at offset %llx", (unsigned long long)(pc - off),
		 n, (unsigned long long)off2);
	if ((*finds)++ < MAX_FINDS)
		check_find(t, n, min, max);
}

static void exercise(const struct gopclntab *t, const uint64_t *pcs)
{
	uint64_t min = 0, max = 0;
	int finds = 0, v = gopclntab__version(t);
	size_t n = gopclntab__count(t);

	FZ_CHECK(v == GOPCLNTAB_V12 || v == GOPCLNTAB_V116 || v == GOPCLNTAB_V118 ||
		     v == GOPCLNTAB_V120,
		 "version %d", v);
	FZ_CHECK(n > 0, "a parsed table has functions");
	gopclntab__range(t, &min, &max);
	FZ_CHECK(min <= max, "range [%llx, %llx)", (unsigned long long)min,
		 (unsigned long long)max);
	check_pc(t, min, min, max, &finds);
	check_pc(t, min - 1, min, max, &finds);
	check_pc(t, max - 1, min, max, &finds);
	check_pc(t, max, min, max, &finds);
	check_pc(t, min + (max - min) / 2, min, max, &finds);
	for (int i = 0; i < NPCS; i++) {
		check_pc(t, pcs[i], min, max, &finds);
		if (max > min)
			check_pc(t, min + pcs[i] % (max - min), min, max, &finds);
	}
	uint64_t e, end;
	FZ_CHECK(gopclntab__find(t, "", &e, &end) == -ENOENT, "an empty name is never found");
	gopclntab__find(t, "main.main", &e, &end);
	FZ_CHECK(gopclntab__find(t, NULL, &e, &end) == -EINVAL, "NULL name");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	uint8_t flags = fz_byte(&in);
	uint64_t text = fz_u64(&in), pcs[NPCS];
	struct gopclntab *t;
	uint8_t *img;

	for (int i = 0; i < NPCS; i++)
		pcs[i] = fz_u64(&in);
	/* An exact-size heap copy: any read past the image is an ASan report. */
	img = malloc(in.n ? in.n : 1);
	if (!img)
		abort();
	memcpy(img, in.p, in.n);
	if (flags & 1) {
		Elf *elf = elf_memory((char *)img, in.n);

		t = elf ? gopclntab__from_elf(elf) : NULL;
		if (t)
			exercise(t, pcs);
		gopclntab__free(t);
		elf_end(elf);
	} else {
		t = gopclntab__new(img, in.n, (flags & 2) ? text : 0);
		if (t)
			exercise(t, pcs);
		gopclntab__free(t);
	}
	free(img);
	return 0;
}
