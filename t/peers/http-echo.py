#!/usr/bin/python3
"""HTTP/1.1 provider for rest-link tests, on a Unix socket.  Reads requests
as RFC 9112 frames them (keep-alive, pipelining, Content-Length, chunked
with trailers, Expect: 100-continue) and answers each with JSON: method,
path, body length, and every X-PV-* header and trailer line exactly as
received.  Connection: upgrade + Upgrade: echo is answered 101 and CONNECT
200, then the connection echoes raw bytes; /no-upgrade answers 426.
X-PV-* names are matched as CGI reads them ('_' as '-', any case).

Every byte of every connection is recorded, so a test can prove that a
request the proxy refused never reached the provider:
GET /__recorded?since=N answers {"next": M, "conns": [...]} with the bytes
(latin-1) of each connection numbered N or later (itself left out) and
whether it is still open, after waiting up to 5 s for them to close.
http-echo.py PATH"""
import json
import socket
import sys
import threading
import time

from peerlib import listen_unix

# id -> [bytes received, still open]; ids in accept order
records = []
records_cv = threading.Condition()


def record(rid, data):
    with records_cv:
        records[rid][0] += data


def recorded(since, me):
    """The connections numbered since or later, other than me, once closed
    (or after 5 s)."""
    deadline = time.monotonic() + 5
    with records_cv:
        while any(r[1] for i, r in enumerate(records) if i >= since and i != me):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            records_cv.wait(left)
        return {"next": len(records),
                "conns": [{"id": i, "bytes": r[0].decode("latin-1"), "open": r[1]}
                          for i, r in enumerate(records) if i >= since and i != me]}


class Conn:
    def __init__(self, sock, rid):
        self.s = sock
        self.rid = rid
        self.buf = b""

    def recv(self):
        d = self.s.recv(65536)
        record(self.rid, d)
        return d

    def fill(self):
        d = self.recv()
        if not d:
            raise EOFError
        self.buf += d

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        l, _, self.buf = self.buf.partition(b"\r\n")
        return l

    def read(self, n):
        while len(self.buf) < n:
            self.fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d


def fields(c):
    out = []
    while True:
        l = c.line()
        if not l:
            return out
        name, _, value = l.partition(b":")
        out.append((name.decode("latin-1"), value.strip().decode("latin-1")))


def xpv(name):
    return name.lower().replace("_", "-").startswith("x-pv-")


def handle(sock, rid):
    c = Conn(sock, rid)
    try:
        while True:
            method, path, _ = c.line().decode("latin-1").split(" ", 2)
            hdrs = fields(c)
            if path.startswith("/__recorded?since="):
                out = json.dumps(recorded(int(path.split("=", 1)[1]), rid)).encode()
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                             % len(out) + out)
                continue
            get = lambda n: [v for k, v in hdrs if k.lower() == n]
            if "100-continue" in [v.lower() for v in get("expect")]:
                sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            body, trailers = b"", []
            if any("chunked" in v.lower() for v in get("transfer-encoding")):
                while True:
                    size = int(c.line().split(b";")[0], 16)
                    if size == 0:
                        trailers = fields(c)
                        break
                    body += c.read(size)
                    c.line()
            elif get("content-length"):
                body = c.read(int(get("content-length")[0]))
            upgrade = "upgrade" in ",".join(get("connection")).lower() and get("upgrade")
            if method == "CONNECT" or (upgrade and path != "/no-upgrade"):
                sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n"
                             if method != "CONNECT" else b"HTTP/1.1 200 Connection established\r\n\r\n")
                sock.sendall(c.buf)
                while True:
                    d = c.recv()
                    if not d:
                        return
                    sock.sendall(d)
            out = json.dumps({"method": method, "path": path, "body": len(body),
                              "xpv": [[k, v] for k, v in hdrs if xpv(k)],
                              "xpv_trailers": [[k, v] for k, v in trailers if xpv(k)]}).encode()
            status = b"426 Upgrade Required" if upgrade else b"200 OK"
            sock.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(out)
                         + (b"" if method == "HEAD" else out))
    except (EOFError, OSError, ValueError):
        pass
    finally:
        sock.close()
        with records_cv:
            records[rid][1] = False
            records_cv.notify_all()


def main():
    path = sys.argv[1]
    s = listen_unix(path, 256)
    while True:
        conn, _ = s.accept()
        with records_cv:
            records.append([b"", True])
            rid = len(records) - 1
        threading.Thread(target=handle, args=(conn, rid), daemon=True).start()


if __name__ == "__main__":
    main()
