// SPDX-License-Identifier: GPL-2.0
/*
 * The merged call tree. Lines are merged as they arrive, so memory grows with
 * distinct nodes, never with input lines.
 *
 * A child is found by scanning its parent's sibling list, kept in
 * most-recently-used order, which mostly touches memory already in cache: the
 * parent was just visited, and nodes of a path created together sit side by
 * side. Nodes with more than FG_WIDE children (dispatchers, the root of a
 * system-wide profile) index them in an open addressing table instead, so a
 * lookup never degrades to a long scan.
 */
#include "fg_tree.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TREE_MIN_SLOTS 4096u
#define TREE_MAX_NODES (UINT32_MAX / 4)
#define FG_WIDE	       8

static uint32_t node_hash(uint32_t parent, uint32_t name)
{
	uint64_t k = ((uint64_t)parent << 32 | name) * 0x9e3779b97f4a7c15ULL;

	k ^= k >> 31;
	k *= 0xbf58476d1ce4e5b9ULL;
	return (uint32_t)(k ^ (k >> 29));
}

static struct fg_slot *slots_alloc(uint32_t n)
{
	return fg_big_calloc((size_t)n * sizeof(struct fg_slot));
}

static void slots_free(struct fg_slot *s, uint32_t n)
{
	fg_big_free(s, (size_t)n * sizeof(struct fg_slot));
}

struct fg *fg__new(void)
{
	struct fg *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->cap = 1024;
	t->nodes = calloc(t->cap, sizeof(*t->nodes));
	t->self = calloc(t->cap, sizeof(*t->self));
	t->slots = slots_alloc(TREE_MIN_SLOTS);
	t->mask = TREE_MIN_SLOTS - 1;
	if (!t->nodes || !t->self || !t->slots || fg_strtab__init(&t->names)) {
		fg__free(t);
		return NULL;
	}
	t->n = 1; /* the root */
	return t;
}

void fg__free(struct fg *t)
{
	if (!t)
		return;
	fg_strtab__fini(&t->names);
	free(t->nodes);
	free(t->self);
	free(t->base);
	slots_free(t->slots, t->mask + 1);
	free(t->prev.buf);
	free(t->prev.end);
	free(t->prev.node);
	free(t->scratch);
	free(t->prune.closed);
	free(t->prune.path);
	free(t);
}

int fg_tree__reset(struct fg *t)
{
	struct fg *n = fg__new(), tmp;

	if (!n)
		return -ENOMEM;
	if (t->prune.on && !(n->prune.closed = calloc(n->cap, 1))) {
		fg__free(n);
		return -ENOMEM;
	}
	n->prune.on = t->prune.on;
	n->prune.conf = t->prune.conf;
	n->prune.min_nodes = t->prune.min_nodes;
	n->prune.next = t->prune.min_nodes;
	n->prune.unsorted = t->prune.unsorted;
	n->prune.restarted = t->prune.restarted;
	n->src = t->src;
	tmp = *t;
	*t = *n;
	*n = tmp;
	fg__free(n);
	return 0;
}

uint64_t fg__total(const struct fg *t)
{
	return t->total;
}

bool fg__is_diff(const struct fg *t)
{
	return t->base != NULL;
}

size_t fg__nodes(const struct fg *t)
{
	return t->n;
}

int fg_tree__cmp_names(const void *a, const void *b, void *tree)
{
	const struct fg *t = tree;
	size_t la, lb;
	const char *na = fg__name(t, *(const uint32_t *)a, &la);
	const char *nb = fg__name(t, *(const uint32_t *)b, &lb);
	int r = memcmp(na, nb, la < lb ? la : lb);

	if (r)
		return r;
	return la < lb ? -1 : la > lb;
}

int64_t fg_tree__sorted_children(const struct fg *t, uint32_t node, uint32_t **kids, uint32_t *cap)
{
	const struct fg_node *n = t->nodes;
	uint32_t nk = 0, v;

	if (n[node].nkids > *cap) {
		if (fg_resize(kids, n[node].nkids, sizeof(**kids)))
			return -ENOMEM;
		*cap = n[node].nkids;
	}
	for (v = n[node].first_child; v; v = n[v].next_sibling)
		(*kids)[nk++] = v;
	if (nk > 1)
		qsort_r(*kids, nk, sizeof(**kids), fg_tree__cmp_names, (void *)t);
	return nk;
}

