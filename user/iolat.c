// SPDX-License-Identifier: GPL-2.0
/*
 * scaletrace iolat: per-request latency of iSCSI and NVMe-TCP block I/O, split
 * into kernel / network / target (DESIGN.md §4), with socket exchanges on
 * storage ports (iSCSI login, NVMe-TCP connect) split the same way.
 */
#include "attrib.h"
#include "blkdevs.h"
#include "cmds.h"
#include "fold.h"
#include "podsum.h"
#include "iolat.h"
#include "iolat.skel.h"
#include "ioevent.h"
#include "iostats.h"
#include "mdreport.h"
#include "opts.h"
#include "k8s.h"
#include "report.h"
#include "session.h"
#include "stacks.h"
#include "storage_probes.h"
#include "table.h"
#include "ustack.h"
#include "util.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { O_DEV = 256, O_BY, O_SLOWER, O_PORT, O_TOP, O_REPORT };
enum iolat_by { BY_DEV_OP, BY_DEV, BY_OP, BY_PROC };

static const struct st_optdef iolat_defs[] = {
	{ "dev", 0, "DEV", "only this device (sdb, nvme0n1, /dev/sdb or MAJ:MIN)", O_DEV },
	{ "by", 0, "dev|op|proc", "group the report (default: device and op)", O_BY },
	{ "slower-than", 0, "MS", "print each request slower than this, with its split", O_SLOWER },
	{ "port", 0, "PORT", "also split socket exchanges to this TCP port", O_PORT },
	{ "top", 0, "N", "slowest requests kept for the report (default 10)", O_TOP },
	{ "report", 0, "FILE.md", "write a Markdown report: environment, percentiles, contributors",
	  O_REPORT },
};

struct iolat_opts {
	const char *dev;
	enum iolat_by by;
	uint64_t slower_ns;
	uint64_t port, top;
	const struct st_common *c;
	const char *report; /* --report FILE.md */
};

static int iolat_opt(void *ctx, int id, const char *arg)
{
	struct iolat_opts *o = ctx;

	switch (id) {
	case O_REPORT:
		o->report = arg;
		return 0;
	case O_DEV:
		o->dev = arg;
		return 0;
	case O_BY:
		if (!strcmp(arg, "dev"))
			o->by = BY_DEV;
		else if (!strcmp(arg, "op"))
			o->by = BY_OP;
		else if (!strcmp(arg, "proc"))
			o->by = BY_PROC;
		else {
			st_err("invalid --by '%s': use dev, op or proc", arg);
			return -1;
		}
		return 0;
	case O_SLOWER:
		if (st_parse_duration(arg, NSEC_PER_MSEC, &o->slower_ns) || !o->slower_ns) {
			st_err("invalid --slower-than '%s': milliseconds, or with a unit (500us)",
			       arg);
			return -1;
		}
		return 0;
	case O_PORT:
		if (st_parse_u64(arg, 1, 65535, &o->port)) {
			st_err("invalid --port '%s': expected 1 to 65535", arg);
			return -1;
		}
		return 0;
	case O_TOP:
		if (st_parse_u64(arg, 1, 10000, &o->top)) {
			st_err("invalid --top '%s': expected 1 to 10000", arg);
			return -1;
		}
		return 0;
	}
	return -1;
}

static const struct st_probe_spec iolat_probes[] = { ST_STORAGE_PROBES };

/* ---- state ------------------------------------------------------------------ */

struct slow_io {
	struct iolat_event e;
	struct io_split sp;
};

struct iolat_run {
	struct iolat_opts o;
	struct st_session s;
	struct st_stacks *stacks;
	struct iostats stats, xstats;
	struct ioev_baseline base;
	struct fold *fold;
	struct podsum *pods;  /* latency by the submitter's cgroup */
	struct slow_io *slow; /* the o.top slowest, unsorted */
	size_t nslow;
	struct blkdev devs[BLKDEVS_MAX];
	int ndevs;
	uint32_t only_dev;
	uint64_t ios, xchgs, block_only, last_scan_ns;
	uint64_t drops[ST_DROP__NR];
	int64_t mono_to_real;
	char precision[160];
	int err;
};

ST_SKEL_CALLBACKS(iolat)

const struct st_tracer_spec st_iolat_spec = ST_TRACER_SPEC(iolat, iolat_probes);

