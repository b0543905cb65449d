/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal CO-RE stubs of module types (nvme_tcp, libiscsi, libiscsi_tcp) that
 * vmlinux.h cannot contain. Only the fields scaletrace reads; libbpf relocates
 * each access against the module's own BTF (/sys/kernel/btf/<module>) at load
 * time. Code using them must be guarded with bpf_core_type_exists(), so the
 * programs still load when the module is absent.
 *
 * Checked against Debian's 6.1 kernel (drivers/nvme/host/tcp.c,
 * include/scsi/libiscsi.h, include/scsi/libiscsi_tcp.h).
 */
#ifndef ST_STORAGE_TYPES_H
#define ST_STORAGE_TYPES_H

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
#endif

enum nvme_tcp_send_state {
	NVME_TCP_SEND_CMD_PDU = 0,
	NVME_TCP_SEND_H2C_PDU = 1,
	NVME_TCP_SEND_DATA = 2,
	NVME_TCP_SEND_DDGST = 3,
};

struct nvme_tcp_queue;

struct nvme_tcp_request {
	void *pdu;
	struct nvme_tcp_queue *queue;
	u32 data_len;
	size_t offset;
	enum nvme_tcp_send_state state;
};

struct nvme_tcp_queue {
	struct socket *sock;
	struct nvme_tcp_request *request;
};

struct iscsi_r2t_info;
struct scsi_cmnd;
struct iscsi_conn;

struct iscsi_task {
	int itt;
	struct scsi_cmnd *sc;
	struct iscsi_conn *conn;
	void *dd_data;
};

/* include/linux/kfifo.h: struct __kfifo sits in an anonymous union there */
struct kfifo {
	struct __kfifo kfifo;
};

struct iscsi_tcp_task {
	struct iscsi_r2t_info *r2t;
	struct kfifo r2tqueue; /* R2Ts received, not yet answered */
};

struct iscsi_tcp_conn {
	struct iscsi_conn *iscsi_conn;
	void *dd_data;
};

struct iscsi_sw_tcp_conn {
	struct socket *sock;
};

struct iscsi_conn {
	void *dd_data;
};

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif
