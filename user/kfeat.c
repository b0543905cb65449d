// SPDX-License-Identifier: GPL-2.0
#include "kfeat.h"
#include "util.h"
#include "probe.skel.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const names[ST_F__NR] = {
	[ST_F_BTF] = "btf",
	[ST_F_MODULE_BTF] = "module_btf",
	[ST_F_TRACEFS] = "tracefs",
	[ST_F_TRACEPOINT] = "tracepoint",
	[ST_F_RAW_TP] = "raw_tp",
	[ST_F_TP_BTF] = "tp_btf",
	[ST_F_FENTRY] = "fentry",
	[ST_F_KPROBE] = "kprobe",
	[ST_F_KPROBE_MULTI] = "kprobe_multi",
	[ST_F_UPROBE] = "uprobe",
	[ST_F_PERF_EVENT] = "perf_event",
	[ST_F_RINGBUF] = "ringbuf",
	[ST_F_GET_STACK] = "bpf_get_stack",
	[ST_F_BPF_STATS] = "bpf_stats",
	[ST_F_TASK_STORAGE_NOLOCK] = "task_storage_nolock",
	[ST_F_SWITCH_PREV_STATE] = "switch_prev_state",
};

const char *st_feature_name(enum st_feature f)
{
	return f < ST_F__NR ? names[f] : "?";
}

static void set(struct st_features *f, enum st_feature k, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void set(struct st_features *f, enum st_feature k, bool ok, const char *fmt, ...)
{
	va_list ap;

	f->ok[k] = ok;
	f->probed[k] = true;
	va_start(ap, fmt);
	vsnprintf(f->why[k], sizeof(f->why[k]), fmt, ap);
	va_end(ap);
}

const char *st_tracefs_path(bool mount_it)
{
	static const char *const paths[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char p[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		snprintf(p, sizeof(p), "%s/events", paths[i]);
		if (access(p, F_OK) == 0)
			return paths[i];
	}
	if (mount_it && mount("nodev", paths[0], "tracefs", 0, NULL) == 0)
		return paths[0];
	return NULL;
}

bool st_module_loaded(const char *name)
{
	char path[256];

	/* Loadable modules have initstate; built-in code shows as a bare directory. */
	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	return access(path, F_OK) == 0;
}

bool st_btf_has_func(const char *module, const char *func)
{
	struct btf *vmlinux, *btf;
	bool found;

	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return false;
	btf = vmlinux;
	if (module) {
		btf = btf__load_module_btf(module, vmlinux);
		if (!btf) {
			btf__free(vmlinux);
			return false;
		}
	}
	found = btf__find_by_name_kind(btf, func, BTF_KIND_FUNC) > 0;
	if (btf != vmlinux)
		btf__free(btf);
	btf__free(vmlinux);
	return found;
}

bool st_tracepoint_exists(const char *catname)
{
	const char *tfs = st_tracefs_path(false);
	const char *colon = strchr(catname, ':');
	char path[256];

	if (!colon)
		return false;
	if (tfs) {
		snprintf(path, sizeof(path), "%s/events/%.*s/%s", tfs, (int)(colon - catname),
			 catname, colon + 1);
		return access(path, F_OK) == 0;
	}
	snprintf(path, sizeof(path), "btf_trace_%s", colon + 1);
	{
		struct btf *vmlinux = btf__load_vmlinux_btf();
		bool found = vmlinux && btf__find_by_name_kind(vmlinux, path, BTF_KIND_TYPEDEF) > 0;

		btf__free(vmlinux);
		return found;
	}
}

bool st_kallsyms_has(const char *name)
{
	size_t nlen = strlen(name);
	char line[512];
	bool found = false;
	FILE *f;

	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		/* "ffffffff81000000 T name\t[module]" */
		char *sym = strchr(line, ' ');

		if (!sym || !(sym = strchr(sym + 1, ' ')))
			continue;
		sym++;
		found = !strncmp(sym, name, nlen) &&
			(sym[nlen] == '\n' || sym[nlen] == '\t' || sym[nlen] == '\0');
	}
	fclose(f);
	return found;
}

/* ---- attach probes ------------------------------------------------------- */

/* A uprobe target in our own binary: must not be inlined or folded away. */
__attribute__((noinline, used)) int st_uprobe_probe_target(int x);
__attribute__((noinline, used)) int st_uprobe_probe_target(int x)
{
	__asm__ volatile("" ::: "memory");
	return x + 1;
}

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static void trigger_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static int open_cpu_clock(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.size = sizeof(attr),
		.sample_freq = 99,
		.freq = 1,
	};

	return (int)syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
}

