// SPDX-License-Identifier: GPL-2.0
#include "nsmodel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000000ULL

static const char *const cat_names[NSM_CAT_NR] = { "kernel", "network", "target", "user", "wait" };

const char *nsm_cat_name(enum nsm_cat c)
{
	return c < NSM_CAT_NR ? cat_names[c] : "?";
}

/* ---- growable arrays ---------------------------------------------------- */

struct vec {
	void *v;
	size_t n, cap, elem;
};

static void *vec_push(struct vec *a)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		void *nv = realloc(a->v, cap * a->elem);

		if (!nv)
			return NULL;
		a->v = nv;
		a->cap = cap;
	}
	memset((char *)a->v + a->n * a->elem, 0, a->elem);
	return (char *)a->v + a->n++ * a->elem;
}

#define VEC_AT(a, type, i) (&((type *)(a)->v)[i])

/* Keep the elements for which @keep is true, in order. */
static void vec_filter(struct vec *a, bool (*keep)(const void *e, uint64_t arg), uint64_t arg)
{
	size_t i, out = 0;

	for (i = 0; i < a->n; i++) {
		char *e = (char *)a->v + i * a->elem;

		if (keep(e, arg)) {
			if (out != i)
				memcpy((char *)a->v + out * a->elem, e, a->elem);
			out++;
		}
	}
	a->n = out;
}

/* ---- model state ------------------------------------------------------------- */

struct proc {
	pid_t pid, ppid, root;
	uint64_t t_start, t_exit;
	char comm[16];
	struct csi_cmd cmd;
	int op;	    /* operation id, -1 none */
	pid_t tool; /* the first-level tool process it belongs to (itself for tools) */
	bool exited;
	bool forked; /* t_start is its fork (the driver starting the step), not yet exec'd */
	bool
	    transparent; /* a shell or plugin process: part of the plugin, its children are tools */
	bool attached;	 /* its run is a phase of operation op */
	int code;
	uint64_t utime, stime;
};

struct thr {
	pid_t tid, pid;
	uint64_t a, b; /* alive; b = UINT64_MAX while running */
};

struct off {
	pid_t pid, tid, root;
	uint64_t a, b;
	unsigned flags;
	uint64_t ustack, kstack;
};

struct smp {
	pid_t pid, tid;
	uint64_t t;
	bool user;
	uint64_t ustack;
	int64_t kstack;
};

struct wire {
	char volume[64];
	char proto[8];
	uint64_t a, b, net, bytes;
	int op_type;
	bool xchg;
};

struct rawph {
	pid_t pid;
	char name[32], comm[16];
	char label[32]; /* the phase it ends up in (build_phases) */
	uint64_t a, b;
	bool open, known;
};

struct opx {
	struct nsm_op op;
	uint64_t call_key; /* --uprobe call that is this operation */
	bool call;
	struct vec ph; /* struct rawph, in start order */
	uint64_t last_activity;
	bool ended; /* end known; finish after the grace period */
	bool finished;
};

/* A tool exec'd while its root had no operation: a later one may adopt it. */
struct pend {
	pid_t pid;
	uint64_t t; /* the exec */
};

struct nsm {
	struct nsm_opts o;
	struct vec procs, thrs, offs, smps, wires, ops, pending;
	int next_id;
	uint64_t last_prune;
};

struct nsm *nsm__new(const struct nsm_opts *o)
{
	struct nsm *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->o = *o;
	if (!m->o.idle_ns)
		m->o.idle_ns = 30000 * MS;
	if (!m->o.grace_ns)
		m->o.grace_ns = 300 * MS;
	m->procs.elem = sizeof(struct proc);
	m->thrs.elem = sizeof(struct thr);
	m->offs.elem = sizeof(struct off);
	m->smps.elem = sizeof(struct smp);
	m->wires.elem = sizeof(struct wire);
	m->ops.elem = sizeof(struct opx);
	m->pending.elem = sizeof(struct pend);
	m->next_id = 1;
	return m;
}

static void free_op(struct opx *x)
{
	free(x->ph.v);
	free(x->op.phases);
}

