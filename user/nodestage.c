// SPDX-License-Identifier: GPL-2.0
/*
 * scaletrace nodestage: follow every CSI NodeStage operation on this node and
 * split each phase's wall time into kernel / network / target / user / wait.
 * The BPF side (bpf/nodestage.bpf.c) reports what the plugin's process tree
 * and the storage stack do; user/nsmodel.c cuts that into operations.
 */
#include "attrib.h"
#include "blkdevs.h"
#include "cmds.h"
#include "csiparse.h"
#include "fold.h"
#include "iolat.h"
#include "ioevent.h"
#include "k8s.h"
#include "nodestage.h"
#include "nodestage.skel.h"
#include "nsmodel.h"
#include "nodestage_run.h"
#include "nsreport.h"
#include "opts.h"
#include "report.h"
#include "session.h"
#include "samplers.h"
#include "stacks.h"
#include "storage_probes.h"
#include "ustack.h"
#include "ustkeep.h"
#include "util.h"

#include <bpf/bpf.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { O_SLO = 256, O_ROOT, O_IDLE, O_TOP, O_UPROBE, O_FREQ, O_REPORT };

static const struct st_optdef ns_defs[] = {
	{ "slo", 0, "PHASE:p99<DUR",
	  "objective on a phase or total; exit 3 when violated (repeatable)", O_SLO },
	{ "plugin", 0, "PATTERN",
	  "task-name substring of CSI node plugins (default: csi; repeatable)", O_ROOT },
	{ "idle", 0, "DUR", "end an operation after this long without its tools (default 30s)",
	  O_IDLE },
	{ "top", 0, "N", "stacks and contributors shown per report (default 5)", O_TOP },
	{ "report", 0, "FILE.md",
	  "write a Markdown report: environment, percentiles, SLOs, contributors", O_REPORT },
	{ "uprobe", 0, "BIN:SYM", "Go driver: one operation per call of SYM in BIN", O_UPROBE },
	{ "frequency", 'F', "HZ", "on-CPU samples per second (default 99)", O_FREQ },
};

static int ns_opt(void *ctx, int id, const char *arg)
{
	struct ns_opts *o = ctx;
	uint64_t v;

	switch (id) {
	case O_SLO:
		if (o->nslo >= NS_MAX_SLO || ns_parse_slo(arg, &o->slo[o->nslo])) {
			st_err("invalid --slo '%s': expected PHASE:pNN<DURATION, e.g. mkfs:p99<2s",
			       arg);
			return -1;
		}
		o->nslo++;
		return 0;
	case O_REPORT:
		o->report = arg;
		return 0;
	case O_ROOT:
		if (o->nroots >= NS_ROOT_PATS || !*arg || strlen(arg) >= ST_COMM_LEN) {
			st_err("invalid --plugin '%s': 1 to 15 characters, at most %d patterns",
			       arg, NS_ROOT_PATS);
			return -1;
		}
		o->roots[o->nroots++] = arg;
		return 0;
	case O_IDLE:
		if (st_parse_duration(arg, NSEC_PER_SEC, &o->idle_ns) || !o->idle_ns) {
			st_err("invalid --idle '%s': expected a duration such as 2s or 500ms", arg);
			return -1;
		}
		return 0;
	case O_TOP:
		if (st_parse_u64(arg, 1, 1000, &v)) {
			st_err("invalid --top '%s': expected 1 to 1000", arg);
			return -1;
		}
		o->top = (int)v;
		return 0;
	case O_UPROBE:
		if (!strchr(arg, ':') || arg[0] == ':' || strchr(arg, ':')[1] == '\0') {
			st_err("invalid --uprobe '%s': expected BINARY:SYMBOL", arg);
			return -1;
		}
		o->uprobe = arg;
		return 0;
	case O_FREQ:
		if (st_parse_u64(arg, 1, 1000, &o->freq)) {
			st_err("invalid -F '%s': expected 1 to 1000 Hz", arg);
			return -1;
		}
		return 0;
	}
	return -1;
}

