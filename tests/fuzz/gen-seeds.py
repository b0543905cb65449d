#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed corpora of tests/fuzz/corpus/NAME/ (run from anywhere; idempotent).

Each seed is small and realistic: what the parser meets in production, in the byte
layout its harness expects (option bytes first, see the comment atop each fuzz_*.c).
Regression inputs for bugs the fuzzers found live next to them as regress-*.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")


def write(name, seed, data):
    d = os.path.join(CORPUS, name)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, seed), "wb") as f:
        f.write(data)


def golden(name):
    with open(os.path.join(ROOT, "tests/unit/golden/flamegraph", name), "rb") as f:
        return f.read()


# ---- folded: flags, palette, width/height, minwidth, then text --------------------------
def folded():
    write("folded", "basic", b"\x00\x00\x00\x00" + golden("basic.folded"))
    write("folded", "categories-inverted", b"\x02\x01\x09\x03" + golden("categories.folded"))
    write("folded", "diff-2col-normalize", b"\x08\x00\x00\x00" + golden("diff-2col.folded"))
    write("folded", "diff-base", b"\x20\x02\x00\x01" + golden("diff-base.base.folded") + b"\0"
          + golden("diff-base.folded"))
    write("folded", "hostile-title", b"\x40T <&>\"' \xc3\xa9\xff\n\x05\x13\x04"
          + golden("hostile.folded"))
    write("folded", "reverse-stream-bom", b"\x11\x03\x00\x02\xef\xbb\xbf"
          + golden("icicle-reverse.folded").replace(b"\n", b"\r\n"))
    write("folded", "stacks-pct", b"\x84\x00\x00\x04mkfs.ext4;main;write_inode_table;"
          b"[k] submit_bio;[k] io_schedule 183422\nmkfs.ext4;main;[wait] 5\n;;\n a 1\nx y 12 34\n")


# ---- /proc/PID/maps ----------------------------------------------------------------------
def procmaps():
    write("procmaps", "self", """\
55d0c0a00000-55d0c0a02000 r--p 00000000 fd:01 1234567                    /usr/bin/scale-csi
55d0c0a02000-55d0c0c10000 r-xp 00002000 fd:01 1234567                    /usr/bin/scale-csi
55d0c2a14000-55d0c2a35000 rw-p 00000000 00:00 0                          [heap]
7f1c3a200000-7f1c3a228000 r--p 00000000 fd:01 2359345                    /usr/lib/x86_64-linux-gnu/libc.so.6
7f1c3a228000-7f1c3a3bd000 r-xp 00028000 fd:01 2359345                    /usr/lib/x86_64-linux-gnu/libc.so.6
7f1c3a5f0000-7f1c3a5f2000 rw-p 00000000 00:00 0 
7ffd5e1b2000-7ffd5e1d3000 rw-p 00000000 00:00 0                          [stack]
7ffd5e1f8000-7ffd5e1fa000 r-xp 00000000 00:00 0                          [vdso]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
""")
    write("procmaps", "deleted-and-spaces", """\
7f00aa000000-7f00aa100000 r-xp 00000000 08:02 99 /tmp/old lib (v2).so (deleted)
7f00ab000000-7f00ab001000 rw-s 00000000 00:05 4242 /memfd:jit (deleted)
7f00ac000000-7f00ac001000 r--p 00001000 103:05 7 /var/lib/kubelet/plugins/kubernetes.io/csi/pv/x/globalmount/f
""")
    write("procmaps", "go-binary", "00400000-00a8c000 r-xp 00000000 fd:01 5 /csi-driver\n"
          "00a8c000-0104a000 r--p 0068c000 fd:01 5 /csi-driver\n"
          "c000000000-c004000000 rw-p 00000000 00:00 0\n")


