#!/usr/bin/python3
"""A stand-in for pv-xconnect's control socket, for pvxctl's own output
(names pv-xconnect's validator would refuse, long names): HTTP/1.0 on a
Unix socket, GET /PATH answered with DIR/PATH.json (404 when missing).

fake-control.py SOCKET DIR
"""
import os
import socketserver
import sys


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline().decode("latin-1").split()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        path = line[1] if len(line) > 1 else "/"
        f = os.path.join(sys.argv[2], path.strip("/").replace("/", "_") + ".json")
        if os.path.isfile(f):
            body, status = open(f, "rb").read(), "200 OK"
        else:
            body, status = b"no such endpoint\n", "404 Not Found"
        self.wfile.write(b"HTTP/1.0 %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                         % (status.encode(), len(body)) + body)


if os.path.exists(sys.argv[1]):
    os.unlink(sys.argv[1])
socketserver.UnixStreamServer(sys.argv[1], Handler).serve_forever()
