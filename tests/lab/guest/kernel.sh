#!/bin/bash
# Runs inside the lab (Debian's 6.1 kernel, storage modules loaded): doctor's
# report and a verifier pass over every usable probe variant, then the host's
# offcpu and profile integration tests on this kernel.
. "$(dirname "$0")/lib.sh"
export ST=$ROOT/scaletrace WL=$ROOT/build/workloads

# Module BTF of the storage transports is what the module-type CO-RE needs.
stage iscsi 1 >/dev/null && stage nvme 1 >/dev/null || notok "staging for module load"
"$ST" doctor --verify --json doctor.json >doctor.out 2>&1
check "doctor --verify exits 0 (tracing works, no variant refused)" test $? = 0
for t in offcpu profile; do
	d=$(mktemp -d)
	if (cd "$ROOT" && TMPDIR=$d bash tests/integration/test-$t.sh) >"it-$t.log" 2>&1; then
		ok "integration test $t passes on $(uname -r)"
	else
		notok "integration test $t on $(uname -r): $(tail -3 "it-$t.log" | tr '\n' ' ')"
	fi
done
note "guest script complete"
