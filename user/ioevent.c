// SPDX-License-Identifier: GPL-2.0
#include "ioevent.h"

#include <string.h>

void ioev_timeline(const struct iolat_event *e, struct io_timeline *t)
{
	memset(t, 0, sizeof(*t));
	t->t_insert = e->t_insert;
	t->t_issue = e->t_issue ? e->t_issue : e->t_tx;
	t->t_tx = e->t_tx;
	t->t_rx = e->t_rx;
	t->t_complete = e->t_complete;
	t->exchanges = e->exchanges;
	t->retrans = e->retrans;
	t->t_last_retrans = e->t_last_retrans;
	t->rtt_us = e->rtt_us;
	t->lost_back = e->ooo;
}

static uint64_t *slot(struct ioev_baseline *b, uint32_t dev)
{
	int i;

	for (i = 0; i < b->n; i++)
		if (b->d[i].dev == dev)
			return &b->d[i].target_ns;
	if (b->n == IOEV_DEVS)
		return NULL;
	b->d[b->n].dev = dev;
	b->d[b->n].target_ns = 0;
	return &b->d[b->n++].target_ns;
}

enum attrib_precision ioev_split(struct ioev_baseline *b, const struct iolat_event *e,
				 struct io_split *out)
{
	uint64_t *base = slot(b, e->dev);
	enum attrib_precision p;
	struct io_timeline t;

	ioev_timeline(e, &t);
	t.target_hint = base ? *base : 0;
	p = attrib_io(&t, out);
	/* Learn from clean requests only: 1/8 weight, like TCP's srtt. */
	if (base && !out->retransmitted && p == ATTRIB_TRANSPORT)
		*base = *base ? *base - *base / 8 + out->target / 8 : out->target;
	return p;
}