void nsm__free(struct nsm *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->ops.n; i++)
		free_op(VEC_AT(&m->ops, struct opx, i));
	free(m->procs.v);
	free(m->thrs.v);
	free(m->offs.v);
	free(m->smps.v);
	free(m->wires.v);
	free(m->ops.v);
	free(m->pending.v);
	free(m);
}

static struct proc *proc_find(struct nsm *m, pid_t pid)
{
	size_t i;

	for (i = m->procs.n; i-- > 0;)
		if (VEC_AT(&m->procs, struct proc, i)->pid == pid)
			return VEC_AT(&m->procs, struct proc, i);
	return NULL;
}

const char *nsm__comm(struct nsm *m, pid_t pid)
{
	struct proc *p = proc_find(m, pid);

	return p && p->comm[0] ? p->comm : NULL;
}

static struct opx *op_by_id(struct nsm *m, int id)
{
	size_t i;

	for (i = 0; i < m->ops.n; i++)
		if (VEC_AT(&m->ops, struct opx, i)->op.id == id)
			return VEC_AT(&m->ops, struct opx, i);
	return NULL;
}

int nsm__open_ops(const struct nsm *m)
{
	size_t i;
	int n = 0;

	for (i = 0; i < m->ops.n; i++)
		n += !((const struct opx *)m->ops.v)[i].finished;
	return n;
}

size_t nsm__buffered(const struct nsm *m)
{
	return m->offs.n + m->smps.n + m->wires.n + m->procs.n + m->thrs.n;
}

/* ---- operations: identity ------------------------------------------------------ */

static bool same(const char *a, const char *b)
{
	return a[0] && b[0] && !strcmp(a, b);
}

static bool op_matches(const struct nsm_op *op, const struct csi_cmd *c)
{
	return same(op->iqn, c->iqn) || same(op->nqn, c->nqn) || same(op->staging, c->staging) ||
	       same(op->nfs_export, c->nfs_export) || same(op->device, c->device);
}

/* Could @c be a later step of @op (it names nothing that contradicts it)? */
static bool op_accepts(const struct nsm_op *op, const struct csi_cmd *c)
{
	if ((op->iqn[0] && c->iqn[0]) || (op->nqn[0] && c->nqn[0]) ||
	    (op->staging[0] && c->staging[0]) || (op->nfs_export[0] && c->nfs_export[0]))
		return false;
	return !op->proto[0] || !c->proto[0] || !strcmp(op->proto, c->proto);
}

static void op_learn(struct nsm_op *op, const struct csi_cmd *c)
{
#define LEARN(f)                                                    \
	do {                                                        \
		if (!op->f[0] && c->f[0])                           \
			snprintf(op->f, sizeof(op->f), "%s", c->f); \
	} while (0)
	LEARN(iqn);
	LEARN(nqn);
	LEARN(staging);
	LEARN(nfs_export);
	LEARN(device);
	LEARN(proto);
#undef LEARN
	if (c->kind == CSI_UNSTAGE)
		op->kind = CSI_UNSTAGE;
	if (c->iqn[0] || c->nqn[0] || c->nfs_export[0] || !op->volume[0])
		csi_volume_name(c, op->volume, sizeof(op->volume));
}

static struct opx *op_new(struct nsm *m, pid_t root, const char *root_comm, uint64_t t)
{
	struct opx *x = vec_push(&m->ops);

	if (!x)
		return NULL;
	x->op.id = m->next_id++;
	x->op.root = root;
	snprintf(x->op.root_comm, sizeof(x->op.root_comm), "%s", root_comm);
	x->op.start = t;
	x->op.status = 0;
	x->ph.elem = sizeof(struct rawph);
	x->last_activity = t;
	return x;
}

/* The open operation of @root that @c belongs to, creating one if needed. */
static struct opx *op_for(struct nsm *m, pid_t root, const char *root_comm, const struct csi_cmd *c,
			  uint64_t t)
{
	struct opx *best = NULL;
	size_t i;

	for (i = 0; i < m->ops.n; i++) {
		struct opx *x = VEC_AT(&m->ops, struct opx, i);

		if (x->ended || x->op.root != root)
			continue;
		if (m->o.whole_tree || x->call || op_matches(&x->op, c))
			return x;
		if (op_accepts(&x->op, c) && (!best || x->op.start > best->op.start))
			best = x;
	}
	/* A new volume while an open operation already names another: a new one. */
	if (best && (c->names_volume || !c->proto[0] || best->op.proto[0]))
		return best;
	if (!c->names_volume && !m->o.whole_tree)
		return best;
	return op_new(m, root, root_comm, t);
}