struct attach_probe {
	enum st_feature feat;
	const char *prog;
	int hit_idx; /* index in bss hits[] that proves it fired, -1 to skip */
};

static const struct attach_probe attach_probes[] = {
	{ ST_F_TRACEPOINT, "probe_tracepoint", 0 }, { ST_F_RAW_TP, "probe_raw_tp", 1 },
	{ ST_F_TP_BTF, "probe_tp_btf", 2 },	    { ST_F_FENTRY, "probe_fentry", -1 },
	{ ST_F_KPROBE, "probe_kprobe", -1 },	    { ST_F_KPROBE_MULTI, "probe_kprobe_multi", -1 },
	{ ST_F_UPROBE, "probe_uprobe", 6 },	    { ST_F_PERF_EVENT, "probe_perf_event", -1 },
	{ ST_F_GET_STACK, "probe_get_stack", 8 },
};

/*
 * Where fentry and kprobes are tried: a function only BPF_PROG_TEST_RUN calls,
 * so no other CPU is inside it while its entry is patched and unpatched (on
 * 6.1 under load, attaching and detaching trampolines and kprobes on a hot
 * function in quick succession has crashed a reader of that function); the
 * decades-old vfs_read only where the first is missing.
 */
static const char *const cold_funcs[] = { "bpf_fentry_test1", "vfs_read" };

