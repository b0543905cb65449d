#!/usr/bin/env python3
"""bench/loadtest-report.py: tables, knee and chart of `make loadtest`.

usage: loadtest-report.py [--factor F] [--md FILE] [--svg FILE] SETTING_DIR...

Each SETTING_DIR is one lab boot written by bench/loadtest (setting.txt) and
bench/loadtest-guest.sh (guest.txt, results.tsv, levels.tsv, L<n>/ns.json).
All wall-time percentiles come from scaletrace's own JSON (`scaletrace
nodestage --json`); the simulators' exit statuses give the errors, the guest
script's clock the level wall time. Prints the per-level tables and the knee
of every setting; writes the Markdown report and the SVG chart.
"""
import json
import math
import os
import sys
from xml.sax.saxutils import escape

CATS = ["kernel", "network", "target", "user", "wait"]
CAT_SHORT = {"kernel": "k", "network": "n", "target": "t", "user": "u", "wait": "w"}
# stage phases in the order a staging runs them; others are appended
PHASE_ORDER = ["check", "discovery", "login", "connect", "device-wait", "fsprobe", "mkfs",
               "fsck", "resize", "mount"]
UNSTAGE_PHASES = ["umount", "logout", "disconnect"]


def pct(values, p):
    """Nearest-rank percentile (the smallest value with >= p% of the values at or below)."""
    if not values:
        return None
    v = sorted(values)
    return v[max(0, math.ceil(p / 100.0 * len(v)) - 1)]


def fmt_s(us):
    return "-" if us is None else f"{us / 1e6:.2f}"


def read_kv(path):
    d = {}
    try:
        for line in open(path):
            k, _, v = line.rstrip("\n").partition(" ")
            if k:
                d[k] = v
    except OSError:
        pass
    return d


def read_tsv(path):
    try:
        return [l.rstrip("\n").split("\t") for l in open(path) if l.strip()]
    except OSError:
        return []


class Stat:
    """Wall times and category sums of one phase (or "total") over operations."""

    def __init__(self):
        self.walls = []
        self.cats = {c: 0 for c in CATS}

    def add(self, wall, cats):
        self.walls.append(wall)
        for c in CATS:
            self.cats[c] += cats.get(c, 0)

    def row(self):
        w = sum(self.walls)
        return {"count": len(self.walls), "p50": pct(self.walls, 50), "p95": pct(self.walls, 95),
                "p99": pct(self.walls, 99),
                "shares": {c: (100.0 * self.cats[c] / w if w else 0.0) for c in CATS}}


def op_phases(op):
    """{phase name: (wall_us, categories)} with same-named phases summed."""
    out = {}
    for ph in op.get("phases", []):
        w, c = out.get(ph["name"], (0, {k: 0 for k in CATS}))
        w += ph.get("wall_us", 0)
        for k in CATS:
            c[k] += ph.get("categories_us", {}).get(k, 0)
        out[ph["name"]] = (w, c)
    return out


class Level:
    def __init__(self, n):
        self.n = n
        self.json_ok = False
        self.note = []
        self.stage = {}      # phase -> Stat (plus "total")
        self.unstage = {}    # phase -> Stat
        self.stage_ops = 0
        self.stage_err = 0
        self.unstage_err = 0
        self.err_lines = []
        self.drops = {}
        self.wall_ms = None
        self.unstage_wall_ms = None
        self.attach_ms = None
        self.mkfs_ran = 0
        self.stagings = 0
        self.lost = 0        # staged volumes without a complete stage operation in the JSON
        self.extra = 0       # stage operations in the JSON that match no staging
        self.sim = {"stage": {}, "unstage": {}}  # simulator's own timings: phase -> [us]
        self.failed = set()  # (kind, volume) of failed simulator runs

    @property
    def errors(self):
        return self.stage_err + self.unstage_err

    def total(self):
        return self.stage["total"].row() if "total" in self.stage else None


def read_timing(path):
    """The simulator's --timing file: [(phase, start_ns, end_ns)]."""
    try:
        return [(p, int(a), int(b)) for p, a, b in (l.split() for l in open(path) if l.strip())]
    except (OSError, ValueError):
        return []