/* ---- events ------------------------------------------------------------------------- */

static struct thr *thr_find(struct nsm *m, pid_t tid)
{
	size_t i;

	for (i = m->thrs.n; i-- > 0;)
		if (VEC_AT(&m->thrs, struct thr, i)->tid == tid)
			return VEC_AT(&m->thrs, struct thr, i);
	return NULL;
}

static void thr_start(struct nsm *m, pid_t tid, pid_t pid, uint64_t t)
{
	struct thr *th = thr_find(m, tid);

	if (th && th->b == UINT64_MAX) {
		th->pid = pid; /* exec keeps the task */
		return;
	}
	th = vec_push(&m->thrs);
	if (!th)
		return;
	th->tid = tid;
	th->pid = pid;
	th->a = t;
	th->b = UINT64_MAX;
}

static void phase_open(struct opx *x, const struct proc *p, uint64_t t)
{
	struct rawph *r = vec_push(&x->ph);

	if (!r)
		return;
	r->pid = p->pid;
	r->known = p->cmd.known;
	snprintf(r->name, sizeof(r->name), "%s", p->cmd.phase);
	snprintf(r->comm, sizeof(r->comm), "%s", p->comm);
	r->a = t;
	r->b = t;
	r->open = true;
}

/* Tool execs of a root that named no volume yet: kept for the next operation. */
static void adopt_pending(struct nsm *m, struct opx *x)
{
	size_t i;

	for (i = 0; i < m->pending.n; i++) {
		const struct pend *e = VEC_AT(&m->pending, struct pend, i);
		struct proc *p;

		/* Too old for the test below (a process starts by its exec), without a lookup. */
		if (e->t + 5000 * MS < x->op.start)
			continue;
		p = proc_find(m, e->pid);
		if (!p || p->root != x->op.root || p->attached || !p->cmd.known ||
		    x->op.start - p->t_start > 5000 * MS)
			continue;
		p->op = x->op.id;
		p->attached = true;
		phase_open(x, p, p->t_start);
		if (p->exited) {
			struct rawph *r = VEC_AT(&x->ph, struct rawph, x->ph.n - 1);

			r->b = p->t_exit;
			r->open = false;
		}
		if (p->t_start < x->op.start)
			x->op.start = p->t_start;
	}
	m->pending.n = 0;
}

static void attach_tool(struct nsm *m, struct proc *p, const char *root_comm, uint64_t t)
{
	struct opx *x = op_for(m, p->root, root_comm, &p->cmd, t);
	struct pend *pp;

	if (!x) {
		pp = vec_push(&m->pending);
		if (pp)
			*pp = (struct pend){ p->pid, t };
		return;
	}
	if (x->ph.n == 0)
		adopt_pending(m, x);
	p->op = x->op.id;
	p->attached = true;
	op_learn(&x->op, &p->cmd);
	phase_open(x, p, p->t_start < t ? p->t_start : t);
	x->last_activity = t;
}

