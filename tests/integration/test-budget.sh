# Overhead budget (issue 8): over --overhead-budget, a tracer degrades a step per check
# (a second, or a quarter second in a storm) in the stated order and says so, in its report and its JSON: offcpu
# raises sampling (1 in 4, 16, 64), then stops stack capture, then pauses its
# costliest probe; profile keeps fewer samples, then stops stack capture, then
# detaches its sampler. nodestage (no sampling: it would lose operations) pauses
# probes only, never those that start and end operations (fork, exec, exit).
. tests/integration/lib.sh

# Context switches for about 8 s: 1-byte writes through a pipe, with pauses.
storm='for i in $(seq 16); do dd if=/dev/zero bs=1 count=60000 2>/dev/null | cat >/dev/null; sleep 0.3; done'

# steps NAME JSON OUT REGEX...: the budget actions in JSON are REGEX... in order,
# and the report (OUT) prints the same lines
steps() {
	python3 - "$@" <<'PY' || fail "$1 budget steps (see above)"
import json, re, sys
name, jpath, out, want = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
acts = json.load(open(jpath))["bpf"]["budget_actions"]
assert len(acts) == len(want), f"want {len(want)} steps, got {acts}"
for a, w in zip(acts, want):
    assert re.match(w, a), f"step {a!r} is not {w!r}"
rep = [l[len("overhead budget: "):].rstrip("\n") for l in open(out) if l.startswith("overhead budget: ")]
assert rep == acts, f"report {rep} != JSON {acts}"
print(f"{name}: steps in order:", acts)
PY
}

$ST offcpu --overhead-budget 0.01 --json "$TMPDIR/off.json" -- sh -c "$storm" \
	>"$TMPDIR/off.out" 2>"$TMPDIR/off.err" || fail "offcpu exit $?: $(tail -2 "$TMPDIR/off.err")"
cat "$TMPDIR/off.err"
steps offcpu "$TMPDIR/off.json" "$TMPDIR/off.out" "sampling raised to 1 in 4 intervals$" \
	"sampling raised to 1 in 16 intervals$" "sampling raised to 1 in 64 intervals$" \
	"stack capture stopped" "probe offcpu_switch_\w+ paused \([\d.]+% of one CPU\)$"

# profile at 0.01%: 1 in 2, 4, 8, 16 samples, stack capture stopped, sampler
# detached, in that order, while a CPU burner runs for 8 s at 999 Hz.
$ST profile -F 999 --overhead-budget 0.01 --json "$TMPDIR/prof.json" -- $WL/symtarget burn 8 \
	>"$TMPDIR/prof.out" 2>"$TMPDIR/prof.err" || fail "profile exit $?: $(tail -2 "$TMPDIR/prof.err")"
cat "$TMPDIR/prof.err"
steps profile "$TMPDIR/prof.json" "$TMPDIR/prof.out" "keeping 1 in 2 samples" \
	"keeping 1 in 4 samples" "keeping 1 in 8 samples" "keeping 1 in 16 samples" \
	"stack capture stopped" "perf_event sampler detached$"

sh -c "$storm" &
w=$!
$ST nodestage --overhead-budget 0.01 -d 6 --json "$TMPDIR/ns.json" >"$TMPDIR/ns.out" 2>"$TMPDIR/ns.err" ||
	fail "nodestage exit $?: $(tail -2 "$TMPDIR/ns.err")"
wait $w
cat "$TMPDIR/ns.err"
python3 - "$TMPDIR/ns.json" <<'PY' || fail "nodestage budget steps (see above)"
import json, re, sys
acts = json.load(open(sys.argv[1]))["bpf"]["budget_actions"]
assert acts, "nodestage took no budget action at 0.01%"
for a in acts:
    m = re.match(r"probe (\w+) paused", a)
    assert m, f"nodestage step {a!r} is not a paused probe"
    assert m[1] in ("ns_switch", "ns_wakeup", "ns_hrtimer") or m[1].startswith("st_io_"), \
        f"nodestage paused {m[1]}, which frames operations"
print("nodestage: steps:", acts)
PY
# iolat at 0.01% while 4 KiB direct reads run on a loop device for 4 s: 1 in
# 2, 4, 8, 16 requests, then probes paused; with block completions paused, the
# hooks that serve only requests go with them (no request would be recorded,
# and the map of requests in flight would fill), and nothing is left behind in
# flight.
loop_dev 8M
ldev=$LOOPDEV
$ST iolat --overhead-budget 0.01 --dev "${ldev#/dev/}" --json "$TMPDIR/io.json" -- \
	timeout 4 sh -c "while :; do dd if=$ldev of=/dev/null bs=4k iflag=direct status=none; done" \
	>"$TMPDIR/io.out" 2>"$TMPDIR/io.err"
[ $? = 124 ] || fail "iolat: not timeout's status 124: $(tail -2 "$TMPDIR/io.err")"
cat "$TMPDIR/io.err"
python3 - "$TMPDIR/io.json" <<'PY' || fail "iolat budget steps (see above)"
import json, re, sys
j = json.load(open(sys.argv[1]))
acts = j["bpf"]["budget_actions"]
print("iolat: steps:", acts)
assert acts[:4] == [f"keeping 1 in {n} requests" for n in (2, 4, 8, 16)], "sampling first"
paused = [re.match(r"probe (\w+) paused( with (\w+)| \()", a) for a in acts[4:]]
assert all(paused), "then probes paused"
lead = [m[1] for m in paused if m[1].startswith("st_io_complete_")]
assert lead, "block completions paused at 0.01%"
after = [m for m in paused[[m[1] for m in paused].index(lead[0]) + 1:]]
assert after and all(m[3] == lead[0] for m in after), "the request hooks went with it"
went = {m[1] for m in paused}
for p in ("st_io_insert_", "st_io_issue_"):
    assert any(w.startswith(p) for w in went), f"{p}* not paused"
assert not j["drops"]["map_full"], "requests left in flight filled the map"
PY
exit 0
