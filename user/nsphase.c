// SPDX-License-Identifier: GPL-2.0
/*
 * nodestage model, second half: an operation's phases (from its tools' runs)
 * and the partition of each phase's wall time into kernel / network / target /
 * user / wait (DESIGN.md section 4), by a sweep over the actors' off-CPU
 * intervals, the wire time of its I/Os and exchanges, and helper threads.
 */
#include "nsmodel_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the partition ------------------------------------------------------------------- */

enum sweep_kind {
	SW_ALIVE,   /* an actor thread exists */
	SW_OFF,	    /* an actor thread is off CPU */
	SW_PREEMPT, /* ... runnable */
	SW_TIMER,   /* ... asleep until its own timer */
	SW_NET,
	SW_TGT,
	SW_HELPER, /* a helper thread on CPU */
	SW__NR,
};

struct sweep_pt {
	uint64_t t;
	int kind, delta;
	const struct off *off; /* SW_OFF start: its stacks */
};

struct sweep {
	struct sweep_pt *p;
	size_t n, cap;
};

static void sw_add(struct sweep *s, uint64_t a, uint64_t b, int kind, const struct off *o)
{
	if (b <= a)
		return;
	if (s->n + 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct sweep_pt *np = realloc(s->p, cap * sizeof(*np));

		if (!np)
			return;
		s->p = np;
		s->cap = cap;
	}
	s->p[s->n++] = (struct sweep_pt){ a, kind, +1, o };
	s->p[s->n++] = (struct sweep_pt){ b, kind, -1, NULL };
}

static int by_time(const void *a, const void *b)
{
	const struct sweep_pt *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->delta - y->delta; /* ends before starts at the same instant */
}

/* Is @pid the actor of a phase run by @tool (the tool and its children), or the root? */
static bool in_actor(struct nsm *m, pid_t pid, pid_t tool, pid_t root)
{
	struct proc *p = pid == root ? NULL : nsm_proc_find(m, pid);

	if (!tool) /* the plugin: its root and its own helper shells */
		return pid == root || (p && p->root == root && p->transparent && !p->tool);
	return pid == tool || (p && p->tool == tool);
}

static uint64_t clampu(uint64_t v, uint64_t a, uint64_t b)
{
	return v < a ? a : v > b ? b : v;
}

static void add_actor(struct nsm *m, struct sweep *s, const struct opx *x, pid_t tool, uint64_t a,
		      uint64_t b)
{
	size_t i;

	for (i = 0; i < m->thrs.n; i++) {
		const struct thr *th = VEC_AT(&m->thrs, struct thr, i);

		if (in_actor(m, th->pid, tool, x->op.root))
			sw_add(s, clampu(th->a, a, b), clampu(th->b, a, b), SW_ALIVE, NULL);
	}
	for (i = 0; i < m->offs.n; i++) {
		const struct off *o = VEC_AT(&m->offs, struct off, i);
		uint64_t oa = clampu(o->a, a, b), ob = clampu(o->b, a, b);

		if (o->root == 0 || !in_actor(m, o->pid, tool, x->op.root))
			continue;
		sw_add(s, oa, ob, SW_OFF, o);
		if (o->flags & NSM_OFF_PREEMPT)
			sw_add(s, oa, ob, SW_PREEMPT, NULL);
		if (o->flags & NSM_OFF_TIMER)
			sw_add(s, oa, ob, SW_TIMER, NULL);
	}
}

static bool wire_for(const struct wire *w, const struct nsm_op *op)
{
	if (w->volume[0])
		return !strcmp(w->volume, op->volume);
	return !w->proto[0] || !op->proto[0] || !strcmp(w->proto, op->proto);
}