/* Shells and processes of the plugin itself run steps; they are not steps. */
static bool is_transparent(const char *comm, const struct csi_cmd *cmd)
{
	static const char *const shells[] = { "sh", "bash", "dash", "ash", "zsh", "busybox" };
	size_t i;

	if (csi_name_matches(comm, "csi"))
		return true;
	for (i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
		if (!strcmp(cmd->tool, shells[i]) || !strcmp(comm, shells[i]))
			return true;
	return false;
}

void nsm__exec(struct nsm *m, uint64_t t, pid_t pid, pid_t ppid, pid_t root, const char *comm,
	       const struct csi_cmd *cmd)
{
	struct proc *p = proc_find(m, pid), *parent;
	char root_comm[16] = "";

	if (!p || p->exited) {
		p = vec_push(&m->procs);
		if (!p)
			return;
		p->pid = pid;
		p->op = -1;
	}
	p->ppid = ppid;
	p->root = root;
	/* A step starts when the plugin forks for it, not when the tool is loaded. */
	if (!p->forked)
		p->t_start = t;
	p->forked = false;
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	p->cmd = *cmd;
	thr_start(m, pid, pid, t);
	parent = proc_find(m, ppid);
	p->transparent = is_transparent(comm, cmd);
	if (pid != root && p->transparent && (!parent || !parent->tool || parent->transparent)) {
		p->tool = 0; /* the plugin's own helper shell: not a step */
		p->op = parent ? parent->op : -1;
		return;
	}
	if (pid == root) {
		p->tool = 0; /* the plugin itself */
		if (m->o.whole_tree && p->op < 0) {
			struct opx *x = op_new(m, root, comm, t);

			if (x)
				p->op = x->op.id;
		}
		return;
	}
	/* A child of a tool (mount -> mount.nfs) belongs to that tool's phase. */
	if (parent && parent->tool && parent->pid != root && !parent->transparent) {
		p->tool = parent->tool;
		p->op = parent->op;
		return;
	}
	p->tool = pid;
	if (p->attached) { /* exec after exec (a wrapper): refresh the phase */
		struct opx *x = op_by_id(m, p->op);

		if (x && x->ph.n) {
			struct rawph *r = VEC_AT(&x->ph, struct rawph, x->ph.n - 1);

			snprintf(r->name, sizeof(r->name), "%s", cmd->phase);
			snprintf(r->comm, sizeof(r->comm), "%s", comm);
			r->known = cmd->known;
			op_learn(&x->op, cmd);
		}
		return;
	}
	if (proc_find(m, root))
		snprintf(root_comm, sizeof(root_comm), "%s", proc_find(m, root)->comm);
	attach_tool(m, p, root_comm, t);
}

void nsm__fork(struct nsm *m, uint64_t t, pid_t tid, pid_t tgid, pid_t ppid, pid_t root)
{
	struct proc *parent = proc_find(m, ppid), *p;

	thr_start(m, tid, tgid, t);
	if (tid != tgid || !parent || proc_find(m, tid))
		return;
	p = vec_push(&m->procs);
	if (!p)
		return;
	*p = *parent;
	p->pid = tid;
	p->ppid = ppid;
	p->root = root;
	p->t_start = t;
	p->exited = false;
	p->forked = true;
	p->attached = false;
	/* A plain fork of the plugin is not a tool until it execs one. */
	if (parent->pid == root) {
		p->tool = 0;
		p->op = m->o.whole_tree ? parent->op : -1;
	}
}

static bool is_stage_end(const struct proc *p)
{
	return p->cmd.stage_mount ||
	       (p->cmd.kind == CSI_UNSTAGE && !strcmp(p->cmd.phase, "umount"));
}

void nsm__exit(struct nsm *m, uint64_t t, pid_t pid, pid_t tid, bool leader, int code,
	       uint64_t utime, uint64_t stime)
{
	struct thr *th = thr_find(m, tid);
	struct proc *p;
	struct opx *x;
	size_t i;

	if (th && th->b == UINT64_MAX)
		th->b = t;
	if (!leader)
		return;
	p = proc_find(m, pid);
	if (!p)
		return;
	p->exited = true;
	p->t_exit = t;
	p->code = code;
	p->utime = utime;
	p->stime = stime;
	x = p->op >= 0 ? op_by_id(m, p->op) : NULL;
	if (!x)
		return;
	x->last_activity = t;
	if (pid == x->op.root && !x->ended) {
		x->ended = true;
		x->op.end = t;
		x->op.complete = m->o.whole_tree;
		x->op.status = (code >> 8) & 0xff;
		return;
	}
	if (p->tool != pid)
		return;
	for (i = 0; i < x->ph.n; i++) {
		struct rawph *r = VEC_AT(&x->ph, struct rawph, i);

		if (r->pid == pid && r->open) {
			r->b = t;
			r->open = false;
		}
	}
	x->op.status = (code >> 8) & 0xff;
	if (!m->o.whole_tree && is_stage_end(p) && !x->ended) {
		x->ended = true;
		x->op.end = t;
		x->op.complete = x->op.status == 0;
	}
}

/* The open interval of @tid that began at @t_off, if announced. */
static struct off *open_off(struct nsm *m, pid_t tid, uint64_t t_off)
{
	size_t i;

	for (i = m->offs.n; i-- > 0;) {
		struct off *o = VEC_AT(&m->offs, struct off, i);

		if (o->tid == tid && o->b == UINT64_MAX)
			return o->a == t_off ? o : NULL;
	}
	return NULL;
}

void nsm__off_begin(struct nsm *m, pid_t pid, pid_t tid, pid_t root, uint64_t t_off, unsigned flags,
		    bool sleep_syscall)
{
	struct off *o;
	size_t i;

	/* A previous announcement that never closed (lost event): close it here. */
	for (i = m->offs.n; i-- > 0;) {
		o = VEC_AT(&m->offs, struct off, i);
		if (o->tid == tid) {
			if (o->b == UINT64_MAX)
				o->b = t_off;
			break;
		}
	}
	o = vec_push(&m->offs);
	if (!o)
		return;
	o->pid = pid;
	o->tid = tid;
	o->root = root;
	o->a = t_off;
	o->b = UINT64_MAX;
	o->flags = flags | (sleep_syscall ? NSM_OFF_TIMER : 0);
}

void nsm__off(struct nsm *m, pid_t pid, pid_t tid, pid_t root, uint64_t t_off, uint64_t t_on,
	      unsigned flags, uint64_t ustack, uint64_t kstack)
{
	struct off *o = open_off(m, tid, t_off);

	if (!o)
		o = vec_push(&m->offs);
	if (!o)
		return;
	o->pid = pid;
	o->tid = tid;
	o->root = root;
	o->a = t_off;
	o->b = t_on;
	o->flags = flags;
	o->ustack = ustack;
	o->kstack = kstack;
}

void nsm__sample(struct nsm *m, pid_t pid, pid_t tid, uint64_t t, bool user_mode, uint64_t ustack,
		 int64_t kstack)
{
	struct smp *s = vec_push(&m->smps);

	if (!s)
		return;
	s->pid = pid;
	s->tid = tid;
	s->t = t;
	s->user = user_mode;
	s->ustack = ustack;
	s->kstack = kstack;
}

void nsm__wire(struct nsm *m, const char *volume, const char *proto, uint64_t t_tx, uint64_t t_rx,
	       uint64_t network_ns, int op_type, uint64_t bytes, bool exchange)
{
	struct wire *w;

	if (t_rx <= t_tx)
		return;
	w = vec_push(&m->wires);
	if (!w)
		return;
	snprintf(w->volume, sizeof(w->volume), "%s", volume ? volume : "");
	snprintf(w->proto, sizeof(w->proto), "%s", proto ? proto : "");
	w->a = t_tx;
	w->b = t_rx;
	w->net = network_ns < t_rx - t_tx ? network_ns : t_rx - t_tx;
	w->op_type = op_type < 0 || op_type > 3 ? 3 : op_type;
	w->bytes = bytes;
	w->xchg = exchange;
}

void nsm__call(struct nsm *m, uint64_t t, pid_t root, const char *root_comm, uint64_t key,
	       bool begin)
{
	struct opx *x;
	size_t i;

	if (begin) {
		struct proc *p = proc_find(m, root);

		/* Go's stack growth re-enters a function at its entry: one call. */
		for (i = 0; i < m->ops.n; i++) {
			x = VEC_AT(&m->ops, struct opx, i);
			if (x->call && x->call_key == key && x->op.root == root && !x->ended)
				return;
		}
		x = op_new(m, root, root_comm && *root_comm ? root_comm : p ? p->comm : "", t);
		if (x) {
			x->call = true;
			x->call_key = key;
		}
		return;
	}
	for (i = 0; i < m->ops.n; i++) {
		x = VEC_AT(&m->ops, struct opx, i);
		if (x->call && x->call_key == key && x->op.root == root && !x->ended) {
			x->ended = true;
			x->op.end = t;
			x->op.complete = true;
			x->last_activity = t;
			return;
		}
	}
}

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
	struct proc *p = pid == root ? NULL : proc_find(m, pid);

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
	p = tool ? proc_find(m, tool) : NULL;
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

static void finish_op(struct nsm *m, struct opx *x)
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

/* ---- time ------------------------------------------------------------------------------ */

static bool tools_running(struct nsm *m, const struct opx *x)
{
	size_t i;

	for (i = 0; i < x->ph.n; i++)
		if (VEC_AT(&x->ph, struct rawph, i)->open)
			return true;
	(void)m;
	return false;
}

/* An unstaging whose logout/disconnect returned is done soon; anything else may
 * still be waiting for its device. */
static uint64_t idle_for(struct nsm *m, const struct opx *x)
{
	size_t i;

	if (x->op.kind != CSI_UNSTAGE)
		return m->o.idle_ns;
	for (i = 0; i < x->ph.n; i++) {
		const struct rawph *r = VEC_AT(&x->ph, struct rawph, i);

		if (!r->open && (!strcmp(r->name, "logout") || !strcmp(r->name, "disconnect")))
			return m->o.idle_ns < 2000 * MS ? m->o.idle_ns : 2000 * MS;
	}
	return m->o.idle_ns;
}

/*
 * What no operation can need any more ends here: before the start of the oldest
 * open one, and before LOOKBACK. A new operation adopts tools that started up to
 * 5 s before it (adopt_pending); events reach us well within the rest (the ring
 * buffer holds far less than a second of a storm). Everything older is forgotten,
 * so memory follows the rate of processes times LOOKBACK, not their number.
 */
#define LOOKBACK (10000 * MS)

static uint64_t oldest_open(struct nsm *m, uint64_t now)
{
	uint64_t t = now > LOOKBACK ? now - LOOKBACK : 0;
	size_t i;

	for (i = 0; i < m->ops.n; i++) {
		const struct opx *x = VEC_AT(&m->ops, struct opx, i);

		if (!x->finished && x->op.start < t)
			t = x->op.start;
	}
	return t;
}

static bool off_keep(const void *e, uint64_t t)
{
	return ((const struct off *)e)->b >= t;
}

static bool smp_keep(const void *e, uint64_t t)
{
	return ((const struct smp *)e)->t >= t;
}

static bool wire_keep(const void *e, uint64_t t)
{
	return ((const struct wire *)e)->b >= t;
}

static bool thr_keep(const void *e, uint64_t t)
{
	return ((const struct thr *)e)->b >= t;
}

static bool proc_keep(const void *e, uint64_t t)
{
	const struct proc *p = e;

	return !p->exited || p->t_exit >= t;
}

static bool pend_keep(const void *e, uint64_t t)
{
	return ((const struct pend *)e)->t >= t;
}

/* Bounded memory: forget what no open operation can still need. */
static void prune(struct nsm *m, uint64_t now)
{
	uint64_t t = oldest_open(m, now);
	size_t i, out = 0;

	vec_filter(&m->offs, off_keep, t);
	vec_filter(&m->smps, smp_keep, t);
	vec_filter(&m->wires, wire_keep, t);
	vec_filter(&m->thrs, thr_keep, t);
	vec_filter(&m->procs, proc_keep, t);
	vec_filter(&m->pending, pend_keep, t);
	m->last_prune = now;
	for (i = 0; i < m->ops.n; i++) {
		struct opx *x = VEC_AT(&m->ops, struct opx, i);

		if (x->finished) {
			free_op(x);
			continue;
		}
		*VEC_AT(&m->ops, struct opx, out++) = *x;
	}
	m->ops.n = out;
}

static void advance(struct nsm *m, uint64_t now, bool flush)
{
	size_t i;
	bool any = false;

	for (i = 0; i < m->ops.n; i++) {
		struct opx *x = VEC_AT(&m->ops, struct opx, i);

		if (x->finished)
			continue;
		if (!x->ended &&
		    (flush || (!tools_running(m, x) && now - x->last_activity >= idle_for(m, x)))) {
			x->ended = true;
			x->op.end = flush && tools_running(m, x) ? now : x->last_activity;
			x->op.complete = false;
		}
		if (x->ended && (flush || now >= x->op.end + m->o.grace_ns)) {
			finish_op(m, x);
			any = true;
		}
	}
	/* Also once a second: a storm of processes that are no operation's ends nothing. */
	if (any || m->offs.n + m->smps.n > 100000 || now - m->last_prune >= 1000 * MS)
		prune(m, now);
}

void nsm__tick(struct nsm *m, uint64_t now)
{
	advance(m, now, false);
}

void nsm__flush(struct nsm *m, uint64_t now)
{
	advance(m, now, true);
}