static bool env_disabled(enum st_feature k)
{
	const char *env = getenv("SCALETRACE_DISABLE");
	size_t n = strlen(names[k]);

	for (const char *p = env; p && *p; p += strcspn(p, ","), p += *p == ',')
		if (strncmp(p, names[k], n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

static struct bpf_link *attach_one(struct bpf_program *prog, enum st_feature feat, const char *func,
				   int *perf_fd)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uopts, .func_name = "st_uprobe_probe_target");

	switch (feat) {
	case ST_F_UPROBE:
		return bpf_program__attach_uprobe_opts(prog, getpid(), "/proc/self/exe", 0, &uopts);
	case ST_F_PERF_EVENT:
		*perf_fd = open_cpu_clock();
		if (*perf_fd < 0)
			return NULL;
		return bpf_program__attach_perf_event(prog, *perf_fd);
	case ST_F_KPROBE:
		return bpf_program__attach_kprobe(prog, false, func);
	case ST_F_KPROBE_MULTI:
		return bpf_program__attach_kprobe_multi_opts(prog, func, NULL);
	default:
		return bpf_program__attach(prog);
	}
}

/*
 * One load and attach of the probe program for ap (against func for fentry
 * and kprobes). Returns true when func is missing here, so the next
 * candidate is worth a try.
 */
static bool probe_attach_at(struct st_features *f, const struct attach_probe *ap, const char *func)
{
	struct bpf_program *prog, *p;
	struct bpf_link *link = NULL;
	struct probe_bpf *skel;
	int err, perf_fd = -1;
	bool missing = false;

	skel = probe_bpf__open();
	if (!skel) {
		set(f, ap->feat, false, "open: %s", strerror(errno));
		return false;
	}
	prog = bpf_object__find_program_by_name(skel->obj, ap->prog);
	bpf_object__for_each_program (p, skel->obj)
		bpf_program__set_autoload(p, p == prog);
	if (ap->feat == ST_F_FENTRY && bpf_program__set_attach_target(prog, 0, func)) {
		set(f, ap->feat, false, "no %s in the kernel's BTF", func);
		missing = true;
		goto out;
	}
	err = probe_bpf__load(skel);
	if (err) {
		set(f, ap->feat, false, "load refused: %s", strerror(-err));
		goto out;
	}
	link = attach_one(prog, ap->feat, func, &perf_fd);
	if (!link) {
		err = errno;
		set(f, ap->feat, false, "attach refused: %s", strerror(err));
		missing = func && (err == ENOENT || err == ESRCH);
		goto out;
	}
	if (ap->hit_idx < 0) {
		if (func)
			set(f, ap->feat, true, "loads and attaches (%s)", func);
		else
			set(f, ap->feat, true, "loads and attaches");
		goto out;
	}
	if (ap->feat == ST_F_UPROBE)
		st_uprobe_probe_target(1);
	else
		trigger_fork();
	if (skel->bss->hits[ap->hit_idx])
		set(f, ap->feat, true, "loads, attaches and fires");
	else
		set(f, ap->feat, ap->feat != ST_F_GET_STACK,
		    "attaches; did not fire on a test event");
out:
	bpf_link__destroy(link);
	if (perf_fd >= 0)
		close(perf_fd);
	probe_bpf__destroy(skel);
	return missing;
}

/* @name exists in the mounted tracefs. */
static bool tracefs_has(const char *name)
{
	const char *dir = st_tracefs_path(false);
	char p[128];

	if (!dir)
		return false;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return !access(p, F_OK);
}

static void probe_attach(struct st_features *f, const struct attach_probe *ap)
{
	bool kfunc =
	    ap->feat == ST_F_FENTRY || ap->feat == ST_F_KPROBE || ap->feat == ST_F_KPROBE_MULTI;
	size_t i;

	/* A disabled kind is not tried at all: nothing is patched for it. */
	if (env_disabled(ap->feat)) {
		set(f, ap->feat, false, "disabled by SCALETRACE_DISABLE");
		return;
	}
	if (!kfunc) {
		(void)probe_attach_at(f, ap, NULL);
		return;
	}
	/* libbpf attaches kprobes through the kprobe PMU, else tracefs's kprobe_events. */
	if (ap->feat == ST_F_KPROBE && access("/sys/bus/event_source/devices/kprobe/type", F_OK) &&
	    !tracefs_has("kprobe_events")) {
		set(f, ap->feat, false, "not in this kernel (no kprobe PMU, no kprobe_events)");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(cold_funcs); i++)
		if (!probe_attach_at(f, ap, cold_funcs[i]))
			return;
}

/*
 * Can a program under the run-queue lock (sched_switch) create task storage?
 * Kernels whose local storage allocates with kmalloc (6.1, Debian 12) can
 * deadlock there: the allocator may wake kswapd or a kworker, which takes a
 * run-queue lock. Kernels that allocate from bpf_mem_alloc say so in BTF
 * (struct bpf_local_storage_map has bpf_ma / selem_ma).
 */
static void probe_task_storage(struct st_features *f, const struct btf *btf)
{
	const struct btf_type *t;
	const struct btf_member *m;
	bool found = false;
	int id, i;

	id = btf ? btf__find_by_name_kind(btf, "bpf_local_storage_map", BTF_KIND_STRUCT) : -1;
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	for (i = 0, m = t ? btf_members(t) : NULL; t && i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);

		if (name && (!strcmp(name, "bpf_ma") || !strcmp(name, "selem_ma")))
			found = true;
	}
	if (found)
		set(f, ST_F_TASK_STORAGE_NOLOCK, true,
		    "task storage allocates from bpf_mem_alloc: created in sched_switch");
	else
		set(f, ST_F_TASK_STORAGE_NOLOCK, false,
		    "task storage allocates with kmalloc (unsafe under the run-queue lock): "
		    "sched_switch state kept in hash maps");
}

/*
 * Does the sched_switch tracepoint pass the state prev was switched out in?
 * Kernel 5.18, commit fa2c3254d7cf ("sched/tracing: Don't re-read p->state
 * when emitting sched_switch event"): prev->__state read in the tracepoint
 * races with a remote wake-up, which may already have set it to TASK_WAKING or
 * TASK_RUNNING. The tracepoint's BTF prototype (ctx, preempt, prev, next[,
 * prev_state]) says.
 */
