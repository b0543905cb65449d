/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Folded-stack aggregation (DESIGN.md §3): stacks of frame names, root first,
 * merged by identical path, written sorted so output is deterministic.
 */
#ifndef ST_FOLD_H
#define ST_FOLD_H

#include <stdint.h>
#include <stdio.h>

struct fold;

struct fold *fold__new(void);
void fold__free(struct fold *f);
/*
 * Add @count to the stack @frames[0..n) (root first). Frame names are sanitized
 * for the folded format: ';' and newlines become '_', and a trailing-space
 * count ambiguity is avoided by never emitting an empty frame ("[unknown]").
 */
int fold__add(struct fold *f, const char *const *frames, int n, uint64_t count);
uint64_t fold__total(const struct fold *f);
size_t fold__count(const struct fold *f); /* distinct stacks */

/* Visit stacks sorted by path (lexicographic, bytewise). */
typedef int (*fold_visit_fn)(const char *path, uint64_t count, void *ctx);
int fold__visit_sorted(const struct fold *f, fold_visit_fn fn, void *ctx);
/* Visit the @n heaviest stacks, heaviest first (ties by path). */
int fold__visit_top(const struct fold *f, size_t n, fold_visit_fn fn, void *ctx);

/* "path count\n" lines, sorted by path. Returns 0 or -errno. */
int fold__write(const struct fold *f, FILE *out);

#endif
