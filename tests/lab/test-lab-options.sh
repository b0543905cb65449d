#!/usr/bin/env bash
# Lab end-to-end: the options no other boot uses, each with a measured effect.
# --proto nfs alone (only the NFS target is built), --disk-size 96 (the NFS
# export's filesystem is that big), --net-delay 10 --net-jitter 8 (RTT about
# 10 ms with a spread), and the guest has no network device to the outside.
# See tests/lab/guest/options.sh. Then --icount (guest time from instructions,
# bench/lab-fio's clock): one fixed workload takes the same guest time in
# every run (tests/lab/guest/icount.sh).
. "$(dirname "$0")/lib.sh"

lab --proto nfs --disk-size 96 --net-delay 10 --net-jitter 8 --timeout 300 -- \
	bash "$GUEST/options.sh"
guest_results
check "lab exit status 0" test "$LAB_RC" = 0
[ "$LAB_RC" = 0 ] || show_lab_output

lab --proto none --smp 1 --icount shift=2,sleep=off --timeout 300 -- bash "$GUEST/icount.sh"
guest_results
check "lab --icount exit status 0" test "$LAB_RC" = 0
[ "$LAB_RC" = 0 ] || show_lab_output
finish
