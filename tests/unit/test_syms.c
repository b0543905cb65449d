// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procmaps.h"
#include "syms.h"
#include "support/workload.h"

struct fixture {
	struct syms_cache *c;
	struct wl_proc wl;
	char path[512];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->wl.stdin_fd = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	wl_stop(&f->wl);
	syms_cache__free(f->c);
	free(f);
	return 0;
}

/* Start workload @name in a cache with @opts; skip the test if it was not built. */
static void start(struct fixture *f, const char *name, const struct syms_opts *opts)
{
	if (!wl_find(name, f->path, sizeof(f->path)))
		skip();
	f->c = syms_cache__new(opts);
	assert_non_null(f->c);
	assert_int_equal(wl_start(&f->wl, f->path), 0);
}

static void expect_sym(struct syms_cache *c, pid_t pid, uint64_t addr, const char *name,
		       const char *module, uint64_t offset)
{
	struct sym_info si;
	int err = syms_cache__resolve(c, pid, addr, &si);

	if (err || strcmp(si.name, name) || strcmp(si.module, module) || si.offset != offset)
		fail_msg("%#llx: err %d, got %s in %s +%#llx; want %s in %s +%#llx",
			 (unsigned long long)addr, err, si.name ? si.name : "NULL",
			 si.module ? si.module : "NULL", (unsigned long long)si.offset, name,
			 module, (unsigned long long)offset);
}

/* Resolve a workload function at its entry and 3 bytes in. */
static void expect_wl(struct fixture *f, const char *func, const char *module)
{
	uint64_t addr = wl_addr(&f->wl, func);

	if (!addr)
		fail_msg("workload printed no address for %s", func);
	expect_sym(f->c, f->wl.pid, addr, func, module, 0);
	expect_sym(f->c, f->wl.pid, addr + 3, func, module, 3);
}

/* (a) a PIE executable with .symtab */
static void test_pie(void **state)
{
	struct fixture *f = *state;

	start(f, "symtarget", NULL);
	assert_int_equal(syms_cache__prepare(f->c, f->wl.pid), 0);
	expect_wl(f, "symtarget_burn", "symtarget");
	expect_wl(f, "symtarget_sleep", "symtarget");
	expect_wl(f, "symtarget_wait", "symtarget");
}

/* (b) a shared library linked to a PIE executable; resolve prepares on demand */
static void test_shared_library(void **state)
{
	struct fixture *f = *state;

	start(f, "shlib_work", NULL);
	expect_wl(f, "stwork_burn", "libstwork.so");
	expect_wl(f, "stwork_sleep", "libstwork.so");
	expect_wl(f, "shlib_wait", "shlib_work");
}

/* (c) stripped, function symbols only in .gnu_debugdata (MiniDebugInfo) */
static void test_minidebuginfo(void **state)
{
	struct fixture *f = *state;

	start(f, "symtarget-minidebug", NULL);
	assert_int_equal(syms_cache__prepare(f->c, f->wl.pid), 0);
	expect_wl(f, "symtarget_burn", "symtarget-minidebug");
}

/* (d) stripped, debug file found by build-id in a configured directory */
static void test_debug_file_by_build_id(void **state)
{
	struct fixture *f = *state;
	char dir[512];
	struct syms_opts opts = { .debug_dirs = dir };

	if (!wl_find("debug", dir, sizeof(dir)))
		skip();
	start(f, "symtarget-debugfile", &opts);
	assert_int_equal(syms_cache__prepare(f->c, f->wl.pid), 0);
	expect_wl(f, "symtarget_burn", "symtarget-debugfile");
	expect_wl(f, "symtarget_sleep", "symtarget-debugfile");
}

/* Control for (c) and (d): a stripped binary without any debug data has no names. */
static void test_stripped_unknown(void **state)
{
	struct fixture *f = *state;
	struct sym_info si;
	char buf[128];
	uint64_t addr;

	start(f, "symtarget-stripped", NULL);
	addr = wl_addr(&f->wl, "symtarget_burn");
	assert_int_equal(syms_cache__resolve(f->c, f->wl.pid, addr, &si), -ENOENT);
	assert_null(si.name);
	assert_string_equal(si.module, "symtarget-stripped");
	sym_format_user(buf, sizeof(buf), &si, addr);
	assert_true(!strncmp(buf, "[unknown] (symtarget-stripped+0x", 32));
}

