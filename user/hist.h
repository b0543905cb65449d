/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log-linear latency histograms: each power of two is split into 32 linear
 * sub-buckets, so a reported percentile is within ~3% of the true value (not
 * the factor of two of bare log2 buckets). Values are nanoseconds.
 */
#ifndef ST_HIST_H
#define ST_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 5
#define HIST_SUB      (1u << HIST_SUB_BITS)
#define HIST_OCTAVES  (64 - HIST_SUB_BITS)
#define HIST_BUCKETS  ((HIST_OCTAVES + 1) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t sum;
	uint64_t min, max;
	uint32_t buckets[HIST_BUCKETS];
};

void hist_init(struct hist *h);
void hist_add(struct hist *h, uint64_t v);
void hist_merge(struct hist *dst, const struct hist *src);
/* @p in [0, 100]: the value at that percentile (upper edge of its bucket, clamped
 * to [min, max]); 0 for an empty histogram. */
uint64_t hist_percentile(const struct hist *h, double p);
uint64_t hist_mean(const struct hist *h);

/* Bucket arithmetic, exposed for tests. */
unsigned int hist_bucket(uint64_t v);
uint64_t hist_bucket_low(unsigned int b);
uint64_t hist_bucket_high(unsigned int b);

#endif
