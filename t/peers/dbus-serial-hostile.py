#!/usr/bin/python3
"""A consumer that tries to get past a filtered dbus link with a shared
serial (issue 15 item 3).

dbus-serial-hostile.py SOCKET ALLOWED FORBIDDEN: authenticates, then in one
write asks GetNameOwner(FORBIDDEN) and GetNameOwner(ALLOWED) with the same
serial, hoping the proxy takes the first answer (the forbidden name's
owner) for the allowed name's; then asks GetNameOwner(FORBIDDEN) alone to
learn that owner for sure, and calls GetInfo on it by its unique name.
Prints one line per step:
   reuse: <error name> <text>|return      what came back for the serial
   owner: <unique name>|none              the forbidden name's owner
   call: return <sender>|error <name> <text>|none
Exit status 0 when every step got an answer."""
import socket
import struct
import sys
import time

path, allowed, forbidden = sys.argv[1:4]


def pad(b, a):
    return b + b"\0" * ((-len(b)) % a)


def message(serial, dest, path, iface, member, arg=None):
    """A little-endian method call with at most one string argument."""
    body = b""
    fields = [(1, "o", path), (2, "s", iface), (3, "s", member), (6, "s", dest)]
    if arg is not None:
        e = arg.encode()
        body = struct.pack("<I", len(e)) + e + b"\0"
        fields.append((8, "g", "s"))
    h = bytearray(b"l\x01\x00\x01" + struct.pack("<III", len(body), serial, 0))
    for code, t, v in fields:
        h = pad(h, 8)
        h += bytes([code, 1]) + t.encode() + b"\0"
        e = v.encode()
        if t == "g":
            h += bytes([len(e)]) + e + b"\0"
        else:
            h = pad(h, 4)
            h += struct.pack("<I", len(e)) + e + b"\0"
    struct.pack_into("<I", h, 12, len(h) - 16)
    return bytes(pad(h, 8)) + body


def driver(serial, member, arg=None):
    return message(serial, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                   "org.freedesktop.DBus", member, arg)


def fields_of(m, fields_len):
    """Header fields of a little-endian message: {code: value}."""
    out, pos, end = {}, 16, 16 + fields_len
    while pos < end:
        pos = (pos + 7) & ~7
        code, siglen = m[pos], m[pos + 1]
        t = chr(m[pos + 2])
        pos += 3 + siglen
        if t == "u":
            pos = (pos + 3) & ~3
            out[code] = struct.unpack_from("<I", m, pos)[0]
            pos += 4
        elif t in "so":
            pos = (pos + 3) & ~3
            n = struct.unpack_from("<I", m, pos)[0]
            out[code] = m[pos + 4:pos + 4 + n].decode("utf-8", "replace")
            pos += 4 + n + 1
        elif t == "g":
            n = m[pos]
            out[code] = m[pos + 1:pos + 1 + n].decode()
            pos += 1 + n + 1
        else:
            break
    return out


def first_string(body):
    if len(body) < 4:
        return ""
    n = struct.unpack_from("<I", body)[0]
    return body[4:4 + n].decode("utf-8", "replace")


class Conn:
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.buf = b""

    def replies(self, serial, count, timeout=5.0):
        """(type, sender, error name, first string) of up to count
        messages answering serial, within timeout."""
        got, deadline = [], time.time() + timeout
        while len(got) < count and time.time() < deadline:
            while len(self.buf) >= 16 and len(got) < count:
                body_len, _, fields_len = struct.unpack_from("<III", self.buf, 4)
                total = 16 + ((fields_len + 7) & ~7) + body_len
                if len(self.buf) < total:
                    break
                m, self.buf = self.buf[:total], self.buf[total:]
                f = fields_of(m, fields_len)
                if m[1] in (2, 3) and f.get(5) == serial:
                    got.append((m[1], f.get(7, ""), f.get(4, ""), first_string(m[total - body_len:])))
            if len(got) >= count:
                break
            self.s.settimeout(max(0.05, deadline - time.time()))
            try:
                d = self.s.recv(65536)
            except socket.timeout:
                break
            if not d:
                break
            self.buf += d
        return got


c = Conn()
c.s.sendall(b"\0AUTH EXTERNAL 30\r\n")
c.s.settimeout(5)
while b"\r\n" not in c.buf:
    d = c.s.recv(4096)
    if not d:
        sys.exit("closed during authentication")
    c.buf += d
if not c.buf.startswith(b"OK "):
    sys.exit("not authenticated: %r" % c.buf)
c.buf = b""
c.s.sendall(b"BEGIN\r\n" + driver(1, "Hello"))
if not c.replies(1, 1):
    sys.exit("no answer to Hello")

answered = True
# The attack: one write, one serial, the forbidden name first.
c.s.sendall(driver(2, "GetNameOwner", forbidden) + driver(2, "GetNameOwner", allowed))
for t, sender, err, text in c.replies(2, 2):
    if t == 3:
        print("reuse: %s %s" % (err, text))
    else:
        print("reuse: return %s" % text)

# The forbidden name's owner, asked honestly (any name may be looked up).
c.s.sendall(driver(3, "GetNameOwner", forbidden))
r = c.replies(3, 1)
owner = r[0][3] if r and r[0][0] == 2 else None
print("owner: %s" % (owner or "none"))
answered &= owner is not None

if owner:
    c.s.sendall(message(4, owner, "/org/pantavisor/Example", "org.pantavisor.Example", "GetInfo"))
    r = c.replies(4, 1)
    if not r:
        print("call: none")
        answered = False
    elif r[0][0] == 2:
        print("call: return %s %s" % (r[0][1], r[0][3]))
    else:
        print("call: error %s %s" % (r[0][2], r[0][3]))
sys.exit(0 if answered else 1)
