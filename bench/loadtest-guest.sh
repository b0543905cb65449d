#!/bin/bash
# bench/loadtest-guest.sh: runs INSIDE the storage lab (started by bench/loadtest).
#
# First, untraced: iscsid is started and one volume per protocol is staged and
# unstaged (warm-up, WARMUP=0 skips it). Then for each concurrency level L in
# $LEVELS: start `scaletrace nodestage` (at nice TRACER_NICE), stage L volumes
# at once (staging j = 1..L: volume j, iSCSI when j is odd, NVMe-TCP when
# even), wait, unstage them at once, stop the tracer (SIGINT). Then,
# untraced, retry any unstage that failed and wipe the volumes' filesystem
# signature on the target side, so that every level formats fresh volumes
# (mkfs on each staging, like new PVCs) and no level sees an earlier one's state.
#
# Writes into the current directory (the host's result directory, shared):
#   L<L>/ns.json ns.err ns.out    the tracer's JSON and messages for level L
#   L<L>/tim-{stage,unstage}-vol<j>.txt, sim-*.out   the simulator's timings/output
#   results.tsv   level kind volume proto rc wall_ms (one line per simulator run;
#                 kind tracer = the tracer's exit, rc 124 = never attached)
#   levels.tsv    level stage_wall_ms unstage_wall_ms tracer_attach_ms
#                 tracer_stop_ms cleanup_ms
#   guest.txt     kernel, CPUs, memory, backing-store usage, injection
set -uo pipefail
ST=${ST:?path of the scaletrace binary}
LEVELS=${LEVELS:-1 2 4 8 16}
ATTACH_TIMEOUT=${ATTACH_TIMEOUT:-300}
SIM_TIMEOUT=${SIM_TIMEOUT:-30}
# The tracer's user side must keep draining its ring buffer while N stagings
# saturate the two emulated CPUs; at the default priority it fell behind at
# 8 and 16 stagings and lost the end of operations (docs/loadtest.md).
TRACER_NICE=${TRACER_NICE:--10}

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
say() { echo "loadtest-guest: $*" >&2; }
proto_of() { if (($1 % 2)); then echo iscsi; else echo nvme; fi; }

: >results.tsv
: >levels.tsv
{
	echo "kernel $(uname -r)"
	echo "cpus $(nproc)"
	echo "mem_mb $(($(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo) / 1024))"
	echo "volumes ${ST_LAB_VOLUMES:-?}"
	echo "target_delay_ms ${ST_LAB_TARGET_DELAY_MS:-0}"
	echo "net_delay_ms ${ST_LAB_NET_DELAY_MS:-0}"
	echo "disk_mb ${ST_LAB_DISK_MB:-?}"
	echo "sim_timeout_s $SIM_TIMEOUT"
	echo "tracer_nice $TRACER_NICE"
} >guest.txt

wipe() { # PROTO VOL: blank the volume on the target side (untraced)
	# O_DIRECT: the guest's page cache of the dm device is stale (the targets
	# write below it), so wipefs through it would find nothing to erase.
	dd if=/dev/zero of="/dev/mapper/lab-$1-vol$2" bs=1M count=1 oflag=direct conv=notrunc status=none
}

# Steady state before level 1: iscsid running, as on a node (otherwise level
# 1's login pays for starting it, and concurrent first stagings race to start
# it: "iscsid did not start"), and one untraced staging per protocol, so that
# level 1 does not alone pay for cold caches (tools and libraries read over 9p).
if ! pidof iscsid >/dev/null; then
	iscsid 2>/dev/null
	for _ in $(seq 150); do [ -s /run/iscsid.pid ] && break; sleep 0.2; done
	[ -s /run/iscsid.pid ] || say "warning: iscsid did not start"
fi
if [ "${WARMUP:-1}" = 1 ] && [ "${ST_LAB_VOLUMES:-0}" -ge 1 ]; then
	W=$ST_LAB_VOLUMES
	a=$(now_ms)
	for p in iscsi nvme; do
		nodestage-sim stage --proto "$p" --volume "$W" >>warmup.out 2>&1 || say "warm-up: stage $p vol$W failed"
		nodestage-sim unstage --proto "$p" --volume "$W" >>warmup.out 2>&1 || say "warm-up: unstage $p vol$W failed"
		wipe "$p" "$W" >>warmup.out 2>&1 || say "warm-up: wiping lab-$p-vol$W failed"
	done
	echo "warmup_ms $(($(now_ms) - a))" >>guest.txt
fi