# ---- /proc/kallsyms ----------------------------------------------------------------------
def ksyms():
    write("ksyms", "core-and-modules", """\
0000000000000000 A fixed_percpu_data
0000000000001000 A cpu_debug_store
ffffffff81000000 T _stext
ffffffff81000000 T _text
ffffffff81000000 T startup_64
ffffffff81001000 T __traceiter_sched_switch
ffffffff81002000 t bpf_trace_run2
ffffffff81003000 T submit_bio
ffffffff81003000 W submit_bio_alias
ffffffff81004000 t io_schedule
ffffffff81005000 D __start_bpf_raw_tp
ffffffff81006000 d some_data
ffffffffa0001000 t bpf_prog_6deef7357e7b4530_offcpu	[bpf]
ffffffffc0a01000 t nvme_tcp_init_request	[nvme_tcp]
ffffffffc0a01400 t nvme_tcp_queue_rq	[nvme_tcp]
ffffffffc0a02000 t iscsi_sw_tcp_xmit	[iscsi_tcp]
ffffffffc0a03000 t iscsi_tcp_recv_skb	[libiscsi_tcp]
""")
    write("ksyms", "kptr-restricted", "0000000000000000 T _stext\n0000000000000000 t io_schedule\n")
    write("ksyms", "same-address", "ffffffff81a00000 t local_alias\nffffffff81a00000 T global_fn\n"
          "ffffffff81a00000 t __global_fn_start\nffffffff81a00010 T next_fn\n"
          "ffffffffffffff00 T last_fn\n")
    write("ksyms", "top-of-address-space", "ffffffffffffff00 T near_top\n"
          "ffffffffffffffff T at_top\t[mod]\n")


# ---- .gopclntab: flags, text_start, 4 PCs, image ------------------------------------------
MAGIC = {12: 0xfffffffb, 116: 0xfffffffa, 118: 0xfffffff0, 120: 0xfffffff1}
TEXT = 0x401000
NAMES = [b"runtime.text", b"main.main", b"main.(*nodeServer).NodeStageVolume", b"runtime.goexit"]
ENTRIES = [0x401000, 0x401040, 0x401100, 0x401300, 0x401340]  # + the end PC
PCSP = [None, bytes([0x02, 0x08, 0x10, 0x20, 0x00]), bytes([0x04, 0x40, 0x11, 0x30, 0x00]), None]


class Img:
    def __init__(self):
        self.b = bytearray()

    def put(self, off, width, val):
        if len(self.b) < off + width:
            self.b.extend(b"\0" * (off + width - len(self.b)))
        self.b[off:off + width] = (val & ((1 << (8 * width)) - 1)).to_bytes(width, "little")

    def append(self, data, align=8):
        off = (len(self.b) + align - 1) // align * align
        self.b.extend(b"\0" * (off - len(self.b)))
        self.b.extend(data)
        return off


def gopclntab(v, ps, quantum=1, text_in_table=True):
    """A table of the layout of Go version @v with 4 functions and two pcsp tables."""
    t = Img()
    t.put(0, 4, MAGIC[v])
    t.put(6, 1, quantum)
    t.put(7, 1, ps)
    n = len(NAMES)
    new = v >= 118
    nwords = 1 if v == 12 else 8 if new else 7
    t.put(8, ps, n)
    hdr = 8 + nwords * ps
    fw = 4 if new else ps
    t.put(hdr - 1, 1, 0)  # room for the header words
    if v == 12:  # the ftab follows the one-word header
        ftab = t.append(b"\0" * ((2 * n + 1) * fw), align=1)
    names_off = t.append(b"".join(x + b"\0" for x in NAMES))
    name_rel = []
    pos = 0
    for x in NAMES:
        name_rel.append(pos)
        pos += len(x) + 1
    pctab_off = t.append(b"\0" * 8 + b"".join(p for p in PCSP if p))
    pcsp_rel, pos = [], 8
    for p in PCSP:
        pcsp_rel.append(pos if p else 0)
        pos += len(p) if p else 0
    if v == 12:  # offsets from the table's start
        name_rel = [names_off + r for r in name_rel]
        pcsp_rel = [pctab_off + r if r else 0 for r in pcsp_rel]
    if v != 12:
        ftab = t.append(b"\0" * ((2 * n + 1) * fw))
    funcbase = 0 if v == 12 else ftab
    for i in range(n):
        entry = ENTRIES[i] - (TEXT if new else 0)
        func = t.append(b"\0" * (fw + 16))
        t.put(ftab + 2 * i * fw, fw, entry)
        t.put(ftab + (2 * i + 1) * fw, fw, func - funcbase)
        t.put(func, fw, entry)
        t.put(func + fw, 4, name_rel[i])
        t.put(func + fw + 12, 4, pcsp_rel[i])
    t.put(ftab + 2 * n * fw, fw, ENTRIES[n] - (TEXT if new else 0))
    if v != 12:
        o = 1 if new else 0
        if new:
            t.put(8 + 2 * ps, ps, TEXT if text_in_table else 0)
        t.put(8 + (2 + o) * ps, ps, names_off)
        t.put(8 + (5 + o) * ps, ps, pctab_off)
        t.put(8 + (6 + o) * ps, ps, ftab)
    return bytes(t.b)


