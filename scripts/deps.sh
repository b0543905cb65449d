#!/usr/bin/env bash
# Install every Debian package that the build, the tests, the lab and the
# benchmarks need. Idempotent: does nothing when all are present, and runs
# `apt-get update` at most once per invocation.
set -euo pipefail

BUILD="clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev pkg-config make gcc
       libdw-dev libcapstone-dev libjson-c-dev libmicrohttpd-dev libcmocka-dev libclang-rt-14-dev"
TESTS="python3 python3-prometheus-client python3-markdown-it curl golang-go libxml2-utils linux-perf libbpf-tools util-linux procps time man-db
       iproute2 kmod"
LAB="qemu-system-x86 busybox-static cpio xz-utils zstd open-iscsi nvme-cli
     dmsetup e2fsprogs nfs-kernel-server nfs-common fio udev systemd
     rpcbind keyutils"
BROWSER="chromium"

want="$BUILD $TESTS $LAB"
[ "${DEPS_BROWSER:-1}" = 1 ] && want="$want $BROWSER"

missing=()
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages (${missing[*]}); run as root to install them" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
# Packages such as open-iscsi and nfs-kernel-server ship services: never start
# them on the build host (the lab starts its own inside the guest).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod +x "$policy"
	created_policy=1
fi
trap '[ $created_policy = 1 ] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
