#!/usr/bin/env bash
# The lab kernel (Debian 6.1, kprobes, fentry, module BTF): doctor reports what
# this host lacks as usable, every usable probe variant of every tracer passes
# the verifier, and offcpu / profile pass their host tests there too.
. "$(dirname "$0")/lib.sh"

lab --proto all --timeout 900 -- bash "$GUEST/kernel.sh"
[ "$LAB_RC" = 0 ] || show_lab_output
guest_results
python3 - "$WORK/doctor.json" <<'PY' || FAILS=$((FAILS + 1))
import json, sys
fails = 0
def say(ok, msg):
    global fails
    print(("ok - " if ok else "not ok - ") + msg)
    fails += not ok
try:
    j = json.load(open(sys.argv[1]))
except (OSError, ValueError) as e:
    say(False, f"doctor JSON: {e}")
    sys.exit(1)
f = j["features"]
for name in ["kprobe", "fentry", "tp_btf", "tracepoint", "uprobe", "perf_event", "module_btf", "btf"]:
    say(f[name]["usable"], f"lab kernel {j['kernel']}: {name} usable ({f[name]['detail']})")
for m in ["iscsi_tcp", "libiscsi", "nvme_tcp"]:
    say(j["modules"].get(m), f"module {m} loaded")
v = j.get("verify", [])
refused = [x for x in v if not x["verified"] and x["result"].startswith("REFUSED")]
say(v and not refused, f"{sum(x['verified'] for x in v)} probe variants verified, refused: {refused}")
for x in v:
    if x["tracer"] == "iolat" and x["probe"] in ("tcp_send", "iscsi_xmit", "response_parsed"):
        say(x["verified"], f"iolat/{x['probe']} {x['variant']}: {x['result']}")
sys.exit(1 if fails else 0)
PY
finish
