#!/bin/bash
# Runs inside the lab (scripts/lab/run --proto iscsi --net-loss 10): netem
# drops packets on both veth ends; ping sees ~1-(0.9^2) = 19% round-trip
# loss, TCP retransmits, and iSCSI still stages and moves data.
. "$(dirname "$0")/lib.sh"

check "ST_LAB_NET_LOSS_PCT=10" test "${ST_LAB_NET_LOSS_PCT:-}" = 10
check "netem loss on the initiator end" bash -c "tc qdisc show dev $ST_LAB_VETH | grep -q 'netem.*loss 10%'"
check "netem loss on the target end" \
	bash -c "tc -n truenas qdisc show dev ${ST_LAB_TARGET_VETH:-lab-nas} | grep -q 'netem.*loss 10%'"
ping_rtt 200 0.01 >/dev/null
fcheck "ping round-trip loss with --net-loss 10 (%), expected ~19" "$PING_LOSS" 7 35

retrans() { nstat -az TcpRetransSegs | awk '$1 == "TcpRetransSegs" { print $2 }'; }
r0=$(retrans)
if stage iscsi 1; then
	ok "iscsi: stage despite loss"
	head -c 4194304 /dev/urandom >/tmp/payload
	cp /tmp/payload "$MNT/data" && sync && drop_caches
	check "iscsi: 4 MiB written and read back intact despite loss" cmp /tmp/payload "$MNT/data"
	unstage iscsi 1 && ok "iscsi: unstage" || notok "iscsi: unstage"
else
	notok "iscsi: stage despite loss"
fi
r1=$(retrans)
note "TCP retransmitted segments: $r0 -> $r1"
check "TCP retransmits happened" test "${r1:-0}" -gt "${r0:-0}"
done_guest
