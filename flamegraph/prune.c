// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming pruning: memory bounded by the frames that can still be drawn.
 *
 * A frame is drawn when its inclusive count reaches the minimum width, a
 * fraction of the final total. The total only grows while input streams in,
 * so a frame whose count is below that fraction of the total *so far* will
 * never be drawn, provided its count cannot grow any more. In input sorted by
 * byte order of the stack (what scaletrace, stackcollapse-*.pl and `LC_ALL=C
 * sort` write) that is known for every frame the stream has moved past: a
 * line L is past the frame with path S once L is greater than every stack
 * that starts with S. Such frames are "closed"; now and then (when the node
 * count doubles) closed subtrees under the threshold are dropped and their
 * count kept in the parent, names and nodes renumbered.
 *
 * Whether the input is sorted is checked line by line, not assumed. A line
 * out of order before anything was dropped just turns pruning off; after a
 * drop, the caller must read the input again without pruning (-ESTALE):
 * fg__read_folded rewinds a file, or replays its spool of a pipe. The SVG is
 * byte-identical either way.
 */
#include "fg_layout.h"
#include "fg_tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PRUNE_MIN_NODES 65536u

enum place {
	P_INSIDE, /* L starts with S: L is in S's subtree */
	P_CLOSED, /* L is past every stack that starts with S */
	P_OPEN,	  /* L is past S but stacks under S may still follow (S's name + a byte < ';') */
	P_BEFORE, /* L sorts before S: out of order */
};

/*
 * Where the line @l[0..nl) stands against the path @s[0..ns), both compared as
 * ';'-joined byte strings; frames before @k are known to be equal.
 */
static enum place place(const struct fg_span *l, uint32_t nl, const struct fg_span *s, uint32_t ns,
			uint32_t k)
{
	uint32_t i;

	for (i = k; i < ns; i++) {
		const struct fg_span *a = &s[i], *b;
		uint32_t m;
		int c;

		if (i == nl)
			return P_BEFORE; /* L is a proper prefix of S */
		b = &l[i];
		m = a->len < b->len ? a->len : b->len;
		c = memcmp(a->p, b->p, m);
		if (c)
			return c < 0 ? P_CLOSED : P_BEFORE;
		if (a->len == b->len)
			continue;
		if (b->len > a->len) {
			/* L's frame extends S's: its next byte against S's ';' or end. */
			unsigned char x = (unsigned char)b->p[a->len];

			if (x > ';')
				return P_CLOSED;
			return i + 1 == ns ? P_OPEN : P_BEFORE;
		}
		/* S's frame extends L's: L goes on with ';', or ends (and sorts first). */
		if (i + 1 == nl)
			return P_BEFORE;
		return ';' > (unsigned char)a->p[b->len] ? P_CLOSED : P_BEFORE;
	}
	return P_INSIDE;
}

static int span_reserve(struct fg_span **v, uint32_t *cap, uint32_t n)
{
	if (n <= *cap)
		return 0;
	if (fg_resize(v, n + 16, sizeof(**v)))
		return -ENOMEM;
	*cap = n + 16;
	return 0;
}

/* The previous line's frames from @k on as spans (place() reads no earlier one). */
static int prev_spans(struct fg *t, uint32_t k)
{
	const struct fg_prev *p = &t->prev;
	size_t start = k ? p->end[k - 1] : 0;
	uint32_t i;
	int err = span_reserve(&t->prune.path, &t->prune.path_cap, p->n);

	if (err)
		return err;
	for (i = k; i < p->n; i++) {
		t->prune.path[i] =
		    (struct fg_span){ p->buf + start, (uint32_t)(p->end[i] - start) };
		start = p->end[i];
	}
	return 0;
}

/* The path from the root to @node as spans; returns its length or -errno. */
static int64_t node_spans(struct fg *t, uint32_t node)
{
	uint32_t d = 0, v, i;
	int err;

	for (v = node; v; v = t->nodes[v].parent)
		d++;
	if ((err = span_reserve(&t->prune.path, &t->prune.path_cap, d)))
		return err;
	for (v = node, i = d; v; v = t->nodes[v].parent) {
		size_t len;

		t->prune.path[--i].p = fg__name(t, v, &len);
		t->prune.path[i].len = (uint32_t)len;
	}
	return d;
}

