#!/usr/bin/env python3
"""Checks of the iolat injection runs (tests/lab/test-iolat-split.sh): WORKDIR."""
import bisect
import functools
import re
import json
import os
import statistics
import sys

work = sys.argv[1]
fails = 0


def say(ok, msg):
    global fails
    print(("ok - " if ok else "not ok - ") + msg)
    fails += not ok


def load(name):
    path = os.path.join(work, f"iolat-{name}.json")
    if not os.path.exists(path):
        say(False, f"{name}: no JSON")
        return None
    j = json.load(open(path))
    print(f"# {name}: {j['requests']} requests; precision: {j['precision']}")
    for s in j["slowest"]:
        tot = s["kernel_us"] + s["network_us"] + s["target_us"]
        if abs(tot - s["total_us"]) > max(0.02 * s["total_us"], 2):
            say(False, f"{name}: kernel+network+target != total ({s})")
            break
    return j


def reads(j, proto):
    """The read group of the iSCSI (sd*) or NVMe (nvme*) device."""
    for g in (j or {}).get("groups", []):
        dev, _, op = g["group"].partition(" ")
        if op == "read" and dev.startswith("nvme" if proto == "nvme" else "sd"):
            print(f"#   {g['group']}: n={g['count']} p50 total={g['total']['p50_us']} "
                  f"kernel={g['kernel']['p50_us']} network={g['network']['p50_us']} "
                  f"target={g['target']['p50_us']} us, retransmitted={g['retransmitted']}")
            return g
    return None


UNIT = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
STREAM = re.compile(r"^\d\d:\d\d:\d\d (.+?) +(\d+) (\S+) +(\S+) +(\d+) +(\S+)  kernel +(\S+) "
                    r"network +(\S+) target +(\S+)( retransmitted)?( \(block only\))?$")


def us(text):
    m = re.fullmatch(r"([\d.]+)(ns|us|ms|s)", text)
    assert m, text
    return float(m.group(1)) * UNIT[m.group(2)]


@functools.lru_cache(maxsize=None)
def stream(name):
    """The requests iolat --slower-than streamed to stdout in scenario NAME."""
    out = []
    try:
        lines = open(os.path.join(work, f"iolat-{name}.out")).read().splitlines()
    except OSError:
        return out
    for ln in lines:
        m = STREAM.match(ln)
        if m:
            out.append({"dev": m.group(3), "op": m.group(4), "bytes": int(m.group(5)),
                        "total": us(m.group(6)), "kernel": us(m.group(7)),
                        "network": us(m.group(8)), "target": us(m.group(9)),
                        "retransmitted": bool(m.group(10))})
    return out


def proto_of(dev):
    return "nvme" if dev.startswith("nvme") else "iscsi" if dev.startswith("sd") else None


def ms(g, comp):
    return g[comp]["p50_us"] / 1000.0 if g else float("nan")


@functools.lru_cache(maxsize=None)
def store_trace(name, proto):
    """
    The reads of scenario NAME on the dm-delay store under the LUN (iSCSI) or
    the namespace (NVMe), measured independently of scaletrace with ftrace
    (guest/iolat-split.sh, store_trace_start): for each read bio on that
    store block_bio_queue -> block_bio_complete, and around it the packets at
    the target's veth. Returns (store ms, TrueNAS ms) lists: the store's
    service time, and the target's whole time, from the arrival of the
    command (the last non-ACK packet received before the bio) to the send of
    the response (the first packet of 1000 bytes or more queued after it).
    """
    path = os.path.join(work, f"iolat-{name}.store")
    want, pending, ios, rx, tx = None, {}, [], [], []
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return [], []
    for ln in lines:
        w = ln.split()
        if ln.startswith("# store ") and len(w) == 4 and f"-{proto}-" in w[2]:
            want = w[3]
            continue
        for ev in ("netif_receive_skb:", "net_dev_queue:"):
            if ev in w:
                t = float(w[w.index(ev) - 1].rstrip(":"))
                n = int(next((x[4:] for x in w if x.startswith("len=")), "0"))
                # skb->len: without the Ethernet header on receive (a bare ACK is 52), with it on send
                if ev == "netif_receive_skb:" and n >= 90:
                    rx.append(t)
                elif ev == "net_dev_queue:" and n >= 1000:
                    tx.append(t)
        for ev in ("block_bio_queue:", "block_bio_complete:"):
            if ev not in w:
                continue
            i = w.index(ev)
            if len(w) < i + 3 or w[i + 1] != want or not w[i + 2].startswith("R"):
                continue
            t, sector = float(w[i - 1].rstrip(":")), w[i + 3]
            if ev == "block_bio_queue:":
                pending.setdefault(sector, []).append(t)
            elif pending.get(sector):
                ios.append((pending[sector].pop(0), t))
    store = [(c - q) * 1000.0 for q, c in ios]
    nas = []
    for q, c in ios:
        i, j = bisect.bisect_left(rx, q), bisect.bisect_right(tx, c)
        if i > 0 and j < len(tx):
            nas.append((tx[j] - rx[i - 1]) * 1000.0)
    return store, nas


