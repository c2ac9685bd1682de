#!/usr/bin/python3
"""Client side of the rest-link checks: every request must reach the
provider (t/peers/http-echo.py) with exactly one X-PV-Client and one X-PV-Role
carrying the real values, whatever the client tries, and a request the
proxy refuses must not reach the provider at all: the provider records
every byte it receives, and each refusal check reads that record.  Prints
one line per check: "ok - ..." or "not ok - ...".

rest-check.py SOCKET CONSUMER ROLE"""
import json
import socket
import sys

PATH, CONSUMER, ROLE = sys.argv[1], sys.argv[2], sys.argv[3]
WANT = [["X-PV-Client", CONSUMER], ["X-PV-Role", ROLE]]
CONNECTS = int(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[4] in ("connects", "absent-or-connects") else 0
# absent-or-connects: a link the graph reader must refuse may be absent;
# if it is there, its requests must still carry the whole identity.
ABSENT_OK = len(sys.argv) > 4 and sys.argv[4] == "absent-or-connects"


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(PATH)
    return s


class Reader:
    def __init__(self, s):
        self.s, self.buf = s, b""

    def fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError("connection closed")
        self.buf += d

    def response(self, head_only=False):
        while b"\r\n\r\n" not in self.buf:
            self.fill()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        length = 0
        for l in lines[1:]:
            k, _, v = l.partition(":")
            if k.lower() == "content-length":
                length = int(v)
        if status == 100 or status == 101 or head_only:
            return status, None
        while len(self.buf) < length:
            self.fill()
        body, self.buf = self.buf[:length], self.buf[length:]
        return status, body

    def closed(self):
        try:
            while True:
                if not self.s.recv(65536):
                    return True
        except (ConnectionResetError, socket.timeout):
            return False


results = []


def check(cond, desc):
    results.append(cond)
    print(("ok" if cond else "not ok") + " - " + desc, flush=True)


def identity_ok(body, desc):
    j = json.loads(body)
    good = j["xpv"] == WANT and j["xpv_trailers"] == []
    check(good, desc + (" " if good else " got %s %s" % (j["xpv"], j["xpv_trailers"])))
    return j


def one(raw, desc, n=1):
    s = connect()
    s.sendall(raw)
    r = Reader(s)
    for i in range(n):
        status, body = r.response()
        identity_ok(body, f"{desc}" + (f" (response {i + 1})" if n > 1 else ""))
    s.close()


H = "Host: x\r\n"
if CONNECTS:
    # rest-check.py SOCKET CONSUMER ROLE connects N: N connections, one
    # request each
    for i in range(CONNECTS):
        try:
            s = connect()
        except (FileNotFoundError, ConnectionRefusedError) as e:
            if ABSENT_OK:
                print(f"no link at {PATH} ({e.strerror}): no request can go without identity")
                sys.exit(0)
            raise
        s.sendall(f"GET /c{i} HTTP/1.1\r\n{H}Connection: close\r\n\r\n".encode())
        status, body = Reader(s).response()
        s.close()
        if ABSENT_OK and status == 500 and body.startswith(b"pv-xconnect: "):
            print(f"the proxy refuses the link's requests ({body.strip().decode()})")
            sys.exit(0)
        j = json.loads(body)
        if j["xpv"] != WANT:
            print(f"connection {i}: {j['xpv']}")
            sys.exit(1)
    print(f"{CONNECTS} connections, each with the real identity")
    sys.exit(0)
one(f"GET /plain HTTP/1.1\r\n{H}\r\n".encode(), "plain GET gets exactly the real pair")
one(f"GET / HTTP/1.0\r\n\r\n".encode(), "HTTP/1.0 without Host")
one(f"GET /first HTTP/1.1\r\nX-PV-Role: admin\r\n{H}\r\n".encode(), "spoofed field right after the request line")
one(f"GET /only HTTP/1.0\r\nX-PV-Client: evil\r\n\r\n".encode(), "spoofed field as the only field")
for spoof in ["X-PV-Role: admin", "x-pv-role: admin", "X-Pv-Client: evil", "X-PV-ROLE:admin",
              "X_PV_Role: admin", "x_pv_client: evil", "X-PV_Role: admin", "X_PV-ROLE: admin",
              "X-PV-Role:    admin   ", "X-PV-Whatever: 1", "X-PV-Role: a\r\nX-PV-Role: b",
              "X-PV-Client: evil\r\nX-PV-Role: admin\r\nX-PV-Client: evil2"]:
    one(f"GET /spoof HTTP/1.1\r\n{H}{spoof}\r\n\r\n".encode(), f"spoof {spoof!r} removed")
# pipelined, keep-alive, bodies
one((f"GET /1 HTTP/1.1\r\n{H}X-PV-Role: x\r\n\r\n" f"POST /2 HTTP/1.1\r\n{H}Content-Length: 5\r\n\r\nhello"
     f"GET /3 HTTP/1.1\r\n{H}x-pv-client: y\r\n\r\n").encode(), "pipelined requests in one write", 3)
s = connect()
r = Reader(s)
for i in range(5):
    s.sendall(f"GET /k{i} HTTP/1.1\r\n{H}X-PV-Role: forged{i}\r\n\r\n".encode())
    identity_ok(r.response()[1], f"keep-alive request {i + 1} of 5")
s.close()
one((f"POST /c HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n"
     "5;ext=1\r\nhello\r\n3\r\nabc\r\n0\r\nX-PV-Role: smuggled\r\nX-Other: ok\r\n\r\n"
     f"GET /after HTTP/1.1\r\n{H}\r\n").encode(), "chunked body with an X-PV trailer: trailer dropped", 2)
# byte by byte
s = connect()
for b in f"PUT /slow HTTP/1.1\r\n{H}X-PV-Client: evil\r\nContent-Length: 3\r\n\r\nabc".encode():
    s.sendall(bytes([b]))
identity_ok(Reader(s).response()[1], "request sent one byte per write")
s.close()
# Expect: 100-continue
s = connect()
r = Reader(s)
s.sendall(f"POST /e HTTP/1.1\r\n{H}Expect: 100-continue\r\nContent-Length: 4\r\n\r\n".encode())
status, _ = r.response()
check(status == 100, f"Expect: 100-continue answered 100 by the provider (got {status})")
s.sendall(b"body")
identity_ok(r.response()[1], "body after 100 Continue")
s.close()
# HEAD: no body in the answer, the next request still parsed
s = connect()
r = Reader(s)
s.sendall(f"HEAD /h HTTP/1.1\r\n{H}\r\nGET /g HTTP/1.1\r\n{H}X-PV-Role: z\r\n\r\n".encode())
status, _ = r.response(head_only=True)
identity_ok(r.response()[1], "request after a HEAD")
s.close()
# Upgrade: tunnel afterwards; a refused upgrade stays HTTP
s = connect()
r = Reader(s)
s.sendall(f"GET /ws HTTP/1.1\r\n{H}Connection: Upgrade\r\nUpgrade: echo\r\nX-PV-Role: up\r\n\r\n".encode())
status, _ = r.response()
raw = b"GET /not-http HTTP/1.1\r\nX-PV-Role: raw\r\n\r\n"
s.sendall(raw)
got = b""
while len(got) < len(raw):
    got += s.recv(100)
check(status == 101 and got == raw, "after 101 the connection is a plain tunnel (bytes untouched)")
s.close()
# an upgrade token far into the Connection value (past any prefix kept)
s = connect()
r = Reader(s)
s.sendall(f"GET /ws HTTP/1.1\r\n{H}Connection: keep-alive, x-{'a' * 200}, Upgrade\r\nUpgrade: echo\r\n\r\n".encode())
status, _ = r.response()
raw = b"raw bytes, X-PV-Role: none\r\n\r\n"
s.sendall(raw)
got = b""
while len(got) < len(raw):
    got += s.recv(100)
check(status == 101 and got == raw, f"upgrade token after 200 bytes of Connection: 101 then a plain tunnel ({status})")
s.close()
s = connect()
r = Reader(s)
s.sendall(f"GET /no-upgrade HTTP/1.1\r\n{H}Connection: upgrade\r\nUpgrade: echo\r\n\r\nGET /next HTTP/1.1\r\n{H}X-PV-Role: n\r\n\r\n".encode())
status, _ = r.response()
check(status == 426, f"refused upgrade answered {status}")
identity_ok(r.response()[1], "after a refused upgrade the next request is still rewritten")
s.close()
s = connect()
r = Reader(s)
s.sendall(f"CONNECT host:1 HTTP/1.1\r\n{H}\r\n".encode())
status, _ = r.response(head_only=True)
raw = b"X-PV-Role: tunnel\r\n"
s.sendall(raw)
got = b""
while len(got) < len(raw):
    got += s.recv(100)
check(status == 200 and got == raw, "CONNECT 200 becomes a tunnel")
s.close()


def recorded(since):
    """What the provider received on each connection since the mark."""
    s = connect()
    s.sendall(f"GET /__recorded?since={since} HTTP/1.1\r\n{H}\r\n".encode())
    j = json.loads(Reader(s).response()[1])
    s.close()
    return j


def provider_got(since, want, desc):
    """The connections opened since the mark received exactly want (b""
    for a refused request alone) and were closed."""
    j = recorded(since)
    got = "".join(c["bytes"] for c in j["conns"]).encode("latin-1")
    still_open = [c["id"] for c in j["conns"] if c["open"]]
    check(got == want and not still_open,
          f"{desc}: the provider got {'no byte' if not want else 'nothing past what came before the refused part'}"
          + ("" if got == want else f" (got {got[:200]!r})")
          + (f" (connections {still_open} left open)" if still_open else ""))


def mark():
    return recorded(1 << 30)["next"]


def fwd(head):
    """A head as the proxy forwards it: our pair before the empty line."""
    return head[:-2] + f"X-PV-Client: {CONSUMER}\r\nX-PV-Role: {ROLE}\r\n\r\n".encode()


def refused(raw, want, desc, provider_gets=b""):
    m = mark()
    s = connect()
    s.sendall(raw)
    r = Reader(s)
    try:
        status, body = r.response()
    except (EOFError, ConnectionResetError):
        status, body = None, b""
    except socket.timeout:
        status, body = "no answer in 10 s", b""
    closed = r.closed()
    check(status == want and closed, f"{desc}: {status} and closed")
    s.close()
    provider_got(m, provider_gets, desc)


refused(f"POST / HTTP/1.1\r\n{H}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n".encode(), 400,
        "Content-Length with Transfer-Encoding")
refused(f"POST / HTTP/1.1\r\n{H}Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd".encode(), 400,
        "conflicting Content-Length")
refused(f"POST / HTTP/1.1\r\n{H}Content-Length: 1x\r\n\r\n".encode(), 400, "malformed Content-Length")
refused(f"POST / HTTP/1.1\r\n{H}Transfer-Encoding: chunked, gzip\r\n\r\n".encode(), 400,
        "Transfer-Encoding not ending in chunked")
refused(f"GET / HTTP/1.1\r\n{H}X-A: b\r\n X-PV-Role: folded\r\n\r\n".encode(), 400, "obs-fold")
refused(f"GET / HTTP/1.1\nHost: x\n\n".encode(), 400, "bare LF line ends")
refused(b"GET / HTTP/2.0\r\n\r\n", 400, "not HTTP/1.x")
refused(f"GET / HTTP/1.1\r\n{H}X-Big: {'a' * 70000}\r\n\r\n".encode(), 431, "head over 64 KiB")
# a chunk size that would overflow: the head is out, the size line is not;
# the provider is not left waiting (its connection is closed)
chunked_head = f"POST /c HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n".encode()
refused(chunked_head + b"ffffffffffffffff\r\n", 400, "chunk size of 16 hex digits",
        provider_gets=fwd(chunked_head))
refused(chunked_head + b"5;" + b"e" * 5000 + b"\r\n", 400, "chunk-size line over 4 KiB",
        provider_gets=fwd(chunked_head))
one(chunked_head + b"000000000000000000005\r\nhello\r\n0\r\n\r\n", "chunk size with many leading zeros")
# a bad request behind a good one: the good one is answered first
m = mark()
s = connect()
first = f"GET /first HTTP/1.1\r\n{H}\r\n".encode()
s.sendall(first + f"POST /bad HTTP/1.1\r\n{H}Content-Length: 1\r\nContent-Length: 2\r\n\r\n".encode())
r = Reader(s)
identity_ok(r.response()[1], "pipelined good request before a bad one is answered")
status, _ = r.response()
check(status == 400 and r.closed(), f"then the bad one gets the proxy's 400 and the connection closes ({status})")
s.close()
provider_got(m, fwd(first), "bad request behind a good one")
# half-close (nc -N style): request, shutdown(SHUT_WR), full answer
s = connect()
s.sendall(f"GET /halfclose HTTP/1.1\r\n{H}Connection: close\r\n\r\n".encode())
s.shutdown(socket.SHUT_WR)
identity_ok(Reader(s).response()[1], "half-close: request, shutdown(SHUT_WR), full answer")
s.close()
sys.exit(0 if all(results) else 1)
