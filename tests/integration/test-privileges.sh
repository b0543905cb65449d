# Without root (no CAP_BPF, no CAP_PERFMON), every tracing subcommand exits
# non-zero with one line naming what is missing; bad arguments are one line too.
. tests/integration/lib.sh

asnobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"; }
for sub in offcpu profile iolat nodestage; do
	expect_rc 1 asnobody $ST $sub -d 1
	one_line
	echo "$ERR" | grep -q "CAP_BPF" || fail "$sub: the message does not name CAP_BPF: $ERR"
	echo "$ERR" | grep -q "^scaletrace $sub: " || fail "$sub: message not prefixed: $ERR"
done
for sub in offcpu profile iolat nodestage; do
	expect_rc 2 $ST $sub --no-such-option; one_line
	expect_rc 2 $ST $sub -d -5; one_line
	expect_rc 2 $ST $sub -d 1x; one_line
	expect_rc 2 $ST $sub --sample 0; one_line
	expect_rc 2 $ST $sub -p 1 -- true; one_line
done
# a missing argument is named as such, in the form it was given, never as garbage
for a in "-p" "--pid" "-vd" "--duration"; do
	expect_rc 2 $ST offcpu $a; one_line
	want=$a
	[ "$a" = -vd ] && want=-d
	echo "$ERR" | grep -qx "scaletrace offcpu: option '$want' needs an argument (see --help)" ||
		fail "offcpu $a: $ERR"
done
expect_rc 2 $ST doctor --json; one_line
echo "$ERR" | grep -q "option '--json' needs an argument" || fail "doctor --json: $ERR"
expect_rc 2 $ST offcpu --help=1; one_line
echo "$ERR" | grep -q "option '--help' takes no argument" || fail "--help=1: $ERR"
expect_rc 2 $ST offcpu -Q; one_line
echo "$ERR" | grep -q "unknown option '-Q'" || fail "-Q: $ERR"
expect_rc 2 $ST iolat --by nothing; one_line
expect_rc 2 $ST profile -F 100000; one_line
expect_rc 2 $ST offcpu -m 10 -M 5; one_line
expect_rc 1 $ST iolat --dev nosuchdisk -d 1; one_line
# --help works for everyone and exits 0; --version too.
for sub in doctor offcpu profile iolat nodestage flamegraph; do
	asnobody $ST $sub --help | grep -q '^USAGE: scaletrace '"$sub" || fail "$sub --help"
	asnobody $ST $sub --help | grep -q '^EXAMPLES:' || fail "$sub --help has no EXAMPLES"
done
$ST --version | grep -q '^scaletrace [0-9]' || fail "--version"
expect_rc 2 $ST; one_line_or_usage=1
$ST off --help | grep -q "USAGE: scaletrace offcpu" || fail "prefix off -> offcpu"
exit 0
