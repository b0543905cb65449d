/* SPDX-License-Identifier: GPL-2.0 */
/* iolat: types shared by bpf/iolat.bpf.c and user/iolat.c. */
#ifndef ST_IOLAT_H
#define ST_IOLAT_H

#include "common.h"

enum iolat_proto {
	IOLAT_PROTO_UNKNOWN = 0,
	IOLAT_PROTO_NVME_TCP = 1,
	IOLAT_PROTO_ISCSI = 2,
	IOLAT_PROTO_NFS = 3,
	IOLAT_PROTO_OTHER = 4, /* --port */
};

enum iolat_flags {
	IOLAT_F_TRANSPORT = 1 << 0,  /* t_tx came from the transport */
	IOLAT_F_RX_ARRIVAL = 1 << 1, /* t_rx is the socket arrival time */
	IOLAT_F_REQUEUED = 1 << 2,
	IOLAT_F_LATE = 1 << 3, /* first seen after issue (device learnt mid-flight) */
};

/* One finished block request, as the ring buffer carries it. */
/* hidden_devs key: a hidden disk's name (DISK_NAME_LEN), zero padded */
struct iolat_disk_key {
	char name[32];
};

struct iolat_event {
	__u64 t_insert, t_issue, t_tx, t_rx, t_complete; /* bpf_ktime_get_ns(); 0 = unseen */
	__u64 t_last_retrans;
	__u64 sector;
	__u32 dev; /* kernel dev_t: major << 20 | minor */
	__u32 bytes;
	__u32 rtt_us; /* connection min_rtt (else srtt) at t_rx */
	__u32 srtt_us;
	__u32 retrans;	 /* retransmissions on the socket between t_tx and t_rx */
	__u32 exchanges; /* 1 + R2T rounds */
	__u32 pid, tid;
	__u8 op; /* REQ_OP_* */
	__u8 proto;
	__u8 flags;
	__u8 error;
	char comm[ST_COMM_LEN];
	__u64 ustack;  /* submitter's user stack (st_ustacks key), 0 = none */
	__s32 kstack;  /* submitter's kernel stack (kstacks id), -1 = none */
	__u32 ooo;     /* segments that arrived out of order: the target resent one */
	char disk[32]; /* gendisk name (hidden NVMe path disks have no sysfs dev entry) */
	__u64 cgid;    /* the submitter's cgroup v2 id (pods, containers: k8s.h) */
};

/* Socket exchanges on storage ports (iSCSI login, NVMe-TCP connect, ...). */
struct iolat_xchg_event {
	__u64 t_send, t_recv, t_last_retrans;
	__u32 rtt_us, retrans;
	__u32 pid, tid;
	__u16 sport, dport;
	__u32 daddr; /* IPv4, network order (0 for IPv6) */
	__u32 bytes_sent;
	char comm[ST_COMM_LEN];
};

enum iolat_event_type {
	IOLAT_EV_IO = 1,
	IOLAT_EV_XCHG = 2,
};

struct iolat_record {
	__u32 type;
	__u32 pad;
	union {
		struct iolat_event io;
		struct iolat_xchg_event x;
	};
};

#endif
