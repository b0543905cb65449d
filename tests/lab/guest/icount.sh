#!/bin/bash
# Runs inside the lab (tests/lab/test-lab-options.sh): --icount shift=2,sleep=off
# --smp 1. Guest time comes from the instructions executed, so one fixed piece
# of work takes the same guest time every run, whatever the host was doing
# (on the host's clock TCG scatters by 10% and more).
. "$(dirname "$0")/lib.sh"

# Guest microseconds for a fixed amount of work, in this shell: no exec and
# no file read, which would wait on the host (9p) for host time.
work_us() {
	local t0=${EPOCHREALTIME/./} i s=0
	for ((i = 0; i < 10000; i++)); do s=$((s + i % 7)); done
	echo $((${EPOCHREALTIME/./} - t0))
}
work_us >/dev/null
runs=$(for _ in 1 2 3 4 5 6 7; do work_us; done)
note "guest us of 7 runs: $(tr '\n' ' ' <<<"$runs")"
# The 5 middle runs: the guest's own background work (a kworker, a 9p reply
# the host answers in its own time) can still land in one run.
spread=$(sort -n <<<"$runs" | awk '{ v[NR] = $1 } END { printf "%.3f", 100 * (v[6] - v[2]) / v[2] }')
fcheck "spread of the 5 middle of 7 runs of one fixed workload (%)" "$spread" 0 1
# shift=2: 4 ns of guest time per instruction; the loop is hundreds of millions
med=$(median_of <<<"$runs")
fcheck "guest ms of the workload" "$(awk -v n="$med" 'BEGIN { print n / 1e3 }')" 100 10000
note "guest script complete"
