#!/bin/bash
# Runs inside the lab (scripts/lab/run --net-delay 20): netem on both veth
# ends must give a ~20 ms round trip (ping) and add ~20 ms to each
# synchronous 4 KiB direct I/O on iSCSI, NVMe-TCP and NFS (one exchange per
# I/O). Interleaved rounds with `lab-inject --net-delay 0` give the baseline
# in the same boot. Also checks --net-jitter through lab-inject.
. "$(dirname "$0")/lib.sh"

ND=${ST_LAB_NET_DELAY_MS:-0}
check "ST_LAB_NET_DELAY_MS=20" test "$ND" = 20
half=$((ND / 2))ms
check "netem delay $half on the initiator end ($ST_LAB_VETH)" \
	bash -c "tc qdisc show dev $ST_LAB_VETH | grep -q 'netem.*delay $half'"
check "netem delay $half on the target end (lab-nas, truenas netns)" \
	bash -c "tc -n truenas qdisc show dev ${ST_LAB_TARGET_VETH:-lab-nas} | grep -q 'netem.*delay $half'"

read -r lo hi <<<"$(band 20 "$ND")"
rtt=$(ping_rtt 20 0.05)
fcheck "ping RTT = --net-delay +-20% (ms)" "$rtt" "$lo" "$hi"

stage iscsi 1 && ok "iscsi: stage over the delayed network" || notok "iscsi: stage"
DEV_I=$DEV MNT_I=$MNT
stage nvme 1 && ok "nvme: stage over the delayed network" || notok "nvme: stage"
DEV_N=$DEV MNT_N=$MNT
stage nfs 1 && ok "nfs: stage over the delayed network" || notok "nfs: stage"
MNT_F=$MNT
for m in "$MNT_I" "$MNT_N" "$MNT_F"; do
	[ -n "$m" ] && lab-iolat --rw write --count 1 --warmup 0 "$m/lat.dat" >/dev/null
done

KEYS="iscsi-read iscsi-write nvme-read nvme-write nfs-read nfs-write"
meas() {
	case $1 in
	iscsi-read) iolat --count 16 "$DEV_I" ;;
	iscsi-write) iolat --count 16 --rw write "$MNT_I/lat.dat" ;;
	nvme-read) iolat --count 16 "$DEV_N" ;;
	nvme-write) iolat --count 16 --rw write "$MNT_N/lat.dat" ;;
	nfs-read) iolat --count 16 "$MNT_F/lat.dat" ;;
	nfs-write) iolat --count 16 --rw write "$MNT_F/lat.dat" ;;
	esac
}
INJECT_ON=(lab-inject --net-delay "$ND")
INJECT_OFF=(lab-inject --net-delay 0)
rounds 3 $KEYS
for k in $KEYS; do
	in_band "$(added $k)" "$lo" "$hi" || { note "$k: off after 3 rounds, 3 more"; rounds 3 "$k"; }
done
for k in $KEYS; do
	note "$k: medians with --net-delay $ND:${WITH[$k]} ms; without:${WITHOUT[$k]} ms; added:${DIFF[$k]} ms"
	fcheck "$k: added latency = --net-delay +-20% (ms)" "$(added $k)" "$lo" "$hi"
done

# jitter: RTT spread grows, median stays
lab-inject --net-delay "$ND" --net-jitter 10 >/dev/null && ok "lab-inject --net-jitter 10" || notok "lab-inject --net-jitter 10"
out=$(busybox ping -c 40 -i 0.05 -W 2 "$ST_LAB_TARGET_ADDR" 2>&1)
spread=$(sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' <<<"$out" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f", hi - lo }')
fcheck "ping RTT spread with --net-jitter 10 (ms)" "$spread" 4 40
lab-inject --net-delay "$ND" --net-jitter 0 >/dev/null

unstage iscsi 1 && unstage nvme 1 && unstage nfs 1 && ok "unstage all" || notok "unstage all"
done_guest
