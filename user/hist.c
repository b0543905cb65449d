// SPDX-License-Identifier: GPL-2.0
#include "hist.h"

#include <string.h>

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

/* Values below HIST_SUB get one bucket each; above, octave o has HIST_SUB buckets. */
unsigned int hist_bucket(uint64_t v)
{
	unsigned int msb, shift;

	if (v < HIST_SUB)
		return (unsigned int)v;
	msb = 63 - (unsigned int)__builtin_clzll(v);
	shift = msb - HIST_SUB_BITS;
	return (shift + 1) * HIST_SUB + (unsigned int)((v >> shift) & (HIST_SUB - 1));
}

uint64_t hist_bucket_low(unsigned int b)
{
	unsigned int octave = b / HIST_SUB, sub = b % HIST_SUB;

	if (octave == 0)
		return sub;
	return (uint64_t)(HIST_SUB + sub) << (octave - 1);
}

uint64_t hist_bucket_high(unsigned int b)
{
	if (b + 1 >= HIST_BUCKETS)
		return UINT64_MAX;
	return hist_bucket_low(b + 1) - 1;
}

void hist_add(struct hist *h, uint64_t v)
{
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->buckets[hist_bucket(v)]++;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	unsigned int i;

	if (!src->count)
		return;
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	for (i = 0; i < HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
}

uint64_t hist_percentile(const struct hist *h, double p)
{
	uint64_t rank, seen = 0, v;
	unsigned int i;

	if (!h->count)
		return 0;
	if (p <= 0)
		return h->min;
	if (p >= 100)
		return h->max;
	/* The smallest value with at least p% of the samples at or below it. */
	rank = (uint64_t)((p / 100.0) * (double)h->count + 0.999999);
	if (rank == 0)
		rank = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			break;
	}
	/* The middle of the bucket halves the worst-case error. */
	v = hist_bucket_low(i) + (hist_bucket_high(i) - hist_bucket_low(i)) / 2;
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}

uint64_t hist_mean(const struct hist *h)
{
	return h->count ? h->sum / h->count : 0;
}
