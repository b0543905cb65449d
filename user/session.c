// SPDX-License-Identifier: GPL-2.0
#include "session.h"
#include "stacks.h"
#include "util.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int st_session_init(struct st_session *s, const struct st_common *c)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->c = c;
	s->stats_fd = -1;
	s->child.go_fd = s->child.err_fd = -1;
	st_libbpf_setup(c->verbose);
	st_set_verbosity(c->verbose);
	err = st_tracing_preflight(&s->feat);
	if (err)
		return err;
	st_signals_install();
	if (c->cmd_argv) {
		err = st_child_spawn(&s->child, c->cmd_argv);
		if (err)
			return err;
	}
	return 0;
}

struct bpf_object *st_session_obj(const struct st_session *s)
{
	return s->loader.skel ? s->loader.spec->obj(s->loader.skel) : NULL;
}

/* Upper bound of one map's memory: entries times key, value and element overhead. */
static uint64_t map_bytes(const struct bpf_map *m, int ncpu)
{
	uint64_t n = bpf_map__max_entries(m), k = bpf_map__key_size(m), v = bpf_map__value_size(m);

	switch (bpf_map__type(m)) {
	case BPF_MAP_TYPE_RINGBUF:
		return n;
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		return n * (k + v * (uint64_t)ncpu + 48);
	case BPF_MAP_TYPE_TASK_STORAGE:
		return 0; /* per task, freed with the task */
	default:
		return n * (k + v + 48);
	}
}

/* Upper bound of all maps' memory; the largest map and its share in big and bmax. */
static uint64_t maps_total(const struct st_session *s, int *nmaps, const struct bpf_map **big,
			   uint64_t *bmax)
{
	struct bpf_object *obj = st_session_obj(s);
	int ncpu = libbpf_num_possible_cpus();
	const struct bpf_map *m;
	uint64_t total = 0;

	*nmaps = 0;
	*big = NULL;
	*bmax = 0;
	if (!obj)
		return 0;
	bpf_object__for_each_map (m, obj) {
		uint64_t b = map_bytes(m, ncpu);

		total += b;
		(*nmaps)++;
		if (b > *bmax) {
			*bmax = b;
			*big = m;
		}
	}
	return total;
}

uint64_t st_session_map_bytes(const struct st_session *s)
{
	const struct bpf_map *big;
	uint64_t bmax;
	int n;

	return maps_total(s, &n, &big, &bmax);
}

/* -v: the bounds every map was created with, and their memory. */
static void print_limits(const struct st_session *s)
{
	const struct bpf_map *big;
	uint64_t bmax, total;
	int n;

	total = maps_total(s, &n, &big, &bmax);
	fprintf(stderr, "scaletrace %s: limits: %d maps, at most %.1f MiB of map memory",
		st_cmdname(), n, (double)total / (1 << 20));
	if (big)
		fprintf(stderr, " (largest: %s, %u entries, %.1f MiB)", bpf_map__name(big),
			bpf_map__max_entries(big), (double)bmax / (1 << 20));
	fputc('\n', stderr);
}

int st_session_start(struct st_session *s, const struct st_loader *l)
{
	int err;

	s->loader = *l;
	s->loader.tree = s->c->cmd_argv != NULL;
	s->loader.max_stacks = s->c->max_stacks;
	err = st_loader_run(&s->loader, &s->feat);
	if (err)
		goto fail;
	if (st_verbosity() >= 1) {
		fprintf(stderr, "scaletrace %s: attach variants:\n", st_cmdname());
		st_loader_describe(&s->loader, stderr);
		print_limits(s);
	}
	err = st_filters_after_load(st_session_obj(s), s->c, s->child.pid);
	if (err)
		goto fail;
	s->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	s->start_ns = s->last_check_ns = st_now_ns();
	return 0;
fail:
	st_child_abort(&s->child);
	return err;
}