static const struct st_probe_spec ns_probes[] = {
	ST_STORAGE_PROBES{ .name = "sched_switch",
			   .purpose = "off-CPU intervals of plugin and helper threads",
			   .variants = { P1(ST_AK_TP_BTF, "ns_switch", "sched:sched_switch", NULL,
					    "per-thread hash; stacks at switch-in") },
			   .nvariants = 1 },
	{ .name = "sched_wakeup",
	  .purpose = "who woke a plugin thread",
	  .optional = true,
	  .variants = { P1(ST_AK_TP_BTF, "ns_wakeup", "sched:sched_wakeup", NULL, "waker tid") },
	  .nvariants = 1 },
	{ .name = "sleep_timers",
	  .purpose = "sleeps ended by their own timer (the wait category)",
	  .optional = true,
	  .variants = { P1(ST_AK_TP_BTF, "ns_hrtimer", "timer:hrtimer_expire_entry", NULL,
			   "hrtimer sleepers and ITIMER_REAL") },
	  .nvariants = 1 },
	{ .name = "process_tree",
	  .purpose = "forks of plugin and helper tasks",
	  .variants = { P1(ST_AK_TP_BTF, "ns_fork", "sched:sched_process_fork", NULL,
			   "every fork and thread") },
	  .nvariants = 1 },
	{ .name = "uprobe_calls",
	  .purpose = "--uprobe: entry and returns of a driver function",
	  .optional = true,
	  .variants = { { ST_AK_UPROBE,
			  { "ns_call_entry", "ns_call_ret" },
			  { NULL },
			  NULL,
			  "uprobes on the entry and each return instruction" } },
	  .nvariants = 1 },
	{ .name = "cpu_samples",
	  .purpose = "on-CPU stacks of plugin tasks",
	  .optional = true,
	  .variants = { { ST_AK_PERF_EVENT,
			  { "ns_sample" },
			  { NULL },
			  NULL,
			  "perf_event cpu-clock per CPU" } },
	  .nvariants = 1 },
};

static const char *const default_helpers[] = { "iscsid", "multipathd", "systemd-udevd",
					       "(udev-worker)" };

/* ---- skeleton ------------------------------------------------------------------ */

#define NS_EVENTS_RING (8u << 20) /* bytes: timelines, exchanges, off-CPU intervals */
#define NS_PROC_RING   (1u << 20) /* bytes: exec and exit of processes */
/* User stacks kept for reports (~300 bytes each, 1.3 KB at most). */
#define NS_USTACK_KEEP 32768

ST_SKEL_CALLBACKS(nodestage)

const struct st_tracer_spec st_nodestage_spec = ST_TRACER_SPEC(nodestage, ns_probes);

static int skel_configure(void *skel, void *ctx)
{
	struct nodestage_bpf *s = skel;
	struct ns_run *run = ctx;
	const struct st_common *c = run->o.c;
	size_t i;

	for (i = 0; i < (size_t)run->o.nroots; i++)
		strncpy((char *)s->rodata->root_pats[i], run->o.roots[i], ST_COMM_LEN - 1);
	s->rodata->n_root_pats = (uint32_t)run->o.nroots;
	for (i = 0; i < ARRAY_SIZE(default_helpers) && i < NS_HELPERS; i++)
		strncpy((char *)s->rodata->helpers[i], default_helpers[i], ST_COMM_LEN - 1);
	s->rodata->n_helpers = (uint32_t)i;
	s->rodata->explicit_roots = c->pid || c->cmd_argv || run->o.uprobe;
	s->rodata->uprobe_go = run->uprobe_go;
	s->rodata->learn_devs = true;
	s->rodata->st_switch_prev_state = st_feature_ok(&run->s.feat, ST_F_SWITCH_PREV_STATE);
	/*
	 * Room for the bursts a staging makes while the consumer is busy (at first
	 * sight of a process it reads its maps and symbols; mkfs issues thousands of
	 * I/Os): with 1 MiB the lab's NVMe connect lost its off-CPU intervals
	 * (thousands of ring-full drops) and came back as all kernel.
	 */
	if (bpf_map__set_max_entries(s->maps.events, NS_EVENTS_RING) ||
	    bpf_map__set_max_entries(s->maps.st_events, NS_PROC_RING))
		return -EINVAL;
	s->data->st_sample_n = 1; /* operations are never sampled away */
	s->bss->st_max_eps = c->max_events_per_sec;
	return 0;
}