# at_once KIND L DIR: run `nodestage-sim KIND` for volumes 1..L at once (not
# waiting for the tracer); each writes its exit status and wall time to DIR/rc-KIND-vol<j>.
at_once() {
	local kind=$1 n=$2 dir=$3 j p pids=()
	for j in $(seq 1 "$n"); do
		p=$(proto_of "$j")
		(
			a=$(now_ms)
			nodestage-sim "$kind" --proto "$p" --volume "$j" --timeout "$SIM_TIMEOUT" \
				--timing "$dir/tim-$kind-vol$j.txt" >"$dir/sim-$kind-vol$j.out" 2>&1
			rc=$?
			echo -e "$n\t$kind\tvol$j\t$p\t$rc\t$(($(now_ms) - a))" >"$dir/rc-$kind-vol$j"
		) &
		pids+=($!)
	done
	wait "${pids[@]}"
}

for L in $LEVELS; do
	if [ "$L" -gt $((2 * ${ST_LAB_VOLUMES:-0})) ] && [ "$L" -gt 1 ]; then
		say "level $L: needs $(((L + 1) / 2)) volumes per protocol, the lab has ${ST_LAB_VOLUMES:-0}; skipped"
		continue
	fi
	d=L$L
	rm -rf "$d"
	mkdir -p "$d"
	say "level $L: starting the tracer"
	t0=$(now_ms)
	nice -n "$TRACER_NICE" "$ST" nodestage --overhead-budget 100 --json "$d/ns.json" >"$d/ns.out" 2>"$d/ns.err" &
	tpid=$!
	attached=0
	while [ $(($(now_ms) - t0)) -lt $((ATTACH_TIMEOUT * 1000)) ]; do
		if grep -q '^Tracing' "$d/ns.err" 2>/dev/null; then attached=1; break; fi
		kill -0 $tpid 2>/dev/null || break
		sleep 0.2
	done
	attach_ms=$(($(now_ms) - t0))
	if [ $attached = 0 ]; then
		kill -INT $tpid 2>/dev/null
		wait $tpid
		echo -e "$L\ttracer\t-\t-\t124\t$attach_ms" >>results.tsv
		say "level $L: the tracer did not attach: $(tail -n1 "$d/ns.err")"
		echo -e "$L\t0\t0\t$attach_ms\t0\t0" >>levels.tsv
		continue
	fi

	say "level $L: staging $L volumes (tracer attached in ${attach_ms} ms)"
	s0=$(now_ms)
	at_once stage "$L" "$d"
	s1=$(now_ms)
	at_once unstage "$L" "$d"
	s2=$(now_ms)
	kill -INT $tpid
	wait $tpid
	trc=$?
	s3=$(now_ms)
	cat "$d"/rc-stage-vol* "$d"/rc-unstage-vol* >>results.tsv 2>/dev/null
	echo -e "$L\ttracer\t-\t-\t$trc\t0" >>results.tsv
	nerr=$(cat "$d"/rc-stage-vol* "$d"/rc-unstage-vol* 2>/dev/null | awk -F'\t' '$5 != 0' | wc -l)
	say "level $L: stage $((s1 - s0)) ms, unstage $((s2 - s1)) ms, $nerr failed simulator runs, tracer exit $trc"

	# untraced clean-up: a failed unstage is retried; then fresh (blank) volumes
	for j in $(seq 1 "$L"); do
		p=$(proto_of "$j")
		if awk -F'\t' '$5 != 0 { bad = 1 } END { exit !bad }' "$d/rc-unstage-vol$j" 2>/dev/null ||
			[ ! -e "$d/rc-unstage-vol$j" ]; then
			nodestage-sim unstage --proto "$p" --volume "$j" --timeout 60 >>"$d/cleanup.out" 2>&1 ||
				say "level $L: vol$j ($p) still not unstaged: $(tail -n1 "$d/cleanup.out")"
		fi
		wipe "$p" "$j" >>"$d/cleanup.out" 2>&1 || say "level $L: wiping lab-$p-vol$j failed"
	done
	rm -f "$d"/rc-*
	echo -e "$L\t$((s1 - s0))\t$((s2 - s1))\t$attach_ms\t$((s3 - s2))\t$(($(now_ms) - s3))" >>levels.tsv
done
{
	echo "store_used_mb $(df -m /var/lib/stlab 2>/dev/null | awk 'NR == 2 { print $3 }')"
	echo "mem_available_mb $(($(sed -n 's/^MemAvailable: *\([0-9]*\).*/\1/p' /proc/meminfo) / 1024))"
} >>guest.txt
say "done"
