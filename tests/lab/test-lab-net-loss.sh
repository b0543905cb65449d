#!/usr/bin/env bash
# Lab end-to-end: --net-loss 10 drops packets (ping loss, TCP retransmits)
# while iSCSI still works. See tests/lab/guest/net-loss.sh.
. "$(dirname "$0")/lib.sh"

lab --proto iscsi --net-loss 10 --timeout 300 -- bash "$GUEST/net-loss.sh"
guest_results
check "lab exit status 0" test "$LAB_RC" = 0
[ "$LAB_RC" = 0 ] || show_lab_output
finish
