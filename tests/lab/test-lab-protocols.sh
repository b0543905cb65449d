#!/usr/bin/env bash
# Lab end-to-end: boot with all three protocols and two volumes each; inside,
# tests/lab/guest/protocols.sh checks the environment, the kernel interfaces
# and stage / I/O / unstage of every target (see there). Host side: exit
# status pass-through, stdout / stderr separation, read-write working dir.
. "$(dirname "$0")/lib.sh"

lab --verbose --proto all --volumes 2 --timeout 400 -- bash "$GUEST/protocols.sh"
guest_results
# The budget (docs/lab.md, step timings): qemu start -> all targets ready <= 40 s.
ready=$(sed -n 's/.*total qemu start -> targets ready: \([0-9]*\) ms/\1/p' "$WORK/err")
note "boot + iSCSI, NVMe-TCP and NFS targets (2 volumes each) ready in ${ready:-?} ms"
check "lab ready within the 40 s budget (${ready:-?} ms)" test "${ready:-99999}" -le 40000
check "CMD's exit status (42) is the lab's exit status" test "$LAB_RC" = 42
check "CMD's stdout reaches stdout" grep -qx STDOUT-MARK "$WORK/out"
check "CMD's stderr reaches stderr" grep -qx STDERR-MARK "$WORK/err"
check "stderr marker not on stdout" bash -c "! grep -q STDERR-MARK '$WORK/out'"
check "the guest wrote into the shared working directory" test -s "$WORK/results.tap"
[ "$LAB_RC" = 42 ] || show_lab_output
finish
