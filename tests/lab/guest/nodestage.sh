#!/bin/bash
# Runs inside the lab: `scaletrace nodestage` around lab NodeStage simulations.
# MODE=base: iSCSI and NVMe stagings one after the other (with the simulator's
#   own phase timestamps), two concurrent stagings of other volumes, a staging
#   with a 1 s polling sleep, then a Go "driver" traced with --uprobe.
# MODE=inject: the iSCSI and NVMe stagings only (the boot carries the injection).
# Leaves ns-$TAG.json and the simulator's tim-*.txt here for the host checks.
. "$(dirname "$0")/lib.sh"
ST=${ST:-$ROOT/scaletrace}
WL=${WL:-$ROOT/build/workloads}
TAG=${TAG:?}

# Every wait is bounded: a step that hangs is described (threads' kernel
# stacks) and fails on its own instead of running into the lab's --timeout.
start_tracer() { # NAME ARGS...: start nodestage, wait (at most 120 s) until it is attached
	local name=$1 n=600
	shift
	"$ST" nodestage --overhead-budget 100 --json "ns-$name.json" --folded "ns-$name.folded" \
		"$@" >"ns-$name.out" 2>"ns-$name.err" &
	TPID=$!
	until grep -q '^Tracing' "ns-$name.err" 2>/dev/null; do
		kill -0 $TPID 2>/dev/null || break
		n=$((n - 1))
		if [ $n = 0 ]; then
			notok "$name: nodestage not attached after 120 s: $(tail -1 "ns-$name.err")"
			dump_task $TPID
			break
		fi
		sleep 0.2
	done
}
stop_tracer() { # NAME
	kill -INT $TPID
	wait_bounded $TPID 120 "$1: nodestage after SIGINT"
	check "$1: nodestage exited 0" test $? = 0
	check "$1: nodestage wrote JSON" test -s "ns-$1.json"
}
sim() { # TIMING PROTO VOL [ARGS]
	local t=$1
	shift
	nodestage-sim stage --proto "$@" --timing "tim-$t.txt" >"sim-$t.out" 2>&1 &
	wait_bounded $! 240 "simulator $t" || notok "simulator $t failed: $(tail -1 "sim-$t.out")"
}

# Fork+exec latency of this guest, for the host's tolerance at phase edges.
t0=${EPOCHREALTIME/./}
for _ in 1 2 3 4 5 6 7 8 9 10; do /bin/true; done
echo "$(((${EPOCHREALTIME/./} - t0) / 10000)).$(((${EPOCHREALTIME/./} - t0) / 100 % 100))" >spawn.txt

# MODE=inject: scaletrace serve beside nodestage, scraped with curl after the
# stagings (tests/lab/check-serve.py parses the text and checks the split).
if [ "$MODE" = inject ]; then
	ip link set lo up 2>/dev/null
	"$ST" serve --listen 127.0.0.1:9465 --nodestage --iolat --offcpu --overhead-budget 100 \
		>"serve-$TAG.out" 2>"serve-$TAG.err" &
	SPID=$!
	for _ in $(seq 150); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' localhost:9465/healthz)" = 200 ] && break
		sleep 0.2
	done
	check "$TAG: serve /healthz answers 200" \
		test "$(curl -s -o /dev/null -w '%{http_code}' localhost:9465/healthz)" = 200
fi
start_tracer "$TAG"
sim "$TAG-iscsi" iscsi --volume 1
sim "$TAG-nvme" nvme --volume 1
sim "$TAG-nfs" nfs --volume 1
if [ "$MODE" = base ]; then
	sim "$TAG-conc-iscsi" iscsi --volume 2 &
	p1=$!
	sim "$TAG-conc-nvme" nvme --volume 2 &
	p2=$!
	wait $p1 $p2
	nodestage-sim unstage --proto iscsi --volume 1 >/dev/null
	# When udev made the device's by-path link (the simulator polls for it):
	# what the 1 s sleep has left after that is idle (the host checks it is wait).
	# (named as nodestage-sim names it, with the same ST_LAB_* overrides)
	portal=${ST_LAB_ISCSI_PORTAL:-${ST_LAB_TARGET_ADDR:-10.99.0.2}:3260}
	BP=/dev/disk/by-path/ip-$portal-iscsi-${ST_LAB_ISCSI_IQN_PREFIX:-iqn.2005-10.org.freenas.ctl:vol}1-lun-0
	for _ in $(seq 100); do [ -e "$BP" ] || break; sleep 0.1; done
	"$WL/appears" "$BP" 240 >appear-poll1s.txt &
	AP=$!
	sim "$TAG-poll1s" iscsi --volume 1 --poll-ms 1000
	wait_bounded $AP 30 "by-path link witness" || notok "poll1s: $BP never appeared"
fi
stop_tracer "$TAG"
if [ "$MODE" = inject ]; then
	# Each staging ends at its mount, plus a short grace: wait for both.
	for _ in $(seq 60); do
		curl -s localhost:9465/metrics >"metrics-$TAG.txt"
		[ "$(grep -c '^scaletrace_nodestage_operations_total{.*kind="stage",result="ok"}' \
			"metrics-$TAG.txt")" -ge 2 ] && break
		sleep 0.5
	done
	kill -TERM $SPID
	wait_bounded $SPID 120 "$TAG: serve after SIGTERM"
	check "$TAG: serve exited 0 on SIGTERM" test $? = 0
fi
if [ "$MODE" = base ]; then
	# A Go driver: one operation per NodeStageVolume call, found through .gopclntab.
	start_tracer uprobe --uprobe "$WL/gostage:main.(*nodeServer).NodeStageVolume"
	"$WL/gostage" nodestage-sim stage --proto nvme --volume 3 --timing tim-uprobe.txt \
		>sim-uprobe.out 2>&1 &
	wait_bounded $! 240 "gostage" || notok "gostage failed: $(tail -1 sim-uprobe.out)"
	stop_tracer uprobe
fi
note "guest script complete"
