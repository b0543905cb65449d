// SPDX-License-Identifier: GPL-2.0
#include "samplers.h"
#include "util.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int open_sampler(uint32_t type, uint64_t config, uint64_t freq, int cpu)
{
	struct perf_event_attr attr = {
		.type = type,
		.config = config,
		.size = sizeof(attr),
		.sample_freq = freq,
		.freq = 1,
	};

	return (int)syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

int st_samplers_attach(struct st_samplers *sm, struct bpf_program *prog, uint64_t freq,
		       bool try_cycles)
{
	bool hw = try_cycles;
	int cpu, err;

	sm->ncpu = libbpf_num_possible_cpus();
	if (sm->ncpu <= 0)
		return sm->ncpu ? sm->ncpu : -ENODEV;
	sm->pfds = calloc((size_t)sm->ncpu, sizeof(*sm->pfds));
	sm->links = calloc((size_t)sm->ncpu, sizeof(*sm->links));
	if (!sm->pfds || !sm->links)
		return -ENOMEM;
	for (cpu = 0; cpu < sm->ncpu; cpu++) {
		int fd =
		    hw ? open_sampler(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, freq, cpu) : -1;

		if (fd < 0 && hw && cpu == 0)
			hw = false;
		if (fd < 0)
			fd = open_sampler(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, freq, cpu);
		if (fd < 0) {
			if (errno == ENODEV) /* possible but offline CPU */
				continue;
			err = -errno;
			st_err("cannot open a perf event on CPU %d: %s", cpu, strerror(errno));
			return err;
		}
		sm->pfds[cpu] = fd + 1;
		sm->links[cpu] = bpf_program__attach_perf_event(prog, fd);
		if (!sm->links[cpu]) {
			err = -errno;
			st_err("cannot attach the sampler on CPU %d: %s", cpu, strerror(errno));
			return err;
		}
	}
	sm->clock = hw ? "cycles" : "cpu-clock";
	return 0;
}

void st_samplers_detach(struct st_samplers *sm)
{
	int cpu;

	for (cpu = 0; cpu < sm->ncpu; cpu++) {
		bpf_link__destroy(sm->links ? sm->links[cpu] : NULL);
		if (sm->pfds && sm->pfds[cpu])
			close(sm->pfds[cpu] - 1);
	}
	free(sm->links);
	free(sm->pfds);
	sm->links = NULL;
	sm->pfds = NULL;
	sm->ncpu = 0;
}