/* ---- seeding the process tree ------------------------------------------------------ */

static void add_task(struct ns_run *run, uint32_t tid, uint32_t root, uint8_t role)
{
	struct nodestage_bpf *skel = run->s.loader.skel;
	struct {
		uint32_t root;
		uint8_t role;
		uint8_t pad[3];
	} v = { root, role, { 0 } };

	bpf_map__update_elem(skel->maps.ns_tasks, &tid, sizeof(tid), &v, sizeof(v), BPF_ANY);
}

static void add_threads(struct ns_run *run, pid_t pid, uint32_t root, uint8_t role)
{
	char p[64];
	struct dirent *d;
	DIR *dir;

	snprintf(p, sizeof(p), "/proc/%d/task", pid);
	dir = opendir(p);
	while (dir && (d = readdir(dir)))
		if (isdigit((unsigned char)d->d_name[0]))
			add_task(run, (uint32_t)atoi(d->d_name), root, role);
	if (dir)
		closedir(dir);
}

/* A process already running: tell the model what it is (its comm and cmdline). */
static void seed_model(struct ns_run *run, pid_t pid, pid_t ppid, pid_t root, const char *comm)
{
	char path[64], buf[2048];
	const char *argv[64];
	struct csi_cmd cmd;
	ssize_t n;
	int fd, argc;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		n = 0;
	buf[n] = '\0';
	argc = csi_split_args(buf, (int)n, argv, 64);
	csi_parse(argc, argv, &cmd);
	nsm__exec(run->model, st_now_ns(), pid, ppid, root, comm, &cmd);
}

static bool comm_matches(const struct ns_run *run, const char *comm)
{
	int i;

	for (i = 0; i < run->o.nroots; i++)
		if (csi_name_matches(comm, run->o.roots[i]))
			return true;
	return false;
}

/* --uprobe: is @pid running the traced binary? */
static bool runs_binary(const struct ns_run *run, pid_t pid)
{
	char p[64], exe[PATH_MAX], bin[PATH_MAX], real[PATH_MAX];
	const char *colon = strchr(run->o.uprobe, ':');

	snprintf(p, sizeof(p), "/proc/%d/exe", pid);
	snprintf(bin, sizeof(bin), "%.*s", (int)(colon - run->o.uprobe), run->o.uprobe);
	if (!realpath(p, exe))
		return false;
	return realpath(bin, real) && !strcmp(exe, real);
}

struct proc_info {
	pid_t pid, ppid;
	char comm[16];
};

static int read_proc(pid_t pid, struct proc_info *pi)
{
	char p[64], buf[512], *rp;
	int fd;
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/%d/stat", pid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	rp = strrchr(buf, ')');
	if (!rp || !strchr(buf, '('))
		return -EIO;
	pi->pid = pid;
	snprintf(pi->comm, sizeof(pi->comm), "%.*s", (int)(rp - strchr(buf, '(') - 1),
		 strchr(buf, '(') + 1);
	if (sscanf(rp + 2, "%*c %d", &pi->ppid) != 1)
		return -EIO;
	return 0;
}

/* --uprobe: the calling process becomes a root with all its threads. */
static void ns_seed_caller(struct ns_run *run, pid_t pid)
{
	struct proc_info pi;
	int i;

	for (i = 0; i < run->ncallers; i++)
		if (run->callers[i] == pid)
			return;
	if (run->ncallers < (int)ARRAY_SIZE(run->callers))
		run->callers[run->ncallers++] = pid;
	add_threads(run, pid, (uint32_t)pid, NS_ROLE_OP);
	if (!read_proc(pid, &pi))
		seed_model(run, pid, pi.ppid, pid, pi.comm);
}

