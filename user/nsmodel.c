// SPDX-License-Identifier: GPL-2.0
#include "nsmodel_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cat_names[NSM_CAT_NR] = { "kernel", "network", "target", "user", "wait" };

const char *nsm_cat_name(enum nsm_cat c)
{
	return c < NSM_CAT_NR ? cat_names[c] : "?";
}

/* ---- growable arrays ---------------------------------------------------- */

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

struct proc *nsm_proc_find(struct nsm *m, pid_t pid)
{
	size_t i;

	for (i = m->procs.n; i-- > 0;)
		if (VEC_AT(&m->procs, struct proc, i)->pid == pid)
			return VEC_AT(&m->procs, struct proc, i);
	return NULL;
}

const char *nsm__comm(struct nsm *m, pid_t pid)
{
	struct proc *p = nsm_proc_find(m, pid);

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
		p = nsm_proc_find(m, e->pid);
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
	struct proc *p = nsm_proc_find(m, pid), *parent;
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
	parent = nsm_proc_find(m, ppid);
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
	if (nsm_proc_find(m, root))
		snprintf(root_comm, sizeof(root_comm), "%s", nsm_proc_find(m, root)->comm);
	attach_tool(m, p, root_comm, t);
}

void nsm__fork(struct nsm *m, uint64_t t, pid_t tid, pid_t tgid, pid_t ppid, pid_t root)
{
	struct proc *parent = nsm_proc_find(m, ppid), *p;

	thr_start(m, tid, tgid, t);
	if (tid != tgid || !parent || nsm_proc_find(m, tid))
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
	p = nsm_proc_find(m, pid);
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

static void off_set(struct off *o, pid_t pid, pid_t tid, pid_t root, uint64_t a, uint64_t b,
		    unsigned flags)
{
	o->pid = pid;
	o->tid = tid;
	o->root = root;
	o->a = a;
	o->b = b;
	o->flags = flags;
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
	off_set(o, pid, tid, root, t_off, UINT64_MAX, flags | (sleep_syscall ? NSM_OFF_TIMER : 0));
}

void nsm__off(struct nsm *m, pid_t pid, pid_t tid, pid_t root, uint64_t t_off, uint64_t t_on,
	      unsigned flags, uint64_t ustack, uint64_t kstack)
{
	struct off *o = open_off(m, tid, t_off);

	if (!o)
		o = vec_push(&m->offs);
	if (!o)
		return;
	off_set(o, pid, tid, root, t_off, t_on, flags);
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
		struct proc *p = nsm_proc_find(m, root);

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

uint64_t nsm__horizon(struct nsm *m, uint64_t now)
{
	return oldest_open(m, now);
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
			nsm_finish_op(m, x);
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
