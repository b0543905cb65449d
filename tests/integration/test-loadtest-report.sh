# make loadtest's report (bench/loadtest-report.py) on a fixture with known
# answers: a setting of levels 1, 2, 4 and 8 whose stagings take 1 s at levels
# 1 and 2, 2.5 s at 4 (the knee at factor 2: p99 2.5 s > 2 x 1 s) and whose
# level 8 has a failed staging. The printed table and knee, the Markdown report
# (parsed with markdown-it, numbers equal to the fixture's) and the SVG chart
# (xmllint) are checked; a second setting without a knee says so.
. tests/integration/lib.sh

python3 - "$TMPDIR" <<'PY' || fail "fixture"
import json, os, sys
root = sys.argv[1]
def setting(name, walls, failed_level=None):
    d = os.path.join(root, name)
    os.makedirs(d)
    open(f"{d}/setting.txt", "w").write(f"label {name}\nlevels 1 2 4 8\nlab_options --proto nvme\nhost_wall_s 100\n")
    open(f"{d}/guest.txt", "w").write("volumes 8\nkernel 6.1.0\n")
    res, lev = [], []
    for n, wall in walls.items():
        os.makedirs(f"{d}/L{n}")
        ops = []
        for v in range(1, n + 1):
            fail = n == failed_level and v == n
            res.append(f"{n}\tstage\tvol{v}\tnvme\t{1 if fail else 0}\t{wall // 1000}")
            res.append(f"{n}\tunstage\tvol{v}\tnvme\t0\t100")
            if fail:
                open(f"{d}/L{n}/sim-stage-vol{v}.out", "w").write("nvme connect failed\n")
                continue
            w = wall + v * 1000  # 1 ms apart, so the percentiles are known
            ops.append({"kind": "stage", "volume": f"vol{v}", "complete": True, "wall_us": w,
                        "categories_us": {"kernel": w // 2, "target": w // 2},
                        "phases": [{"name": "connect", "wall_us": w // 4,
                                    "categories_us": {"kernel": w // 4}},
                                   {"name": "mkfs", "wall_us": w - w // 4,
                                    "categories_us": {"kernel": w // 2 - w // 4, "target": w // 2}}]})
        res.append(f"{n}\ttracer\t-\t-\t0\t0")
        lev.append(f"{n}\t{wall // 1000 + 50}\t200\t900\t0\t0")
        json.dump({"schema": "scaletrace.nodestage/1", "operations": ops, "drops": {}},
                  open(f"{d}/L{n}/ns.json", "w"))
    open(f"{d}/results.tsv", "w").write("\n".join(res) + "\n")
    open(f"{d}/levels.tsv", "w").write("\n".join(lev) + "\n")
setting("knee", {1: 1000000, 2: 1000000, 4: 2500000, 8: 2600000}, failed_level=8)
setting("flat", {1: 1000000, 2: 1100000, 4: 1200000, 8: 1300000})
PY
python3 bench/loadtest-report.py --factor 2 --md "$TMPDIR/lt.md" --svg "$TMPDIR/lt.svg" \
	"$TMPDIR/knee" "$TMPDIR/flat" >"$TMPDIR/out" || fail "loadtest-report exit $?: $(cat "$TMPDIR/out")"
cat "$TMPDIR/out"
# level 4: 4 of 4 operations, p50 2.50 s (2,502 ms: nearest rank 2 of 4), p99 2.50 s
grep -Eq '^ +4 +4/4 +0 +[^ ]+ +2\.50 +2\.50 +2\.50 ' "$TMPDIR/out" || fail "level 4 row"
# level 8: 7 of 8 operations, 1 error, the simulator's message
grep -Eq '^ +8 +7/8 +1 ' "$TMPDIR/out" || fail "level 8 row"
grep -q 'L8 error: stage vol8 (nvme) exit 1: nvme connect failed' "$TMPDIR/out" || fail "error line"
grep -q 'knee: level 4 (total p99 2.50 s > 2 x level 1.s 1.00 s)' "$TMPDIR/out" || fail "knee of 'knee'"
grep -q 'knee: none (not reached' "$TMPDIR/out" || fail "no knee for 'flat'"
xmllint --noout "$TMPDIR/lt.svg" || fail "chart SVG is not well-formed XML"
grep -q '<polyline\|<path' "$TMPDIR/lt.svg" || fail "chart has no lines"
# Debian's python3 with python3-markdown-it (scripts/deps.sh), whatever python3 is first on PATH
/usr/bin/python3 - "$TMPDIR/lt.md" <<'PY' || fail "Markdown report"
import re, sys
from markdown_it import MarkdownIt
text = open(sys.argv[1]).read()
tokens = MarkdownIt("commonmark").enable("table").parse(text)
tables = sum(1 for t in tokens if t.type == "table_open")
cells = [t.content for i, t in enumerate(tokens) if t.type == "inline" and tokens[i - 1].type in ("td_open", "th_open")]
print(f"markdown-it: {tables} tables, {len(cells)} cells")
assert tables >= 2, "a table per setting"
assert "2.50" in cells and "1.00" in cells, "level percentiles in the tables"
assert re.search(r"knee.*level 4", text, re.I), "the knee in the report"
assert "lt.svg" in text, "the report links the chart"
PY
exit 0
