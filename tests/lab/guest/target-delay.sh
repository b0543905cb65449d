#!/bin/bash
# Runs inside the lab (scripts/lab/run --target-delay 30 --chap USER:SECRET):
# the injected target delay must show up in the initiator's synchronous 4 KiB
# direct I/O latency. Measures with the boot-time delay and after
# `lab-inject --target-delay 0`, in interleaved rounds in the same boot, and
# checks the difference is the delay +-20%. Also checks CHAP: a wrong secret
# must not log in.
. "$(dirname "$0")/lib.sh"

TD=${ST_LAB_TARGET_DELAY_MS:-0}
check "ST_LAB_TARGET_DELAY_MS=30" test "$TD" = 30
check "CHAP user exported" test -n "${ST_LAB_ISCSI_CHAP_USER:-}"
check "dm-delay tables carry a delay" bash -c "dmsetup table | grep -q '^lab-iscsi-vol1: .* delay .* [1-9][0-9]* '"

# CHAP: wrong secret refused, right one (from the environment) accepted
if nodestage-sim stage --proto iscsi --chap "$ST_LAB_ISCSI_CHAP_USER:wrongsecret123" >/dev/null 2>&1; then
	notok "iscsi login with a wrong CHAP secret was accepted"
	unstage iscsi 1
else
	ok "iscsi login with a wrong CHAP secret is refused"
	unstage iscsi 1 # drops the node record
fi

stage iscsi 1 && ok "iscsi: stage with CHAP" || notok "iscsi: stage with CHAP"
DEV_I=$DEV MNT_I=$MNT
stage nvme 1 && ok "nvme: stage" || notok "nvme: stage"
DEV_N=$DEV MNT_N=$MNT
stage nfs 1 && ok "nfs: stage" || notok "nfs: stage"
MNT_F=$MNT
for m in "$MNT_I" "$MNT_N" "$MNT_F"; do
	[ -n "$m" ] && lab-iolat --rw write --count 1 --warmup 0 "$m/lat.dat" >/dev/null
done

# Interleave rounds with and without the delay so that a busy host (TCG
# timing follows the host's load) shifts both sides alike; judge the median
# of the per-round differences. A key whose result is off gets 3 more rounds
# (more samples on a noisy host) before it fails.
KEYS="iscsi-read iscsi-write nvme-read nvme-write nfs-read nfs-write"
# server-side page cache of the NFS test file, so reads reach the disk
nfs_drop() {
	nsenter --mount="$ST_LAB_TARGET_MNTNS" -- \
		dd if=/mnt/tank/vol1/lat.dat iflag=nocache count=0 status=none 2>/dev/null || drop_caches
}
meas() { # meas KEY: median latency (ms) of 16 I/Os
	case $1 in
	iscsi-read) iolat --count 16 "$DEV_I" ;;
	iscsi-write) iolat --count 16 --rw write "$MNT_I/lat.dat" ;;
	nvme-read) iolat --count 16 "$DEV_N" ;;
	nvme-write) iolat --count 16 --rw write "$MNT_N/lat.dat" ;;
	nfs-read) nfs_drop && iolat --count 16 "$MNT_F/lat.dat" ;;
	nfs-write) iolat --count 8 --rw write "$MNT_F/lat.dat" ;;
	esac
}
INJECT_ON=(lab-inject --target-delay "$TD")
INJECT_OFF=(lab-inject --target-delay 0)

read -r lo hi <<<"$(band 20 "$TD")"
rounds 3 $KEYS
for k in $KEYS; do
	max=$hi
	[ "$k" = nfs-write ] && max=1000
	in_band "$(added $k)" "$lo" "$max" || { note "$k: off after 3 rounds, 3 more"; rounds 3 "$k"; }
done
ping_off=$(ping_rtt 10 0.1)
lab-inject --target-delay "$TD" >/dev/null
ping_on=$(ping_rtt 10 0.1)

for k in $KEYS; do
	note "$k: medians with --target-delay $TD:${WITH[$k]} ms; without:${WITHOUT[$k]} ms; added:${DIFF[$k]} ms"
	if [ "$k" = nfs-write ]; then
		# FILE_SYNC writes on a sync export: data + journal commit, i.e.
		# several delayed I/Os on the server's disk per NFS write.
		fcheck "$k: added latency >= one target delay (ms)" "$(added $k)" "$lo" 1000
	else
		fcheck "$k: added latency = --target-delay +-20% (ms)" "$(added $k)" "$lo" "$hi"
	fi
done
note "ping: $ping_on ms with --target-delay, $ping_off ms without"
fcheck "ping RTT not affected by the target delay (ms)" "$ping_on" 0 10

unstage iscsi 1 && unstage nvme 1 && unstage nfs 1 && ok "unstage all" || notok "unstage all"
done_guest