int st_session_release(struct st_session *s)
{
	int err;

	if (s->child.pid <= 0 || s->child.go_fd < 0)
		return 0;
	err = st_child_release(&s->child);
	if (err)
		s->exit_status = 127;
	return err;
}

int st_session_add_ringbuf(struct st_session *s, const char *map_name, ring_buffer_sample_fn fn,
			   void *ctx)
{
	struct bpf_map *m = bpf_object__find_map_by_name(st_session_obj(s), map_name);
	int err;

	if (!m)
		return -ENOENT;
	if (!s->rb) {
		s->rb = ring_buffer__new(bpf_map__fd(m), fn, ctx, NULL);
		if (!s->rb) {
			err = -errno;
			st_err("cannot open ring buffer %s: %s", map_name, strerror(-err));
			return err;
		}
		return 0;
	}
	err = ring_buffer__add(s->rb, bpf_map__fd(m), fn, ctx);
	if (err)
		st_err("cannot add ring buffer %s: %s", map_name, strerror(-err));
	return err;
}

int st_session_watch_procs(struct st_session *s, struct st_stacks *st)
{
	struct bpf_map *m = bpf_object__find_map_by_name(st_session_obj(s), "st_events");
	int err;

	if (!m)
		return -ENOENT;
	err = st_stacks__watch(st, bpf_map__fd(m));
	if (!err)
		s->watched = st;
	return err;
}

static void stop_watch(struct st_session *s, bool drain)
{
	if (s->watched)
		st_stacks__unwatch(s->watched, drain);
	s->watched = NULL;
}

void st_session_drain(struct st_session *s)
{
	if (s->rb)
		ring_buffer__consume(s->rb);
	stop_watch(s, true);
}

/* The kernel's info on a loaded program (run time and count with bpf_stats on). */
static bool prog_info(const struct bpf_program *p, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);
	int fd = bpf_program__fd(p);

	memset(info, 0, sizeof(*info));
	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, info, &len);
}

int st_session_costs(const struct st_session *s, struct st_bpf_cost *out, int max)
{
	struct bpf_object *obj = st_session_obj(s);
	struct bpf_program *p;
	int n = 0;

	if (!obj)
		return 0;
	bpf_object__for_each_program (p, obj) {
		struct bpf_prog_info info;

		if (n >= max || !prog_info(p, &info))
			continue;
		snprintf(out[n].name, sizeof(out[n].name), "%s", bpf_program__name(p));
		out[n].run_ns = info.run_time_ns;
		out[n].run_cnt = info.run_cnt;
		n++;
	}
	return n;
}

static uint64_t total_run_ns(const struct st_session *s)
{
	struct st_bpf_cost c[64];
	uint64_t sum = 0;
	int i, n = st_session_costs(s, c, 64);

	for (i = 0; i < n; i++)
		sum += c[i].run_ns;
	return sum;
}

static uint64_t prog_run_ns(const struct bpf_program *p)
{
	struct bpf_prog_info info;

	return p && prog_info(p, &info) ? info.run_time_ns : 0;
}

/* Does program @p match @pat ("name", or "prefix*")? */
static bool match_one(const char *pat, const struct bpf_program *p)
{
	size_t len = strlen(pat);

	return len && pat[len - 1] == '*' ? !strncmp(pat, bpf_program__name(p), len - 1)
					  : !strcmp(pat, bpf_program__name(p));
}

/* ... one of @pats, NULL-terminated? */
static bool matches(const char *const *pats, const struct bpf_program *p)
{
	const char *const *n;

	for (n = pats; n && *n; n++)
		if (match_one(*n, p))
			return true;
	return false;
}

static bool is_pausable(const struct st_session *s, const struct bpf_program *p)
{
	return s->ops && matches(s->ops->pausable, p);
}

static void budget_step(struct st_session *s, double pct, const char *what)
{
	s->degrade_level++;
	st_warn("BPF CPU use %.2f%% of one CPU is over the %.2f%% budget: %s", pct,
		s->c->overhead_budget_pct, what);
	if (s->ndegrade < (int)ARRAY_SIZE(s->degrade_log))
		snprintf(s->degrade_log[s->ndegrade++], sizeof(s->degrade_log[0]), "%s", what);
}

