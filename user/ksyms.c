// SPDX-License-Identifier: GPL-2.0
/* Kernel symbols from /proc/kallsyms: parse, sort, binary-search; tracer-frame filter. */
#include "ksyms.h"
#include "symsearch.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* /proc/kallsyms is ~15 MiB with many modules loaded; refuse anything absurd. */
#define KALLSYMS_MAX_SIZE (256u << 20)

struct ksym {
	uint64_t addr;
	const char *name; /* points into ksyms->buf */
	uint32_t line;	  /* position in the file: stable tie-breaks */
	uint32_t module;  /* index into ksyms->modules, 0 = core kernel */
	char type;
	uint8_t rank; /* ksym_rank(): which alias wins at one address */
};

struct ksyms {
	char *buf;	   /* the file, cut into NUL-terminated names in place */
	struct ksym *syms; /* sorted by address, best name first among equal addresses */
	size_t nsyms;
	uint32_t *by_name;    /* indices into syms, sorted by name then file order */
	const char **modules; /* [0] is NULL: the core kernel */
	size_t nmodules;
};

static bool ksym_is_text(char type)
{
	return type == 't' || type == 'T' || type == 'w' || type == 'W';
}

static bool str_ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcmp(s + ls - lx, suffix);
}

/* Section and region markers that alias a real function's address. */
static bool ksym_is_marker(const char *name)
{
	static const char *const exact[] = { "_text", "_stext", "_etext", "_sinittext",
					     "_einittext" };

	if (name[0] != '_')
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(exact); i++) {
		if (!strcmp(name, exact[i]))
			return true;
	}
	return str_ends_with(name, "_start") || str_ends_with(name, "_end");
}

/* Strong global over strong local over weak. */
static int ksym_binding_rank(char type)
{
	if (type == 'w' || type == 'W' || type == 'v' || type == 'V')
		return 0;
	return isupper((unsigned char)type) ? 2 : 1;
}

static int ksym_rank(const struct ksym *s)
{
	return (ksym_is_text(s->type) ? 8 : 0) + (ksym_is_marker(s->name) ? 0 : 4) +
	       ksym_binding_rank(s->type);
}

static int ksym_cmp_addr(const void *pa, const void *pb)
{
	const struct ksym *a = pa, *b = pb;
	int ra, rb;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	ra = a->rank;
	rb = b->rank;
	if (ra != rb)
		return rb - ra;
	return a->line < b->line ? -1 : a->line > b->line;
}

static int ksym_cmp_name(const void *pa, const void *pb, void *ctx)
{
	const struct ksym *syms = ctx;
	const struct ksym *a = &syms[*(const uint32_t *)pa], *b = &syms[*(const uint32_t *)pb];
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	return a->line < b->line ? -1 : a->line > b->line;
}

/* Module index for @name ("" = core), adding it; consecutive lines share modules. */
static int ksyms_module(struct ksyms *ks, const char *name, uint32_t *idx)
{
	const char **nm;

	if (!*name) {
		*idx = 0;
		return 0;
	}
	if (ks->nmodules > 1 && !strcmp(ks->modules[ks->nmodules - 1], name)) {
		*idx = ks->nmodules - 1;
		return 0;
	}
	nm = reallocarray(ks->modules, ks->nmodules + 1, sizeof(*nm));
	if (!nm)
		return -ENOMEM;
	ks->modules = nm;
	nm[ks->nmodules] = name;
	*idx = ks->nmodules++;
	return 0;
}

/* "ffffffffc0a01000 t nvme_tcp_init_request\t[nvme_tcp]": cut in place. */
static int ksym_parse_line(char *line, struct ksym *out, const char **module)
{
	char *end, *name, *mod;

	errno = 0;
	out->addr = strtoull(line, &end, 16);
	if (errno || end == line || end[0] != ' ' || !end[1] || end[2] != ' ')
		return -EINVAL;
	out->type = end[1];
	name = end + 3;
	*module = "";
	mod = strpbrk(name, "\t ");
	if (mod) {
		*mod++ = '\0';
		mod += strspn(mod, "\t ");
		if (*mod == '[') {
			mod++;
			mod[strcspn(mod, "]")] = '\0';
			*module = mod;
		}
	}
	out->name = name;
	return *name ? 0 : -EINVAL;
}

