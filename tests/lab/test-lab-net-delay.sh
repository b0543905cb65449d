#!/usr/bin/env bash
# Lab end-to-end: --net-delay 20 gives a 20 ms RTT (ping) and adds ~20 ms to
# each synchronous 4 KiB direct I/O on iSCSI, NVMe-TCP and NFS. See
# tests/lab/guest/net-delay.sh.
. "$(dirname "$0")/lib.sh"

lab --proto all --net-delay 20 --timeout 400 -- bash "$GUEST/net-delay.sh"
guest_results
check "lab exit status 0" test "$LAB_RC" = 0
[ "$LAB_RC" = 0 ] || show_lab_output
finish