/* (e) a Go binary built with -ldflags='-s -w': names come from .gopclntab */
static void test_go_stripped(void **state)
{
	struct fixture *f = *state;

	start(f, "goburn", NULL);
	assert_int_equal(syms_cache__prepare(f->c, f->wl.pid), 0);
	expect_wl(f, "main.burn", "goburn");
	expect_wl(f, "main.sleepy", "goburn");
}

/* (f) prepared while alive, resolved after it exited and was reaped */
static void test_exited_process(void **state)
{
	struct fixture *f = *state;
	uint64_t addr;
	pid_t pid;

	start(f, "symtarget", NULL);
	pid = f->wl.pid;
	addr = wl_addr(&f->wl, "symtarget_sleep");
	assert_int_equal(syms_cache__prepare(f->c, pid), 0);
	wl_stop(&f->wl);
	assert_int_equal(access("/proc/self/exe", F_OK), 0);
	expect_sym(f->c, pid, addr + 1, "symtarget_sleep", "symtarget", 1);
	/* idempotent: preparing again keeps the snapshot */
	assert_int_equal(syms_cache__prepare(f->c, pid), 0);
	expect_sym(f->c, pid, addr, "symtarget_sleep", "symtarget", 0);
}

/* An exited process whose binary was deleted too: the fd opened at prepare keeps it. */
static void test_deleted_binary(void **state)
{
	struct fixture *f = *state;
	char tmpl[] = "/tmp/st-syms-XXXXXX", copy[600];
	uint64_t addr;
	pid_t pid;

	if (!wl_find("symtarget", f->path, sizeof(f->path)))
		skip();
	assert_non_null(mkdtemp(tmpl));
	snprintf(copy, sizeof(copy), "cp '%s' '%s/victim'", f->path, tmpl);
	assert_int_equal(system(copy), 0);
	snprintf(copy, sizeof(copy), "%s/victim", tmpl);
	f->c = syms_cache__new(NULL);
	assert_int_equal(wl_start(&f->wl, copy), 0);
	pid = f->wl.pid;
	addr = wl_addr(&f->wl, "symtarget_burn");
	assert_int_equal(syms_cache__prepare(f->c, pid), 0);
	assert_int_equal(unlink(copy), 0);
	assert_int_equal(rmdir(tmpl), 0);
	wl_stop(&f->wl);
	expect_sym(f->c, pid, addr + 2, "symtarget_burn", "victim", 2);
}

/* Gone before anyone prepared it: -ESRCH, and resolving is -ENOENT. */
static void test_never_seen(void **state)
{
	struct fixture *f = *state;
	struct sym_info si;
	pid_t child = fork();

	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	f->c = syms_cache__new(NULL);
	assert_int_equal(syms_cache__prepare(f->c, child), -ESRCH);
	assert_int_equal(syms_cache__resolve(f->c, child, 0x401000, &si), -ENOENT);
	assert_null(si.name);
	assert_null(si.module);
	assert_int_equal(syms_cache__prepare(f->c, 0), -EINVAL);
}

__attribute__((noinline)) int test_syms_marker_function(int x);
__attribute__((noinline)) int test_syms_marker_function(int x)
{
	return x * 3 + 1;
}

/* This test binary (PIE) and libc, in our own process. */
static void test_self_and_libc(void **state)
{
	struct fixture *f = *state;
	uint64_t addr = (uint64_t)(uintptr_t)test_syms_marker_function;
	struct sym_info si;

	f->c = syms_cache__new(NULL);
	expect_sym(f->c, getpid(), addr + 1, "test_syms_marker_function", "test_syms", 1);
	assert_int_equal(syms_cache__resolve(f->c, getpid(),
					     (uint64_t)(uintptr_t)dlsym(RTLD_DEFAULT, "fork") + 4,
					     &si),
			 0);
	assert_string_equal(si.module, "libc.so.6");
	assert_non_null(strstr(si.name, "fork"));
	assert_int_equal(si.offset, 4);
	assert_int_equal(syms_cache__resolve(f->c, getpid(), 16, &si), -ENOENT);
	assert_null(si.module);
}

/* Address of dynamic symbol @name in the vDSO image at @base. */
static uint64_t vdso_sym(uint64_t base, const char *name)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(base + eh->e_shoff);

	for (int i = 0; i < eh->e_shnum; i++) {
		const Elf64_Sym *syms = (const Elf64_Sym *)(base + sh[i].sh_offset);
		const char *str = (const char *)(base + sh[sh[i].sh_link].sh_offset);

		if (sh[i].sh_type != SHT_DYNSYM)
			continue;
		for (size_t j = 0; j < sh[i].sh_size / sizeof(*syms); j++) {
			if (!strcmp(str + syms[j].st_name, name))
				return base + syms[j].st_value;
		}
	}
	return 0;
}

/* The .text section of the vDSO image at @base, in run-time addresses. */
static bool vdso_text(uint64_t base, uint64_t *start, uint64_t *end)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(base + eh->e_shoff);
	const char *names = (const char *)(base + sh[eh->e_shstrndx].sh_offset);

	for (int i = 0; i < eh->e_shnum; i++) {
		if (strcmp(names + sh[i].sh_name, ".text"))
			continue;
		*start = base + sh[i].sh_offset;
		*end = *start + sh[i].sh_size;
		return true;
	}
	return false;
}

static void test_vdso(void **state)
{
	struct fixture *f = *state;
	uint64_t base = getauxval(AT_SYSINFO_EHDR), addr;
	struct sym_info si;

	if (!base)
		skip();
	addr = vdso_sym(base, "__vdso_clock_gettime");
	if (!addr)
		skip();
	f->c = syms_cache__new(NULL);
	assert_int_equal(syms_cache__resolve(f->c, getpid(), addr + 2, &si), 0);
	assert_string_equal(si.module, "[vdso]");
	assert_non_null(strstr(si.name, "clock_gettime"));
	assert_int_equal(si.offset, 2);
}

/* A library loaded after the snapshot is found by a (rate-limited) refresh. */
static void test_refresh_after_dlopen(void **state)
{
	struct fixture *f = *state;
	struct syms_opts opts = { .refresh_ms = 1 };
	char lib[512];
	void *h, *fn;

	if (!wl_find("libstwork.so", lib, sizeof(lib)))
		skip();
	f->c = syms_cache__new(&opts);
	assert_int_equal(syms_cache__prepare(f->c, getpid()), 0);
	h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	assert_non_null(h);
	fn = dlsym(h, "stwork_sleep");
	assert_non_null(fn);
	usleep(2000);
	expect_sym(f->c, getpid(), (uint64_t)(uintptr_t)fn, "stwork_sleep", "libstwork.so", 0);
	dlclose(h);
}

/* A library mapped after prepare, refreshed explicitly, still resolves after the exit. */
static void test_refresh_then_exit(void **state)
{
	struct fixture *f = *state;
	struct syms_opts opts = { .refresh_ms = 3600 * 1000 }; /* no refresh on a miss */
	struct syms_cache *stale;
	struct syms_stats st1, st2;
	struct sym_info si;
	int go[2], back[2];
	char lib[512], ok = 0;
	uint64_t addr = 0;
	pid_t child;

	if (!wl_find("libstwork.so", lib, sizeof(lib)))
		skip();
	f->c = syms_cache__new(&opts);
	stale = syms_cache__new(&opts);
	assert_non_null(stale);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(back), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		void *h, *fn = NULL;

		close(go[1]);
		close(back[0]);
		/* wait until prepared, dlopen, say where, wait until refreshed */
		if (read(go[0], &ok, 1) == 1 && (h = dlopen(lib, RTLD_NOW | RTLD_LOCAL)))
			fn = dlsym(h, "stwork_sleep");
		addr = (uint64_t)(uintptr_t)fn;
		if (write(back[1], &addr, sizeof(addr)) != sizeof(addr))
			_exit(1);
		while (read(go[0], &ok, 1) > 0)
			;
		_exit(0);
	}
	close(go[0]);
	close(back[1]);
	assert_int_equal(syms_cache__prepare(f->c, child), 0);
	assert_int_equal(syms_cache__prepare(stale, child), 0);
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(read(back[0], &addr, sizeof(addr)), sizeof(addr));
	close(back[0]);
	assert_true(addr != 0);

	assert_int_equal(syms_cache__refresh(f->c, child), 0);
	syms_cache__stats(f->c, &st1);
	/* nothing changed since: still 0, nothing more opened or remembered */
	assert_int_equal(syms_cache__refresh(f->c, child), 0);
	syms_cache__stats(f->c, &st2);
	assert_int_equal(st2.files, st1.files);
	assert_int_equal(st2.mappings, st1.mappings);

	close(go[1]);
	waitpid(child, NULL, 0);
	assert_int_equal(syms_cache__refresh(f->c, child), -ESRCH);
	expect_sym(f->c, child, addr, "stwork_sleep", "libstwork.so", 0);
	expect_sym(f->c, child, addr + 2, "stwork_sleep", "libstwork.so", 2);
	syms_cache__stats(f->c, &st2);
	assert_int_equal(st2.mappings, st1.mappings); /* the failed refresh kept the snapshot */

	/* Control: the snapshot taken before the dlopen does not know the library. */
	assert_int_equal(syms_cache__resolve(stale, child, addr, &si), -ENOENT);
	assert_null(si.module);
	syms_cache__free(stale);
	assert_int_equal(syms_cache__refresh(f->c, 0), -EINVAL);
}