/* Wire time as network at both ends and target in the middle. */
static void add_wire(struct nsm *m, struct sweep *s, const struct opx *x, uint64_t a, uint64_t b)
{
	size_t i;

	for (i = 0; i < m->wires.n; i++) {
		const struct wire *w = VEC_AT(&m->wires, struct wire, i);
		uint64_t h = w->net / 2;

		if (!wire_for(w, &x->op) || w->b <= a || w->a >= b)
			continue;
		sw_add(s, clampu(w->a, a, b), clampu(w->a + h, a, b), SW_NET, NULL);
		sw_add(s, clampu(w->a + h, a, b), clampu(w->b - (w->net - h), a, b), SW_TGT, NULL);
		sw_add(s, clampu(w->b - (w->net - h), a, b), clampu(w->b, a, b), SW_NET, NULL);
	}
}

/* Helper threads on CPU: between their off-CPU intervals. */
static void add_helpers(struct nsm *m, struct sweep *s, uint64_t a, uint64_t b)
{
	size_t i, j;

	for (i = 0; i < m->offs.n; i++) {
		const struct off *o = VEC_AT(&m->offs, struct off, i), *next = NULL;

		if (o->root != 0 || o->b >= b || o->b < a)
			continue;
		for (j = i + 1; j < m->offs.n; j++) {
			const struct off *c = VEC_AT(&m->offs, struct off, j);

			if (c->tid == o->tid && c->a >= o->b) {
				next = c;
				break;
			}
		}
		if (next)
			sw_add(s, clampu(o->b, a, b), clampu(next->a, a, b), SW_HELPER, NULL);
	}
}

/* User share of the actor's CPU time: samples, else utime/stime, else all user. */
static double user_share(struct nsm *m, const struct opx *x, pid_t tool, uint64_t a, uint64_t b)
{
	uint64_t u = 0, k = 0;
	struct proc *p;
	size_t i;

	for (i = 0; i < m->smps.n; i++) {
		const struct smp *s = VEC_AT(&m->smps, struct smp, i);

		if (s->t >= a && s->t < b && in_actor(m, s->pid, tool, x->op.root)) {
			u += s->user;
			k += !s->user;
		}
	}
	if (u + k >= 4)
		return (double)u / (double)(u + k);
	p = tool ? nsm_proc_find(m, tool) : NULL;
	if (p && p->utime + p->stime)
		return (double)p->utime / (double)(p->utime + p->stime);
	return 1.0;
}

/* The samples of the actor closest to @t within 20 ms: its stacks for on-CPU time. */
static const struct smp *near_sample(struct nsm *m, const struct opx *x, pid_t tool, uint64_t t)
{
	const struct smp *best = NULL;
	uint64_t bd = 20 * MS;
	size_t i;

	for (i = 0; i < m->smps.n; i++) {
		const struct smp *s = VEC_AT(&m->smps, struct smp, i);
		uint64_t d = s->t > t ? s->t - t : t - s->t;

		if (d < bd && in_actor(m, s->pid, tool, x->op.root)) {
			bd = d;
			best = s;
		}
	}
	return best;
}

struct seg_ctx {
	struct nsm *m;
	const struct opx *x;
	const struct nsm_phase *ph;
	pid_t tool;
	double ushare;
};

static void emit_fold(struct seg_ctx *c, enum nsm_cat cat, uint64_t ns, const struct off *blocked,
		      uint64_t mid)
{
	const char *fr[300];
	char vol[80];
	int n = 0;

	if (!c->m->o.fold || ns < 1000)
		return;
	snprintf(vol, sizeof(vol), "%s", c->x->op.volume[0] ? c->x->op.volume : "unknown");
	fr[n++] = "nodestage";
	fr[n++] = vol;
	fr[n++] = c->ph->name;
	fr[n++] = c->ph->comm;
	if (c->m->o.frames) {
		if (blocked) {
			n += c->m->o.frames(c->m->o.ctx, blocked->pid, blocked->ustack,
					    blocked->kstack, -1, fr + n, 290 - n);
		} else if (cat == NSM_USER || cat == NSM_KERNEL) {
			const struct smp *s = near_sample(c->m, c->x, c->tool, mid);

			if (s)
				n += c->m->o.frames(c->m->o.ctx, s->pid, s->ustack, 0, s->kstack,
						    fr + n, 290 - n);
		}
	}
	fr[n++] = cat == NSM_KERNEL    ? "[kernel]"
		  : cat == NSM_NETWORK ? "[network]"
		  : cat == NSM_TARGET  ? "[target]"
		  : cat == NSM_USER    ? "[user]"
				       : "[wait]";
	c->m->o.fold(c->m->o.ctx, &c->x->op, fr, n, ns / 1000);
}

