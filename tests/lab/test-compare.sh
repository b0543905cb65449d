#!/usr/bin/env bash
# scaletrace compare on real lab runs (issue 10): three runs without injection
# (one boot) and one with --target-delay 20 (another boot), 10 NVMe-TCP
# stagings each. The delayed run against a clean one: exit 4, the regression
# found in the phases that read the disk (blkid's fsprobe, mount) and in their
# target category. The clean runs against each other (3 pairs): exit 0, no
# regression -- the false alarms seen here are counted and printed.
. "$(dirname "$0")/lib.sh"

boot() { # RUNS LAB-OPTIONS...
	local runs=$1
	shift
	lab --proto nvme --timeout 900 "$@" -- env RUNS="$runs" OPS=10 bash "$GUEST/compare.sh"
	[ "$LAB_RC" = 0 ] || show_lab_output
	guest_results
}
boot "a1 a2 a3"
boot "b" --target-delay 20

ST=$REPO/scaletrace
cmp() { # BASE NEW: compare's exit status; its JSON in $WORK/cmp-BASE-NEW.json
	"$ST" compare --json "$WORK/cmp-$1-$2.json" "$WORK/cmp-$1.json" "$WORK/cmp-$2.json" \
		2>"$WORK/cmp-$1-$2.err"
}
cmp a1 b
rc=$?
check "target delay 20 ms: compare exits 4 (regression), got $rc" test $rc = 4
python3 - "$WORK/cmp-a1-b.json" <<'PY' || FAILS=$((FAILS + 1))
import json, sys
j = json.load(open(sys.argv[1]))
regs = j["regressions"]
txt = [f"{r['section']} {r['name']} {r.get('part', '')}" for r in regs]
for t, r in zip(txt, regs):
    print(f"# regression: {t}: p={r['test'].get('p')} q={r['test'].get('q')}")
ok_phase = any("fsprobe" in t or "mount" in t for t in txt)
ok_cat = any("target" in t for t in txt)
print(("ok - " if ok_phase and ok_cat else "not ok - ") +
      f"regressions name a disk-reading phase (fsprobe/mount) and the target category ({len(regs)} rows)")
wrong = [t for t in txt if "network" in t]
print(("ok - " if not wrong else "not ok - ") + f"no regression blamed on the network {wrong}")
sys.exit(0 if ok_phase and ok_cat and not wrong else 1)
PY
alarms=0
for pair in "a1 a2" "a1 a3" "a2 a3"; do
	# shellcheck disable=SC2086
	cmp $pair
	rc=$?
	[ $rc = 4 ] && alarms=$((alarms + 1))
	check "same settings ($pair): compare exits 0, got $rc" test $rc = 0
done
note "false alarms between runs with the same settings: $alarms of 3 pairs"
finish
