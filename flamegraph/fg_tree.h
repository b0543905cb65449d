/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of the merged call tree shared by the flamegraph modules: interned
 * frame names, nodes with sibling lists (plus a hash index for wide nodes), and
 * the previous stack, kept to skip lookups on the prefix that consecutive
 * (sorted) lines share.
 */
#ifndef ST_FG_TREE_H
#define ST_FG_TREE_H

#include "fg_layout.h"
#include "flamegraph.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A frame name inside a caller's buffer: not NUL-terminated. */
struct fg_span {
	const char *p;
	uint32_t len;
};

/* Interned byte strings: each distinct frame name is stored once. */
struct fg_strtab {
	char *buf; /* names back to back */
	size_t len, cap;
	size_t *off;
	uint32_t *slen;
	uint32_t *hash;
	uint32_t n, idcap;
	uint32_t *slots; /* open addressing: id + 1, 0 = empty */
	uint32_t mask;
};

struct fg_node {
	uint32_t parent;
	uint32_t name;	       /* id in fg.names; unused for the root */
	uint32_t first_child;  /* 0 = none (the root is nobody's child) */
	uint32_t next_sibling; /* 0 = last */
	uint32_t nkids;
};

/* The previous stack: its frame bytes and the node of each frame. */
struct fg_prev {
	char *buf;
	size_t cap;
	size_t *end; /* end offset of frame i in buf */
	uint32_t *node;
	uint32_t n, fcap;
};

/* Children of wide nodes are also found by hash: a slot holds its key. */
struct fg_slot {
	uint32_t parent, name;
	uint32_t node; /* 0 = empty */
};

enum fg_cols { FG_COLS_UNKNOWN, FG_COLS_ONE, FG_COLS_TWO };

#define FG_PRUNE_PEND 64 /* frames left open at once, tracked (prune.c) */
#define FG_CLOSED     1	 /* fg_prune.closed: the input has moved past this frame */
#define FG_GAP	      2	 /* ... and it stands for dropped siblings: never drawn */
#define FG_ONPATH     4	 /* on the current line's path (while compacting) */

/* Streaming pruning of sorted input (prune.c). */
struct fg_prune {
	bool on;	     /* fg__set_prune() was called */
	bool active;	     /* the current input is in byte order so far */
	bool unsorted;	     /* an input was found out of order */
	bool restarted;	     /* ... after a drop: it was read again without pruning */
	struct fg_conf conf; /* width and minimum width: the drop threshold */
	uint8_t *closed;     /* per node: FG_CLOSED, FG_GAP */
	uint32_t next;	     /* compact when the tree has this many nodes */
	uint32_t min_nodes;  /* ... never below this */
	uint32_t pend[FG_PRUNE_PEND], npend; /* left but possibly revisited */
	struct fg_span *path;		     /* scratch: a path as spans */
	uint32_t path_cap;
	uint64_t dropped, stuck;
	uint32_t peak;
	unsigned compactions;
};

struct fg {
	struct fg_strtab names;
	struct fg_node *nodes; /* nodes[0] is the root ("all"); parents precede children */
	uint64_t *self;	       /* count of stacks ending at each node (new side) */
	uint64_t *base;	       /* base (old) self counts, allocated once differential */
	uint32_t n, cap;
	struct fg_slot *slots; /* (parent, name) -> node, for children of wide nodes */
	uint32_t mask, nslots;
	uint64_t total, base_total;
	bool has_base_tree;	 /* fg__set_base() was called */
	enum fg_cols cols;	 /* what the folded lines so far were */
	enum fg_cols input_cols; /* what the current input stream is */
	struct fg_prev prev;
	struct fg_span *scratch; /* frames of the line being parsed */
	uint32_t scratch_cap;
	const char *src; /* input name and line number for messages */
	unsigned long lineno;
	struct fg_prune prune;
};

uint64_t fg_hash_bytes(const void *p, size_t n);

/* *pp = realloc(*pp, n * size), overflow-checked; *pp is kept on failure. 0 or -ENOMEM. */
int fg_resize(void *pp, size_t n, size_t size);
/* Zeroed memory for big random-access tables (huge pages), and its release. */
void *fg_big_calloc(size_t len);
void fg_big_free(void *p, size_t len);

int fg_strtab__init(struct fg_strtab *s);
void fg_strtab__fini(struct fg_strtab *s);
/* Returns the id (>= 0) of @p[0..len), adding it when new, or -ENOMEM/-E2BIG. */
int64_t fg_strtab__intern(struct fg_strtab *s, const char *p, size_t len, uint64_t h);

static inline const char *fg_strtab__str(const struct fg_strtab *s, uint32_t id, size_t *len)
{
	*len = s->slen[id];
	return s->buf + s->off[id];
}

/* Add @count (and @base) to the stack @fr[0..n), root first, n >= 1. 0 or -errno. */
int fg_tree__add(struct fg *t, const struct fg_span *fr, uint32_t n, uint64_t count, uint64_t base);
/* Make sure t->base exists (the tree becomes differential). 0 or -ENOMEM. */
int fg_tree__make_diff(struct fg *t);
/* Whether @node stands for pruned siblings (never drawn). */
static inline bool fg_tree__gap(const struct fg *t, uint32_t node)
{
	return t->prune.closed && (t->prune.closed[node] & FG_GAP);
}
/* Name of @node ("all" for the root). */
const char *fg__name(const struct fg *t, uint32_t node, size_t *len);
/* qsort_r order of node ids (uint32_t) by name, bytes then length; @tree: the fg. */
int fg_tree__cmp_names(const void *a, const void *b, void *tree);
/* The children of @node in name order into *kids (*cap: its room, grown). Count or -ENOMEM. */
int64_t fg_tree__sorted_children(const struct fg *t, uint32_t node, uint32_t **kids, uint32_t *cap);
/* Inclusive counts per node (malloc'd; *btot only when differential). 0 or -ENOMEM. */
int fg_tree__totals(const struct fg *t, uint64_t **tot, uint64_t **btot);
/* Nothing added yet, no base: fg__set_prune and fg__read_folded may prune it. */
static inline bool fg_tree__fresh(const struct fg *t)
{
	return t->n == 1 && !t->total && !t->base && t->cols == FG_COLS_UNKNOWN;
}
/* A copy of @t with every stack reversed (leaf first), or NULL on ENOMEM. */
struct fg *fg__reversed(const struct fg *t);
/* Room for @n spans in t->scratch. 0 or -ENOMEM. */
int fg_tree__scratch(struct fg *t, uint32_t n);
/* Rebuild the child lists and the wide-node index from parent and name. 0 or -errno. */
int fg_tree__relink(struct fg *t);
/* Empty @t again, keeping its pruning settings (inactive). 0 or -ENOMEM. */
int fg_tree__reset(struct fg *t);

/*
 * Pruning hooks of fg_tree__add: check the line @fr[0..n) (sharing @k frames
 * with the previous one) for order and mark the frames it moved past; 0,
 * -ESTALE (out of order after a drop: read again) or -errno. Compact drops
 * closed frames under the threshold.
 */
int fg_prune__line(struct fg *t, const struct fg_span *fr, uint32_t n, uint32_t k);
int fg_prune__compact(struct fg *t);

#endif
