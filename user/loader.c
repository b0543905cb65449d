// SPDX-License-Identifier: GPL-2.0
#include "loader.h"
#include "common.h"
#include "k8s.h"
#include "util.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const kind_names[] = {
	[ST_AK_FENTRY] = "fentry",	   [ST_AK_KPROBE] = "kprobe",
	[ST_AK_TP_BTF] = "tp_btf",	   [ST_AK_RAW_TP] = "raw_tp",
	[ST_AK_TRACEPOINT] = "tracepoint", [ST_AK_UPROBE] = "uprobe",
	[ST_AK_PERF_EVENT] = "perf_event",
};

static const enum st_feature kind_feature[] = {
	[ST_AK_FENTRY] = ST_F_FENTRY,	      [ST_AK_KPROBE] = ST_F_KPROBE,
	[ST_AK_TP_BTF] = ST_F_TP_BTF,	      [ST_AK_RAW_TP] = ST_F_RAW_TP,
	[ST_AK_TRACEPOINT] = ST_F_TRACEPOINT, [ST_AK_UPROBE] = ST_F_UPROBE,
	[ST_AK_PERF_EVENT] = ST_F_PERF_EVENT,
};

const char *st_attach_kind_name(enum st_attach_kind k)
{
	return k < ARRAY_SIZE(kind_names) ? kind_names[k] : "?";
}

/* ---- libbpf messages ---------------------------------------------------- */

static int libbpf_verbosity;
static char last_error[512];
static char last_failed_prog[128];

static int print_cb(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[sizeof(last_error)];
	const char *p;
	va_list copy;
	int show;

	show = (level == LIBBPF_WARN && libbpf_verbosity >= 1) ||
	       (level == LIBBPF_INFO && libbpf_verbosity >= 2) ||
	       (level == LIBBPF_DEBUG && libbpf_verbosity >= 3);
	if (level == LIBBPF_WARN) {
		va_copy(copy, ap);
		vsnprintf(line, sizeof(line), fmt, copy);
		va_end(copy);
		/* Keep the first line: verifier logs arrive as one long message. */
		line[strcspn(line, "\n")] = '\0';
		p = strstr(line, "prog '");
		if (p && (strstr(line, "fail") || strstr(line, "error")))
			sscanf(p, "prog '%127[^']'", last_failed_prog);
		if (!strstr(line, "-- BEGIN PROG LOAD LOG --"))
			snprintf(last_error, sizeof(last_error), "%s", line);
	}
	if (show)
		vfprintf(stderr, fmt, ap);
	return 0;
}

void st_libbpf_setup(int verbosity)
{
	libbpf_verbosity = verbosity;
	libbpf_set_print(print_cb);
}

const char *st_libbpf_last_error(void)
{
	return last_error;
}

/* ---- privileges ----------------------------------------------------------- */

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

static int read_caps(bool *bpf, bool *perfmon)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { 0 };
	bool admin;

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	admin = has_cap(data, CAP_SYS_ADMIN);
	*bpf = admin || has_cap(data, CAP_BPF);
	*perfmon = admin || has_cap(data, CAP_PERFMON);
	return 0;
}

bool st_check_privileges_quiet(void)
{
	bool bpf = false, perfmon = false;

	return !read_caps(&bpf, &perfmon) && bpf && perfmon;
}

int st_check_privileges(void)
{
	bool bpf = false, perfmon = false;
	int err = read_caps(&bpf, &perfmon);

	if (err) {
		st_err("cannot read capabilities: %s", strerror(-err));
		return -EPERM;
	}
	if (!bpf || !perfmon) {
		st_err("missing %s%s%s: run as root (sudo) or grant CAP_BPF and CAP_PERFMON",
		       bpf ? "" : "CAP_BPF", !bpf && !perfmon ? " and " : "",
		       perfmon ? "" : "CAP_PERFMON");
		return -EPERM;
	}
	return 0;
}

int st_tracing_preflight(struct st_features *f)
{
	if (st_check_privileges())
		return -EPERM;
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		st_err(
		    "this kernel has no BTF (/sys/kernel/btf/vmlinux): CO-RE programs cannot load; "
		    "a kernel built with CONFIG_DEBUG_INFO_BTF=y is required");
		return -ENOENT;
	}
	if (!st_tracefs_path(true)) {
		st_err("tracefs is not mounted and could not be mounted: "
		       "mount -t tracefs nodev /sys/kernel/tracing");
		return -ENOENT;
	}
	memset(f, 0, sizeof(*f));
	st_features_probe_static(f);
	st_features_apply_env(f);
	return 0;
}

