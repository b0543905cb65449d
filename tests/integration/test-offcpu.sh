# offcpu: a process that sleeps 5 x 200 ms inside a named function shows that
# function's stack with 1.0 s +-10% off-CPU, for a C binary (with the per-task
# state in task storage and in a hash), a PIE calling a
# shared library, a stripped Go binary (.gopclntab), and a live process (-p);
# the filters (--state, -m, -M, --comm, -t) keep exactly what they name.
# Every "-- CMD" process has exited before the report is built.
. tests/integration/lib.sh

check() { # NAME JSON FUNC
	python3 - "$2" "$3" "$1" <<'PY' || fail "$1"
import json, sys
j = json.load(open(sys.argv[1])); func = sys.argv[2]; name = sys.argv[3]
us = sum(s["total_us"] for s in j["stacks"] if func in s["frames"])
print(f"{name}: {us/1e6:.3f} s off-CPU under {func}")
if not 0.9e6 <= us <= 1.1e6:
    # what tells a sampled-out or dropped interval from a lost one
    print("drops:", {k: v for k, v in j["drops"].items() if v}, "budget actions:",
          j["bpf"]["budget_actions"], "peak BPF CPU %:", j["bpf"]["peak_cpu_pct"])
    top = sorted(j["stacks"], key=lambda s: -s["total_us"])[:3]
    print("top stacks:", json.dumps([{k: s[k] for k in ("state", "total_us", "count", "frames")}
                                     for s in top]))
    sys.exit(1)
PY
}

$ST offcpu --overhead-budget 100 --json $TMPDIR/c.json -- $WL/symtarget sleep >/dev/null || fail "offcpu C exit $?"
check C $TMPDIR/c.json symtarget_sleep
# At default settings (1% overhead budget) too, with the human summary on
# stdout: totals, the per-state table, the top stack with its time, drops, cost.
$ST offcpu --json $TMPDIR/cd.json -- $WL/symtarget sleep >$TMPDIR/cd.out || fail "offcpu C (defaults) exit $?"
check "C, default settings" $TMPDIR/cd.json symtarget_sleep
python3 - $TMPDIR/cd.out <<'PY' || fail "summary: $(cat $TMPDIR/cd.out)"
import re, sys
out = open(sys.argv[1]).read()
m = re.search(r"^off-CPU time: ([\d.]+)s in \d+ stacks", out, re.M)
assert m and 0.9 <= float(m[1]) <= 1.2, "totals line"
assert re.search(r"^  S +5 +(0\.9\d|1\.0\d)s ", out, re.M), "state table: 5 S intervals, 1.0 s"
top = re.search(r"^top stacks.*\n +([\d.]+) ms +[\d.]+%  (\S+)", out, re.M)
assert top and 900 <= float(top[1]) <= 1100 and ";symtarget_sleep;" in top[2], "top stack"
assert re.search(r"^drops: none$", out, re.M), "drops line"
assert re.search(r"^bpf cost: \d+ events, \d+ ns/event", out, re.M), "cost line"
print("summary: totals, states, top stack, drops and cost as expected")
PY
# The per-task state in a hash map (what kernels whose task storage allocates
# with kmalloc get, e.g. 6.1): the same answer.
SCALETRACE_DISABLE=task_storage_nolock $ST offcpu --overhead-budget 100 --json $TMPDIR/ch.json \
	-- $WL/symtarget sleep >/dev/null || fail "offcpu C (hash state) exit $?"
check "C, hash state" $TMPDIR/ch.json symtarget_sleep
$ST offcpu --overhead-budget 100 --json $TMPDIR/so.json -- $WL/shlib_work sleep >/dev/null || fail "offcpu shlib exit $?"
check shlib $TMPDIR/so.json stwork_sleep
# The fallbacks: raw_tp without tp_btf, the sched_switch tracepoint without
# either: the same time, with the variant named in -v output. They unwind with
# the kernel's frame-pointer walk (no stack copy to recover from), which skips
# the caller of glibc's frameless clock_nanosleep: the time is checked under main.
for dis in tp_btf tp_btf,raw_tp; do
	want=raw_tp
	[ $dis = tp_btf,raw_tp ] && want=tracepoint
	SCALETRACE_DISABLE=$dis $ST offcpu -v --overhead-budget 100 --json $TMPDIR/fb.json \
		-- $WL/symtarget sleep >/dev/null 2>$TMPDIR/fb.err || fail "offcpu without $dis: exit $?"
	grep -Eq "^ +[a-z_]*switch[a-z_]* +$want " $TMPDIR/fb.err ||
		fail "without $dis: not the $want variant: $(grep -A4 'attach variants' $TMPDIR/fb.err)"
	check "C, $want" $TMPDIR/fb.json main