def median_of(name, proto, what):
    store, nas = store_trace(name, proto)
    lat = store if what == "store" else nas
    if not lat:
        print(f"# {name} {proto}: no {what} times in the trace")
        return float("nan")
    med = statistics.median(lat)
    print(f"# {name} {proto} {what}: {len(lat)} reads, median {med:.2f} ms (ftrace)")
    return med


@functools.lru_cache(maxsize=None)
def grown(name, proto, what):
    """The median store or TrueNAS time of NAME over the no-injection run's."""
    return median_of(name, proto, what) - median_of("none", proto, what)


runs = {n: load(n) for n in ["none", "net20", "target30", "both", "loss5", "tponly"]}
for proto in ["iscsi", "nvme"]:
    g = {n: reads(runs[n], proto) for n in runs}
    if not all(g[n] for n in ["none", "net20", "target30", "both"]):
        say(False, f"{proto}: a scenario has no reads")
        continue
    base_t = ms(g["none"], "target")
    say(ms(g["none"], "network") < 1.0,
        f"{proto} no injection: network median {ms(g['none'], 'network'):.2f} ms < 1")
    say(base_t < 3, f"{proto} no injection: target median {base_t:.2f} ms < 3")
    say(abs(ms(g["net20"], "network") - 20) <= 2,
        f"{proto} --net-delay 20: network median {ms(g['net20'], 'network'):.2f} ms = 20 +-10%")
    say(ms(g["net20"], "target") - base_t < 3,
        f"{proto} --net-delay 20: target median grew {ms(g['net20'], 'target') - base_t:.2f} ms < 3")
    # --target-delay 30 is what the lab asks of dm-delay; what TrueNAS then
    # takes is measured at its veth (store_trace): jiffy rounding, and under
    # TCG LIO's and nvmet's completion work from an idle vCPU, put it at
    # 30..35 ms. The target category must grow as the TrueNAS time did, within
    # 10% of 30 ms; the lab's own injection within 15%.
    dt, inj, nas = (ms(g["target30"], "target") - base_t, grown("target30", proto, "store"),
                    grown("target30", proto, "TrueNAS"))
    say(abs(inj - 30) <= 4.5 and abs(nas - 30) <= 4.5,
        f"{proto} --target-delay 30: the store's service time grew {inj:.2f} ms, TrueNAS's time "
        f"{nas:.2f} ms (30 +-15%)")
    say(abs(dt - nas) <= 3,
        f"{proto} --target-delay 30: target median grew {dt:.2f} ms = TrueNAS's {nas:.2f} +-3 ms "
        f"(10% of 30; {dt - 30:+.2f} ms from the 30 asked)")
    say(ms(g["target30"], "network") < 3,
        f"{proto} --target-delay 30: network median {ms(g['target30'], 'network'):.2f} ms < 3")
    dn, dt = ms(g["both"], "network"), ms(g["both"], "target") - base_t
    inj, nas = grown("both", proto, "store"), grown("both", proto, "TrueNAS")
    # Wire time beyond the connection's minimum RTT is target time in the model
    # (docs/attribution.md): netem's own jitter under TCG, measured by the
    # net20 run as the target's growth there, rides on top of TrueNAS's time.
    jit = ms(g["net20"], "target") - base_t
    say(abs(dn - 20) <= 2 and abs(dt - jit - nas) <= 3 and abs(inj - 30) <= 4.5
        and abs(nas - 30) <= 4.5,
        f"{proto} both: network {dn:.2f} ms = 20 +-10%, target grew {dt:.2f} ms = TrueNAS's "
        f"{nas:.2f} +-3 ms + the net20 jitter {jit:.2f} ms; the store grew {inj:.2f} ms (30 +-15%)")
    lg = g["loss5"]
    say(lg is not None and lg["retransmitted"] > 0,
        f"{proto} --net-loss 5: {lg['retransmitted'] if lg else 0} requests saw a loss")
    # Lower precision, stated: srtt (delayed ACKs inflate it) and no transport
    # stamps. NVMe-TCP namespaces are multipath heads: the requests are on the
    # hidden path disk (nvme0c0n1), which iolat names to BPF.
    say(g["tponly"] is not None and 18 <= ms(g["tponly"], "network") <= 30,
        f"{proto} block-tracepoint mode: network median {ms(g['tponly'], 'network'):.2f} ms in [18, 30]")
    # Writes beyond the in-capsule / immediate data wait for an R2T: two round trips.
    big = [r for r in stream("net20") if r["op"] == "write" and r["bytes"] >= 65536
           and proto_of(r["dev"]) == proto]
    net = statistics.median([r["network"] for r in big]) / 1000 if big else float("nan")
    kern = statistics.median([r["kernel"] for r in big]) / 1000 if big else float("nan")
    say(len(big) >= 5 and 36 <= net <= 44 and kern < 5,
        f"{proto} --net-delay 20: {len(big)} writes of >= 64 KiB (R2T): network median {net:.2f} ms "
        f"= 2 round trips (40 +-10%), kernel median {kern:.2f} ms < 5")
    # Every request of the no-injection run, one by one: kernel + network + target = total.
    rs = [r for r in stream("none") if proto_of(r["dev"]) == proto]
    bad = [r for r in rs if abs(r["kernel"] + r["network"] + r["target"] - r["total"])
           > max(0.02 * r["total"], 0.01 * r["total"] + 2)]
    say(len(rs) >= 30 and not bad,
        f"{proto} no injection: kernel+network+target = total (+-2%) for each of {len(rs)} streamed "
        f"requests ({len(bad)} off{': ' + str(bad[0]) if bad else ''})")
    # --net-loss 5: the wire time of this protocol's requests that saw a loss is network.
    lossy = [r for r in stream("loss5") if r["retransmitted"] and proto_of(r["dev"]) == proto]
    wire = sum(r["total"] - r["kernel"] for r in lossy)
    netl = sum(r["network"] for r in lossy)
    say(bool(lossy) and netl >= 0.8 * wire,
        f"{proto} --net-loss 5: {len(lossy)} requests saw a loss; their wire time is network "
        f"({netl:.0f} of {wire:.0f} us)")
