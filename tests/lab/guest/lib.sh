# shellcheck shell=bash disable=SC2034 # sourced: variables are used by the tests
# tests/lab/guest/lib.sh: helpers for scripts that run INSIDE the lab guest
# (source it). Results go to ./results.tap (the current directory is the
# host's test work directory, shared read-write) so the host side can replay
# them even when the lab run ends in a timeout.
set -uo pipefail
# The checkout these scripts belong to (the host's root is the guest's, so
# this is where the host built scaletrace, wherever the clone lives).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
RES=$PWD/results.tap
: >"$RES"
GFAILS=0

ok() { echo "ok - $*" | tee -a "$RES"; }
notok() {
	echo "not ok - $*" | tee -a "$RES"
	GFAILS=$((GFAILS + 1))
}
note() { echo "# $*" | tee -a "$RES"; }
check() { # check DESC CMD...
	local d=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$d"; else notok "$d"; fi
}
# fcheck DESC VALUE LO HI: LO <= VALUE <= HI (floats)
fcheck() {
	if awk -v v="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(v != "" && v + 0 >= lo && v + 0 <= hi) }'; then
		ok "$1 ($2 in [$3, $4])"
	else
		notok "$1 (${2:-none} not in [$3, $4])"
	fi
}
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
# within PCT OF: the [lo hi] band of OF +- PCT percent
band() { awk -v x="$2" -v p="$1" 'BEGIN { printf "%.2f %.2f", x * (1 - p / 100), x * (1 + p / 100) }'; }

# median_of: median of numbers on stdin
median_of() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# ping_rtt COUNT INTERVAL: median RTT (ms) to the target; sets PING_LOSS (%)
ping_rtt() {
	local out
	out=$(busybox ping -c "$1" -i "$2" -W 2 "$ST_LAB_TARGET_ADDR" 2>&1)
	PING_LOSS=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' <<<"$out")
	sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' <<<"$out" | median_of
}

# stage PROTO VOL [ARGS...]: nodestage-sim stage; sets DEV and MNT
stage() {
	local p=$1 v=$2 out
	shift 2
	DEV="" MNT=""
	out=$(nodestage-sim stage --proto "$p" --volume "$v" "$@") || return 1
	MNT=$(sed -n 's/.* path=\([^ ]*\).*/\1/p' <<<"$out")
	DEV=$(sed -n 's/.* device=\([^ ]*\).*/\1/p' <<<"$out")
	[ -n "$MNT" ]
}
unstage() { nodestage-sim unstage --proto "$1" --volume "$2" >/dev/null; }

# iolat ARGS...: median ms of lab-iolat
iolat() { lab-iolat "$@" | sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p'; }

drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }

# Interleaved measurement rounds with and without an injection.
# The test defines meas KEY (prints a latency in ms) and the commands
# INJECT_ON=(...) / INJECT_OFF=(...); rounds N KEY... then appends each
# round's values to WITH[KEY], WITHOUT[KEY] and DIFF[KEY]. Interleaving makes
# a busy host (TCG timing follows the host's load) shift both sides alike.
declare -A WITH WITHOUT DIFF
rounds() {
	local n=$1 i k a b
	shift
	for i in $(seq 1 "$n"); do
		"${INJECT_ON[@]}" >/dev/null || notok "${INJECT_ON[*]}"
		declare -A cur=()
		for k in "$@"; do cur[$k]=$(meas "$k"); done
		"${INJECT_OFF[@]}" >/dev/null || notok "${INJECT_OFF[*]}"
		for k in "$@"; do
			a=${cur[$k]} b=$(meas "$k")
			WITH[$k]+=" $a" WITHOUT[$k]+=" $b" DIFF[$k]+=" $(fsub "$a" "$b")"
		done
	done
}
# added KEY: injected latency = the smallest per-round median with the
# injection minus the smallest without. Host load only ever adds latency
# (a halted vCPU waits for the host scheduler), so the minimum over rounds is
# the robust estimate on a busy machine.
minof() { tr ' ' '\n' <<<"$1" | grep . | sort -n | head -n1; }
added() { fsub "$(minof "${WITH[$1]}")" "$(minof "${WITHOUT[$1]}")"; }
in_band() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v >= lo && v <= hi) }'; }

