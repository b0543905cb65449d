#!/bin/bash
# Runs inside the lab (tests/lab/test-lab-options.sh): --proto nfs
# --disk-size 96 --net-delay 10 --net-jitter 8.
. "$(dirname "$0")/lib.sh"

check "ST_LAB_PROTO=nfs" test "${ST_LAB_PROTO:-}" = nfs
check "ST_LAB_DISK_MB=96" test "${ST_LAB_DISK_MB:-}" = 96
check "ST_LAB_NET_JITTER_MS=8" test "${ST_LAB_NET_JITTER_MS:-}" = 8
# Only the NFS target: no LIO iSCSI target, no nvmet subsystem, nfsd serving.
iscsi_targets() { ls /sys/kernel/config/target/iscsi 2>/dev/null | grep -c '^iqn\.'; }
nvme_subsys() { ls /sys/kernel/config/nvmet/subsystems 2>/dev/null | wc -l; }
fcheck "LIO iSCSI targets built" "$(iscsi_targets)" 0 0
fcheck "nvmet subsystems built" "$(nvme_subsys)" 0 0
# No way out: the initiator namespace has the loopback and the veth to the
# target, nothing else.
links=$(ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | tr '\n' ' ')
note "network links: $links"
check "only lo and the veth ($links)" test "$links" = "$(printf '%s\n' lo "$ST_LAB_VETH" | sort | tr '\n' ' ')"
# --net-delay 10 and --net-jitter 8 are round-trip times: 5 ms +- 4 ms at each end.
if tc qdisc show dev "$ST_LAB_VETH" | grep -q 'netem.*delay 5ms  *4ms'; then
	ok "netem on $ST_LAB_VETH: delay 5ms 4ms"
else
	notok "netem on $ST_LAB_VETH: $(tc qdisc show dev "$ST_LAB_VETH")"
fi
out=$(busybox ping -c 40 -i 0.05 -W 2 "$ST_LAB_TARGET_ADDR" 2>&1)
rtts=$(sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' <<<"$out")
med=$(median_of <<<"$rtts")
spread=$(sort -n <<<"$rtts" | awk '{ v[NR] = $1 } END { print v[int(NR * 0.9)] - v[int(NR * 0.1) + 1] }')
fcheck "ping RTT median with a 10 ms round trip (ms)" "$med" 8 15
fcheck "ping RTT p90 - p10 with 8 ms jitter (ms)" "$spread" 3 20
# The NFS volume stages, and its filesystem is the 96 MB store (ext4 overhead aside).
if stage nfs 1; then
	ok "nfs staged at $MNT"
	mb=$(df -m --output=size "$MNT" | tail -1 | tr -d ' ')
	fcheck "NFS export size with --disk-size 96 (MB)" "$mb" 80 96
	dd if=/dev/zero of="$MNT/f" bs=64k count=16 conv=fsync status=none && cmp -n 1048576 "$MNT/f" /dev/zero &&
		ok "1 MiB written and read back" || notok "I/O on the NFS volume"
	unstage nfs 1 && ok "nfs unstaged" || notok "nfs unstage"
else
	notok "nfs stage"
fi
note "guest script complete"
