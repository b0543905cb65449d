#!/bin/bash
# Runs inside the lab, booted with one injection setting: `scaletrace iolat`
# around synchronous 4 KiB direct reads on the iSCSI and NVMe-TCP volumes,
# staged after the injection is in place. Leaves iolat-$SCENARIO.json in the
# working directory for the host-side checks (tests/lab/test-iolat-split.sh).
# SCENARIO: the name; COUNT: reads per device; ST_ARGS: extra iolat options.
. "$(dirname "$0")/lib.sh"
ST=${ST:-$ROOT/scaletrace}
name=${SCENARIO:?}

stage iscsi 1 && ok "$name iscsi: staged $DEV" || notok "$name iscsi: stage"
DEV_I=$DEV MNT_I=$MNT
stage nvme 1 && ok "$name nvme: staged $DEV" || notok "$name nvme: stage"
DEV_N=$DEV MNT_N=$MNT

# The lab is emulated (TCG): the default 1% CPU budget would sample requests away.
# shellcheck disable=SC2086
"$ST" iolat --overhead-budget 100 ${ST_ARGS:-} --json "iolat-$name.json" --report "iolat-$name.md" \
	>"iolat-$name.out" 2>"iolat-$name.err" &
pid=$!
until grep -q '^Tracing' "iolat-$name.err" 2>/dev/null; do
	kill -0 $pid 2>/dev/null || break
	sleep 0.2
done
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
kill -INT $pid
wait $pid
check "$name: iolat exited 0" test $? = 0
check "$name: iolat wrote JSON" test -s "iolat-$name.json"
check "$name: iolat wrote the Markdown report" test -s "iolat-$name.md"

# LOGIN=1: the iSCSI login again, traced: iscsid's socket exchanges with the
# target (login PDUs, port 3260) come back as exchanges with their own split.
if [ "${LOGIN:-0}" = 1 ]; then
	unstage iscsi 1 || notok "$name: iscsi unstage"
	"$ST" iolat --overhead-budget 100 --json "iolat-$name-login.json" \
		>"iolat-$name-login.out" 2>"iolat-$name-login.err" &
	pid=$!
	until grep -q '^Tracing' "iolat-$name-login.err" 2>/dev/null; do
		kill -0 $pid 2>/dev/null || break
		sleep 0.2
	done
	stage iscsi 1 && ok "$name iscsi: staged again $DEV" || notok "$name iscsi: stage again"
	kill -INT $pid
	wait $pid
	check "$name: iolat around the login exited 0" test $? = 0
fi
note "guest script complete"
