#!/bin/bash
# Runs inside the lab: `scaletrace nodestage` over OPS NVMe-TCP stage/unstage
# cycles of one volume, once per name in RUNS (cmp-NAME.json here). The volume
# gets its filesystem before the first run, so every traced staging is the
# same: connect, device wait, blkid, mount (and umount, disconnect).
. "$(dirname "$0")/lib.sh"
ST=${ST:-/work/main/scaletrace}
OPS=${OPS:-10}

stage nvme 1 && unstage nvme 1 || notok "prepare: stage and unstage nvme vol1"
for run in ${RUNS:?}; do
	"$ST" nodestage --overhead-budget 100 --idle 5 --json "cmp-$run.json" \
		>"cmp-$run.out" 2>"cmp-$run.err" &
	pid=$!
	until grep -q '^Tracing' "cmp-$run.err" 2>/dev/null; do
		kill -0 $pid 2>/dev/null || break
		sleep 0.2
	done
	bad=0
	for _ in $(seq "$OPS"); do
		stage nvme 1 && unstage nvme 1 || bad=$((bad + 1))
	done
	check "$run: $OPS stagings and unstagings" test $bad = 0
	kill -INT $pid
	wait $pid
	check "$run: nodestage exited 0" test $? = 0
done
note "guest script complete"
