/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perf_event samplers: one event per online CPU at a frequency, each with a BPF
 * program attached (profile's on-CPU stacks, nodestage's on-CPU samples).
 */
#ifndef ST_SAMPLERS_H
#define ST_SAMPLERS_H

#include <stdbool.h>
#include <stdint.h>

struct bpf_link;
struct bpf_program;

struct st_samplers {
	struct bpf_link **links;
	int *pfds; /* fd + 1 per CPU, 0 = none */
	int ncpu;
	const char *clock; /* "cycles" or "cpu-clock" */
};

/*
 * Attach @prog to a sampler at @freq Hz on every online CPU: hardware cycles
 * when @try_cycles and the CPU has a PMU (not in most VMs), else the software
 * cpu-clock. Returns 0 or -errno after one line on stderr.
 */
int st_samplers_attach(struct st_samplers *sm, struct bpf_program *prog, uint64_t freq,
		       bool try_cycles);
void st_samplers_detach(struct st_samplers *sm);

#endif
