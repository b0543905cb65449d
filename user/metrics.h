/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small metrics registry rendered as Prometheus / OpenMetrics text:
 * counters and histograms (fixed seconds buckets) with label sets. Bounded:
 * each metric keeps at most a set number of label sets; when full, the series
 * updated least recently is dropped (and counted), so days of running with
 * ever new volumes do not grow memory. Pure; callers serialize access.
 */
#ifndef ST_METRICS_H
#define ST_METRICS_H

#include <stdint.h>
#include <stdio.h>

enum metric_type { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

#define METRIC_BUCKETS 20 /* seconds: 50 us (I/O) .. 120 s (staging), then +Inf */

struct metrics;
struct metric;

struct metrics *metrics__new(void);
void metrics__free(struct metrics *r);
/* Declare a metric (name without suffixes) with up to 4 label names. */
struct metric *metrics__add(struct metrics *r, const char *name, const char *help,
			    enum metric_type t, int max_series, int nlabels,
			    const char *const *labels);
/* Update a series, identified by its label values (nlabels of them). @now orders eviction. */
void metric__inc(struct metric *m, const char *const *values, double by, uint64_t now);
void metric__set(struct metric *m, const char *const *values, double v, uint64_t now);
void metric__observe(struct metric *m, const char *const *values, double seconds, uint64_t now);
/* Drop series not updated since @before (gauges of volumes gone, for instance). */
void metric__expire(struct metric *m, uint64_t before);
/* Series dropped to stay within max_series (itself exported). */
uint64_t metrics__evicted(const struct metrics *r);
/* The exposition text, "# EOF" terminated. Returns 0 or -EIO. */
int metrics__render(const struct metrics *r, FILE *out);

#endif
