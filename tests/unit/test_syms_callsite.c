// SPDX-License-Identifier: GPL-2.0
/* Call-site decoding (syms_cache__is_call_site) checked against capstone. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <capstone.h>
#include <dlfcn.h>
#include <link.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "procmaps.h"
#include "symfile.h"
#include "syms.h"

struct encoding {
	const char *what;
	uint8_t len;
	uint8_t bytes[12];
	enum x86_call want;
};

#define NO  X86_CALL_NONE
#define DIR X86_CALL_DIRECT
#define IND X86_CALL_INDIRECT

/* Calls as compilers emit them (AT&T syntax), with the byte before them varied. */
static const struct encoding calls[] = {
	{ "call rel32", 5, { 0xe8, 0x10, 0x32, 0x54, 0x76 }, DIR },
	{ "call *%rax", 2, { 0xff, 0xd0 }, IND },
	{ "call *%rdi", 2, { 0xff, 0xd7 }, IND },
	{ "call *%r8", 3, { 0x41, 0xff, 0xd0 }, IND },
	{ "call *%r15", 3, { 0x41, 0xff, 0xd7 }, IND },
	{ "call *(%rax)", 2, { 0xff, 0x10 }, IND },
	{ "call *0x0(%rip)", 6, { 0xff, 0x15, 0x00, 0x00, 0x00, 0x00 }, IND },
	{ "call *(%rsp)", 3, { 0xff, 0x14, 0x24 }, IND },
	{ "call *0x8(%rax)", 3, { 0xff, 0x50, 0x08 }, IND },
	{ "call *-0x8(%rdi)", 3, { 0xff, 0x57, 0xf8 }, IND },
	{ "call *0x100(%rax)", 6, { 0xff, 0x90, 0x00, 0x01, 0x00, 0x00 }, IND },
	{ "call *0x100(%rdi)", 6, { 0xff, 0x97, 0x00, 0x01, 0x00, 0x00 }, IND },
	{ "call *0x8(%rsp)", 4, { 0xff, 0x54, 0x24, 0x08 }, IND },
	{ "call *0x8(%r12)", 5, { 0x41, 0xff, 0x54, 0x24, 0x08 }, IND },
	{ "call *(%rax,%r9,8)", 4, { 0x42, 0xff, 0x14, 0xc8 }, IND },
	{ "call *(%r8,%r9,8)", 4, { 0x43, 0xff, 0x14, 0xc8 }, IND },
	{ "call *0x80(%r12)", 8, { 0x41, 0xff, 0x94, 0x24, 0x80, 0x00, 0x00, 0x00 }, IND },
	{ "call *0x1000(,%rax,8)", 7, { 0xff, 0x14, 0xc5, 0x00, 0x10, 0x00, 0x00 }, IND },
	{ "call *%fs:0x10", 8, { 0x64, 0xff, 0x14, 0x25, 0x10, 0x00, 0x00, 0x00 }, IND },
	{ "notrack call *%rax", 3, { 0x3e, 0xff, 0xd0 }, IND },
	{ "call *%r13 (REX.W)", 3, { 0x49, 0xff, 0xd5 }, IND },
};

/* Ends of other instructions: not calls. */
static const struct encoding others[] = {
	{ "ret", 1, { 0xc3 }, NO },
	{ "nop", 1, { 0x90 }, NO },
	{ "jmp *%rax", 2, { 0xff, 0xe0 }, NO },
	{ "jmp *0x0(%rip)", 6, { 0xff, 0x25, 0x00, 0x00, 0x00, 0x00 }, NO },
	{ "lcall *(%rax)", 2, { 0xff, 0x18 }, NO },
	{ "push 0x8(%rax)", 3, { 0xff, 0x70, 0x08 }, NO },
	{ "inc %eax", 2, { 0xff, 0xc0 }, NO },
	{ "mov %rsp,%rbp", 3, { 0x48, 0x89, 0xe5 }, NO },
	{ "jmp rel32", 5, { 0xe9, 0x10, 0x32, 0x54, 0x76 }, NO },
	{ "endbr64", 4, { 0xf3, 0x0f, 0x1e, 0xfa }, NO },
};

#undef NO
#undef DIR
#undef IND

/* Does capstone decode @b[start..] as a call that ends exactly at @b + @n? */
static bool cs_call_at(csh cs, const uint8_t *b, size_t n, size_t start)
{
	cs_insn *insn;
	bool yes;

	if (cs_disasm(cs, b + start, n - start, 0x1000 + start, 1, &insn) != 1)
		return false;
	yes = insn->id == X86_INS_CALL && start + insn->size == n;
	cs_free(insn, 1);
	return yes;
}

static csh cs_new(void)
{
	csh cs;

	assert_int_equal(cs_open(CS_ARCH_X86, CS_MODE_64, &cs), CS_ERR_OK);
	return cs;
}

