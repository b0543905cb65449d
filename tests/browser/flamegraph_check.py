#!/usr/bin/env python3
"""Browser test of the flamegraph SVG: hover, click-zoom, search, ignore-case,
URL state, and a screenshot checked pixel by pixel, in headless Chromium.

usage: flamegraph_check.py SCALETRACE WORKDIR
"""
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import PNG, Browser  # noqa: E402

# Total 1000. "work" appears three times, once nested in another "work":
# the matched share must count the union (500), not the sum (600).
FOLDED = """\
main;alpha;work 300
main;alpha;work;work 100
main;beta;io_wait 200
main;beta;work 100
main;gamma 100
[k] irq;[k] handle 200
"""
WIDTH, XPAD = 1200, 10
SEARCH_RGB = (230, 0, 230)
checks = 0


def ok(cond, what):
    global checks
    if not cond:
        raise AssertionError(what)
    checks += 1
    print("ok %d - %s" % (checks, what))


def near(a, b, eps=0.02):
    return abs(float(a) - float(b)) <= eps


def render(st, workdir, name, *opts):
    src = os.path.join(workdir, "in.folded")
    with open(src, "w") as f:
        f.write(FOLDED)
    out = os.path.join(workdir, name)
    subprocess.run([st, "flamegraph", "--title", "Browser test", *opts, src, "-o", out],
                   check=True)
    head = open(out, encoding="utf-8").read(400)
    m = re.search(r'<svg[^>]* width="(\d+)" height="(\d+)"', head)
    return out, int(m.group(1)), int(m.group(2))


# Page helpers: frames are found by name and position in counts (data-x).
JS_HELPERS = r"""
window.T = {
  g: function (name, x) {
    var gs = document.getElementById("frames").children;
    for (var i = 0; i < gs.length; i++) {
      var t = gs[i].querySelector("title").textContent;
      if (t.slice(0, t.indexOf("\n")) === name && gs[i].getAttribute("data-x") === String(x))
        return i;
    }
    return -1;
  },
  el: function (i) { return document.getElementById("frames").children[i]; },
  rect: function (i) {
    var r = T.el(i).querySelector("rect");
    return { x: +r.getAttribute("x"), y: +r.getAttribute("y"), w: +r.getAttribute("width"),
             h: +r.getAttribute("height"), fill: r.getAttribute("fill"),
             shown: getComputedStyle(T.el(i)).display !== "none",
             parent: T.el(i).classList.contains("parent"),
             css: getComputedStyle(r).fill };
  },
  text: function (id) { return document.getElementById(id).textContent; },
  box: function (id) {
    var b = document.getElementById(id).getBoundingClientRect();
    return [b.x + b.width / 2, b.y + b.height / 2];
  }
};
true
"""


def setup(b, url):
    b.navigate("about:blank")
    b.navigate(url)
    b.js(JS_HELPERS)


def frame(b, name, x):
    i = b.js("T.g(%r, %d)" % (name, x))
    ok(i >= 0, "frame %s at x=%d exists" % (name, x))
    return i


def rect(b, i):
    return b.js("T.rect(%d)" % i)


def center(r):
    return r["x"] + r["w"] / 2, r["y"] + r["h"] / 2


def rgb(s):
    return tuple(int(v) for v in re.findall(r"\d+", s)[:3])


def check_hover_zoom(b):
    nframes = b.js('document.getElementById("frames").children.length')
    ok(nframes == 11, "11 frames drawn (got %d)" % nframes)
    io, beta, main = frame(b, "io_wait", 600), frame(b, "beta", 600), frame(b, "main", 200)
    alpha, bwork = frame(b, "alpha", 200), frame(b, "work", 800)
    b.mouse("mouseMoved", *center(rect(b, io)))
    ok(b.js('T.text("details")') == "Function: io_wait (200 samples, 20.00%)",
       "hover shows name, count with unit and percentage")
    b.click(*center(rect(b, beta)))
    r = rect(b, beta)
    ok(near(r["x"], XPAD) and near(r["w"], WIDTH - 2 * XPAD),
       "clicked frame spans the full width (x=%s w=%s)" % (r["x"], r["w"]))
    ok(near(rect(b, io)["w"], (WIDTH - 2 * XPAD) * 2 / 3), "child scaled with the zoom")
    ok(not rect(b, alpha)["shown"], "sibling outside the zoom is hidden")
    m = rect(b, main)
    ok(m["parent"] and near(m["w"], WIDTH - 2 * XPAD), "ancestor spans the width, faded")
    ok(b.js("location.hash") == "#z=%d" % beta, "zoom target kept in the URL")
    ok("hide" not in b.js('document.getElementById("unzoom").getAttribute("class") || ""'),
       "Reset Zoom is shown")
    return beta, bwork, io, main