/* Return addresses of calls from this test binary, in our own process. */
__attribute__((noinline)) uint64_t test_syms_return_address(void);
__attribute__((noinline)) uint64_t test_syms_return_address(void)
{
	return (uint64_t)(uintptr_t)__builtin_extract_return_addr(__builtin_return_address(0));
}

static int test_syms_data = 42;

/* Ends of the call instructions in @code (at @addr), decoded with capstone. */
static size_t find_calls(const uint8_t *code, size_t len, uint64_t addr, uint64_t *ends, size_t max)
{
	csh cs;
	cs_insn *insn;
	size_t n, found = 0;

	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return 0;
	n = cs_disasm(cs, code, len, addr, 0, &insn);
	for (size_t i = 0; i < n && found < max; i++) {
		if (insn[i].id == X86_INS_CALL)
			ends[found++] = insn[i].address + insn[i].size;
	}
	if (n)
		cs_free(insn, n);
	cs_close(&cs);
	return found;
}

struct find_map {
	const char *path_suffix; /* NULL: any */
	bool executable;
	uint64_t start, end;
};

static int find_map_fn(const struct procmap *m, void *ctx)
{
	struct find_map *fm = ctx;
	size_t len = strlen(m->path), slen = fm->path_suffix ? strlen(fm->path_suffix) : 0;

	if (m->executable != fm->executable || m->end - m->start < 64 ||
	    (fm->path_suffix && (len < slen || strcmp(m->path + len - slen, fm->path_suffix))))
		return 0;
	fm->start = m->start;
	fm->end = m->end;
	return 1;
}

