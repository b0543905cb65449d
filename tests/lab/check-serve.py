#!/usr/bin/python3
"""Checks of `scaletrace serve` in the lab (tests/lab/test-nodestage.sh, the
--target-delay 30 boot): the scraped text parses with the Prometheus client's
strict OpenMetrics parser, both stagings are counted, the per-phase category
seconds equal what `nodestage` (run beside it) reported for the same
operations, and the injected target delay shows in the I/O histograms.
Usage: check-serve.py WORKDIR TAG"""
import json
import os
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

work, tag = sys.argv[1], sys.argv[2]
fails = 0


def say(ok, msg):
    global fails
    print(("ok - " if ok else "not ok - ") + msg)
    fails += not ok


path = os.path.join(work, f"metrics-{tag}.txt")
if not os.path.exists(path):
    say(False, f"serve {tag}: metrics scraped")
    sys.exit(1)
try:
    fams = {f.name: f for f in text_string_to_metric_families(open(path).read())}
except Exception as e:  # the parser raises on any malformed line
    say(False, f"serve {tag}: OpenMetrics text parses ({e})")
    sys.exit(1)
say(True, f"serve {tag}: OpenMetrics text parses ({len(fams)} families)")


def samples(name, suffix=""):
    f = fams.get(name)
    return [s for s in f.samples if s.name == name + suffix] if f else []


ops = {(s.labels["protocol"], s.labels["kind"], s.labels["result"]): s.value
       for s in samples("scaletrace_nodestage_operations", "_total")}
say(ops.get(("iscsi", "stage", "ok")) == 1 and ops.get(("nvme", "stage", "ok")) == 1,
    f"serve {tag}: one iSCSI and one NVMe staging counted {ops}")

# Same operations, same model: serve's category seconds match nodestage's JSON.
ns = json.load(open(os.path.join(work, f"ns-{tag}.json")))["operations"]
want = {}
for op in ns:
    if op["kind"] != "stage" or not op["complete"]:
        continue
    for p in op["phases"]:
        for c, us in p["categories_us"].items():
            k = (op["protocol"], p["name"], c)
            want[k] = want.get(k, 0) + us / 1e6
got = {(s.labels["protocol"], s.labels["phase"], s.labels["category"]): s.value
       for s in samples("scaletrace_nodestage_phase_category_seconds", "_total")}
# On-CPU time splits into user and kernel by samples (serve samples at a lower
# rate than nodestage), so those two are compared as their sum.
def split(d, proto, ph):
    g = {c: d.get((proto, ph, c), 0) for c in ("kernel", "network", "target", "user", "wait")}
    return {"cpu+other": g["kernel"] + g["user"], "network": g["network"],
            "target": g["target"], "wait": g["wait"]}


bad = 0
for proto in ("iscsi", "nvme"):
    for ph in ("mkfs", "mount"):
        w, g = split(want, proto, ph), split(got, proto, ph)
        for c in w:
            if abs(w[c] - g[c]) > 0.1 * max(w[c], g[c]) + 0.05:
                bad += 1
                say(False, f"serve {tag} {proto} {ph} {c}: {g[c]:.3f}s, nodestage says {w[c]:.3f}s")
    t = got.get((proto, "mkfs", "target"), 0)
    say(t > got.get((proto, "mkfs", "network"), 0) and t >= 0.1,
        f"serve {tag} {proto}: mkfs target {t:.3f}s, network "
        f"{got.get((proto, 'mkfs', 'network'), 0):.3f}s (30 ms injected at the target)")
say(not bad, f"serve {tag}: mkfs/mount network, target, wait and on-CPU seconds equal "
             f"nodestage's JSON for the same operations")

# Per-device I/O: the mean target component carries the injected 30 ms.
cnt, tot = {}, {}
for s in samples("scaletrace_io_latency_seconds", "_count"):
    cnt[(s.labels["device"], s.labels["op"], s.labels["component"])] = s.value
for s in samples("scaletrace_io_latency_seconds", "_sum"):
    tot[(s.labels["device"], s.labels["op"], s.labels["component"])] = s.value
devs = sorted({k[0] for k in cnt})
say(any(d.startswith("nvme") for d in devs) and any(d.startswith("sd") for d in devs),
    f"serve {tag}: I/O histograms for the NVMe and the iSCSI device {devs}")
for d in devs:
    n = sum(v for k, v in cnt.items() if k[0] == d and k[1] == "write" and k[2] == "target")
    t = sum(v for k, v in tot.items() if k[0] == d and k[1] == "write" and k[2] == "target")
    if n >= 20:
        say(t / n >= 0.015, f"serve {tag} {d}: mean write target component {t / n * 1e3:.1f} ms "
                            f"over {n:.0f} requests (30 ms injected)")

off = samples("scaletrace_offcpu_seconds", "_total")
say(sum(s.value for s in off if s.labels["state"] != "runnable") > 0.1,
    f"serve {tag}: off-CPU seconds of staging tasks ({len(off)} series)")
say(len(samples("scaletrace_drops", "_total")) >= 5 and
    sum(s.value for s in samples("scaletrace_bpf_run_seconds", "_total")) > 0 and
    samples("scaletrace_map_bytes")[0].value > 0,
    f"serve {tag}: drops, BPF run time and map memory exported")
sys.exit(1 if fails else 0)
