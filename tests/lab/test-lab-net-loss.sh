#!/usr/bin/env bash
# Lab end-to-end: --net-loss 10 drops packets on both veth ends (ping loss,
# TCP retransmissions, data still intact). See tests/lab/guest/net-loss.sh.
. "$(dirname "$0")/lib.sh"

lab --proto none --net-loss 10 --timeout 300 -- bash "$GUEST/net-loss.sh"
guest_results
check "lab exit status 0" test "$LAB_RC" = 0
[ "$LAB_RC" = 0 ] || show_lab_output
finish
