#!/usr/bin/env python3
"""
Socket exchanges for `scaletrace iolat` to split (tests/lab/guest/iolat-split.sh,
EXCH=1), from user space in the initiator namespace:
  nvme ADDR PORT N   N connections to the NVMe-TCP target, each sending an
                     ICReq PDU and reading the target's ICResp (one round trip)
  echo ADDR PORT N   one connection to an echo server, N request/response pairs
  serve PORT N       the echo server (run in the target's netns): answers N
                     messages of one connection, then exits
Each client prints one "exchange ..." line per round trip it timed.
"""
import socket
import struct
import sys
import time


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        part = s.recv(n - len(buf))
        if not part:
            raise SystemExit(f"exchanges: connection closed after {len(buf)} of {n} bytes")
        buf += part
    return buf


def icreq():
    # NVMe/TCP common header: type 0 (ICReq), flags, hlen 128, pdo 0, plen 128;
    # then PFV 0, HPDA 0, digests off, MAXR2T 0; the rest reserved.
    return struct.pack("<BBBBIHBBI", 0, 0, 128, 0, 128, 0, 0, 0, 0).ljust(128, b"\0")


def main():
    mode, *rest = sys.argv[1:] or ["?"]
    if mode == "serve":
        port, n = int(rest[0]), int(rest[1])
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("0.0.0.0", port))
        ls.listen(1)
        print("listening", flush=True)
        c, _ = ls.accept()
        for _ in range(n):
            c.sendall(recv_exact(c, 64))
        c.close()
        return
    if mode not in ("nvme", "echo") or len(rest) != 3:
        raise SystemExit("usage: exchanges.py nvme|echo ADDR PORT N | serve PORT N")
    addr, port, n = rest[0], int(rest[1]), int(rest[2])
    if mode == "nvme":
        for _ in range(n):
            with socket.create_connection((addr, port), timeout=10) as s:
                t = time.monotonic()
                s.sendall(icreq())
                resp = recv_exact(s, 128)
                if resp[0] != 1:
                    raise SystemExit(f"exchanges: PDU type {resp[0]} from {addr}:{port}, not ICResp")
                print(f"exchange nvme :{port} {(time.monotonic() - t) * 1e3:.2f} ms", flush=True)
            time.sleep(0.05)
    else:
        with socket.create_connection((addr, port), timeout=10) as s:
            for i in range(n):
                t = time.monotonic()
                s.sendall(bytes([i % 256]) * 64)
                recv_exact(s, 64)
                print(f"exchange echo :{port} {(time.monotonic() - t) * 1e3:.2f} ms", flush=True)
                time.sleep(0.05)


main()
