/* SPDX-License-Identifier: GPL-2.0 */
/* Binary search shared by the symbol tables: address-sorted arrays of structs. */
#ifndef ST_SYMSEARCH_H
#define ST_SYMSEARCH_H

#include <stddef.h>
#include <stdint.h>

/*
 * In an array of @n elements of @stride bytes, sorted by the uint64_t at @key_off in each,
 * the number of elements whose key is <= @key (so the last such one is at the result
 * minus one; 0 means none).
 */
size_t sym_upper_bound(const void *base, size_t n, size_t stride, size_t key_off, uint64_t key);

#endif