j = runs["loss5"]
if j:
    lossy = [s for s in j["slowest"] if s["retransmitted"]]
    wire = [s["total_us"] - s["kernel_us"] for s in lossy]
    net = [s["network_us"] for s in lossy]
    say(bool(lossy) and sum(net) >= 0.8 * sum(wire),
        f"--net-loss 5: the lossy requests' wire time is network ({sum(net)} of {sum(wire)} us)")
# --folded of the no-injection run: its [kernel]/[network]/[target] leaves sum
# to what the streamed requests say (each request in whole microseconds).
fold = {}
try:
    for ln in open(os.path.join(work, "iolat-none.folded")):
        stack, n = ln.rstrip("\n").rsplit(" ", 1)
        leaf = stack.split(";")[-1]
        fold[leaf] = fold.get(leaf, 0) + int(n)
except OSError:
    pass
rs = stream("none")
for comp in ["kernel", "network", "target"]:
    want = sum(r[comp] for r in rs)
    got = fold.get(f"[{comp}]", 0)
    say(rs and abs(got - want) <= 0.02 * want + len(rs),
        f"none --folded: [{comp}] frames {got} us = the streamed requests' {want:.0f} us")
if runs["tponly"]:
    say("block tracepoints only" in runs["tponly"]["precision"],
        "without fentry and kprobes the report says it uses block tracepoints only")
# iSCSI login: iscsid's exchanges with the target on port 3260 (one round trip
# per login PDU) get the same split; with --net-delay 20 each is ~20 ms network.
for name, lo, hi in [("none", 0, 5000), ("net20", 16000, 26000)]:
    path = os.path.join(work, f"iolat-{name}-login.json")
    if not os.path.exists(path):
        say(False, f"{name} login: no JSON")
        continue
    xs = [g for g in json.load(open(path))["exchanges"] if g["group"].endswith(":3260")]
    n = sum(g["count"] for g in xs)
    print(f"# {name} login exchanges: " + "; ".join(
        f"{g['group']} x{g['count']} network p50 {g['network']['p50_us']} us, "
        f"target p50 {g['target']['p50_us']} us" for g in xs))
    # without CHAP, one login PDU and its response (security and operational
    # negotiation in one step): one exchange
    say(n >= 1, f"{name} login: {n} exchange(s) on port 3260 reported")
    if not n:
        continue
    g = max(xs, key=lambda g: g["count"])
    net, tgt = g["network"]["p50_us"], g["target"]["p50_us"]
    say(lo <= net <= hi, f"{name} login: exchange network p50 {net} us in [{lo}, {hi}]")
    say(tgt < 10000, f"{name} login: exchange target p50 {tgt} us < 10 ms")
