/* SPDX-License-Identifier: GPL-2.0 */
/* A small chained hash table: uint64_t key -> pointer; several values may share a key. */
#ifndef ST_SYMHASH_H
#define ST_SYMHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct symhash;

/* Decides among values stored under the same key. */
typedef bool (*symhash_match_fn)(const void *val, const void *arg);

struct symhash *symhash__new(void);
/* Frees the table, not the values. */
void symhash__free(struct symhash *h);
int symhash__add(struct symhash *h, uint64_t key, void *val);
/* First value under @key for which @match(val, arg) is true (any value if @match is NULL). */
void *symhash__find(const struct symhash *h, uint64_t key, symhash_match_fn match, const void *arg);
/* Remove the entry (@key, @val); false if absent. */
bool symhash__del(struct symhash *h, uint64_t key, const void *val);
size_t symhash__count(const struct symhash *h);

/* Mix two 64-bit values into a key (e.g. device and inode). */
uint64_t symhash__mix(uint64_t a, uint64_t b);
/* A key for @len bytes of a string (FNV-1a). */
uint64_t symhash__str(const char *s, size_t len);

#endif