static int skel_configure(void *skel, void *ctx)
{
	struct iolat_bpf *s = skel;
	struct iolat_run *run = ctx;
	struct iolat_opts *o = &run->o;
	struct st_common_rodata ro = ST_COMMON_RODATA(s);

	s->rodata->learn_devs = !o->dev;
	s->rodata->extra_port = (uint16_t)o->port;
	s->rodata->want_stacks = o->c->folded_path || o->c->svg_path;
	s->data->st_sample_n = o->c->sample;
	s->bss->st_max_eps = o->c->max_events_per_sec;
	return st_apply_filters(o->c, &ro);
}

/* ---- devices ------------------------------------------------------------------ */

static void push_devs(struct iolat_run *run)
{
	struct iolat_bpf *skel = run->s.loader.skel;
	uint8_t one = 1;
	int i;

	if (run->only_dev) {
		bpf_map__update_elem(skel->maps.devs, &run->only_dev, 4, &one, 1, BPF_ANY);
		run->ndevs = blkdev_paths("/sys", run->o.dev, run->devs, BLKDEVS_MAX);
	} else {
		run->ndevs = blkdevs_scan("/sys", run->devs, BLKDEVS_MAX);
	}
	for (i = 0; i < run->ndevs; i++) {
		struct iolat_disk_key k = {};

		if (!run->devs[i].hidden) {
			bpf_map__update_elem(skel->maps.devs, &run->devs[i].dev, 4, &one, 1,
					     BPF_ANY);
			continue;
		}
		/* a multipath path: BPF learns its dev_t from its name */
		snprintf(k.name, sizeof(k.name), "%s", run->devs[i].name);
		if (!bpf_map__update_elem(skel->maps.hidden_devs, &k, sizeof(k), &one, 1, BPF_ANY))
			skel->bss->nr_hidden = 1;
	}
}

/* The kernel's disk name when it came with the event, else sysfs. */
static const char *ev_dev(const struct iolat_event *e, char *buf, int len)
{
	if (e->disk[0]) {
		snprintf(buf, (size_t)len, "%.31s", e->disk);
		blkdev_head_name(buf);
		return buf;
	}
	return blkdev_name("/sys", e->dev, buf, len);
}

static const char *op_name(uint8_t op)
{
	switch (op) {
	case 0:
		return "read";
	case 1:
		return "write";
	case 2:
		return "flush";
	case 3:
		return "discard";
	case 5:
		return "secure-erase";
	case 9:
		return "write-zeroes";
	case 34:
		return "drv-in";
	case 35:
		return "drv-out";
	default:
		return "other";
	}
}

static const char *proto_name(uint8_t p)
{
	static const char *const names[] = { "?", "nvme-tcp", "iscsi", "nfs", "other" };

	return p < ARRAY_SIZE(names) ? names[p] : "?";
}

/* ---- events -------------------------------------------------------------------- */

static void group_name(struct iolat_run *run, const struct iolat_event *e, char *buf, size_t len)
{
	char d[32];

	ev_dev(e, d, sizeof(d));
	switch (run->o.by) {
	case BY_DEV:
		snprintf(buf, len, "%s", d);
		break;
	case BY_OP:
		snprintf(buf, len, "%s", op_name(e->op));
		break;
	case BY_PROC:
		snprintf(buf, len, "%.16s", e->comm);
		break;
	default:
		snprintf(buf, len, "%s %s", d, op_name(e->op));
	}
}

