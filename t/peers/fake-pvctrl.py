#!/usr/bin/python3
"""A stand-in for Pantavisor's pv-ctrl socket, speaking only the documented
contract (DESIGN.md sections 3.1 and 6): HTTP/1.0 on a Unix socket, a Host
header required, GET /xconnect-graph answering with the graph file's
current content, POST /xconnect/events appended to an events file.

fake-pvctrl.py SOCKET GRAPH_FILE [--events FILE] [--chunked] [--no-length]
               [--status-file FILE] [--events-status-file FILE]
               [--mute-file FILE] [--xstatus-status-file FILE]
               [--tryboot DIR [--commit-after S]]
               [--activations FILE] [--activate-cmd CMD]

--chunked / --no-length choose the body framing (default Content-Length);
--status-file: when that file exists, its content is the status code
served instead of 200 (to play an unhealthy pv-ctrl).
--events-status-file: the same for POST /xconnect/events (the event is
then not taken).
--mute-file: while that file exists, GET /xconnect-graph is read and never
answered; the connection is held until the client closes it (a pv-ctrl
that accepts and hangs).  Each held request is logged as "muted".
POST /xconnect-status (pv-xconnect's link states, a JSON array) is kept,
the last one served by GET /xconnect-status ([] before any); each POST
taken is logged as "xconnect-status N LINKS".
--xstatus-status-file: while that file exists, its content is the status
code answered to POST /xconnect-status (the report is then not taken).
--tryboot DIR: Pantavisor's try-boot, played with revisions: the graph
served is DIR/<rev>.json of the current revision (GRAPH_FILE is unused).
It starts at revision DIR/committed (committed).  Writing a number to
DIR/update installs that revision in TESTING; a "rollback" event while
TESTING goes back to the committed revision (recorded as a line in
DIR/rollbacks); TESTING for S seconds (default 10) without a rollback
commits.  DIR/state always says "committed N" or "testing N (committed M)".
POST /xconnect/dbus/activate {"name": N} (start the container owning the
D-Bus name N): the name is appended as a line to the --activations file,
and --activate-cmd CMD is run by sh with N as $1 (in the background:
playing the container start); answered 200, or 404 without a CMD.
"""
import subprocess
import json
import threading
import time
import os
import socket
import socketserver
import sys


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        opts = self.server.opts
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            d = self.request.recv(4096)
            if not d:
                return
            head += d
        head, _, rest = head.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, path, _ = lines[0].split(" ", 2)
        except ValueError:
            return self.reply(400, b"bad request line\n")
        fields = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            fields[k.strip().lower()] = v.strip()
        if "host" not in fields:
            return self.reply(400, b"Host header required\n")
        if method == "GET" and path == "/xconnect-graph":
            tb = self.server.tryboot
            if tb:
                tb.tick()
                with open(tb.graph_file(), "rb") as f:
                    return self.reply(200, f.read())
            mf = opts.get("mute_file")
            if mf and os.path.exists(mf):
                print("muted", flush=True)
                while self.request.recv(4096):
                    pass
                return
            status = 200
            if opts.get("status_file") and os.path.exists(opts["status_file"]):
                with open(opts["status_file"]) as f:
                    status = int(f.read().strip() or 500)
            with open(opts["graph"], "rb") as f:
                body = f.read()
            return self.reply(status, body)
        if path == "/xconnect-status" and method == "GET":
            with self.server.lock:
                return self.reply(200, self.server.xstatus)
        if path == "/xconnect-status" and method == "POST":
            n = int(fields.get("content-length", "0"))
            body = rest
            while len(body) < n:
                d = self.request.recv(65536)
                if not d:
                    break
                body += d
            xsf = opts.get("xstatus_status_file")
            if xsf and os.path.exists(xsf):
                with open(xsf) as f:
                    return self.reply(int(f.read().strip() or 503), b"not now\n")
            try:
                links = json.loads(body[:n])
                assert isinstance(links, list)
            except (ValueError, AssertionError):
                return self.reply(400, b"not a JSON array\n")
            with self.server.lock:
                self.server.xstatus = body[:n]
                self.server.xstatus_posts += 1
                print("xconnect-status %d %d" % (self.server.xstatus_posts, len(links)), flush=True)
            return self.reply(200, b"{}")
        if method == "POST" and path == "/xconnect/events":
            n = int(fields.get("content-length", "0"))
            body = rest
            while len(body) < n:
                d = self.request.recv(65536)
                if not d:
                    break
                body += d
            esf = opts.get("events_status_file")
            if esf and os.path.exists(esf):
                with open(esf) as f:
                    return self.reply(int(f.read().strip() or 503), b"not now\n")
            if opts.get("events"):
                with open(opts["events"], "ab") as f:
                    f.write(body[:n] + b"\n")
            if self.server.tryboot:
                try:
                    ev = json.loads(body[:n])
                except ValueError:
                    return self.reply(400, b"event is not JSON\n")
                self.server.tryboot.event(ev)
            return self.reply(200, b"{}")
        if method == "POST" and path == "/xconnect/dbus/activate":
            n = int(fields.get("content-length", "0"))
            body = rest
            while len(body) < n:
                d = self.request.recv(65536)
                if not d:
                    break
                body += d
            try:
                name = json.loads(body[:n])["name"]
            except (ValueError, KeyError, TypeError):
                return self.reply(400, b"not {\"name\": ...}\n")
            if opts.get("activations"):
                with open(opts["activations"], "a") as f:
                    f.write(name + "\n")
            if not opts.get("activate_cmd"):
                return self.reply(404, b"no such container\n")
            subprocess.Popen(["sh", "-c", opts["activate_cmd"], "sh", name],
                             stdin=subprocess.DEVNULL, start_new_session=True)
            return self.reply(200, b"{}")
        return self.reply(404, b"not found\n")

    def reply(self, status, body):
        opts = self.server.opts
        out = f"HTTP/1.0 {status} X\r\nContent-Type: application/json\r\n".encode()
        if opts.get("chunked"):
            out += b"Transfer-Encoding: chunked\r\n\r\n"
            step = 7777
            for i in range(0, len(body), step):
                part = body[i:i + step]
                out += b"%x;ext=1\r\n" % len(part) + part + b"\r\n"
            out += b"0\r\nX-Trailer: yes\r\n\r\n"
        elif opts.get("no_length"):
            out += b"\r\n" + body
        else:
            out += b"Content-Length: %d\r\n\r\n" % len(body) + body
        self.request.sendall(out)