static int ksyms_add(struct ksyms *ks, const struct ksym *s, size_t *cap)
{
	if (ks->nsyms == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4096;
		struct ksym *n = reallocarray(ks->syms, ncap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		ks->syms = n;
		*cap = ncap;
	}
	ks->syms[ks->nsyms++] = *s;
	return 0;
}

/*
 * Parse every line; keep symbols with a real address. Absolute symbols ('A', per-CPU
 * offsets) are not code. @zero counts lines whose address reads as 0 (kptr_restrict).
 */
static int ksyms_parse(struct ksyms *ks, size_t *zero)
{
	size_t cap = 0;
	uint32_t lineno = 0;
	char *line = ks->buf, *nl;
	int err;

	*zero = 0;
	for (; line && *line; line = nl) {
		struct ksym s = { .line = lineno++ };
		const char *mod;

		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		if (ksym_parse_line(line, &s, &mod))
			continue;
		if (!s.addr)
			(*zero)++;
		if (!s.addr || s.type == 'a' || s.type == 'A')
			continue;
		s.rank = (uint8_t)ksym_rank(&s);
		err = ksyms_module(ks, mod, &s.module);
		if (!err)
			err = ksyms_add(ks, &s, &cap);
		if (err)
			return err;
	}
	return 0;
}

static int ksyms_index(struct ksyms *ks)
{
	qsort(ks->syms, ks->nsyms, sizeof(*ks->syms), ksym_cmp_addr);
	ks->by_name = calloc(ks->nsyms ? ks->nsyms : 1, sizeof(*ks->by_name));
	if (!ks->by_name)
		return -ENOMEM;
	for (size_t i = 0; i < ks->nsyms; i++)
		ks->by_name[i] = (uint32_t)i;
	qsort_r(ks->by_name, ks->nsyms, sizeof(*ks->by_name), ksym_cmp_name, ks->syms);
	return 0;
}

/* The first line of a small /proc/sys file, or "?". */
static void read_sysctl(const char *path, char *buf, size_t len)
{
	char *v = st_read_file(path, 64, NULL);

	snprintf(buf, len, "%s", v ? v : "?");
	buf[strcspn(buf, "\n")] = '\0';
	free(v);
}

/*
 * kallsyms shows real addresses only to CAP_SYSLOG when kernel.kptr_restrict is 1, to
 * anyone when it is 0 and perf_event_paranoid <= 1, and never when it is 2.
 */
static void ksyms_report_hidden(const char *path)
{
	char kptr[16], paranoid[16];

	read_sysctl("/proc/sys/kernel/kptr_restrict", kptr, sizeof(kptr));
	read_sysctl("/proc/sys/kernel/perf_event_paranoid", paranoid, sizeof(paranoid));
	st_err("%s: every kernel address reads as 0: hidden from this process "
	       "(kernel.kptr_restrict=%s, kernel.perf_event_paranoid=%s); run as root "
	       "(CAP_SYSLOG) with kptr_restrict < 2",
	       path, kptr, paranoid);
}

struct ksyms *ksyms__load_file(const char *path)
{
	struct ksyms *ks = calloc(1, sizeof(*ks));
	size_t zero = 0;
	int err = -ENOMEM;

	if (!ks)
		goto fail;
	ks->nmodules = 1;
	ks->modules = calloc(1, sizeof(*ks->modules));
	ks->buf = st_read_file(path, KALLSYMS_MAX_SIZE, NULL);
	if (!ks->buf || !ks->modules) {
		err = ks->modules ? -errno : -ENOMEM;
		goto fail;
	}
	err = ksyms_parse(ks, &zero);
	if (!err && !ks->nsyms) {
		err = zero ? -EPERM : -ENODATA;
		if (zero)
			ksyms_report_hidden(path);
	}
	if (!err)
		err = ksyms_index(ks);
	if (!err)
		return ks;
fail:
	ksyms__free(ks);
	errno = err ? -err : EINVAL;
	return NULL;
}

struct ksyms *ksyms__load(void)
{
	return ksyms__load_file("/proc/kallsyms");
}

void ksyms__free(struct ksyms *ks)
{
	if (!ks)
		return;
	free(ks->by_name);
	free(ks->syms);
	free(ks->modules);
	free(ks->buf);
	free(ks);
}

size_t ksyms__count(const struct ksyms *ks)
{
	return ks ? ks->nsyms : 0;
}

/* End of the symbol at index @i, whose following neighbour (different address) is @next. */
static uint64_t ksyms_extent_end(const struct ksyms *ks, size_t i, size_t next)
{
	const struct ksym *s = &ks->syms[i];
	uint64_t end = s->addr + KSYMS_TAIL_MAX;

	if (end < s->addr)
		end = UINT64_MAX;
	if (next < ks->nsyms) {
		const struct ksym *n = &ks->syms[next];

		if (n->module == s->module || n->addr < end)
			end = n->addr;
	}
	return end;
}

const char *ksyms__name(const struct ksyms *ks, uint64_t addr, uint64_t *offset,
			const char **module)
{
	size_t first, next;

	if (!ks)
		return NULL;
	next = sym_upper_bound(ks->syms, ks->nsyms, sizeof(*ks->syms), offsetof(struct ksym, addr),
			       addr);
	if (!next)
		return NULL;
	first = next - 1;
	while (first > 0 && ks->syms[first - 1].addr == ks->syms[first].addr)
		first--;
	if (addr >= ksyms_extent_end(ks, first, next))
		return NULL;
	if (offset)
		*offset = addr - ks->syms[first].addr;
	if (module)
		*module = ks->modules[ks->syms[first].module];
	return ks->syms[first].name;
}

uint64_t ksyms__addr(const struct ksyms *ks, const char *name)
{
	size_t lo = 0, hi;

	if (!ks || !name)
		return 0;
	hi = ks->nsyms;
	/* Lower bound: the first (in file order) of equal names. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ks->syms[ks->by_name[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ks->nsyms && !strcmp(ks->syms[ks->by_name[lo]].name, name))
		return ks->syms[ks->by_name[lo]].addr;
	return 0;
}

/*
 * What the tracing machinery leaves on a kernel stack taken by bpf_get_stack{,id}():
 *  - raw_tp / tp_btf: __traceiter_X (or the __SCT__tp_func_X static call) -> __bpf_trace_X
 *    -> bpf_trace_runN -> bpf_prog_TAG_NAME -> bpf_get_stack*_raw_tp (the helper captures
 *    its caller's registers with perf_fetch_caller_regs(), so it and its callers show);
 *  - tracepoint (perf): perf_trace_X -> perf_trace_run_bpf_submit -> trace_call_bpf -> prog;
 *  - fentry/fexit: traced function -> bpf_trampoline_KEY -> __bpf_prog_enter* -> prog;
 *  - kprobe: ftrace_trampoline / kprobe_ftrace_handler or the int3 path, kprobe_dispatcher,
 *    kprobe_perf_func, kretprobe and rethook trampolines; kprobe.multi via fprobe;
 *  - uprobe: handle_swbp -> uprobe_dispatcher -> uprobe_perf_func;
 *  - perf_event: the overflow path (bpf_overflow_handler) when a stack is taken from it.
 */
static const char *const tracer_exact[] = {
	"trace_call_bpf",
	"bpf_overflow_handler",
	"__perf_event_overflow",
	"perf_event_overflow",
	"perf_tp_event",
	"kprobe_ftrace_handler",
	"kprobe_dispatcher",
	"kretprobe_dispatcher",
	"kprobe_perf_func",
	"kretprobe_perf_func",
	"kprobe_int3_handler",
	"pre_handler_kretprobe",
	"aggr_pre_handler",
	"aggr_post_handler",
	"optimized_callback",
	"trampoline_handler",
	"kprobe_insn_page",
	"kprobe_optinsn_page",
	"ftrace_trampoline",
	"ftrace_caller",
	"ftrace_regs_caller",
	"ftrace_call",
	"ftrace_regs_call",
	"ftrace_stub",
	"ftrace_ops_list_func",
	"arch_ftrace_ops_list_func",
	"ftrace_ops_assist_func",
	"fprobe_handler",
	"fprobe_exit_handler",
	"fprobe_kprobe_handler",
	"fprobe_kprobe_exit_handler",
	"uprobe_dispatcher",
	"uretprobe_dispatcher",
	"uprobe_perf_func",
	"__uprobe_perf_func",
	"uretprobe_perf_func",
	"uprobe_prog_run",
	"handle_swbp",
	"uprobe_notify_resume",
	"uprobe_handle_trampoline",
	"handle_uretprobe_chain",
};

static const char *const tracer_prefix[] = {
	"bpf_trampoline_",
	"bpf_trace_run",
	"__bpf_trace_",
	"__bpf_prog_enter",
	"__bpf_prog_exit",
	"__bpf_tramp_enter",
	"__bpf_tramp_exit",
	"__traceiter_",
	"__SCT__tp_func_",
	"perf_trace_",
	"bpf_get_stack",
	"__bpf_get_stack",
	"____bpf_get_stack",
	"bpf_get_task_stack",
	"kretprobe_trampoline",
	"__kretprobe_trampoline",
	"kretprobe_trampoline_handler",
	"arch_rethook_",
	"rethook_trampoline",
	"optprobe_template_",
	"kprobe_multi_link_",
	"__fprobe_handler",
};

/* A JIT-ed program or subprogram: "bpf_prog_" + 16 hex digits of tag, then "_NAME" or end. */
static bool is_bpf_prog_symbol(const char *name)
{
	static const char prefix[] = "bpf_prog_";
	const char *p = name + sizeof(prefix) - 1;
	int i;

	if (strncmp(name, prefix, sizeof(prefix) - 1))
		return false;
	for (i = 0; i < 16; i++) {
		if (!isxdigit((unsigned char)p[i]))
			return false;
	}
	return p[16] == '\0' || p[16] == '_';
}

bool ksyms__is_tracer_frame(const char *name)
{
	if (!name)
		return false;
	if (is_bpf_prog_symbol(name))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(tracer_exact); i++) {
		if (!strcmp(name, tracer_exact[i]))
			return true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(tracer_prefix); i++) {
		if (!strncmp(name, tracer_prefix[i], strlen(tracer_prefix[i])))
			return true;
	}
	return false;
}