/* Call sites of the symtarget workload, alive and then after it exited. */
static void test_call_site_workload(void **state)
{
	struct fixture *f = *state;
	struct find_map data = { "/symtarget", false, 0, 0 };
	struct find_map stack = { "[stack]", false, 0, 0 };
	uint8_t code[64];
	struct iovec local = { code, sizeof(code) }, remote;
	uint64_t fn, ret[8];
	struct sym_info si;
	size_t ncalls;
	pid_t pid;

	start(f, "symtarget", NULL);
	pid = f->wl.pid;
	fn = wl_addr(&f->wl, "symtarget_sleep");
	remote = (struct iovec){ (void *)(uintptr_t)fn, sizeof(code) };
	assert_int_equal(process_vm_readv(pid, &local, 1, &remote, 1, 0), sizeof(code));
	ncalls = find_calls(code, sizeof(code), fn, ret, 8);
	assert_true(ncalls >= 1); /* usleep() */
	assert_int_equal(procmaps__foreach(pid, find_map_fn, &data), 1);
	assert_int_equal(procmaps__foreach(pid, find_map_fn, &stack), 1);

	/* resolve-like: the process is prepared on demand */
	for (size_t i = 0; i < ncalls; i++)
		assert_true(syms_cache__is_call_site(f->c, pid, ret[i]));
	assert_int_equal(syms_cache__resolve(f->c, pid, ret[0] - 1, &si), 0);
	assert_string_equal(si.name, "symtarget_sleep");
	assert_false(syms_cache__is_call_site(f->c, pid, fn));
	assert_false(syms_cache__is_call_site(f->c, pid, fn + 1));
	/* data of the same file, the stack, no mapping, no process */
	assert_false(syms_cache__is_call_site(f->c, pid, data.start + 16));
	assert_false(syms_cache__is_call_site(f->c, pid, stack.end - 64));
	assert_false(syms_cache__is_call_site(f->c, pid, 16));
	assert_false(syms_cache__is_call_site(f->c, pid + 0x40000000, ret[0]));
	assert_false(syms_cache__is_call_site(NULL, pid, ret[0]));

	/* gone, and /proc/PID with it: answered from the file opened at prepare */
	wl_stop(&f->wl);
	for (size_t i = 0; i < ncalls; i++)
		assert_true(syms_cache__is_call_site(f->c, pid, ret[i]));
	assert_false(syms_cache__is_call_site(f->c, pid, fn));
	assert_false(syms_cache__is_call_site(f->c, pid, fn + 1));
}

/* This process: a call site in the test binary, data, anonymous code, the vDSO. */
static void test_call_site_self(void **state)
{
	struct fixture *f = *state;
	uint64_t ra = test_syms_return_address(), vdso = getauxval(AT_SYSINFO_EHDR);
	/* call rel32 to itself+5, then call *%rax: code, but anonymous (a JIT) */
	static const uint8_t jit[] = { 0xe8, 0x00, 0x00, 0x00, 0x00, 0xff, 0xd0, 0xc3 };
	uint8_t *anon;
	uint64_t ends[64], text, text_end;
	struct syms_stats st1, st2;
	size_t n;

	f->c = syms_cache__new(NULL);
	assert_true(syms_cache__is_call_site(f->c, getpid(), ra));
	assert_false(syms_cache__is_call_site(f->c, getpid(), ra - 1));
	assert_false(syms_cache__is_call_site(f->c, getpid(),
					      (uint64_t)(uintptr_t)test_syms_return_address));
	assert_false(
	    syms_cache__is_call_site(f->c, getpid(), (uint64_t)(uintptr_t)&test_syms_data));

	anon = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(anon != MAP_FAILED);
	memcpy(anon, jit, sizeof(jit));
	assert_int_equal(mprotect(anon, 4096, PROT_READ | PROT_EXEC), 0);
	syms_cache__stats(f->c, &st1);
	assert_int_equal(syms_cache__refresh(f->c, getpid()), 0);
	syms_cache__stats(f->c, &st2);
	assert_int_equal(st2.mappings, st1.mappings + 1);
	assert_int_equal(st2.files, st1.files);
	assert_false(syms_cache__is_call_site(f->c, getpid(), (uint64_t)(uintptr_t)anon + 5));
	assert_false(syms_cache__is_call_site(f->c, getpid(), (uint64_t)(uintptr_t)anon + 7));
	assert_true(syms_cache__is_call_site(f->c, getpid(), ra));
	munmap(anon, 4096);

	/* the vDSO, from our own copy: its calls, if the compiler left any */
	if (!vdso || !vdso_text(vdso, &text, &text_end))
		return;
	n = find_calls((const uint8_t *)(uintptr_t)text, text_end - text, text, ends, 64);
	for (size_t i = 0; i < n; i++)
		assert_true(syms_cache__is_call_site(f->c, getpid(), ends[i]));
	assert_false(syms_cache__is_call_site(f->c, getpid(), vdso + 4)); /* ELF header */
}