static void check_encoding(csh cs, const struct encoding *e, uint8_t before)
{
	uint8_t b[16] = { before, before, before, before, before, before, before, before };
	size_t n = 8 + e->len;
	int32_t rel = 0;
	enum x86_call got;

	memcpy(b + 8, e->bytes, e->len);
	got = symfile__x86_call_before(b, n, &rel);
	if (got != e->want)
		fail_msg("%s after %#x: got %d, want %d", e->what, before, got, e->want);
	if (e->want != X86_CALL_NONE && !cs_call_at(cs, b, n, 8))
		fail_msg("%s: capstone disagrees", e->what);
	if (got == X86_CALL_DIRECT)
		assert_int_equal(rel, 0x76543210);
}

static void test_encodings(void **state)
{
	static const uint8_t before[] = { 0x90, 0xcc, 0x00, 0xc3, 0x48 };
	csh cs = cs_new();

	(void)state;
	for (size_t i = 0; i < sizeof(before); i++) {
		for (size_t j = 0; j < sizeof(calls) / sizeof(calls[0]); j++)
			check_encoding(cs, &calls[j], before[i]);
		for (size_t j = 0; j < sizeof(others) / sizeof(others[0]); j++)
			check_encoding(cs, &others[j], before[i]);
	}
	/* without the room for its opcode, the call is not there */
	assert_int_equal(symfile__x86_call_before(calls[0].bytes + 1, 4, NULL), X86_CALL_NONE);
	assert_int_equal(symfile__x86_call_before(calls[6].bytes + 1, 5, NULL), X86_CALL_NONE);
	assert_int_equal(symfile__x86_call_before(NULL, 0, NULL), X86_CALL_NONE);
	cs_close(&cs);
}

/* The executable PT_LOAD segment (run-time [start, end)) of the object holding addr. */
struct find_code {
	uint64_t addr, start, end;
};

static int find_code_fn(struct dl_phdr_info *info, size_t size, void *ctx)
{
	struct find_code *fc = ctx;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t start = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) || fc->addr < start ||
		    fc->addr - start >= ph->p_filesz)
			continue;
		fc->start = start;
		fc->end = start + ph->p_filesz;
		return 1;
	}
	return 0;
}

/*
 * What capstone says about @p: does a call end there, decoded from its opcode (E8 or FF,
 * or a REX prefix right before FF), an E8 aiming into the code segment [start, end)?
 */
static bool oracle(csh cs, const uint8_t *p, uint64_t start, uint64_t end)
{
	const uint8_t *lo = p - 8;
	int32_t rel;
	uint64_t target;

	for (size_t back = 8; back >= 2; back--) {
		const uint8_t *s = p - back;
		bool core = s[0] == 0xff || (back == 5 && s[0] == 0xe8) ||
			    (s[0] >= 0x40 && s[0] <= 0x4f && s[1] == 0xff);

		if (!core || !cs_call_at(cs, lo, 8, 8 - back))
			continue;
		if (s[0] != 0xe8)
			return true;
		memcpy(&rel, p - 4, sizeof(rel));
		target = (uint64_t)(uintptr_t)p + (uint64_t)(int64_t)rel;
		if (target >= start && target < end)
			return true;
	}
	return false;
}

/*
 * Every byte position of libc's code in this process (up to 1 MiB of it), checked against
 * capstone: the cache (reading libc.so.6 from the file) must agree everywhere.
 */
static void test_libc_against_capstone(void **state)
{
	struct find_code fc = { (uint64_t)(uintptr_t)dlsym(RTLD_DEFAULT, "fork"), 0, 0 };
	struct syms_cache *c = syms_cache__new(NULL);
	size_t yes = 0;
	uint64_t to;
	csh cs = cs_new();

	(void)state;
	assert_non_null(c);
	assert_int_equal(dl_iterate_phdr(find_code_fn, &fc), 1);
	to = fc.end < fc.start + (1u << 20) ? fc.end : fc.start + (1u << 20);
	/* the first 8 bytes: capstone would look before the segment */
	assert_false(syms_cache__is_call_site(c, getpid(), fc.start));
	for (uint64_t a = fc.start + 8; a <= to; a++) {
		bool want = oracle(cs, (const uint8_t *)(uintptr_t)a, fc.start, fc.end);
		bool got = syms_cache__is_call_site(c, getpid(), a);

		if (got != want)
			fail_msg("libc %#llx (+%#llx): is_call_site %d, capstone %d",
				 (unsigned long long)a, (unsigned long long)(a - fc.start), got,
				 want);
		yes += got;
	}
	print_message("libc: %llu positions, %zu call sites\n",
		      (unsigned long long)(to - fc.start - 7), yes);
	assert_true(yes > 1000);
	syms_cache__free(c);
	cs_close(&cs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_libc_against_capstone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
