// SPDX-License-Identifier: GPL-2.0
/*
 * funcaddr: function entry and return-instruction file offsets, on the Go workload
 * (stripped, unstripped, PIE) and C workloads, checked against objdump and against
 * where a running process actually maps the function.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "funcaddr.h"
#include "procmaps.h"
#include "support/workload.h"

#define NODESTAGE "main.(*nodeServer).NodeStageVolume"
#define MAX_RETS  64

static void find_ok(const char *path, const char *sym, struct func_loc *f)
{
	int err = func_find(path, sym, f);

	if (err)
		fail_msg("%s in %s: %s", sym, path, strerror(-err));
	assert_true(f->size > 0);
}

static uint8_t byte_at(const char *path, uint64_t off)
{
	int fd = open(path, O_RDONLY);
	uint8_t b = 0;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, (off_t)off), 1);
	close(fd);
	return b;
}

static bool is_ret_mnemonic(const char *tok)
{
	return tok && (!strcmp(tok, "ret") || !strcmp(tok, "retq") || !strcmp(tok, "retw") ||
		       !strcmp(tok, "retl"));
}

/*
 * Addresses of the near returns objdump shows in [vaddr, vaddr + size): "ADDR:\tret", also
 * after a prefix ("repz ret", "bnd ret"). -1 when objdump cannot be run.
 */
static int objdump_rets(const char *path, const struct func_loc *f, uint64_t *addrs, int max)
{
	char cmd[1024], line[512];
	int n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "objdump -d --no-show-raw-insn --start-address=%#llx --stop-address=%#llx '%s' "
		 "2>/dev/null",
		 (unsigned long long)f->vaddr, (unsigned long long)(f->vaddr + f->size), path);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		unsigned long long addr;
		char *save, *t1, *t2;
		int pos = 0;

		if (sscanf(line, " %llx:%n", &addr, &pos) != 1 || !pos)
			continue;
		t1 = strtok_r(line + pos, " \t\n", &save);
		t2 = t1 ? strtok_r(NULL, " \t\n", &save) : NULL;
		if ((is_ret_mnemonic(t1) || is_ret_mnemonic(t2)) && n < max)
			addrs[n++] = addr;
	}
	return pclose(p) == 0 ? n : -1;
}

/* Return offsets: at least one, inside the function, each a 0xC3, as objdump has them. */
static int check_rets(const char *path, const struct func_loc *f)
{
	uint64_t offs[MAX_RETS], want[MAX_RETS];
	int n = func_ret_offsets(path, f, offs, MAX_RETS), nwant;

	if (n < 1)
		fail_msg("%s: %d return instructions", path, n);
	for (int i = 0; i < n; i++) {
		if (offs[i] < f->file_off || offs[i] >= f->file_off + f->size)
			fail_msg("%s: ret at %#llx outside the function", path,
				 (unsigned long long)offs[i]);
		if (byte_at(path, offs[i]) != 0xc3)
			fail_msg("%s: no 0xc3 at %#llx", path, (unsigned long long)offs[i]);
	}
	nwant = objdump_rets(path, f, want, MAX_RETS);
	if (nwant < 0)
		fail_msg("objdump -d %s failed (binutils missing?)", path);
	assert_int_equal(n, nwant);
	for (int i = 0; i < n; i++)
		assert_int_equal(offs[i] - f->file_off + f->vaddr, want[i]);
	return n;
}

/* ---- Go -------------------------------------------------------------------------- */

static void test_go_stripped_matches_full(void **state)
{
	char stripped[512], full[512];
	struct func_loc a, b;

	(void)state;
	if (!wl_find("gostage", stripped, sizeof(stripped)) ||
	    !wl_find("gostage.full", full, sizeof(full)))
		skip();
	find_ok(stripped, NODESTAGE, &a); /* .gopclntab */
	find_ok(full, NODESTAGE, &b);	  /* .symtab */
	assert_int_equal(a.vaddr, b.vaddr);
	assert_int_equal(a.size, b.size);
	assert_int_equal(a.file_off, b.file_off);
	/* non-PIE Go: the text segment maps file offset 0 at 0x400000 */
	assert_int_equal(a.vaddr - a.file_off, 0x400000);
	/* a Go assembly function: .symtab calls it runtime.memmove.abi0, .gopclntab not */
	find_ok(stripped, "runtime.memmove", &a);
	find_ok(full, "runtime.memmove", &b);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void test_go_rets(void **state)
{
	static const char *const names[] = { "gostage", "gostage.full", "gostage.pie" };
	struct func_loc f;
	char path[512];
	int checked = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!wl_find(names[i], path, sizeof(path)))
			continue;
		checked++;
		find_ok(path, NODESTAGE, &f);
		check_rets(path, &f);
		/* memmove returns from many places: all found, none past its code */
		find_ok(path, "runtime.memmove", &f);
		assert_true(check_rets(path, &f) > 4);
	}
	if (!checked)
		skip();
}

static void test_go_unknown(void **state)
{
	static const char *const names[] = { "gostage", "gostage.full" };
	static const char *const syms[] = {
		"main.(*nodeServer).NodeUnstageVolume",
		"main.(*nodeServer).NodeStage", /* a prefix */
		NODESTAGE "X",
		"NodeStageVolume",
	};
	char path[512];
	struct func_loc f = { 1, 2, 3 };

	(void)state;
	if (!wl_find("gostage", path, sizeof(path)) || !wl_find("gostage.full", path, sizeof(path)))
		skip();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_true(wl_find(names[i], path, sizeof(path)));
		for (size_t j = 0; j < sizeof(syms) / sizeof(syms[0]); j++)
			assert_int_equal(func_find(path, syms[j], &f), -ENOENT);
		assert_int_equal(func_find(path, "", &f), -EINVAL);
	}
	/* untouched on failure */
	assert_int_equal(f.vaddr, 1);
	assert_int_equal(f.size, 2);
	assert_int_equal(f.file_off, 3);
}