/* Roots: -p PID, "-- CMD", or every running process whose name matches a plugin pattern. */
static void seed_tasks(struct ns_run *run)
{
	const struct st_common *c = run->o.c;
	struct proc_info *all = NULL, pi;
	size_t n = 0, cap = 0, i, j;
	struct dirent *d;
	DIR *dir = opendir("/proc");

	while (dir && (d = readdir(dir))) {
		if (!isdigit((unsigned char)d->d_name[0]) || read_proc(atoi(d->d_name), &pi))
			continue;
		if (n == cap) {
			struct proc_info *na =
			    realloc(all, (cap = cap ? cap * 2 : 512) * sizeof(*na));

			if (!na)
				break;
			all = na;
		}
		all[n++] = pi;
	}
	if (dir)
		closedir(dir);
	for (i = 0; i < n; i++) {
		pid_t root = 0;
		uint8_t role = 0;
		size_t h, k;
		bool child_of_match = false;

		/* A fork of a plugin still carries its name before it execs a tool. */
		for (k = 0; k < n && !run->o.uprobe && !c->pid && !c->cmd_argv; k++)
			if (all[k].pid == all[i].ppid && comm_matches(run, all[k].comm))
				child_of_match = true;

		for (h = 0; h < ARRAY_SIZE(default_helpers); h++)
			if (!strcmp(all[i].comm, default_helpers[h]))
				role = NS_ROLE_HELPER;
		if (c->pid	    ? all[i].pid == c->pid
		    : c->cmd_argv   ? all[i].pid == run->s.child.pid
		    : run->o.uprobe ? runs_binary(run, all[i].pid)
				    : comm_matches(run, all[i].comm) && !child_of_match) {
			root = all[i].pid;
			role = NS_ROLE_OP;
		}
		if (!role)
			continue;
		add_threads(run, all[i].pid, (uint32_t)root, role);
		if (role != NS_ROLE_OP)
			continue;
		seed_model(run, all[i].pid, all[i].ppid, root, all[i].comm);
		/* Its existing descendants (one level is what drivers have). */
		for (j = 0; j < n; j++)
			if (all[j].ppid == root) {
				add_threads(run, all[j].pid, (uint32_t)root, NS_ROLE_OP);
				seed_model(run, all[j].pid, root, root, all[j].comm);
			}
	}
	free(all);
}

/* ---- events ------------------------------------------------------------------------ */

/* Volume of a device, by its target (IQN/NQN), cached per dev_t. */
static const char *dev_volume(struct ns_run *run, uint32_t dev, const char *disk, char *proto,
			      size_t plen)
{
	char name[32], id[256];
	int i, p;
	const char *t;

	for (i = 0; i < run->ndevvol; i++)
		if (run->devvol[i].dev == dev) {
			snprintf(proto, plen, "%s", run->devvol[i].proto);
			return run->devvol[i].volume;
		}
	if (disk && disk[0]) {
		snprintf(name, sizeof(name), "%.31s", disk);
		blkdev_head_name(name);
	} else {
		blkdev_name("/sys", dev, name, sizeof(name));
	}
	p = blkdev_target("/sys", name, id, sizeof(id));
	if (!p || run->ndevvol >= NS_DEVVOL_MAX)
		return NULL;
	i = run->ndevvol++;
	run->devvol[i].dev = dev;
	t = strrchr(id, ':');
	snprintf(run->devvol[i].volume, sizeof(run->devvol[i].volume), "%.63s", t ? t + 1 : id);
	snprintf(run->devvol[i].proto, sizeof(run->devvol[i].proto), "%s",
		 p == BLKDEV_ISCSI ? "iscsi" : "nvme");
	snprintf(proto, plen, "%s", run->devvol[i].proto);
	return run->devvol[i].volume;
}

static int op_type(uint8_t op)
{
	return op == 0 ? 0 : op == 1 ? 1 : (op == 3 || op == 9) ? 2 : 3;
}

static void on_io(struct ns_run *run, const struct iolat_event *e)
{
	const char *vol = NULL;
	struct io_split sp;
	char proto[8] = "";
	uint64_t a, b;

	if (ioev_split(&run->base, e, &sp) == ATTRIB_TRANSPORT) {
		a = e->t_tx;
		b = e->t_rx;
	} else {
		a = e->t_issue ? e->t_issue : e->t_tx;
		b = e->t_complete;
	}
	if (e->dev)
		vol = dev_volume(run, e->dev, e->disk, proto, sizeof(proto));
	else
		snprintf(proto, sizeof(proto), "%s",
			 e->proto == IOLAT_PROTO_ISCSI ? "iscsi" : "nvme");
	nsm__wire(run->model, vol, proto, a, b, sp.network, op_type(e->op), e->bytes, false);
	run->ios++;
	if (run->hooks && run->hooks->io_done) {
		char dev[40];

		if (e->disk[0]) {
			snprintf(dev, sizeof(dev), "%.31s", e->disk);
			blkdev_head_name(dev);
		} else {
			blkdev_name("/sys", e->dev, dev, sizeof(dev));
		}
		run->hooks->io_done(run->hooks->ctx, e, &sp, dev, vol ? vol : "", proto);
	}
}

