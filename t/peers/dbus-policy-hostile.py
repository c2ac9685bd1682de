#!/usr/bin/python3
"""Hand-made D-Bus messages against a filtered dbus link, the ones built to
slip past a filter.  dbus-policy-hostile.py SOCKET CASE ARG; prints one
line: "return <first string>", "error <name> <text>", "closed" or "none".
   be DEST              a big-endian GetInfo call to DEST
   reorder DEST         GetInfo with its header fields in reverse order
   dup DEST1 DEST2      GetInfo with DESTINATION given twice
   fds DEST N           N GetInfo calls to DEST each carrying an fd; prints
                        how many got an error back
   stray UNIQUE         a method return nobody asked for, sent to UNIQUE,
                        then a Ping of the bus driver (to know it was read)
   unique UNIQUE        GetInfo on a unique name
"""
import os
import socket
import struct
import sys

path, case, args = sys.argv[1], sys.argv[2], sys.argv[3:]
IFACE, OBJ = "org.pantavisor.Example", "/org/pantavisor/Example"


def pad(b, a):
    return b + b"\0" * ((-len(b)) % a)


def message(serial, fields, mtype=1, flags=0, be=False, arg=None, nfds=0):
    """fields: list of (code, type, value), in the order given."""
    e = ">" if be else "<"
    body = b""
    fields = list(fields)
    if arg is not None:
        a = arg.encode()
        body = struct.pack(e + "I", len(a)) + a + b"\0"
        fields.append((8, "g", "s"))
    if nfds:
        fields.append((9, "u", nfds))
    h = bytearray((b"B" if be else b"l") + bytes([mtype, flags, 1]) +
                  struct.pack(e + "III", len(body), serial, 0))
    for code, t, v in fields:
        h = pad(h, 8)
        h += bytes([code, 1]) + t.encode() + b"\0"
        if t == "u":
            h += struct.pack(e + "I", v)
        elif t == "g":
            x = v.encode()
            h += bytes([len(x)]) + x + b"\0"
        else:
            h = pad(h, 4)
            x = v.encode()
            h += struct.pack(e + "I", len(x)) + x + b"\0"
    struct.pack_into(e + "I", h, 12, len(h) - 16)
    return bytes(pad(h, 8)) + body


def getinfo(serial, dest, **kw):
    return message(serial, [(1, "o", OBJ), (2, "s", IFACE), (3, "s", "GetInfo"), (6, "s", dest)], **kw)


class Conn:
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.s.settimeout(5)
        self.buf = b""
        self.s.sendall(b"\0AUTH EXTERNAL %s\r\n" % str(os.getuid()).encode().hex().encode())
        while b"\r\n" not in self.buf:
            self.buf += self.s.recv(4096)
        self.s.sendall(b"NEGOTIATE_UNIX_FD\r\n")
        self.buf = b""
        while b"\r\n" not in self.buf:
            self.buf += self.s.recv(4096)
        self.buf = b""
        self.s.sendall(b"BEGIN\r\n" + message(1, [(1, "o", "/org/freedesktop/DBus"),
                                                   (2, "s", "org.freedesktop.DBus"), (3, "s", "Hello"),
                                                   (6, "s", "org.freedesktop.DBus")]))
        self.reply(1)

    def reply(self, serial, timeout=5.0):
        """("return", first string) / ("error", name, text) / ("closed",)
        / ("none",) for the answer to serial."""
        self.s.settimeout(timeout)
        while True:
            while len(self.buf) >= 16:
                e = ">" if self.buf[0:1] == b"B" else "<"
                body_len, _, fields_len = struct.unpack_from(e + "III", self.buf, 4)
                total = 16 + ((fields_len + 7) & ~7) + body_len
                if len(self.buf) < total:
                    break
                m, self.buf = self.buf[:total], self.buf[total:]
                f, pos = {}, 16
                while pos < 16 + fields_len:
                    pos = (pos + 7) & ~7
                    code, siglen = m[pos], m[pos + 1]
                    t = chr(m[pos + 2])
                    pos += 3 + siglen
                    if t in "u":
                        pos = (pos + 3) & ~3
                        f[code] = struct.unpack_from(e + "I", m, pos)[0]
                        pos += 4
                    elif t == "g":
                        n = m[pos]
                        f[code] = m[pos + 1:pos + 1 + n].decode()
                        pos += n + 2
                    else:
                        pos = (pos + 3) & ~3
                        n = struct.unpack_from(e + "I", m, pos)[0]
                        f[code] = m[pos + 4:pos + 4 + n].decode()
                        pos += 4 + n + 1
                if m[1] in (2, 3) and f.get(5) == serial:
                    body = m[total - body_len:]
                    s = ""
                    if body_len >= 4 and f.get(8, "").startswith("s"):
                        n = struct.unpack_from(e + "I", body, 0)[0]
                        s = body[4:4 + n].decode(errors="replace")
                    return ("return", s) if m[1] == 2 else ("error", f.get(4, ""), s)
            try:
                d = self.s.recv(65536)
            except socket.timeout:
                return ("none",)
            except ConnectionResetError:
                return ("closed",)
            if not d:
                return ("closed",)
            self.buf += d


def show(r):
    print(" ".join(r))


c = Conn()
if case == "be":
    c.s.sendall(getinfo(2, args[0], be=True))
    show(c.reply(2))
elif case == "reorder":
    c.s.sendall(message(2, [(6, "s", args[0]), (3, "s", "GetInfo"), (2, "s", IFACE), (1, "o", OBJ)]))
    show(c.reply(2))
elif case == "dup":
    c.s.sendall(message(2, [(1, "o", OBJ), (2, "s", IFACE), (3, "s", "GetInfo"), (6, "s", args[0]),
                            (6, "s", args[1])]))
    show(c.reply(2))
elif case == "fds":
    n = int(args[1])
    errors = 0
    for i in range(n):
        r, w = os.pipe()
        m = getinfo(10 + i, args[0], nfds=1)
        c.s.sendmsg([m], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("i", r))])
        os.close(r)
        os.close(w)
        errors += c.reply(10 + i)[0] == "error"
    print("errors %d" % errors)
elif case == "stray":
    c.s.sendall(message(2, [(5, "u", 4242), (6, "s", args[0])], mtype=2))
    c.s.sendall(message(3, [(1, "o", "/org/freedesktop/DBus"), (2, "s", "org.freedesktop.DBus.Peer"),
                            (3, "s", "Ping"), (6, "s", "org.freedesktop.DBus")]))
    show(c.reply(3))
elif case == "unique":
    c.s.sendall(getinfo(2, args[0]))
    show(c.reply(2))
else:
    sys.exit("unknown case " + case)
