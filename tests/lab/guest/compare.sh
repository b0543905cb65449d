#!/bin/bash
# Runs inside the lab: one `scaletrace nodestage` per name in RUNS, all attached
# at once, each following its own pretend plugin (STLAB_CSI_COMM=csi-RUN,
# --plugin csi-RUN) through OPS NVMe-TCP stage/unstage cycles of one volume
# (cmp-RUN.json here). The runs' cycles are interleaved, round by round in a
# rotating order, so runs with the same settings see the same machine: a TCG
# guest's timing follows the host's load, which drifts over minutes, and runs
# taken one after another would differ by that drift, not by their settings.
# The volume gets its filesystem before the first run, so every traced staging
# is the same: connect, device wait, blkid, mount (and umount, disconnect).
. "$(dirname "$0")/lib.sh"
ST=${ST:-$ROOT/scaletrace}
OPS=${OPS:-10}
read -ra runs <<<"${RUNS:?}"

stage nvme 1 && unstage nvme 1 || notok "prepare: stage and unstage nvme vol1"
declare -A pid bad
# One tracer at a time: each waits for the previous one's "Tracing". Three
# starting at once (code patching for fentry and bpf_stats on both vCPUs at
# the same time) once took the TCG guest's kernel down: a NULL RIP under
# ksys_read right after do_sync_core.
for run in "${runs[@]}"; do
	"$ST" nodestage --plugin "csi-$run" --overhead-budget 100 --idle 5 \
		--json "cmp-$run.json" >"cmp-$run.out" 2>"cmp-$run.err" &
	pid[$run]=$! bad[$run]=0
	until grep -q '^Tracing' "cmp-$run.err" 2>/dev/null; do
		kill -0 "${pid[$run]}" 2>/dev/null || break
		sleep 0.2
	done
done
n=${#runs[@]}
for i in $(seq 0 $((OPS - 1))); do
	for k in $(seq 0 $((n - 1))); do
		run=${runs[$(((i + k) % n))]}
		export STLAB_CSI_COMM=csi-$run
		stage nvme 1 && unstage nvme 1 || bad[$run]=$((bad[$run] + 1))
	done
done
unset STLAB_CSI_COMM
for run in "${runs[@]}"; do
	check "$run: $OPS stagings and unstagings" test "${bad[$run]}" = 0
	kill -INT "${pid[$run]}"
	wait "${pid[$run]}"
	check "$run: nodestage exited 0" test $? = 0
done
note "guest script complete"
