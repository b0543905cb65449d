# Rate controls in the kernel (issue 8), with exact counters: 200 sleeps of
# 2 ms on one CPU (--state S, so nothing else of the process competes) are
# 200 switch-outs that reach the sampler.
#   --sample 4:              50 kept with weight 4 (count 200), 150 sampled_out
#   --max-events-per-sec 20: 20 kept in the run's one-second window, 180 rate_limited
# and iolat --sample 4 on a loop device: each request kept or counted sampled_out.
# The -v limits line states the map memory, which --max-stacks bounds.
. tests/integration/lib.sh

run() { # NAME OPTIONS...: offcpu around napper 2 200, pinned to CPU 0
	local name=$1
	shift
	$ST offcpu --overhead-budget 100 --state S "$@" --json "$TMPDIR/$name.json" \
		-- taskset -c 0 $WL/napper 2 200 >/dev/null || fail "offcpu $* exit $?"
}
check() { # NAME COUNT DROP_KIND DROPS
	python3 - "$TMPDIR/$1.json" "$2" "$3" "$4" <<'PY' || fail "$1"
import json, sys
j = json.load(open(sys.argv[1]))
want_count, kind, want_drops = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
st = [s for s in j["stacks"] if "napper_sleep" in s["frames"]]
count = sum(s["count"] for s in st)
us = sum(s["total_us"] for s in st)
drops = {k: v for k, v in j["drops"].items() if v}
print(f"count {count} (want {want_count}), {us} us, drops {drops} (want {kind} {want_drops})")
assert count == want_count, "weighted count"
assert drops == ({kind: want_drops} if want_drops else {}), "drop counters"
# 200 sleeps of 2 ms (and a little): the kept ones, scaled, estimate the whole
assert 0.9 * 200 * 2000 * want_count / 200 <= us <= 1.3 * 200 * 2000 * want_count / 200, "time"
PY
}
run all
check all 200 none 0
run s4 --sample 4
check s4 200 sampled_out 150
run r20 --max-events-per-sec 20
check r20 20 rate_limited 180

# iolat samples block requests where it first sees them (by a hash of their
# allocation time): 400 direct reads of a loop device are each either kept
# or counted sampled_out, and about a quarter are kept.
loop_dev 8M
ldev=$LOOPDEV
for n in 1 4; do
	$ST iolat --overhead-budget 100 --dev "${ldev#/dev/}" --sample $n --json "$TMPDIR/io$n.json" \
		-- dd if="$ldev" of=/dev/null bs=4k count=400 iflag=direct status=none >/dev/null ||
		fail "iolat --sample $n exit $?"
	python3 - "$TMPDIR/io$n.json" $n <<'PY' || fail "iolat --sample $n"
import json, sys
j = json.load(open(sys.argv[1])); n = int(sys.argv[2])
kept, drops = j["requests"], {k: v for k, v in j["drops"].items() if v}
print(f"iolat --sample {n}: {kept} kept, drops {drops}")
assert kept + drops.get("sampled_out", 0) == 400 and set(drops) <= {"sampled_out"}, "every request accounted for"
assert (kept == 400) if n == 1 else (50 <= kept <= 150), "a quarter kept"
PY
done

# Limits: -v names the maps and their memory; fewer stacks kept, less memory.
lim() { # MAX_STACKS: MiB from the -v limits line
	$ST offcpu -v --max-stacks "$1" -d 0.2 2>&1 >/dev/null |
		sed -n 's/.*limits: \([0-9]*\) maps, at most \([0-9.]*\) MiB of map memory.*/\2/p'
}
big=$(lim 4096) small=$(lim 64)
echo "limits: --max-stacks 4096: $big MiB, --max-stacks 64: $small MiB"
[ -n "$big" ] && [ -n "$small" ] || fail "no limits line in -v output"
awk -v b="$big" -v s="$small" 'BEGIN { exit !(s < b) }' || fail "--max-stacks does not bound the maps"
exit 0