/* ---- variant selection --------------------------------------------------- */

static bool target_exists(enum st_attach_kind k, const char *module, const char *t)
{
	switch (k) {
	case ST_AK_FENTRY:
		return st_btf_has_func(module, t);
	case ST_AK_KPROBE:
		return st_kallsyms_has(t);
	case ST_AK_TP_BTF:
	case ST_AK_RAW_TP:
	case ST_AK_TRACEPOINT:
		return st_tracepoint_exists(t);
	default:
		return true;
	}
}

int st_variant_usable(const struct st_variant *v, struct st_features *f, char *why, size_t whylen)
{
	enum st_feature need = kind_feature[v->kind];
	int i;

	if (!st_feature_ok(f, need)) {
		snprintf(why, whylen, "%s unavailable", st_attach_kind_name(v->kind));
		return 0;
	}
	if (v->module && !st_module_loaded(v->module)) {
		snprintf(why, whylen, "module %s not loaded", v->module);
		return 0;
	}
	for (i = 0; i < ST_VARIANT_PROGS && v->targets[i]; i++) {
		if (!target_exists(v->kind, v->module, v->targets[i])) {
			snprintf(why, whylen, "%s not found", v->targets[i]);
			return 0;
		}
	}
	snprintf(why, whylen, "ok");
	return 1;
}

int st_select_variant(const struct st_probe_spec *p, struct st_features *f, int skip_mask)
{
	char why[128];
	int i;

	for (i = 0; i < p->nvariants; i++) {
		if (skip_mask & (1 << i))
			continue;
		if (st_variant_usable(&p->variants[i], f, why, sizeof(why)))
			return i;
	}
	return -1;
}

/* ---- load and attach ------------------------------------------------------ */

static void set_variant_autoload(struct bpf_object *obj, const struct st_variant *v, bool on)
{
	int i;

	for (i = 0; i < ST_VARIANT_PROGS && v->progs[i]; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(obj, v->progs[i]);

		if (p)
			bpf_program__set_autoload(p, on);
	}
}

static int apply_selection(struct st_loader *l, struct st_features *f, const int *skip)
{
	const struct st_tracer_spec *s = l->spec;
	struct bpf_object *obj = l->spec->obj(l->skel);
	int i, j;

	for (i = 0; i < s->nprobes; i++) {
		const struct st_probe_spec *p = &s->probes[i];

		l->choice[i] = st_select_variant(p, f, skip[i]);
		for (j = 0; j < p->nvariants; j++)
			set_variant_autoload(obj, &p->variants[j], false);
		if (l->choice[i] >= 0) {
			set_variant_autoload(obj, &p->variants[l->choice[i]], true);
		} else if (!p->optional) {
			st_err("probe '%s' (%s) cannot attach here: no variant is usable; "
			       "see 'scaletrace doctor'",
			       p->name, p->purpose);
			return -EOPNOTSUPP;
		}
	}
	/* Probes that serve only what the others could not attach. */
	for (i = 0; i < s->nprobes; i++) {
		const struct st_probe_spec *p = &s->probes[i];

		if (l->choice[i] < 0 || !p->wanted || p->wanted(l->choice))
			continue;
		set_variant_autoload(obj, &p->variants[l->choice[i]], false);
		l->choice[i] = ST_CHOICE_UNNEEDED;
	}
	return 0;
}

/* Which probe/variant owns program @name; returns the probe index or -1. */
static int owner_of(const struct st_tracer_spec *s, const char *name, int *variant)
{
	int i, j, k;

	for (i = 0; i < s->nprobes; i++)
		for (j = 0; j < s->probes[i].nvariants; j++)
			for (k = 0; k < ST_VARIANT_PROGS && s->probes[i].variants[j].progs[k]; k++)
				if (!strcmp(s->probes[i].variants[j].progs[k], name)) {
					*variant = j;
					return i;
				}
	return -1;
}

