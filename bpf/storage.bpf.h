/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Storage I/O timelines, shared by iolat and nodestage: per-request timeline of block I/O on iSCSI and NVMe-TCP devices,
 *   t_insert -> t_issue -> t_tx (command handed to TCP) -> t_rx (its response
 *   arrived) -> t_complete,
 * plus the connection's RTT and retransmissions, so user space can split each
 * request into kernel / network / target (DESIGN.md §4, user/attrib.c).
 *
 * Hook points, all generic kernel functions except the iSCSI transmit hook:
 * - block:block_rq_{insert,issue,complete} (tp_btf, else raw_tp): the request;
 * - tcp_sendmsg_locked / do_tcp_sendpages: a send on an NVMe-TCP socket; the
 *   queue (sk_user_data) names the request being sent and its send state;
 * - iscsi_tcp_task_xmit: an iSCSI task (command, or data-out after an R2T);
 * - tcp_data_ready: data arrived on a storage socket (the arrival time);
 *   tcp_read_sock: the transport starts consuming it (a receive pass);
 * - blk_mq_complete_request_remote: the driver has parsed the response; its
 *   t_rx is the arrival time of the receive pass that parsed it;
 * - tcp_retransmit_skb (tp_btf, else raw_tp): retransmissions per socket;
 * - inet_sock_set_state: TCP handshakes to storage ports;
 * - tcp_probe: per-port srtt for the block-tracepoint-only mode.
 * Without fentry or kprobes only the tracepoints remain: then t_tx = t_issue
 * and t_rx = t_complete, and user space says so.
 */
#ifndef ST_STORAGE_BPF_H
#define ST_STORAGE_BPF_H

#include <bpf/bpf_endian.h>

#include "storage_types.h"
#include "core_fixes.bpf.h"
#include "iolat.h"
#include "ustack.bpf.h"

const volatile __u16 nvme_port = 4420;
const volatile __u16 iscsi_port = 3260;
const volatile __u16 nfs_port = 2049;
const volatile __u16 extra_port = 0;	 /* --port: exchanges only */
const volatile bool filter_devs = true;	 /* only devices in devs (learnt or given) */
const volatile bool learn_devs = true;	 /* a transport send adds its device to devs */
const volatile bool exchanges = true;	 /* emit socket exchanges on storage ports */
const volatile bool want_stacks = false; /* submitter stacks for --folded/--svg */

struct iolat_req {
	__u64 t_insert, t_issue, t_tx, t_last_send;
	__u64 sk;
	__u64 last_r2t;
	__u32 retrans_at_tx;
	__u32 ooo_at_tx; /* the socket's out-of-order arrivals: losses on the way back */
	__u32 exchanges;
	__u32 pid, tid;
	__u8 proto, flags;
	__u8 r2t_unnamed; /* an R2T counted before its pointer was current */
	char comm[ST_COMM_LEN];
	__u64 t_rx;
	__u64 rx_retrans_ts;
	__u32 rx_retrans;
	__u32 rx_ooo;
	__u32 rtt_us, srtt_us;
	__u64 ustack;
	__s32 kstack;
	__u64 cgid;
};

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 8192);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, ST_MAX_STACK * sizeof(__u64));
} kstacks SEC(".maps");

/* Per storage socket: arrivals, receive passes, retransmissions, exchanges. */
struct iolat_sock {
	__u64 arrival;	    /* first data_ready since the last receive pass began */
	__u64 pass_arrival; /* arrival time of the data the current pass consumes */
	__u64
	    first_arrival; /* first data since the last completion or data-out: a response starts */
	__u64 last_retrans;
	__u32 retrans;
	__u8 proto;
	__u8 kernel_owned; /* sk_user_data set: a transport queue, not a user socket */
	__u16 dport;
	__u64 x_send; /* user socket: last send not yet answered */
	__u32 x_bytes;
	__u32 x_pid, x_tid;
	__u32 x_retrans;
	char x_comm[ST_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} devs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct iolat_req);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct iolat_sock);
} socks SEC(".maps");

/*
 * The lowest srtt per destination port over the last 10 s, from tcp:tcp_probe
 * (block-tracepoint mode): srtt carries delayed-ACK inflation, its minimum less.
 */
struct port_rtt {
	__u32 srtt_us;
	__u32 pad;
	__u64 since;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);
	__type(value, struct port_rtt);
} port_srtt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1024 * 1024);
} events SEC(".maps");

