# scaletrace flamegraph as a command: inputs (files, stdin, merged), one-line
# errors naming FILE:LINE, exit codes, deterministic output, safe -o, --diff.
. tests/integration/lib.sh
cd "$TMPDIR" || fail "no TMPDIR"
printf 'app;main;read 30\napp;main;write 20\napp;[wait] 5\n' >a.folded
printf 'app;main;read 10\n[k] irq;[k] handle 7\n' >b.folded
$ST flamegraph a.folded b.folded -o ab.svg || fail "two inputs"
xmllint --noout ab.svg || fail "invalid XML"
grep -q '<title>all&#10;(72 samples, 100.00%)</title>' ab.svg || fail "inputs not merged"
cat b.folded a.folded | $ST flamegraph >stdin.svg || fail "stdin"
cmp -s ab.svg stdin.svg || fail "merging files and reading stdin differ"
tac a.folded b.folded | $ST flamegraph - -o rev.svg || fail "'-' input"
cmp -s ab.svg rev.svg || fail "output depends on input order"
# Bad input: exit 1, one line naming file:line.
printf 'app;main 3\nno count here\n' >bad.folded
expect_rc 1 $ST flamegraph bad.folded -o x.svg; one_line
echo "$ERR" | grep -q 'bad.folded:2: ' || fail "error does not name file:line: $ERR"
[ ! -e x.svg ] || fail "an output was left behind after an error"
printf 'a;b -4\n' >neg.folded
expect_rc 1 $ST flamegraph neg.folded; one_line
echo "$ERR" | grep -q 'neg.folded:1: negative count' || fail "negative count: $ERR"
printf 'a;b 99999999999999999999\n' >huge.folded
expect_rc 1 $ST flamegraph huge.folded; one_line
printf 'a;b 1 2\na;c 3\n' >mixed.folded
expect_rc 1 $ST flamegraph mixed.folded; one_line
echo "$ERR" | grep -q 'mixed.folded:2: expected two counts' || fail "mixed columns: $ERR"
expect_rc 1 $ST flamegraph nonexistent.folded; one_line
expect_rc 1 $ST flamegraph --normalize a.folded; one_line
# Bad usage: exit 2, one line.
expect_rc 2 $ST flamegraph --width abc a.folded; one_line
expect_rc 2 $ST flamegraph --width 10 a.folded; one_line
expect_rc 2 $ST flamegraph --colors nope a.folded; one_line
expect_rc 2 $ST flamegraph --minwidth 101% a.folded; one_line
expect_rc 2 $ST flamegraph --bogus a.folded; one_line
$ST flamegraph --help | grep -q '^EXAMPLES:' || fail "--help"
# Empty input: a valid SVG that says so, a warning, exit 0.
printf '\n\r\n' | $ST flamegraph >empty.svg 2>err || fail "empty input failed"
xmllint --noout empty.svg && grep -q 'No samples' empty.svg || fail "empty SVG"
grep -q 'no samples' err || fail "no warning for empty input"
# -o never follows a symlink planted at the path.
echo secret >target
ln -s target link.svg
$ST flamegraph a.folded -o link.svg || fail "-o onto a symlink"
[ "$(cat target)" = secret ] && [ ! -L link.svg ] || fail "-o followed a symlink"
# A FIFO or device named with -o is written in place, never replaced (a rename
# over /dev/null would destroy it); a symlink to one is refused.
mkfifo pipe
cat pipe >from-pipe &
$ST flamegraph a.folded -o pipe || fail "-o FIFO"
wait
[ -p pipe ] || fail "-o replaced a FIFO"
xmllint --noout from-pipe || fail "nothing valid came through the FIFO"
ln -s pipe pipelink
expect_rc 1 $ST flamegraph a.folded -o pipelink; one_line
[ -L pipelink ] || fail "symlink to a FIFO was replaced"
# Differential: --diff BASE equals the two-column form of the same counts.
printf 'app;main;read 30 10\napp;main;write 0 20\napp;[wait] 5 5\n' >two.folded
printf 'app;main;read 30\napp;[wait] 5\n' >base.folded
printf 'app;main;read 10\napp;main;write 20\napp;[wait] 5\n' >new.folded
$ST flamegraph two.folded -o two.svg || fail "two-column input"
$ST flamegraph --diff base.folded new.folded -o diff.svg || fail "--diff"
cmp -s two.svg diff.svg || fail "--diff and two-column input differ"
grep -q 'read&#10;(10 samples, 28.57%; was 30 samples, -66.67%)' diff.svg || fail "diff info"
grep -q 'fill="rgb(255,0,0)"' diff.svg && grep -q 'fill="rgb(0,0,255)"' diff.svg ||
	fail "no red growth / blue shrink"
$ST flamegraph --diff base.folded --normalize new.folded >/dev/null || fail "--normalize"
expect_rc 1 $ST flamegraph --diff two.folded new.folded; one_line
# Pruning while read (docs/flamegraph.md): 300,000 distinct narrow leaves under 30
# wide frames, sorted. One input is pruned, two (the same lines and an empty file)
# are held whole: the SVG must be byte-identical, from a file and from a pipe, and
# also when a line out of order at the end makes the pruned read start over.
awk 'BEGIN { for (i = 0; i < 300000; i++) printf "app;part%d;leaf%d 1\n", i % 30, i }' |
	LC_ALL=C sort >many.folded
: >empty.folded
$ST flamegraph many.folded empty.folded -o whole.svg || fail "many: whole"
$ST flamegraph -v many.folded -o pruned.svg 2>verbose || fail "many: pruned"
cat verbose
held=$(sed -n 's/.* at most \([0-9]*\) held, \([0-9]*\) too narrow dropped.*/\1 \2/p' verbose)
[ -n "$held" ] && [ "${held% *}" -lt 150000 ] && [ "${held#* }" -gt 250000 ] ||
	fail "many: held/dropped '$held' (300,031 distinct nodes)"
cmp -s whole.svg pruned.svg || fail "many: pruned SVG differs from the whole tree's"
cat many.folded | $ST flamegraph -o piped.svg || fail "many: pipe"
cmp -s whole.svg piped.svg || fail "many: pruned SVG from a pipe differs"
{ cat many.folded; echo 'app;a-late 7'; } >late.folded
$ST flamegraph late.folded empty.folded -o late-whole.svg || fail "late: whole"
$ST flamegraph -v late.folded -o late.svg 2>verbose || fail "late: file"
grep -q 'out of byte order: read again in full' verbose || fail "late: not read again: $(cat verbose)"
cmp -s late-whole.svg late.svg || fail "late: SVG differs after reading again"
cat late.folded | $ST flamegraph -o late-piped.svg || fail "late: pipe"
cmp -s late-whole.svg late-piped.svg || fail "late: SVG from a pipe differs after replay"
exit 0
