// SPDX-License-Identifier: GPL-2.0
#include "attrib.h"

#include <string.h>

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Network share of @wire: the path RTT per exchange, plus what a loss cost. */
static uint64_t network_of(uint64_t t_tx, uint64_t wire, uint32_t exchanges, uint32_t rtt_us,
			   uint32_t retrans, uint64_t t_last_retrans)
{
	uint64_t net = (uint64_t)(exchanges ? exchanges : 1) * rtt_us * 1000ULL;

	/* A lost segment: everything until its retransmission was spent on the wire. */
	if (retrans && t_last_retrans > t_tx)
		net += t_last_retrans - t_tx;
	return min_u64(net, wire);
}

enum attrib_precision attrib_io(const struct io_timeline *t, struct io_split *out)
{
	uint64_t start = t->t_insert && t->t_insert <= t->t_issue ? t->t_insert : t->t_issue;
	uint64_t tx = t->t_tx, rx = t->t_rx, wire;
	enum attrib_precision p = ATTRIB_TRANSPORT;

	memset(out, 0, sizeof(*out));
	if (!start || t->t_complete < start)
		return ATTRIB_BLOCK;
	out->total = t->t_complete - start;
	if (!tx || !rx || tx < start || rx < tx || rx > t->t_complete) {
		p = ATTRIB_BLOCK;
		tx = t->t_issue;
		rx = t->t_complete;
	}
	wire = rx - tx;
	out->network = network_of(tx, wire, t->exchanges, t->rtt_us, t->retrans,
				  t->t_last_retrans <= rx ? t->t_last_retrans : 0);
	out->target = wire - out->network;
	out->retransmitted = t->retrans > 0 || t->lost_back > 0;
	if (out->retransmitted && t->target_hint && out->target > t->target_hint) {
		out->target = t->target_hint;
		out->network = wire - out->target;
	}
	out->kernel = out->total - wire;
	return p;
}

void attrib_exchange(uint64_t t_send, uint64_t t_recv, uint32_t rtt_us, uint32_t retrans,
		     uint64_t t_last_retrans, struct io_split *out)
{
	memset(out, 0, sizeof(*out));
	if (!t_send || t_recv < t_send)
		return;
	out->total = t_recv - t_send;
	out->network = network_of(t_send, out->total, 1, rtt_us, retrans,
				  t_last_retrans <= t_recv ? t_last_retrans : 0);
	out->target = out->total - out->network;
	out->retransmitted = retrans > 0;
}