/* ---- requests ------------------------------------------------------------ */

static __always_inline __u32 rq_dev(struct request *rq)
{
	struct gendisk *disk;
	__u32 dev = BPF_CORE_READ(rq, part, bd_dev);

	if (dev)
		return dev;
	disk = st_rq_disk(rq);
	if (!disk)
		return 0;
	return (__u32)BPF_CORE_READ(disk, major) << 20 | (__u32)BPF_CORE_READ(disk, first_minor);
}

/*
 * The paths of NVMe multipath namespaces (nvmeXcYnZ) are hidden disks: their
 * requests carry the path's own dev_t, which sysfs does not show. User space
 * names them here (nr_hidden > 0); the first request seen on one adds its
 * dev_t to devs.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct iolat_disk_key);
	__type(value, __u8);
} hidden_devs SEC(".maps");

__u32 nr_hidden = 0;

static __always_inline bool dev_wanted(__u32 dev)
{
	return !filter_devs || bpf_map_lookup_elem(&devs, &dev);
}

static __always_inline bool rq_wanted(struct request *rq)
{
	struct iolat_disk_key k = {};
	struct gendisk *disk;
	__u32 dev = rq_dev(rq);
	__u8 one = 1;

	if (dev_wanted(dev))
		return true;
	if (!nr_hidden || !dev || !(disk = st_rq_disk(rq)))
		return false;
	BPF_CORE_READ_STR_INTO(&k.name, disk, disk_name);
	if (!bpf_map_lookup_elem(&hidden_devs, &k))
		return false;
	bpf_map_update_elem(&devs, &dev, &one, BPF_ANY);
	return true;
}

/*
 * The request's sampling key: its allocation time, set by the block layer
 * when I/O statistics are on (the default); 0 when it is not known, or when
 * nothing is sampled out.
 */
static __always_inline __u64 rq_sample_key(__u64 rq)
{
	return st_sample_n > 1 ? BPF_CORE_READ((struct request *)rq, start_time_ns) : 0;
}

/*
 * The request's state; @create makes it at first sight, but only for a
 * request --sample keeps (decided by its key, the same at every hook), so an
 * unsampled request costs each hook a failed lookup.
 */
static __always_inline struct iolat_req *req_get(__u64 rq, bool create)
{
	struct iolat_req zero = {}, *r = bpf_map_lookup_elem(&inflight, &rq);
	__u64 key;

	if (r || !create)
		return r;
	key = rq_sample_key(rq);
	if (key && !st_sampled_key(key))
		return NULL;
	return st_lookup_or_init(&inflight, &rq, &zero);
}

/*
 * The task that submitted the I/O: the first one seen for the request, with
 * its stacks when --folded/--svg want them (@ctx NULL: not a stack context).
 */
static __always_inline void note_submitter(struct iolat_req *r, void *ctx)
{
	struct pt_regs *regs;
	__u64 id;

	if (r->pid)
		return;
	id = bpf_get_current_pid_tgid();
	r->pid = id >> 32;
	r->tid = (__u32)id;
	r->kstack = -1;
	r->cgid = bpf_get_current_cgroup_id();
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	if (!want_stacks || !ctx)
		return;
	r->kstack = bpf_get_stackid(ctx, &kstacks, 0);
	if (r->kstack < 0)
		st_drop(ST_DROP_STACK_KERNEL);
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	if (regs && BPF_CORE_READ((struct task_struct *)bpf_get_current_task_btf(), mm)) {
		r->ustack = st_ustack_capture(ctx, BPF_CORE_READ(regs, sp));
		if (r->ustack)
			st_note_process(r->pid);
	}
}

static __always_inline int on_insert(void *ctx, struct request *rq)
{
	struct iolat_req *r;

	if (!rq_wanted(rq))
		return 0;
	r = req_get((__u64)rq, true);
	if (!r)
		return 0;
	if (!r->t_insert)
		r->t_insert = bpf_ktime_get_ns();
	note_submitter(r, ctx);
	return 0;
}

static __always_inline int on_issue(void *ctx, struct request *rq)
{
	struct iolat_req *r;

	if (!rq_wanted(rq))
		return 0;
	r = req_get((__u64)rq, true);
	if (!r)
		return 0;
	if (r->t_issue)
		r->flags |= IOLAT_F_REQUEUED;
	else
		r->t_issue = bpf_ktime_get_ns();
	note_submitter(r, ctx);
	return 0;
}

