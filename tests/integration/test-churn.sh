# Bounded resources (issue 8): a fork/exec storm of 10,000 short-lived processes
# (build/workloads/csi-churn: a parent named like a CSI node plugin execing
# /bin/true; every 1000th child is a pretend staging `mount`, so nodestage has
# operations to report) under `scaletrace offcpu` and `scaletrace nodestage`, both
# attached at once. The tracers' VmRSS/VmHWM are read every 500 processes:
#   (a) peak RSS (VmHWM) of each tracer under PEAK_MIB,
#   (b) RSS after the storm not above RSS after its first 5,000-6,000 processes by
#       more than the larger of +SLACK_PCT % and +SLACK_MIB (no per-process growth
#       once the bounded caches are full: nodestage's 10 s look-back, 5,000
#       processes at 500/s, and the symbol cache's 4,096 processes, whose maps are
#       read at first sight, ~4 KB each),
#   (c) both exit 0 on SIGINT with a sane report: offcpu counts time for the storm's
#       processes; nodestage reports the storm's pretend stagings,
#   (d) drop counters are printed as reported, never required to be zero.
# The storm is capped at RATE processes/s: nodestage forgets what no operation can
# need after a 10 s look-back (user/nsmodel.c), so its memory follows rate x 10 s;
# at <= 500/s that plateaus within the first 5,000 processes on any machine.
. tests/integration/lib.sh

N=${CHURN_N:-10000}
RATE=${CHURN_RATE:-500}
PEAK_MIB=${CHURN_PEAK_MIB:-80}
SLACK_PCT=20 SLACK_MIB=10
churn=$WL/csi-churn
[ -x "$churn" ] || fail "$churn missing (make workloads)"
[ -x /bin/true ] || skip "no /bin/true"

pids=
cleanup() { [ -n "$pids" ] && kill -INT $pids 2>/dev/null; wait 2>/dev/null; }
at_exit cleanup

$ST offcpu --overhead-budget 100 --json "$TMPDIR/off.json" >"$TMPDIR/off.out" 2>"$TMPDIR/off.err" &
off=$!
$ST nodestage --overhead-budget 100 --json "$TMPDIR/ns.json" >"$TMPDIR/ns.out" 2>"$TMPDIR/ns.err" &
ns=$!
pids="$off $ns"
for _ in $(seq 600); do
	grep -q '^Tracing' "$TMPDIR/off.err" && grep -q '^Tracing' "$TMPDIR/ns.err" && break
	kill -0 $off $ns 2>/dev/null || break
	sleep 0.1
done
grep -q '^Tracing' "$TMPDIR/off.err" || fail "offcpu did not start: $(cat "$TMPDIR/off.err")"
grep -q '^Tracing' "$TMPDIR/ns.err" || fail "nodestage did not start: $(cat "$TMPDIR/ns.err")"
rss() { awk '/^VmRSS/ {print $2}' /proc/$1/status; }
echo "attached: offcpu pid $off rss $(rss $off) KiB, nodestage pid $ns rss $(rss $ns) KiB"

"$churn" -n "$N" -r "$RATE" -j 2 -m 1000 -w $off -w $ns -e 500 >"$TMPDIR/churn.log" ||
	fail "storm failed: $(tail -1 "$TMPDIR/churn.log")"
sleep 2 # nodestage finishes the last operation after its grace period
echo "after the storm + 2 s: offcpu $(rss $off) KiB, nodestage $(rss $ns) KiB"
cat "$TMPDIR/churn.log"
# The last sample, once everything is done: "RSS HWM" in KiB.
vm() { awk '/^VmHWM/ {h = $2} /^VmRSS/ {r = $2} END {print r, h}' /proc/$1/status; }
end_off=$(vm $off) end_ns=$(vm $ns)

kill -INT $off $ns
wait $off
rc_off=$?
wait $ns
rc_ns=$?
pids=
echo "--- offcpu report (head)"
head -4 "$TMPDIR/off.out"
grep -E '^(drops|bpf cost):' "$TMPDIR/off.out"
echo "--- nodestage report (churn operations and summary)"
grep -c 'vol-churn' "$TMPDIR/ns.out" | sed 's/^/lines naming vol-churn: /'
grep -A3 '^per phase across' "$TMPDIR/ns.out"
grep -E '^(drops|bpf cost):' "$TMPDIR/ns.out"
[ $rc_off = 0 ] || fail "offcpu exited $rc_off after SIGINT: $(tail -3 "$TMPDIR/off.err")"
[ $rc_ns = 0 ] || fail "nodestage exited $rc_ns after SIGINT: $(tail -3 "$TMPDIR/ns.err")"