/* Classify one elementary segment from the sweep counters. */
static void classify(struct seg_ctx *c, const int *cnt, uint64_t ns, const struct off *blocked,
		     uint64_t mid, struct nsm_phase *ph)
{
	enum nsm_cat cat;

	if (cnt[SW_ALIVE] > cnt[SW_OFF]) {
		uint64_t u = (uint64_t)((double)ns * c->ushare + 0.5);

		ph->cat[NSM_USER] += u;
		ph->cat[NSM_KERNEL] += ns - u;
		emit_fold(c, NSM_USER, u, NULL, mid);
		emit_fold(c, NSM_KERNEL, ns - u, NULL, mid);
		return;
	}
	if (cnt[SW_PREEMPT] > 0)
		cat = NSM_KERNEL;
	else if (cnt[SW_TGT] > 0)
		cat = NSM_TARGET;
	else if (cnt[SW_NET] > 0)
		cat = NSM_NETWORK;
	else if (cnt[SW_HELPER] > 0)
		cat = NSM_USER;
	else if (cnt[SW_TIMER] > 0)
		cat = NSM_WAIT;
	else
		cat = NSM_KERNEL;
	ph->cat[cat] += ns;
	emit_fold(c, cat, ns, blocked, mid);
}

static void partition(struct nsm *m, const struct opx *x, pid_t tool, struct nsm_phase *ph)
{
	struct seg_ctx c = { m, x, ph, tool, 0 };
	struct sweep s = { 0 };
	const struct off *blocked = NULL;
	int cnt[SW__NR] = { 0 };
	uint64_t prev = ph->start;
	size_t i;

	if (ph->end <= ph->start)
		return;
	add_actor(m, &s, x, tool, ph->start, ph->end);
	add_wire(m, &s, x, ph->start, ph->end);
	add_helpers(m, &s, ph->start, ph->end);
	c.ushare = user_share(m, x, tool, ph->start, ph->end);
	qsort(s.p, s.n, sizeof(*s.p), by_time);
	for (i = 0; i <= s.n; i++) {
		uint64_t t = i < s.n ? s.p[i].t : ph->end;

		if (t > prev) {
			classify(&c, cnt, t - prev, cnt[SW_OFF] > 0 ? blocked : NULL,
				 prev + (t - prev) / 2, ph);
			prev = t;
		}
		if (i == s.n)
			break;
		cnt[s.p[i].kind] += s.p[i].delta;
		if (s.p[i].kind == SW_OFF && s.p[i].delta > 0)
			blocked = s.p[i].off;
	}
	free(s.p);
}

/* ---- phases -------------------------------------------------------------------------- */

static bool is_setup_phase(const char *name)
{
	return !strcmp(name, "login") || !strcmp(name, "connect") || !strcmp(name, "discovery") ||
	       !strcmp(name, "device-wait");
}

static int by_start(const void *a, const void *b)
{
	const struct rawph *x = a, *y = b;

	return x->a < y->a ? -1 : x->a > y->a ? 1 : 0;
}

