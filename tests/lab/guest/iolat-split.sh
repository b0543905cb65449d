#!/bin/bash
# Runs inside the lab, booted with one injection setting: `scaletrace iolat`
# around synchronous 4 KiB direct reads on the iSCSI and NVMe-TCP volumes,
# staged after the injection is in place. Leaves iolat-$SCENARIO.json in the
# working directory for the host-side checks (tests/lab/test-iolat-split.sh).
# SCENARIO: the name; COUNT: reads per device; ST_ARGS: extra iolat options.
. "$(dirname "$0")/lib.sh"
ST=${ST:-$ROOT/scaletrace}
name=${SCENARIO:?}

# iolat_start TAG ARGS...: iolat in the background (iolat-$name[-TAG].json,
# .out, .err), returning once it traces. The lab is emulated (TCG): the
# default 1% CPU budget would sample requests away.
iolat_start() {
	local base=iolat-$name${1:+-$1}
	shift
	"$ST" iolat --overhead-budget 100 "$@" --json "$base.json" >"$base.out" 2>"$base.err" &
	pid=$!
	until grep -q '^Tracing' "$base.err" 2>/dev/null; do
		kill -0 $pid 2>/dev/null || break
		sleep 0.2
	done
}
# iolat_stop WHAT: SIGINT; iolat must exit 0
iolat_stop() {
	kill -INT $pid
	wait $pid
	check "$name: iolat around the $1 exited 0" test $? = 0
}

stage iscsi 1 && ok "$name iscsi: staged $DEV" || notok "$name iscsi: stage"
DEV_I=$DEV MNT_I=$MNT
stage nvme 1 && ok "$name nvme: staged $DEV" || notok "$name nvme: stage"
DEV_N=$DEV MNT_N=$MNT

# shellcheck disable=SC2086
iolat_start "" ${ST_ARGS:-} --report "iolat-$name.md"
# The target's own service time, measured without scaletrace: ftrace's bio
# events on the dm-delay stores under the LUN and the namespace, for the very
# reads iolat splits (the injected delay is jiffy-quantised and TCG's timer
# lag moves it with each I/O's phase against the tick, so it is measured for
# these I/Os, not assumed).
store_trace_start "iolat-$name.store" /dev/mapper/lab-iscsi-vol1 /dev/mapper/lab-nvme-vol1 ||
	notok "$name: ftrace of the stores could not start"
for d in "$DEV_I" "$DEV_N"; do
	drop_caches
	lab-iolat --count "${COUNT:-30}" --warmup 2 "$d" >>"iolat-$name.fio" 2>&1
done
store_trace_stop "iolat-$name.store"
# WRITES=N: N direct 256 KiB writes to a file on each volume. Beyond the
# in-capsule / immediate data (NVMe-TCP 16 KiB, iSCSI 8 KiB here) the target
# asks for the data with an R2T: two round trips per write.
if [ "${WRITES:-0}" -gt 0 ]; then
	for m in "$MNT_I" "$MNT_N"; do
		dd if=/dev/zero of="$m/r2t" bs=256k count="$WRITES" oflag=direct conv=notrunc \
			status=none || notok "$name: direct writes to $m"
	done
fi
iolat_stop reads
check "$name: iolat wrote JSON" test -s "iolat-$name.json"
check "$name: iolat wrote the Markdown report" test -s "iolat-$name.md"

# LOGIN=1: the iSCSI login again, traced: iscsid's socket exchanges with the
# target (login PDUs, port 3260) come back as exchanges with their own split.
if [ "${LOGIN:-0}" = 1 ]; then
	unstage iscsi 1 || notok "$name: iscsi unstage"
	iolat_start login
	stage iscsi 1 && ok "$name iscsi: staged again $DEV" || notok "$name iscsi: stage again"
	iolat_stop login
fi
# EXCH=1: socket exchanges beyond the login, traced with --port 9000: NVMe-TCP
# ICReq -> ICResp round trips from user space on 4420, an echo server on 9000
# in the target's netns, and the kernel NFS client's RPCs on 2049 (a stage of
# the NFS volume, direct writes and reads of a file on it).
if [ "${EXCH:-0}" = 1 ]; then
	XC=$ROOT/tests/lab/guest/exchanges.py
	ip netns exec "$ST_LAB_TARGET_NETNS" python3 "$XC" serve 9000 5 >"xchg-$name.server" 2>&1 &
	spid=$!
	for _ in $(seq 50); do grep -q listening "xchg-$name.server" && break; sleep 0.1; done
	iolat_start xchg --port 9000
	python3 "$XC" echo "$ST_LAB_TARGET_ADDR" 9000 5 >>"xchg-$name.client" 2>&1 ||
		notok "$name: echo exchanges with :9000"
	python3 "$XC" nvme "$ST_LAB_NVME_ADDR" "$ST_LAB_NVME_PORT" 5 >>"xchg-$name.client" 2>&1 ||
		notok "$name: ICReq exchanges with :$ST_LAB_NVME_PORT"
	if stage nfs 1; then
		dd if=/dev/zero of="$MNT/xchg" bs=4k count=8 oflag=direct status=none &&
			dd if="$MNT/xchg" of=/dev/null bs=4k iflag=direct status=none ||
			notok "$name: direct I/O on the NFS volume"
	else
		notok "$name nfs: stage"
	fi
	iolat_stop exchanges
	unstage nfs 1 || notok "$name: nfs unstage"
	wait $spid || notok "$name: the echo server on :9000 failed"
	cat "xchg-$name.client"
fi

# QD=1: queueing. 4 KiB random reads at queue depth 4 (fio, libaio) on each
# volume, every request streamed. The iSCSI LUN's SCSI queue depth is cut to 1
# first, so three of the four wait in this node's block layer (kernel) while
# one is at the target; NVMe-TCP takes all four to the target at once.
if [ "${QD:-0}" = 1 ]; then
	qdf=/sys/block/$(basename "$(readlink -f "$DEV_I")")/device/queue_depth
	old=$(cat "$qdf") && echo 1 >"$qdf" || notok "$name: SCSI queue depth 1 on $DEV_I"
	# beside it --dev and --by: the NVMe-TCP namespace alone, grouped by process
	"$ST" iolat --overhead-budget 100 --dev "$(basename "$(readlink -f "$DEV_N")")" --by proc \
		--json "iolat-$name-byproc.json" >"iolat-$name-byproc.out" 2>"iolat-$name-byproc.err" &
	pid2=$!
	iolat_start qd --slower-than 1us
	until grep -q '^Tracing' "iolat-$name-byproc.err" 2>/dev/null; do
		kill -0 $pid2 2>/dev/null || break
		sleep 0.2
	done
	store_trace_start "iolat-$name-qd.store" /dev/mapper/lab-iscsi-vol1 /dev/mapper/lab-nvme-vol1 ||
		notok "$name: ftrace of the stores could not start"
	for d in "$DEV_I" "$DEV_N"; do
		fio --name=qd4 --filename="$d" --direct=1 --rw=randread --bs=4k --iodepth=4 \
			--ioengine=libaio --size=64M --runtime=4 --time_based --randseed=7 \
			--output-format=terse >>"iolat-$name-qd.fio" 2>&1 || notok "$name: fio QD4 on $d"
	done
	store_trace_stop "iolat-$name-qd.store"
	iolat_stop queue-depth-4 reads
	kill -INT $pid2
	wait $pid2
	check "$name: iolat --dev --by proc exited 0" test $? = 0
	echo "$old" >"$qdf"
fi
note "guest script complete"
