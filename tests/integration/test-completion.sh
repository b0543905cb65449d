# Bash completion (docs/completion/scaletrace.bash) in a scripted, non-interactive
# bash: source it, set COMP_WORDS/COMP_CWORD as readline would, call the
# completion function and check COMPREPLY. The options offered for every
# subcommand must be exactly the ones its --help lists.
. tests/integration/lib.sh
export LC_ALL=C
COMP=$PWD/docs/completion/scaletrace.bash
[ -f "$COMP" ] || fail "no $COMP"
mkdir -p "$TMPDIR/bin" "$TMPDIR/work/subdir" || fail "mkdir"
ln -sf "$ST" "$TMPDIR/bin/scaletrace"
touch "$TMPDIR/work/a.json" "$TMPDIR/work/b.folded" "$TMPDIR/work/other.txt"

# Long options of SUBCMD's --help, sorted, one line.
help_opts() {
	"$ST" "$1" --help | sed -n 's/^ \{2,\}\(-[A-Za-z], \)\{0,1\}\(--[A-Za-z][A-Za-z0-9-]*\).*/\2/p' |
		sort -u | tr '\n' ' '
}

cd "$TMPDIR/work" || fail "cd"
out=$(PATH=$TMPDIR/bin:$PATH bash --norc --noprofile 2>&1 <<EOF
set -u
. "$COMP"
complete -p scaletrace
# comp WORD...: complete the last word; prints the sorted candidates on one line.
comp() {
	COMP_WORDS=("\$@")
	COMP_CWORD=\$((\$# - 1))
	COMP_LINE="\$*"
	COMP_POINT=\${#COMP_LINE}
	COMPREPLY=()
	_scaletrace
	((\${#COMPREPLY[@]})) && printf '%s\n' "\${COMPREPLY[@]}" | sort -u | tr '\n' ' '
	echo
}
echo "subcmd:\$(comp scaletrace of)"
echo "slo:\$(comp scaletrace nodestage --sl)"
echo "slower:\$(comp scaletrace iolat --slower)"
echo "json-file:\$(comp scaletrace iolat --json '')"
echo "json-eq:\$(comp scaletrace offcpu --json = '')"
echo "json-prefix:\$(comp scaletrace profile --folded a)"
echo "pprof:\$(comp scaletrace profile --pprof b)"
echo "svg:\$(comp scaletrace nodestage --svg o)"
echo "fg-out:\$(comp scaletrace flamegraph -o '')"
echo "fg-pos:\$(comp scaletrace flamegraph --title x b)"
echo "by:\$(comp scaletrace iolat --by '')"
echo "compare:\$(comp scaletrace compare --threshold 5 a.json b)"
echo "help:\$(comp scaletrace help no)"
echo "prefix-sub:\$(comp scaletrace node --plu)"
echo "cmd:\$(comp scaletrace offcpu -d 1 -- slee)"
echo "number:\$(comp scaletrace offcpu -d '')"
echo "top:\$(comp scaletrace '')"
for s in \$(scaletrace help | sed -n '/^SUBCOMMANDS:/,/^\$/s/^  \([a-z]\{1,\}\) .*/\1/p'); do
	case \$s in help | version) continue ;; esac
	echo "opts-\$s:\$(comp scaletrace \$s --)"
done
EOF
) || fail "completion shell failed: $out"
echo "$out"
get() { printf '%s\n' "$out" | sed -n "s/^$1://p"; }
expect() { [ "$(get "$1")" = "$2" ] || fail "$1: got '$(get "$1")', want '$2'"; }

printf '%s\n' "$out" | grep -q '^complete -F _scaletrace scaletrace$' || fail "not registered"
expect subcmd 'offcpu '
expect slo '--slo '
expect slower '--slower-than '
expect json-file 'a.json b.folded other.txt subdir '
expect json-eq 'a.json b.folded other.txt subdir '
expect json-prefix 'a.json '
expect pprof 'b.folded '
expect svg 'other.txt '
expect fg-out 'a.json b.folded other.txt subdir '
expect fg-pos 'b.folded '
expect by 'dev op proc '
expect compare 'b.folded '
expect help 'nodestage '
expect prefix-sub '--plugin '
expect number ''
get cmd | grep -qw sleep || fail "no command completed after --: $(get cmd)"
for s in doctor offcpu profile iolat nodestage flamegraph help version; do
	get top | grep -qw -- "$s" || fail "subcommand $s not offered: $(get top)"
done
get top | grep -qw -- --version || fail "--version not offered"
# Every subcommand: exactly the long options of its --help.
n=0
for s in $("$ST" help | sed -n '/^SUBCOMMANDS:/,/^$/s/^  \([a-z]\{1,\}\) .*/\1/p'); do
	case $s in help | version) continue ;; esac
	want=$(help_opts "$s")
	got=$(get "opts-$s")
	[ -n "$want" ] && [ "$got" = "$want" ] || fail "$s: completion '$got' != --help '$want'"
	n=$((n + 1))
done
[ "$n" -ge 6 ] || fail "only $n subcommands checked"
echo "completion: $n subcommands match their --help"
exit 0
