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
import sys
import time

from dbuswire import (BUS, BUS_PATH, body_of, first_string, header_fields, method_call,
                      split_message, string_body)

path, allowed, forbidden = sys.argv[1:4]


def call(serial, dest, path, iface, member, arg=None):
    """A method call with at most one string argument."""
    if arg is None:
        return method_call(serial, member, dest, path, iface)
    return method_call(serial, member, dest, path, iface, "s", string_body(arg))


def driver(serial, member, arg=None):
    return call(serial, BUS, BUS_PATH, BUS, member, arg)


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
            while len(got) < count:
                m, self.buf = split_message(self.buf)
                if m is None:
                    break
                f = header_fields(m)
                if m[1] in (2, 3) and f.get(5) == serial:
                    got.append((m[1], f.get(7, ""), f.get(4, ""), first_string(body_of(m))))
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
    c.s.sendall(call(4, owner, "/org/pantavisor/Example", "org.pantavisor.Example", "GetInfo"))
    r = c.replies(4, 1)
    if not r:
        print("call: none")
        answered = False
    elif r[0][0] == 2:
        print("call: return %s %s" % (r[0][1], r[0][3]))
    else:
        print("call: error %s %s" % (r[0][2], r[0][3]))
sys.exit(0 if answered else 1)