/* ---- where a running process maps it -------------------------------------------- */

struct map_find {
	uint64_t addr, file_off;
	bool found;
};

static int map_find_fn(const struct procmap *m, void *ctx)
{
	struct map_find *mf = ctx;

	if (mf->addr < m->start || mf->addr >= m->end || !m->inode)
		return 0;
	mf->file_off = mf->addr - m->start + m->pgoff;
	mf->found = true;
	return 1;
}

/* Start workload @name, and check @sym's file offset against the live mapping. */
static void check_live(const char *name, const char *sym)
{
	struct map_find mf = { 0 };
	struct func_loc f;
	struct wl_proc p;
	char path[512];

	if (!wl_find(name, path, sizeof(path)))
		skip();
	find_ok(path, sym, &f);
	assert_int_equal(wl_start(&p, path), 0);
	mf.addr = wl_addr(&p, sym);
	assert_true(mf.addr != 0);
	procmaps__foreach(p.pid, map_find_fn, &mf);
	wl_stop(&p);
	assert_true(mf.found);
	assert_int_equal(mf.file_off, f.file_off);
	check_rets(path, &f);
}

/* C, PIE, .symtab */
static void test_c_symtab_live(void **state)
{
	(void)state;
	check_live("symtarget", "symtarget_sleep");
}

/* Go, non-PIE, stripped: .gopclntab */
static void test_go_stripped_live(void **state)
{
	(void)state;
	check_live("goburn", "main.burn");
}

/* ---- .dynsym: a shared library stripped of .symtab -------------------------------- */

static void test_dynsym(void **state)
{
	char lib[512], dir[] = "/tmp/st-funcaddr-XXXXXX", copy[600], cmd[1400];
	struct func_loc a, b;

	(void)state;
	if (!wl_find("libstwork.so", lib, sizeof(lib)))
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(copy, sizeof(copy), "%s/libstwork.so", dir);
	snprintf(cmd, sizeof(cmd), "strip --strip-all -o '%s' '%s'", copy, lib);
	assert_int_equal(system(cmd), 0);
	find_ok(lib, "stwork_sleep", &a);
	find_ok(copy, "stwork_sleep", &b);
	assert_memory_equal(&a, &b, sizeof(a));
	check_rets(copy, &b);
	assert_int_equal(func_find(copy, "stwork_nothing", &b), -ENOENT);
	unlink(copy);
	rmdir(dir);
}

/* ---- bad input --------------------------------------------------------------------- */

static void test_errors(void **state)
{
	char path[512], tmp[] = "/tmp/st-funcaddr-XXXXXX";
	uint64_t offs[4];
	struct func_loc f;
	int fd;

	(void)state;
	if (!wl_find("symtarget", path, sizeof(path)))
		skip();
	assert_int_equal(func_find("/nonexistent/st-binary", "main", &f), -ENOENT);
	assert_int_equal(func_find(NULL, "main", &f), -EINVAL);
	assert_int_equal(func_find(path, NULL, &f), -EINVAL);
	assert_int_equal(func_find(path, "main", NULL), -EINVAL);
	fd = mkstemp(tmp);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\n", 10), 10);
	close(fd);
	assert_int_equal(func_find(tmp, "main", &f), -ENOEXEC);
	unlink(tmp);
	/* the ELF header: mapped, but not code (gcc's -z separate-code layout) */
	f = (struct func_loc){ .vaddr = 0, .size = 16, .file_off = 0 };
	assert_int_equal(func_ret_offsets(path, &f, offs, 4), -EINVAL);
	/* past the end of the file */
	f = (struct func_loc){ .vaddr = 0, .size = 16, .file_off = 1ULL << 40 };
	assert_int_equal(func_ret_offsets(path, &f, offs, 4), -EINVAL);
	assert_int_equal(func_ret_offsets(path, NULL, offs, 4), -EINVAL);
	assert_int_equal(func_ret_offsets(path, &f, offs, -1), -EINVAL);
}

/* Never a silently short list: more returns than @max is -E2BIG; NULL only counts. */
static void test_ret_limits(void **state)
{
	uint64_t offs[MAX_RETS];
	struct func_loc f;
	char path[512];
	int n;

	(void)state;
	if (!wl_find("gostage", path, sizeof(path)))
		skip();
	find_ok(path, "runtime.memmove", &f);
	n = func_ret_offsets(path, &f, NULL, 0);
	assert_true(n > 4 && n <= MAX_RETS);
	assert_int_equal(func_ret_offsets(path, &f, offs, n), n);
	assert_int_equal(func_ret_offsets(path, &f, offs, n - 1), -E2BIG);
	assert_int_equal(func_ret_offsets(path, &f, offs, 0), -E2BIG);
	f.size = 0;
	assert_int_equal(func_ret_offsets(path, &f, offs, MAX_RETS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_stripped_matches_full),
		cmocka_unit_test(test_go_rets),
		cmocka_unit_test(test_go_unknown),
		cmocka_unit_test(test_c_symtab_live),
		cmocka_unit_test(test_go_stripped_live),
		cmocka_unit_test(test_dynsym),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_ret_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