done
[ -x $WL/goburn ] || fail "no $WL/goburn: the Go workload needs Debian's golang (scripts/deps.sh)"
$ST offcpu --overhead-budget 100 --json $TMPDIR/go.json -- $WL/goburn sleep >/dev/null || fail "offcpu go exit $?"
check go $TMPDIR/go.json main.sleepy

# Filters. The 200 ms sleeps are S-state intervals of 200 ms each.
under() { # JSON FUNC [STATE]: microseconds off-CPU under FUNC (in STATE only)
	python3 -c 'import json, sys; j = json.load(open(sys.argv[1]))
print(sum(s["total_us"] for s in j["stacks"] if sys.argv[2] in s["frames"]
          and sys.argv[3] in ("", s["state"])))' "$1" "$2" "${3:-}"
}
in_range() { # WHAT VALUE LO HI
	awk -v v="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(v >= lo && v <= hi) }' ||
		fail "$1: $2 us not in [$3, $4]"
	echo "$1: $2 us in [$3, $4]"
}
flt() { # NAME OPTIONS...: offcpu OPTIONS around symtarget sleep
	local name=$1
	shift
	$ST offcpu --overhead-budget 100 "$@" --json "$TMPDIR/$name.json" -- $WL/symtarget sleep >/dev/null ||
		fail "offcpu $* exit $?"
}
flt sS --state S
in_range "--state S" "$(under $TMPDIR/sS.json symtarget_sleep)" 900000 1100000
flt sRD --state R,D
in_range "--state R,D" "$(under $TMPDIR/sRD.json symtarget_sleep)" 0 10000
flt m100 -m 100000
in_range "-m 100000" "$(under $TMPDIR/m100.json symtarget_sleep)" 900000 1100000
flt m300 -m 300000
in_range "-m 300000" "$(under $TMPDIR/m300.json symtarget_sleep)" 0 0
flt M100 -M 100000
# None of the 200 ms sleeps; on a loaded machine (the lab under TCG) the
# process can also be preempted inside symtarget_sleep (an R interval, 897 us
# once), which -M rightly keeps.
in_range "-M 100000, state S" "$(under $TMPDIR/M100.json symtarget_sleep S)" 0 0
in_range "-M 100000, any state" "$(under $TMPDIR/M100.json symtarget_sleep)" 0 100000
expect_rc 2 $ST offcpu -m 10 -M 5; one_line
# --comm and -t: only that process / thread, beside a shell that also sleeps.
$ST offcpu --overhead-budget 100 --comm symtarget --json $TMPDIR/comm.json \
	-- sh -c "$WL/symtarget sleep; sleep 0.3" >/dev/null || fail "offcpu --comm exit $?"
python3 - $TMPDIR/comm.json <<'PY' || fail "--comm symtarget"
import json, sys
j = json.load(open(sys.argv[1]))
comms = {s["comm"] for s in j["stacks"]}
us = sum(s["total_us"] for s in j["stacks"] if "symtarget_sleep" in s["frames"])
print("--comm symtarget:", comms, us)
assert comms == {"symtarget"} and 0.9e6 <= us <= 1.1e6
PY
$WL/symtarget sleep &
tpid=$!
$ST offcpu --overhead-budget 100 -t $tpid -d 1.5 --json $TMPDIR/tid.json >/dev/null || fail "offcpu -t exit $?"
wait $tpid
python3 - $TMPDIR/tid.json $tpid <<'PY' || fail "-t TID"
import json, sys
j = json.load(open(sys.argv[1])); tid = int(sys.argv[2])
pids = {s["pid"] for s in j["stacks"]}
us = sum(s["total_us"] for s in j["stacks"] if "symtarget_sleep" in s["frames"])
print("-t:", pids, us)
assert pids == {tid} and us > 0
PY
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
python3 tests/integration/folded_check.py $TMPDIR/f.folded || fail "folded output breaks flamegraph.pl's rules"
# Units: microseconds, the same total as the JSON of the same run.
$ST offcpu --overhead-budget 100 --folded $TMPDIR/u.folded --json $TMPDIR/u.json -- $WL/symtarget sleep \
	>/dev/null || fail "folded + json run"
python3 - $TMPDIR/u.folded $TMPDIR/u.json <<'PY' || fail "folded units are not the JSON's microseconds"
import json, sys
f = sum(int(l.rsplit(" ", 1)[1]) for l in open(sys.argv[1]) if l.strip())
j = json.load(open(sys.argv[2]))
s = sum(x["total_us"] for x in j["stacks"])
sl = sum(int(l.rsplit(" ", 1)[1]) for l in open(sys.argv[1]) if "symtarget_sleep" in l)
print(f"folded total {f} us, JSON stacks {s} us, under symtarget_sleep {sl} us")
assert f == s and 0.9e6 <= sl <= 1.1e6
PY
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