static void on_xchg(struct ns_run *run, const struct iolat_xchg_event *x)
{
	static const char *const protos[] = { "", "nvme", "iscsi", "nfs", "" };
	struct io_split sp;

	attrib_exchange(x->t_send, x->t_recv, x->rtt_us, x->retrans, x->t_last_retrans, &sp);
	nsm__wire(run->model, NULL,
		  x->dport == 4420   ? protos[1]
		  : x->dport == 3260 ? protos[2]
		  : x->dport == 2049 ? protos[3]
				     : protos[4],
		  x->t_send, x->t_recv, sp.network, 3, x->bytes_sent, true);
	run->xchgs++;
}

/* An exec in a plugin tree: its command, with a device argument resolved to its target. */
static void on_exec(struct ns_run *run, struct ns_exec *e)
{
	const char *argv[96];
	struct csi_cmd cmd;
	char id[256];
	int argc = csi_split_args(
	    e->args, (int)(e->args_len < NS_ARGS_LEN ? e->args_len : NS_ARGS_LEN), argv, 96);
	int p;

	if (!argc) {
		argv[0] = e->comm;
		argc = 1;
	}
	csi_parse(argc, argv, &cmd);
	if (st_verbosity() >= 2) {
		int i;

		fprintf(stderr, "exec t=%llu pid=%u ppid=%u root=%u comm=%s phase=%s argv:",
			(unsigned long long)e->t, e->pid, e->ppid, e->root, e->comm, cmd.phase);
		for (i = 0; i < argc; i++)
			fprintf(stderr, " %s", argv[i]);
		fputc('\n', stderr);
	}
	if (cmd.device[0] && !cmd.iqn[0] && !cmd.nqn[0] &&
	    (p = blkdev_target("/sys", cmd.device, id, sizeof(id)))) {
		snprintf(p == BLKDEV_ISCSI ? cmd.iqn : cmd.nqn, sizeof(cmd.iqn), "%.223s", id);
		snprintf(cmd.proto, sizeof(cmd.proto), "%s", p == BLKDEV_ISCSI ? "iscsi" : "nvme");
		cmd.names_volume = true;
	}
	nsm__exec(run->model, e->t, (pid_t)e->pid, (pid_t)e->ppid, (pid_t)e->root, e->comm, &cmd);
}

