# profile: a process that burns CPU in a named function for 2 s has >= 90% of its
# samples under that function: C, PIE + shared library, stripped Go.
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
if [ -x $WL/goburn ]; then
	$ST profile --overhead-budget 100 -F 99 --json $TMPDIR/go.json -- $WL/goburn burn 2 >/dev/null || fail "go run"
	check go $TMPDIR/go.json main.burn
fi
$ST profile --overhead-budget 100 -F 99 --folded $TMPDIR/p.folded -- $WL/symtarget burn 1 >/dev/null || fail "folded run"
grep -q '^symtarget;.*symtarget_burn' $TMPDIR/p.folded || fail "folded shape: $(head -3 $TMPDIR/p.folded)"
expect_rc 2 $ST profile -F 0; one_line
expect_rc 2 $ST profile -U -K; one_line
exit 0
