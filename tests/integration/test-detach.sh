# Clean detach: after SIGINT or SIGTERM every program, link and map of the run
# is gone; after SIGKILL nothing stays attached; a traced "-- CMD" that crashes
# or is killed ends tracing cleanly with its status passed through.
. tests/integration/lib.sh
command -v bpftool >/dev/null || skip "bpftool missing"

count() { echo "$(bpftool prog show 2>/dev/null | grep -c '^[0-9]*:') $(bpftool map show 2>/dev/null | grep -c '^[0-9]*:') $(bpftool link show 2>/dev/null | grep -c '^[0-9]*:')"; }
settle() { # the kernel frees programs after an RCU grace period
	local i
	for i in $(seq 50); do [ "$(count)" = "$1" ] && return 0; sleep 0.1; done
	return 1
}
before=$(count)
for sub in offcpu profile iolat nodestage; do
	for sig in INT TERM KILL; do
		$ST $sub >"$TMPDIR/out" 2>"$TMPDIR/err" &
		pid=$!
		for i in $(seq 600); do grep -q "^Tracing" "$TMPDIR/err" && break; sleep 0.1; done
		grep -q '^Tracing' "$TMPDIR/err" || fail "$sub did not start: $(cat "$TMPDIR/err")"
		[ "$(count)" != "$before" ] || fail "$sub: nothing attached while running?"
		kill -$sig $pid
		wait $pid
		rc=$?
		case $sig in
		INT | TERM) [ $rc = 0 ] || fail "$sub: exit $rc after SIG$sig" ;;
		esac
		settle "$before" || fail "$sub after SIG$sig: left $(count) (before: $before)"
	done
done
# The child's status passes through: a crash (SIGSEGV: 139), a kill (SIGKILL: 137).
expect_rc 139 $ST offcpu -- sh -c 'kill -SEGV $$'
expect_rc 137 $ST offcpu -- sh -c 'kill -KILL $$'
settle "$before" || fail "after -- CMD runs: left $(count)"
exit 0