static int on_record(void *ctx, void *data, size_t len)
{
	struct ns_run *run = ctx;
	uint32_t type = *(uint32_t *)data;

	if (len < sizeof(uint32_t))
		return 0;
	switch (type) {
	case IOLAT_EV_IO:
		on_io(run, &((struct iolat_record *)data)->io);
		break;
	case IOLAT_EV_XCHG:
		on_xchg(run, &((struct iolat_record *)data)->x);
		break;
	case NS_EV_EXEC:
		if (len >= sizeof(struct ns_exec))
			on_exec(run, data);
		break;
	case NS_EV_FORK: {
		struct ns_fork *f = data;

		nsm__fork(run->model, f->t, (pid_t)f->tid, (pid_t)f->tgid, (pid_t)f->ppid,
			  (pid_t)f->root);
		break;
	}
	case NS_EV_EXIT: {
		struct ns_exit *x = data;

		nsm__exit(run->model, x->t, (pid_t)x->pid, (pid_t)x->tid, x->leader, x->code,
			  x->utime_ns, x->stime_ns);
		break;
	}
	case NS_EV_OFF: {
		struct ns_off *o = data;
		unsigned f = (o->flags & NS_OFF_TIMER ? NSM_OFF_TIMER : 0) |
			     (o->flags & NS_OFF_PREEMPT ? NSM_OFF_PREEMPT : 0);

		ustkeep__note(run->ustk, o->ustack, o->t_on);
		nsm__off(run->model, (pid_t)o->pid, (pid_t)o->tid, (pid_t)o->root, o->t_off,
			 o->t_on, f, o->ustack, o->kstack);
		if (run->hooks && run->hooks->off_done && o->t_on > o->t_off) {
			const char *comm = nsm__comm(run->model, (pid_t)o->pid);

			run->hooks->off_done(run->hooks->ctx, comm ? comm : "unknown",
					     o->flags & NS_OFF_PREEMPT ? 'R'
					     : o->flags & NS_OFF_IO    ? 'D'
								       : 'S',
					     o->t_on - o->t_off);
		}
		break;
	}
	case NS_EV_OFF_BEGIN: {
		struct ns_off_begin *b = data;
		/* x86_64 nanosleep (35) and clock_nanosleep (230): sleeps by intent */
		bool sleep = b->syscall == 35 || b->syscall == 230;

		nsm__off_begin(run->model, (pid_t)b->pid, (pid_t)b->tid, (pid_t)b->root, b->t_off,
			       b->flags & NS_OFF_PREEMPT ? NSM_OFF_PREEMPT : 0, sleep);
		break;
	}
	case NS_EV_CALL: {
		struct ns_call *k = data;

		if (k->begin)
			ns_seed_caller(run, (pid_t)k->pid);
		nsm__call(run->model, k->t, (pid_t)k->pid, "", k->key, k->begin);
		break;
	}
	case NS_EV_SAMPLE: {
		struct ns_sample *s = data;

		ustkeep__note(run->ustk, s->ustack, s->t);
		nsm__sample(run->model, (pid_t)s->pid, (pid_t)s->tid, s->t, s->user_mode, s->ustack,
			    s->kstack);
		break;
	}
	}
	return 0;
}

/* Frames of a recorded interval or sample, for the folded output. */
static int frames_of(void *ctx, pid_t pid, uint64_t ustack, uint64_t khash, int64_t kid,
		     const char **out, int max)
{
	struct ns_run *run = ctx;
	struct nodestage_bpf *skel = run->s.loader.skel;
	uint64_t ips[ST_MAX_STACK];
	struct st_ustack us;
	struct st_kstack ks;
	int n = 0;

	if (ustack && ustkeep__get(run->ustk, ustack, &us))
		n += st_stacks__ustack(run->stacks, pid, &us, out, max);
	if (khash && !bpf_map__lookup_elem(skel->maps.st_kstacks, &khash, 8, &ks, sizeof(ks), 0))
		n += st_stacks__kernel(run->stacks, (const uint64_t *)ks.ips,
				       (int)(ks.nr < ST_MAX_STACK ? ks.nr : ST_MAX_STACK), out + n,
				       max - n);
	else if (kid >= 0) {
		uint32_t id = (uint32_t)kid;

		if (!bpf_map__lookup_elem(skel->maps.ns_skstacks, &id, 4, ips, sizeof(ips), 0))
			n += st_stacks__kernel(run->stacks, ips, ST_MAX_STACK, out + n, max - n);
	}
	return n;
}

static void on_fold(void *ctx, const struct nsm_op *op, const char *const *fr, int n, uint64_t us)
{
	struct ns_run *run = ctx;

	ns_report_fold(&run->rep, op, fr, n, us);
}

/*
 * Kubernetes names: the plugin's pod and container (from its cgroup; the plugin
 * outlives its operations), and the PV, volume handle and driver of the staging
 * path (kubelet's vol_data.json files).
 */
static void k8s_names(struct nsm_op *op)
{
	struct k8s_volume v;
	struct k8s_pod pod;

	if (op->root > 0 && !k8s_pid_pod("/proc", op->root, &pod)) {
		snprintf(op->pod_uid, sizeof(op->pod_uid), "%s", pod.pod_uid);
		snprintf(op->container_id, sizeof(op->container_id), "%s", pod.container_id);
	}
	if (op->staging[0] && !k8s_volume_resolve("", op->staging, &v)) {
		snprintf(op->pv, sizeof(op->pv), "%s", v.pv);
		snprintf(op->volume_handle, sizeof(op->volume_handle), "%s", v.handle);
		snprintf(op->driver, sizeof(op->driver), "%s", v.driver);
		/* a volume named only by its staging directory's hash: the PV is the better name */
		if (op->pv[0] && strlen(op->volume) == 12 &&
		    strspn(op->volume, "0123456789abcdef") == 12 && strstr(op->staging, op->volume))
			snprintf(op->volume, sizeof(op->volume), "%.63s", op->pv);
	}
}

