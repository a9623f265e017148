#!/usr/bin/env python3
"""Drives a page in headless Chromium through the DevTools protocol, for the
e2e tests that must watch a page change over time (one --dump-dom sees only
one moment). Standard library only: Debian's python3 has no WebSocket module,
and the protocol needs little of it (RFC 6455: one handshake, masked text
frames out, unmasked frames in).

usage: cdp.py URL STEP...
  wait:JS     evaluates the JavaScript expression JS every 100 ms until it is
              true (60 s at most, then exits 1 with JS's last value)
  run:CMD     runs the shell command CMD (fails the test if it fails)
  print:JS    prints JS's value as JSON
Exits 1 with the page's uncaught errors, if it had any.
"""
import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request


class WebSocket:
    def __init__(self, url):
        m = re.match(r"ws://([^:/]+):(\d+)(/.*)", url)
        self.sock = socket.create_connection((m.group(1), int(m.group(2))), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {m.group(3)} HTTP/1.1\r\nHost: {m.group(1)}:{m.group(2)}\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError("no WebSocket upgrade: " + head.decode(errors="replace"))

    def send(self, text):
        data, mask = text.encode(), os.urandom(4)
        n = len(data)
        head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else
                                bytes([0x80 | 126]) + struct.pack(">H", n) if n < 65536 else
                                bytes([0x80 | 127]) + struct.pack(">Q", n))
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _read(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise RuntimeError("the browser closed the connection")
            out += chunk
        return out

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            if b0 & 0x0F in (0x1, 0x0):  # text or its continuation; pings and pongs are skipped
                message += payload
                if b0 & 0x80:
                    return message.decode()


class Page:
    def __init__(self, ws):
        self.ws, self.next_id, self.errors = ws, 0, []
        self.call("Runtime.enable")

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == "Runtime.exceptionThrown":
                self.errors.append(msg["params"]["exceptionDetails"].get("exception", {}).get("description", "?"))
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]

    def eval(self, js):
        r = self.call("Runtime.evaluate", expression=js, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{js}: {r['exceptionDetails'].get('exception', {}).get('description', r)}")
        return r["result"].get("value")


def main():
    url, steps = sys.argv[1], sys.argv[2:]
    profile = tempfile.mkdtemp(prefix="flor-cdp-")
    browser = subprocess.Popen(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                "--window-size=1280,1000", "--remote-debugging-port=0",
                                "--user-data-dir=" + profile, "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for line in browser.stderr:
            m = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            if m:
                break
        else:
            sys.exit("cdp.py: chromium printed no DevTools address")
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{m.group(1)}/json/list"))
        page = Page(WebSocket(next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"]))
        page.call("Page.navigate", url=url)
        for step in steps:
            kind, arg = step.split(":", 1)
            if kind == "wait":
                deadline, value = time.monotonic() + 60, None
                while time.monotonic() < deadline:
                    try:
                        value = page.eval(arg)
                    except RuntimeError as e:  # the page is still loading
                        value = str(e)
                    if value is True:
                        break
                    time.sleep(0.1)
                else:
                    sys.exit(f"cdp.py: timed out waiting for {arg} (last value: {value!r})")
            elif kind == "run":
                subprocess.run(arg, shell=True, check=True)
            elif kind == "print":
                print(json.dumps(page.eval(arg)), flush=True)
            else:
                sys.exit(f"cdp.py: unknown step {step!r}")
        if page.errors:
            sys.exit("cdp.py: the page threw: " + "; ".join(page.errors))
    finally:
        browser.kill()
        browser.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