static void print_wall(struct iolat_run *run, uint64_t mono_ns)
{
	time_t t = (time_t)((int64_t)mono_ns + run->mono_to_real) / 1000000000;
	struct tm tm;

	localtime_r(&t, &tm);
	printf("%02d:%02d:%02d ", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void print_slow(struct iolat_run *run, const struct iolat_event *e,
		       const struct io_split *sp, enum attrib_precision p)
{
	char d[32], a[16], b[16], c[16], f[16];

	print_wall(run, e->t_complete);
	printf("%-15.16s %7u %-8s %-6s %7u %8s  kernel %8s network %8s target %8s%s%s\n", e->comm,
	       e->pid, ev_dev(e, d, sizeof(d)), op_name(e->op), e->bytes,
	       st_fmt_duration(sp->total, a, sizeof(a)), st_fmt_duration(sp->kernel, b, sizeof(b)),
	       st_fmt_duration(sp->network, c, sizeof(c)),
	       st_fmt_duration(sp->target, f, sizeof(f)), sp->retransmitted ? " retransmitted" : "",
	       p == ATTRIB_BLOCK ? " (block only)" : "");
	fflush(stdout);
}

static void keep_slow(struct iolat_run *run, const struct iolat_event *e, const struct io_split *sp)
{
	size_t i, min = 0;

	if (run->nslow < run->o.top) {
		run->slow[run->nslow].e = *e;
		run->slow[run->nslow++].sp = *sp;
		return;
	}
	for (i = 1; i < run->nslow; i++)
		if (run->slow[i].sp.total < run->slow[min].sp.total)
			min = i;
	if (sp->total > run->slow[min].sp.total) {
		run->slow[min].e = *e;
		run->slow[min].sp = *sp;
	}
}

/* Folded: the submitter's stack, then "[dev op]", then the category leaf. */
static void fold_io(struct iolat_run *run, const struct iolat_event *e, const struct io_split *sp)
{
	static const char *const leaf[] = { "[kernel]", "[network]", "[target]" };
	const uint64_t part[] = { sp->kernel, sp->network, sp->target };
	struct iolat_bpf *skel = run->s.loader.skel;
	const char *fr[2 * ST_MAX_STACK + 8];
	uint64_t ips[ST_MAX_STACK];
	struct st_ustack us;
	char d[32], label[64];
	int n = 0, base, i;

	fr[n++] = st_stacks__intern(run->stacks, e->comm[0] ? e->comm : "[unknown]");
	if (e->ustack &&
	    !bpf_map__lookup_elem(skel->maps.st_ustacks, &e->ustack, 8, &us, sizeof(us), 0))
		n += st_stacks__ustack(run->stacks, (pid_t)e->pid, &us, fr + n, ST_MAX_STACK);
	if (e->kstack >= 0 &&
	    !bpf_map__lookup_elem(skel->maps.kstacks, &e->kstack, 4, ips, sizeof(ips), 0))
		n += st_stacks__kernel(run->stacks, ips, ST_MAX_STACK, fr + n, ST_MAX_STACK);
	snprintf(label, sizeof(label), "[%s %s]", ev_dev(e, d, sizeof(d)), op_name(e->op));
	fr[n++] = st_stacks__intern(run->stacks, label);
	base = n;
	for (i = 0; i < 3; i++) {
		fr[base] = leaf[i];
		if (part[i] / NSEC_PER_USEC)
			fold__add(run->fold, fr, base + 1, part[i] / NSEC_PER_USEC);
	}
}

static int on_io(struct iolat_run *run, const struct iolat_event *e)
{
	enum attrib_precision p;
	struct io_split sp;
	char name[64];

	p = ioev_split(&run->base, e, &sp);
	run->ios++;
	run->block_only += p == ATTRIB_BLOCK;
	group_name(run, e, name, sizeof(name));
	if (iostats_add(&run->stats, name, &sp, p, e->bytes) ||
	    podsum__add(run->pods, e->cgid, sp.total))
		return -ENOMEM;
	keep_slow(run, e, &sp);
	if (run->o.slower_ns && sp.total >= run->o.slower_ns)
		print_slow(run, e, &sp, p);
	if (run->fold)
		fold_io(run, e, &sp);
	return 0;
}

static int on_xchg(struct iolat_run *run, const struct iolat_xchg_event *x)
{
	struct io_split sp;
	char name[64], a[16], b[16], c[16];

	attrib_exchange(x->t_send, x->t_recv, x->rtt_us, x->retrans, x->t_last_retrans, &sp);
	run->xchgs++;
	snprintf(name, sizeof(name), "%.16s :%u", x->comm, x->dport);
	if (iostats_add(&run->xstats, name, &sp, ATTRIB_TRANSPORT, x->bytes_sent))
		return -ENOMEM;
	if (run->o.slower_ns && sp.total >= run->o.slower_ns) {
		print_wall(run, x->t_recv);
		printf("%-15.16s %7u exchange :%-5u %8s  network %8s target %8s%s\n", x->comm,
		       x->pid, x->dport, st_fmt_duration(sp.total, a, sizeof(a)),
		       st_fmt_duration(sp.network, b, sizeof(b)),
		       st_fmt_duration(sp.target, c, sizeof(c)),
		       sp.retransmitted ? " retransmitted" : "");
	}
	return 0;
}

static int on_record(void *ctx, void *data, size_t len)
{
	const struct iolat_record *rec = data;
	struct iolat_run *run = ctx;
	int err = 0;

	if (len < sizeof(*rec))
		return 0;
	if (rec->type == IOLAT_EV_IO)
		err = on_io(run, &rec->io);
	else if (rec->type == IOLAT_EV_XCHG)
		err = on_xchg(run, &rec->x);
	if (err)
		run->err = err;
	return 0;
}

static int iolat_tick(void *ctx)
{
	struct iolat_run *run = ctx;
	uint64_t now = st_now_ns();

	/* New devices (a volume staged while tracing) join the filter within a second. */
	if (!run->o.dev && now - run->last_scan_ns >= NSEC_PER_SEC) {
		run->last_scan_ns = now;
		push_devs(run);
	}
	return run->err;
}

/* ---- report ----------------------------------------------------------------------- */

static void describe_precision(struct iolat_run *run)
{
	const int *ch = run->s.loader.choice;
	bool tx = ch[PR_SEND] >= 0 || ch[PR_SENDPAGES] >= 0, rx = ch[PR_REMOTE] >= 0;

	if (tx && rx && ch[PR_ARRIVAL] >= 0 && ch[PR_READ] >= 0)
		snprintf(
		    run->precision, sizeof(run->precision),
		    "transport (%s): t_tx at the command's send, t_rx at its response's arrival",
		    st_attach_kind_name(iolat_probes[PR_SEND].variants[ch[PR_SEND]].kind));
	else if (tx && rx)
		snprintf(run->precision, sizeof(run->precision),
			 "transport without arrival times: response processing counted as wire");
	else
		snprintf(run->precision, sizeof(run->precision),
			 "block tracepoints only (no fentry/kprobe here): transport and completion "
			 "processing counted as wire; RTT is tcp_probe's srtt");
}

static void print_group(const struct iostat_group *g)
{
	struct st_table *t = st_table__new(5, 0x1e);
	char v[4][16];
	int c, k;
	static const double pct[] = { 50, 95, 99, 100 };

	printf("%s: %llu I/Os, %.1f KiB, %llu retransmitted, %llu with transport timestamps\n",
	       g->name, (unsigned long long)g->count, (double)g->bytes / 1024.0,
	       (unsigned long long)g->retrans_ios, (unsigned long long)g->transport_ios);
	st_table__rowf(t, "\tp50\tp95\tp99\tmax");
	for (c = 0; c < IOS__NR; c++) {
		for (k = 0; k < 4; k++)
			st_fmt_duration(hist_percentile(&g->h[c], pct[k]), v[k], sizeof(v[k]));
		st_table__rowf(t, "%s\t%s\t%s\t%s\t%s", iostat_comp_name(c), v[0], v[1], v[2],
			       v[3]);
	}
	st_table__print(t, stdout, 2);
	st_table__free(t);
}

static int by_total_desc(const void *a, const void *b)
{
	const struct slow_io *x = a, *y = b;

	return x->sp.total < y->sp.total ? 1 : x->sp.total > y->sp.total ? -1 : 0;
}

static void print_summary(struct iolat_run *run)
{
	size_t i;

	printf("iolat: %llu requests, %llu socket exchanges; precision: %s\n",
	       (unsigned long long)run->ios, (unsigned long long)run->xchgs, run->precision);
	if (run->block_only && run->block_only != run->ios)
		printf(
		    "  %llu requests had no transport timestamps (split from block events only)\n",
		    (unsigned long long)run->block_only);
	for (i = 0; i < run->stats.n; i++)
		print_group(&run->stats.g[i]);
	if (run->xstats.n)
		printf("socket exchanges (last send -> first receive):\n");
	for (i = 0; i < run->xstats.n; i++)
		print_group(&run->xstats.g[i]);
	st_report_pods(stdout, run->pods, "request latency, summed", true, run->o.top);
	st_report_drops(stdout, run->drops);
	st_report_costs(stdout, &run->s);
}

static json_object *json_hist(const struct hist *h)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "p50_us", json_object_new_uint64(hist_percentile(h, 50) / 1000));
	json_object_object_add(o, "p95_us", json_object_new_uint64(hist_percentile(h, 95) / 1000));
	json_object_object_add(o, "p99_us", json_object_new_uint64(hist_percentile(h, 99) / 1000));
	json_object_object_add(o, "max_us", json_object_new_uint64(h->count ? h->max / 1000 : 0));
	json_object_object_add(o, "mean_us", json_object_new_uint64(hist_mean(h) / 1000));
	return o;
}