int fg_tree__totals(const struct fg *t, uint64_t **tot, uint64_t **btot)
{
	uint32_t i;

	*tot = malloc(t->n * sizeof(**tot));
	*btot = t->base ? malloc(t->n * sizeof(**btot)) : NULL;
	if (!*tot || (t->base && !*btot))
		return -ENOMEM;
	for (i = 0; i < t->n; i++) {
		(*tot)[i] = t->self[i];
		if (*btot)
			(*btot)[i] = t->base[i];
	}
	/* Parents precede children, so one backward pass sums every subtree. */
	for (i = t->n - 1; i > 0; i--) {
		(*tot)[t->nodes[i].parent] += (*tot)[i];
		if (*btot)
			(*btot)[t->nodes[i].parent] += (*btot)[i];
	}
	return 0;
}

const char *fg__name(const struct fg *t, uint32_t node, size_t *len)
{
	if (node == 0) {
		*len = 3;
		return "all";
	}
	return fg_strtab__str(&t->names, t->nodes[node].name, len);
}

int fg_tree__make_diff(struct fg *t)
{
	if (t->base)
		return 0;
	t->base = calloc(t->cap, sizeof(*t->base));
	return t->base ? 0 : -ENOMEM;
}

int fg_tree__scratch(struct fg *t, uint32_t n)
{
	uint32_t ncap = n < 64 ? 64 : n + n / 2;

	if (n <= t->scratch_cap)
		return 0;
	if (fg_resize(&t->scratch, ncap, sizeof(*t->scratch)))
		return -ENOMEM;
	t->scratch_cap = ncap;
	return 0;
}

static int tree_rehash(struct fg *t)
{
	uint32_t nmask = t->mask * 2 + 1, i, j;
	struct fg_slot *slots = slots_alloc(nmask + 1);

	if (!slots)
		return -ENOMEM;
	for (i = 0; i <= t->mask; i++) {
		const struct fg_slot *o = &t->slots[i];

		if (!o->node)
			continue;
		for (j = node_hash(o->parent, o->name) & nmask; slots[j].node; j = (j + 1) & nmask)
			;
		slots[j] = *o;
	}
	slots_free(t->slots, t->mask + 1);
	t->slots = slots;
	t->mask = nmask;
	return 0;
}

static int grow_u64(uint64_t **a, uint32_t old, uint32_t ncap)
{
	if (fg_resize(a, ncap, sizeof(**a)))
		return -ENOMEM;
	memset(*a + old, 0, (ncap - old) * sizeof(**a));
	return 0;
}

static int tree_grow(struct fg *t)
{
	uint32_t ncap = t->cap * 2;

	if (t->cap >= TREE_MAX_NODES)
		return -E2BIG;
	if (fg_resize(&t->nodes, ncap, sizeof(*t->nodes)) || grow_u64(&t->self, t->cap, ncap) ||
	    (t->base && grow_u64(&t->base, t->cap, ncap)))
		return -ENOMEM;
	if (t->prune.closed) {
		if (fg_resize(&t->prune.closed, ncap, 1))
			return -ENOMEM;
		memset(t->prune.closed + t->cap, 0, ncap - t->cap);
	}
	t->cap = ncap;
	return 0;
}

static int slot_insert(struct fg *t, uint32_t parent, uint32_t name, uint32_t node)
{
	uint32_t i;

	for (i = node_hash(parent, name) & t->mask; t->slots[i].node; i = (i + 1) & t->mask)
		;
	t->slots[i] = (struct fg_slot){ parent, name, node };
	/* Linear probing stays short up to 5/8 full. */
	if ((uint64_t)++t->nslots * 8 > (uint64_t)t->mask * 5)
		return tree_rehash(t);
	return 0;
}

static int64_t slot_find(const struct fg *t, uint32_t parent, uint32_t name)
{
	const struct fg_slot *s;
	uint32_t i;

	for (i = node_hash(parent, name) & t->mask; (s = &t->slots[i])->node; i = (i + 1) & t->mask)
		if (s->parent == parent && s->name == name)
			return s->node;
	return 0;
}

/*
 * Scan @parent's children for the name @f, comparing bytes (no hashing needed
 * on a hit), and move the one found to the front. 0 when absent.
 */
static uint32_t sibling_find(struct fg *t, uint32_t parent, const struct fg_span *f)
{
	const struct fg_strtab *st = &t->names;
	struct fg_node *n = t->nodes, *p = &n[parent];
	uint32_t v, prev = 0;

	for (v = p->first_child; v; prev = v, v = n[v].next_sibling) {
		uint32_t id = n[v].name;

		if (st->slen[id] != f->len || memcmp(st->buf + st->off[id], f->p, f->len))
			continue;
		if (prev) {
			n[prev].next_sibling = n[v].next_sibling;
			n[v].next_sibling = p->first_child;
			p->first_child = v;
		}
		return v;
	}
	return 0;
}

