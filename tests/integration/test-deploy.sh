# deploy/: the DaemonSet manifest against what scaletrace needs on a node.
#  - every path `scaletrace doctor` probes (BTF, tracefs), bpffs, /lib/modules,
#    /var/lib/kubelet and the cgroup2 tree are hostPath mounts at the same place, the
#    read-only ones read-only; privileged (or CAP_BPF+CAP_PERFMON+CAP_SYS_ADMIN);
#    hostPID; limits; scrape annotations on the served port;
#  - the container's subcommand is in `scaletrace help` and accepts its options;
#  - the readiness probe path answers 200 from a real `serve` with the manifest's
#    options; the Dockerfile installs the binary where `command` runs it;
#  - `make static` links scaletrace-static, which runs --version and doctor with
#    none of the bundled libraries loaded from the system.
# PyYAML parses the manifest when present; otherwise a small parser for the YAML
# subset the manifest uses (checked against PyYAML wherever both exist).
. tests/integration/lib.sh

python3 - deploy/daemonset.yaml deploy/Dockerfile "$ST" <<'PY' || fail "manifest checks"
import json, re, socket, subprocess, sys, time, urllib.request

manifest, dockerfile, st = sys.argv[1:4]

# ---- a parser for the YAML subset of the manifest ------------------------------
def strip_comment(line):
    quote = None
    for i, c in enumerate(line):
        if quote:
            quote = None if c == quote else quote
        elif c in "\"'":
            quote = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line

def scalar(v):
    if v.startswith('"'):
        return json.loads(v)
    if v.startswith("'"):
        return v[1:-1].replace("''", "'")
    if v.startswith("["):
        inner = v[1:-1].strip()
        return [scalar(x.strip()) for x in re.findall(r'"[^"]*"|[^,]+', inner)] if inner else []
    if v in ("true", "false"):
        return v == "true"
    if v in ("null", "~"):
        return None
    return int(v) if re.fullmatch(r"-?[0-9]+", v) else v

class Mini:
    def __init__(self, lines):
        self.l, self.i = lines, 0
    def more(self, ind):
        return self.i < len(self.l) and self.l[self.i][0] == ind
    def block(self, ind):
        return self.seq(ind) if self.l[self.i][1].startswith("- ") else self.map(ind)
    def map(self, ind):
        m = {}
        while self.more(ind) and not self.l[self.i][1].startswith("- "):
            text = self.l[self.i][1]
            k, v = (text[:-1], "") if text.endswith(":") else text.split(": ", 1)
            self.i += 1
            nxt = self.l[self.i] if self.i < len(self.l) else (-1, "")
            if v.strip():
                m[k] = scalar(v.strip())
            elif nxt[0] > ind or (nxt[0] == ind and nxt[1].startswith("- ")):
                m[k] = self.block(nxt[0])
            else:
                m[k] = None
        return m
    def seq(self, ind):
        out = []
        while self.more(ind) and self.l[self.i][1].startswith("- "):
            text = self.l[self.i][1][2:].strip()
            if re.match(r'^[^"\'\[][^:]*(: |:$)', text):
                self.l[self.i] = (ind + 2, text)  # "- key: v": a mapping at ind + 2
                out.append(self.map(ind + 2))
            else:
                out.append(scalar(text))
                self.i += 1
        return out

def mini_load_all(text):
    docs, cur = [], []
    for raw in text.splitlines() + ["---"]:
        if raw.strip() == "---":
            if cur:
                docs.append(Mini(cur).block(cur[0][0]))
            cur = []
            continue
        line = strip_comment(raw).rstrip()
        if line.strip():
            cur.append((len(line) - len(line.lstrip()), line.strip()))
    return docs

text = open(manifest).read()
docs = mini_load_all(text)
try:
    import yaml
    ref = [d for d in yaml.safe_load_all(text) if d]
    assert docs == ref, "the subset parser disagrees with PyYAML on the manifest"
    print("parsed with PyYAML (subset parser agrees)")
except ImportError:
    print("no PyYAML: parsed with the subset parser")

# ---- objects ---------------------------------------------------------------------
def one(kind):
    objs = [d for d in docs if d.get("kind") == kind]
    assert len(objs) == 1, f"expected one {kind}, found {len(objs)}"
    return objs[0]

