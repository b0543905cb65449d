/* SPDX-License-Identifier: GPL-2.0 */
/*
 * From an iolat_event (bpf/iolat.h) to its split, with each device's usual
 * target time remembered so a request that lost segments can be judged
 * against it (user/attrib.h). Shared by iolat and nodestage.
 */
#ifndef ST_IOEVENT_H
#define ST_IOEVENT_H

#include "attrib.h"
#include "iolat.h"

#define IOEV_DEVS 64

struct ioev_baseline {
	struct {
		uint32_t dev;
		uint64_t target_ns; /* EWMA of the target time of loss-free requests */
	} d[IOEV_DEVS];
	int n;
};

void ioev_timeline(const struct iolat_event *e, struct io_timeline *t);
/* Split @e, using and then updating the device's baseline. */
enum attrib_precision ioev_split(struct ioev_baseline *b, const struct iolat_event *e,
				 struct io_split *out);

#endif
