#!/usr/bin/env bash
# Lab end-to-end: --target-delay 30 (dm-delay under every LUN, namespace and
# export) adds ~30 ms to each synchronous 4 KiB direct I/O, measured from the
# initiator on iSCSI, NVMe-TCP and NFS; iSCSI CHAP with --chap. See
# tests/lab/guest/injection.sh.
. "$(dirname "$0")/lib.sh"

lab --proto all --target-delay 30 --chap labuser:labsecret12ab --timeout 500 -- \
	env LAB_TEST_TOLERANCE_PCT="${LAB_TEST_TOLERANCE_PCT:-20}" bash "$GUEST/injection.sh" target
guest_results
check "lab exit status 0" test "$LAB_RC" = 0
[ "$LAB_RC" = 0 ] || show_lab_output
finish
