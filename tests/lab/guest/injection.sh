#!/bin/bash
# shellcheck disable=SC2034 # INJECT_ON/INJECT_OFF/DIFF are used by lib.sh
# Runs inside the lab; checks that an injection is real, measured from the
# initiator with synchronous 4 KiB direct I/O (lab-iolat) and ping, by
# toggling it with lab-inject in interleaved rounds in the same boot:
#   injection.sh target  (run --target-delay 30 --chap USER:SECRET)
#       +~30 ms per read/write on iSCSI, NVMe-TCP and NFS reads (+-20%); NFS
#       FILE_SYNC writes pay several delays; ping unchanged; CHAP (a wrong
#       secret must not log in)
#   injection.sh net     (run --net-delay 20)
#       netem on both ends; ping RTT ~20 ms (+-20%); +~20 ms per I/O on all
#       three protocols (-10%..+30%: emulation only ever adds); --net-jitter
# LAB_TEST_TOLERANCE_PCT (default 20) scales the bands on an overloaded host.
. "$(dirname "$0")/lib.sh"

MODE=${1:?usage: injection.sh target|net}
TD=${ST_LAB_TARGET_DELAY_MS:-0}
ND=${ST_LAB_NET_DELAY_MS:-0}
TOL=${LAB_TEST_TOLERANCE_PCT:-20}
if [ "$MODE" = target ]; then
	check "ST_LAB_TARGET_DELAY_MS=30" test "$TD" = 30
	check "CHAP user exported" test -n "${ST_LAB_ISCSI_CHAP_USER:-}"
	# "lab-iscsi-vol1: 0 524288 delay 7:0 0 24 7:0 0 24": read and write delay set
	n_delayed=$(dmsetup table | awk '$1 ~ /^lab-/ && $4 == "delay" && $7 > 0 && $10 > 0' | wc -l)
	check "dm-delay with read and write delay under all 3 backing stores" test "$n_delayed" = 3
	read -r lo hi <<<"$(band "$TOL" "$TD")"
	rtt=$(ping_rtt 10 0.1)
	fcheck "ping RTT without network injection (ms)" "$rtt" 0 10
else
	check "ST_LAB_NET_DELAY_MS=20" test "$ND" = 20
	half=$((ND / 2))ms
	check "netem delay $half on the initiator end ($ST_LAB_VETH)" \
		bash -c "tc qdisc show dev $ST_LAB_VETH | grep -q 'netem.*delay $half'"
	check "netem delay $half on the target end (lab-nas in netns truenas)" \
		bash -c "tc -n truenas qdisc show dev ${ST_LAB_TARGET_VETH:-lab-nas} | grep -q 'netem.*delay $half'"
	read -r lo hi <<<"$(band "$TOL" "$ND")"
	rtt=$(ping_rtt 20 0.05)
	fcheck "ping RTT = --net-delay +-$TOL% (ms)" "$rtt" "$lo" "$hi"
	# per I/O: emulation only ever adds (a halted vCPU waits for the host)
	read -r lo hi <<<"$(awk -v x="$ND" -v p="$TOL" 'BEGIN { printf "%.2f %.2f", x * (1 - p / 200), x * (1 + 1.5 * p / 100) }')"
fi

if [ "$MODE" = target ]; then
	# CHAP: wrong secret refused, right one (from the environment) accepted
	if nodestage-sim stage --proto iscsi --chap "$ST_LAB_ISCSI_CHAP_USER:wrongsecret123" >/dev/null 2>&1; then
		notok "iscsi login with a wrong CHAP secret was accepted"
	else
		ok "iscsi login with a wrong CHAP secret is refused"
	fi
	unstage iscsi 1 # drops the node record either way
fi
stage iscsi 1 && ok "iscsi: stage" || notok "iscsi: stage"
DEV_I=$DEV MNT_I=$MNT
stage nvme 1 && ok "nvme: stage" || notok "nvme: stage"
DEV_N=$DEV MNT_N=$MNT
stage nfs 1 && ok "nfs: stage" || notok "nfs: stage"
MNT_F=$MNT
for m in "$MNT_I" "$MNT_N" "$MNT_F"; do
	[ -n "$m" ] && lab-iolat --rw write --count 1 --warmup 0 "$m/lat.dat" >/dev/null