static json_object *json_groups(const struct iostats *st)
{
	json_object *arr = json_object_new_array();
	size_t i;
	int c;

	for (i = 0; i < st->n; i++) {
		const struct iostat_group *g = &st->g[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "group", json_object_new_string(g->name));
		json_object_object_add(o, "count", json_object_new_uint64(g->count));
		json_object_object_add(o, "bytes", json_object_new_uint64(g->bytes));
		json_object_object_add(o, "retransmitted", json_object_new_uint64(g->retrans_ios));
		json_object_object_add(o, "transport_timestamps",
				       json_object_new_uint64(g->transport_ios));
		for (c = 0; c < IOS__NR; c++)
			json_object_object_add(o, iostat_comp_name(c), json_hist(&g->h[c]));
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *json_slow(struct iolat_run *run)
{
	json_object *arr = json_object_new_array();
	struct k8s_cgmap *cg = st_k8s_cgmap_open();
	char d[32];
	size_t i;

	for (i = 0; i < run->nslow; i++) {
		const struct slow_io *s = &run->slow[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "comm", json_object_new_string(s->e.comm));
		json_object_object_add(o, "pid", json_object_new_int64(s->e.pid));
		json_object_object_add(o, "dev",
				       json_object_new_string(ev_dev(&s->e, d, sizeof(d))));
		json_object_object_add(o, "proto", json_object_new_string(proto_name(s->e.proto)));
		json_object_object_add(o, "op", json_object_new_string(op_name(s->e.op)));
		json_object_object_add(o, "bytes", json_object_new_uint64(s->e.bytes));
		json_object_object_add(o, "total_us", json_object_new_uint64(s->sp.total / 1000));
		json_object_object_add(o, "kernel_us", json_object_new_uint64(s->sp.kernel / 1000));
		json_object_object_add(o, "network_us",
				       json_object_new_uint64(s->sp.network / 1000));
		json_object_object_add(o, "target_us", json_object_new_uint64(s->sp.target / 1000));
		json_object_object_add(o, "rtt_us", json_object_new_uint64(s->e.rtt_us));
		json_object_object_add(o, "exchanges", json_object_new_uint64(s->e.exchanges));
		json_object_object_add(o, "retransmitted",
				       json_object_new_boolean(s->sp.retransmitted));
		st_json_k8s(o, cg, s->e.cgid);
		json_object_array_add(arr, o);
	}
	k8s_cgmap__free(cg);
	return arr;
}

static int write_json(struct iolat_run *run)
{
	json_object *root = st_json_header("scaletrace.iolat/1", "us", &run->s);
	int err;

	json_object_object_add(root, "precision", json_object_new_string(run->precision));
	json_object_object_add(root, "requests", json_object_new_uint64(run->ios));
	json_object_object_add(root, "block_only_requests",
			       json_object_new_uint64(run->block_only));
	json_object_object_add(root, "groups", json_groups(&run->stats));
	json_object_object_add(root, "exchanges", json_groups(&run->xstats));
	json_object_object_add(root, "slowest", json_slow(run));
	json_object_object_add(root, "drops", st_json_drops(run->drops));
	json_object_object_add(root, "bpf", st_json_costs(&run->s));
	err = md_report_outputs(root, run->o.c, run->o.report, (int)run->o.top);
	json_object_put(root);
	return err;
}

static int iolat_finish(struct iolat_run *run)
{
	int err;

	st_session_drain(&run->s);
	st_read_drops(st_session_obj(&run->s), run->drops);
	iostats_sort(&run->stats);
	iostats_sort(&run->xstats);
	qsort(run->slow, run->nslow, sizeof(*run->slow), by_total_desc);
	if (!run->o.c->json_path || strcmp(run->o.c->json_path, "-"))
		print_summary(run);
	err = run->err;
	if (!err && run->fold)
		err = st_write_fold_outputs(run->o.c, run->fold,
					    "I/O latency: kernel, network, target", "us", "iolat",
					    &run->s);
	if (!err && (run->o.c->json_path || run->o.report))
		err = write_json(run);
	return err;
}

static int iolat_degrade(struct st_session *s, void *ctx, int level, char *what, size_t len)
{
	struct iolat_bpf *skel = s->loader.skel;

	(void)ctx;
	if (level > 4)
		return 0;
	skel->data->st_sample_n = skel->data->st_sample_n * 2;
	snprintf(what, len, "keeping 1 in %u requests", skel->data->st_sample_n);
	return 1;
}

static const char *const iolat_pausable[] = { "st_io_*", NULL };
static const struct st_session_ops iolat_ops = { .degrade = iolat_degrade,
						 .on_tick = iolat_tick,
						 .pausable = iolat_pausable,
						 .with = st_io_complete_with };

static int iolat_prepare(struct iolat_run *run)
{
	if (run->o.dev && blkdev_lookup("/sys", run->o.dev, &run->only_dev)) {
		st_err("no block device '%s'", run->o.dev);
		return -ENOENT;
	}
	run->slow = calloc(run->o.top, sizeof(*run->slow));
	run->pods = podsum__new();
	if (!run->slow || !run->pods)
		return -ENOMEM;
	if (run->o.c->folded_path || run->o.c->svg_path) {
		run->fold = fold__new();
		if (!run->fold)
			return -ENOMEM;
	}
	run->mono_to_real = st_mono_to_real_offset();
	return 0;
}

int cmd_iolat(int argc, char **argv)
{
	struct iolat_run run = { .o = { .by = BY_DEV_OP, .top = 10 } };
	const struct st_cmdspec spec = {
		.name = "iolat",
		.usage = "[OPTIONS] [-- CMD [ARGS...]]",
		.summary =
		    "Per-I/O latency on iSCSI and NVMe-TCP devices, split into kernel, network "
		    "and target.",
		.details =
		    "Each request's time from insert to completion is split: kernel (queueing,\n"
		    "submission, completion), network (the connection's RTT per round trip, plus\n"
		    "time lost to retransmissions) and target (the wire time the network does not\n"
		    "explain). Socket exchanges on storage ports (iSCSI login, NVMe-TCP connect)\n"
		    "are split the same way. Percentiles come from log-linear histograms (~3%).",
		.examples =
		    "  scaletrace iolat -d 10                        # all network block devices\n"
		    "  scaletrace iolat --dev nvme0n1 --slower-than 20 # stream outliers\n"
		    "  scaletrace iolat --by proc --json - -- fio job.fio\n",
		.common = ST_OPT_ALL | ST_OPT_SAMPLE,
		.opts = iolat_defs,
		.nopts = ARRAY_SIZE(iolat_defs),
		.handle = iolat_opt,
		.ctx = &run.o,
	};
	struct st_loader l = { .spec = &st_iolat_spec, .configure = skel_configure, .ctx = &run };
	struct st_common c;
	int argi, err;

	st_common_defaults(&c);
	run.o.c = &c;
	iostats_init(&run.stats);
	iostats_init(&run.xstats);
	err = st_parse_args(&spec, &c, argc, argv, &argi);
	if (err)
		return err > 0 ? 0 : 2;
	err = st_session_init(&run.s, &c);
	if (!err)
		err = iolat_prepare(&run);
	if (err)
		return st_session_end(&run.s, err);
	run.stacks = st_stacks__new();
	err = run.stacks ? st_session_start(&run.s, &l) : -ENOMEM;
	if (!err) {
		describe_precision(&run);
		push_devs(&run);
		run.last_scan_ns = st_now_ns();
		err = st_session_add_ringbuf(&run.s, "events", on_record, &run);
	}
	if (!err)
		err = st_session_watch_procs(&run.s, run.stacks);
	if (!err && run.o.slower_ns)
		printf("%-8s %-15s %7s %-8s %-6s %7s %8s\n", "TIME", "COMM", "PID", "DEV", "OP",
		       "BYTES", "TOTAL");
	if (!err)
		err = st_session_release(&run.s);
	if (!err)
		err = st_session_run(&run.s, &iolat_ops, &run);
	if (!err)
		err = iolat_finish(&run);
	err = st_session_end(&run.s, err);
	iostats_free(&run.stats);
	iostats_free(&run.xstats);
	fold__free(run.fold);
	free(run.slow);
	podsum__free(run.pods);
	st_stacks__free(run.stacks);
	return err;
}
