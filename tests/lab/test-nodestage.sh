#!/usr/bin/env bash
# nodestage end to end (issue 6): phases against the simulator's own
# timestamps, categories summing to wall time, injections landing in their
# category, concurrent stagings kept apart, a 1 s polling sleep as wait, and a
# stripped Go driver traced with --uprobe. Three boots: no injection,
# --target-delay 30 (with `scaletrace serve` scraped beside it), --net-delay 50.
# Checks run here (tests/lab/check-nodestage.py, check-serve.py).
. "$(dirname "$0")/lib.sh"

boot() { # TAG MODE LAB-OPTIONS...
	local tag=$1 mode=$2
	shift 2
	lab --proto all --volumes 3 --timeout 900 "$@" -- env TAG="$tag" MODE="$mode" \
		bash "$GUEST/nodestage.sh"
	[ "$LAB_RC" = 0 ] || show_lab_output
	guest_results
}
boot base base
boot target30 inject --target-delay 30
boot net50 inject --net-delay 50
python3 "$REPO/tests/lab/check-nodestage.py" "$WORK" || FAILS=$((FAILS + 1))
/usr/bin/python3 "$REPO/tests/lab/check-serve.py" "$WORK" target30 || FAILS=$((FAILS + 1))
check "nodestage JSON fields are all in docs/json.md" python3 "$REPO/tests/integration/json_doc_check.py" \
	"$REPO/docs/json.md" "$WORK"/*.json
finish