static void probe_switch_prev_state(struct st_features *f, const struct btf *btf)
{
	const struct btf_type *t = NULL;
	int id = btf ? btf__find_by_name_kind(btf, "btf_trace_sched_switch", BTF_KIND_TYPEDEF) : -1;

	if (id > 0)
		t = btf__type_by_id(btf, btf__resolve_type(btf, id));
	if (t && btf_is_ptr(t))
		t = btf__type_by_id(btf, t->type);
	if (t && btf_is_func_proto(t) && btf_vlen(t) >= 5)
		set(f, ST_F_SWITCH_PREV_STATE, true, "sched_switch passes prev_state");
	else
		set(f, ST_F_SWITCH_PREV_STATE, false,
		    "sched_switch has no prev_state argument: the state is read from the task");
}

/*
 * The features read from vmlinux BTF, from one parse of it (each parse takes
 * ~13 ms here, far more under TCG, and tracers ask for both at start-up).
 */
static void probe_btf_facts(struct st_features *f)
{
	struct btf *btf = btf__load_vmlinux_btf();

	probe_task_storage(f, btf);
	probe_switch_prev_state(f, btf);
	btf__free(btf);
}

void st_features_probe_static(struct st_features *f)
{
	DIR *d;
	struct dirent *de;
	int nmods = 0;
	const char *tfs;

	if (access("/sys/kernel/btf/vmlinux", R_OK) == 0)
		set(f, ST_F_BTF, true, "/sys/kernel/btf/vmlinux");
	else
		set(f, ST_F_BTF, false,
		    "no /sys/kernel/btf/vmlinux (kernel built without CONFIG_DEBUG_INFO_BTF)");
	d = opendir("/sys/kernel/btf");
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' && strcmp(de->d_name, "vmlinux"))
			nmods++;
	if (d)
		closedir(d);
	if (nmods)
		set(f, ST_F_MODULE_BTF, true, "%d modules with BTF", nmods);
	else
		set(f, ST_F_MODULE_BTF, false,
		    "no module BTF (no modules loaded, or CONFIG_DEBUG_INFO_BTF_MODULES off)");
	tfs = st_tracefs_path(false);
	if (tfs)
		set(f, ST_F_TRACEFS, true, "%s", tfs);
	else
		set(f, ST_F_TRACEFS, false,
		    "not mounted: mount -t tracefs nodev /sys/kernel/tracing");
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1)
		set(f, ST_F_RINGBUF, true, "BPF_MAP_TYPE_RINGBUF");
	else
		set(f, ST_F_RINGBUF, false, "BPF_MAP_TYPE_RINGBUF refused");
}

static void probe_stats(struct st_features *f)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	if (fd >= 0) {
		set(f, ST_F_BPF_STATS, true, "BPF_ENABLE_STATS run time");
		close(fd);
	} else {
		set(f, ST_F_BPF_STATS, false, "BPF_ENABLE_STATS refused: %s", strerror(errno));
	}
}

void st_features_probe(struct st_features *f)
{
	libbpf_print_fn_t old = libbpf_set_print(silent_print);
	size_t i;

	memset(f, 0, sizeof(*f));
	st_features_probe_static(f);
	for (i = 0; i < ARRAY_SIZE(attach_probes); i++)
		probe_attach(f, &attach_probes[i]);
	probe_stats(f);
	probe_btf_facts(f);
	libbpf_set_print(old);
	st_features_apply_env(f);
}

bool st_feature_ok(struct st_features *f, enum st_feature k)
{
	size_t i;

	if (k >= ST_F__NR)
		return false;
	if (!f->probed[k]) {
		libbpf_print_fn_t old = libbpf_set_print(silent_print);

		for (i = 0; i < ARRAY_SIZE(attach_probes); i++)
			if (attach_probes[i].feat == k)
				probe_attach(f, &attach_probes[i]);
		if (k == ST_F_BPF_STATS)
			probe_stats(f);
		if (k == ST_F_TASK_STORAGE_NOLOCK || k == ST_F_SWITCH_PREV_STATE)
			probe_btf_facts(f);
		libbpf_set_print(old);
		if (!f->probed[k])
			set(f, k, false, "not probed");
		st_features_apply_env(f);
	}
	return f->ok[k];
}

void st_features_apply_env(struct st_features *f)
{
	int i;

	for (i = 0; i < ST_F__NR; i++)
		if (f->ok[i] && env_disabled((enum st_feature)i)) {
			f->ok[i] = false;
			snprintf(f->why[i], sizeof(f->why[i]), "disabled by SCALETRACE_DISABLE");
		}
}
