"""Headless Chromium driven over the DevTools protocol on a pipe.

Chromium's --remote-debugging-pipe reads NUL-terminated JSON commands on fd 3
and writes replies and events on fd 4: no port, no network, no third-party
module. Also a small PNG decoder so screenshots can be checked pixel by pixel.
"""
import base64
import fcntl
import json
import os
import select
import shutil
import struct
import subprocess
import tempfile
import time
import zlib

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe",
]


class CDPError(Exception):
    pass


class Browser:
    """One Chromium process; one page (target) attached in flat session mode."""

    def __init__(self, chromium="/usr/bin/chromium", timeout=30.0):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="st-chromium.")
        cmd_r, self._cmd_w = os.pipe()
        self._res_r, res_w = os.pipe()
        # Park the child's ends above 2 so dup2 to 3 and 4 cannot clobber them.
        hi_r = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 100)
        hi_w = fcntl.fcntl(res_w, fcntl.F_DUPFD, 100)
        os.close(cmd_r)
        os.close(res_w)

        def child_fds():
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)

        self.log = open(os.path.join(self.profile, "chromium.log"), "wb")
        self.proc = subprocess.Popen(
            [chromium] + CHROMIUM_FLAGS + ["--user-data-dir=" + self.profile, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            preexec_fn=child_fds, pass_fds=(3, 4, hi_r, hi_w))
        os.close(hi_r)
        os.close(hi_w)
        self._buf = b""
        self._next_id = 0
        self._replies = {}
        self.events = []
        self.session = None

    # --- transport ---------------------------------------------------------
    def _read_some(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise CDPError("timed out waiting for Chromium")
        ready, _, _ = select.select([self._res_r], [], [], left)
        if not ready:
            raise CDPError("timed out waiting for Chromium")
        chunk = os.read(self._res_r, 1 << 20)
        if not chunk:
            raise CDPError("Chromium closed the pipe (rc=%s)" % self.proc.poll())
        self._buf += chunk
        while b"\0" in self._buf:
            msg, self._buf = self._buf.split(b"\0", 1)
            m = json.loads(msg)
            if "id" in m:
                self._replies[m["id"]] = m
            else:
                self.events.append(m)

    def send(self, method, params=None, session=True):
        """Send a command; return its id (wait() gets the reply)."""
        self._next_id += 1
        m = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            m["sessionId"] = self.session
        data = json.dumps(m).encode() + b"\0"
        while data:
            data = data[os.write(self._cmd_w, data):]
        return self._next_id

    def wait(self, msg_id, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while msg_id not in self._replies:
            self._read_some(deadline)
        m = self._replies.pop(msg_id)
        if "error" in m:
            raise CDPError("%s" % m["error"])
        return m.get("result", {})

    def call(self, method, params=None, session=True):
        return self.wait(self.send(method, params, session))

    def wait_event(self, method, timeout=None, since=0):
        """The first event called @method at or after index @since of self.events."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i in range(since, len(self.events)):
                if self.events[i].get("method") == method:
                    return i, self.events[i].get("params", {})
            self._read_some(deadline)

    # --- page --------------------------------------------------------------
    def open_page(self, width, height):
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)
        att = self.call("Target.attachToTarget",
                        {"targetId": target["targetId"], "flatten": True}, session=False)
        self.session = att["sessionId"]
        for m in ("Page.enable", "Runtime.enable"):
            self.call(m)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def navigate(self, url):
        since = len(self.events)
        self.call("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired", since=since)

    def js(self, expression):
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in r:
            raise CDPError("JS exception in %r: %s" % (expression, r["exceptionDetails"]))
        return r["result"].get("value")

    def mouse(self, kind, x, y, wait=True):
        p = {"type": kind, "x": x, "y": y, "button": "left" if kind != "mouseMoved" else "none",
             "clickCount": 1 if kind != "mouseMoved" else 0}
        i = self.send("Input.dispatchMouseEvent", p)
        return self.wait(i) if wait else i

    def click(self, x, y):
        self.mouse("mouseMoved", x, y)
        self.mouse("mousePressed", x, y)
        self.mouse("mouseReleased", x, y)

    def click_answering_prompt(self, x, y, text):
        """Click something that opens window.prompt(), and type @text into it."""
        since = len(self.events)
        self.mouse("mouseMoved", x, y)
        self.mouse("mousePressed", x, y)
        # The release blocks in the page until the dialog is answered: do not wait for it.
        rel = self.mouse("mouseReleased", x, y, wait=False)
        _, dlg = self.wait_event("Page.javascriptDialogOpening", since=since)
        if dlg.get("type") != "prompt":
            raise CDPError("expected a prompt, got %r" % dlg)
        self.call("Page.handleJavaScriptDialog", {"accept": True, "promptText": text})
        self.wait(rel)

    def screenshot(self):
        r = self.call("Page.captureScreenshot", {"format": "png"})
        return base64.b64decode(r["data"])

    def js_errors(self):
        return [e for e in self.events if e.get("method") == "Runtime.exceptionThrown" or
                (e.get("method") == "Runtime.consoleAPICalled" and
                 e["params"].get("type") == "error")]

    def close(self):
        try:
            self.send("Browser.close", session=False)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._cmd_w, self._res_r):
            try:
                os.close(fd)
            except OSError:
                pass
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


class PNG:
    """8-bit RGB/RGBA non-interlaced PNG, as Chromium writes them."""

    def __init__(self, data):
        if data[:8] != b"\x89PNG\r\n\x1a\n":
            raise ValueError("not a PNG")
        pos, idat = 8, b""
        while pos < len(data):
            n, kind = struct.unpack(">I4s", data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + n]
            if kind == b"IHDR":
                self.w, self.h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
                if depth != 8 or ctype not in (2, 6) or interlace:
                    raise ValueError("unsupported PNG (depth %d type %d)" % (depth, ctype))
                self.bpp = 4 if ctype == 6 else 3
            elif kind == b"IDAT":
                idat += body
            pos += 12 + n
        self.rows = self._unfilter(zlib.decompress(idat))

    def _unfilter(self, raw):
        stride, bpp, rows, prev = self.w * self.bpp, self.bpp, [], bytearray(self.w * self.bpp)
        for y in range(self.h):
            f = raw[y * (stride + 1)]
            line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                if f == 1:
                    line[i] = (line[i] + a) & 0xff
                elif f == 2:
                    line[i] = (line[i] + b) & 0xff
                elif f == 3:
                    line[i] = (line[i] + (a + b) // 2) & 0xff
                elif f == 4:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                    line[i] = (line[i] + pr) & 0xff
            rows.append(line)
            prev = line
        return rows

    def pixel(self, x, y):
        o = int(x) * self.bpp
        return tuple(self.rows[int(y)][o:o + 3])