static int64_t tree_new_node(struct fg *t, uint32_t parent, uint32_t name)
{
	struct fg_node *p;
	uint32_t id, v;
	int err;

	if (t->n == t->cap && (err = tree_grow(t)))
		return err;
	id = t->n++;
	p = &t->nodes[parent];
	t->nodes[id] =
	    (struct fg_node){ .parent = parent, .name = name, .next_sibling = p->first_child };
	p->first_child = id;
	if (++p->nkids == FG_WIDE + 1) {
		/* Became wide: index all its children. */
		for (v = id; v; v = t->nodes[v].next_sibling)
			if ((err = slot_insert(t, parent, t->nodes[v].name, v)))
				return err;
	} else if (p->nkids > FG_WIDE && (err = slot_insert(t, parent, name, id))) {
		return err;
	}
	return id;
}

/* The child of @parent called @f, created when missing. Returns its id or -errno. */
static int64_t tree_child(struct fg *t, uint32_t parent, const struct fg_span *f)
{
	bool wide = t->nodes[parent].nkids > FG_WIDE;
	uint32_t nnames = t->names.n;
	int64_t name, v = 0;

	if (!wide && (v = sibling_find(t, parent, f)))
		return v;
	name = fg_strtab__intern(&t->names, f->p, f->len, fg_hash_bytes(f->p, f->len));
	if (name < 0)
		return name;
	/* A new name cannot have a node yet. */
	if (wide && t->names.n == nnames)
		v = slot_find(t, parent, (uint32_t)name);
	return v ? v : tree_new_node(t, parent, (uint32_t)name);
}

static uint32_t prev_common(const struct fg *t, const struct fg_span *fr, uint32_t n)
{
	const struct fg_prev *p = &t->prev;
	uint32_t k;
	size_t start = 0;

	for (k = 0; k < n && k < p->n; k++) {
		size_t len = p->end[k] - start;

		if (len != fr[k].len || memcmp(p->buf + start, fr[k].p, len))
			break;
		start = p->end[k];
	}
	return k;
}

/* Room in t->prev for @n frames whose bytes from frame @k on are @tail long. */
static int prev_reserve(struct fg *t, uint32_t n, uint32_t k, size_t tail)
{
	struct fg_prev *p = &t->prev;
	size_t need = (k ? p->end[k - 1] : 0) + tail;

	if (n > p->fcap) {
		uint32_t ncap = n + n / 2 + 16;

		if (fg_resize(&p->end, ncap, sizeof(*p->end)) ||
		    fg_resize(&p->node, ncap, sizeof(*p->node)))
			return -ENOMEM;
		p->fcap = ncap;
	}
	if (need > p->cap) {
		size_t ncap = need + need / 2 + 256;

		if (fg_resize(&p->buf, ncap, 1))
			return -ENOMEM;
		p->cap = ncap;
	}
	return 0;
}

/* Walk/extend the tree from frame @k of @fr, remembering the path in t->prev. */
static int64_t tree_walk(struct fg *t, const struct fg_span *fr, uint32_t n, uint32_t k)
{
	struct fg_prev *p = &t->prev;
	size_t tail = 0, pos;
	int64_t node = k ? p->node[k - 1] : 0;
	uint32_t i;
	int err;

	for (i = k; i < n; i++)
		tail += fr[i].len;
	err = prev_reserve(t, n, k, tail);
	if (err)
		return err;
	pos = k ? p->end[k - 1] : 0;
	p->n = k;
	for (i = k; i < n; i++) {
		node = tree_child(t, (uint32_t)node, &fr[i]);
		if (node < 0)
			return node;
		memcpy(p->buf + pos, fr[i].p, fr[i].len);
		pos += fr[i].len;
		p->end[i] = pos;
		p->node[i] = (uint32_t)node;
		p->n = i + 1;
	}
	return node;
}

int fg_tree__add(struct fg *t, const struct fg_span *fr, uint32_t n, uint64_t count, uint64_t base)
{
	int64_t node;
	uint32_t k;
	int err;

	if (!n)
		return -EINVAL;
	if (count > UINT64_MAX - t->total || base > UINT64_MAX - t->base_total)
		return -EOVERFLOW;
	if (!count && !base)
		return 0;
	if (base && (err = fg_tree__make_diff(t)))
		return err;
	k = prev_common(t, fr, n);
	if (t->prune.active && (err = fg_prune__line(t, fr, n, k)))
		return err;
	node = tree_walk(t, fr, n, k);
	if (node < 0)
		return (int)node;
	t->self[node] += count;
	if (base)
		t->base[node] += base;
	t->total += count;
	t->base_total += base;
	if (t->prune.active && t->n >= t->prune.next)
		return fg_prune__compact(t);
	return 0;
}

