#!/usr/bin/env bash
# Lab end-to-end: --net-delay 20 (netem on both veth ends) gives a ~20 ms RTT
# and adds ~20 ms to each synchronous 4 KiB direct I/O on iSCSI, NVMe-TCP and
# NFS; --net-jitter widens the RTT spread. See tests/lab/guest/injection.sh.
. "$(dirname "$0")/lib.sh"

lab --proto all --net-delay 20 --timeout 500 -- \
	env LAB_TEST_TOLERANCE_PCT="${LAB_TEST_TOLERANCE_PCT:-20}" bash "$GUEST/injection.sh" net
guest_results
check "lab exit status 0" test "$LAB_RC" = 0
[ "$LAB_RC" = 0 ] || show_lab_output
finish
