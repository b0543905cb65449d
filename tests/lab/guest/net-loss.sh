#!/bin/bash
# Runs inside the lab (scripts/lab/run --proto none --net-loss 10): netem
# drops packets on both veth ends. ping sees ~1-(0.9^2) = 19% round-trip
# loss; a TCP transfer to the target namespace needs retransmissions and
# still arrives intact.
. "$(dirname "$0")/lib.sh"

check "ST_LAB_NET_LOSS_PCT=10" test "${ST_LAB_NET_LOSS_PCT:-}" = 10
check "netem loss on the initiator end" bash -c "tc qdisc show dev $ST_LAB_VETH | grep -q 'netem.*loss 10%'"
check "netem loss on the target end" \
	bash -c "tc -n truenas qdisc show dev ${ST_LAB_TARGET_VETH:-lab-nas} | grep -q 'netem.*loss 10%'"
# Neighbour entries pinned on both ends: netem drops ARP too, and a failed
# resolution (1 s per retry) drops every ping queued behind it (68% once in
# CI), which measures ARP's retries, not the configured loss.
tveth=${ST_LAB_TARGET_VETH:-lab-nas}
tmac=$(ip -n truenas -o link show "$tveth" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
imac=$(cat "/sys/class/net/$ST_LAB_VETH/address")
check "neighbour entries pinned ($imac <-> $tmac)" bash -c "
	ip neigh replace $ST_LAB_TARGET_ADDR dev $ST_LAB_VETH lladdr $tmac nud permanent &&
	ip -n truenas neigh replace $ST_LAB_INITIATOR_ADDR dev $tveth lladdr $imac nud permanent"
ping_rtt 100 0.05 >/dev/null
fcheck "ping round-trip loss with --net-loss 10 (%), expected ~19" "$PING_LOSS" 7 35

retrans() { nstat -az TcpRetransSegs | awk '$1 == "TcpRetransSegs" { print $2 }'; }
head -c 4194304 /dev/urandom >/tmp/payload
r0=$(retrans)
nsenter --net=/run/netns/truenas busybox nc -l -p 5001 >/tmp/received &
pid=$!
for _ in $(seq 1 50); do
	nsenter --net=/run/netns/truenas ss -Hltn 'sport = :5001' | grep -q . && break
	sleep 0.1
done
if timeout 120 bash -c 'cat /tmp/payload >/dev/tcp/$ST_LAB_TARGET_ADDR/5001'; then
	ok "4 MiB sent over TCP despite loss"
else
	notok "4 MiB sent over TCP despite loss"
fi
timeout 60 bash -c "while kill -0 $pid 2>/dev/null; do sleep 0.2; done"
check "4 MiB arrived intact" cmp /tmp/payload /tmp/received
r1=$(retrans)
note "TCP retransmitted segments: $r0 -> $r1"
check "TCP retransmits happened" test "${r1:-0}" -gt "${r0:-0}"
done_guest