def load_setting(d):
    """
    One boot's results. Stage statistics come from the tracer's JSON: its
    complete stage operations of the volumes staged at that level (one per
    volume). Operations the tracer never saw end (events lost when its ring
    buffer was full) and stage operations of no staged volume (unstage
    activity read as a staging) are counted in the notes, not used. The
    tracer reports an unstage as separate operations for the unmount and the
    logout / disconnect, so unstage times come from the simulator's --timing
    files (as do the cross-check columns "sim").
    """
    s = {"dir": d, "setting": read_kv(os.path.join(d, "setting.txt")),
         "guest": read_kv(os.path.join(d, "guest.txt")), "levels": {}}
    label = s["setting"].get("label") or os.path.basename(os.path.normpath(d))
    s["label"] = label
    results = read_tsv(os.path.join(d, "results.tsv"))
    levels_tsv = {r[0]: r for r in read_tsv(os.path.join(d, "levels.tsv"))}
    wanted = [int(x) for x in s["setting"].get("levels", "").split()] or sorted(
        {int(r[0]) for r in results if r and r[0].isdigit()})
    for n in wanted:
        lv = Level(n)
        s["levels"][n] = lv
        ldir = os.path.join(d, f"L{n}")
        for r in results:
            if len(r) < 6 or r[0] != str(n):
                continue
            kind, vol, proto, rc = r[1], r[2], r[3], r[4]
            if kind == "tracer":
                if rc == "124":
                    lv.note.append("tracer did not attach")
                elif rc != "0":
                    lv.note.append(f"tracer exit {rc}")
                continue
            if kind == "stage":
                lv.stagings += 1
            if rc != "0":
                lv.failed.add((kind, vol))
                if kind == "stage":
                    lv.stage_err += 1
                else:
                    lv.unstage_err += 1
                msg = ""
                try:
                    msg = open(os.path.join(ldir, f"sim-{kind}-{vol}.out")).read().strip().splitlines()[-1]
                except (OSError, IndexError):
                    pass
                lv.err_lines.append(f"{kind} {vol} ({proto}) exit {rc}: {msg}")
        if str(n) in levels_tsv:
            r = levels_tsv[str(n)]
            lv.wall_ms, lv.unstage_wall_ms, lv.attach_ms = int(r[1]), int(r[2]), int(r[3])
        for kind in ("stage", "unstage"):
            for v in range(1, n + 1):
                tim = read_timing(os.path.join(ldir, f"tim-{kind}-vol{v}.txt"))
                if not tim:
                    continue
                if kind == "stage" and "mkfs" in (t[0] for t in tim):
                    lv.mkfs_ran += 1
                if (kind, f"vol{v}") in lv.failed:
                    continue
                sim = lv.sim[kind]
                sim.setdefault("total", []).append((tim[-1][2] - tim[0][1]) // 1000)
                for name, a, b in tim:
                    sim.setdefault(name, []).append((b - a) // 1000)
        path = os.path.join(ldir, "ns.json")
        try:
            doc = json.load(open(path))
        except (OSError, ValueError) as e:
            if "tracer did not attach" not in lv.note:
                lv.note.append(f"no tracer JSON ({e.__class__.__name__})")
            continue
        lv.json_ok = True
        lv.drops = {k: v for k, v in doc.get("drops", {}).items() if v and k != "sampled_out"}
        staged = {f"vol{v}" for v in range(1, n + 1)}
        seen = set()
        for op in doc.get("operations", []):
            if op.get("kind") != "stage":
                continue  # unstage: see the simulator's timings (load_setting's docstring)
            vol = op.get("volume", "")
            if vol not in staged or vol in seen:
                lv.extra += 1
                continue
            if not op.get("complete", True):
                continue  # its end was never seen: counted as lost below
            seen.add(vol)
            lv.stage_ops += 1
            lv.stage.setdefault("total", Stat()).add(op["wall_us"], op.get("categories_us", {}))
            for name, (w, c) in op_phases(op).items():
                lv.stage.setdefault(name, Stat()).add(w, c)
        lv.lost = n - lv.stage_ops
        if lv.lost:
            lv.note.append(f"tracer: {lv.lost} of {n} stagings without a complete operation"
                           + (f" (drops {sum(lv.drops.values())})" if lv.drops else ""))
        if lv.extra:
            lv.note.append(f"tracer: {lv.extra} stage operation(s) matching no staging, ignored")
    return s


def knee(s, factor):
    """(level, reason) of the first level past the factor or with errors; (None, why) else."""
    levels = [s["levels"][n] for n in sorted(s["levels"])]
    base = next((lv for lv in levels if lv.n == 1 and lv.total()), None)
    b99 = base.total()["p99"] if base else None
    for lv in levels:
        if lv.errors:
            return lv.n, f"{lv.errors} failed simulator run(s) ({lv.stage_err} stage, {lv.unstage_err} unstage)"
        t = lv.total()
        if b99 and t and lv.n != 1 and t["p99"] > factor * b99:
            return lv.n, f"total p99 {fmt_s(t['p99'])} s > {factor:g} x level 1's {fmt_s(b99)} s"
    if b99 is None:
        return None, "no level-1 total to compare with"
    return None, f"not reached: no errors, total p99 stayed within {factor:g} x level 1's {fmt_s(b99)} s"


def phases_of(s, kind="stage"):
    names = set()
    for lv in s["levels"].values():
        names |= set((lv.stage if kind == "stage" else lv.unstage).keys())
    names.discard("total")
    order = PHASE_ORDER if kind == "stage" else UNSTAGE_PHASES
    return [p for p in order if p in names] + sorted(names - set(order))


def shares_str(sh):
    return " ".join(f"{CAT_SHORT[c]}{sh[c]:.0f}" for c in CATS)


def ratio(lv, s):
    b = s["levels"].get(1)
    bt, t = (b.total() if b else None), lv.total()
    if not bt or not t or not bt["p99"]:
        return "-"
    return f"{t['p99'] / bt['p99']:.2f}"


def sim_row(lv, kind, phase="total"):
    v = lv.sim[kind].get(phase)
    return {"count": len(v), "p50": pct(v, 50), "p95": pct(v, 95), "p99": pct(v, 99)} if v else None


def drops_str(lv):
    return str(sum(lv.drops.values())) if lv.json_ok else "-"


# ------------------------------------------------------------------- text
def print_text(settings, factor):
    for s in settings:
        st = s["setting"]
        print(f"\n== {s['label']}: lab {st.get('lab_options', '') or '(no injection)'}; "
              f"--volumes {s['guest'].get('volumes', '?')}, boot+run {st.get('host_wall_s', '?')} s")
        hdr = (f"{'level':>5} {'ops':>5} {'err':>4} {'drops':>7} {'p50 s':>7} {'p95 s':>7} {'p99 s':>7} "
               f"{'xL1':>5} {'sim p99':>7} {'wall s':>7} {'mkfs':>5}  shares of total (k n t u w %)")
        print(hdr)
        for n in sorted(s["levels"]):
            lv = s["levels"][n]
            t = lv.total()
            print(f"{n:>5} {f'{lv.stage_ops}/{n}':>5} {lv.errors:>4} {drops_str(lv):>7} "
                  f"{fmt_s(t and t['p50']):>7} {fmt_s(t and t['p95']):>7} {fmt_s(t and t['p99']):>7} "
                  f"{ratio(lv, s):>5} {fmt_s((sim_row(lv, 'stage') or {}).get('p99')):>7} "
                  f"{(f'{lv.wall_ms / 1e3:.1f}' if lv.wall_ms else '-'):>7} "
                  f"{f'{lv.mkfs_ran}/{lv.stagings}':>5}  {shares_str(t['shares']) if t else '-'}"
                  + (f"  [{'; '.join(lv.note)}]" if lv.note else ""))
        names = phases_of(s)
        if names:
            print("  per phase, p50/p99 s by level:")
            print("  " + f"{'phase':<12}" + "".join(f"{'L' + str(n):>14}" for n in sorted(s["levels"])))
            for p in names:
                cells = []
                for n in sorted(s["levels"]):
                    st_ = s["levels"][n].stage.get(p)
                    r = st_.row() if st_ else None
                    cells.append(f"{fmt_s(r['p50'])}/{fmt_s(r['p99'])}" if r else "-")
                print("  " + f"{p:<12}" + "".join(f"{c:>14}" for c in cells))
        for n in sorted(s["levels"]):
            for e in s["levels"][n].err_lines[:4]:
                print(f"  L{n} error: {e}")
            if len(s["levels"][n].err_lines) > 4:
                print(f"  L{n}: ... {len(s['levels'][n].err_lines) - 4} more")
        k, why = knee(s, factor)
        print(f"  knee: {'level ' + str(k) if k else 'none'} ({why})")


# ------------------------------------------------------------------- markdown
def md_report(settings, factor, svg_name):
    L = []
    a = L.append
    g0 = settings[0]["guest"] if settings else {}
    a("# scaletrace load test: concurrent NodeStage in the storage lab\n")
    a("Generated by `make loadtest` (bench/loadtest, docs/loadtest.md).\n")
    a("## Method\n")
    a(f"- One lab boot (`scripts/lab/run --proto all --volumes {g0.get('volumes', '?')}`, qemu TCG, "
      f"{g0.get('cpus', '?')} vCPUs, {g0.get('mem_mb', '?')} MiB, kernel {g0.get('kernel', '?')}, "
      f"{g0.get('disk_mb', '?')} MiB volumes) per injection setting: "
      + ", ".join(f"`{s['setting'].get('lab_options') or 'none'}`" for s in settings) + ".")
    a("- Before level 1, untraced: iscsid is started (as on a node) and one volume per protocol is staged "
      "and unstaged (warm-up: level 1 would otherwise alone pay for cold caches)"
      + ("" if g0.get("warmup_ms") else " — skipped in this run") + ".")
    a(f"- Per concurrency level N: `scaletrace nodestage --overhead-budget 100 --json` (at nice "
      f"{g0.get('tracer_nice', '0')}, so its reader keeps up with its ring buffer) is started and waited "
      "for (`Tracing` on its stderr); N `nodestage-sim stage` run at once (staging j: volume j, iSCSI when "
      "j is odd, NVMe-TCP when even; every volume blank, so every staging formats it); when all have "
      "finished, the N volumes are unstaged at once; the tracer is stopped with SIGINT. One tracer run "
      "and one JSON per level. Untraced, the volumes' signatures are then wiped on the target so the "
      "next level formats again.")
    a(f"- Percentiles are nearest-rank over the level's stage operations in scaletrace's JSON (with "
      f"N <= 16 samples p95 and p99 are the maximum for N < 20). Category shares: the phase's "
      f"`categories_us` summed over operations divided by its summed wall time (k kernel, n network, "
      f"t target, u user, w wait). *wall*: the guest's clock from launching the N simulators to the last "
      f"exiting (includes each simulator's start-up before its first tool, which no tracer can attribute "
      f"to a volume). *errors*: simulator runs (stage or unstage) that exited non-zero. *drops*: the "
      f"tracer's own drop counters (ring buffer / map full), summed.")
    a("- *stage ops*: complete stage operations in the JSON that belong to the level's stagings / "
      "stagings; the percentiles rest on these. A staging without one (the tracer lost its end when its "
      "ring buffer was full, or an unstage was read as a staging) is named in *notes*. *sim*: the same "
      "total from the simulators' own phase timestamps (successful stagings), a cross-check.")
    a(f"- Knee: the first level whose total p99 exceeds {factor:g} x level 1's, or which has errors.\n")
    a(f"![p50 and p99 of the NodeStage total against concurrency]({svg_name})\n")
    for s in settings:
        st = s["setting"]
        k, why = knee(s, factor)
        a(f"## {s['label']}: `{st.get('lab_options') or 'no injection'}`\n")
        a(f"Lab boot and run: {st.get('host_wall_s', '?')} s wall on the host (lab exit {st.get('lab_rc', '?')}). "
          f"Guest memory available at the end: {s['guest'].get('mem_available_mb', '?')} MiB, backing stores "
          f"{s['guest'].get('store_used_mb', '?')} MiB.\n")
        a(f"**Knee: {'level ' + str(k) if k else 'none'}** — {why}.\n")
        a("| level | stage ops | errors | drops | total p50 s | p95 s | p99 s | p99 / L1 | sim p50 s | sim p99 s "
          "| wall s | mkfs ran | kernel % | network % | target % | user % | wait % | notes |")
        a("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for n in sorted(s["levels"]):
            lv = s["levels"][n]
            t = lv.total()
            sh = t["shares"] if t else None
            sr = sim_row(lv, "stage") or {}
            a(f"| {n} | {lv.stage_ops}/{n} | {lv.errors} | {drops_str(lv)} | {fmt_s(t and t['p50'])} | "
              f"{fmt_s(t and t['p95'])} | {fmt_s(t and t['p99'])} | {ratio(lv, s)} | "
              f"{fmt_s(sr.get('p50'))} | {fmt_s(sr.get('p99'))} | "
              f"{f'{lv.wall_ms / 1e3:.1f}' if lv.wall_ms else '-'} | {lv.mkfs_ran}/{lv.stagings} | "
              + " | ".join(f"{sh[c]:.0f}" if sh else "-" for c in CATS)
              + f" | {'; '.join(lv.note)} |")
        a("")
        a("Per phase (stage operations):\n")
        a("| level | phase | count | p50 s | p95 s | p99 s | kernel % | network % | target % | user % | wait % |")
        a("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n in sorted(s["levels"]):
            lv = s["levels"][n]
            for p in phases_of(s) + ["total"]:
                if p not in lv.stage:
                    continue
                r = lv.stage[p].row()
                a(f"| {n} | {'**total**' if p == 'total' else p} | {r['count']} | {fmt_s(r['p50'])} | "
                  f"{fmt_s(r['p95'])} | {fmt_s(r['p99'])} | "
                  + " | ".join(f"{r['shares'][c]:.0f}" for c in CATS) + " |")
        a("")
        un = [p for p in ("umount", "logout", "delete-record", "disconnect", "total")
              if any(p in s["levels"][n].sim["unstage"] for n in s["levels"])]
        if un:
            a("Unstage, from the simulators' own `--timing` files (successful runs; the tracer reports "
              "an unstage as separate operations for the unmount and the logout / disconnect, so its "
              "JSON has no unstage total); *wall s*: the guest's clock for the whole concurrent unstage:\n")
            a("| level | wall s | " + " | ".join(f"{p} n | {p} p50 s | {p} p99 s" for p in un) + " |")
            a("|---:|---:|" + "---:|---:|---:|" * len(un))
            for n in sorted(s["levels"]):
                lv = s["levels"][n]
                cells = []
                for p in un:
                    r = sim_row(lv, "unstage", p)
                    cells.append(f"{r['count']} | {fmt_s(r['p50'])} | {fmt_s(r['p99'])}" if r else "0 | - | -")
                a(f"| {n} | {f'{lv.unstage_wall_ms / 1e3:.1f}' if lv.unstage_wall_ms else '-'} | "
                  + " | ".join(cells) + " |")
            a("")
        errs = [(n, e) for n in sorted(s["levels"]) for e in s["levels"][n].err_lines]
        if errs:
            a("Errors:\n")
            for n, e in errs:
                a(f"- level {n}: {e.replace('|', '/')}")
            a("")
        drops = [(n, s["levels"][n].drops) for n in sorted(s["levels"]) if s["levels"][n].drops]
        if drops:
            a("Tracer drops: " + "; ".join(f"level {n}: " + ", ".join(f"{k} {v}" for k, v in d.items())
                                            for n, d in drops) + ".\n")
        a(f"Raw data: `{s['dir']}` (L*/ns.json, tim-*.txt, results.tsv, levels.tsv).\n")
    return "\n".join(L) + "\n"


# ------------------------------------------------------------------- SVG
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def svg_chart(settings, factor, extra_phases=("mkfs", "login")):
    W, H = 860, 500
    ml, mr, mt, mb = 70, 250, 50, 60
    pw, ph = W - ml - mr, H - mt - mb
    series = []  # (label, color, dash, width, [(n, seconds)])
    for i, s in enumerate(settings):
        col = COLORS[i % len(COLORS)]
        for q, dash, wid in (("p50", "", 2.5), ("p99", "7,4", 2.5)):
            pts = [(n, s["levels"][n].total()[q] / 1e6) for n in sorted(s["levels"]) if s["levels"][n].total()]
            series.append((f"{s['label']} total {q}", col, dash, wid, pts, 1.0))
        for p, dash in zip(extra_phases, ("2,3", "1,3")):
            pts = []
            for n in sorted(s["levels"]):
                stt = s["levels"][n].stage.get(p)
                if stt:
                    pts.append((n, stt.row()["p99"] / 1e6))
            if pts:
                series.append((f"{s['label']} {p} p99", col, dash, 1.3, pts, 0.65))
    ns = sorted({n for s in settings for n in s["levels"]}) or [1]
    xmin, xmax = math.log2(min(ns)), math.log2(max(ns))
    if xmax == xmin:
        xmax = xmin + 1
    ymax = max([v for *_, pts, _ in series for _, v in pts] + [1.0])
    step = nice_step(ymax / 5)
    ymax = math.ceil(ymax / step) * step

    def X(n):
        return ml + (math.log2(n) - xmin) / (xmax - xmin) * pw

    def Y(v):
        return mt + ph - v / ymax * ph

    o = ['<?xml version="1.0" encoding="UTF-8"?>',
         f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
         'font-family="sans-serif" font-size="12">',
         "<title>scaletrace load test: NodeStage wall time against concurrency</title>",
         f'<rect x="0" y="0" width="{W}" height="{H}" fill="white"/>',
         f'<text x="{ml + pw / 2:.1f}" y="24" text-anchor="middle" font-size="15">'
         "NodeStage total wall time (scaletrace) against concurrent stagings</text>"]
    y = 0.0
    while y <= ymax + 1e-9:
        o.append(f'<line x1="{ml}" y1="{Y(y):.1f}" x2="{ml + pw}" y2="{Y(y):.1f}" stroke="#ddd"/>')
        o.append(f'<text x="{ml - 6}" y="{Y(y) + 4:.1f}" text-anchor="end">{y:g}</text>')
        y += step
    for n in ns:
        o.append(f'<line x1="{X(n):.1f}" y1="{mt}" x2="{X(n):.1f}" y2="{mt + ph}" stroke="#eee"/>')
        o.append(f'<text x="{X(n):.1f}" y="{mt + ph + 18}" text-anchor="middle">{n}</text>')
    o.append(f'<rect x="{ml}" y="{mt}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>')
    o.append(f'<text x="{ml + pw / 2:.1f}" y="{H - 18}" text-anchor="middle">'
             "concurrent stagings (log2 scale)</text>")
    o.append(f'<text transform="translate(18,{mt + ph / 2:.1f}) rotate(-90)" text-anchor="middle">'
             "seconds</text>")
    for label, col, dash, wid, pts, op in series:
        if not pts:
            continue
        d = " ".join(f"{'M' if i == 0 else 'L'}{X(n):.1f},{Y(v):.1f}" for i, (n, v) in enumerate(pts))
        o.append(f'<path d="{d}" fill="none" stroke="{col}" stroke-width="{wid}" stroke-opacity="{op}"'
                 + (f' stroke-dasharray="{dash}"' if dash else "") + f"><title>{escape(label)}</title></path>")
        for n, v in pts:
            o.append(f'<circle cx="{X(n):.1f}" cy="{Y(v):.1f}" r="{3 if wid > 2 else 2}" fill="{col}" '
                     f'fill-opacity="{op}"><title>{escape(label)}: {n} concurrent, {v:.2f} s</title></circle>')
    # knees
    for i, s in enumerate(settings):
        k, why = knee(s, factor)
        if k and k in s["levels"] and s["levels"][k].total():
            col = COLORS[i % len(COLORS)]
            v = s["levels"][k].total()["p99"] / 1e6
            o.append(f'<circle cx="{X(k):.1f}" cy="{Y(v):.1f}" r="8" fill="none" stroke="{col}" '
                     f'stroke-width="2"><title>knee of {escape(s["label"])}: level {k} ({escape(why)})'
                     "</title></circle>")
    # legend
    lx, ly = ml + pw + 16, mt + 6
    for label, col, dash, wid, pts, op in series:
        o.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 28}" y2="{ly}" stroke="{col}" stroke-width="{wid}" '
                 f'stroke-opacity="{op}"' + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        o.append(f'<text x="{lx + 34}" y="{ly + 4}">{escape(label)}</text>')
        ly += 18
    o.append(f'<circle cx="{lx + 14}" cy="{ly}" r="7" fill="none" stroke="#444" stroke-width="2"/>')
    o.append(f'<text x="{lx + 34}" y="{ly + 4}">knee ({factor:g} x level-1 p99 or errors)</text>')
    o.append("</svg>")
    return "\n".join(o) + "\n"


def nice_step(x):
    if x <= 0:
        return 1.0
    e = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if x <= m * e:
            return m * e
    return 10 * e


def main(argv):
    factor, md, svg, dirs = 2.0, None, None, []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--factor", "--md", "--svg"):
            if i + 1 >= len(argv):
                sys.exit(f"loadtest-report: {a} needs a value")
            v = argv[i + 1]
            if a == "--factor":
                try:
                    factor = float(v)
                except ValueError:
                    sys.exit(f"loadtest-report: bad --factor '{v}'")
                if factor <= 1:
                    sys.exit("loadtest-report: --factor must be > 1")
            elif a == "--md":
                md = v
            else:
                svg = v
            i += 2
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            dirs.append(a)
            i += 1
    if not dirs:
        sys.exit("usage: loadtest-report.py [--factor F] [--md FILE] [--svg FILE] SETTING_DIR...")
    settings = [load_setting(d) for d in dirs]
    print_text(settings, factor)
    if svg:
        with open(svg, "w") as f:
            f.write(svg_chart(settings, factor))
    if md:
        rel = os.path.relpath(svg, os.path.dirname(os.path.abspath(md))) if svg else "loadtest.svg"
        with open(md, "w") as f:
            f.write(md_report(settings, factor, rel))
    have = any(lv.total() for s in settings for lv in s["levels"].values())
    return 0 if have else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