static void pend_remove(struct fg_prune *pr, uint32_t i)
{
	pr->pend[i] = pr->pend[--pr->npend];
}

/* The stream gave up on order: 0 when pruning can just stop, -ESTALE if it dropped data. */
static int out_of_order(struct fg *t)
{
	t->prune.active = false;
	t->prune.unsorted = true;
	return t->prune.dropped ? -ESTALE : 0;
}

int fg_prune__line(struct fg *t, const struct fg_span *fr, uint32_t n, uint32_t k)
{
	struct fg_prune *pr = &t->prune;
	enum place pl;
	uint32_t i;
	int64_t d;
	int err;

	/* Frames left open earlier: is this line past them now? */
	for (i = 0; i < pr->npend;) {
		if ((d = node_spans(t, pr->pend[i])) < 0)
			return (int)d;
		pl = place(fr, n, pr->path, (uint32_t)d, 0);
		if (pl == P_BEFORE)
			return out_of_order(t);
		if (pl == P_OPEN) {
			i++;
			continue;
		}
		if (pl == P_CLOSED)
			pr->closed[pr->pend[i]] |= FG_CLOSED;
		pend_remove(pr, i); /* closed, or on the path again */
	}
	if (!t->prev.n)
		return 0;
	if ((err = prev_spans(t, k)))
		return err;
	pl = place(fr, n, pr->path, t->prev.n, k);
	switch (pl) {
	case P_INSIDE:
		return 0; /* the same stack, or one under it */
	case P_BEFORE:
		return out_of_order(t);
	case P_CLOSED: /* the first differing frame and all under it */
		pr->closed[t->prev.node[k]] |= FG_CLOSED;
		return 0;
	case P_OPEN: /* the previous leaf: siblings named like it + a low byte come first */
		if (pr->npend == FG_PRUNE_PEND) {
			pr->stuck++; /* stays in memory: correct, just not dropped */
			return 0;
		}
		pr->pend[pr->npend++] = t->prev.node[k];
		return 0;
	}
	return 0;
}

/* Renumber names: only those of kept nodes survive. */
static int rebuild_names(struct fg *t)
{
	struct fg_strtab s;
	uint32_t i;
	int err = fg_strtab__init(&s);

	for (i = 1; i < t->n && !err; i++) {
		size_t len;
		const char *p = fg_strtab__str(&t->names, t->nodes[i].name, &len);
		int64_t id = fg_strtab__intern(&s, p, len, t->names.hash[t->nodes[i].name]);

		if (id < 0)
			err = (int)id;
		else
			t->nodes[i].name = (uint32_t)id;
	}
	if (err) {
		fg_strtab__fini(&s);
		return err;
	}
	fg_strtab__fini(&t->names);
	t->names = s;
	return 0;
}

struct compact {
	uint64_t *tot, *btot; /* inclusive counts; of a gap's representative: the run's */
	uint8_t *state;	      /* KEEP, DROP, or GAP (represents a run of dropped siblings) */
	uint32_t *kids, kcap;
	double thresh;
};

enum { KEEP, DROP, GAP };

static bool droppable(const struct fg *t, const struct compact *c, uint32_t v)
{
	uint8_t f = t->prune.closed[v];

	return (f & FG_CLOSED) && ((f & FG_GAP) || (double)c->tot[v] < c->thresh);
}

/*
 * The stream's position under a parent on the current path: the frame it is
 * in there, and whether the line goes deeper. Without one (the parent is not
 * on the path, or is the line's leaf), any sibling may still come.
 */
struct where {
	const char *f;
	size_t len;
	bool more, known, all; /* all: the parent is closed, no sibling can come */
};

