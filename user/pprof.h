/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pprof export: stacks and values encoded as a gzip-compressed profile.proto
 * message (github.com/google/pprof/blob/main/proto/profile.proto), the format
 * `go tool pprof`, Parca, Pyroscope and Grafana read. Written by hand: a few
 * varints and length-delimited fields, no protobuf library.
 *
 * Frames carry no addresses: one function and one location per distinct frame
 * name ("[k] " kernel frames and "[wait]"-style pseudo-frames kept as they are).
 * Output is deterministic: ids in order of first appearance, samples in the
 * order added, gzip header without a timestamp.
 */
#ifndef ST_PPROF_H
#define ST_PPROF_H

#include <stdint.h>
#include <stdio.h>

struct fold;

struct pprof_meta {
	const char *sample_type; /* "offcpu", "samples", "nodestage" */
	const char *unit;	 /* "microseconds", "count", "nanoseconds" */
	int64_t period;		 /* what one event weighs in @unit; 0 = omitted */
	int64_t duration_ns;	 /* length of the recording; 0 = omitted */
	int64_t time_ns;	 /* wall-clock start (Unix ns); 0 = omitted */
};

struct pprof;

/* NULL on ENOMEM. The meta strings are copied. */
struct pprof *pprof__new(const struct pprof_meta *m);
void pprof__free(struct pprof *p);
/*
 * One sample: @frames[0..n) root first (as in folded stacks), @value in the
 * unit. Identical stacks are not merged (pprof readers sum them). 0 or -errno.
 */
int pprof__add(struct pprof *p, const char *const *frames, int n, int64_t value);
/* The gzip-compressed profile to @out. 0 or -errno (-EIO on a write error). */
int pprof__write(const struct pprof *p, FILE *out);

/*
 * --pprof FILE from a folded-stack aggregate: stacks in path order, counts as
 * values. Written safely (st_out_open/st_out_commit); "-" = stdout. 0 or -errno
 * after one error line.
 */
int pprof_write_fold(const struct fold *f, const char *path, const struct pprof_meta *m);

#endif