/*
 * Program @lead was just paused: pause the programs that serve only it
 * (ops->with). Returns what they cost over the last window (@d).
 */
static double pause_with(struct st_session *s, int lead, const uint64_t *d, int n, double pct)
{
	struct st_links *ls = &s->loader.links;
	double saved = 0;
	int i;

	if (!s->ops || !s->ops->with || !s->ops->with[0] ||
	    !match_one(s->ops->with[0], ls->p[lead]))
		return 0;
	for (i = 0; i < n; i++) {
		char what[128];

		if (!ls->l[i] || !matches(s->ops->with + 1, ls->p[i]))
			continue;
		bpf_link__destroy(ls->l[i]);
		ls->l[i] = NULL;
		snprintf(what, sizeof(what), "probe %s paused with %s", bpf_program__name(ls->p[i]),
			 bpf_program__name(ls->p[lead]));
		budget_step(s, pct, what);
		saved += (double)d[i];
	}
	return saved;
}

/*
 * The last step: detach pausable programs (they stay loaded; their links go),
 * the costliest over the last window first, until what they cost covers
 * @over_ns (at most @max of them). Also keeps every link's run time, so call
 * it at every check. Returns how many were paused.
 */
static int pause_costliest(struct st_session *s, double window_ns, double over_ns, int max,
			   double pct)
{
	struct st_links *ls = &s->loader.links;
	uint64_t d[ARRAY_SIZE(s->link_run_ns)] = { 0 };
	int i, n = ls->n < (int)ARRAY_SIZE(d) ? ls->n : (int)ARRAY_SIZE(d), paused = 0;

	for (i = 0; i < n; i++) {
		uint64_t now;

		if (!ls->l[i])
			continue;
		now = prog_run_ns(ls->p[i]);
		d[i] = now - s->link_run_ns[i];
		s->link_run_ns[i] = now;
	}
	while (paused < max && over_ns > 0) {
		char what[128];
		int best = -1;

		for (i = 0; i < n; i++)
			if (ls->l[i] && d[i] && is_pausable(s, ls->p[i]) &&
			    (best < 0 || d[i] > d[best]))
				best = i;
		/* Pausing what costs next to nothing would lose data and save nothing. */
		if (best < 0 ||
		    100.0 * (double)d[best] / window_ns < s->c->overhead_budget_pct / 10)
			break;
		bpf_link__destroy(ls->l[best]);
		ls->l[best] = NULL;
		snprintf(what, sizeof(what), "probe %s paused (%.2f%% of one CPU)",
			 bpf_program__name(ls->p[best]), 100.0 * (double)d[best] / window_ns);
		budget_step(s, pct, what);
		over_ns -= (double)d[best];
		paused++;
		over_ns -= pause_with(s, best, d, n, pct);
	}
	return paused;
}

/*
 * The overhead budget, checked from the kernel's own BPF run-time statistics
 * over one-second windows, or over a quarter of a second when BPF already
 * used BUDGET_STORM times the budget there (a context-switch storm should not
 * run at full cost for seconds). Above budget, the tracer degrades: its
 * degrade hook goes first (sampling, then stack capture, as each tracer
 * allows), one step per fourfold excess (up to three at once); when it has
 * nothing left, pausable probes are detached, the costliest first, as many as
 * the excess of the window needs.
 */
#define BUDGET_WINDOW_NS NSEC_PER_SEC
#define BUDGET_FAST_NS	 (NSEC_PER_SEC / 4)
#define BUDGET_STORM	 4

