// SPDX-License-Identifier: GPL-2.0
/*
 * scaletrace serve: the continuous mode for a DaemonSet. Runs the nodestage
 * tracer (which carries the iolat hooks too) without reports and exposes
 * Prometheus / OpenMetrics text on /metrics through libmicrohttpd: NodeStage
 * phase histograms by protocol and category, per-device I/O component
 * histograms, off-CPU time by state, drop counters, the tool's own BPF CPU cost
 * and map memory; /healthz. Series are capped and aged out, so memory stays
 * bounded over days.
 */
#include "attrib.h"
#include "cmds.h"
#include "iolat.h"
#include "loader.h"
#include "metrics.h"
#include "nodestage_run.h"
#include "nsmodel.h"
#include "opts.h"
#include "session.h"
#include "util.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum {
	O_LISTEN = 256,
	O_NODESTAGE,
	O_IOLAT,
	O_OFFCPU,
	O_MAX_SERIES,
	O_RETENTION,
	O_PLUGIN,
	O_IDLE
};

static const struct st_optdef serve_defs[] = {
	{ "listen", 0, "ADDR:PORT", "where to serve /metrics and /healthz (default 127.0.0.1:9465)",
	  O_LISTEN },
	{ "nodestage", 0, NULL, "NodeStage phase metrics (on unless another family is chosen)",
	  O_NODESTAGE },
	{ "iolat", 0, NULL, "per-device I/O latency split metrics", O_IOLAT },
	{ "offcpu", 0, NULL, "off-CPU time of staging tasks by command and thread state",
	  O_OFFCPU },
	{ "max-series", 0, "N", "label sets kept per metric (default 512; oldest dropped)",
	  O_MAX_SERIES },
	{ "retention", 0, "DUR", "drop per-volume series not updated for this long (default 24h)",
	  O_RETENTION },
	{ "plugin", 0, "PATTERN",
	  "task-name substring of CSI node plugins (default: csi; repeatable)", O_PLUGIN },
	{ "idle", 0, "DUR", "end an operation after this long without its tools (default 30s)",
	  O_IDLE },
};

struct serve_opts {
	struct ns_service svc;
	struct sockaddr_in addr;
	bool nodestage, iolat, offcpu;
	uint64_t max_series, retention_ns;
};

struct serve {
	struct serve_opts o;
	pthread_mutex_t lock;
	struct metrics *reg;
	struct metric *phase_s, *phase_cat, *ops, *last_op, *io_s, *io_ios, *offcpu_s, *drops,
	    *bpf_s, *bpf_cpu, *map_bytes, *evicted, *up;
	uint64_t last_drops[ST_DROP__NR];
	struct MHD_Daemon *httpd;
	volatile bool healthy;
};

static int serve_opt(void *ctx, int id, const char *arg)
{
	struct serve_opts *o = ctx;
	char host[64];
	const char *colon;
	uint64_t port;

	switch (id) {
	case O_LISTEN:
		colon = strrchr(arg, ':');
		if (!colon || colon - arg >= (long)sizeof(host) ||
		    st_parse_u64(colon + 1, 1, 65535, &port))
			goto bad_listen;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - arg), arg);
		o->addr.sin_family = AF_INET;
		o->addr.sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &o->addr.sin_addr) != 1)
			goto bad_listen;
		return 0;
	case O_PLUGIN:
		if (o->svc.nplugins >= NS_ROOT_PATS || !*arg || strlen(arg) >= ST_COMM_LEN) {
			st_err("invalid --plugin '%s': 1 to 15 characters, at most %d patterns",
			       arg, NS_ROOT_PATS);
			return -1;
		}
		o->svc.plugins[o->svc.nplugins++] = arg;
		return 0;
	case O_IDLE:
		if (st_parse_duration(arg, NSEC_PER_SEC, &o->svc.idle_ns) || !o->svc.idle_ns) {
			st_err("invalid --idle '%s': expected a duration such as 2s or 500ms", arg);
			return -1;
		}
		return 0;
	case O_NODESTAGE:
		o->nodestage = true;
		return 0;
	case O_IOLAT:
		o->iolat = true;
		return 0;
	case O_OFFCPU:
		o->offcpu = true;
		return 0;
	case O_MAX_SERIES:
		if (st_parse_u64(arg, 8, 100000, &o->max_series)) {
			st_err("invalid --max-series '%s': expected 8 to 100000", arg);
			return -1;
		}
		return 0;
	case O_RETENTION:
		if (st_parse_duration(arg, NSEC_PER_SEC, &o->retention_ns) || !o->retention_ns) {
			st_err("invalid --retention '%s': expected a duration such as 24h", arg);
			return -1;
		}
		return 0;
	}
	return -1;
