# scaletrace serve on this host: two instances (default, and --max-series 8
# --retention 4s) watch a fake CSI node plugin stage two loop-device volumes.
# Scraped with curl and parsed by the Prometheus client's strict OpenMetrics
# parser: operation counts, phase histograms and their category split, the
# off-CPU and self-cost families, the series bound and the age-out; /healthz,
# 404, 405; bad --listen and a busy port fail with one line; SIGTERM exits 0.
. tests/integration/lib.sh

command -v curl >/dev/null || skip "no curl"
PY=/usr/bin/python3
$PY -c "import prometheus_client.openmetrics.parser" 2>/dev/null || skip "no python3-prometheus-client"
P1=$((20000 + $$ % 10000)) P2=$((P1 + 1))
K=/var/lib/kubelet/plugins/kubernetes.io/csi/org.test.csi
bin=$TMPDIR/bin
mkdir -p "$bin"
printf '#!/bin/sh\nexit 0\n' >"$bin/iscsiadm"
chmod +x "$bin/iscsiadm"
loop_dev 32M a
da=$LOOPDEV
loop_dev 32M b
db=$LOOPDEV
pids=
at_exit '[ -n "$pids" ] && kill $pids 2>/dev/null; wait 2>/dev/null
	umount "$K"/*/globalmount 2>/dev/null; rm -rf "$K"' 
# The plugin: stage volume $1 on device $2, the way a CSI node plugin execs tools.
cat >"$TMPDIR/fake-csi-node" <<SH
#!/bin/bash
S=$K/\$1/globalmount
$bin/iscsiadm -m node -T iqn.2005-10.org.freenas.ctl:\$1 --login
blkid -p \$2 >/dev/null
sleep 0.2
mkfs.ext4 -q -F \$2
mkdir -p \$S
mount \$2 \$S
SH
chmod +x "$TMPDIR/fake-csi-node"

$ST serve --listen 127.0.0.1:$P1 --nodestage --iolat --offcpu --overhead-budget 100 \
	>"$TMPDIR/s1.out" 2>"$TMPDIR/s1.err" &
pids="$!"
$ST serve --listen 127.0.0.1:$P2 --max-series 8 --retention 4s --overhead-budget 100 \
	>"$TMPDIR/s2.out" 2>"$TMPDIR/s2.err" &
pids="$pids $!"
up() { [ "$(curl -s -o /dev/null -w '%{http_code}' "localhost:$1/healthz")" = 200 ]; }
for i in $(seq 100); do up $P1 && up $P2 && break; sleep 0.2; done
up $P1 && up $P2 || fail "serve not healthy after 20 s: $(cat "$TMPDIR"/s*.err)"

"$TMPDIR/fake-csi-node" pvc-serve-a "$da" || fail "fake plugin failed"
"$TMPDIR/fake-csi-node" pvc-serve-b "$db" || fail "fake plugin failed"
# Operations end at their staging mount; wait for both to be exported.
ok=0
for i in $(seq 60); do
	curl -s "localhost:$P1/metrics" >"$TMPDIR/m1" || fail "scrape failed"
	grep -q 'scaletrace_nodestage_operations_total{.*kind="stage",result="ok"} 2$' "$TMPDIR/m1" &&
		{ ok=1; break; }
	sleep 0.5
done
[ $ok = 1 ] || fail "two finished stagings not exported: $(grep operations "$TMPDIR/m1")"
curl -s "localhost:$P2/metrics" >"$TMPDIR/m2" || fail "scrape failed"
$PY - "$TMPDIR/m1" "$TMPDIR/m2" <<'PY' || fail "metrics content"
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse

def fams(path):
    return {f.name: f for f in parse(open(path).read())}  # strict: raises on bad text

m1, m2 = fams(sys.argv[1]), fams(sys.argv[2])
def samples(f, suffix=""):
    return [s for s in f.samples if s.name == f.name + suffix]

ph = m1["scaletrace_nodestage_phase_seconds"]
count = {s.labels["phase"]: s.value for s in samples(ph, "_count")}
total = {s.labels["phase"]: s.value for s in samples(ph, "_sum")}
print("phase counts", count)
for p in ("login", "mkfs", "mount", "total"):
    assert count.get(p) == 2, (p, count)
cats = {}
for s in samples(m1["scaletrace_nodestage_phase_category_seconds"], "_total"):
    cats.setdefault(s.labels["phase"], {})[s.labels["category"]] = s.value
print("categories", cats)
for p, c in cats.items():
    assert set(c) == {"kernel", "network", "target", "user", "wait"}, c
    # the split adds up to the phase's wall time
    assert abs(sum(c.values()) - total[p]) <= 0.05 * total[p] + 0.002, (p, c, total[p])
assert total["total"] >= 0.4, total  # two stagings with a 0.2 s sleep each
last = {s.labels["volume"]: s.value for s in samples(m1["scaletrace_nodestage_last_operation_seconds"])}
assert set(last) == {"pvc-serve-a", "pvc-serve-b"}, last
off = samples(m1["scaletrace_offcpu_seconds"], "_total")
assert any(s.labels["state"] == "sleeping" and s.value >= 0.2 for s in off), off
assert len(samples(m1["scaletrace_drops"], "_total")) >= 5
assert sum(s.value for s in samples(m1["scaletrace_bpf_run_seconds"], "_total")) > 0
assert samples(m1["scaletrace_map_bytes"])[0].value > 1 << 20
assert samples(m1["scaletrace_up"])[0].value == 1
# the bounded instance: never more than 8 label sets in a metric that grows
# with volumes, phases, devices or commands; the rest counted
for f in m2.values():
    if f.name in ("scaletrace_drops", "scaletrace_bpf_run_seconds"):
        continue  # fixed label sets
    n = len({tuple(sorted(s.labels.items() - {("le", s.labels.get("le"))})) for s in f.samples})
    assert n <= 8, (f.name, n)
assert samples(m2["scaletrace_series_evicted"], "_total")[0].value > 0
assert "scaletrace_offcpu_seconds" not in m2 or not m2["scaletrace_offcpu_seconds"].samples
PY
# --retention 4s: the per-volume gauges of the bounded instance age out.
sleep 5
curl -s "localhost:$P2/metrics" >"$TMPDIR/m2" || fail "scrape failed"
grep -q 'pvc-serve' "$TMPDIR/m2" && fail "per-volume series not aged out after --retention 4s"
[ "$(curl -s -o /dev/null -w '%{http_code}' "localhost:$P1/nope")" = 404 ] || fail "unknown path not 404"
[ "$(curl -s -X POST -o /dev/null -w '%{http_code}' "localhost:$P1/metrics")" = 405 ] || fail "POST not 405"
curl -s -D - -o /dev/null "localhost:$P1/metrics" | grep -qi '^content-type: application/openmetrics-text' ||
	fail "content type"
expect_rc 1 $ST serve --listen 127.0.0.1:$P1 ; one_line
expect_rc 2 $ST serve --listen nohost ; one_line
expect_rc 2 $ST serve --listen 127.0.0.1:99999 ; one_line
expect_rc 2 $ST serve --max-series 1 ; one_line
# SIGTERM: both exit 0 and free their ports.
kill -TERM $pids
for p in $pids; do
	wait $p || fail "serve exited $? on SIGTERM: $(cat "$TMPDIR"/s*.err)"
done
pids=
curl -s -o /dev/null "localhost:$P1/healthz" && fail "port still served after exit"
exit 0