# Exchanges beyond the login (net20, EXCH=1; iolat --port 9000): NVMe-TCP
# ICReq round trips from user space on 4420, an echo server on the --port, the
# kernel NFS client's RPCs on 2049. Each is one round trip of the 20 ms path.
path = os.path.join(work, "iolat-net20-xchg.json")
xj = json.load(open(path)) if os.path.exists(path) else None
say(xj is not None, "net20 exchanges: iolat --port 9000 wrote JSON")
for port, least in [(4420, 5), (9000, 5), (2049, 3)]:
    xs = [g for g in (xj or {}).get("exchanges", []) if g["group"].endswith(f":{port}")]
    n = sum(g["count"] for g in xs)
    print(f"# net20 exchanges on :{port}: " + "; ".join(
        f"{g['group']} x{g['count']} total p50 {g['total']['p50_us']} network p50 "
        f"{g['network']['p50_us']} target p50 {g['target']['p50_us']} us" for g in xs))
    if not xs:
        say(False, f"net20 exchanges: none on :{port}")
        continue
    g = max(xs, key=lambda g: g["count"])
    net, tgt = g["network"]["p50_us"], g["target"]["p50_us"]
    say(n >= least and 18000 <= net <= 22000 and tgt < 10000,
        f"net20 exchanges on :{port}: {n} (>= {least}), network p50 {net} us = 20 ms +-10%, "
        f"target p50 {tgt} us < 10 ms")
# Queueing (target30, QD=1): 4 KiB reads at queue depth 4. iSCSI at SCSI queue
# depth 1: the three waiting requests' time is kernel (this node's block layer);
# NVMe-TCP: all four at the target at once, with little kernel. Either way each
# request's target time is its own read's: the store's service time for it
# (ftrace, the same run) and at most 3 ms (10% of 30) of LIO / nvmet work.
qs = stream("target30-qd")
for proto in ["iscsi", "nvme"]:
    rs = [r for r in qs if proto_of(r["dev"]) == proto and r["op"] == "read"]
    sto = median_of("target30-qd", proto, "store")
    if len(rs) < 20:
        say(False, f"{proto} queue depth 4: {len(rs)} streamed reads (>= 20)")
        continue
    med = {c: statistics.median(r[c] for r in rs) / 1000 for c in ["kernel", "network", "target", "total"]}
    bad = [r for r in rs if abs(r["kernel"] + r["network"] + r["target"] - r["total"])
           > max(0.02 * r["total"], 0.01 * r["total"] + 2)]
    kern_ok = med["kernel"] >= 60 if proto == "iscsi" else med["kernel"] < 5
    say(sto - 1 <= med["target"] <= sto + 3 and med["network"] < 3 and kern_ok and not bad,
        f"{proto} queue depth 4{' (SCSI depth 1)' if proto == 'iscsi' else ''}: {len(rs)} reads, "
        f"medians total {med['total']:.2f} kernel {med['kernel']:.2f} "
        f"({'>= 60: queued behind three' if proto == 'iscsi' else '< 5'}) network {med['network']:.2f} "
        f"(< 3) target {med['target']:.2f} ms (the store's {sto:.2f} -1/+3); parts = total for "
        f"{len(rs) - len(bad)}")
# --dev NVMe namespace --by proc, beside the queue-depth run: only the NVMe-TCP
# requests, all of them, grouped by the issuing process (fio's reads).
path = os.path.join(work, "iolat-target30-byproc.json")
bj = json.load(open(path)) if os.path.exists(path) else {"groups": []}
nq = len([r for r in qs if proto_of(r["dev"]) == "nvme"])
names = {g["group"]: g["count"] for g in bj["groups"]}
tot = sum(names.values())
say(nq >= 20 and abs(tot - nq) <= 2 and names.get("fio", 0) >= 0.9 * tot,
    f"iolat --dev (NVMe namespace) --by proc: groups {names}: {tot} requests = the {nq} NVMe-TCP "
    f"ones streamed beside it +-2, >= 90% of them fio's")
sys.exit(1 if fails else 0)
