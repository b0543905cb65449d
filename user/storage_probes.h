/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The probe table of storage.bpf.h (block timeline, transport stamps, socket
 * exchanges), shared by every tracer that includes those hooks.
 */
#ifndef ST_STORAGE_PROBES_H
#define ST_STORAGE_PROBES_H

#include "kfeat.h"
#include "loader.h"

#define P1(k, prog, tgt, mod, prec)             \
	{                                       \
		k, { prog }, { tgt }, mod, prec \
	}

/* Indices of the entries below, for precision statements. */
enum {
	PR_BLOCK,
	PR_SEND,
	PR_SENDPAGES,
	PR_ARRIVAL,
	PR_READ,
	PR_REMOTE,
	PR_ISCSI,
	PR_STORAGE_NR = 10
};

/*
 * tcp_probe's srtt serves only requests without a send time (user/attrib.c
 * then has no socket): it fires for every TCP segment the node receives, so it
 * is left out when every transport's send is hooked. NVMe-TCP sends through
 * do_tcp_sendpages where the kernel has it (before 6.5), else through
 * tcp_sendmsg_locked; iSCSI through iscsi_tcp_task_xmit.
 */
static inline bool st_tcp_probe_wanted(const int *ch)
{
	bool nvme_tx = ch[PR_SENDPAGES] >= 0 ||
		       (ch[PR_SEND] >= 0 && !st_btf_has_func(NULL, "do_tcp_sendpages") &&
			!st_kallsyms_has("do_tcp_sendpages"));

	return !(nvme_tx && ch[PR_ISCSI] >= 0);
}

#define ST_STORAGE_PROBES                                                                         \
	{ .name = "block_rq",                                                                     \
	  .purpose = "request insert, issue and completion",                                      \
	  .variants = { { ST_AK_TP_BTF,                                                           \
			  { "st_io_insert_btf", "st_io_issue_btf", "st_io_complete_btf" },        \
			  { "block:block_rq_issue", "block:block_rq_complete" },                  \
			  NULL,                                                                   \
			  "block tracepoints with the request" },                                 \
			{ ST_AK_RAW_TP,                                                           \
			  { "st_io_insert_raw", "st_io_issue_raw", "st_io_complete_raw" },        \
			  { "block:block_rq_issue", "block:block_rq_complete" },                  \
			  NULL,                                                                   \
			  "block tracepoints with the request" } },                               \
	  .nvariants = 2 },                                                                       \
	    { .name = "tcp_send",                                                                 \
	      .purpose = "NVMe-TCP command handed to TCP; user sends to storage ports",           \
	      .optional = true,                                                                   \
	      .variants = { P1(ST_AK_FENTRY, "st_io_sendmsg_fentry", "tcp_sendmsg_locked", NULL,  \
			       "exact send time"),                                                \
			    P1(ST_AK_KPROBE, "st_io_sendmsg_kprobe", "tcp_sendmsg_locked", NULL,  \
			       "exact send time") },                                              \
	      .nvariants = 2 },                                                                   \
	    { .name = "tcp_sendpages",                                                            \
	      .purpose = "NVMe-TCP sends through sendpage (kernels before 6.5)",                  \
	      .optional = true,                                                                   \
	      .variants = { P1(ST_AK_FENTRY, "st_io_sendpages_fentry", "do_tcp_sendpages", NULL,  \
			       "exact send time"),                                                \
			    P1(ST_AK_KPROBE, "st_io_sendpages_kprobe", "do_tcp_sendpages", NULL,  \
			       "exact send time") },                                              \
	      .nvariants = 2 },                                                                   \
	    { .name = "tcp_arrival",                                                              \
	      .purpose = "response data arrival on storage sockets",                              \
	      .optional = true,                                                                   \
	      .variants = { P1(ST_AK_FENTRY, "st_io_data_ready_fentry", "tcp_data_ready", NULL,   \
			       "arrival time"),                                                   \
			    P1(ST_AK_KPROBE, "st_io_data_ready_kprobe", "tcp_data_ready", NULL,   \
			       "arrival time") },                                                 \
	      .nvariants = 2 },                                                                   \
	    { .name = "tcp_read",                                                                 \
	      .purpose = "receive passes of the transport",                                       \
	      .optional = true,                                                                   \
	      .variants = { P1(ST_AK_FENTRY, "st_io_read_sock_fentry", "tcp_read_sock", NULL,     \
			       "receive pass"),                                                   \
			    P1(ST_AK_KPROBE, "st_io_read_sock_kprobe", "tcp_read_sock", NULL,     \
			       "receive pass") },                                                 \
	      .nvariants = 2 },                                                                   \
	    { .name = "response_parsed",                                                          \
	      .purpose = "driver parsed the response (t_rx)",                                     \
	      .optional = true,                                                                   \
	      .variants = { P1(ST_AK_FENTRY, "st_io_remote_fentry",                               \
			       "blk_mq_complete_request_remote", NULL, "t_rx at the response"),   \
			    P1(ST_AK_KPROBE, "st_io_remote_kprobe",                               \
			       "blk_mq_complete_request_remote", NULL, "t_rx at the response") }, \
	      .nvariants = 2 },                                                                   \
	    { .name = "iscsi_xmit",                                                               \
	      .purpose = "iSCSI task handed to TCP (command, data-out after R2T)",                \
	      .optional = true,                                                                   \
	      .variants = { P1(ST_AK_FENTRY, "st_io_iscsi_xmit_fentry", "iscsi_tcp_task_xmit",    \
			       "libiscsi_tcp", "exact transmit time (module BTF)"),               \
			    P1(ST_AK_KPROBE, "st_io_iscsi_xmit_kprobe", "iscsi_tcp_task_xmit",    \
			       "libiscsi_tcp", "exact transmit time") },                          \
	      .nvariants = 2 },                                                                   \
	    { .name = "tcp_retransmit",                                                           \
	      .purpose = "retransmissions per socket",                                            \
	      .optional = true,                                                                   \
	      .variants = { P1(ST_AK_TP_BTF, "st_io_retrans_btf", "tcp:tcp_retransmit_skb", NULL, \
			       "every retransmission"),                                           \
			    P1(ST_AK_RAW_TP, "st_io_retrans_raw", "tcp:tcp_retransmit_skb", NULL, \
			       "every retransmission") },                                         \
	      .nvariants = 2 },                                                                   \
	    { .name = "tcp_handshake",                                                            \
	      .purpose = "connection setup to storage ports",                                     \
	      .optional = true,                                                                   \
	      .variants = { P1(ST_AK_TRACEPOINT, "st_io_sock_state", "sock:inet_sock_set_state",  \
			       NULL, "SYN to established") },                                     \
	      .nvariants = 1 },                                                                   \
	    { .name = "tcp_probe",                                                                \
	      .purpose = "srtt per storage port (block-tracepoint mode)",                         \
	      .optional = true,                                                                   \
	      .wanted = st_tcp_probe_wanted,                                                      \
	      .unneeded = "(every transport's send is hooked)",                                   \
	      .variants = { P1(ST_AK_TP_BTF, "st_io_tcp_probe_btf", "tcp:tcp_probe", NULL,        \
			       "srtt of received segments"),                                      \
			    P1(ST_AK_RAW_TP, "st_io_tcp_probe_raw", "tcp:tcp_probe", NULL,        \
			       "srtt of received segments"),                                      \
			    P1(ST_AK_TRACEPOINT, "st_io_tcp_probe", "tcp:tcp_probe", NULL,        \
			       "srtt of received segments") },                                    \
	      .nvariants = 3 },

/*
 * With block completions paused no request is recorded: the hooks that serve
 * only requests go too (st_session_ops.with). Those of socket exchanges
 * (tcp_sendmsg_locked, tcp_data_ready, the handshake, retransmissions) stay.
 */
static const char *const st_io_complete_with[] = {
	"st_io_complete_*",   "st_io_insert_*",	   "st_io_issue_*",
	"st_io_sendpages_*",  "st_io_read_sock_*", "st_io_remote_*",
	"st_io_iscsi_xmit_*", "st_io_tcp_probe*",  NULL
};

#endif