def go_prefix(flags, text=0):
    pcs = [0x401044, 0x401100, 0x4012ff, 0x401340]
    return bytes([flags]) + struct.pack("<Q", text) + b"".join(struct.pack("<Q", p) for p in pcs)


def go_elf(table, with_sections=True):
    """A minimal Go-like ELF64 executable: PT_LOAD over everything, the Go build-id note."""
    ehsize, phentsize, shentsize = 64, 56, 64
    note = struct.pack("<III", 4, 8, 4) + b"Go\0\0" + b"buildid!"
    text = b"\xcc" * 0x40
    phoff = ehsize
    body_off = phoff + 2 * phentsize
    note_off = body_off
    text_off = (note_off + len(note) + 15) // 16 * 16
    tab_off = (text_off + len(text) + 15) // 16 * 16
    shstr = b"\0.text\0.gopclntab\0.shstrtab\0"
    shstr_off = tab_off + len(table)
    sh_off = (shstr_off + len(shstr) + 7) // 8 * 8
    nsh = 4 if with_sections else 0
    size = sh_off + nsh * shentsize
    vaddr = 0x400000
    img = bytearray(size)
    img[0:16] = b"\x7fELF\x02\x01\x01" + b"\0" * 9
    struct.pack_into("<HHIQQQIHHHHHH", img, 16, 2, 62, 1, vaddr + text_off, phoff,
                     sh_off if nsh else 0, 0, ehsize, phentsize, 2, shentsize, nsh,
                     3 if nsh else 0)
    struct.pack_into("<IIQQQQQQ", img, phoff, 1, 5, 0, vaddr, vaddr, size, size, 0x1000)
    struct.pack_into("<IIQQQQQQ", img, phoff + phentsize, 4, 4, note_off, vaddr + note_off,
                     vaddr + note_off, len(note), len(note), 4)
    img[note_off:note_off + len(note)] = note
    img[text_off:text_off + len(text)] = text
    img[tab_off:tab_off + len(table)] = table
    img[shstr_off:shstr_off + len(shstr)] = shstr
    if nsh:
        def sh(i, name, typ, flags, addr, off, sz):
            struct.pack_into("<IIQQQQIIQQ", img, sh_off + i * shentsize, name, typ, flags, addr,
                             off, sz, 0, 0, 1, 0)
        sh(1, 1, 1, 6, TEXT, text_off, len(text))  # runtime.text, as 1.18+ tables count from it
        sh(2, 7, 1, 2, vaddr + tab_off, tab_off, len(table))
        sh(3, 18, 3, 0, 0, shstr_off, len(shstr))
    return bytes(img)


def gopclntab_seeds():
    for v in (12, 116, 118, 120):
        for ps in (4, 8):
            write("gopclntab", f"v{v}-ptr{ps}", go_prefix(0) + gopclntab(v, ps))
    write("gopclntab", "v120-pie-hint", go_prefix(2, TEXT) + gopclntab(120, 8, 1, False))
    write("gopclntab", "v118-arm64-quantum4", go_prefix(0) + gopclntab(118, 8, 4))
    write("gopclntab", "elf-sections", go_prefix(1) + go_elf(gopclntab(120, 8, 1, False)))
    write("gopclntab", "elf-no-sections", go_prefix(1) + go_elf(gopclntab(120, 8), False))


# ---- numbers: selector (0 u64, 1 int, 2 double, 3 duration, 4 SLO), range, string ---------
def numbers():
    for i, (sel, rng, s) in enumerate([
            (0, 1, "4242"), (0, 0, "18446744073709551615"), (0, 2, "1000000"), (1, 0, "-17"),
            (2, 1, "0.5"), (2, 2, "99.9"), (3, 3, "1.5"), (3, 3, "200ms"), (3, 1, "150us"),
            (3, 3, "2m"), (3, 3, "1h"), (3, 0, "10ns"), (3, 3, ".25s"),
            (4, 0, "mkfs:p99<2s"), (4, 0, "total:p95<500ms"), (4, 0, "login:p99.9<1.5")]):
        write("numbers", f"seed-{i:02d}", bytes([sel, rng]) + s.encode())
    # st_parse_u64/int/double took leading blanks (strtoull also negates after them).
    write("numbers", "regress-u64-tab-minus", b"\x00\x00\t-1")
    write("numbers", "regress-int-vtab", b"\x01\x00\x0b0")
    write("numbers", "regress-double-newline", b"\x02\x00\n5")
    # st_parse_duration rounded with llround(), whose long long overflows from 2^63 ns.
    write("numbers", "regress-duration-2p63", b"\x03\x00" + b"9300000000s")


