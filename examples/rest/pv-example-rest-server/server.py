#!/usr/bin/python3
"""pv-example-rest-server: HTTP over /run/example/api.sock; answers with
the identity pv-xconnect put in X-PV-Client and X-PV-Role."""
import json
import os
import socketserver
from http.server import BaseHTTPRequestHandler

PATH = "/run/example/api.sock"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"service": "rest-example", "path": self.path,
                           "client": self.headers.get("X-PV-Client"),
                           "role": self.headers.get("X-PV-Role")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def address_string(self):
        return "consumer"


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


os.makedirs(os.path.dirname(PATH), exist_ok=True)
print(f"pv-example-rest-server: HTTP on {PATH}", flush=True)
Server(PATH, Handler).serve_forever()