python3 - "$TMPDIR" "$N" "$PEAK_MIB" "$SLACK_PCT" "$SLACK_MIB" "$off" "$ns" "$end_off" "$end_ns" <<'PY' ||
import json, re, sys
d, n, peak_mib, slack_pct, slack_mib, off, ns = sys.argv[1:8]
n, peak_mib, slack_pct, slack_mib = int(n), int(peak_mib), int(slack_pct), int(slack_mib)
end = {off: [int(v) for v in sys.argv[8].split()], ns: [int(v) for v in sys.argv[9].split()]}
names = {off: "offcpu", ns: "nodestage"}
samples = {off: [], ns: []}
done = None
for line in open(f"{d}/churn.log"):
    m = re.match(r"churn n=(\d+) t=([\d.]+)", line)
    if m:
        for pid, rss, hwm in re.findall(r"pid=(\d+) rss_kib=(-?\d+) hwm_kib=(-?\d+)", line):
            samples[pid].append((int(m[1]), float(m[2]), int(rss), int(hwm)))
    m = re.match(r"churn done n=(\d+) failed=(\d+) secs=([\d.]+) rate=(\d+)", line)
    if m:
        done = m
assert done and int(done[1]) == n, f"storm did not run {n} processes: {done and done[0]}"
print(f"storm: {n} processes in {done[3]} s = {done[4]} processes/s ({done[2]} failed)")
bad = []
for pid in (off, ns):
    s = samples[pid]
    ref = [r for k, t, r, h in s if 5000 <= k <= 6000]
    assert s and ref, f"{names[pid]}: no RSS samples"
    ref = max(ref)
    rss_end, hwm_end = end[pid]
    last = max(rss_end, s[-1][2])
    peak = max([hwm_end] + [h for k, t, r, h in s])
    allowed = max(ref * (100 + slack_pct) // 100, ref + slack_mib * 1024)
    print(f"{names[pid]}: RSS KiB by processes: " + " ".join(f"{k}:{r}" for k, t, r, h in s))
    print(f"{names[pid]}: RSS at 5000-6000 {ref} KiB, after {n} {last} KiB "
          f"(allowed {allowed}), peak (VmHWM) {peak} KiB = {peak / 1024:.1f} MiB "
          f"(bound {peak_mib} MiB)")
    if peak > peak_mib * 1024:
        bad.append(f"{names[pid]}: peak RSS {peak} KiB over {peak_mib} MiB")
    if last > allowed:
        bad.append(f"{names[pid]}: RSS grew from {ref} to {last} KiB over the storm")

o = json.load(open(f"{d}/off.json"))
mine = [s for s in o["stacks"] if s["comm"] in ("csi-churn", "true")]
us = sum(s["total_us"] for s in mine)
print(f"offcpu: total {o['total_us'] / 1e6:.2f} s off-CPU, {us / 1e6:.2f} s in "
      f"{len(mine)} stacks of csi-churn/true; drops {o['drops']}")
if o["total_us"] <= 0 or us <= 0:
    bad.append("offcpu: no off-CPU time for the storm's processes")

j = json.load(open(f"{d}/ns.json"))
ops = [op for op in j["operations"] if op["volume"].startswith("vol-churn-")]
want = n // 1000
ringbuf = j["drops"].get("ringbuf_full", 0)
print(f"nodestage: {len(ops)} of {want} pretend stagings reported "
      f"({len(j['operations'])} operations in all); drops {j['drops']}")
if len(ops) < (want if not ringbuf else 1):
    bad.append(f"nodestage: {len(ops)} of {want} stagings reported "
               f"(ringbuf_full drops: {ringbuf})")
for op in ops:
    if not op["complete"] or "mount" not in [p["name"] for p in op["phases"]]:
        bad.append(f"nodestage: odd operation {op['volume']}: {op}")
        break
if bad:
    print("\n".join(bad))
    sys.exit(1)
PY
	fail "bounded resources (see above)"
exit 0
