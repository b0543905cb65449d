// SPDX-License-Identifier: GPL-2.0
/*
 * iolat: per-request latency of iSCSI and NVMe-TCP block I/O split into
 * kernel / network / target. All hooks live in storage.bpf.h (shared with
 * nodestage); this object only carries them.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "common.bpf.h"
#include "storage.bpf.h"

char LICENSE[] SEC("license") = "GPL";