static __always_inline void fill_event(struct iolat_event *e, const struct iolat_req *r,
				       struct request *rq, __u64 now)
{
	e->t_insert = r->t_insert;
	e->t_issue = r->t_issue;
	e->t_tx = r->t_tx;
	e->t_rx = r->t_rx;
	e->t_complete = now;
	e->t_last_retrans = r->rx_retrans ? r->rx_retrans_ts : 0;
	e->retrans = r->rx_retrans;
	e->ooo = r->rx_ooo;
	e->rtt_us = r->rtt_us;
	e->srtt_us = r->srtt_us;
	e->exchanges = r->exchanges ? r->exchanges : 1;
	e->pid = r->pid;
	e->tid = r->tid;
	e->proto = r->proto;
	e->flags = r->flags;
	__builtin_memcpy(e->comm, r->comm, sizeof(e->comm));
	e->ustack = r->ustack;
	e->kstack = r->pid ? r->kstack : -1;
	e->cgid = r->cgid;
	e->dev = rq_dev(rq);
	{
		struct gendisk *disk = st_rq_disk(rq);

		if (disk)
			BPF_CORE_READ_STR_INTO(&e->disk, disk, disk_name);
		else
			e->disk[0] = '\0';
	}
	e->sector = BPF_CORE_READ(rq, __sector);
	e->op = BPF_CORE_READ(rq, cmd_flags) & 0xff; /* REQ_OP_MASK */
}

/* Block-tracepoint mode: no socket known, use the storage ports' srtt. */
static __always_inline void port_rtt(struct iolat_event *e)
{
	__u16 p1 = nvme_port, p2 = iscsi_port;
	struct port_rtt *a = bpf_map_lookup_elem(&port_srtt, &p1);
	struct port_rtt *b = bpf_map_lookup_elem(&port_srtt, &p2);
	__u32 v = 0;

	if (a && a->srtt_us)
		v = a->srtt_us;
	if (b && b->srtt_us && (!v || b->srtt_us < v))
		v = b->srtt_us;
	e->srtt_us = v;
	e->rtt_us = v;
}

static __always_inline int on_complete(struct request *rq, __u32 bytes, int error)
{
	__u64 key = (__u64)rq, now = bpf_ktime_get_ns();
	struct iolat_req *r = bpf_map_lookup_elem(&inflight, &key);
	struct iolat_record *rec;

	__u64 skey = rq_sample_key(key);
	bool sampled = !skey || st_sampled_key(skey);

	if (!r) {
		/* never tracked as --sample left it out: counted here, once */
		if (!sampled && rq_wanted(rq))
			st_drop(ST_DROP_SAMPLED_OUT);
		return 0;
	}
	/* Tracked, then left out by a sampling rate raised since (a subset). */
	if (!sampled)
		st_drop(ST_DROP_SAMPLED_OUT);
	if (!sampled || !st_admit_ex(now, !skey)) {
		bpf_map_delete_elem(&inflight, &key);
		return 0;
	}
	rec = st_bulk_reserve(&events, sizeof(*rec));
	if (!rec) {
		st_drop(ST_DROP_RINGBUF_FULL);
		bpf_map_delete_elem(&inflight, &key);
		return 0;
	}
	rec->type = IOLAT_EV_IO;
	fill_event(&rec->io, r, rq, now);
	rec->io.bytes = bytes;
	rec->io.error = error ? 1 : 0;
	if (!r->t_tx)
		port_rtt(&rec->io);
	st_bulk_submit(&events, rec);
	bpf_map_delete_elem(&inflight, &key);
	return 0;
}

