/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The attribution model (DESIGN.md §4): split one storage request, or one
 * socket exchange, into kernel / network / target. Pure arithmetic.
 */
#ifndef ST_ATTRIB_H
#define ST_ATTRIB_H

#include <stdbool.h>
#include <stdint.h>

enum attrib_precision {
	ATTRIB_TRANSPORT, /* t_tx and t_rx from the transport (fentry/kprobe) */
	ATTRIB_BLOCK,	  /* block tracepoints only: wire = issue -> complete */
};

/* Nanosecond timestamps on one clock; 0 = not observed. */
struct io_timeline {
	uint64_t t_insert;   /* block layer got it (may be 0: issued directly) */
	uint64_t t_issue;    /* handed to the driver */
	uint64_t t_tx;	     /* command PDU handed to TCP */
	uint64_t t_rx;	     /* response (first PDU for it) arrived */
	uint64_t t_complete; /* block layer completion */
	uint32_t exchanges;  /* round trips on the wire: 1 + R2T/data-out rounds */
	uint32_t retrans;    /* TCP retransmissions on its socket during the exchange */
	uint64_t t_last_retrans;
	uint32_t rtt_us;      /* the connection's path RTT (min_rtt; else srtt) */
	uint32_t lost_back;   /* segments the target had to resend to us (out of order) */
	uint64_t target_hint; /* the device's usual target time (0: unknown) */
};

struct io_split {
	uint64_t total, kernel, network, target;
	bool retransmitted;
};

/*
 * kernel  = (t_tx - start) + (t_complete - t_rx)
 * wire    = t_rx - t_tx
 * network = min(wire, exchanges * rtt [+ time lost to retransmission])
 * target  = wire - network
 * A request that lost segments (ours retransmitted, or theirs arriving out of
 * order) is given at most the device's usual target time (@target_hint); the
 * rest of its wire time went to loss recovery: network.
 * Missing transport timestamps degrade to ATTRIB_BLOCK. Returns the precision used.
 */
enum attrib_precision attrib_io(const struct io_timeline *t, struct io_split *out);

/* One socket exchange: last send -> first receive, with the same split. */
void attrib_exchange(uint64_t t_send, uint64_t t_recv, uint32_t rtt_us, uint32_t retrans,
		     uint64_t t_last_retrans, struct io_split *out);

#endif
