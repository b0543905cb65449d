// SPDX-License-Identifier: GPL-2.0
#include "ustkeep.h"
#include "common.h"
#include "symhash.h"
#include "ustack.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Only the frames and the window up to its last code word: ~300 bytes, not 1.3 KB. */
struct kept {
	uint64_t hash, last_t, sp;
	uint32_t nr, nwin, wlen;
	uint64_t w[]; /* ips[0..nr), then win[0..wlen) */
};

struct ustkeep {
	int fd;
	size_t max, n, cap;
	struct kept **v; /* every copy, for pruning */
	struct symhash *by_hash;
	uint64_t over_cap;
	size_t bytes;
	struct st_ustack scratch;
};

struct ustkeep *ustkeep__new(int map_fd, size_t max)
{
	struct ustkeep *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->fd = map_fd;
	k->max = max;
	k->by_hash = symhash__new();
	if (!k->by_hash) {
		free(k);
		return NULL;
	}
	return k;
}

void ustkeep__free(struct ustkeep *k)
{
	size_t i;

	if (!k)
		return;
	for (i = 0; i < k->n; i++)
		free(k->v[i]);
	free(k->v);
	symhash__free(k->by_hash);
	free(k);
}

static size_t kept_size(uint32_t nr, uint32_t wlen)
{
	return sizeof(struct kept) + (nr + wlen) * sizeof(uint64_t);
}

static struct kept *pack(const struct st_ustack *u)
{
	uint32_t nr = u->nr < ST_MAX_STACK ? u->nr : ST_MAX_STACK, wlen = 0, i;
	struct kept *e;

	for (i = 0; u->nwin && i < ST_USTACK_WIN; i++)
		if (u->win[i])
			wlen = i + 1;
	e = malloc(kept_size(nr, wlen));
	if (!e)
		return NULL;
	e->sp = u->sp;
	e->nr = nr;
	e->nwin = u->nwin;
	e->wlen = wlen;
	memcpy(e->w, u->ips, nr * sizeof(uint64_t));
	memcpy(e->w + nr, u->win, wlen * sizeof(uint64_t));
	return e;
}

static void unpack(const struct kept *e, struct st_ustack *u)
{
	memset(u, 0, sizeof(*u));
	u->sp = e->sp;
	u->nr = e->nr;
	u->nwin = e->nwin;
	memcpy(u->ips, e->w, e->nr * sizeof(uint64_t));
	memcpy(u->win, e->w + e->nr, e->wlen * sizeof(uint64_t));
}

static struct kept *find(const struct ustkeep *k, uint64_t hash)
{
	return symhash__find(k->by_hash, hash, NULL, NULL);
}

void ustkeep__note(struct ustkeep *k, uint64_t hash, uint64_t t)
{
	struct kept *e;

	if (!k || !hash)
		return;
	e = find(k, hash);
	if (e) {
		if (t > e->last_t)
			e->last_t = t;
		return;
	}
	if (k->n >= k->max) {
		k->over_cap++;
		return;
	}
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 256;
		struct kept **v = realloc(k->v, cap * sizeof(*v));

		if (!v)
			return;
		k->v = v;
		k->cap = cap;
	}
	if (bpf_map_lookup_elem(k->fd, &hash, &k->scratch))
		return; /* not in the map (a lost capture): nothing to keep */
	e = pack(&k->scratch);
	if (!e || symhash__add(k->by_hash, hash, e)) {
		free(e);
		return;
	}
	e->hash = hash;
	e->last_t = t;
	k->v[k->n++] = e;
	k->bytes += kept_size(e->nr, e->wlen);
	bpf_map_delete_elem(k->fd, &hash);
}

bool ustkeep__get(struct ustkeep *k, uint64_t hash, struct st_ustack *out)
{
	struct kept *e;

	if (!k || !hash)
		return false;
	e = find(k, hash);
	if (e) {
		unpack(e, out);
		return true;
	}
	return !bpf_map_lookup_elem(k->fd, &hash, out);
}

void ustkeep__prune(struct ustkeep *k, uint64_t horizon)
{
	uint64_t key, next, *prev = NULL;
	size_t i, out = 0;

	if (!k)
		return;
	for (i = 0; i < k->n; i++) {
		struct kept *e = k->v[i];

		if (e->last_t >= horizon) {
			k->v[out++] = e;
			continue;
		}
		symhash__del(k->by_hash, e->hash, e);
		k->bytes -= kept_size(e->nr, e->wlen);
		free(e);
	}
	k->n = out;
	/*
	 * A stack captured again after its entry went (BPF re-inserts it): the copy
	 * serves its records, the entry would stay for good. Delete after the walk
	 * steps past a key, so the walk never restarts.
	 */
	while (!bpf_map_get_next_key(k->fd, prev, &next)) {
		if (prev && find(k, key))
			bpf_map_delete_elem(k->fd, &key);
		key = next;
		prev = &key;
	}
	if (prev && find(k, key))
		bpf_map_delete_elem(k->fd, &key);
}

size_t ustkeep__count(const struct ustkeep *k)
{
	return k ? k->n : 0;
}

size_t ustkeep__bytes(const struct ustkeep *k)
{
	return k ? k->bytes : 0;
}

uint64_t ustkeep__over_cap(const struct ustkeep *k)
{
	return k ? k->over_cap : 0;
}