done_guest() { # done_guest [EXIT]: mark completion; exit with EXIT or the failure count
	note "guest script complete: $GFAILS failure(s)"
	exit "${1:-$((GFAILS > 0 ? 1 : 0))}"
}

# dump_task PID: where a stuck process and its threads are, as TAP comments
dump_task() {
	local t
	note "pid $1: $(tr '\0' ' ' </proc/"$1"/cmdline 2>/dev/null | cut -c1-200)"
	for t in /proc/"$1"/task/*; do
		[ -d "$t" ] || continue
		note "  tid ${t##*/} $(cut -d' ' -f3 "$t/stat" 2>/dev/null) wchan=$(cat "$t/wchan" 2>/dev/null)" \
			"kstack: $(awk '{ printf "%s ", $2 }' "$t/stack" 2>/dev/null)"
	done
}
# wait_bounded PID SECONDS DESC: wait for PID like `wait`, but at most SECONDS;
# a process still running then is described (dump_task), killed, and
# reported as not ok. Returns the exit status (137 after the kill).
wait_bounded() {
	local pid=$1 left=$(($2 * 5)) desc=$3
	while kill -0 "$pid" 2>/dev/null && [ $left -gt 0 ]; do
		sleep 0.2
		left=$((left - 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		notok "$desc: still running after $2 s, killed"
		dump_task "$pid"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid"
}

# store_trace_start OUT DEV...: record every bio queued to and completed by the
# given block devices (the dm-delay stores under the LUNs and namespaces)
# with ftrace in a tracefs instance of its own: an account of the target's
# service time per I/O that needs neither BPF nor scaletrace. Each device
# is written as a "# store NAME MAJOR,MINOR" line to the trace file first.
# With the target's veth known ($ST_LAB_TARGET_VETH, exported by guest-init)
# also every packet the target receives (netif_receive_skb) and hands to its
# device (net_dev_queue, before netem's qdisc): command arrival to response
# send at the TrueNAS end, the whole of the target's time and not only the
# store's ("# target-veth NAME" line).
ST_TRACE=/sys/kernel/tracing/instances/stlab-store
store_trace_start() {
	local out=$1 d ma mi filt="" e
	shift
	[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing || return 1
	mkdir -p "$ST_TRACE" || return 1
	: >"$out"
	for d in "$@"; do
		read -r ma mi < <(stat -L -c '%t %T' "$d") && [ -n "$mi" ] || return 1
		echo "# store $(basename "$d") $((16#$ma)),$((16#$mi))" >>"$out"
		filt="${filt:+$filt || }dev == $(((16#$ma << 20) | 16#$mi))"
	done
	echo mono >"$ST_TRACE/trace_clock" && echo 4096 >"$ST_TRACE/buffer_size_kb" || return 1
	for e in block_bio_queue block_bio_complete; do
		echo "$filt" >"$ST_TRACE/events/block/$e/filter" &&
			echo 1 >"$ST_TRACE/events/block/$e/enable" || return 1
	done
	if [ -n "${ST_LAB_TARGET_VETH:-}" ]; then
		echo "# target-veth $ST_LAB_TARGET_VETH" >>"$out"
		for e in netif_receive_skb net_dev_queue; do
			echo "name == \"$ST_LAB_TARGET_VETH\"" >"$ST_TRACE/events/net/$e/filter" &&
				echo 1 >"$ST_TRACE/events/net/$e/enable" || return 1
		done
	fi
	: >"$ST_TRACE/trace"
	echo 1 >"$ST_TRACE/tracing_on"
}
# store_trace_stop OUT: stop, append the records to OUT, remove the instance
store_trace_stop() {
	echo 0 >"$ST_TRACE/tracing_on"
	grep -v '^#' "$ST_TRACE/trace" >>"$1"
	echo 0 >"$ST_TRACE/events/enable"
	rmdir "$ST_TRACE"
}
