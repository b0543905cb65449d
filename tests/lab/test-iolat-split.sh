#!/usr/bin/env bash
# iolat's kernel / network / target split, proved by injection (issue 5). One
# lab boot per injection setting (volumes staged with the injection in place,
# so each connection's min RTT knows the path), both protocols; the guest leaves
# one JSON per scenario and the checks run here. Target times are judged by
# their change against the run without injection: TCG emulation makes even the
# baseline target service time several ms.
. "$(dirname "$0")/lib.sh"

scenario() { # NAME COUNT ST_ARGS LAB-OPTIONS...
	local name=$1 count=$2 args=$3
	shift 3
	SCENARIO=$name COUNT=$count ST_ARGS=$args lab --proto all --timeout 600 "$@" -- \
		env SCENARIO="$name" COUNT="$count" ST_ARGS="$args" LOGIN="${LOGIN:-0}" \
		WRITES="${WRITES:-0}" EXCH="${EXCH:-0}" QD="${QD:-0}" SCALETRACE_DISABLE="${SCALETRACE_DISABLE:-}" \
		bash "$GUEST/iolat-split.sh"
	[ "$LAB_RC" = 0 ] || show_lab_output
	guest_results
}
# none and loss5 also stream every request (--slower-than 1us: each one's own
# split is checked) and none writes --folded; net20 adds R2T writes and streams
# those slower than 30 ms (two round trips: the writes, not the reads).
LOGIN=1 scenario none 30 "--slower-than 1us --folded iolat-none.folded"
# net20 also has exchanges on 4420, 2049 and --port from user space and NFS;
# target30 reads at queue depth 4 (queueing: kernel at iSCSI depth 1).
LOGIN=1 WRITES=10 EXCH=1 scenario net20 30 "--slower-than 30ms" --net-delay 20
QD=1 scenario target30 30 "" --target-delay 30
scenario both 30 "" --net-delay 20 --target-delay 30
scenario loss5 100 "--slower-than 1us" --net-loss 5
SCALETRACE_DISABLE=fentry,kprobe scenario tponly 20 "" --net-delay 20
python3 "$REPO/tests/lab/check-iolat.py" "$WORK" || FAILS=$((FAILS + 1))
# --report: every number of the Markdown report equals its JSON's.
for s in none target30 loss5; do
	check "$s: iolat --report matches its JSON" \
		python3 "$REPO/tests/unit/mdreport_check.py" "$WORK/iolat-$s.md" "$WORK/iolat-$s.json" 10 \
		"iolat-$s.json"
done
# every field of the real iolat documents (transport and tracepoint modes,
# exchanges, --by proc) is documented in docs/json.md
check "iolat JSON fields are all in docs/json.md" python3 "$REPO/tests/integration/json_doc_check.py" \
	"$REPO/docs/json.md" "$WORK"/iolat-*.json
finish