static void on_done(void *ctx, const struct nsm_op *done)
{
	struct ns_run *run = ctx;
	struct nsm_op op = *done;

	k8s_names(&op);
	if (run->hooks && run->hooks->op_done)
		run->hooks->op_done(run->hooks->ctx, &op);
	else
		ns_report_op(&run->rep, &op, run->mono_to_real);
}

/* On-CPU samples (software clock), unless the sampler probe is disabled. */
static int attach_samplers(struct ns_run *run)
{
	struct nodestage_bpf *skel = run->s.loader.skel;

	if (run->s.loader.choice[ARRAY_SIZE(ns_probes) - 1] < 0)
		return 0;
	return st_samplers_attach(&run->smp, skel->progs.ns_sample, run->o.freq, false);
}

/* ---- run ------------------------------------------------------------------------------ */

static int ns_tick(void *ctx)
{
	struct ns_run *run = ctx;
	struct nodestage_bpf *skel = run->s.loader.skel;

	uint64_t now = st_now_ns();

	nsm__tick(run->model, now);
	skel->bss->ops_open = nsm__open_ops(run->model) > 0;
	if (now - run->last_ustk_prune >= NSEC_PER_SEC) {
		ustkeep__prune(run->ustk, nsm__horizon(run->model, now));
		run->last_ustk_prune = now;
	}
	if (run->hooks && run->hooks->tick)
		run->hooks->tick(run->hooks->ctx, run);
	return 0;
}

/* Never fork/exec/exit: they start and end operations. */
static const char *const ns_pausable[] = { "ns_switch", "ns_wakeup", "ns_hrtimer", "st_io_*",
					   NULL };
static const struct st_session_ops ns_ops = { .on_tick = ns_tick,
					      .pausable = ns_pausable,
					      .with = st_io_complete_with };

static int ns_setup(struct ns_run *run)
{
	struct nsm_opts mo = {
		.idle_ns = run->o.idle_ns,
		.whole_tree = run->o.c->cmd_argv != NULL,
		.frames = frames_of,
		.fold = run->hooks ? NULL : on_fold, /* a service keeps no stacks */
		.done = on_done,
		.ctx = run,
	};

	run->model = nsm__new(&mo);
	run->stacks = st_stacks__new();
	run->mono_to_real = st_mono_to_real_offset();
	if (!run->model || !run->stacks || ns_report_init(&run->rep, &run->o))
		return -ENOMEM;
	return 0;
}

static int ns_start(struct ns_run *run, struct st_loader *l)
{
	int err = st_session_start(&run->s, l);

	if (!err) {
		struct nodestage_bpf *skel = run->s.loader.skel;

		run->ustk = ustkeep__new(bpf_map__fd(skel->maps.st_ustacks), NS_USTACK_KEEP);
		if (!run->ustk)
			err = -ENOMEM;
	}
	if (!err)
		seed_tasks(run);
	if (!err)
		err = attach_samplers(run);
	if (!err)
		err = st_session_add_ringbuf(&run->s, "events", on_record, run);
	if (!err)
		err = st_session_watch_procs(&run->s, run->stacks);
	if (!err && run->o.uprobe)
		err = ns_attach_uprobe(run);
	if (!err)
		err = st_session_release(&run->s);
	return err;
}

static int ns_finish(struct ns_run *run)
{
	st_session_drain(&run->s);
	nsm__flush(run->model, st_now_ns());
	st_read_drops(st_session_obj(&run->s), run->rep.drops);
	return ns_report_end(&run->rep, &run->s);
}

