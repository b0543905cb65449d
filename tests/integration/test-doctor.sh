# doctor probes this host: tracepoints, tp_btf, perf_event and uprobes usable;
# kprobe/fentry verdicts agree with independent evidence.
. tests/integration/lib.sh
$ST doctor >"$TMPDIR/out" || fail "doctor exited $? on a host where tracing works"
grep -q '^OK: ' "$TMPDIR/out" || fail "no OK verdict"
$ST doctor --json "$TMPDIR/d.json" >/dev/null || fail "doctor --json failed"
for f in tracepoint raw_tp tp_btf uprobe perf_event ringbuf bpf_get_stack btf tracefs; do
	[ "$(json_get "$TMPDIR/d.json" "j['features']['$f']['usable']")" = True ] ||
		fail "$f reported unusable"
done
# kprobes need the kprobe PMU or kprobe_events; without both they cannot attach.
if [ -e /sys/bus/event_source/devices/kprobe ] || [ -e /sys/kernel/tracing/kprobe_events ]; then
	want=True
else
	want=False
fi
[ "$(json_get "$TMPDIR/d.json" "j['features']['kprobe']['usable']")" = $want ] ||
	fail "kprobe verdict disagrees with the kernel's kprobe PMU/kprobe_events"
echo "fentry: $(json_get "$TMPDIR/d.json" "j['features']['fentry']")"
# Every probe variant usable here passes the verifier (issue 8: the host kernel;
# tests/lab/test-kernel.sh does the lab's), and none is refused.
$ST doctor --verify >"$TMPDIR/verify" || fail "doctor --verify exited $?: $(grep -v 'verified\|not usable' "$TMPDIR/verify")"
grep -q 'REFUSED' "$TMPDIR/verify" && fail "a variant was refused: $(grep REFUSED "$TMPDIR/verify")"
for v in "offcpu/sched_switch tp_btf" "offcpu/sched_switch raw_tp" "offcpu/sched_switch tracepoint" \
	"nodestage/sched_switch tp_btf" "profile/cpu_sample perf_event"; do
	grep -q "^  $v: verified" "$TMPDIR/verify" || fail "$v not verified: $(grep "$v" "$TMPDIR/verify")"
done
echo "doctor --verify: $(grep -c ': verified' "$TMPDIR/verify") variants verified"
# Forcing a feature off (fallback testing) is reported as such.
SCALETRACE_DISABLE=tp_btf $ST doctor --json - | grep -q 'disabled by SCALETRACE_DISABLE' ||
	fail "SCALETRACE_DISABLE not honoured"
# Bad arguments: exit 2 with one line.
expect_rc 2 $ST doctor --bogus; one_line
expect_rc 2 $ST doctor extra; one_line
expect_rc 2 $ST nosuchcmd; one_line
# Unprivileged: not OK, exit 1, reason named.
expect_rc 1 setpriv --reuid=nobody --regid=nogroup --clear-groups $ST doctor --json -
echo "$ERR" | grep -q 'not privileged' || fail "unprivileged doctor does not say why: $ERR"
exit 0
