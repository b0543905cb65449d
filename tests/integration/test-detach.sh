# Clean detach: after SIGINT or SIGTERM every program, link and map of the run
# is gone; after SIGKILL nothing stays attached; a traced "-- CMD" that crashes
# or is killed ends tracing cleanly with its status passed through.
. tests/integration/lib.sh
command -v bpftool >/dev/null || skip "bpftool missing"

# ids PID: the BPF programs, maps and links a process holds, from its fdinfo
# ("prog 12", "map 40", "link 7"); only ours, whatever else runs on the machine.
ids() {
	local f
	for f in /proc/$1/fdinfo/*; do
		sed -n 's/^\(prog\|map\|link\)_id:[[:space:]]*\([0-9]*\)$/\1 \2/p' "$f" 2>/dev/null
	done | sort -u
}
# alive: those of "$held" that still exist (the kernel frees them after an RCU grace period).
alive() {
	local kind id
	while read -r kind id; do
		[ -n "$id" ] && bpftool "$kind" show id "$id" >/dev/null 2>&1 && echo "$kind $id"
	done <<<"$held"
}
settle() {
	local i
	for i in $(seq 50); do [ -z "$(alive)" ] && return 0; sleep 0.1; done
	return 1
}
for sub in offcpu profile iolat nodestage; do
	for sig in INT TERM KILL; do
		$ST $sub >"$TMPDIR/out" 2>"$TMPDIR/err" &
		pid=$!
		for i in $(seq 600); do grep -q "^Tracing" "$TMPDIR/err" && break; sleep 0.1; done
		grep -q '^Tracing' "$TMPDIR/err" || fail "$sub did not start: $(cat "$TMPDIR/err")"
		held=$(ids $pid)
		grep -q '^prog ' <<<"$held" && grep -q '^link ' <<<"$held" ||
			fail "$sub: holds no programs or links while running? ($held)"
		kill -$sig $pid
		wait $pid
		rc=$?
		case $sig in
		INT | TERM) [ $rc = 0 ] || fail "$sub: exit $rc after SIG$sig" ;;
		esac
		settle || fail "$sub after SIG$sig: still in the kernel: $(alive | tr '\n' ' ')"
	done
done
# The child's status passes through: a crash (SIGSEGV: 139), a kill (SIGKILL: 137).
expect_rc 139 $ST offcpu -- sh -c 'kill -SEGV $$'
expect_rc 137 $ST offcpu -- sh -c 'kill -KILL $$'
# The tracer killed while its CMD runs: nothing of it stays in the kernel.
$ST offcpu -- sleep 30 >/dev/null 2>"$TMPDIR/err" &
pid=$!
for i in $(seq 600); do held=$(ids $pid); grep -q '^link ' <<<"$held" && break; sleep 0.1; done
grep -q '^link ' <<<"$held" || fail "offcpu -- CMD holds no links while running?"
kill -KILL $pid
wait $pid 2>/dev/null
pkill -f '^sleep 30$'
settle || fail "after -- CMD runs: still in the kernel: $(alive | tr '\n' ' ')"
exit 0
