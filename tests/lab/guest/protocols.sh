#!/bin/bash
# Runs inside the lab (scripts/lab/run --proto all --volumes 2): the guest
# environment, then stage / I/O / unstage of every protocol and volume with
# nodestage-sim. Ends with exit 42 so the host can check that CMD's status
# passes through; prints marker lines on stdout and stderr.
. "$(dirname "$0")/lib.sh"

echo "STDOUT-MARK"
echo "STDERR-MARK" >&2

# --- environment ---------------------------------------------------------------
check "ST_LAB=1" test "${ST_LAB:-}" = 1
check "ST_LAB_TARGET_ADDR" test "${ST_LAB_TARGET_ADDR:-}" = 10.99.0.2
check "ST_LAB_INITIATOR_ADDR" test "${ST_LAB_INITIATOR_ADDR:-}" = 10.99.0.1
check "ST_LAB_VETH names a link" ip link show "${ST_LAB_VETH:-none}"
check "ST_LAB_VOLUMES=2" test "${ST_LAB_VOLUMES:-}" = 2
check "ST_LAB_ISCSI_PORTAL" test "${ST_LAB_ISCSI_PORTAL:-}" = 10.99.0.2:3260
check "ST_LAB_ISCSI_IQN_PREFIX" test "${ST_LAB_ISCSI_IQN_PREFIX:-}" = iqn.2005-10.org.freenas.ctl:vol
check "ST_LAB_NVME_ADDR" test "${ST_LAB_NVME_ADDR:-}" = 10.99.0.2
check "ST_LAB_NVME_PORT" test "${ST_LAB_NVME_PORT:-}" = 4420
check "ST_LAB_NVME_NQN_PREFIX" test "${ST_LAB_NVME_NQN_PREFIX:-}" = nqn.2011-06.com.truenas:uuid:scaletrace-lab:vol
check "ST_LAB_NFS_SERVER" test "${ST_LAB_NFS_SERVER:-}" = 10.99.0.2
check "ST_LAB_NFS_EXPORT_PREFIX" test "${ST_LAB_NFS_EXPORT_PREFIX:-}" = /mnt/tank/vol
check "ST_LAB_PROTO=all" test "${ST_LAB_PROTO:-}" = all
check "ST_LAB_NET_DELAY_MS=0" test "${ST_LAB_NET_DELAY_MS:-}" = 0
check "ST_LAB_NET_LOSS_PCT=0" test "${ST_LAB_NET_LOSS_PCT:-}" = 0
check "ST_LAB_TARGET_DELAY_MS=0" test "${ST_LAB_TARGET_DELAY_MS:-}" = 0
check "ST_LAB_KERNEL is uname -r" test "${ST_LAB_KERNEL:-}" = "$(uname -r)"
check "scripts/lab on PATH" command -v nodestage-sim
check "running as root" test "$(id -u)" = 0
check "ulimit -l unlimited" test "$(ulimit -l)" = unlimited
check "cwd is the host's directory" test -f "$PWD/results.tap"

# --- kernel interfaces ------------------------------------------------------------
mounted() { awk -v t="$1" -v m="$2" '$3 == t && $2 == m { f = 1 } END { exit !f }' /proc/mounts; }
check "tracefs on /sys/kernel/tracing" mounted tracefs /sys/kernel/tracing
check "debugfs on /sys/kernel/debug" mounted debugfs /sys/kernel/debug
check "bpffs on /sys/fs/bpf" mounted bpf /sys/fs/bpf
check "cgroup2 on /sys/fs/cgroup" mounted cgroup2 /sys/fs/cgroup
check "configfs on /sys/kernel/config" mounted configfs /sys/kernel/config
check "vmlinux BTF" test -s /sys/kernel/btf/vmlinux
kp_add() { echo 'p:stlab_test_probe vfs_read' >>/sys/kernel/tracing/kprobe_events; }
kp_del() { echo '-:stlab_test_probe' >>/sys/kernel/tracing/kprobe_events; }
check "kprobe on vfs_read can be created" kp_add
check "kprobe removed" kp_del
check "systemd-udevd running" test -S /run/udev/control
check "truenas netns exists" test -e /run/netns/truenas
rtt=$(ping_rtt 5 0.2)
fcheck "ping RTT to the target without injection (ms)" "$rtt" 0 10
check "no netem without injection" bash -c "! tc qdisc show dev $ST_LAB_VETH | grep -q netem"

# --- protocols ----------------------------------------------------------------------
# timing_ok FILE PHASES...: exactly these phases, in order, monotonic, within
# the current CLOCK_MONOTONIC range (the uptime clock)
timing_ok() {
	local f=$1
	shift
	local want="$*" got
	got=$(awk '{ printf "%s%s", (NR > 1 ? " " : ""), $1 }' "$f")
	[ "$got" = "$want" ] || { note "timing phases: '$got', want '$want'"; return 1; }
	local up
	read -r up _ </proc/uptime
	awk -v up="$up" 'BEGIN { prev = 0 }
		{ s = $2 + 0; e = $3 + 0
		  if (e < s || s < prev || s < 1e9 || e > (up + 1) * 1e9) { print "bad: " $0; bad = 1 }
		  prev = e }
		END { exit bad }' "$f" >/dev/null
}

payload=/tmp/payload.bin
head -c 1048576 /dev/urandom >$payload
sum=$(sha256sum <$payload | cut -d' ' -f1)

