/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What this kernel really supports, learned by loading and attaching tiny
 * programs (bpf/probe.bpf.c), never from version numbers.
 */
#ifndef ST_KFEAT_H
#define ST_KFEAT_H

#include <stdbool.h>

enum st_feature {
	ST_F_BTF,	 /* /sys/kernel/btf/vmlinux */
	ST_F_MODULE_BTF, /* /sys/kernel/btf/<module> files exist */
	ST_F_TRACEFS,	 /* tracefs mounted */
	ST_F_TRACEPOINT,
	ST_F_RAW_TP,
	ST_F_TP_BTF,
	ST_F_FENTRY,
	ST_F_KPROBE,
	ST_F_KPROBE_MULTI,
	ST_F_UPROBE,
	ST_F_PERF_EVENT,
	ST_F_RINGBUF,
	ST_F_GET_STACK,
	ST_F_BPF_STATS,
	ST_F_TASK_STORAGE_NOLOCK, /* task storage created without kmalloc (sched_switch-safe) */
	ST_F_SWITCH_PREV_STATE,	  /* sched_switch passes prev_state (5.18, fa2c3254d7cf) */
	ST_F__NR,
};

struct st_features {
	bool ok[ST_F__NR];
	bool probed[ST_F__NR];
	char why[ST_F__NR][160]; /* detail: the reason when !ok, the mode when ok */
};

const char *st_feature_name(enum st_feature f);

/* Probe everything. Needs privileges for the attach probes (reported, not fatal). */
void st_features_probe(struct st_features *f);
/* Probe one feature on first use (tracers need only the ones their variants use). */
bool st_feature_ok(struct st_features *f, enum st_feature k);
/* Only what needs no privileges: BTF files, tracefs, ring buffer map type. */
void st_features_probe_static(struct st_features *f);

/*
 * Apply SCALETRACE_DISABLE=fentry,kprobe,... (testing the fallbacks on a kernel
 * that has everything): disabled features read as unavailable.
 */
void st_features_apply_env(struct st_features *f);

/* The tracefs mount point in use, or NULL. Tries to mount it when @mount_it. */
const char *st_tracefs_path(bool mount_it);

bool st_module_loaded(const char *name);
bool st_btf_has_func(const char *module, const char *func);
/* "category:name" exists in tracefs, or btf_trace_<name> exists in vmlinux BTF. */
bool st_tracepoint_exists(const char *catname);
/* Symbol in /proc/kallsyms (with optional [module]). */
bool st_kallsyms_has(const char *name);

#endif