SEC("tp_btf/block_rq_insert")
int BPF_PROG(st_io_insert_btf, struct request *rq)
{
	return on_insert(ctx, rq);
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(st_io_issue_btf, struct request *rq)
{
	return on_issue(ctx, rq);
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(st_io_complete_btf, struct request *rq, int error, unsigned int nr_bytes)
{
	return on_complete(rq, nr_bytes, error);
}

SEC("raw_tp/block_rq_insert")
int BPF_PROG(st_io_insert_raw, struct request *rq)
{
	return on_insert(ctx, rq);
}

SEC("raw_tp/block_rq_issue")
int BPF_PROG(st_io_issue_raw, struct request *rq)
{
	return on_issue(ctx, rq);
}

SEC("raw_tp/block_rq_complete")
int BPF_PROG(st_io_complete_raw, struct request *rq, int error, unsigned int nr_bytes)
{
	return on_complete(rq, nr_bytes, error);
}

/* ---- sockets --------------------------------------------------------------- */

static __always_inline __u16 sk_dport(struct sock *sk)
{
	return bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
}

static __always_inline __u8 port_proto(__u16 dport)
{
	if (dport == nvme_port)
		return IOLAT_PROTO_NVME_TCP;
	if (dport == iscsi_port)
		return IOLAT_PROTO_ISCSI;
	if (dport == nfs_port)
		return IOLAT_PROTO_NFS;
	if (extra_port && dport == extra_port)
		return IOLAT_PROTO_OTHER;
	return 0;
}

/*
 * The state of socket @sk. Entries go when their socket closes; one left by a
 * closed socket whose memory a new one reuses (other port or protocol) starts
 * over, so a new connection never reports under an old one's port.
 */
static __always_inline struct iolat_sock *sock_get(struct sock *sk, __u8 proto, __u16 dport)
{
	__u64 key = (__u64)sk;
	struct iolat_sock *s = bpf_map_lookup_elem(&socks, &key), zero = {};

	if (s && s->dport == dport && s->proto == proto)
		return s;
	zero.proto = proto;
	zero.dport = dport;
	bpf_map_update_elem(&socks, &key, &zero, s ? BPF_EXIST : BPF_NOEXIST);
	return bpf_map_lookup_elem(&socks, &key);
}

/*
 * Segments that arrived out of order: the target lost one on the way to us and
 * resent it (its retransmissions are not ours to see). Kernel 5.4 added it.
 */
static __always_inline __u32 sock_ooo(struct sock *sk)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;

	if (!bpf_core_field_exists(tp->rcv_ooopack))
		return 0;
	return BPF_CORE_READ(tp, rcv_ooopack);
}

/* The connection's path RTT in us: windowed min_rtt, else smoothed RTT. */
static __always_inline void sock_rtt(struct sock *sk, __u32 *rtt, __u32 *srtt)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	__u32 m = BPF_CORE_READ(tp, rtt_min.s[0].v);

	*srtt = BPF_CORE_READ(tp, srtt_us) >> 3;
	*rtt = m && m != ~0U ? m : *srtt;
}

/* An NVMe-TCP send: the queue's current request and where its send stands. */
static __always_inline void nvme_send(struct sock *sk, struct iolat_sock *s, __u64 now)
{
	struct nvme_tcp_queue *q = BPF_CORE_READ(sk, sk_user_data);
	struct nvme_tcp_request *req;
	struct iolat_req *r;
	__u64 rq;
	__u32 state;

	if (!bpf_core_type_exists(struct nvme_tcp_queue) || !q)
		return;
	req = BPF_CORE_READ(q, request);
	if (!req || BPF_CORE_READ(req, offset))
		return;
	state = BPF_CORE_READ(req, state);
	rq = (__u64)req - bpf_core_type_size(struct request);
	r = req_get(rq, learn_devs);
	if (!r)
		return;
	r->proto = IOLAT_PROTO_NVME_TCP;
	if (state == NVME_TCP_SEND_CMD_PDU && !r->t_tx) {
		__u32 dev = rq_dev((struct request *)rq);
		__u8 one = 1;

		r->t_tx = now;
		r->sk = (__u64)sk;
		r->retrans_at_tx = s->retrans;
		r->ooo_at_tx = sock_ooo(sk);
		r->flags |= IOLAT_F_TRANSPORT;
		if (!r->t_issue) {
			r->flags |= IOLAT_F_LATE;
			note_submitter(r, NULL);
		}
		if (learn_devs && dev)
			bpf_map_update_elem(&devs, &dev, &one, BPF_NOEXIST);
	} else if (state == NVME_TCP_SEND_H2C_PDU) {
		r->exchanges = (r->exchanges ? r->exchanges : 1) + 1; /* data after an R2T */
		s->first_arrival = 0; /* the R2T is answered: the response is still to come */
	}
	r->t_last_send = now;
}

/*
 * A request/response exchange starts (or continues) with this send: user
 * sockets to storage ports (iscsid's login, nvme-cli) and the kernel's NFS RPC
 * sockets, which are not filtered by the sending task (rpciod sends for all).
 */
static __always_inline void user_send(struct sock *sk, struct iolat_sock *s, __u64 now, __u32 size)
{
	__u64 id;

	if (!exchanges)
		return;
	id = bpf_get_current_pid_tgid();
	if (!s->kernel_owned && !st_current_wanted(id >> 32, (__u32)id))
		return;
	s->x_send = now;
	s->x_bytes += size;
	s->x_pid = id >> 32;
	s->x_tid = (__u32)id;
	s->x_retrans = s->retrans;
	bpf_get_current_comm(s->x_comm, sizeof(s->x_comm));
}

static __always_inline int on_send(struct sock *sk, __u32 size)
{
	__u16 dport = sk_dport(sk);
	__u8 proto = port_proto(dport);
	struct iolat_sock *s;
	__u64 now;

	if (!proto)
		return 0;
	s = sock_get(sk, proto, dport);
	if (!s)
		return 0;
	now = bpf_ktime_get_ns();
	s->kernel_owned = BPF_CORE_READ(sk, sk_user_data) != NULL;
	if (proto == IOLAT_PROTO_NVME_TCP && s->kernel_owned)
		nvme_send(sk, s, now);
	else if (!s->kernel_owned || proto == IOLAT_PROTO_NFS)
		user_send(sk, s, now, size);
	return 0;
}

static __always_inline void emit_exchange(struct sock *sk, struct iolat_sock *s, __u64 now)
{
	struct iolat_record *rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
	__u32 srtt;

	if (!rec) {
		st_drop(ST_DROP_RINGBUF_FULL);
		return;
	}
	rec->type = IOLAT_EV_XCHG;
	rec->x.t_send = s->x_send;
	rec->x.t_recv = now;
	rec->x.retrans = s->retrans - s->x_retrans;
	rec->x.t_last_retrans = rec->x.retrans ? s->last_retrans : 0;
	sock_rtt(sk, &rec->x.rtt_us, &srtt);
	rec->x.pid = s->x_pid;
	rec->x.tid = s->x_tid;
	rec->x.sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	rec->x.dport = s->dport;
	rec->x.daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
	rec->x.bytes_sent = s->x_bytes;
	__builtin_memcpy(rec->x.comm, s->x_comm, sizeof(rec->x.comm));
	bpf_ringbuf_submit(rec, 0);
	s->x_send = 0;
	s->x_bytes = 0;
}

static __always_inline int on_data_ready(struct sock *sk)
{
	__u64 key = (__u64)sk, now;
	struct iolat_sock *s = bpf_map_lookup_elem(&socks, &key);

	if (!s)
		return 0;
	now = bpf_ktime_get_ns();
	if (!s->arrival)
		s->arrival = now;
	if (!s->first_arrival)
		s->first_arrival = now;
	if (s->x_send)
		emit_exchange(sk, s, now);
	return 0;
}

static __always_inline int on_read_sock(struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct iolat_sock *s = bpf_map_lookup_elem(&socks, &key);

	if (!s)
		return 0;
	s->pass_arrival = s->arrival ? s->arrival : bpf_ktime_get_ns();
	s->arrival = 0;
	return 0;
}

/* The driver parsed the response of @rq: stamp t_rx with its data's arrival. */
static __always_inline int on_complete_remote(struct request *rq)
{
	__u64 key = (__u64)rq, now;
	struct iolat_req *r = bpf_map_lookup_elem(&inflight, &key);
	struct iolat_sock *s;
	struct sock *sk;

	if (!r || !r->sk || r->t_rx)
		return 0;
	now = bpf_ktime_get_ns();
	r->t_rx = now;
	sk = (struct sock *)r->sk;
	s = bpf_map_lookup_elem(&socks, &r->sk);
	if (s) {
		/*
		 * The first data since the previous completion is where this response
		 * began (exact at queue depth 1, in order beyond); else the arrival of
		 * the data the current receive pass consumed.
		 */
		__u64 fa = s->first_arrival;

		s->first_arrival = 0;
		if (fa && fa >= r->t_tx && fa <= now) {
			r->t_rx = fa;
			r->flags |= IOLAT_F_RX_ARRIVAL;
		} else if (s->pass_arrival && s->pass_arrival >= r->t_tx &&
			   s->pass_arrival <= now) {
			r->t_rx = s->pass_arrival;
			r->flags |= IOLAT_F_RX_ARRIVAL;
		}
		r->rx_retrans = s->retrans - r->retrans_at_tx;
		r->rx_retrans_ts = s->last_retrans;
	}
	/* A resent response fills a hole: count it, time unknown (attrib bounds it). */
	r->rx_ooo = sock_ooo(sk) - r->ooo_at_tx;
	sock_rtt(sk, &r->rtt_us, &r->srtt_us);
	return 0;
}