bad_listen:
	st_err("invalid --listen '%s': expected IPV4:PORT, e.g. 0.0.0.0:9465", arg);
	return -1;
}

/* ---- metrics ----------------------------------------------------------------- */

static int declare(struct serve *sv)
{
	static const char *const l_phase[] = { "protocol", "phase" };
	static const char *const l_phase_cat[] = { "protocol", "phase", "category" };
	static const char *const l_ops[] = { "protocol", "kind", "result" };
	static const char *const l_vol[] = { "volume", "protocol" };
	static const char *const l_io[] = { "device", "op", "component" };
	static const char *const l_dev[] = { "device", "op" };
	static const char *const l_off[] = { "comm", "state" };
	static const char *const l_reason[] = { "reason" };
	static const char *const l_prog[] = { "program" };
	int n = (int)sv->o.max_series;

	sv->reg = metrics__new();
	if (!sv->reg)
		return -ENOMEM;
	sv->up = metrics__add(sv->reg, "scaletrace_up", "1 while the tracer runs", METRIC_GAUGE, 1,
			      0, NULL);
	sv->phase_s =
	    metrics__add(sv->reg, "scaletrace_nodestage_phase_seconds",
			 "wall time of NodeStage phases", METRIC_HISTOGRAM, n, 2, l_phase);
	sv->phase_cat =
	    metrics__add(sv->reg, "scaletrace_nodestage_phase_category_seconds",
			 "phase wall time split into kernel, network, target (TrueNAS), "
			 "user, wait",
			 METRIC_COUNTER, n, 3, l_phase_cat);
	sv->ops = metrics__add(sv->reg, "scaletrace_nodestage_operations",
			       "finished NodeStage / NodeUnstage operations", METRIC_COUNTER, n, 3,
			       l_ops);
	sv->last_op =
	    metrics__add(sv->reg, "scaletrace_nodestage_last_operation_seconds",
			 "wall time of the volume's last operation", METRIC_GAUGE, n, 2, l_vol);
	sv->io_s = metrics__add(sv->reg, "scaletrace_io_latency_seconds",
				"per-request latency components on iSCSI / NVMe-TCP devices",
				METRIC_HISTOGRAM, n, 3, l_io);
	sv->io_ios = metrics__add(sv->reg, "scaletrace_io_requests", "requests seen",
				  METRIC_COUNTER, n, 2, l_dev);
	sv->offcpu_s = metrics__add(sv->reg, "scaletrace_offcpu_seconds",
				    "off-CPU time of staging tasks by command and thread state",
				    METRIC_COUNTER, n, 2, l_off);
	sv->drops = metrics__add(sv->reg, "scaletrace_drops",
				 "events the kernel side did not record, exactly", METRIC_COUNTER,
				 ST_DROP__NR, 1, l_reason);
	sv->bpf_s = metrics__add(sv->reg, "scaletrace_bpf_run_seconds",
				 "CPU time spent in scaletrace's BPF programs", METRIC_COUNTER, 64,
				 1, l_prog);
	sv->bpf_cpu = metrics__add(sv->reg, "scaletrace_bpf_cpu_ratio",
				   "peak share of one CPU used by the BPF programs in a second",
				   METRIC_GAUGE, 1, 0, NULL);
	sv->map_bytes = metrics__add(sv->reg, "scaletrace_map_bytes",
				     "upper bound of BPF map memory", METRIC_GAUGE, 1, 0, NULL);
	sv->evicted = metrics__add(sv->reg, "scaletrace_series_evicted",
				   "label sets dropped to stay within --max-series", METRIC_COUNTER,
				   1, 0, NULL);
	return sv->evicted ? 0 : -ENOMEM;
}

