/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Aggregation of split I/O latencies by a group name (device, op, process):
 * count, bytes, retransmissions, and a histogram per component. Pure.
 */
#ifndef ST_IOSTATS_H
#define ST_IOSTATS_H

#include "attrib.h"
#include "hist.h"

#include <stddef.h>
#include <stdint.h>

enum iostat_comp { IOS_TOTAL, IOS_KERNEL, IOS_NETWORK, IOS_TARGET, IOS__NR };

struct iostat_group {
	char *name;
	uint64_t count, bytes, retrans_ios, transport_ios;
	struct hist h[IOS__NR];
};

struct iostats {
	struct iostat_group *g;
	size_t n, cap;
};

const char *iostat_comp_name(enum iostat_comp c);
void iostats_init(struct iostats *s);
void iostats_free(struct iostats *s);
/* Add one request to group @name. Returns 0 or -ENOMEM. */
int iostats_add(struct iostats *s, const char *name, const struct io_split *sp,
		enum attrib_precision p, uint64_t bytes);
/* Sort groups by name, for deterministic reports. */
void iostats_sort(struct iostats *s);

#endif
