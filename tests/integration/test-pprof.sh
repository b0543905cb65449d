# pprof export read back by a real client: folded stacks -> user/pprof.c ->
# `go tool pprof -top`, whose top function, its flat value and the total must
# be the folded input's: the fold2pprof helper (built here against
# libscaletrace.a) drives pprof_write_fold() on known shapes, then profile and
# offcpu --pprof end to end (nodestage --pprof: test-nodestage.sh).
. tests/integration/lib.sh
command -v go >/dev/null || fail "go is not installed (scripts/deps.sh installs golang-go)"
OUT=$(dirname "$WL")
[ -f "$OUT/libscaletrace.a" ] || fail "no $OUT/libscaletrace.a (run make first)"
san=
case $OUT in *build-san) san="-fsanitize=address,undefined" ;; esac
# shellcheck disable=SC2046 # pkg-config output is a list of flags
gcc -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
	-D_GNU_SOURCE -iquote user -iquote flamegraph $san -o "$TMPDIR/fold2pprof" \
	tests/integration/fold2pprof.c "$OUT/libscaletrace.a" \
	$(pkg-config --libs libbpf libelf zlib libdw json-c capstone) -lm ||
	fail "cannot build fold2pprof"
F2P=$TMPDIR/fold2pprof
# go tool pprof offline, writing nothing outside TMPDIR.
export GOFLAGS=-mod=mod GOPROXY=off HOME=$TMPDIR GOCACHE=$TMPDIR/gocache GOTOOLCHAIN=local

# check_top FOLDED PPROF [PPROF_ARGS...]: `go tool pprof -top` agrees with FOLDED
# on the total, the heaviest leaf function and its flat value.
check_top() {
	local folded=$1 prof=$2
	shift 2
	go tool pprof -top "$@" "$prof" >"$prof.top" 2>"$prof.err" ||
		fail "go tool pprof rejected $prof: $(cat "$prof.err")"
	python3 - "$folded" "$prof.top" <<'PY' || fail "pprof -top of $prof disagrees with $folded"
import re, sys
flat, total = {}, 0
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if not line.strip():
        continue
    stack, count = line.rsplit(" ", 1)
    leaf = stack.split(";")[-1]
    flat[leaf] = flat.get(leaf, 0) + int(count)
    total += int(count)
want = max(flat.items(), key=lambda kv: (kv[1], kv[0]))
top = open(sys.argv[2]).read()
print(top[:1500])
num = lambda s: int(re.match(r"(\d+)", s).group(1))
m = re.search(r"accounting for \S+, [\d.]+% of (\S+) total", top)
assert m and num(m.group(1)) == total, f"total: want {total}"
rows = [l.split(None, 5) for l in top.splitlines() if re.match(r"\s+\d\S*\s+[\d.]+%", l)]
got = (rows[0][5], num(rows[0][0]))
print(f"top: got {got}, want {want}")
assert got[1] == want[1] and flat.get(got[0]) == want[1]  # any leaf tied for the top
PY
}

# Off-CPU shape: kernel frames, pseudo-frames, microseconds; the heaviest leaf
# ([k] io_schedule) is reached by two different stacks.
cat >"$TMPDIR/offcpu.folded" <<'EOF'
mkfs.ext4;main;write_inode_table;[k] submit_bio;[k] io_schedule 183422
mkfs.ext4;main;[k] io_schedule 1000
mkfs.ext4;main;zap_blocks 99999
iscsiadm;[wait] 25000
nodestage;vol-1;login;iscsiadm;[network] 4200
EOF
$F2P "$TMPDIR/offcpu.folded" "$TMPDIR/offcpu.pb.gz" offcpu microseconds 2000000000 ||
	fail "fold2pprof (offcpu)"
[ "$(head -c2 "$TMPDIR/offcpu.pb.gz" | od -An -tx1 | tr -d ' ')" = 1f8b ] || fail "not gzip"
check_top "$TMPDIR/offcpu.folded" "$TMPDIR/offcpu.pb.gz" -unit=us
grep -q '^Type: offcpu$' "$TMPDIR/offcpu.pb.gz.top" || fail "sample type not offcpu"
grep -q ' \[k\] submit_bio$' "$TMPDIR/offcpu.pb.gz.top" || fail "kernel frame name changed"
go tool pprof -raw "$TMPDIR/offcpu.pb.gz" 2>/dev/null | grep -q '^offcpu/microseconds$' ||
	fail "unit is not microseconds"
# Deterministic: same folded input, same bytes.
$F2P "$TMPDIR/offcpu.folded" "$TMPDIR/again.pb.gz" offcpu microseconds 2000000000 || fail "again"
cmp -s "$TMPDIR/offcpu.pb.gz" "$TMPDIR/again.pb.gz" || fail "output is not deterministic"

# Profile shape: counts; many stacks.
python3 - >"$TMPDIR/profile.folded" <<'PY'
for i in range(400):
    print(f"app;main;worker{i % 7};leaf{i} {i + 1}")
print("app;main;hot_loop 900")
PY
$F2P "$TMPDIR/profile.folded" "$TMPDIR/profile.pb.gz" samples count || fail "fold2pprof (profile)"
check_top "$TMPDIR/profile.folded" "$TMPDIR/profile.pb.gz"
grep -q ' hot_loop$' "$TMPDIR/profile.pb.gz.top" || fail "hot_loop not on top"

# The output file is written safely: a planted symlink is replaced, not followed.
echo secret >"$TMPDIR/target"
ln -s "$TMPDIR/target" "$TMPDIR/link.pb.gz"
$F2P "$TMPDIR/offcpu.folded" "$TMPDIR/link.pb.gz" offcpu microseconds || fail "onto a symlink"
[ "$(cat "$TMPDIR/target")" = secret ] && [ ! -L "$TMPDIR/link.pb.gz" ] ||
	fail "the pprof output followed a symlink"
expect_rc 1 $F2P "$TMPDIR/offcpu.folded" "$TMPDIR/no/such/dir.pb.gz" offcpu microseconds
one_line

# End to end.
$ST profile -F 99 --folded "$TMPDIR/p.folded" --pprof "$TMPDIR/p.pb.gz" \
	-- "$WL/symtarget" burn 1 >/dev/null || fail "profile --pprof"
check_top "$TMPDIR/p.folded" "$TMPDIR/p.pb.gz"
$ST offcpu --folded "$TMPDIR/o.folded" --pprof "$TMPDIR/o.pb.gz" \
	-- sh -c 'sleep 0.3; sleep 0.2' >/dev/null || fail "offcpu --pprof"
check_top "$TMPDIR/o.folded" "$TMPDIR/o.pb.gz" -unit=us
echo "pprof: go tool pprof agrees with the folded input, also for profile and offcpu --pprof"
exit 0