# ---- csiparse: sizes byte, then a NUL-separated cmdline ------------------------------------
def csiparse():
    cmds = {
        "iscsiadm-login": ["iscsiadm", "-m", "node", "-T",
                           "iqn.2005-10.org.freenas.ctl:pvc-1234", "-p", "10.99.0.2:3260",
                           "--login"],
        "iscsiadm-session": ["/usr/sbin/iscsiadm", "-m", "session"],
        "nsenter-iscsiadm-logout": ["nsenter", "--mount=/proc/1/ns/mnt", "-t", "1", "--",
                                    "iscsiadm", "-m", "node", "-T", "iqn.x:vol1", "-u"],
        "nvme-connect": ["nvme", "connect", "-t", "tcp", "-a", "10.99.0.2", "-s", "4420", "-n",
                         "nqn.2011-06.com.truenas:uuid:abc:pvc-5678"],
        "mount-nfs": ["mount", "-t", "nfs", "-o", "vers=4", "10.99.0.2:/mnt/tank/k8s/pvc-9",
                      "/var/lib/kubelet/plugins/kubernetes.io/csi/nfs.csi/abc123/globalmount"],
        "mount-staging": ["mount", "-t", "ext4", "/dev/sdb",
                          "/var/lib/kubelet/plugins/kubernetes.io/csi/pv/pvc-1/globalmount"],
        "mkfs": ["mkfs.ext4", "-F", "-m0", "/dev/disk/by-path/ip-10.99.0.2:3260-iscsi-"
                 "iqn.2005-10.org.freenas.ctl:pvc-1234-lun-0"],
        "chroot-blkid": ["chroot", "/host", "blkid", "-p", "/dev/nvme0n1"],
        "sh-script": ["/bin/sh", "/usr/local/bin/stage.sh", "pvc-1"],
        "grep-mounts": ["grep", " /var/lib/kubelet/plugins/kubernetes.io/csi/pv/pvc-2/globalmount ",
                        "/proc/mounts"],
        "umount": ["umount", "/var/lib/kubelet/plugins/kubernetes.io/csi/pv/pvc-1/globalmount"],
    }
    for i, (name, argv) in enumerate(cmds.items()):
        block = b"\0".join(a.encode() for a in argv) + b"\0"
        write("csiparse", name, bytes([0x3f | ((i % 3) << 6)]) + block)
    write("csiparse", "truncated", b"\x02nvme\0disconnect\0-n\0nqn.trunc")


# ---- opts: flags, then NUL-separated arguments ---------------------------------------------
def opts():
    for i, (flags, argv) in enumerate([
            (0, ["-p", "1234", "-d", "10", "--svg", "out.svg", "-m", "500"]),
            (0, ["--comm", "iscsiadm", "--sample", "10", "--max-events-per-sec", "5000",
                 "--overhead-budget", "0.5", "-vv"]),
            (0, ["-i", "1s", "--folded", "-", "--", "mkfs.ext4", "-F", "/dev/sdb"]),
            (16, ["--reverse", "--dev", "sdb", "a.folded", "b.folded"]),
            (1, ["--json", "-"]),
            (32, ["-h"]),
            (0, ["-c", "/sys/fs/cgroup/kubepods", "--freq=99", "-rv"]),
            (2, ["-t", "5", "--svg"]),
            (0, ["--bogus", "-x"]),
    ]):
        write("opts", f"seed-{i:02d}", bytes([flags]) + b"\0".join(a.encode() for a in argv))
    # getopt's position inside "-hv" outlived the call: the next parse read freed argv
    # (past the first 8 bytes of the block, which ASan overwrites on free).
    write("opts", "regress-optind-reset", b"\x00-v\0-v\0-v\0-hvvvv")
    write("opts", "regress-optind-reset-arg", b"\x00-v\0-v\0-v\0-hm5s")


def main():
    folded()
    procmaps()
    ksyms()
    gopclntab_seeds()
    numbers()
    csiparse()
    opts()
    return 0


if __name__ == "__main__":
    sys.exit(main())
