# compare: real offcpu runs of napper, 5 processes each sleeping 3 x 100 ms
# (base, and again as a control) or 3 x 300 ms (new). The slowdown is found in
# napper_sleep, significant, exit 4; the control is not flagged (exit 0); the
# table lines up; --json and --svg are valid; mismatched inputs and bad usage
# exit 2 with one line.
. tests/integration/lib.sh

[ -x "$WL/napper" ] || skip "no $WL/napper (make workloads)"
command -v xmllint >/dev/null || skip "xmllint not installed (libxml2-utils)"

run() { # NAME MS
	$ST offcpu --json "$TMPDIR/$1.json" --folded "$TMPDIR/$1.folded" \
		-- sh -c "for i in 1 2 3 4 5; do $WL/napper $2 3; done" >/dev/null ||
		fail "offcpu $1 exit $?"
}
run base 100
run control 100
run slow 300

# 1. The regression: exit 4, rows named, numbers in the JSON.
$ST compare --svg "$TMPDIR/diff.svg" --json "$TMPDIR/cmp.json" \
	"$TMPDIR/base.json" "$TMPDIR/slow.json" >"$TMPDIR/out" 2>"$TMPDIR/err"
rc=$?
cat "$TMPDIR/out"
[ $rc = 4 ] || fail "napper_sleep 3x slower must exit 4, got $rc ($(cat "$TMPDIR/err"))"
grep -qE '^REGRESSION: frame napper_sleep: p(50|99) \+' "$TMPDIR/out" || fail "napper_sleep not listed as a regression"
grep -q '^result: .* significant regression.* (exit 4)$' "$TMPDIR/out" || fail "no result line"
python3 - "$TMPDIR/cmp.json" <<'PY' || fail "compare JSON"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["schema"] == "scaletrace.compare/1" and j["kind"] == "offcpu" and j["unit"] == "us"
assert j["regression"] is True and j["exit_status"] == 4
row = [r for r in j["rows"] if r["section"] == "frame" and r["name"] == "napper_sleep"][0]
print("napper_sleep:", {k: row[k] for k in ("n_base", "n_new", "sum_base", "sum_new", "verdict")},
      "q", row["test"]["q"], "p50 change", row["change_pct"]["p50"])
assert row["verdict"] == "REGRESSION", row
assert row["n_base"] == 5 and row["n_new"] == 5, row
assert row["test"]["q"] < 0.05 and row["test"]["p_superiority"] == 1.0, row
assert 180 <= row["change_pct"]["p50"] <= 220, row
assert 1.35e6 <= row["sum_base"] <= 1.65e6 and 4.05e6 <= row["sum_new"] <= 4.95e6, row
assert any(r["name"] == "napper_sleep" for r in j["regressions"])
PY

# The frames table lines up: each column starts where its header does.
python3 - "$TMPDIR/out" <<'PY' || fail "table does not line up"
import sys
lines = open(sys.argv[1]).read().split("\n")
start = lines.index("top frames (inclusive; by size of the change):") + 1
head = lines[start]
rows = []
for l in lines[start + 1:]:
    if not l.startswith("  "):
        break
    rows.append(l)
assert rows, "no rows"
# right-aligned numeric columns end where their header ends
for col in ("BASE", "NEW", "CHANGE", "PROCS", "q"):
    end = head.index(" " + col + " ") + len(col) + 1
    for r in rows:
        assert r[end - 1] != " " and r[end] == " ", (col, r)
v = head.index("VERDICT")
for r in rows:
    assert r[v - 1] == " " and r[v] != " ", r
print(f"{len(rows)} frame rows line up")
PY

# 2. The differential flamegraph is valid XML and shows the function.
xmllint --noout "$TMPDIR/diff.svg" || fail "diff.svg is not valid XML"
grep -q napper_sleep "$TMPDIR/diff.svg" || fail "napper_sleep not in diff.svg"

# 3. The same settings twice: nothing flagged, exit 0.
$ST compare "$TMPDIR/base.json" "$TMPDIR/control.json" >"$TMPDIR/same" 2>&1
rc=$?
cat "$TMPDIR/same"
[ $rc = 0 ] || fail "two runs with the same settings exit $rc, expected 0"
grep -q '^REGRESSION' "$TMPDIR/same" && fail "a regression flagged between identical settings"
grep -q '^result: no significant regression' "$TMPDIR/same" || fail "no result line"

# 4. A threshold above the change: significant but not a regression.
$ST compare --threshold 500 --top 100 --json - "$TMPDIR/base.json" "$TMPDIR/slow.json" >"$TMPDIR/t.json" ||
	fail "--threshold 500 exit $?"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert not j["regression"]
assert [r for r in j["rows"] if r["name"] == "napper_sleep"][0]["verdict"] == "slower"' "$TMPDIR/t.json" ||
	fail "--threshold 500 / --json -"

# 5. Folded stacks: compared, never gated, differential SVG valid.
$ST compare --top 30 --svg "$TMPDIR/fdiff.svg" "$TMPDIR/base.folded" "$TMPDIR/slow.folded" >"$TMPDIR/f" ||
	fail "folded compare exit $?"
grep -q 'napper_sleep' "$TMPDIR/f" || fail "folded compare lists no napper_sleep"
xmllint --noout "$TMPDIR/fdiff.svg" || fail "fdiff.svg is not valid XML"

# 6. Refusals and bad usage: exit 2, one line.
printf '{"schema":"scaletrace.profile/1","unit":"samples","stacks":[]}\n' >"$TMPDIR/prof.json"
expect_rc 2 $ST compare "$TMPDIR/base.json" "$TMPDIR/prof.json"; one_line
echo "$ERR" | grep -q "different subcommands" || fail "mismatch message: $ERR"
expect_rc 2 $ST compare "$TMPDIR/base.json" "$TMPDIR/base.folded"; one_line
sed 's/"scaletrace.offcpu\/1"/"scaletrace.offcpu\/2"/' "$TMPDIR/base.json" >"$TMPDIR/v2.json"
expect_rc 2 $ST compare "$TMPDIR/base.json" "$TMPDIR/v2.json"; one_line
echo "$ERR" | grep -q "schema versions" || fail "version message: $ERR"
sed 's/"unit":"us"/"unit":"ms"/' "$TMPDIR/base.json" >"$TMPDIR/ms.json"
expect_rc 2 $ST compare "$TMPDIR/ms.json" "$TMPDIR/base.json"; one_line
echo "$ERR" | grep -q "units" || fail "unit message: $ERR"
expect_rc 2 $ST compare "$TMPDIR/base.json"; one_line
expect_rc 2 $ST compare --threshold abc "$TMPDIR/base.json" "$TMPDIR/slow.json"; one_line
expect_rc 2 $ST compare --alpha 0 "$TMPDIR/base.json" "$TMPDIR/slow.json"; one_line
echo '{"schema":' >"$TMPDIR/broken.json"
expect_rc 2 $ST compare "$TMPDIR/broken.json" "$TMPDIR/base.json"; one_line
expect_rc 1 $ST compare "$TMPDIR/missing.json" "$TMPDIR/base.json"; one_line
$ST compare --help | grep -q '^EXAMPLES:' || fail "--help has no EXAMPLES"
exit 0