/* iscsi_conn -> iscsi_tcp_conn -> iscsi_sw_tcp_conn -> socket -> sock */
static __always_inline struct sock *iscsi_conn_sk(struct iscsi_conn *conn)
{
	struct iscsi_tcp_conn *tcp_conn = BPF_CORE_READ(conn, dd_data);
	struct iscsi_sw_tcp_conn *sw;

	if (!tcp_conn)
		return NULL;
	sw = BPF_CORE_READ(tcp_conn, dd_data);
	if (!sw)
		return NULL;
	return BPF_CORE_READ(sw, sock, sk);
}

/* iSCSI: a task's transmit (the command, or a data-out answering an R2T). */
static __always_inline int on_iscsi_xmit(struct iscsi_task *task)
{
	struct iscsi_tcp_task *tt;
	struct iscsi_conn *conn;
	struct scsi_cmnd *sc;
	struct iolat_req *r;
	struct sock *sk;
	struct iolat_sock *s;
	__u64 rq, now, r2t;
	__u32 queued = 0;

	if (!bpf_core_type_exists(struct iscsi_task))
		return 0;
	sc = BPF_CORE_READ(task, sc);
	if (!sc)
		return 0; /* management task (nop, tmf) */
	rq = (__u64)sc - bpf_core_type_size(struct request);
	r = req_get(rq, learn_devs);
	if (!r)
		return 0;
	now = bpf_ktime_get_ns();
	r->proto = IOLAT_PROTO_ISCSI;
	tt = BPF_CORE_READ(task, dd_data);
	r2t = tt ? (__u64)BPF_CORE_READ(tt, r2t) : 0;
	/*
	 * R2Ts received but not yet taken up: this call takes the next one (the
	 * transmit loop picks it up inside, after our entry, so at the first
	 * data-out the current r2t is still NULL).
	 */
	if (tt && bpf_core_field_exists(tt->r2tqueue))
		queued =
		    BPF_CORE_READ(tt, r2tqueue.kfifo.in) - BPF_CORE_READ(tt, r2tqueue.kfifo.out);
	if (!r->t_tx) {
		__u32 dev = rq_dev((struct request *)rq);
		__u8 one = 1;

		conn = BPF_CORE_READ(task, conn);
		sk = iscsi_conn_sk(conn);
		r->t_tx = now;
		r->sk = (__u64)sk;
		r->flags |= IOLAT_F_TRANSPORT;
		if (sk && (s = sock_get(sk, IOLAT_PROTO_ISCSI, iscsi_port))) {
			s->kernel_owned = 1;
			r->retrans_at_tx = s->retrans;
			r->ooo_at_tx = sock_ooo(sk);
		}
		if (!r->t_issue) {
			r->flags |= IOLAT_F_LATE;
			note_submitter(r, NULL);
		}
		if (learn_devs && dev)
			bpf_map_update_elem(&devs, &dev, &one, BPF_NOEXIST);
	} else if (r2t ? r2t != r->last_r2t && !r->r2t_unnamed : queued > 0) {
		r->exchanges = (r->exchanges ? r->exchanges : 1) + 1;
		r->r2t_unnamed = !r2t;
		sk = (struct sock *)r->sk;
		s = sk ? bpf_map_lookup_elem(&socks, &r->sk) : NULL;
		if (s)
			s->first_arrival =
			    0; /* the R2T is answered: the response is still to come */
	} else if (r2t) {
		r->r2t_unnamed = 0; /* the R2T counted earlier is now current */
	}
	r->last_r2t = r2t;
	r->t_last_send = now;
	return 0;
}

static __always_inline int on_retransmit(const struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct iolat_sock *s = bpf_map_lookup_elem(&socks, &key);

	if (s) {
		s->retrans++;
		s->last_retrans = bpf_ktime_get_ns();
	}
	return 0;
}

/*
 * Each transport hook twice: fentry (BTF trampoline, cheaper) and kprobe (the
 * fallback where fentry is refused); the loader attaches whichever works.
 */
