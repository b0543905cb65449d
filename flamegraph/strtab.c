// SPDX-License-Identifier: GPL-2.0
/* Interned frame names: one copy of each distinct name, found by hash. */
#include "fg_tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define STRTAB_MIN_SLOTS 1024u
#define STRTAB_MAX_IDS	 (UINT32_MAX / 4)

/* 8 bytes at a time, multiply-xorshift mixing. Internal only: never reaches output. */
uint64_t fg_hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL), v;

	while (n >= 8) {
		memcpy(&v, s, 8);
		h = (h ^ v) * 0xc4ceb9fe1a85ec53ULL;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	v = 0;
	memcpy(&v, s, n);
	h = (h ^ v) * 0xff51afd7ed558ccdULL;
	h ^= h >> 32;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

int fg_strtab__init(struct fg_strtab *s)
{
	memset(s, 0, sizeof(*s));
	s->slots = calloc(STRTAB_MIN_SLOTS, sizeof(*s->slots));
	if (!s->slots)
		return -ENOMEM;
	s->mask = STRTAB_MIN_SLOTS - 1;
	return 0;
}

void fg_strtab__fini(struct fg_strtab *s)
{
	free(s->buf);
	free(s->off);
	free(s->slen);
	free(s->hash);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

static int strtab_rehash(struct fg_strtab *s)
{
	uint32_t nmask = s->mask * 2 + 1, i, j;
	uint32_t *slots = calloc((size_t)nmask + 1, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < s->n; i++) {
		for (j = s->hash[i] & nmask; slots[j]; j = (j + 1) & nmask)
			;
		slots[j] = i + 1;
	}
	free(s->slots);
	s->slots = slots;
	s->mask = nmask;
	return 0;
}

static int strtab_grow_ids(struct fg_strtab *s)
{
	uint32_t ncap = s->idcap ? s->idcap * 2 : 256;

	if (s->idcap >= STRTAB_MAX_IDS)
		return -E2BIG;
	if (fg_resize(&s->off, ncap, sizeof(*s->off)) ||
	    fg_resize(&s->slen, ncap, sizeof(*s->slen)) ||
	    fg_resize(&s->hash, ncap, sizeof(*s->hash)))
		return -ENOMEM;
	s->idcap = ncap;
	return 0;
}

static int strtab_append(struct fg_strtab *s, const char *p, size_t len, uint32_t h)
{
	int err;

	if (len > UINT32_MAX)
		return -E2BIG;
	if (s->n == s->idcap && (err = strtab_grow_ids(s)))
		return err;
	if (s->len + len > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64 * 1024;

		while (ncap < s->len + len)
			ncap *= 2;
		if (fg_resize(&s->buf, ncap, 1))
			return -ENOMEM;
		s->cap = ncap;
	}
	if (len)
		memcpy(s->buf + s->len, p, len);
	s->off[s->n] = s->len;
	s->slen[s->n] = (uint32_t)len;
	s->hash[s->n] = h;
	s->len += len;
	return 0;
}

int64_t fg_strtab__intern(struct fg_strtab *s, const char *p, size_t len, uint64_t h64)
{
	uint32_t h = (uint32_t)h64, i, id;
	int err;

	for (i = h & s->mask; (id = s->slots[i]); i = (i + 1) & s->mask) {
		id--;
		if (s->hash[id] == h && s->slen[id] == len && !memcmp(s->buf + s->off[id], p, len))
			return id;
	}
	err = strtab_append(s, p, len, h);
	if (err)
		return err;
	s->slots[i] = ++s->n;
	if (s->n * 2 > s->mask && (err = strtab_rehash(s)))
		return err;
	return s->n - 1;
}
