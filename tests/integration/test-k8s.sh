# -c POD_UID: a fake pod cgroup laid out the way kubelet's systemd driver makes it
# (kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod<uid_>.slice/
# cri-containerd-<id>.scope) on this host's real cgroup2; offcpu -c <uid> sees the
# process inside it and not an identical one outside. Also: the underscore spelling
# of the UID, a cgroup path still works, an unknown pod UID is one line and exit 1.
. tests/integration/lib.sh

# The cgroup2 hierarchy: unified at /sys/fs/cgroup, or /sys/fs/cgroup/unified on a
# hybrid (v1 + v2) host; scaletrace finds it the same way (k8s_cgroup2_root).
CG=
for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
	[ "$(stat -fc %T "$d" 2>/dev/null)" = cgroup2fs ] && { CG=$d; break; }
done
[ -n "$CG" ] || skip "no cgroup2 mount at /sys/fs/cgroup (or /sys/fs/cgroup/unified)"

uid=$(cat /proc/sys/kernel/random/uuid)
cid=$(printf '%s' "$uid" | sha256sum | cut -c1-64)
pod=$CG/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${uid//-/_}.slice
ctr=$pod/cri-containerd-$cid.scope

# Make only what is missing (a real node already has kubepods.slice) and remove only
# that, deepest first, after moving anything left back to the root cgroup.
made=()
pids=()
cleanup() {
	local i p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for ((i = ${#made[@]} - 1; i >= 0; i--)); do
		for p in $(cat "${made[i]}/cgroup.procs" 2>/dev/null); do
			echo "$p" >"$CG/cgroup.procs" 2>/dev/null
		done
		rmdir "${made[i]}" 2>/dev/null
	done
}
at_exit cleanup
for d in "$CG/kubepods.slice" "${CG}/kubepods.slice/kubepods-besteffort.slice" "$pod" "$ctr"; do
	[ -d "$d" ] && continue
	mkdir "$d" || skip "cannot create cgroup $d"
	made+=("$d")
done

# start_tracer OUT ARGS...: offcpu in the background; returns once it is attached.
start_tracer() {
	local out=$1; shift
	$ST offcpu --overhead-budget 100 "$@" --json "$out" -d 2 >"${out%.json}.out" 2>"$TMPDIR/err" &
	tracer=$!
	pids+=("$tracer")
	for _ in $(seq 600); do
		grep -q '^Tracing' "$TMPDIR/err" && return 0
		kill -0 "$tracer" 2>/dev/null || break
		sleep 0.1
	done
	fail "offcpu $* did not start: $(cat "$TMPDIR/err")"
}

# run_pair: one symtarget in the pod's container cgroup, one outside; both sleep 1 s in
# symtarget_sleep(). Sets inside and outside.
run_pair() {
	sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" sleep' _ "$ctr" "$WL/symtarget" &
	inside=$!
	"$WL/symtarget" sleep &
	outside=$!
	pids+=("$inside" "$outside")
	wait "$inside" || fail "pod process exit $?"
	wait "$outside" || fail "outside process exit $?"
}

# check JSON NAME: only the pod's process, with its 1 s in symtarget_sleep, and
# every stack of it names the pod and the container.
check() {
	python3 - "$1" "$inside" "$outside" "$2" "$uid" "$cid" <<'PY' || fail "$2"
import json, sys
j = json.load(open(sys.argv[1])); inside, outside = int(sys.argv[2]), int(sys.argv[3])
name, uid, cid = sys.argv[4], sys.argv[5], sys.argv[6]
assert all(s["pod_uid"] == uid and s["container_id"] == cid for s in j["stacks"]), \
    {(s["pod_uid"], s["container_id"], s["cgroup"]) for s in j["stacks"]}
pids = sorted({s["pid"] for s in j["stacks"]})
us = sum(s["total_us"] for s in j["stacks"] if "symtarget_sleep" in s["frames"])
print(f"{name}: pids {pids} (pod {inside}, outside {outside}); {us/1e6:.3f} s in symtarget_sleep")
assert outside not in pids, "the process outside the pod was traced"
assert pids == [inside], "tasks other than the pod's process were traced"
# 1.0 s from the pod's process; both processes would make 2.0 s. The upper bound is
# loose: usleep overshoots on a loaded host, and the pid check above is the exact one.
assert 0.9e6 <= us <= 1.5e6, "expected 1.0 s (0.9 to 1.5) off-CPU in symtarget_sleep"
PY
}

# The pod UID as kubectl shows it.
start_tracer "$TMPDIR/uid.json" -c "$uid"
run_pair
wait "$tracer" || fail "offcpu -c $uid exit $?"
check "$TMPDIR/uid.json" "-c UID"
# by_pod OUT WHAT LO HI: the summary's "by pod" section names the pod and its
# container, with a value (ms or samples) in [LO, HI]
by_pod() {
	local v
	grep -A3 "^by pod ($2):" "$1" || fail "no 'by pod ($2)' section: $(cat "$1")"
	v=$(grep -A3 "^by pod ($2):" "$1" | sed -n "s/^ *\([0-9.]*\)\(ms\|s\|\) .* pod $uid container ${cid:0:12}\$/\1 \2/p")
	[ -n "$v" ] || fail "'by pod ($2)' does not name pod $uid container ${cid:0:12}"
	awk -v v="${v% *}" -v u="${v#* }" -v lo="$3" -v hi="$4" \
		'BEGIN { x = u == "s" ? v * 1000 : v; exit !(x >= lo && x <= hi) }' ||
		fail "by pod ($2): $v not in [$3, $4]"
}
by_pod "$TMPDIR/uid.out" "off-CPU time" 900 1500

# The systemd spelling (underscores), as it appears in cgroup names.
start_tracer "$TMPDIR/uid_.json" -c "${uid//-/_}"
run_pair
wait "$tracer" || fail "offcpu -c ${uid//-/_} exit $?"
check "$TMPDIR/uid_.json" "-c UID with underscores"

# A cgroup path is still a path.
start_tracer "$TMPDIR/path.json" -c "$ctr"
run_pair
wait "$tracer" || fail "offcpu -c PATH exit $?"
check "$TMPDIR/path.json" "-c PATH"

# profile names the pod and container of its samples too.
$ST profile --overhead-budget 100 -F 99 -c "$uid" --json "$TMPDIR/prof.json" -d 2 >"$TMPDIR/prof.out" 2>"$TMPDIR/err" &
tracer=$!
pids+=("$tracer")
for _ in $(seq 600); do grep -q '^Tracing' "$TMPDIR/err" && break; sleep 0.1; done
sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" burn 1' _ "$ctr" "$WL/symtarget" || fail "pod burner exit $?"
wait "$tracer" || fail "profile -c $uid exit $?"
python3 - "$TMPDIR/prof.json" "$uid" "$cid" <<'PY' || fail "profile -c UID: pod and container of the samples"
import json, sys
j = json.load(open(sys.argv[1])); uid, cid = sys.argv[2], sys.argv[3]
st = j["stacks"]
n = sum(s["samples"] for s in st if "symtarget_burn" in s["frames"])
print(f"profile -c UID: {n} samples in symtarget_burn;",
      {(s["pod_uid"], s["container_id"][:12]) for s in st})
assert n >= 30 and all(s["pod_uid"] == uid and s["container_id"] == cid for s in st)
PY
by_pod "$TMPDIR/prof.out" "on-CPU samples" 30 1000
# nodestage names the plugin's pod and container, and the PV behind a hashed
# staging path (newer kubelets: .../csi/<driver>/<sha256(handle)>/globalmount,
# with vol_data.json beside it and in the publishing pod's volume directory).
drv=org.test-k8s.csi handle=tank/k8s/vol-$$ pv=pvc-k8s-$$
hash=$(printf '%s' "$handle" | sha256sum | cut -c1-64)
K=/var/lib/kubelet
S=$K/plugins/kubernetes.io/csi/$drv/$hash/globalmount
P=$K/pods/$uid/volumes/kubernetes.io~csi/$pv
loop_dev 32M
dev=$LOOPDEV
mkdir -p "$S" "$P"
printf '{"driverName":"%s","volumeHandle":"%s"}\n' "$drv" "$handle" >"${S%/globalmount}/vol_data.json"
printf '{"specVolID":"%s","driverName":"%s","volumeHandle":"%s"}\n' "$pv" "$drv" "$handle" >"$P/vol_data.json"
at_exit 'umount "$S" 2>/dev/null; rm -rf "$K/plugins/kubernetes.io/csi/$drv" "$K/pods/$uid"'
cat >"$TMPDIR/k8s-csi-node" <<SH
#!/bin/bash
echo \$\$ >"$ctr/cgroup.procs" || exit 1
sleep 0.5
mkfs.ext4 -q -F $dev
mount $dev $S
sleep 2
SH
chmod +x "$TMPDIR/k8s-csi-node"
$ST nodestage --overhead-budget 100 -d 6 --json "$TMPDIR/ns.json" >"$TMPDIR/ns.out" 2>"$TMPDIR/err" &
tracer=$!
pids+=("$tracer")
for _ in $(seq 600); do grep -q '^Tracing' "$TMPDIR/err" && break; sleep 0.1; done
"$TMPDIR/k8s-csi-node" || fail "fake plugin in the pod failed"
wait "$tracer" || fail "nodestage exit $?: $(cat "$TMPDIR/err")"
cat "$TMPDIR/ns.out"
python3 - "$TMPDIR/ns.json" "$uid" "$cid" "$pv" "$handle" "$drv" <<'PY' || fail "nodestage Kubernetes names"
import json, sys
ops = json.load(open(sys.argv[1]))["operations"]
uid, cid, pv, handle, drv = sys.argv[2:]
assert len(ops) == 1, ops
op = ops[0]
got = {k: op[k] for k in ("pod_uid", "container_id", "pv", "volume_handle", "driver")}
print("nodestage:", got)
assert op["volume"] == pv, op["volume"]  # not the staging directory's hash
assert got == {"pod_uid": uid, "container_id": cid, "pv": pv, "volume_handle": handle, "driver": drv}, got
PY
grep -q "^[0-9:]* STAGE *$pv .* pod $uid container ${cid:0:12}\$" "$TMPDIR/ns.out" || fail "operation line does not name the PV, pod and container"

# A pod that is not on this node: one line, exit 1, naming the UID.
expect_rc 1 $ST offcpu -c 11111111-2222-3333-4444-555555555555 -d 1
one_line
case $ERR in *11111111-2222-3333-4444-555555555555*) ;; *) fail "error does not name the UID: $ERR" ;; esac
echo "unknown pod: $ERR"
exit 0
