# Headless Chromium loads a generated flamegraph SVG: hover details, click to
# zoom (the frame spans the width), search with the "Matched" share (nested
# matches once), case toggle, URL state, and a screenshot checked by pixels.
# Driven over the DevTools protocol on a pipe (tests/browser/): no network.
. tests/integration/lib.sh
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip "chromium not installed (scripts/deps.sh installs it unless DEPS_BROWSER=0)"
command -v python3 >/dev/null || fail "python3 is needed to drive the browser"
export CHROMIUM
PYTHONDONTWRITEBYTECODE=1 timeout 300 python3 tests/browser/flamegraph_check.py "$ST" "$TMPDIR" ||
	fail "browser checks failed (see above)"
exit 0
