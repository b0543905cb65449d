# The checkout may live anywhere (CI clones it to another path than the
# developers' /work/main): no tracked script names an absolute checkout path,
# and the lab's guest helpers find scaletrace in the checkout they belong to.
. tests/integration/lib.sh
command -v git >/dev/null || skip "git missing"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || skip "not a git checkout"
hits=$(git grep -n -E '(^|[^A-Za-z0-9_.])/work/main([^A-Za-z0-9_]|$)' -- . ':!tests/integration/test-checkout.sh' || true)
[ -z "$hits" ] || fail "absolute checkout path in: $(echo "$hits" | head -3 | tr '\n' ' ')"

# lib.sh, sourced from another directory through a copy of the tree at another
# path, resolves ROOT to that copy.
copy=$TMPDIR/elsewhere/main
mkdir -p "$copy/tests/lab" "$TMPDIR/cwd"
cp -r tests/lab/guest "$copy/tests/lab/"
got=$(cd "$TMPDIR/cwd" && bash -c '. "$1/tests/lab/guest/lib.sh"; echo "$ROOT"' _ "$copy")
[ "$got" = "$copy" ] || fail "guest lib.sh ROOT is '$got', expected '$copy'"
got=$(cd "$TMPDIR/cwd" && bash -c 'cd "$1/tests/lab/guest" && . ./lib.sh; echo "$ROOT"' _ "$copy")
[ "$got" = "$copy" ] || fail "guest lib.sh (relative source) ROOT is '$got', expected '$copy'"
echo "checkout: no absolute checkout path; guest ROOT follows the checkout"
exit 0