static struct nsm_phase *push_phase(struct nsm_op *op, int *cap)
{
	if (op->nphases == *cap) {
		int ncap = *cap ? *cap * 2 : 8;
		struct nsm_phase *np = realloc(op->phases, (size_t)ncap * sizeof(*np));

		if (!np)
			return NULL;
		op->phases = np;
		*cap = ncap;
	}
	memset(&op->phases[op->nphases], 0, sizeof(op->phases[0]));
	return &op->phases[op->nphases++];
}

/*
 * Labels for the tool runs: a known step keeps its name; a helper tool (grep,
 * sed, ...) joins the step before it (or after it, at the start); a check once
 * another step has begun (`iscsiadm -m session` inside a login) is part of that
 * step: checking is a phase only before anything else.
 */
static void label_runs(struct opx *x)
{
	const char *prev = NULL;
	bool started = false;
	size_t i;

	for (i = 0; i < x->ph.n; i++) {
		struct rawph *r = VEC_AT(&x->ph, struct rawph, i);

		if (r->known && !(started && !strcmp(r->name, "check")))
			prev = r->name;
		started |= r->known && strcmp(r->name, "check");
		snprintf(r->label, sizeof(r->label), "%s", prev ? prev : "");
	}
	for (i = x->ph.n; i-- > 0;) {
		struct rawph *r = VEC_AT(&x->ph, struct rawph, i);

		if (r->known)
			prev = r->name;
		if (!r->label[0])
			snprintf(r->label, sizeof(r->label), "%s", prev ? prev : r->name);
	}
}

/*
 * Phases in order: runs with the same label merged (with the time between
 * them); the time between two different steps belongs to the next one (the
 * plugin is preparing it), except after a login/connect, where the wait for the
 * device is its own phase. Each phase's actor goes to @actors (0: the plugin).
 */
static void build_phases(struct opx *x, pid_t *actors, int max)
{
	struct nsm_op *op = &x->op;
	struct nsm_phase *last = NULL;
	uint64_t longest = 0;
	int cap = 0;
	size_t i;

	qsort(x->ph.v, x->ph.n, sizeof(struct rawph), by_start);
	label_runs(x);
	if (getenv("ST_NSM_DEBUG"))
		for (i = 0; i < x->ph.n; i++) {
			struct rawph *r = VEC_AT(&x->ph, struct rawph, i);

			fprintf(stderr, "run %d %-12s %-12s %-12s %.3f..%.3f%s\n", r->pid, r->comm,
				r->name, r->label, r->a / 1e9, r->b / 1e9, r->open ? " open" : "");
		}
	for (i = 0; i < x->ph.n && op->nphases < max; i++) {
		struct rawph *r = VEC_AT(&x->ph, struct rawph, i);
		uint64_t b = r->open || r->b > op->end ? op->end : r->b;

		/* A tool left running in the background ends its phase at the next tool. */
		if (i + 1 < x->ph.n && VEC_AT(&x->ph, struct rawph, i + 1)->a < b)
			b = VEC_AT(&x->ph, struct rawph, i + 1)->a;
		if (r->a >= op->end)
			break;
		if (b < r->a)
			b = r->a;
		if (last && !strcmp(last->name, r->label)) {
			last->end = b > last->end ? b : last->end;
			actors[op->nphases - 1] = -1; /* several tools: cut per tool */
			/* Named after its longest tool run. */
			if (b - r->a > longest) {
				longest = b - r->a;
				snprintf(last->comm, sizeof(last->comm), "%s", r->comm);
			}
			continue;
		}
		if (last && !strcmp(last->name, "device-wait") && r->a > last->end)
			last->end = r->a; /* the wait lasts until the next step starts */
		if (last && r->a > last->end && is_setup_phase(last->name) &&
		    strcmp(r->label, "device-wait") && !is_setup_phase(r->label)) {
			struct nsm_phase *g = push_phase(op, &cap);

			if (!g)
				break;
			snprintf(g->name, sizeof(g->name), "device-wait");
			snprintf(g->comm, sizeof(g->comm), "%s", op->root_comm);
			g->start = last->end;
			g->end = r->a;
			actors[op->nphases - 1] = 0;
			last = g;
		}
		if (!(last = push_phase(op, &cap)))
			break;
		snprintf(last->name, sizeof(last->name), "%s", r->label);
		snprintf(last->comm, sizeof(last->comm), "%s", r->comm);
		longest = b - r->a;
		last->start = op->nphases > 1 ? op->phases[op->nphases - 2].end : r->a;
		last->end = b;
		actors[op->nphases - 1] = r->pid;
	}
	if (op->nphases) {
		op->start = op->phases[0].start;
		if (op->phases[op->nphases - 1].end < op->end && !x->call)
			op->end = op->phases[op->nphases - 1].end;
		else
			op->phases[op->nphases - 1].end = op->end;
	}
}

