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
# at_exit CMD: run the shell command CMD when the test exits, before those
# registered earlier (one EXIT trap runs them all, so helpers and tests each
# add their own cleanup without replacing another's).
AT_EXIT=()
at_exit() {
	AT_EXIT=("$1" "${AT_EXIT[@]}")
	trap 'for c in "${AT_EXIT[@]}"; do eval "$c"; done' EXIT
}
# loop_dev SIZE [NAME]: LOOPDEV, a loop device over a new SIZE file
# $TMPDIR/NAME.img (loop.img), detached at exit; skips the test where there are
# none.
loop_dev() {
	local img=$TMPDIR/${2:-loop}.img
	truncate -s "$1" "$img"
	LOOPDEV=$(losetup -f --show "$img") || skip "no loop devices"
	at_exit "losetup -d $LOOPDEV"
}