/* Whether the stream is past every stack "Y;..." under the parent (Y = y[0..ly)). */
static bool past(const struct where *w, const char *y, size_t ly)
{
	size_t m = w->len < ly ? w->len : ly;
	int r;

	if (w->all || !w->known)
		return w->all;
	r = memcmp(w->f, y, m);
	if (r)
		return r > 0;
	if (w->len == ly)
		return true; /* Y is the frame on the path: it exists already */
	if (w->len > ly)
		return (unsigned char)w->f[ly] > ';';
	return w->more && ';' > (unsigned char)y[w->len];
}

/*
 * Whether a sibling not seen yet could still sort between the closed siblings
 * @a < @b: a proper prefix Y of b's name, longer than what a and b share (so
 * Y > a), whose lines "Y;..." sort after all of b's (b's byte after Y is below
 * ';') and after the stream's position @w. A gap must not span that place.
 */
static bool slot_between(const struct fg *t, uint32_t a, uint32_t b, const struct where *w)
{
	size_t la, lb, c = 0, j;
	const char *na = fg__name(t, a, &la), *nb = fg__name(t, b, &lb);

	while (c < la && c < lb && na[c] == nb[c])
		c++;
	for (j = c + 1; j < lb; j++)
		if ((unsigned char)nb[j] < ';' && !past(w, nb, j))
			return true;
	return false;
}

/*
 * The children of @parent in name order (the layout's): each run of droppable
 * siblings becomes one gap, a leaf named like the run's last member, holding
 * the run's counts, so the frames drawn keep their place.
 */
static int plan_children(struct fg *t, struct compact *c, uint32_t parent)
{
	const struct fg_node *nd = t->nodes;
	uint32_t ndrop = 0, v, i, j;
	struct where w = { 0 };
	int64_t nk;

	for (v = nd[parent].first_child; v; v = nd[v].next_sibling)
		ndrop += droppable(t, c, v);
	if (!ndrop || (ndrop == 1 && nd[parent].nkids == 1 &&
		       (t->prune.closed[nd[parent].first_child] & FG_GAP)))
		return 0;
	if ((nk = fg_tree__sorted_children(t, parent, &c->kids, &c->kcap)) < 0)
		return (int)nk;
	if (t->prune.closed[parent] & FG_CLOSED) {
		w.all = true;
	} else if ((t->prune.closed[parent] & FG_ONPATH) && t->prev.n) {
		/* The path frame under the parent: frame 0 under the root, else i + 1. */
		for (i = 0; parent && i < t->prev.n && t->prev.node[i] != parent; i++)
			;
		i = parent ? i + 1 : 0;
		if (i < t->prev.n) {
			size_t start = i ? t->prev.end[i - 1] : 0;

			w.known = true;
			w.f = t->prev.buf + start;
			w.len = t->prev.end[i] - start;
			w.more = i + 1 < t->prev.n;
		}
	}
	for (i = 0; i < nk; i = j) {
		uint64_t sum = 0, bsum = 0;
		uint32_t last;

		if (!droppable(t, c, c->kids[i])) {
			j = i + 1;
			continue;
		}
		for (j = i; j < nk && droppable(t, c, c->kids[j]) &&
			    (j == i || !slot_between(t, c->kids[j - 1], c->kids[j], &w));
		     j++) {
			sum += c->tot[c->kids[j]];
			bsum += c->btot ? c->btot[c->kids[j]] : 0;
			c->state[c->kids[j]] = DROP;
		}
		last = c->kids[j - 1];
		c->state[last] = GAP;
		c->tot[last] = sum;
		if (c->btot)
			c->btot[last] = bsum;
	}
	return 0;
}

