// SPDX-License-Identifier: GPL-2.0
/*
 * Layout in count units: inclusive totals, children sorted by name (so output
 * never depends on input or hash order), frames narrower than the minimum
 * width pruned together with their subtrees (whose children are never even
 * sorted). Iterative: stack depth is data, not C recursion.
 */
#include "fg_layout.h"
#include "fg_tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct lw_item {
	uint32_t node, depth;
	uint64_t x;
};

struct layout_work {
	const struct fg *t;
	uint64_t *tot, *btot; /* inclusive counts per node */
	uint32_t *kids;	      /* children of the node being expanded */
	uint32_t kcap;
	struct lw_item *stack;
	size_t sp, scap;
	double thresh; /* minimum drawn width, counts */
};

static void lw_fini(struct layout_work *w)
{
	free(w->tot);
	free(w->btot);
	free(w->kids);
	free(w->stack);
}

static int push(struct layout_work *w, uint32_t node, uint32_t depth, uint64_t x)
{
	if (w->sp == w->scap) {
		size_t ncap = w->scap ? w->scap * 2 : 256;

		if (fg_resize(&w->stack, ncap, sizeof(*w->stack)))
			return -ENOMEM;
		w->scap = ncap;
	}
	w->stack[w->sp++] = (struct lw_item){ node, depth, x };
	return 0;
}

static bool drawn(const struct layout_work *w, uint32_t node)
{
	return w->tot[node] > 0 && (double)w->tot[node] >= w->thresh && !fg_tree__gap(w->t, node);
}

/* Sort the children of @it by name and push the drawn ones, leftmost on top. */
static int push_children(struct layout_work *w, const struct lw_item *it)
{
	int64_t nk = fg_tree__sorted_children(w->t, it->node, &w->kids, &w->kcap);
	uint32_t *k = w->kids, i;
	uint64_t end = it->x;
	int err;

	if (nk < 0)
		return (int)nk;
	for (i = 0; i < nk; i++)
		end += w->tot[k[i]];
	for (i = (uint32_t)nk; i-- > 0;) {
		end -= w->tot[k[i]];
		if (drawn(w, k[i]) && (err = push(w, k[i], it->depth + 1, end)))
			return err;
	}
	return 0;
}

static uint64_t normalised(const struct fg_layout *l, uint64_t base, uint64_t base_total,
			   bool normalize)
{
	unsigned __int128 v;

	if (!normalize || !base_total)
		return base;
	v = ((unsigned __int128)base * l->total + base_total / 2) / base_total;
	return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

static int emit(struct fg_layout *l, size_t *cap, const struct layout_work *w,
		const struct lw_item *it, bool normalize)
{
	struct fg_rect *r;
	uint64_t d;

	if (l->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 1024;

		if (fg_resize(&l->rects, ncap, sizeof(*l->rects)))
			return -ENOMEM;
		*cap = ncap;
	}
	r = &l->rects[l->n++];
	r->node = it->node;
	r->depth = it->depth;
	r->x = it->x;
	r->width = w->tot[it->node];
	r->base = w->btot ? normalised(l, w->btot[it->node], w->btot[0], normalize) : 0;
	d = r->width > r->base ? r->width - r->base : r->base - r->width;
	if (w->btot && d > l->max_delta)
		l->max_delta = d;
	if (it->depth > l->max_depth)
		l->max_depth = it->depth;
	return 0;
}

static int run_layout(struct fg_layout *l, struct layout_work *w, const struct fg_conf *c)
{
	size_t cap = 0;
	int err;

	if ((err = fg_tree__totals(w->t, &w->tot, &w->btot)))
		return err;
	l->total = w->tot[0];
	w->thresh = fg_conf__thresh(c, l->total);
	if (drawn(w, 0) && (err = push(w, 0, 0, 0)))
		return err;
	while (w->sp) {
		struct lw_item it = w->stack[--w->sp];

		if ((err = emit(l, &cap, w, &it, c->normalize)) || (err = push_children(w, &it)))
			return err;
	}
	return 0;
}

int fg__layout(const struct fg *t, const struct fg_conf *c, struct fg_layout **out)
{
	struct fg_layout *l = calloc(1, sizeof(*l));
	struct layout_work w = { 0 };
	int err = -ENOMEM;

	*out = NULL;
	if (!l)
		return -ENOMEM;
	l->tree = t;
	if (c->reverse) {
		l->owned = fg__reversed(t);
		if (!l->owned)
			goto fail;
		l->tree = l->owned;
	}
	l->diff = l->tree->base != NULL;
	w.t = l->tree;
	err = run_layout(l, &w, c);
	if (err)
		goto fail;
	lw_fini(&w);
	*out = l;
	return 0;
fail:
	lw_fini(&w);
	fg_layout__free(l);
	return err;
}

void fg_layout__free(struct fg_layout *l)
{
	if (!l)
		return;
	fg__free(l->owned);
	free(l->rects);
	free(l);
}
