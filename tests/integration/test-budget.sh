# Overhead budget (issue 8): over --overhead-budget, a tracer degrades one step a
# second in the stated order and says so, in its report and its JSON: offcpu
# raises sampling (1 in 4, 16, 64), then stops stack capture, then pauses its
# costliest probe. nodestage (no sampling: it would lose operations) pauses
# probes only, never those that start and end operations (fork, exec, exit).
. tests/integration/lib.sh

# Context switches for about 8 s: 1-byte writes through a pipe, with pauses.
storm='for i in $(seq 16); do dd if=/dev/zero bs=1 count=60000 2>/dev/null | cat >/dev/null; sleep 0.3; done'

$ST offcpu --overhead-budget 0.01 --json "$TMPDIR/off.json" -- sh -c "$storm" \
	>"$TMPDIR/off.out" 2>"$TMPDIR/off.err" || fail "offcpu exit $?: $(tail -2 "$TMPDIR/off.err")"
cat "$TMPDIR/off.err"
grep '^overhead budget:' "$TMPDIR/off.out" || fail "offcpu report names no budget action"
python3 - "$TMPDIR/off.json" "$TMPDIR/off.out" <<'PY' || fail "offcpu budget steps (see above)"
import json, re, sys
acts = json.load(open(sys.argv[1]))["bpf"]["budget_actions"]
want = [r"sampling raised to 1 in 4 intervals$", r"sampling raised to 1 in 16 intervals$",
        r"sampling raised to 1 in 64 intervals$", r"stack capture stopped",
        r"probe offcpu_switch_\w+ paused \([\d.]+% of one CPU\)$"]
assert len(acts) == len(want), f"want {len(want)} steps, got {acts}"
for a, w in zip(acts, want):
    assert re.match(w, a), f"step {a!r} is not {w!r}"
rep = [l[len("overhead budget: "):].rstrip("\n") for l in open(sys.argv[2]) if l.startswith("overhead budget: ")]
assert rep == acts, f"report {rep} != JSON {acts}"
print("offcpu: steps in order:", acts)
PY

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
exit 0