class TryBoot:
    def __init__(self, d, commit_after):
        self.d, self.commit_after = d, commit_after
        self.lock = threading.Lock()
        with open(os.path.join(d, "committed")) as f:
            self.committed = int(f.read())
        self.testing, self.since = None, 0.0
        self.save()

    def save(self):
        state = ("testing %d (committed %d)" % (self.testing, self.committed)
                 if self.testing is not None else "committed %d" % self.committed)
        with open(os.path.join(self.d, "state.tmp"), "w") as f:
            f.write(state + "\n")
        os.rename(os.path.join(self.d, "state.tmp"), os.path.join(self.d, "state"))

    def tick(self):
        with self.lock:
            upd = os.path.join(self.d, "update")
            if os.path.exists(upd):
                with open(upd) as f:
                    self.testing, self.since = int(f.read()), time.time()
                os.unlink(upd)
                self.save()
            if self.testing is not None and time.time() - self.since >= self.commit_after:
                self.committed, self.testing = self.testing, None
                self.save()

    def graph_file(self):
        with self.lock:
            rev = self.testing if self.testing is not None else self.committed
        return os.path.join(self.d, "%d.json" % rev)

    def event(self, ev):
        self.tick()
        with self.lock:
            if ev.get("event") == "rollback" and self.testing is not None:
                with open(os.path.join(self.d, "rollbacks"), "a") as f:
                    f.write("%d -> %d: %s\n" % (self.testing, self.committed, json.dumps(ev)))
                self.testing = None
                self.save()


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        sys.exit(2)
    path, graph = sys.argv[1], sys.argv[2]
    opts = {"graph": graph}
    args = sys.argv[3:]
    while args:
        a = args.pop(0)
        if a == "--events":
            opts["events"] = args.pop(0)
        elif a == "--status-file":
            opts["status_file"] = args.pop(0)
        elif a == "--events-status-file":
            opts["events_status_file"] = args.pop(0)
        elif a == "--mute-file":
            opts["mute_file"] = args.pop(0)
        elif a == "--xstatus-status-file":
            opts["xstatus_status_file"] = args.pop(0)
        elif a == "--chunked":
            opts["chunked"] = True
        elif a == "--no-length":
            opts["no_length"] = True
        elif a == "--tryboot":
            opts["tryboot"] = args.pop(0)
        elif a == "--activations":
            opts["activations"] = args.pop(0)
        elif a == "--activate-cmd":
            opts["activate_cmd"] = args.pop(0)
        elif a == "--commit-after":
            opts["commit_after"] = float(args.pop(0))
        else:
            print(f"unknown option {a}")
            sys.exit(2)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    srv = Server(path, Handler)
    srv.opts = opts
    srv.lock = threading.Lock()
    srv.xstatus, srv.xstatus_posts = b"[]", 0
    srv.tryboot = (TryBoot(opts["tryboot"], opts.get("commit_after", 10.0))
                   if opts.get("tryboot") else None)
    srv.serve_forever()


if __name__ == "__main__":
    main()
