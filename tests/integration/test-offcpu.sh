# offcpu: a process that sleeps 5 x 200 ms inside a named function shows that
# function's stack with 1.0 s +-10% off-CPU, for a C binary (with the per-task
# state in task storage and in a hash), a PIE calling a
# shared library, a stripped Go binary (.gopclntab), and a live process (-p).
# Every "-- CMD" process has exited before the report is built.
. tests/integration/lib.sh

check() { # NAME JSON FUNC
	python3 - "$2" "$3" "$1" <<'PY' || fail "$1"
import json, sys
j = json.load(open(sys.argv[1])); func = sys.argv[2]; name = sys.argv[3]
us = sum(s["total_us"] for s in j["stacks"] if func in s["frames"])
print(f"{name}: {us/1e6:.3f} s off-CPU under {func}")
if not 0.9e6 <= us <= 1.1e6:
    top = sorted(j["stacks"], key=lambda s: -s["total_us"])[:3]
    print("top stacks:", json.dumps(top, indent=1)[:3000])
    sys.exit(1)
PY
}

$ST offcpu --overhead-budget 100 --json $TMPDIR/c.json -- $WL/symtarget sleep >/dev/null || fail "offcpu C exit $?"
check C $TMPDIR/c.json symtarget_sleep
# The per-task state in a hash map (what kernels whose task storage allocates
# with kmalloc get, e.g. 6.1): the same answer.
SCALETRACE_DISABLE=task_storage_nolock $ST offcpu --overhead-budget 100 --json $TMPDIR/ch.json \
	-- $WL/symtarget sleep >/dev/null || fail "offcpu C (hash state) exit $?"
check "C, hash state" $TMPDIR/ch.json symtarget_sleep
$ST offcpu --overhead-budget 100 --json $TMPDIR/so.json -- $WL/shlib_work sleep >/dev/null || fail "offcpu shlib exit $?"
check shlib $TMPDIR/so.json stwork_sleep
if [ -x $WL/goburn ]; then
	$ST offcpu --overhead-budget 100 --json $TMPDIR/go.json -- $WL/goburn sleep >/dev/null || fail "offcpu go exit $?"
	check go $TMPDIR/go.json main.sleepy
fi
# -p: attach to a running process; the report ends when it exits.
$WL/symtarget-minidebug sleep &
pid=$!
$ST offcpu --overhead-budget 100 -p $pid --json $TMPDIR/p.json >/dev/null || fail "offcpu -p exit $?"
wait $pid
python3 - $TMPDIR/p.json <<'PY' || fail "-p run: no symtarget_sleep stack"
import json, sys
j = json.load(open(sys.argv[1]))
assert any("symtarget_sleep" in s["frames"] for s in j["stacks"]), j["stacks"][:3]
PY

# Folded output: DESIGN.md §3 format, sorted, [k] prefix on kernel frames.
$ST offcpu --overhead-budget 100 --folded $TMPDIR/f.folded -- $WL/symtarget sleep >/dev/null || fail "folded run"
grep -q '^symtarget;.*symtarget_sleep;.*\[k\] ' $TMPDIR/f.folded || fail "folded stack shape: $(head -3 $TMPDIR/f.folded)"
grep -vqE '^[^ ]+( [^ ]+)* [0-9]+$' $TMPDIR/f.folded && fail "malformed folded line"
sort -c $TMPDIR/f.folded 2>/dev/null || LC_ALL=C sort -c $TMPDIR/f.folded || fail "folded output not sorted"
grep -qE 'bpf_prog_|bpf_trace_run|__bpf_trace' $TMPDIR/f.folded && fail "tracer frames in the output"

# Exit status of CMD passes through; a missing CMD is one line, exit 127.
expect_rc 3 $ST offcpu -- sh -c 'exit 3'
expect_rc 127 $ST offcpu -- /nonexistent/cmd; one_line
# Bad arguments.
expect_rc 2 $ST offcpu -m abc; one_line
expect_rc 2 $ST offcpu --state X; one_line
expect_rc 2 $ST offcpu -p 0; one_line
expect_rc 1 $ST offcpu -p 999999; one_line
exit 0
