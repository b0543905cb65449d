#!/usr/bin/env python3
"""Check a Markdown report of user/mdreport.c against the JSON it came from.

    mdreport_check.py REPORT.md DOC.json

Structure: the headings are there, every table has one column count in all
its rows (a real Markdown parser checks the same when markdown-it-py is
installed). Numbers: each one is recomputed from the JSON and compared as
text, and every numeric table cell must have been compared (no number in a
table that the test does not know). Exit 0 on success, 1 with a message.
"""
import json
import math
import re
import sys

NUM = re.compile(r"^-?\d+(\.\d+)?%?$")
CATS = ["kernel", "network", "target", "user", "wait"]
COMPS = ["total", "kernel", "network", "target"]


class Report:
    def __init__(self, text):
        self.text = text
        self.lines = text.split("\n")
        self.tables = {}  # heading -> list of tables (header, rows)
        self.checked = set()
        self._parse()

    @staticmethod
    def cells(line):
        parts = re.split(r"(?<!\\)\|", line.strip())
        assert parts[0] == "" and parts[-1] == "", f"table row not closed: {line!r}"
        return [c.strip().replace("\\|", "|") for c in parts[1:-1]]

    def _parse(self):
        heading, i = None, 0
        while i < len(self.lines):
            line = self.lines[i]
            if line.startswith("#"):
                heading = line.lstrip("#").strip()
            if line.startswith("|"):
                block = []
                while i < len(self.lines) and self.lines[i].startswith("|"):
                    block.append(self.cells(self.lines[i]))
                    i += 1
                head, sep, rows = block[0], block[1], block[2:]
                assert all(re.fullmatch(r"-{3,}:?", c) for c in sep), f"bad separator {sep}"
                for r in [sep] + rows:
                    assert len(r) == len(head), f"table under {heading!r}: {r} vs {head}"
                self.tables.setdefault(heading, []).append((head, rows))
                continue
            i += 1

    def table(self, heading):
        assert heading in self.tables, f"no table under {heading!r}: {list(self.tables)}"
        return self.tables[heading][0]

    def expect(self, heading, r, c, got, want):
        assert got == want, f"{heading} row {r} column {c}: report {got!r}, JSON gives {want!r}"
        self.checked.add((heading, r, c))

    def line(self, pattern):
        m = re.search(pattern, self.text, re.M)
        assert m, f"no line matching {pattern!r}"
        return m


def ms(us):
    return "%.3f" % (us / 1000.0)


def pct(part, whole):
    return "%.1f%%" % (100.0 * part / whole if whole > 0 else 0.0)


def nearest_rank(v, p):
    v = sorted(v)
    if not v:
        return 0
    rank = max(1, math.ceil(p / 100.0 * len(v) - 1e-9))
    return v[min(rank, len(v)) - 1]


def check_structure(rep, headings):
    for h in headings:
        assert re.search(r"^#+ " + re.escape(h) + r"$", rep.text, re.M), f"heading {h!r} missing"
    assert rep.text.startswith("# "), "no title"
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        # Debian's python3-markdown-it, when python3 here is another build (pyenv)
        sys.path.append("/usr/lib/python3/dist-packages")
        try:
            from markdown_it import MarkdownIt
        except ImportError:
            print("markdown-it-py not installed: structural check only")
            return
    tokens = MarkdownIt("commonmark").enable("table").parse(rep.text)
    ntables = sum(1 for t in tokens if t.type == "table_open")
    want = sum(len(v) for v in rep.tables.values())
    assert ntables == want, f"markdown-it sees {ntables} tables, the report has {want}"
    # every row of a parsed table has as many cells as its header
    cols = None
    for t in tokens:
        if t.type == "thead_open":
            cols, n = None, 0
        if t.type in ("th_open", "td_open"):
            n += 1
        if t.type == "tr_close":
            cols = n if cols is None else cols
            assert n == cols, "markdown-it: ragged table"
            n = 0
    print(f"markdown-it: {ntables} tables parsed")


def check_env(rep, j, distinct_of, labels):
    head, rows = rep.table("Environment")
    env = {r[0]: r[1] for r in rows}
    assert env["Kernel"] == j["kernel"], env["Kernel"]
    assert env["Schema"] == j["schema"]
    for label, (arr, key, what) in labels.items():
        seen = {}
        for o in j.get(arr, []):
            seen[o.get(key) or "unknown"] = seen.get(o.get(key) or "unknown", 0) + 1
        want = ", ".join(f"{k} ({v} {what})" for k, v in seen.items()) or "none seen"
        assert env[label] == want, f"{label}: {env[label]!r} != {want!r}"
    b = j["bpf"]
    want = "peak %.3f%% of one CPU, budget %.3f%%, %d budget action(s)" % (
        b["peak_cpu_pct"], b["budget_pct"], len(b["budget_actions"]))
    assert env["BPF overhead"] == want, env["BPF overhead"]
    so = j["drops"].get("sampled_out", 0)
    assert (f"{so} skipped" in env["Sampling"]) if so else env["Sampling"].startswith("every")
    if "precision" in j:
        assert env["Precision"] == j["precision"]