#define ST_FENTRY_KPROBE(name, func, call, args...) \
	SEC("fentry/" #func)                        \
	int BPF_PROG(name##_fentry, args)           \
	{                                           \
		return call;                        \
	}                                           \
	SEC("kprobe/" #func)                        \
	int BPF_KPROBE(name##_kprobe, args)         \
	{                                           \
		return call;                        \
	}

ST_FENTRY_KPROBE(st_io_sendmsg, tcp_sendmsg_locked, on_send(sk, (__u32)size), struct sock *sk,
		 struct msghdr *msg, size_t size)
ST_FENTRY_KPROBE(st_io_sendpages, do_tcp_sendpages, on_send(sk, (__u32)size), struct sock *sk,
		 struct page *page, int offset, size_t size)
ST_FENTRY_KPROBE(st_io_data_ready, tcp_data_ready, on_data_ready(sk), struct sock *sk)
ST_FENTRY_KPROBE(st_io_read_sock, tcp_read_sock, on_read_sock(sk), struct sock *sk)
ST_FENTRY_KPROBE(st_io_remote, blk_mq_complete_request_remote, on_complete_remote(rq),
		 struct request *rq)
ST_FENTRY_KPROBE(st_io_iscsi_xmit, iscsi_tcp_task_xmit, on_iscsi_xmit(task),
		 struct iscsi_task *task)

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(st_io_retrans_btf, const struct sock *sk)
{
	return on_retransmit(sk);
}

SEC("raw_tp/tcp_retransmit_skb")
int BPF_PROG(st_io_retrans_raw, const struct sock *sk)
{
	return on_retransmit(sk);
}

/* Handshakes to storage ports: SYN_SENT -> ESTABLISHED is one network round trip. */
SEC("tracepoint/sock/inet_sock_set_state")
int st_io_sock_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct sock *sk = (struct sock *)ctx->skaddr;
	__u8 proto = port_proto(ctx->dport);
	__u64 key = (__u64)sk;
	struct iolat_sock *s;

	if (!proto || ctx->protocol != IPPROTO_TCP)
		return 0;
	/* A closed socket's memory is reused: its state must not outlive it. */
	if (ctx->newstate == TCP_CLOSE || ctx->newstate == TCP_SYN_SENT)
		bpf_map_delete_elem(&socks, &key);
	if (!exchanges)
		return 0;
	if (ctx->newstate == TCP_SYN_SENT) {
		s = sock_get(sk, proto, ctx->dport);
		if (s) {
			user_send(sk, s, bpf_ktime_get_ns(), 0);
			s->kernel_owned = 0;
		}
		return 0;
	}
	if (ctx->oldstate == TCP_SYN_SENT && ctx->newstate == TCP_ESTABLISHED) {
		s = bpf_map_lookup_elem(&socks, &key);
		if (s && s->x_send)
			emit_exchange(sk, s, bpf_ktime_get_ns());
	}
	return 0;
}

/*
 * A received segment's connection srtt, kept per storage port (the lowest in
 * 10 s). tp_btf and raw_tp read it from the socket; the classic tracepoint
 * (the fallback) costs more: the kernel fills its whole record first.
 */
static __always_inline int on_tcp_probe(__u16 dport, __u32 srtt_us)
{
	struct port_rtt *p, n = { .srtt_us = srtt_us };
	__u64 now;

	if (!port_proto(dport) || !n.srtt_us)
		return 0;
	now = bpf_ktime_get_ns();
	p = bpf_map_lookup_elem(&port_srtt, &dport);
	if (p && p->srtt_us <= n.srtt_us && now - p->since < 10000000000ULL)
		return 0;
	n.since = now;
	bpf_map_update_elem(&port_srtt, &dport, &n, BPF_ANY);
	return 0;
}

static __always_inline int on_tcp_probe_sk(struct sock *sk)
{
	__u16 dport = sk_dport(sk);

	if (!port_proto(dport))
		return 0;
	return on_tcp_probe(dport, BPF_CORE_READ((struct tcp_sock *)sk, srtt_us) >> 3);
}

SEC("tp_btf/tcp_probe")
int BPF_PROG(st_io_tcp_probe_btf, struct sock *sk)
{
	return on_tcp_probe_sk(sk);
}

SEC("raw_tp/tcp_probe")
int BPF_PROG(st_io_tcp_probe_raw, struct sock *sk)
{
	return on_tcp_probe_sk(sk);
}

SEC("tracepoint/tcp/tcp_probe")
int st_io_tcp_probe(struct trace_event_raw_tcp_probe *ctx)
{
	return on_tcp_probe(ctx->dport, ctx->srtt); /* srtt already in us */
}

#endif
