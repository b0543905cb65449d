# Man pages (docs/man): every page renders with man(1) and groff without a
# warning, has a NAME line whatis/apropos can index and the usual sections;
# every subcommand of 'scaletrace help' has a page; every option of each
# subcommand's --help appears in its page; 'make install' puts pages and the
# bash completion where man and bash-completion look.
. tests/integration/lib.sh
export LC_ALL=C.UTF-8 MANWIDTH=80
command -v man >/dev/null && command -v groff >/dev/null ||
	fail "man or groff missing (scripts/deps.sh installs man-db)"
ROOT=${ROOT:-$PWD}
MANDIR=$ROOT/docs/man
ls "$MANDIR"/*.8 >/dev/null 2>&1 || fail "no pages in $MANDIR"

# render PAGE: plain text, no hyphenation or justification, so words stay whole.
render() { man --nh --nj -l "$1" 2>/dev/null; }

n=0
for page in "$MANDIR"/*.8; do
	name=$(basename "$page" .8)
	man --warnings -l "$page" >/dev/null 2>"$TMPDIR/warn" || fail "$name: man failed"
	[ ! -s "$TMPDIR/warn" ] || fail "$name: man warnings: $(cat "$TMPDIR/warn")"
	groff -man -ww -z "$page" 2>"$TMPDIR/warn" || fail "$name: groff failed"
	[ ! -s "$TMPDIR/warn" ] || fail "$name: groff warnings: $(cat "$TMPDIR/warn")"
	lexgrog "$page" | grep -q "\"$name - " || fail "$name: NAME is not '$name - ...'"
	render "$page" >"$TMPDIR/$name.txt"
	for sec in NAME SYNOPSIS DESCRIPTION OPTIONS 'EXIT STATUS' EXAMPLES 'SEE ALSO'; do
		grep -q "^$sec\$" "$TMPDIR/$name.txt" || fail "$name: no $sec section"
	done
	# SEE ALSO names only pages that exist (of ours).
	for ref in $(grep -o 'scaletrace-[a-z]*([0-9])' "$TMPDIR/$name.txt" | sort -u); do
		[ -f "$MANDIR/${ref%(*}.8" ] || fail "$name: refers to $ref, which has no page"
	done
	n=$((n + 1))
done

# has_opts PAGE SUBCMD: every option of 'scaletrace SUBCMD --help' is in PAGE.
has_opts() {
	"$ST" "$2" --help >"$TMPDIR/help" || fail "$2 --help failed"
	python3 - "$TMPDIR/$1.txt" "$TMPDIR/help" "$2" <<'PY' || fail "$1: options of '$2 --help' missing"
import re, sys
page = open(sys.argv[1]).read().replace("\u2010", "-").replace("\u2212", "-")
opts = set()
for line in open(sys.argv[2]):
    m = re.match(r"\s+((?:-\w, )?--\w[\w-]*|-- CMD)", line)
    if m:
        opts.update(o.strip() for o in m.group(1).split(","))
missing = sorted(o for o in opts if not re.search(r"(?<![\w-])" + re.escape(o) + r"(?![\w-])", page))
print(f"{sys.argv[3]}: {len(opts)} options, missing: {missing}")
sys.exit(1 if missing or not opts else 0)
PY
}

subs=$("$ST" help | sed -n '/^SUBCOMMANDS:/,/^$/s/^  \([a-z]\{1,\}\) .*/\1/p')
[ -n "$subs" ] || fail "no subcommands in 'scaletrace help'"
for s in $subs; do
	grep -q "^       $s\( \|\$\)" "$TMPDIR/scaletrace.txt" ||
		fail "scaletrace(8) does not list the subcommand $s"
	case $s in help | version) continue ;; esac
	[ -f "$MANDIR/scaletrace-$s.8" ] || fail "subcommand $s has no page scaletrace-$s.8"
	has_opts "scaletrace-$s" "$s"
done
grep -q -- '--version' "$TMPDIR/scaletrace.txt" || fail "scaletrace(8) lacks --version"
# Pages for subcommands still being written are checked against their --help once it exists.
for page in "$MANDIR"/scaletrace-*.8; do
	s=$(basename "$page" .8)
	s=${s#scaletrace-}
	printf '%s\n' $subs | grep -qx "$s" && continue
	"$ST" "$s" --help >/dev/null 2>&1 &&
		fail "scaletrace $s exists but is not in 'scaletrace help'"
	echo "note: scaletrace $s is documented but not built yet"
done

# make install: pages and completion where man and bash-completion look.
make -s -C "$ROOT" -o scaletrace install PREFIX="$TMPDIR/prefix" >"$TMPDIR/install.log" 2>&1 ||
	fail "make install: $(tail -5 "$TMPDIR/install.log")"
for page in "$MANDIR"/*.8; do
	name=$(basename "$page" .8)
	man -M "$TMPDIR/prefix/share/man" -w 8 "$name" >/dev/null 2>&1 ||
		fail "man -M PREFIX/share/man does not find the installed $name(8)"
done
[ -f "$TMPDIR/prefix/share/bash-completion/completions/scaletrace" ] ||
	fail "completion not installed"
[ -x "$TMPDIR/prefix/sbin/scaletrace" ] || fail "binary not installed"
echo "docs: $n pages render cleanly and cover their subcommands' options"
exit 0
