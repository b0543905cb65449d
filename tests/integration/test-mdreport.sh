# Markdown report from a real nodestage run: the fake CSI plugin of
# test-nodestage.sh stages a loop device 4 times under one trace (with SLOs, SVG
# and folded output); the report written by --report parses (tables well formed,
# headings present; markdown-it when installed) and every number in it equals
# the JSON's (tests/unit/mdreport_check.py).
. tests/integration/lib.sh


S=/var/lib/kubelet/plugins/kubernetes.io/csi/org.test-mdreport.csi/vol-md-$$/globalmount
bin=$TMPDIR/bin
mkdir -p "$bin"
printf '#!/bin/sh\nexit 0\n' >"$bin/iscsiadm"
chmod +x "$bin/iscsiadm"
loop_dev 32M
dev=$LOOPDEV
st=
at_exit '[ -n "$st" ] && kill "$st" 2>/dev/null; umount "$S" 2>/dev/null
	rm -rf /var/lib/kubelet/plugins/kubernetes.io/csi/org.test-mdreport.csi' 
cat >"$TMPDIR/fake-csi-node" <<SH
#!/bin/bash
findmnt --target $S >/dev/null
$bin/iscsiadm -m node -T iqn.2005-10.org.freenas.ctl:mdvol -o update -n node.startup -v manual
rm -f $TMPDIR/tick; mkfifo $TMPDIR/tick; exec {T}<>$TMPDIR/tick
read -r -t 0.3 -u \$T _ || true
blkid -p $dev >/dev/null
mkfs.ext4 -q -F $dev
mkdir -p $S
mount $dev $S
SH
chmod +x "$TMPDIR/fake-csi-node"

report=(--report "$TMPDIR/ns.md")
$ST nodestage --overhead-budget 100 --idle 1 -d 9 --json "$TMPDIR/ns.json" --svg "$TMPDIR/ns.svg" \
	--folded "$TMPDIR/ns.folded" --slo 'total:p99<100ms' --slo 'mkfs:p95<10s' "${report[@]}" \
	>"$TMPDIR/out" 2>"$TMPDIR/err" &
st=$!
sleep 2
for i in 1 2 3 4; do
	"$TMPDIR/fake-csi-node" || fail "fake plugin run $i failed"
	umount "$S" || fail "umount after run $i"
	sleep 0.2
done
wait "$st"
rc=$?
st=
[ $rc = 3 ] || fail "an SLO of 100 ms on a >300 ms staging must exit 3, got $rc ($(cat "$TMPDIR/err"))"
n=$(json_get "$TMPDIR/ns.json" 'len(j["operations"])')
[ "$n" -ge 3 ] || fail "expected 4 operations in one trace, got $n"

cat "$TMPDIR/ns.md"
python3 "${ROOT:-$PWD}/tests/unit/mdreport_check.py" "$TMPDIR/ns.md" "$TMPDIR/ns.json" 5 \
	"$TMPDIR/ns.svg" "$TMPDIR/ns.json" "$TMPDIR/ns.folded" || fail "report does not match its JSON"
grep -q '| total p99 | .* | VIOLATED |' "$TMPDIR/ns.md" || fail "violated SLO not in the report"
grep -q '^| Plugin process | fake-csi-node (' "$TMPDIR/ns.md" || fail "plugin process not named"
exit 0