def check_search(b, beta, bwork, io):
    b.click_answering_prompt(*b.js('T.box("search")'), "work")
    ok(b.js('T.text("matched")') == "Matched: 33.33%",
       "matched share within the zoomed frame (%s)" % b.js('T.text("matched")'))
    ok(rgb(rect(b, bwork)["css"]) == SEARCH_RGB, "matched frame highlighted")
    ok(rgb(rect(b, io)["css"]) != SEARCH_RGB, "unmatched frame not highlighted")
    ok(b.js("location.hash") == "#z=%d&s=work" % beta, "search term kept in the URL")


def check_pixels(b, png_path, beta, bwork, io):
    data = b.screenshot()
    with open(png_path, "wb") as f:
        f.write(data)
    img = PNG(data)
    rb, rw, ri = rect(b, beta), rect(b, bwork), rect(b, io)
    y = rb["y"] + rb["h"] / 2 + 4
    ok(img.pixel(XPAD + 2, y) == rgb(rb["fill"]) and
       img.pixel(WIDTH - XPAD - 3, y) == rgb(rb["fill"]),
       "screenshot: zoomed frame's colour at both edges of the graph")
    ok(img.pixel(ri["x"] + ri["w"] - 5, ri["y"] + 3) == rgb(ri["fill"]),
       "screenshot: child frame in its own colour")
    ok(img.pixel(rw["x"] + rw["w"] - 5, rw["y"] + 3) == SEARCH_RGB,
       "screenshot: matched frame in the search colour")
    bg = img.pixel(XPAD + 5, rb["y"] - 3 * 16 + 8)  # two rows above beta's children: empty
    ok(all(c >= 170 for c in bg) and bg != SEARCH_RGB,
       "screenshot: hidden subtree leaves background (%s)" % (bg,))


def check_unzoom_and_case(b, beta):
    b.click(*b.js('T.box("unzoom")'))
    r = rect(b, beta)
    ok(near(r["x"], XPAD + 600 * 1.18) and near(r["w"], 300 * 1.18),
       "Reset Zoom restores the layout")
    ok(b.js('T.text("matched")') == "Matched: 50.00%",
       "nested matches counted once (50%%, not 60%%): %s" % b.js('T.text("matched")'))
    ok(b.js("location.hash") == "#s=work", "URL keeps the search after unzoom")
    b.click(*b.js('T.box("search")'))  # "Reset Search"
    ok(b.js('T.text("matched")').strip() == "", "Reset Search clears the match")
    b.click(*b.js('T.box("ignorecase")'))
    b.click_answering_prompt(*b.js('T.box("search")'), "WORK")
    ok(b.js('T.text("matched")') == "Matched: 50.00%", "ic: case-insensitive search matches")
    b.click(*b.js('T.box("ignorecase")'))
    ok(b.js('T.text("matched")') == "Matched: 0.00%", "ic off: case-sensitive search")


def check_url_state(b, url, beta):
    setup(b, url + "#z=%d&s=io_w&i=1" % beta)
    r = rect(b, beta)
    ok(near(r["x"], XPAD) and near(r["w"], WIDTH - 2 * XPAD), "URL state restores the zoom")
    ok(b.js('T.text("matched")') == "Matched: 66.67%", "URL state restores the search")
    setup(b, url + "#z=99999&s=%E0%A4%A&z=<script>")
    ok(near(rect(b, beta)["w"], 300 * 1.18), "a hostile URL fragment is ignored")


def check_inverted(b, st, workdir):
    path, w, h = render(st, workdir, "inv.svg", "--inverted")
    setup(b, "file://" + path)
    beta, main = frame(b, "beta", 600), frame(b, "main", 200)
    ok(rect(b, main)["y"] < rect(b, beta)["y"], "icicle: children below parents")
    b.click(*center(rect(b, beta)))
    ok(near(rect(b, beta)["w"], WIDTH - 2 * XPAD) and rect(b, main)["parent"],
       "icicle: zoom and ancestors")


def main():
    st, workdir = sys.argv[1], sys.argv[2]
    path, w, h = render(st, workdir, "fg.svg")
    url = "file://" + path
    b = Browser(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    try:
        b.open_page(w, h)
        setup(b, url)
        beta, bwork, io, _ = check_hover_zoom(b)
        check_search(b, beta, bwork, io)
        check_pixels(b, os.path.join(workdir, "zoomed.png"), beta, bwork, io)
        check_unzoom_and_case(b, beta)
        check_url_state(b, url, beta)
        check_inverted(b, st, workdir)
        errs = b.js_errors()
        ok(not errs, "no JavaScript errors (%s)" % errs[:1])
    finally:
        b.close()
    print("browser: %d passed, 0 failed" % checks)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("not ok %d - %s" % (checks + 1, e))
        sys.exit(1)