static bool manual_attach(const struct bpf_program *p)
{
	const char *sec = bpf_program__section_name(p);

	return !bpf_program__autoattach(p) || !strncmp(sec, "uprobe", 6) ||
	       !strncmp(sec, "uretprobe", 9) || !strncmp(sec, "perf_event", 10) ||
	       !strncmp(sec, "usdt", 4);
}

static int attach_all(struct st_loader *l, char *failed, size_t flen)
{
	struct bpf_object *obj = l->spec->obj(l->skel);
	struct bpf_program *p;

	bpf_object__for_each_program (p, obj) {
		struct bpf_link *link;

		if (!bpf_program__autoload(p) || manual_attach(p))
			continue;
		if (l->links.n >= (int)ARRAY_SIZE(l->links.l))
			return -E2BIG;
		link = bpf_program__attach(p);
		if (!link) {
			int err = -errno;

			snprintf(failed, flen, "%s", bpf_program__name(p));
			return err ? err : -EINVAL;
		}
		l->links.p[l->links.n] = p;
		l->links.l[l->links.n++] = link;
	}
	return 0;
}

static void detach_all(struct st_loader *l)
{
	while (l->links.n > 0)
		bpf_link__destroy(l->links.l[--l->links.n]);
}

/* The process-tree programs cost a little on every fork: load them only for "-- CMD". */
static void set_tree_autoload(struct bpf_object *obj, bool tree)
{
	struct bpf_program *p;

	bpf_object__for_each_program (p, obj) {
		const char *n = bpf_program__name(p);

		if (!strcmp(n, "st_tree_fork") || !strcmp(n, "st_tree_exit"))
			bpf_program__set_autoload(p, tree);
	}
}

/* Every map that holds stacks gets --max-stacks entries. */
static void size_stack_maps(struct bpf_object *obj, uint32_t n)
{
	static const char *const names[] = { "st_ustacks", "st_kstacks", "stacks", "ns_skstacks",
					     "kstacks" };
	struct bpf_map *m;
	size_t i;

	if (!n)
		return;
	bpf_object__for_each_map (m, obj)
		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (!strcmp(bpf_map__name(m), names[i]))
				bpf_map__set_max_entries(m, n);
}

static int open_configure_select(struct st_loader *l, struct st_features *f, const int *skip)
{
	int err;

	l->skel = l->spec->open();
	if (!l->skel) {
		err = -errno;
		st_err("cannot open the BPF object: %s", strerror(-err));
		return err ? err : -EINVAL;
	}
	if (l->configure) {
		err = l->configure(l->skel, l->ctx);
		if (err)
			return err;
	}
	set_tree_autoload(l->spec->obj(l->skel), l->tree);
	size_stack_maps(l->spec->obj(l->skel), l->max_stacks);
	return apply_selection(l, f, skip);
}

/*
 * After a refusal of program @failed, skip the variant that owns it. True when
 * the probe has another variant left (or may go without one).
 */
static bool demote(struct st_loader *l, struct st_features *f, const char *failed, int *skip)
{
	const struct st_probe_spec *p;
	int v, i = failed[0] ? owner_of(l->spec, failed, &v) : -1;

	if (i < 0)
		return false;
	p = &l->spec->probes[i];
	skip[i] |= 1 << v;
	st_info(1, "%s: %s variant of probe '%s' refused (%s); trying the next one", l->spec->name,
		st_attach_kind_name(p->variants[v].kind), p->name, st_libbpf_last_error());
	return p->optional || st_select_variant(p, f, skip[i]) >= 0;
}

int st_loader_run(struct st_loader *l, struct st_features *f)
{
	int skip[16] = { 0 };
	char failed[128];
	int attempt, err = 0;

	for (attempt = 0; attempt < 8; attempt++) {
		failed[0] = '\0';
		last_failed_prog[0] = '\0';
		/* Open, configure and selection errors are reported where they happen. */
		err = open_configure_select(l, f, skip);
		if (err)
			return err;
		err = l->spec->load(l->skel);
		if (err) {
			snprintf(failed, sizeof(failed), "%s", last_failed_prog);
			if (!demote(l, f, failed, skip))
				break;
		} else {
			err = attach_all(l, failed, sizeof(failed));
			if (!err)
				return 0;
			detach_all(l);
			if (!demote(l, f, failed, skip))
				break;
		}
		l->spec->destroy(l->skel);
		l->skel = NULL;
	}
	if (failed[0])
		st_err("the kernel refused program %s: %s (%s)", failed, strerror(-err),
		       st_libbpf_last_error());
	else
		st_err("cannot load the BPF programs: %s (%s)", strerror(-err),
		       st_libbpf_last_error());
	return err ? err : -EINVAL;
}

