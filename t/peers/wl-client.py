#!/usr/bin/python3
"""A Wayland client speaking the wire format by hand, for the wayland link
tests: what a registry shows, and what hostile clients try.

  wl-client.py SOCKET globals            interface:name:version per line
  wl-client.py SOCKET bind NAME IFACE VERSION
                                         binds; prints "ok" (a sync answered
                                         after it) or "error <object> <code>
                                         <text>" / "closed"
  wl-client.py SOCKET fake-newid         binds wl_compositor with new_id 1
  wl-client.py SOCKET oversize           a 4100-byte message
  wl-client.py SOCKET fd-flood           fds with no message to take them
  wl-client.py SOCKET no-fd              wl_shm.create_pool without its fd
  wl-client.py SOCKET never-read SECONDS asks for events, never reads them
Exit 0 when the exchange ran (whatever the answer), 2 on usage errors.
"""
import array
import os
import socket
import struct
import sys
import time


def msg(obj, op, payload=b""):
    return struct.pack("=II", obj, (8 + len(payload)) << 16 | op) + payload


def u(*ws):
    return struct.pack("=" + "I" * len(ws), *ws)


def s(text):
    b = text.encode() + b"\0"
    return u(len(b)) + b + b"\0" * (-len(b) % 4)


class Conn:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""
        self.globals = {}

    def send(self, data, fds=()):
        if fds:
            self.sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
        else:
            self.sock.sendall(data)

    def events(self, timeout=5.0):
        """Yields (object, opcode, payload) until EOF or timeout."""
        self.sock.settimeout(timeout)
        while True:
            while len(self.buf) >= 8:
                obj, w = struct.unpack_from("=II", self.buf)
                size = w >> 16
                if len(self.buf) < size:
                    break
                payload, self.buf = self.buf[8:size], self.buf[size:]
                yield obj, w & 0xFFFF, payload
            try:
                data = self.sock.recv(65536)
            except (socket.timeout, ConnectionResetError):
                return
            if not data:
                return
            self.buf += data

    def roundtrip(self, cb_id):
        """wl_display.sync(cb_id); reads until its done, an error or EOF.
        Returns "ok", "error ..." or "closed"."""
        try:
            self.send(msg(1, 0, u(cb_id)))
        except OSError:
            pass  # closed after an error: the error may still be there to read
        for obj, op, p in self.events():
            if obj == 1 and op == 0:
                o, code, n = struct.unpack_from("=III", p)
                return "error %d %d %s" % (o, code, p[12:12 + n - 1].decode(errors="replace"))
            if obj == 2 and op == 0:
                name, n = struct.unpack_from("=II", p)
                iface = p[8:8 + n - 1].decode()
                (ver,) = struct.unpack_from("=I", p, 8 + n + (-n % 4))
                self.globals[name] = (iface, ver)
            if obj == cb_id and op == 0:
                return "ok"
        return "closed"


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    c = Conn(sys.argv[1])
    what = sys.argv[2]
    c.send(msg(1, 1, u(2)))  # get_registry(2)
    first = c.roundtrip(3)
    if what == "globals":
        for name, (iface, ver) in sorted(c.globals.items()):
            print("%s:%d:%d" % (iface, name, ver))
        return 0
    if first != "ok":
        print(first)
        return 0
    if what == "bind":
        name, iface, ver = int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
        c.send(msg(2, 0, u(name) + s(iface) + u(ver, 4)))
        print(c.roundtrip(5))
    elif what == "fake-newid":
        comp = [n for n, (i, v) in c.globals.items() if i == "wl_compositor"][0]
        c.send(msg(2, 0, u(comp) + s("wl_compositor") + u(1, 2)))  # new_id 2: the registry
        print(c.roundtrip(5))
    elif what == "oversize":
        c.send(msg(7, 0, b"\0" * (4100 - 8)))
        print(c.roundtrip(5))
    elif what == "no-fd":
        shm = [n for n, (i, v) in c.globals.items() if i == "wl_shm"][0]
        c.send(msg(2, 0, u(shm) + s("wl_shm") + u(1, 4)))
        c.send(msg(4, 0, u(5, 4096)))  # create_pool(5, <no fd>, 4096)
        print(c.roundtrip(6))
    elif what == "fd-flood":
        fd = os.open("/dev/null", os.O_RDONLY)
        try:
            for i in range(400):
                c.send(msg(1, 0, u(4 + i)), [fd] * 28)  # syncs take no fds
        except OSError as e:
            print("closed (%s)" % e.strerror)
            return 0
        print(c.roundtrip(404))
    elif what == "never-read":
        # every sync is answered; nothing is read: the daemon must not
        # keep what piles up
        deadline = time.time() + float(sys.argv[3])
        c.sock.setblocking(False)
        i = 4  # new ids go up one by one, as the compositor insists
        pending = b""
        try:
            while time.time() < deadline:
                if not pending:
                    pending = b"".join(msg(1, 0, u(i + k)) for k in range(64))
                    i += 64
                try:
                    pending = pending[c.sock.send(pending):]
                except BlockingIOError:
                    time.sleep(0.01)
        except OSError as e:
            print("closed (%s)" % e.strerror)
            return 0
        print("still open after %d syncs" % (i - 4))
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