static void op_done(void *ctx, const struct nsm_op *op)
{
	struct serve *sv = ctx;
	const char *proto = op->proto[0] ? op->proto : "unknown";
	const char *kind = op->kind == CSI_UNSTAGE ? "unstage" : "stage";
	const char *ok = op->complete ? "ok" : op->status ? "failed" : "incomplete";
	uint64_t now = st_now_ns();
	int i, c;

	if (!sv->o.nodestage)
		return;
	pthread_mutex_lock(&sv->lock);
	metric__inc(sv->ops, (const char *[]){ proto, kind, ok }, 1, now);
	metric__set(sv->last_op, (const char *[]){ op->pv[0] ? op->pv : op->volume, proto },
		    (double)(op->end - op->start) / 1e9, now);
	for (i = 0; i < op->nphases; i++) {
		const struct nsm_phase *p = &op->phases[i];

		metric__observe(sv->phase_s, (const char *[]){ proto, p->name },
				(double)(p->end - p->start) / 1e9, now);
		for (c = 0; c < NSM_CAT_NR; c++)
			metric__inc(
			    sv->phase_cat,
			    (const char *[]){ proto, p->name,
					      c == NSM_TARGET ? "target" : nsm_cat_name(c) },
			    (double)p->cat[c] / 1e9, now);
	}
	metric__observe(sv->phase_s, (const char *[]){ proto, "total" },
			(double)(op->end - op->start) / 1e9, now);
	pthread_mutex_unlock(&sv->lock);
}

static const char *io_op(uint8_t op)
{
	return op == 0	 ? "read"
	       : op == 1 ? "write"
	       : op == 2 ? "flush"
	       : op == 3 ? "discard"
			 : "other";
}

static void io_done(void *ctx, const struct iolat_event *e, const struct io_split *sp,
		    const char *dev, const char *volume, const char *proto)
{
	static const char *const comp[] = { "total", "kernel", "network", "target" };
	const uint64_t v[] = { sp->total, sp->kernel, sp->network, sp->target };
	struct serve *sv = ctx;
	uint64_t now = st_now_ns();
	int i;

	(void)volume;
	(void)proto;
	if (!sv->o.iolat)
		return;
	pthread_mutex_lock(&sv->lock);
	metric__inc(sv->io_ios, (const char *[]){ dev, io_op(e->op) }, 1, now);
	for (i = 0; i < 4; i++)
		metric__observe(sv->io_s, (const char *[]){ dev, io_op(e->op), comp[i] },
				(double)v[i] / 1e9, now);
	pthread_mutex_unlock(&sv->lock);
}

static void off_done(void *ctx, const char *comm, char state, uint64_t ns)
{
	static const char *const names[] = { "runnable", "uninterruptible", "sleeping" };
	struct serve *sv = ctx;
	const char *st = names[state == 'R' ? 0 : state == 'D' ? 1 : 2];

	if (!sv->o.offcpu)
		return;
	pthread_mutex_lock(&sv->lock);
	metric__inc(sv->offcpu_s, (const char *[]){ comm, st }, (double)ns / 1e9, st_now_ns());
	pthread_mutex_unlock(&sv->lock);
}

/* Once a tick: drops, BPF cost, map memory, and the off-CPU maps when asked. */
static void tick(void *ctx, struct ns_run *run)
{
	struct serve *sv = ctx;
	struct st_bpf_cost c[64];
	uint64_t d[ST_DROP__NR], now = st_now_ns();
	int i, n;

	st_read_drops(st_session_obj(&run->s), d);
	n = st_session_costs(&run->s, c, 64);
	pthread_mutex_lock(&sv->lock);
	metric__set(sv->up, NULL, 1, now);
	for (i = 0; i < ST_DROP__NR; i++) {
		metric__inc(sv->drops, (const char *[]){ st_drop_name(i) },
			    (double)(d[i] - sv->last_drops[i]), now);
		sv->last_drops[i] = d[i];
	}
	for (i = 0; i < n; i++)
		metric__set(sv->bpf_s, (const char *[]){ c[i].name }, (double)c[i].run_ns / 1e9,
			    now);
	metric__set(sv->bpf_cpu, NULL, run->s.max_cpu_pct / 100.0, now);
	metric__set(sv->map_bytes, NULL, (double)st_session_map_bytes(&run->s), now);
	metric__set(sv->evicted, NULL, (double)metrics__evicted(sv->reg), now);
	metric__expire(sv->last_op, now > sv->o.retention_ns ? now - sv->o.retention_ns : 0);
	pthread_mutex_unlock(&sv->lock);
	sv->healthy = true;
}