def check_drops(rep, j):
    lost = [(k, v) for k, v in j["drops"].items() if k != "sampled_out" and v > 0]
    m = rep.line(r"^- Drops:(.*)$")
    if not lost:
        assert m.group(1) == " none", m.group(0)
    for k, v in lost:
        assert f" {k} {v}" in m.group(1), (k, v, m.group(0))
    rep.line(r"^- Traced for %.3f s " % j["duration_s"])


def check_nodestage(rep, j):
    ops = j["operations"]

    def values(phase, cat=None):
        out = []
        for op in ops:
            if phase == "total":
                out.append(op["wall_us"] if cat is None else op["categories_us"][cat])
                continue
            ph = [p for p in op["phases"] if p["name"] == phase]
            if ph:
                out.append(sum(p["wall_us"] if cat is None else p["categories_us"][cat] for p in ph))
        return out

    total = values("total")
    rep.line(r"^- Operations: %d$" % len(ops))
    if ops:
        rep.line(r"^- Total wall time: p50 %s ms, p99 %s ms$" % (
            re.escape(ms(nearest_rank(total, 50))), re.escape(ms(nearest_rank(total, 99)))))
    complete = sum(1 for o in ops if o["complete"])
    failed = sum(1 for o in ops if not o["complete"] and o["status"] != 0)
    stage = sum(1 for o in ops if o["kind"] == "stage")
    rep.line(r"^- Operations seen: %d \(%d complete, %d failed, %d incomplete\); stage %d, unstage %d$"
             % (len(ops), complete, failed, len(ops) - complete - failed, stage, len(ops) - stage))
    check_env(rep, j, None, {"Protocol(s)": ("operations", "protocol", "operations"),
                             "Plugin process": ("operations", "plugin", "operations")})
    check_drops(rep, j)
    names = []
    for op in ops:
        for p in op["phases"]:
            if p["name"] not in names:
                names.append(p["name"])
    names.append("total")

    if not ops:
        rep.line(r"^No operation was seen\.$")
        assert "Top contributors" not in rep.tables
    h = "Wall time per phase"
    head, rows = rep.table(h) if ops else ([], [])
    assert [r[0] for r in rows] == (names if ops else []), ([r[0] for r in rows], names)
    for i, r in enumerate(rows):
        v = values(r[0])
        want = [str(len(v))] + [ms(nearest_rank(v, p)) for p in (50, 95, 99)] + \
               [ms(max(v)), ms(sum(v) / len(v))]
        for c in range(1, 7):
            rep.expect(h, i, c, r[c], want[c - 1])

    h = "Categories per phase"
    head, rows = rep.table(h) if ops else ([], [])
    want_rows = []
    for name in names:
        tot = {c: sum(values(name, c)) for c in CATS}
        for c in CATS:
            if tot[c] > 0:
                want_rows.append((name, c, tot[c], sum(tot.values())))
    if not ops:
        want_rows = []
    assert [(r[0], r[1]) for r in rows] == [(a, b) for a, b, _, _ in want_rows], "category rows"
    for i, (r, (name, c, t, allc)) in enumerate(zip(rows, want_rows)):
        v = values(name, c)
        want = [ms(nearest_rank(v, p)) for p in (50, 95, 99)] + [pct(t, allc)]
        for k in range(2, 6):
            rep.expect(h, i, k, r[k], want[k - 2])

    h = "SLO status"
    if j["slos"]:
        rep.line(r"^The tool's verdict: \*\*%s\*\*\.$" % ("violated" if j["slo_violated"] else "met"))
        head, rows = rep.table(h)
        assert len(rows) == len(j["slos"])
        for i, (r, s) in enumerate(zip(rows, j["slos"])):
            v = values(s["phase"])
            got = nearest_rank(v, s["percentile"])
            assert r[0] == "%s p%g" % (s["phase"], s["percentile"]), r[0]
            rep.expect(h, i, 1, r[1], str(len(v)))
            rep.expect(h, i, 2, r[2], ms(got) if v else "-")
            rep.expect(h, i, 3, r[3], ms(s["limit_us"]))
            assert r[4] == ("no operation had the phase" if not v else
                            "VIOLATED" if got > s["limit_us"] else "met"), r
    else:
        rep.line(r"^No SLO was set for this run")

    h = "Top contributors"
    if ops:
        head, rows = rep.table(h)
        allp = sorted(((p["wall_us"], p["name"], op, p) for op in ops for p in op["phases"]),
                      key=lambda t: (-t[0], t[1]))
        for i, (r, (wall, _, op, p)) in enumerate(zip(rows, allp)):
            rep.expect(h, i, 0, r[0], str(i + 1))
            assert r[1] == "%s %d" % (op["kind"], op["id"]), r
            assert r[2:6] == [op["volume"], op["protocol"], p["name"], p["process"]], r
            rep.expect(h, i, 6, r[6], ms(wall))
            cats = p["categories_us"]
            dom = max(CATS, key=lambda c: (cats[c], -CATS.index(c)))
            assert r[7] == dom, (r, cats)
            rep.expect(h, i, 8, r[8], pct(cats[dom], wall))
            ev = []
            for key, label, div, dec in (("ios", "I/Os", 1, 0), ("bytes_read", "KiB read", 1024, 1),
                                         ("bytes_written", "KiB written", 1024, 1),
                                         ("bytes_discarded", "KiB discarded", 1024, 1),
                                         ("exchanges", "exchanges with the target", 1, 0)):
                if p.get(key, 0) > 0:
                    ev.append("%.*f %s" % (dec, p[key] / div, label))
            assert r[9] == (", ".join(ev) or "no block I/O, no exchange with the target"), r
        assert len(rows) == min(len(allp), EXPECT_TOP), (len(rows), EXPECT_TOP)