done

KEYS="iscsi-read iscsi-write nvme-read nvme-write nfs-read nfs-write"
# the server-side page cache of the NFS test file, so that reads reach the disk
nfs_drop() {
	nsenter --mount="$ST_LAB_TARGET_MNTNS" -- \
		dd if=/mnt/tank/vol1/lat.dat iflag=nocache count=0 status=none 2>/dev/null || drop_caches
}
meas() { # meas KEY: median latency (ms) of a burst of I/Os
	case $1 in
	iscsi-read) iolat --count 15 "$DEV_I" ;;
	iscsi-write) iolat --count 15 --rw write "$MNT_I/lat.dat" ;;
	nvme-read) iolat --count 15 "$DEV_N" ;;
	nvme-write) iolat --count 15 --rw write "$MNT_N/lat.dat" ;;
	nfs-read) nfs_drop && iolat --count 15 "$MNT_F/lat.dat" ;;
	nfs-write) iolat --count 7 --rw write "$MNT_F/lat.dat" ;;
	esac
}
# hi_of NAME/KEY HI: the upper bound for one measurement. An NFS read adds the
# server's own work under TCG (nfsd wake-up, the file's block map) to the
# delayed store read: measured +30..35 ms for 30, so 10% more room.
hi_of() {
	case $1 in
	target/nfs-write) echo 1000 ;;
	target/nfs-read) awk -v h="$2" 'BEGIN { printf "%.2f", h * 1.1 }' ;;
	*) echo "$2" ;;
	esac
}
# judge NAME LO HI KEY...: 3 rounds, 3 more for a key that is off, then check
judge() {
	local name=$1 lo=$2 hi=$3 k max
	shift 3
	WITH=() WITHOUT=() DIFF=()
	rounds 3 "$@"
	for k in "$@"; do
		max=$(hi_of "$name/$k" "$hi")
		in_band "$(added "$k")" "$lo" "$max" || { note "$name/$k: off after 3 rounds, 3 more"; rounds 3 "$k"; }
	done
	for k in "$@"; do
		note "$k: medians with the $name injection:${WITH[$k]} ms; without:${WITHOUT[$k]} ms"
		if [ "$name/$k" = target/nfs-write ]; then
			# FILE_SYNC writes on a sync export: data + journal commit, i.e.
			# several delayed I/Os on the server's disk per NFS write.
			fcheck "$k: --target-delay adds >= one delay (ms)" "$(added "$k")" "$lo" 1000
		else
			fcheck "$k: --$name-delay adds its value (ms)" "$(added "$k")" "$lo" "$(hi_of "$name/$k" "$hi")"
		fi
	done
}

if [ "$MODE" = target ]; then
	INJECT_ON=(lab-inject --target-delay "$TD")
	INJECT_OFF=(lab-inject --target-delay 0)
	judge target "$lo" "$hi" $KEYS
	rtt=$(ping_rtt 10 0.1)
	fcheck "ping RTT unchanged by --target-delay (ms)" "$rtt" 0 10
else
	INJECT_ON=(lab-inject --net-delay "$ND")
	INJECT_OFF=(lab-inject --net-delay 0)
	judge net "$lo" "$hi" $KEYS
	# jitter: the RTT spread grows
	lab-inject --net-delay "$ND" --net-jitter 10 >/dev/null && ok "lab-inject --net-jitter 10" ||
		notok "lab-inject --net-jitter 10"
	out=$(busybox ping -c 40 -i 0.05 -W 2 "$ST_LAB_TARGET_ADDR" 2>&1)
	spread=$(sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' <<<"$out" | sort -n |
		awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f", hi - lo }')
	fcheck "ping RTT spread with --net-jitter 10 (ms)" "$spread" 4 40
	lab-inject --net-delay "$ND" --net-jitter 0 >/dev/null
fi

unstage iscsi 1 && unstage nvme 1 && unstage nfs 1 && ok "unstage all" || notok "unstage all"
done_guest