int fg_prune__compact(struct fg *t)
{
	struct fg_prune *pr = &t->prune;
	uint32_t n = t->n, m = 1, i;
	uint32_t *map = malloc(n * sizeof(*map));
	struct compact c = { .state = calloc(n, 1) };
	int err = fg_tree__totals(t, &c.tot, &c.btot);

	if (!err && (!map || !c.state))
		err = -ENOMEM;
	if (err)
		goto out;
	if (n > pr->peak)
		pr->peak = n;
	/* The current path is open whatever was marked (the line is inside it). */
	for (i = 0; i < t->prev.n; i++)
		pr->closed[t->prev.node[i]] &= (uint8_t)~FG_CLOSED;
	pr->closed[0] = 0;
	for (i = 1; i < n; i++) /* past the parent is past its children */
		pr->closed[i] |= pr->closed[t->nodes[i].parent] & FG_CLOSED;
	c.thresh = fg_conf__thresh(&pr->conf, t->total);
	for (i = 0; i < t->prev.n; i++)
		pr->closed[t->prev.node[i]] |= FG_ONPATH;
	pr->closed[0] |= FG_ONPATH;
	err = 0;
	for (i = 0; i < n && !err; i++)
		if (c.state[i] == KEEP && t->nodes[i].first_child)
			err = plan_children(t, &c, i);
	for (i = 0; i < t->prev.n; i++)
		pr->closed[t->prev.node[i]] &= (uint8_t)~FG_ONPATH;
	pr->closed[0] = 0;
	if (err)
		goto out;
	map[0] = 0;
	for (i = 1; i < n; i++) {
		uint32_t p = t->nodes[i].parent;

		if (map[p] == UINT32_MAX || c.state[i] == DROP || c.state[p] == GAP) {
			map[i] = UINT32_MAX; /* dropped, or under a dropped frame */
			continue;
		}
		map[i] = m;
		t->nodes[m] = t->nodes[i];
		t->nodes[m].parent = map[p];
		if (c.state[i] == GAP) {
			t->self[m] = c.tot[i];
			if (t->base)
				t->base[m] = c.btot[i];
			pr->closed[m] = FG_CLOSED | FG_GAP;
		} else {
			t->self[m] = t->self[i];
			if (t->base)
				t->base[m] = t->base[i];
			pr->closed[m] = pr->closed[i];
		}
		m++;
	}
	pr->dropped += n - m;
	t->n = m;
	memset(t->self + m, 0, (t->cap - m) * sizeof(*t->self));
	if (t->base)
		memset(t->base + m, 0, (t->cap - m) * sizeof(*t->base));
	memset(pr->closed + m, 0, t->cap - m);
	for (i = 0; i < t->prev.n; i++)
		t->prev.node[i] = map[t->prev.node[i]];
	for (i = 0; i < pr->npend;) {
		uint32_t v = map[pr->pend[i]];

		if (v == UINT32_MAX || (pr->closed[v] & FG_CLOSED)) {
			pend_remove(pr, i); /* dropped, or closed with an ancestor */
			continue;
		}
		pr->pend[i++] = v;
	}
	pr->compactions++;
	err = rebuild_names(t);
	if (!err)
		err = fg_tree__relink(t);
out:
	pr->next = t->n * 2 > pr->min_nodes ? t->n * 2 : pr->min_nodes;
	free(c.tot);
	free(c.btot);
	free(c.state);
	free(c.kids);
	free(map);
	return err;
}

int fg__set_prune(struct fg *t, const struct fg_opts *o)
{
	struct fg_conf c;

	if (!fg_tree__fresh(t))
		return -EBUSY; /* only a fresh tree: nothing read may have been skipped */
	if (fg_conf__geometry(o, &c) || c.reverse)
		return -EINVAL;
	if (!t->prune.closed && !(t->prune.closed = calloc(t->cap, 1)))
		return -ENOMEM;
	t->prune.conf = c;
	t->prune.on = true;
	if (!t->prune.min_nodes)
		t->prune.min_nodes = PRUNE_MIN_NODES;
	t->prune.next = t->prune.min_nodes;
	return 0;
}

void fg__prune_stats(const struct fg *t, struct fg_prune_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->enabled = t->prune.on;
	s->unsorted = t->prune.unsorted;
	s->restarted = t->prune.restarted;
	s->dropped = t->prune.dropped;
	s->compactions = t->prune.compactions;
	s->kept = t->n;
	s->peak = t->prune.peak > t->n ? t->prune.peak : t->n;
	s->stuck = t->prune.stuck;
}
