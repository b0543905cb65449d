#!/usr/bin/env bash
# scaletrace compare on real lab runs (issue 10): one boot without injection and
# one with --target-delay 20, each with three runs of 10 NVMe-TCP stagings
# traced at once with their cycles interleaved (guest/compare.sh). Every delayed
# run against a clean one (3 pairs): exit 4, the regression found in the phases
# that read the disk (blkid's fsprobe, mount) and in their target category, none
# blamed on the network. The clean runs against each other (3 pairs): exit 0, no
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
boot "b1 b2 b3" --target-delay 20

ST=$REPO/scaletrace
cmp() { # BASE NEW: compare's exit status; its JSON in $WORK/cmp-BASE-NEW.json
	"$ST" compare --json "$WORK/cmp-$1-$2.json" "$WORK/cmp-$1.json" "$WORK/cmp-$2.json" \
		2>"$WORK/cmp-$1-$2.err"
}
for k in 1 2 3; do
	cmp a$k b$k
	rc=$?
	check "target delay 20 ms (a$k b$k): compare exits 4 (regression), got $rc" test $rc = 4
	python3 - "$WORK/cmp-a$k-b$k.json" "a$k b$k" <<'PY' || FAILS=$((FAILS + 1))
import json, sys
j = json.load(open(sys.argv[1]))
regs = j["regressions"]
txt = [f"{r['section']} {r['name']} {r.get('part', '')}" for r in regs]
for t, r in zip(txt, regs):
    print(f"# {sys.argv[2]} regression: {t}: p={r['test'].get('p')} q={r['test'].get('q')}")
ok_phase = any("fsprobe" in t or "mount" in t for t in txt)
ok_cat = any("target" in t for t in txt)
print(("ok - " if ok_phase and ok_cat else "not ok - ") + f"{sys.argv[2]}: regressions name a "
      f"disk-reading phase (fsprobe/mount) and the target category ({len(regs)} rows)")
wrong = [t for t in txt if "network" in t]
print(("ok - " if not wrong else "not ok - ") + f"{sys.argv[2]}: no regression blamed on the network {wrong}")
sys.exit(0 if ok_phase and ok_cat and not wrong else 1)
PY
done
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