for p in iscsi nvme nfs; do
	for v in 1 2; do
		t=/tmp/timing-$p-$v
		# run stage in the background to look at its process name
		nodestage-sim stage --proto $p --volume $v --timing $t >/tmp/stage.out 2>/tmp/stage.err &
		pid=$!
		comm=""
		for _ in $(seq 1 50); do
			comm=$(cat /proc/$pid/comm 2>/dev/null)
			[ "$comm" = scale-csi-node ] && break
			sleep 0.05
		done
		wait $pid
		rc=$?
		[ "$v" = 1 ] && check "$p: stage runs as a process named scale-csi-node" test "$comm" = scale-csi-node
		if [ $rc != 0 ]; then
			notok "$p vol$v: stage (exit $rc: $(tail -n1 /tmp/stage.err))"
			continue
		fi
		ok "$p vol$v: stage"
		out=$(cat /tmp/stage.out)
		MNT=$(sed -n 's/.* path=\([^ ]*\).*/\1/p' <<<"$out")
		DEV=$(sed -n 's/.* device=\([^ ]*\).*/\1/p' <<<"$out")
		check "$p vol$v: staging path is mounted" mountpoint -q "$MNT"
		case $p in
		iscsi)
			check "$p vol$v: staging path is kubelet's globalmount of org.scale.csi.iscsi" \
				bash -c "[[ $MNT == /var/lib/kubelet/plugins/kubernetes.io/csi/org.scale.csi.iscsi/*/globalmount ]]"
			check "$p vol$v: by-path link from udev" \
				test -L "/dev/disk/by-path/ip-$ST_LAB_ISCSI_PORTAL-iscsi-${ST_LAB_ISCSI_IQN_PREFIX}$v-lun-0"
			check "$p vol$v: timing phases" timing_ok "$t" check login device-wait fsprobe mkfs mount
			;;
		nvme)
			check "$p vol$v: namespace device $DEV" test -b "$DEV"
			check "$p vol$v: timing phases" timing_ok "$t" check connect device-wait fsprobe mkfs mount
			;;
		nfs)
			check "$p vol$v: NFS 4.1 mount" bash -c "grep -q ' $MNT nfs4 .*vers=4.1' /proc/mounts"
			check "$p vol$v: timing phases" timing_ok "$t" check mount
			;;
		esac
		if [ "$v" = 1 ]; then # data checks on vol1; vol2 proves the per-volume targets
			cp $payload "$MNT/data.bin" && sync
			dd if=$payload of="$MNT/direct.bin" bs=64k oflag=direct status=none
			drop_caches
			check "$p vol$v: buffered write + read back" test "$(sha256sum <"$MNT/data.bin" | cut -d' ' -f1)" = "$sum"
			check "$p vol$v: direct write + direct read back" \
				test "$(dd if="$MNT/direct.bin" bs=64k iflag=direct status=none | sha256sum | cut -d' ' -f1)" = "$sum"
		else
			echo vol$v >"$MNT/id" && sync && check "$p vol$v: write" test "$(cat "$MNT/id")" = vol$v
		fi
		if nodestage-sim unstage --proto $p --volume $v --timing $t.u >/dev/null 2>/tmp/unstage.err; then
			ok "$p vol$v: unstage"
		else
			notok "$p vol$v: unstage ($(tail -n1 /tmp/unstage.err))"
		fi
		check "$p vol$v: staging path no longer mounted" bash -c "! mountpoint -q '$MNT'"
		case $p in
		iscsi) check "$p vol$v: unstage timing phases" timing_ok $t.u umount logout delete-record ;;
		nvme) check "$p vol$v: unstage timing phases" timing_ok $t.u umount disconnect ;;
		nfs) check "$p vol$v: unstage timing phases" timing_ok $t.u umount ;;
		esac
	done
done
check "no iSCSI session left" bash -c "! iscsiadm -m session 2>/dev/null | grep -q iqn"
check "no NVMe controller left" bash -c "! ls /sys/class/nvme/ 2>/dev/null | grep -q nvme"

# module BTF of the initiator drivers (CO-RE against module types)
for m in iscsi_tcp libiscsi scsi_transport_iscsi nvme_tcp nvme_core nvme_fabrics; do
	check "module BTF /sys/kernel/btf/$m" test -s /sys/kernel/btf/$m
done

# Staging again finds the filesystem (no mkfs) and the data written before.
if stage iscsi 1 --timing /tmp/timing-restage; then
	ok "iscsi vol1: stage again"
	check "iscsi vol1: second stage skips mkfs" timing_ok /tmp/timing-restage check login device-wait fsprobe mount
	check "iscsi vol1: data survived unstage/stage" \
		test "$(sha256sum <"$MNT/data.bin" | cut -d' ' -f1)" = "$sum"
	note "iscsi baseline: read $(lab-iolat "$DEV")"
	unstage iscsi 1 || notok "iscsi vol1: second unstage"
else
	notok "iscsi vol1: stage again"
fi

# bad input gives one line and a non-zero exit
out=$(nodestage-sim stage --proto bogus 2>&1)
check "nodestage-sim rejects a bad --proto with status 2" test $? = 2
check "nodestage-sim: one-line usage error" test "$(wc -l <<<"$out")" -le 2

done_guest 42
