#!/usr/bin/env bash
# Lab end-to-end: how scripts/lab/run fails. Every lab infrastructure failure
# is one line on stderr naming the step, exit 125, and the console log kept
# when the guest was involved; --timeout gives exit 124 with a clear message;
# Ctrl-C powers the guest off (exit 130), even when started as a background
# job with SIGINT ignored; bad arguments exit 2.
. "$(dirname "$0")/lib.sh"

one_line() { [ "$(grep -c . "$WORK/err")" = 1 ]; }
err_has() { grep -q -- "$1" "$WORK/err"; }
console_kept() { # the path named in the message exists
	local p
	p=$(sed -n 's/.*console log: \([^)]*\)).*/\1/p' "$WORK/err" | head -n1)
	[ -n "$p" ] && [ -s "$p" ]
}
expect() { # expect RC DESC: check exit status and a single stderr line
	check "$2: exit $1" test "$LAB_RC" = "$1"
	check "$2: one line on stderr" one_line
	[ "$LAB_RC" = "$1" ] && one_line || show_lab_output
}

# --- no boot -------------------------------------------------------------------
lab --help
check "--help exits 0" test "$LAB_RC" = 0
check "--help documents --net-delay" grep -q -- --net-delay "$WORK/out"

lab --bogus -- true
check "unknown option: exit 2" test "$LAB_RC" = 2
lab --proto xyz -- true
check "bad --proto: exit 2" test "$LAB_RC" = 2
lab --net-delay
check "missing value: exit 2" test "$LAB_RC" = 2
lab --proto iscsi
check "no CMD: exit 2" test "$LAB_RC" = 2
lab --smp 1 --icount shift=99 -- true
check "bad --icount: exit 2" test "$LAB_RC" = 2
lab --icount shift=2 -- true
check "--icount without --smp 1: exit 2" test "$LAB_RC" = 2

ST_LAB_QEMU=/nonexistent/qemu-system-x86_64 lab -- true
expect 125 "no qemu"
check "no qemu: names the step" err_has "preflight:.*qemu"

SCALETRACE_LAB_CACHE=/proc/stlab-no-such-dir lab -- true
expect 125 "unusable cache directory"
check "unusable cache directory: names the step" err_has "cache:"

ST_LAB_KERNEL_PACKAGE=linux-image-stlab-no-such-package lab -- true
expect 125 "unresolvable kernel package"
check "unresolvable kernel package: names the step" err_has "download:"

if [ "$(id -u)" = 0 ] && mkdir -p "$WORK/tiny" && mount -t tmpfs -o size=8m stlab-tiny "$WORK/tiny" 2>/dev/null; then
	SCALETRACE_LAB_CACHE=$WORK/tiny/cache lab -- true
	expect 125 "no space in the cache directory"
	check "no space: names the step" err_has "cache: not enough space"
	umount "$WORK/tiny"
else
	note "skipping the no-space check (needs root to mount a small tmpfs)"
fi

# --- failures inside the guest (ST_LAB_BREAK makes a real step fail) ---------------
ST_LAB_BREAK=iscsi-config lab --proto iscsi --timeout 120 -- true
expect 125 "LIO rejects a configfs write"
check "target config rejected: names the step" err_has "iscsi target: target config rejected"
check "target config rejected: console log kept" console_kept

ST_LAB_BREAK=module lab --proto nvme --timeout 120 -- true
expect 125 "missing module"
check "missing module: names the step" err_has "module load failed"
check "missing module: console log kept" console_kept

# --- timeout -------------------------------------------------------------------------
t0=$SECONDS
lab --proto none --timeout 20 -- sleep 600
check "--timeout: exit 124" test "$LAB_RC" = 124
check "--timeout: clear message" err_has "timeout: guest still running after 20s"
check "--timeout: says CMD did not finish" err_has "did not finish in time"
check "--timeout: shows the console log tail" err_has "ready at"
check "--timeout: console log kept" err_has "console log kept: "
check "--timeout: powered off promptly" test $((SECONDS - t0)) -lt 60

# --- Ctrl-C ------------------------------------------------------------------------------
# Started with SIGINT ignored, like any background job of a script: run
# must still honour it (it re-executes itself with the default disposition).
(trap '' INT; cd "$WORK" && exec "$LAB" --proto none -- sleep 120 >"$WORK/out" 2>"$WORK/err") &
pid=$!
qpid=""
for _ in $(seq 1 100); do
	qpid=$(pgrep -P "$pid" -f qemu-system 2>/dev/null | head -n1)
	[ -n "$qpid" ] && break
	sleep 0.2
done
check "Ctrl-C: qemu started" test -n "$qpid"
sleep 2
kill -INT "$pid"
wait "$pid"
LAB_RC=$?
check "Ctrl-C: exit 130" test "$LAB_RC" = 130
check "Ctrl-C: says so" err_has "interrupted"
sleep 0.5
check "Ctrl-C: qemu is gone" bash -c "! kill -0 ${qpid:-0} 2>/dev/null"

finish
