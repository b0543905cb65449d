# nodestage on this host: a fake CSI node plugin (a script whose name contains
# "csi") stages a loop device: check, a 1 s polling sleep, mkfs, mount of a
# kubelet staging path. Phases in order, categories summing to the wall time,
# the sleep as wait, SLO exit status, CHAP secrets never leaving the kernel.
. tests/integration/lib.sh

S=/var/lib/kubelet/plugins/kubernetes.io/csi/org.test.csi/vol-it-$$/globalmount
bin=$TMPDIR/bin
mkdir -p "$bin"
# A stand-in iscsiadm that only records it ran (no iSCSI here).
printf '#!/bin/sh\nexit 0\n' >"$bin/iscsiadm"
chmod +x "$bin/iscsiadm"
loop_dev 32M
dev=$LOOPDEV
at_exit 'umount "$S" 2>/dev/null; rm -rf /var/lib/kubelet/plugins/kubernetes.io/csi/org.test.csi'
cat >"$TMPDIR/fake-csi-node" <<SH
#!/bin/bash
findmnt --target $S >/dev/null
$bin/iscsiadm -m node -T iqn.2005-10.org.freenas.ctl:itvol -o update -n node.session.auth.password -v TOPSECRET-$$
mkfifo $TMPDIR/tick; exec {T}<>$TMPDIR/tick
read -r -t 1.000 -u \$T _ || true
blkid -p $dev >/dev/null
mkfs.ext4 -q -F $dev
mkdir -p $S
mount $dev $S
SH
chmod +x "$TMPDIR/fake-csi-node"

$ST nodestage --overhead-budget 100 --idle 5 --json "$TMPDIR/ns.json" --folded "$TMPDIR/ns.folded" \
	--pprof "$TMPDIR/ns.pb.gz" --slo 'total:p99<100ms' -- "$TMPDIR/fake-csi-node" >"$TMPDIR/out" 2>"$TMPDIR/err"
rc=$?
cat "$TMPDIR/out"
[ $rc = 3 ] || fail "an SLO of 100 ms on a >1 s staging must exit 3, got $rc ($(cat "$TMPDIR/err"))"
grep -q "SLO VIOLATED: total" "$TMPDIR/out" || fail "violated SLO not listed"
python3 - "$TMPDIR/ns.json" <<'PY' || fail "operation report"
import json, sys
j = json.load(open(sys.argv[1]))
ops = j["operations"]
assert len(ops) == 1, ops
op = ops[0]
names = [p["name"] for p in op["phases"]]
print("phases", names, "wall", op["wall_us"], "categories", op["categories_us"])
order = ["check", "login", "device-wait", "fsprobe", "mkfs", "mount"]
it = iter(names)
assert all(any(n == p for n in it) for p in order), names
assert op["volume"] == "itvol", op["volume"]
assert abs(sum(op["categories_us"].values()) - op["wall_us"]) <= 0.05 * op["wall_us"]
dw = [p for p in op["phases"] if p["name"] == "device-wait"][0]
assert dw["categories_us"]["wait"] >= 0.8 * dw["wall_us"], dw
assert 0.9e6 <= dw["wall_us"] <= 1.5e6, dw
assert j["slo_violated"] is True
PY
grep -q '^nodestage;itvol;mkfs;mkfs.ext4;.*\[\(kernel\|user\|wait\|target\|network\)\] [0-9]*$' "$TMPDIR/ns.folded" ||
	fail "folded lines not rooted at nodestage;VOLUME;PHASE;PROCESS: $(head -2 "$TMPDIR/ns.folded")"
# --pprof: the same stacks, read back by go tool pprof (total = the folded sum).
export GOFLAGS=-mod=mod GOPROXY=off HOME=$TMPDIR GOCACHE=$TMPDIR/gocache GOTOOLCHAIN=local
go tool pprof -top -unit=us "$TMPDIR/ns.pb.gz" >"$TMPDIR/ns.top" 2>"$TMPDIR/ns.top.err" ||
	fail "go tool pprof rejected nodestage --pprof: $(head -c 300 "$TMPDIR/ns.top.err")"
grep -q '^Type: nodestage$' "$TMPDIR/ns.top" || fail "pprof sample type is not nodestage"
want=$(awk '{s += $NF} END {print s}' "$TMPDIR/ns.folded")
got=$(sed -n 's/.*% of \([0-9]*\)us total.*/\1/p' "$TMPDIR/ns.top")
[ -n "$got" ] && [ "$got" = "$want" ] || fail "pprof total ${got:-?} us != folded total $want us"
# The CHAP secret was cut in the kernel: it is nowhere in our outputs.
if grep -rq "TOPSECRET" "$TMPDIR/ns.json" "$TMPDIR/ns.folded" "$TMPDIR/out" "$TMPDIR/err"; then
	fail "a CHAP secret leaked into the report"
fi
expect_rc 2 $ST nodestage --slo 'mkfs:p99' ; one_line
expect_rc 2 $ST nodestage --slo 'mkfs:q99<1s' ; one_line
expect_rc 2 $ST nodestage --uprobe nocolon ; one_line
exit 0
