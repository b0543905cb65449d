/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User stacks kept out of the BPF map st_ustacks. The map holds a stack from
 * its capture until user space has read the record that names it; the copy
 * here lives as long as a record that may still be reported refers to it, so
 * a long run (nodestage on a node for days, processes with fresh ASLR bases
 * by the thousand) never fills the map and loses every later stack.
 */
#ifndef ST_USTKEEP_H
#define ST_USTKEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct st_ustack;
struct ustkeep;

/* @map_fd: the st_ustacks hash (key u64, value struct st_ustack); @max copies at most. */
struct ustkeep *ustkeep__new(int map_fd, size_t max);
void ustkeep__free(struct ustkeep *k);
/*
 * A record at time @t names stack @hash: copy it out of the map (and delete
 * the map's entry) the first time; later records only move its last use on.
 */
void ustkeep__note(struct ustkeep *k, uint64_t hash, uint64_t t);
/* The stack @hash: the copy, else the map's entry. */
bool ustkeep__get(struct ustkeep *k, uint64_t hash, struct st_ustack *out);
/*
 * Forget copies last used before @horizon; delete map entries that were
 * captured again although a copy exists (another thread, same stack).
 */
void ustkeep__prune(struct ustkeep *k, uint64_t horizon);
size_t ustkeep__count(const struct ustkeep *k);
size_t ustkeep__bytes(const struct ustkeep *k);
/* Stacks the cap kept from being copied (they stay in the map). */
uint64_t ustkeep__over_cap(const struct ustkeep *k);

#endif