void st_loader_destroy(struct st_loader *l)
{
	detach_all(l);
	if (l->skel)
		l->spec->destroy(l->skel);
	l->skel = NULL;
}

void st_loader_describe(const struct st_loader *l, FILE *out)
{
	int i;

	for (i = 0; i < l->spec->nprobes; i++) {
		const struct st_probe_spec *p = &l->spec->probes[i];
		const struct st_variant *v;

		if (l->choice[i] == ST_CHOICE_UNNEEDED) {
			fprintf(out, "  %-22s not needed %s\n", p->name, p->unneeded);
			continue;
		}
		if (l->choice[i] < 0) {
			fprintf(out, "  %-22s none usable (%s)\n", p->name,
				p->optional ? "optional: precision reduced" : "required");
			continue;
		}
		v = &p->variants[l->choice[i]];
		fprintf(out, "  %-22s %-10s %s\n", p->name, st_attach_kind_name(v->kind),
			v->precision ? v->precision : "");
	}
}

/* ---- filters ---------------------------------------------------------------- */

static int open_cgroup(const char *arg)
{
	char full[8192 + 2], path[4096], root[4096];
	struct statfs sfs;
	int fd, err;

	/* -c takes a cgroup path or a pod UID (k8s.h) */
	err = k8s_resolve_cgroup(arg, path, sizeof(path));
	if (err) {
		st_err("-c %s: %s", arg,
		       err == -ENOENT	? "no pod with this UID has a cgroup on this node"
		       : err == -ENODEV ? "cgroup2 is not mounted (pod UIDs need it)"
					: strerror(-err));
		return err;
	}
	if (path[0] == '/')
		snprintf(full, sizeof(full), "%s", path);
	else /* relative to the cgroup2 mount: /sys/fs/cgroup, or .../unified on hybrid hosts */
		snprintf(full, sizeof(full), "%s/%s",
			 k8s_cgroup2_root(root, sizeof(root)) ? "/sys/fs/cgroup" : root, path);
	fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		st_err("cannot open cgroup %s: %s", full, strerror(errno));
		return -errno;
	}
	if (fstatfs(fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		st_err("%s is not a cgroup v2 directory", full);
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int st_apply_filters(const struct st_common *c, const struct st_common_rodata *ro)
{
	*ro->targ_tgid = (uint32_t)c->pid;
	*ro->targ_tid = (uint32_t)c->tid;
	*ro->targ_tree = c->cmd_argv != NULL;
	*ro->targ_cgroup = c->cgroup != NULL;
	*ro->targ_comm = c->comm != NULL;
	if (c->comm)
		strncpy(ro->targ_comm_name, c->comm, ST_COMM_LEN - 1);
	if (c->pid && kill(c->pid, 0) && errno == ESRCH) {
		st_err("no process with pid %d", c->pid);
		return -ESRCH;
	}
	if (c->tid) {
		char p[64];

		snprintf(p, sizeof(p), "/proc/self/task/../../%d", c->tid);
		if (access(p, F_OK)) {
			st_err("no thread with tid %d", c->tid);
			return -ESRCH;
		}
	}
	return 0;
}

int st_filters_after_load(struct bpf_object *obj, const struct st_common *c, pid_t root_pid)
{
	struct bpf_map *m;
	uint32_t key = 0;
	int err = 0;

	if (c->cgroup) {
		int fd = open_cgroup(c->cgroup);

		if (fd < 0)
			return fd;
		m = bpf_object__find_map_by_name(obj, "st_cgroup");
		err = m ? bpf_map__update_elem(m, &key, sizeof(key), &fd, sizeof(fd), BPF_ANY)
			: -ENOENT;
		close(fd);
		if (err) {
			st_err("cannot install the cgroup filter: %s", strerror(-err));
			return err;
		}
	}
	if (root_pid > 0) {
		uint32_t pid = (uint32_t)root_pid;
		uint8_t one = 1;

		m = bpf_object__find_map_by_name(obj, "st_tree");
		err = m ? bpf_map__update_elem(m, &pid, sizeof(pid), &one, sizeof(one), BPF_ANY)
			: -ENOENT;
		if (err) {
			st_err("cannot seed the process-tree filter: %s", strerror(-err));
			return err;
		}
	}
	return 0;
}

/* ---- drops -------------------------------------------------------------------- */

static const char *const drop_names[ST_DROP__NR] = {
	[ST_DROP_RINGBUF_FULL] = "ringbuf_full",
	[ST_DROP_MAP_FULL] = "map_full",
	[ST_DROP_RATE_LIMIT] = "rate_limited",
	[ST_DROP_SAMPLED_OUT] = "sampled_out",
	[ST_DROP_STACK_USER] = "user_stack_missing",
	[ST_DROP_STACK_KERNEL] = "kernel_stack_missing",
	[ST_DROP_STACK_COLLISION] = "stack_collision",
	[ST_DROP_TREE_FULL] = "tree_full",
	[ST_DROP_INFLIGHT_LOST] = "inflight_lost",
};

const char *st_drop_name(int idx)
{
	return idx >= 0 && idx < ST_DROP__NR ? drop_names[idx] : "?";
}

int st_read_drops(struct bpf_object *obj, uint64_t *out)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "st_drops");
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;
	uint32_t k;

	memset(out, 0, sizeof(*out) * ST_DROP__NR);
	if (!m || ncpu <= 0)
		return -ENOENT;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (k = 0; k < ST_DROP__NR; k++) {
		int c;

		if (bpf_map__lookup_elem(m, &k, sizeof(k), vals, sizeof(*vals) * (size_t)ncpu, 0))
			continue;
		for (c = 0; c < ncpu; c++)
			out[k] += vals[c];
	}
	free(vals);
	return 0;
}

