#!/usr/bin/python3
"""Hostile D-Bus authentication against a dbus link.

dbus-sasl-hostile.py SOCKET UID [FDS]: plays each case of the corpus below
on a fresh connection, then, if the proxy said OK, finishes the handshake
itself (BEGIN, Hello, GetConnectionUnixUser of its own name) with
hand-made messages.  A case passes when the bus names UID (cases marked
"must" must reach the bus) or, for cases marked "closed", when the proxy
ends the connection (EOF or reset) within CLOSE_WITHIN seconds without an
identity: a proxy that merely stops answering fails.  With FDS, a file
that the test keeps rewriting with the daemon's count of open fds, every
case must also leave that count back where it was before the first case,
within CLOSE_WITHIN seconds of the connection's end.
Prints one line per case: PASS|FAIL name: what happened."""
import socket
import struct
import sys
import time

from dbuswire import body_of, header_fields, method_call, split_message, string_body

path, want_uid = sys.argv[1], int(sys.argv[2])
fds_file = sys.argv[3] if len(sys.argv) > 3 else None
CLOSE_WITHIN = 5.0
EOF = None  # in a case's writes: shut the sending side down


HELLO = method_call(1, "Hello")


class Conn:
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(5)
        self.s.connect(path)
        self.buf = b""
        self.closed = False
        self.shut = False

    def send(self, data, fds=None):
        if self.shut:
            return  # our own EOF: nothing more goes out
        try:
            if data is EOF:
                self.s.shutdown(socket.SHUT_WR)
                self.shut = True
            elif fds:
                self.s.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                         struct.pack("%di" % len(fds), *fds))])
            else:
                self.s.sendall(data)
        except OSError:
            self.closed = True

    def fill(self, timeout=0.3):
        """Reads what arrives within timeout; notes EOF or a reset."""
        self.s.settimeout(timeout)
        try:
            while True:
                d = self.s.recv(65536)
                if not d:
                    self.closed = True
                    return
                self.buf += d
        except socket.timeout:
            return
        except OSError:
            self.closed = True

    def line(self, timeout=2.0):
        deadline = time.time() + timeout
        while b"\r\n" not in self.buf and not self.closed and time.time() < deadline:
            self.fill(0.1)
        if b"\r\n" not in self.buf:
            return None
        ln, self.buf = self.buf.split(b"\r\n", 1)
        return ln.decode("ascii", "replace")

    def messages(self, timeout=3.0):
        """Yields (type, reply_serial, body) of each complete message."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            while True:
                m, self.buf = split_message(self.buf)
                if m is None:
                    break
                yield m[1], header_fields(m).get(5), body_of(m)
            if self.closed:
                return
            self.fill(0.1)


def identity(c, begun=False):
    """Finishes the handshake; returns the uid the bus reports, or None."""
    if not begun:
        c.send(b"BEGIN\r\n" + HELLO)
    name = None
    for t, rs, body in c.messages():
        if t == 2 and rs == 1:
            n = struct.unpack_from("<I", body)[0]
            name = body[4:4 + n].decode()
            c.send(method_call(2, "GetConnectionUnixUser", sig="s", body=string_body(name)))
        elif t == 2 and rs == 2:
            return struct.unpack_from("<I", body)[0]
        elif t == 3 and rs in (1, 2):
            return None
    return None


def authed(c, begun=False):
    """Reads the proxy's answers until they stop; True when the last verdict
    was OK.  With begun (the case sent BEGIN itself), stops after the answer
    to NEGOTIATE_UNIX_FD, where the messages start."""
    ok = False
    for _ in range(64):
        ln = c.line(timeout=0.5)
        if ln is None:
            break
        if ln.startswith("OK "):
            ok = True
        elif ln.startswith("REJECTED"):
            ok = False
        if begun and ok and (ln.startswith("AGREE_UNIX_FD") or ln.startswith("ERROR")):
            break
    return ok


def wait_closed(c, within):
    """True when the proxy ends the connection (EOF or reset) within
    `within` seconds; bytes it still sends meanwhile are read and dropped."""
    deadline = time.time() + within
    while not c.closed and time.time() < deadline:
        c.buf = b""
        c.fill(min(0.2, max(0.01, deadline - time.time())))
    return c.closed


def fd_count():
    for _ in range(20):  # the writer renames a new file into place
        try:
            with open(fds_file) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            time.sleep(0.05)
    return -1


def fds_back(baseline, within):
    """Waits until the daemon's fd count is back at (or below) baseline;
    returns the last count read."""
    deadline = time.time() + within
    n = fd_count()
    while n > baseline and time.time() < deadline:
        time.sleep(0.05)
        n = fd_count()
    return n


def fd_baseline():
    """The daemon's fd count at rest: the least of readings over a second
    (a graph fetch holds one more fd for a moment)."""
    n = []
    for _ in range(20):
        n.append(fd_count())
        time.sleep(0.05)
    return min(n)


def run(script):
    c = Conn()
    for step in script:
        if isinstance(step, tuple):
            c.send(step[0], step[1])
        else:
            c.send(step)
    return c


OK_AUTH = b"AUTH EXTERNAL 30\r\n"
cases = [
    # (name, bytes sent (list of writes), how it ends: "must" reach the bus
    #  with the link's uid, "closed" must be refused, "any" either)
    ("no leading NUL", [OK_AUTH], "closed"),
    ("claims uid 0", [b"\0" + OK_AUTH], "must"),
    ("claims uid 1001", [b"\0AUTH EXTERNAL 31303031\r\n"], "must"),
    ("claims uid 65535", [b"\0AUTH EXTERNAL 3635353335\r\n"], "must"),
    ("non-hex response", [b"\0AUTH EXTERNAL zz\r\n"], "closed"),
    ("odd-length hex", [b"\0AUTH EXTERNAL 303\r\n"], "any"),
    ("EXTERNAL then DATA uid 0", [b"\0AUTH EXTERNAL\r\n", b"DATA 30\r\n"], "must"),
    ("EXTERNAL then empty DATA", [b"\0AUTH EXTERNAL\r\n", b"DATA\r\n"], "must"),
    ("cookie mechanism then EXTERNAL", [b"\0AUTH DBUS_COOKIE_SHA1 726f6f74\r\n", OK_AUTH], "must"),
    ("ANONYMOUS then EXTERNAL", [b"\0AUTH ANONYMOUS\r\n", OK_AUTH], "must"),
    ("AUTH without mechanism", [b"\0AUTH\r\n", OK_AUTH], "must"),
    ("BEGIN before AUTH", [b"\0BEGIN\r\n" + HELLO], "closed"),
    ("DATA before AUTH", [b"\0DATA 30\r\n", OK_AUTH], "must"),
    ("NEGOTIATE before AUTH", [b"\0NEGOTIATE_UNIX_FD\r\n", OK_AUTH], "must"),
    ("lowercase command", [b"\0auth external 30\r\n", OK_AUTH], "any"),
    ("server command OK from client", [b"\0OK 0123456789abcdef0123456789abcdef\r\n", OK_AUTH], "must"),
    ("server command REJECTED from client", [b"\0REJECTED EXTERNAL\r\n", OK_AUTH], "must"),
    ("CANCEL after OK, again", [b"\0" + OK_AUTH, b"CANCEL\r\n", OK_AUTH], "must"),
    ("ERROR after OK, again", [b"\0" + OK_AUTH, b"ERROR boom\r\n", OK_AUTH], "must"),
    ("second AUTH after OK", [b"\0" + OK_AUTH, b"AUTH EXTERNAL 31303031\r\n"], "must"),
    ("line over 16 KiB", [b"\0AUTH EXTERNAL " + b"30" * 9000 + b"\r\n"], "closed"),
    ("mechanism of 60 KiB", [b"\0AUTH " + b"X" * 60000 + b"\r\n"], "closed"),
    ("bare LF", [b"\0AUTH EXTERNAL 30\n"], "closed"),
    ("NUL inside a line", [b"\0AUTH EXT\0ERNAL 30\r\n"], "closed"),
    ("two leading NULs", [b"\0\0" + OK_AUTH], "closed"),
    ("high bytes", [b"\0AUTH EXTERNAL \xff\xfe\r\n"], "closed"),
    ("40 unknown lines", [b"\0" + b"HELLO\r\n" * 40], "closed"),
    ("CR and LF in separate writes", [b"\0AUTH EXTERNAL 30\r", b"\n"], "must"),
    ("one byte at a time", [bytes([b]) for b in b"\0" + OK_AUTH], "must"),
    ("pipelined AUTH NEGOTIATE BEGIN Hello", [b"\0" + OK_AUTH + b"NEGOTIATE_UNIX_FD\r\nBEGIN\r\n" + HELLO], "must-begun"),
    ("sd-bus style EXTERNAL DATA pipeline", [b"\0AUTH EXTERNAL\r\nDATA\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\n" + HELLO], "must-begun"),
    ("garbage message after BEGIN", [b"\0" + OK_AUTH + b"BEGIN\r\n" + b"X" * 64], "closed"),
    ("message announcing 128 MiB + 1", [b"\0" + OK_AUTH + b"BEGIN\r\n" + b"l\x01\x00\x01" + struct.pack("<III", 128 << 20, 1, 0)], "closed"),
    ("three arguments", [b"\0AUTH EXTERNAL 30 31\r\n", OK_AUTH], "any"),
    ("empty line", [b"\0\r\n", OK_AUTH], "any"),
    ("only the NUL, then EOF", [b"\0", EOF], "closed"),
    ("EOF in the middle of AUTH", [b"\0AUTH EXTER", EOF], "closed"),
    ("EOF after OK, before BEGIN", [b"\0" + OK_AUTH, EOF], "closed"),
    ("an fd with AUTH", [(b"\0" + OK_AUTH, [0])], "any"),
]

failed = 0
baseline = fd_baseline() if fds_file else None
for name, writes, expect in cases:
    try:
        c = run(writes)
        begun = expect.endswith("-begun")
        if begun:
            uid = identity(c, begun=True) if authed(c, begun=True) else None
        else:
            uid = identity(c) if authed(c) else None
    except OSError as e:
        uid = None
        c.closed = True
    if uid is not None and uid != want_uid:
        verdict, what = False, "the bus saw uid %d" % uid
    elif expect.startswith("must"):
        verdict, what = uid == want_uid, "uid %s" % uid
    elif expect.startswith("closed"):
        t0 = time.time()
        if uid is not None:
            verdict, what = False, "uid %s" % uid
        elif wait_closed(c, CLOSE_WITHIN):
            verdict, what = True, "refused, closed by the proxy"
        else:
            verdict, what = False, "no identity, but the proxy kept the connection open %.0f s" % (
                time.time() - t0)
    else:
        verdict, what = True, "uid %s" % uid
    try:
        c.s.close()
    except Exception:
        pass
    if fds_file:
        n = fds_back(baseline, CLOSE_WITHIN)
        if n > baseline or n < 0:
            verdict = False
            what += "; the daemon holds %d fds, %d before the corpus" % (n, baseline)
        else:
            what += "; daemon fds back at %d" % n
    print("%s %s: %s" % ("PASS" if verdict else "FAIL", name, what), flush=True)
    failed += not verdict
print("cases: %d" % len(cases))
sys.exit(1 if failed else 0)
