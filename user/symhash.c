// SPDX-License-Identifier: GPL-2.0
/* A small chained hash table that doubles when its load passes 1. */
#include "symhash.h"

#include <errno.h>
#include <stdlib.h>

struct symhash_node {
	struct symhash_node *next;
	uint64_t key;
	void *val;
};

struct symhash {
	struct symhash_node **buckets;
	size_t nbuckets; /* a power of two */
	size_t count;
};

#define SYMHASH_MIN_BUCKETS 64

uint64_t symhash__str(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

uint64_t symhash__mix(uint64_t a, uint64_t b)
{
	/* splitmix64 finaliser over a combination of both */
	uint64_t x = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL);

	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static size_t symhash_slot(const struct symhash *h, uint64_t key)
{
	return (size_t)symhash__mix(key, 0) & (h->nbuckets - 1);
}

struct symhash *symhash__new(void)
{
	struct symhash *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->nbuckets = SYMHASH_MIN_BUCKETS;
	h->buckets = calloc(h->nbuckets, sizeof(*h->buckets));
	if (!h->buckets) {
		free(h);
		return NULL;
	}
	return h;
}

void symhash__free(struct symhash *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->nbuckets; i++) {
		struct symhash_node *n = h->buckets[i], *next;

		for (; n; n = next) {
			next = n->next;
			free(n);
		}
	}
	free(h->buckets);
	free(h);
}

/* Doubling keeps chains short; a failed allocation just leaves them longer. */
static void symhash_grow(struct symhash *h)
{
	size_t old = h->nbuckets;
	struct symhash_node **ob = h->buckets, **nb = calloc(old * 2, sizeof(*nb));

	if (!nb)
		return;
	h->buckets = nb;
	h->nbuckets = old * 2;
	for (size_t i = 0; i < old; i++) {
		struct symhash_node *n = ob[i], *next;

		for (; n; n = next) {
			size_t s = symhash_slot(h, n->key);

			next = n->next;
			n->next = nb[s];
			nb[s] = n;
		}
	}
	free(ob);
}

int symhash__add(struct symhash *h, uint64_t key, void *val)
{
	struct symhash_node *n = malloc(sizeof(*n));
	size_t s;

	if (!n)
		return -ENOMEM;
	if (h->count >= h->nbuckets)
		symhash_grow(h);
	s = symhash_slot(h, key);
	n->key = key;
	n->val = val;
	n->next = h->buckets[s];
	h->buckets[s] = n;
	h->count++;
	return 0;
}

void *symhash__find(const struct symhash *h, uint64_t key, symhash_match_fn match, const void *arg)
{
	struct symhash_node *n = h->buckets[symhash_slot(h, key)];

	for (; n; n = n->next) {
		if (n->key == key && (!match || match(n->val, arg)))
			return n->val;
	}
	return NULL;
}

bool symhash__del(struct symhash *h, uint64_t key, const void *val)
{
	struct symhash_node **pp = &h->buckets[symhash_slot(h, key)], *n;

	for (; (n = *pp); pp = &n->next) {
		if (n->key == key && n->val == val) {
			*pp = n->next;
			free(n);
			h->count--;
			return true;
		}
	}
	return false;
}

size_t symhash__count(const struct symhash *h)
{
	return h ? h->count : 0;
}