/* ---- HTTP --------------------------------------------------------------------- */

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned code, const char *type,
			     char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **state)
{
	struct serve *sv = cls;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)state;
	if (strcmp(method, "GET"))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", strdup("GET only\n"),
			     9);
	if (!strcmp(url, "/healthz")) {
		bool ok = sv->healthy && !st_exiting();

		return reply(conn, ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain",
			     strdup(ok ? "ok\n" : "starting\n"), ok ? 3 : 9);
	}
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", strdup("not found\n"), 10);
	f = open_memstream(&buf, &len);
	if (!f)
		return MHD_NO;
	pthread_mutex_lock(&sv->lock);
	metrics__render(sv->reg, f);
	pthread_mutex_unlock(&sv->lock);
	fclose(f);
	return reply(conn, MHD_HTTP_OK,
		     "application/openmetrics-text; version=1.0.0; charset=utf-8", buf, len);
}

static int start_http(struct serve *sv)
{
	sv->httpd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handle, sv,
				     MHD_OPTION_SOCK_ADDR, &sv->o.addr, MHD_OPTION_CONNECTION_LIMIT,
				     16U, MHD_OPTION_CONNECTION_TIMEOUT, 10U, MHD_OPTION_END);
	if (!sv->httpd) {
		char a[INET_ADDRSTRLEN];

		st_err("cannot listen on %s:%u: %s",
		       inet_ntop(AF_INET, &sv->o.addr.sin_addr, a, sizeof(a)),
		       ntohs(sv->o.addr.sin_port), strerror(errno ? errno : EADDRINUSE));
		return -EADDRINUSE;
	}
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	static struct serve sv;
	const struct st_cmdspec spec = {
		.name = "serve",
		.usage = "[--listen ADDR:PORT] [--nodestage] [--iolat] [--offcpu] [OPTIONS]",
		.summary =
		    "Trace continuously and serve Prometheus / OpenMetrics metrics on /metrics.",
		.details =
		    "For a DaemonSet (deploy/daemonset.yaml). NodeStage phase histograms by\n"
		    "protocol with their kernel/network/target/user/wait split, per-device I/O\n"
		    "latency components, drop counters, the tool's own BPF CPU cost and map\n"
		    "memory. /healthz answers 200 once tracing runs. Memory stays bounded: at\n"
		    "most --max-series label sets per metric, per-volume series aged out after\n"
		    "--retention.",
		.examples = "  scaletrace serve                            # 127.0.0.1:9465, "
			    "nodestage + iolat\n"
			    "  scaletrace serve --listen 0.0.0.0:9465 --iolat\n"
			    "  curl -s localhost:9465/metrics | grep phase_seconds_count\n",
		.common = ST_OPT_TARGET | ST_OPT_DURATION | ST_OPT_RATE | ST_OPT_SAMPLE,
		.opts = serve_defs,
		.nopts = ARRAY_SIZE(serve_defs),
		.handle = serve_opt,
		.ctx = &sv.o,
	};
	struct ns_hooks hooks = { .op_done = op_done,
				  .io_done = io_done,
				  .tick = tick,
				  .off_done = off_done,
				  .ctx = &sv };
	struct st_common c;
	int argi, err;

	memset(&sv, 0, sizeof(sv));
	sv.o.addr.sin_family = AF_INET;
	sv.o.addr.sin_port = htons(9465);
	sv.o.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sv.o.max_series = 512;
	sv.o.retention_ns = 24 * 3600 * NSEC_PER_SEC;
	st_common_defaults(&c);
	err = st_parse_args(&spec, &c, argc, argv, &argi);
	if (err)
		return err > 0 ? 0 : 2;
	if (!sv.o.nodestage && !sv.o.iolat && !sv.o.offcpu)
		sv.o.nodestage = sv.o.iolat = true;
	pthread_mutex_init(&sv.lock, NULL);
	if (st_check_privileges() || declare(&sv) || start_http(&sv)) {
		metrics__free(sv.reg);
		return 1;
	}
	err = ns_service_run(&c, &sv.o.svc, &hooks);
	MHD_stop_daemon(sv.httpd);
	metrics__free(sv.reg);
	return err;
}