ds, sa = one("DaemonSet"), one("ServiceAccount")
ns = ds["metadata"]["namespace"]
assert sa["metadata"]["namespace"] == ns, "ServiceAccount and DaemonSet in different namespaces"
pod = ds["spec"]["template"]
spec = pod["spec"]
assert spec.get("serviceAccountName") == sa["metadata"]["name"], "DaemonSet does not use the ServiceAccount"
assert ds["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items(), \
    "selector does not match the pod labels"
assert spec.get("hostPID") is True, "hostPID: true is needed to see the CSI plugin's processes"
assert len(spec["containers"]) == 1
c = spec["containers"][0]

sc = c.get("securityContext", {})
caps = set(sc.get("capabilities", {}).get("add", []))
assert sc.get("privileged") is True or {"BPF", "PERFMON", "SYS_ADMIN"} <= caps, \
    "needs privileged: true or CAP_BPF+CAP_PERFMON+CAP_SYS_ADMIN"
for kind in ("cpu", "memory"):
    assert kind in c.get("resources", {}).get("limits", {}), f"no {kind} limit"
    assert kind in c.get("resources", {}).get("requests", {}), f"no {kind} request"

# ---- mounts against what doctor probes ----------------------------------------------
doc = json.loads(subprocess.run([st, "doctor", "--json", "-"], capture_output=True,
                                text=True).stdout)
feats = doc["features"]
assert "btf" in feats and "tracefs" in feats, "doctor no longer reports btf/tracefs: update this test"
probed = set()
for f in feats.values():
    for p in re.findall(r"(?<![\w/])(/(?:sys|lib|var)/[\w.+/-]+)", f.get("detail", "")):
        # the tool prefers /sys/kernel/tracing and mounts tracefs there itself
        probed.add("/sys/kernel/tracing" if p.startswith("/sys/kernel/debug/tracing") else p)
print("doctor probes:", sorted(probed))
required = probed | {"/sys/kernel/btf/vmlinux", "/sys/kernel/tracing", "/sys/fs/bpf",
                     "/lib/modules", "/var/lib/kubelet", "/sys/fs/cgroup"}
read_only = {"/sys/kernel/btf", "/lib/modules", "/var/lib/kubelet", "/sys/fs/cgroup"}
writable = {"/sys/kernel/tracing"}  # kprobe_events / uprobe_events

vols = {v["name"]: v for v in spec.get("volumes", [])}
mounts = c.get("volumeMounts", [])
def covering(path):
    best = None
    for m in mounts:
        mp = m["mountPath"].rstrip("/")
        if (path == mp or path.startswith(mp + "/")) and (not best or len(mp) > len(best["mountPath"])):
            best = m
    return best
for path in sorted(required):
    m = covering(path)
    assert m, f"{path} is not mounted"
    hp = vols[m["name"]].get("hostPath", {}).get("path")
    assert hp == m["mountPath"], f"{m['mountPath']} is not the host's (hostPath {hp})"
for path in read_only:
    assert covering(path).get("readOnly") is True, f"{path} should be read-only"
for path in writable:
    assert not covering(path).get("readOnly"), f"{path} must be writable"
assert covering("/var/lib/kubelet").get("mountPropagation") == "HostToContainer", \
    "/var/lib/kubelet needs mountPropagation: HostToContainer to see later staging mounts"
if any(p.startswith("/proc/") for p in probed):
    assert spec.get("hostPID"), "/proc paths need hostPID"

# ---- command line, ports, probes, annotations ---------------------------------------------
args = c["args"]
sub = args[0]
help_text = subprocess.run([st, "help"], capture_output=True, text=True).stdout
assert re.search(rf"^\s+{re.escape(sub)}\s", help_text, re.M), f"'{sub}' is not in scaletrace help"
sub_help = subprocess.run([st, sub, "--help"], capture_output=True, text=True).stdout
for a in args[1:]:
    if a.startswith("--"):
        assert re.search(rf"{re.escape(a)}\b", sub_help), f"{sub} has no option {a}"
listen = args[args.index("--listen") + 1]
port = int(listen.rsplit(":", 1)[1])
assert listen.rsplit(":", 1)[0] == "0.0.0.0", "serve must listen on all addresses to be scraped"
ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
assert port in ports.values(), f"--listen port {port} is not a containerPort"
probe = c["readinessProbe"]["httpGet"]
pport = ports.get(probe["port"], probe["port"])
assert pport == port, f"readiness probe port {probe['port']} is not the served port {port}"
ann = pod["metadata"].get("annotations", {})
assert ann.get("prometheus.io/scrape") == "true", "no prometheus.io/scrape annotation"
assert int(ann.get("prometheus.io/port", 0)) == port, "prometheus.io/port is not the served port"
assert ann.get("prometheus.io/path", "/metrics") == "/metrics"

# The image runs what `command` names.
copied = re.findall(r"^COPY\s+scaletrace-static\s+(\S+)", open(dockerfile).read(), re.M)
assert copied and c["command"][0] == copied[0], f"command {c['command']} vs Dockerfile COPY {copied}"
assert re.search(r"^FROM\s+debian:12", open(dockerfile).read(), re.M), "Dockerfile is not Debian 12"

# ---- the probe path against a real serve ------------------------------------------------
s = socket.socket(); s.bind(("127.0.0.1", 0)); free = s.getsockname()[1]; s.close()
run = [st] + args[:]
run[run.index("--listen") + 1] = f"127.0.0.1:{free}"
proc = subprocess.Popen(run + ["-d", "60"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
code, deadline = None, time.time() + 45
try:
    while time.time() < deadline and proc.poll() is None:
        try:
            code = urllib.request.urlopen(f"http://127.0.0.1:{free}{probe['path']}", timeout=2).status
            if code == 200:
                break
        except Exception:
            pass
        time.sleep(0.25)
    metrics = urllib.request.urlopen(f"http://127.0.0.1:{free}/metrics", timeout=5).read().decode() \
        if code == 200 else ""
finally:
    proc.terminate()
    err = proc.communicate(timeout=30)[1]
assert code == 200, f"{' '.join(run)}: {probe['path']} never answered 200 (stderr: {err.strip()[-500:]})"
assert "# TYPE" in metrics, "/metrics is not Prometheus text"
print(f"{' '.join(run)}: {probe['path']} 200, /metrics {len(metrics)} bytes")
print("manifest OK:", len(mounts), "mounts,", sorted(required))
PY

# make static: the DaemonSet image's binary (a sub-make without the outer one's flags,
# so SANITIZE=1 runs still build the plain static binary).
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory -s static >"$TMPDIR/make.log" 2>&1 ||
	fail "make static: $(tail -5 "$TMPDIR/make.log")"
STATIC=$PWD/scaletrace-static
[ -x "$STATIC" ] || fail "make static did not produce scaletrace-static"
want=$($ST --version) || fail "$ST --version"
got=$($STATIC --version) || fail "scaletrace-static --version exit $?"
[ "$got" = "$want" ] || fail "scaletrace-static --version: '$got', expected '$want'"
$ST doctor >"$TMPDIR/doctor.dyn" 2>&1; rc_dyn=$?
$STATIC doctor >"$TMPDIR/doctor.static" 2>&1; rc_static=$?
[ "$rc_static" -eq "$rc_dyn" ] || fail "scaletrace-static doctor exit $rc_static, scaletrace doctor $rc_dyn: $(tail -3 "$TMPDIR/doctor.static")"
[ "$(tail -1 "$TMPDIR/doctor.static")" = "$(tail -1 "$TMPDIR/doctor.dyn")" ] ||
	fail "doctor verdicts differ: $(tail -1 "$TMPDIR/doctor.static") / $(tail -1 "$TMPDIR/doctor.dyn")"
echo "scaletrace-static: $got; doctor: $(tail -1 "$TMPDIR/doctor.static")"
# Bundled, so never loaded from the node's (or image's) system libraries.
shared=$(ldd "$STATIC" | awk '{print $1}')
echo "shared libraries:" $shared
for lib in libbpf libelf libdw libz. libzstd liblzma libbz2 libjson-c libcapstone libmicrohttpd; do
	case " $(echo $shared) " in *" $lib"*) fail "scaletrace-static loads $lib dynamically" ;; esac
done
exit 0
