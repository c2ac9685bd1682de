#!/usr/bin/python3
"""pv-example-rest-client: GET /info through the planted socket."""
import http.client
import socket


class UnixConnection(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(5)
        self.sock.connect("/run/pv/services/api.sock")


c = UnixConnection("localhost")
c.request("GET", "/info")
r = c.getresponse()
print(f"GET /info -> {r.status} {r.read().decode()}")