/* Files are shared between processes; the process count is capped (LRU). */
static void test_sharing_and_cap(void **state)
{
	struct fixture *f = *state;
	struct syms_opts opts = { .max_procs = 2 };
	struct wl_proc a, b;
	struct syms_stats st1, st2;

	start(f, "symtarget", &opts);
	assert_int_equal(wl_start(&a, f->path), 0);
	assert_int_equal(wl_start(&b, f->path), 0);
	assert_int_equal(syms_cache__prepare(f->c, f->wl.pid), 0);
	syms_cache__stats(f->c, &st1);
	assert_int_equal(syms_cache__prepare(f->c, a.pid), 0);
	syms_cache__stats(f->c, &st2);
	assert_int_equal(st2.procs, 2);
	assert_int_equal(st2.files, st1.files); /* same binary, same libc, same vDSO */
	assert_int_equal(st2.mappings, 2 * st1.mappings);
	assert_true(st1.opens > 0);
	assert_int_equal(st2.opens, st1.opens); /* found by the maps' device and inode */
	/* touch the first so that `a` is the least recently used */
	assert_int_equal(syms_cache__prepare(f->c, f->wl.pid), 0);
	assert_int_equal(syms_cache__prepare(f->c, b.pid), 0);
	syms_cache__stats(f->c, &st2);
	assert_int_equal(st2.procs, 2);
	assert_int_equal(st2.evictions, 1);
	expect_wl(f, "symtarget_burn", "symtarget");
	syms_cache__forget(f->c, b.pid);
	syms_cache__forget(f->c, f->wl.pid);
	syms_cache__stats(f->c, &st2);
	assert_int_equal(st2.procs, 0);
	assert_true(st2.files <= 1); /* the vDSO copy stays for the cache's life */
	assert_int_equal(st2.mappings, 0);
	assert_true(st2.resolved >= 2);
	wl_stop(&a);
	wl_stop(&b);
}

static int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n - 3; /* ".", ".." and the directory's own descriptor */
}

/* Out of descriptors: the soft RLIMIT_NOFILE is raised to the hard limit and it works. */
static void test_fd_limit_raised(void **state)
{
	struct fixture *f = *state;
	struct rlimit old, low;

	getrlimit(RLIMIT_NOFILE, &old);
	if (old.rlim_max < 64)
		skip();
	start(f, "shlib_work", NULL);
	low = (struct rlimit){ (rlim_t)count_open_fds() + 1, old.rlim_max };
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	assert_int_equal(syms_cache__prepare(f->c, f->wl.pid), 0);
	getrlimit(RLIMIT_NOFILE, &low);
	setrlimit(RLIMIT_NOFILE, &old);
	assert_true(low.rlim_cur == old.rlim_max);
	expect_wl(f, "stwork_burn", "libstwork.so");
}

static void test_format(void **state)
{
	struct sym_info named = { "main.burn", "goburn", 12 };
	struct sym_info module_only = { NULL, "libfoo.so", 0x1a2b };
	struct sym_info nasty = { "a;b\nc", "m", 0 };
	char buf[64], tiny[8];

	(void)state;
	assert_int_equal(sym_format_user(buf, sizeof(buf), &named, 0x1234), 9);
	assert_string_equal(buf, "main.burn");
	sym_format_user(buf, sizeof(buf), &module_only, 0x1234);
	assert_string_equal(buf, "[unknown] (libfoo.so+0x1a2b)");
	sym_format_user(buf, sizeof(buf), NULL, 0x1234);
	assert_string_equal(buf, "[unknown]");
	sym_format_user(buf, sizeof(buf), &(struct sym_info){ 0 }, 0x1234);
	assert_string_equal(buf, "[unknown]");
	sym_format_user(buf, sizeof(buf), &nasty, 0);
	assert_string_equal(buf, "a_b_c");
	assert_int_equal(sym_format_user(tiny, sizeof(tiny), &module_only, 0), 7);
	assert_string_equal(tiny, "[unknow");
	assert_int_equal(sym_format_user(buf, 0, &named, 0), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_pie),
		T(test_shared_library),
		T(test_minidebuginfo),
		T(test_debug_file_by_build_id),
		T(test_stripped_unknown),
		T(test_go_stripped),
		T(test_exited_process),
		T(test_deleted_binary),
		T(test_never_seen),
		T(test_self_and_libc),
		T(test_vdso),
		T(test_refresh_after_dlopen),
		T(test_refresh_then_exit),
		T(test_call_site_workload),
		T(test_call_site_self),
		T(test_sharing_and_cap),
		T(test_fd_limit_raised),
		cmocka_unit_test(test_format),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