int fg_tree__relink(struct fg *t)
{
	uint32_t nwide = 0, size = TREE_MIN_SLOTS, i;
	struct fg_slot *slots;
	int err;

	for (i = 0; i < t->n; i++) {
		t->nodes[i].first_child = t->nodes[i].next_sibling = 0;
		t->nodes[i].nkids = 0;
	}
	for (i = 1; i < t->n; i++) {
		struct fg_node *p = &t->nodes[t->nodes[i].parent];

		t->nodes[i].next_sibling = p->first_child;
		p->first_child = i;
		p->nkids++;
	}
	for (i = 1; i < t->n; i++)
		nwide += t->nodes[t->nodes[i].parent].nkids > FG_WIDE;
	while ((uint64_t)nwide * 8 > (uint64_t)(size - 1) * 5)
		size *= 2;
	if (!(slots = slots_alloc(size)))
		return -ENOMEM;
	slots_free(t->slots, t->mask + 1);
	t->slots = slots;
	t->mask = size - 1;
	t->nslots = 0;
	for (i = 1; i < t->n; i++)
		if (t->nodes[t->nodes[i].parent].nkids > FG_WIDE &&
		    (err = slot_insert(t, t->nodes[i].parent, t->nodes[i].name, i)))
			return err;
	return 0;
}

static int add_cstrings(struct fg *t, const char *const *frames, int nframes, uint64_t count,
			uint64_t base)
{
	uint32_t n = 0;
	int i, err;

	if (nframes <= 0 || !frames)
		return -EINVAL;
	err = fg_tree__scratch(t, (uint32_t)nframes);
	if (err)
		return err;
	for (i = 0; i < nframes; i++) {
		size_t len = frames[i] ? strlen(frames[i]) : 0;

		if (len > UINT32_MAX)
			return -E2BIG;
		if (len)
			t->scratch[n++] = (struct fg_span){ frames[i], (uint32_t)len };
	}
	return n ? fg_tree__add(t, t->scratch, n, count, base) : -EINVAL;
}

int fg__add_stack(struct fg *t, const char *const *frames, int nframes, uint64_t count)
{
	return add_cstrings(t, frames, nframes, count, 0);
}

int fg__add_stack_diff(struct fg *t, const char *const *frames, int nframes, uint64_t base_count,
		       uint64_t count)
{
	int err = fg_tree__make_diff(t);

	return err ? err : add_cstrings(t, frames, nframes, count, base_count);
}

int fg__set_base(struct fg *t, struct fg *base)
{
	uint32_t *map, i;
	int err = 0;

	if (base->base) {
		st_err("the base profile is itself differential (two-column input)");
		return -EINVAL;
	}
	if (t->cols == FG_COLS_TWO) {
		st_err("two-column (differential) input cannot also take a separate base profile");
		return -EINVAL;
	}
	if (base->total > UINT64_MAX - t->base_total) {
		st_err("the base profile's total count overflows 64 bits");
		return -EOVERFLOW;
	}
	map = malloc(base->n * sizeof(*map));
	if (!map || fg_tree__make_diff(t)) {
		free(map);
		st_err("out of memory merging the base profile");
		return -ENOMEM;
	}
	map[0] = 0;
	for (i = 1; i < base->n && !err; i++) {
		struct fg_span f;
		size_t len;
		int64_t node;

		f.p = fg__name(base, i, &len);
		f.len = (uint32_t)len;
		node = tree_child(t, map[base->nodes[i].parent], &f);
		if (node < 0) {
			err = (int)node;
			break;
		}
		map[i] = (uint32_t)node;
		t->base[node] += base->self[i];
	}
	free(map);
	if (err) {
		st_err("merging the base profile: %s", strerror(-err));
		return err;
	}
	t->base_total += base->total;
	t->has_base_tree = true;
	return 0;
}

/* Frames of the stack ending at @node, leaf first, into t->scratch of @out. */
static int64_t path_leaf_first(const struct fg *t, struct fg *out, uint32_t node)
{
	uint32_t n = 0, v;
	int err;

	for (v = node; v; v = t->nodes[v].parent) {
		size_t len;

		if ((err = fg_tree__scratch(out, n + 1)))
			return err;
		out->scratch[n].p = fg__name(t, v, &len);
		out->scratch[n++].len = (uint32_t)len;
	}
	return n;
}

struct fg *fg__reversed(const struct fg *t)
{
	struct fg *r = fg__new();
	uint32_t i;

	if (!r || (t->base && fg_tree__make_diff(r)))
		goto fail;
	for (i = 1; i < t->n; i++) {
		uint64_t base = t->base ? t->base[i] : 0;
		int64_t n;

		if (!t->self[i] && !base)
			continue;
		n = path_leaf_first(t, r, i);
		if (n < 0 || fg_tree__add(r, r->scratch, (uint32_t)n, t->self[i], base))
			goto fail;
	}
	r->cols = t->cols;
	r->has_base_tree = t->has_base_tree;
	return r;
fail:
	fg__free(r);
	return NULL;
}