static void add_phase_io(struct nsm *m, const struct opx *x, struct nsm_phase *ph)
{
	size_t i;

	for (i = 0; i < m->wires.n; i++) {
		const struct wire *w = VEC_AT(&m->wires, struct wire, i);

		if (!wire_for(w, &x->op) || w->a < ph->start || w->a >= ph->end)
			continue;
		if (w->xchg) {
			ph->exchanges++;
			continue;
		}
		ph->ios++;
		ph->io_bytes[w->op_type] += w->bytes;
	}
}

/* Partition [a, b) of @ph with @actor (0: the plugin) and add it to @ph's categories. */
static void add_part(struct nsm *m, struct opx *x, struct nsm_phase *ph, pid_t actor,
		     const char *comm, uint64_t a, uint64_t b)
{
	struct nsm_phase part = *ph;
	int c;

	memset(part.cat, 0, sizeof(part.cat));
	snprintf(part.comm, sizeof(part.comm), "%s", comm);
	part.start = a;
	part.end = b;
	partition(m, x, actor, &part);
	for (c = 0; c < NSM_CAT_NR; c++)
		ph->cat[c] += part.cat[c];
}

/*
 * Merged phases run several tools: their actor is each tool in its own time;
 * the gaps between them, and after the last, belong to the plugin.
 */
static void partition_phase(struct nsm *m, struct opx *x, struct nsm_phase *ph, pid_t actor)
{
	uint64_t t = ph->start;
	size_t i;

	add_phase_io(m, x, ph); /* one pass over the whole phase; parts only split the time */
	if (!actor) {
		partition(m, x, 0, ph);
		return;
	}
	memset(ph->cat, 0, sizeof(ph->cat));
	for (i = 0; i < x->ph.n; i++) {
		struct rawph *r = VEC_AT(&x->ph, struct rawph, i);
		uint64_t ra = r->a, rb = r->open ? x->op.end : r->b;

		if (strcmp(r->label, ph->name) || rb <= ph->start || ra >= ph->end)
			continue;
		ra = clampu(ra, ph->start, ph->end);
		rb = clampu(rb, ph->start, ph->end);
		if (rb <= t)
			continue; /* inside a run already counted (a pipeline) */
		if (ra < t)
			ra = t;
		if (ra > t)
			add_part(m, x, ph, 0, x->op.root_comm, t, ra);
		add_part(m, x, ph, r->pid, r->comm, ra, rb);
		t = rb;
	}
	if (t < ph->end)
		add_part(m, x, ph, 0, x->op.root_comm, t, ph->end);
}

void nsm_finish_op(struct nsm *m, struct opx *x)
{
	pid_t actors[64];
	int i, c;

	if (!x->op.end)
		x->op.end = x->last_activity;
	build_phases(x, actors, 64);
	for (i = 0; i < x->op.nphases; i++) {
		partition_phase(m, x, &x->op.phases[i], actors[i]);
		for (c = 0; c < NSM_CAT_NR; c++)
			x->op.cat[c] += x->op.phases[i].cat[c];
	}
	x->finished = true;
	if (m->o.done)
		m->o.done(m->o.ctx, &x->op);
}
