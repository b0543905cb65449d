// SPDX-License-Identifier: GPL-2.0
/* Binary search shared by the symbol tables. */
#include "symsearch.h"

#include <string.h>

size_t sym_upper_bound(const void *base, size_t n, size_t stride, size_t key_off, uint64_t key)
{
	const unsigned char *b = base;
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t k;

		memcpy(&k, b + mid * stride + key_off, sizeof(k));
		if (k <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
