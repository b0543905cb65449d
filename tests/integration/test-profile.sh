# profile: a process that burns CPU in a named function for 2 s has >= 90% of its
# samples under that function: C, PIE + shared library, stripped Go; -p, -t
# and --comm keep exactly what they name.
. tests/integration/lib.sh

check() { # NAME JSON FUNC
	python3 - "$2" "$3" "$1" <<'PY' || fail "$1"
import json, sys
j = json.load(open(sys.argv[1])); func = sys.argv[2]; name = sys.argv[3]
tot = sum(s["samples"] for s in j["stacks"])
hit = sum(s["samples"] for s in j["stacks"] if func in s["frames"])
print(f"{name}: {hit}/{tot} samples under {func}")
if tot < 50 or hit < 0.9 * tot:
    print(json.dumps(j["stacks"][:4], indent=1)[:3000]); sys.exit(1)
PY
}

$ST profile --overhead-budget 100 -F 99 --json $TMPDIR/c.json -- $WL/symtarget burn 2 >/dev/null || fail "C run"
check C $TMPDIR/c.json symtarget_burn
$ST profile --overhead-budget 100 -F 99 --json $TMPDIR/so.json -- $WL/shlib_work burn 2 >/dev/null || fail "shlib run"
check shlib $TMPDIR/so.json stwork_burn
[ -x $WL/goburn ] || fail "no $WL/goburn: the Go workload needs Debian's golang (scripts/deps.sh)"
$ST profile --overhead-budget 100 -F 99 --json $TMPDIR/go.json -- $WL/goburn burn 2 >/dev/null || fail "go run"
check go $TMPDIR/go.json main.burn
$ST profile --overhead-budget 100 -F 99 --folded $TMPDIR/p.folded --json $TMPDIR/p.json \
	-- $WL/symtarget burn 1 >/dev/null || fail "folded run"
grep -q '^symtarget;.*symtarget_burn' $TMPDIR/p.folded || fail "folded shape: $(head -3 $TMPDIR/p.folded)"
python3 tests/integration/folded_check.py $TMPDIR/p.folded || fail "folded output breaks flamegraph.pl's rules"
python3 - $TMPDIR/p.folded $TMPDIR/p.json <<'PY' || fail "folded counts are not the JSON's samples"
import json, sys
f = sum(int(l.rsplit(" ", 1)[1]) for l in open(sys.argv[1]) if l.strip())
j = json.load(open(sys.argv[2]))
print(f"folded {f} samples, JSON {j['samples']}")
assert f == sum(s["samples"] for s in j["stacks"]) > 0
PY
# Defaults: 49 Hz; hardware cycles where perf can count them, else cpu-clock.
$ST profile --overhead-budget 100 --json $TMPDIR/d.json -- $WL/symtarget burn 2 >/dev/null || fail "default run"
want=cpu-clock
perf stat -x, -e cycles -- true 2>&1 | grep -q '^[0-9]*,,cycles' && want=cycles
python3 - $TMPDIR/d.json $want <<'PY' || fail "profile defaults"
import json, sys
j = json.load(open(sys.argv[1]))
n = sum(s["samples"] for s in j["stacks"] if "symtarget_burn" in s["frames"])
print(f"default: {j['frequency_hz']} Hz, clock {j['clock']} (want {sys.argv[2]}), {n} samples in 2 s")
assert j["frequency_hz"] == 49 and j["clock"] == sys.argv[2] and 70 <= n <= 110
PY
# Filters: -p, -t and --comm keep exactly that process (thread, name) beside a
# second burner that is not named (symtarget and goburn, one CPU each); -F 99
# for 1.5 s is about 150 samples when the CPU is free. The burners outlive all three runs (a tracer
# starts in seconds under TCG).
$WL/symtarget burn 60 &
a=$!
$WL/goburn burn 60 &
g=$!
pids=($a $g)
at_exit 'kill ${pids[*]} 2>/dev/null'
sleep 0.3
$ST profile --overhead-budget 100 -F 99 -p $a -d 1.5 --json $TMPDIR/fp.json >/dev/null || fail "profile -p exit $?"
$ST profile --overhead-budget 100 -F 99 -t $a -d 1.5 --json $TMPDIR/ft.json >/dev/null || fail "profile -t exit $?"
$ST profile --overhead-budget 100 -F 99 --comm goburn -d 1.5 --json $TMPDIR/fc.json >/dev/null ||
	fail "profile --comm exit $?"
kill $a $g 2>/dev/null
wait $a $g 2>/dev/null
python3 - $TMPDIR/fp.json $TMPDIR/ft.json $TMPDIR/fc.json $a <<'PY' || fail "profile filters"
import json, sys
for path, name in zip(sys.argv[1:4], ["-p", "-t", "--comm goburn"]):
    st = json.load(open(path))["stacks"]
    pids = {s["pid"] for s in st}
    comms = {s["comm"] for s in st}
    n = sum(s["samples"] for s in st)
    print(f"profile {name}: pids {sorted(pids)}, comms {sorted(comms)}, {n} samples")
    # at most one busy thread's 1.5 s at 99 Hz; fewer when the host is loaded
    assert 30 <= n <= 170, "1.5 s at 99 Hz of one busy thread"
    if name == "--comm goburn":
        assert comms == {"goburn"}, "only goburn"
    else:
        assert pids == {int(sys.argv[4])}, "only the named process"
PY
expect_rc 2 $ST profile -F 0; one_line
expect_rc 2 $ST profile -U -K; one_line
exit 0
