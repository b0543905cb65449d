# Shared helpers for integration tests (sourced).
set -u
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
# expect_rc RC CMD...: run CMD, require exit status RC, keep stderr in $ERR.
expect_rc() {
	local want=$1; shift
	ERR=$("$@" 2>&1 >/dev/null); local rc=$?
	[ "$rc" -eq "$want" ] || fail "'$*' exited $rc, expected $want (stderr: $ERR)"
}
# one_line: stderr of the last expect_rc is exactly one non-empty line.
one_line() {
	[ -n "$ERR" ] || fail "no error message"
	[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || fail "error is not one line: $ERR"
}
# json_get FILE EXPR: evaluate a python expression on the parsed JSON as 'j'.
json_get() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
# loop_dev SIZE: LOOPDEV, a loop device over a new SIZE file in $TMPDIR, detached
# at exit (the test's EXIT trap); skips the test where there are none.
loop_dev() {
	truncate -s "$1" "$TMPDIR/loop.img"
	LOOPDEV=$(losetup -f --show "$TMPDIR/loop.img") || skip "no loop devices"
	trap 'losetup -d "$LOOPDEV"' EXIT
}