static int check_budget(struct st_session *s)
{
	uint64_t now = st_now_ns(), run, window;
	double pct, excess, over;
	int steps = 0, want = 1;
	char what[128] = "";

	if (s->stats_fd < 0 || now - s->last_check_ns < BUDGET_FAST_NS)
		return 0;
	run = total_run_ns(s);
	window = now - s->last_check_ns;
	pct = 100.0 * (double)(run - s->last_run_ns) / (double)window;
	if (window < BUDGET_WINDOW_NS &&
	    !(s->ops && pct > BUDGET_STORM * s->c->overhead_budget_pct))
		return 0; /* a short window decides only a storm */
	s->last_run_ns = run;
	s->last_check_ns = now;
	if (pct > s->max_cpu_pct)
		s->max_cpu_pct = pct;
	if (!(pct > s->c->overhead_budget_pct && s->ops)) {
		pause_costliest(s, (double)window, 0, 0, pct);
		return 0;
	}
	for (excess = pct / s->c->overhead_budget_pct; excess > 4 && want < 3; excess /= 4)
		want++;
	while (steps < want && s->ops->degrade &&
	       s->ops->degrade(s, s->ops_ctx, s->degrade_level + 1, what, sizeof(what)) > 0) {
		budget_step(s, pct, what);
		steps++;
	}
	/*
	 * The hook has nothing left for this excess: pause probes now, as many as
	 * cover it; one only if a hook step of this check may have covered some.
	 */
	over = (pct - s->c->overhead_budget_pct) / 100.0 * (double)window;
	pause_costliest(s, (double)window, steps < want ? over : 0, steps ? 1 : 8, pct);
	return 0;
}

static int session_tick(void *ctx)
{
	struct st_session *s = ctx;

	/* Like perf record -p: tracing one process ends when it does. */
	if (s->c->pid && kill(s->c->pid, 0) && errno == ESRCH) {
		st_info(1, "process %d exited", s->c->pid);
		st_request_exit();
		return 0;
	}
	check_budget(s);
	if (s->ops && s->ops->on_tick)
		return s->ops->on_tick(s->ops_ctx);
	return 0;
}

static int session_interval(void *ctx)
{
	struct st_session *s = ctx;

	return s->ops && s->ops->on_interval ? s->ops->on_interval(s->ops_ctx) : 0;
}

int st_session_run(struct st_session *s, const struct st_session_ops *ops, void *ctx)
{
	struct st_loop loop = {
		.rb = s->rb,
		.duration_ns = s->c->duration_ns,
		.interval_ns = s->c->interval_ns,
		.child = s->child.pid,
		.on_tick = session_tick,
		.on_interval = session_interval,
		.ctx = s,
	};
	int err;

	s->ops = ops;
	s->ops_ctx = ctx;
	/* Scripts wait for this line: everything is attached from here on. */
	if (s->c->cmd_argv)
		st_info(1, "tracing %s (pid %d) and its descendants", s->c->cmd_argv[0],
			s->child.pid);
	else if (s->c->duration_ns)
		fprintf(stderr, "Tracing for %.1f s... Hit Ctrl-C to end early.\n",
			(double)s->c->duration_ns / 1e9);
	else
		fprintf(stderr, "Tracing... Hit Ctrl-C to end.\n");
	err = st_loop_run(&loop);
	s->end_ns = st_now_ns();
	if (loop.child_status >= 0) {
		s->exit_status = loop.child_status;
		s->child.pid = 0;
	}
	check_budget(s);
	return err;
}

int st_session_end(struct st_session *s, int err)
{
	if (s->child.pid > 0) {
		/* Interrupted before CMD ended: pass the signal on, then report its status. */
		int status = 0;

		kill(s->child.pid, SIGTERM);
		if (waitpid(s->child.pid, &status, 0) == s->child.pid)
			s->exit_status = st_child_exit_status(status);
		s->child.pid = 0;
	}
	stop_watch(s, false);
	ring_buffer__free(s->rb);
	s->rb = NULL;
	st_loader_destroy(&s->loader);
	if (s->stats_fd >= 0)
		close(s->stats_fd);
	s->stats_fd = -1;
	if (err)
		return s->c->cmd_argv && s->exit_status ? s->exit_status : 1;
	return s->c->cmd_argv ? s->exit_status : 0;
}
