# Hostile frame names (markup, entities, quotes, CDATA terminator, control
# bytes, invalid UTF-8) and hostile titles still give well-formed XML that
# xmllint accepts, with the names kept as text and one <script> only.
. tests/integration/lib.sh
command -v xmllint >/dev/null || fail "xmllint missing (libxml2-utils, scripts/deps.sh)"
in=$TMPDIR/hostile.folded
{
	printf 'main;<script>alert(1)</script> 10\n'
	printf 'main;&amp;&lt;&#10;&;x 5\n'
	printf 'main;"double" '"'"'single'"'"' 4\n'
	printf 'main;]]>;<![CDATA[x]]> 3\n'
	printf 'main;ctl\001\002\033[31m;del\177 2\n'
	printf 'main;bad\377\376utf8;overlong\300\257;surrogate\355\240\200;nonchar\357\277\276 2\n'
	printf 'main;</title></g><g>;<!--;-->;&#x0; 1\n'
	printf 'main;nul\000byte;tab\there;cr\rmid 1\n'
	printf 'main;\344\270\255\346\226\207;\360\237\224\245 7\n'
	printf '[k] \345\274;[network] 6\n'
} >"$in"
check() {
	local svg=$1
	xmllint --noout "$svg" || fail "xmllint rejects $svg"
	[ "$(grep -c '<script' "$svg")" -eq 1 ] || fail "$svg: a frame name became markup"
}
$ST flamegraph "$in" -o "$TMPDIR/a.svg" || fail "render failed"
check "$TMPDIR/a.svg"
$ST flamegraph --inverted --reverse --colors hot "$in" -o "$TMPDIR/b.svg" || fail "render failed"
check "$TMPDIR/b.svg"
$ST flamegraph --title '<script>x</script>&]]>' --subtitle $'\001\377"' --countname "<us>'" \
	--diff "$in" "$in" -o "$TMPDIR/c.svg" || fail "diff render failed"
check "$TMPDIR/c.svg"
# The names survive as text (escaped, not dropped), invalid bytes become U+FFFD.
python3 - "$TMPDIR/a.svg" <<'PY' || fail "names not kept as text"
import sys, xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
titles = [t.text.split("\n")[0] for t in ET.parse(sys.argv[1]).getroot().iterfind(".//s:g/s:title", ns)]
for want in ["<script>alert(1)</script>", "&amp", "&lt", "&#10", "&#x0", "\"double\" 'single'", "]]>",
             "<![CDATA[x]]>", "ctl\ufffd\ufffd\ufffd[31m", "bad\ufffd\ufffdutf8", "nul\ufffdbyte",
             "tab here", "cr\ufffdmid", "\u4e2d\u6587", "\U0001f525", "[k] \ufffd"]:
    assert want in titles, "missing %r in %r" % (want, titles)
PY
exit 0
