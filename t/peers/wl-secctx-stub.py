#!/usr/bin/python3
"""A test compositor that speaks as much Wayland as the security context
registration needs (no Debian 12 compositor offers wp_security_context_v1:
wlroots has it from 0.17, bookworm ships 0.15; weston 10 never had it).

  wl-secctx-stub.py SOCKET LOG

Announces wl_compositor and wp_security_context_manager_v1 on SOCKET; logs
to LOG every bind, create_listener (with the number of fds it came with),
set_sandbox_engine/app_id/instance_id, commit.  After commit it accepts
on the listening fd it was given; clients there see the global
"stub_via_listener" instead, and are logged.  When the close fd hangs up
it logs so and stops accepting there.
"""
import array
import os
import select
import socket
import struct
import sys

log = open(sys.argv[2], "a", buffering=1)


def say(text):
    log.write(text + "\n")


def msg(obj, op, payload=b""):
    return struct.pack("=II", obj, (8 + len(payload)) << 16 | op) + payload


def u(*ws):
    return struct.pack("=" + "I" * len(ws), *ws)


def s(text):
    b = text.encode() + b"\0"
    return u(len(b)) + b + b"\0" * (-len(b) % 4)


def string(p, off):
    (n,) = struct.unpack_from("=I", p, off)
    return p[off + 4:off + 4 + n - 1].decode(), off + 4 + n + (-n % 4)


class Client:
    def __init__(self, sock, via_listener):
        self.sock, self.via = sock, via_listener
        self.buf, self.fds = b"", []
        self.registries, self.objects = set(), {}

    def globals(self):
        if self.via:
            return [(1, "wl_compositor", 4), (3, "stub_via_listener", 1)]
        return [(1, "wl_compositor", 4), (2, "wp_security_context_manager_v1", 1)]


clients = {}
listeners = {}  # listen fd -> close fd
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1])
srv.listen(16)
say("listening")


def handle(c, obj, op, p):
    out = b""
    if obj == 1 and op == 1:  # get_registry
        (rid,) = struct.unpack_from("=I", p)
        c.registries.add(rid)
        for name, iface, ver in c.globals():
            out += msg(rid, 0, u(name) + s(iface) + u(ver))
    elif obj == 1 and op == 0:  # sync
        (cb,) = struct.unpack_from("=I", p)
        out += msg(cb, 0, u(0)) + msg(1, 1, u(cb))
    elif obj in c.registries and op == 0:  # bind
        (name,) = struct.unpack_from("=I", p)
        iface, off = string(p, 4)
        ver, nid = struct.unpack_from("=II", p, off)
        c.objects[nid] = iface
        say("bind %d %s %d" % (name, iface, ver))
    elif c.objects.get(obj) == "wp_security_context_manager_v1" and op == 1:
        (nid,) = struct.unpack_from("=I", p)
        c.objects[nid] = "wp_security_context_v1"
        got, c.fds = c.fds[:2], c.fds[2:]
        say("create_listener fds=%d" % len(got))
        c.pending = got
    elif c.objects.get(obj) == "wp_security_context_v1":
        if op in (1, 2, 3):
            text, _ = string(p, 0)
            say("%s %s" % (["", "sandbox_engine", "app_id", "instance_id"][op], text))
        elif op == 4 and len(getattr(c, "pending", [])) == 2:
            lfd, cfd = c.pending
            listeners[socket.socket(fileno=lfd)] = cfd
            say("commit")
    if out:
        c.sock.sendall(out)


while True:
    rd = [srv] + [c.sock for c in clients.values()] + list(listeners) + list(listeners.values())
    ready, _, _ = select.select(rd, [], [])
    for r in ready:
        if r is srv or r in listeners:
            conn, _ = r.accept()
            clients[conn.fileno()] = Client(conn, r in listeners)
            if r in listeners:
                say("client via listener")
        elif isinstance(r, int):  # a close fd: hung up
            for lsock, cfd in list(listeners.items()):
                if cfd == r:
                    say("close_fd hung up")
                    del listeners[lsock]
                    lsock.close()
                    os.close(cfd)
        else:
            c = clients[r.fileno()]
            fdsize = array.array("i").itemsize
            try:
                data, anc, _, _ = r.recvmsg(65536, socket.CMSG_SPACE(16 * fdsize))
            except ConnectionResetError:
                data, anc = b"", []
            for level, kind, fdata in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    a = array.array("i")
                    a.frombytes(fdata[:len(fdata) - len(fdata) % fdsize])
                    c.fds += list(a)
            if not data:
                del clients[r.fileno()]
                r.close()
                continue
            c.buf += data
            while len(c.buf) >= 8:
                obj, w = struct.unpack_from("=II", c.buf)
                size = w >> 16
                if len(c.buf) < size:
                    break
                handle(c, obj, w & 0xFFFF, c.buf[8:size])
                c.buf = c.buf[size:]