int ns_service_run(const struct st_common *c, const struct ns_service *sv, const struct ns_hooks *h)
{
	static struct ns_run run; /* large; one per process */
	struct st_loader l = { .spec = &st_nodestage_spec,
			       .configure = skel_configure,
			       .ctx = &run };
	int err;

	memset(&run, 0, sizeof(run));
	run.o.c = c;
	run.o.idle_ns = sv->idle_ns ? sv->idle_ns : 30 * NSEC_PER_SEC;
	run.o.top = 5;
	run.o.freq = 19; /* on-CPU samples are only for stacks, which a service does not keep */
	for (int i = 0; i < sv->nplugins && i < NS_ROOT_PATS; i++)
		run.o.roots[run.o.nroots++] = sv->plugins[i];
	if (!run.o.nroots)
		run.o.roots[run.o.nroots++] = "csi";
	run.hooks = h;
	err = st_session_init(&run.s, c);
	if (!err)
		err = ns_setup(&run);
	if (!err)
		err = ns_start(&run, &l);
	if (!err)
		err = st_session_run(&run.s, &ns_ops, &run);
	st_samplers_detach(&run.smp);
	if (!err)
		nsm__flush(run.model, st_now_ns());
	err = st_session_end(&run.s, err);
	nsm__free(run.model);
	ns_report_free(&run.rep);
	st_stacks__free(run.stacks);
	ustkeep__free(run.ustk);
	return err;
}

int cmd_nodestage(int argc, char **argv)
{
	struct ns_run run = { .o = { .idle_ns = 30 * NSEC_PER_SEC, .top = 5, .freq = 99 } };
	const struct st_cmdspec spec = {
		.name = "nodestage",
		.usage = "[OPTIONS] [-- CMD [ARGS...]]",
		.summary =
		    "CSI NodeStage operations on this node, phase by phase: where the time went.",
		.details =
		    "Follows the process trees of CSI node plugins (task names containing\n"
		    "--plugin, default 'csi'), recognises staging operations from what they run\n"
		    "(iscsiadm, nvme connect, blkid, mkfs, mount of a kubelet staging path, also\n"
		    "through nsenter/chroot), names them by volume, and splits every phase's wall\n"
		    "time into kernel, network, target (TrueNAS), user and wait. One line is "
		    "printed\n"
		    "per finished operation; a per-phase summary on exit. Folded output is in\n"
		    "microseconds, rooted at nodestage;VOLUME;PHASE;PROCESS.",
		.examples =
		    "  scaletrace nodestage                          # every staging, until "
		    "Ctrl-C\n"
		    "  scaletrace nodestage --svg ns.svg --json ns.json -d 600\n"
		    "  scaletrace nodestage --slo total:p99<5s --slo mkfs:p99<2s -- ./stage.sh\n"
		    "  scaletrace nodestage --uprobe "
		    "/csi-driver:main.(*NodeServer).NodeStageVolume\n",
		.common = ST_OPT_ALL | ST_OPT_PPROF,
		.opts = ns_defs,
		.nopts = ARRAY_SIZE(ns_defs),
		.handle = ns_opt,
		.ctx = &run.o,
	};
	struct st_loader l = { .spec = &st_nodestage_spec,
			       .configure = skel_configure,
			       .ctx = &run };
	struct st_common c;
	int argi, err;

	st_common_defaults(&c);
	run.o.c = &c;
	err = st_parse_args(&spec, &c, argc, argv, &argi);
	if (err)
		return err > 0 ? 0 : 2;
	if (!run.o.nroots)
		run.o.roots[run.o.nroots++] = "csi";
	if (run.o.uprobe && (c.pid || c.cmd_argv)) {
		st_err(
		    "--uprobe selects operations itself: it cannot be combined with -p or -- CMD");
		return 2;
	}
	run.uprobe_go = run.o.uprobe && ns_binary_is_go(run.o.uprobe);
	err = st_session_init(&run.s, &c);
	if (!err)
		err = ns_setup(&run);
	if (!err)
		err = ns_start(&run, &l);
	if (!err)
		err = st_session_run(&run.s, &ns_ops, &run);
	st_samplers_detach(&run.smp);
	ns_detach_uprobe(&run);
	if (!err)
		err = ns_finish(&run);
	err = st_session_end(&run.s, err);
	if (!err && run.rep.slo_violated)
		err = 3;
	nsm__free(run.model);
	ns_report_free(&run.rep);
	st_stacks__free(run.stacks);
	ustkeep__free(run.ustk);
	return err;
}