/* ---- run loop -------------------------------------------------------------------- */

static int reap_child(struct st_loop *l)
{
	int status;
	pid_t r;

	if (l->child <= 0)
		return 0;
	r = waitpid(l->child, &status, WNOHANG);
	if (r != l->child)
		return 0;
	if (WIFEXITED(status))
		l->child_status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		l->child_status = 128 + WTERMSIG(status);
	l->child = 0;
	return 1;
}

/* Read the rings: poll, waiting up to timeout_ms, or with timeout_ms < 0
 * consume what is there. A signal, or a callback that saw the stop request,
 * is not an error. */
static int read_rings(struct ring_buffer *rb, int timeout_ms)
{
	int err = timeout_ms < 0 ? ring_buffer__consume(rb) : ring_buffer__poll(rb, timeout_ms);

	if (err >= 0 || err == -EINTR)
		return 0;
	st_err("ring buffer %s failed: %s", timeout_ms < 0 ? "consume" : "poll", strerror(-err));
	return err;
}

int st_loop_run(struct st_loop *l)
{
	uint64_t start = st_now_ns(), tick = l->tick_ns ? l->tick_ns : 100 * NSEC_PER_MSEC;
	uint64_t next_tick = start + tick, next_interval = start + l->interval_ns;
	int err = 0;

	l->child_status = -1;
	while (!st_exiting()) {
		uint64_t now = st_now_ns(), wait_ns = next_tick > now ? next_tick - now : 0;
		int timeout_ms = (int)(wait_ns / NSEC_PER_MSEC) + 1;

		if (l->rb) {
			if ((err = read_rings(l->rb, timeout_ms)))
				break;
		} else {
			struct timespec ts = { 0, (long)wait_ns };

			nanosleep(&ts, NULL);
		}
		now = st_now_ns();
		if (reap_child(l))
			break;
		if (now >= next_tick) {
			next_tick = now + tick;
			/* bulk records come without a wakeup (st_bulk_submit) */
			if (l->rb && (err = read_rings(l->rb, -1)))
				break;
			if (l->on_tick && (err = l->on_tick(l->ctx)))
				break;
		}
		if (l->interval_ns && now >= next_interval) {
			next_interval += l->interval_ns;
			if (l->on_interval && (err = l->on_interval(l->ctx)))
				break;
		}
		if (l->duration_ns && now - start >= l->duration_ns)
			break;
	}
	if (l->rb && !st_exiting())
		ring_buffer__consume(l->rb);
	return err;
}
