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
exit 0