def check_iolat(rep, j):
    rep.line(r"^- Requests: %d in %d group\(s\)$" % (j["requests"], len(j["groups"])))
    xchg = sum(g["count"] for g in j["exchanges"])
    rep.line(r"^- Requests seen: %d \(%d split from block events only\); socket exchanges: %d$"
             % (j["requests"], j["block_only_requests"], xchg))
    check_env(rep, j, None, {"Protocol(s)": ("slowest", "proto", "of the slowest requests"),
                             "Processes": ("slowest", "comm", "of the slowest requests")})
    check_drops(rep, j)
    for h, arr in (("Requests per group", "groups"),
                   ("Socket exchanges (last send to first receive)", "exchanges")):
        if not j[arr]:
            continue
        head, rows = rep.table(h)
        want = [(g, c) for g in j[arr] for c in COMPS]
        assert len(rows) == len(want)
        for i, (r, (g, c)) in enumerate(zip(rows, want)):
            assert r[0] == g["group"] and r[2] == c, r
            rep.expect(h, i, 1, r[1], str(g["count"]))
            for k, f in enumerate(("p50_us", "p95_us", "p99_us", "max_us", "mean_us")):
                rep.expect(h, i, 3 + k, r[3 + k], ms(g[c][f]))
    h = "Top contributors"
    if j["slowest"]:
        head, rows = rep.table(h)
        assert len(rows) == min(len(j["slowest"]), EXPECT_TOP)
        for i, (r, s) in enumerate(zip(rows, j["slowest"])):
            rep.expect(h, i, 0, r[0], str(i + 1))
            assert r[1] == s["comm"] and r[3] == s["dev"] and r[4] == s["op"], r
            rep.expect(h, i, 2, r[2], str(s["pid"]))
            rep.expect(h, i, 5, r[5], str(s["bytes"]))
            for k, f in enumerate(("total_us", "kernel_us", "network_us", "target_us", "rtt_us")):
                rep.expect(h, i, 6 + k, r[6 + k], ms(s[f]))
            assert r[11] == ("yes" if s["retransmitted"] else "no")


def check_files(rep, links):
    for path in links:
        assert f"](<{path}>)" in rep.text, f"no link to {path}"


def main():
    global EXPECT_TOP
    md, doc = sys.argv[1], sys.argv[2]
    EXPECT_TOP = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    links = sys.argv[4:]
    rep = Report(open(md).read())
    j = json.load(open(doc))
    check_structure(rep, ["Summary", "Environment", "Methodology", "Percentiles", "SLO status",
                          "Top contributors", "Files"])
    if j["schema"] == "scaletrace.nodestage/1":
        check_nodestage(rep, j)
    elif j["schema"] == "scaletrace.iolat/1":
        check_iolat(rep, j)
    else:
        sys.exit(f"unexpected schema {j['schema']}")
    check_files(rep, links)
    numeric = {(h, ri, ci) for h, tabs in rep.tables.items() if h != "Environment"
               for head, rows in tabs[:1] for ri, r in enumerate(rows)
               for ci, c in enumerate(r) if NUM.match(c)}
    unchecked = numeric - rep.checked
    assert not unchecked, f"numbers in tables the check did not compare: {sorted(unchecked)[:5]}"
    print(f"{md}: {len(rep.checked)} numbers equal the JSON's, {len(rep.tables)} tables well formed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAIL: {e}")
        sys.exit(1)
