#!/usr/bin/python3
"""A stand-in for Pantavisor's pv-ctrl socket, speaking only the documented
contract (DESIGN.md sections 3.1 and 6): HTTP/1.0 on a Unix socket, a Host
header required, GET /xconnect-graph answering with the graph file's
current content, POST /xconnect/events appended to an events file.

fake-pvctrl.py SOCKET GRAPH_FILE [--events FILE] [--chunked] [--no-length]
               [--status-file FILE]

--chunked / --no-length choose the body framing (default Content-Length);
--status-file: when that file exists, its content is the status code
served instead of 200 (to play an unhealthy pv-ctrl).
"""
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
            status = 200
            if opts.get("status_file") and os.path.exists(opts["status_file"]):
                with open(opts["status_file"]) as f:
                    status = int(f.read().strip() or 500)
            with open(opts["graph"], "rb") as f:
                body = f.read()
            return self.reply(status, body)
        if method == "POST" and path == "/xconnect/events":
            n = int(fields.get("content-length", "0"))
            body = rest
            while len(body) < n:
                d = self.request.recv(65536)
                if not d:
                    break
                body += d
            if opts.get("events"):
                with open(opts["events"], "ab") as f:
                    f.write(body[:n] + b"\n")
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
        elif a == "--chunked":
            opts["chunked"] = True
        elif a == "--no-length":
            opts["no_length"] = True
        else:
            print(f"unknown option {a}")
            sys.exit(2)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    srv = Server(path, Handler)
    srv.opts = opts
    srv.serve_forever()


if __name__ == "__main__":
    main()
