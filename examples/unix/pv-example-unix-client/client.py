#!/usr/bin/python3
"""pv-example-unix-client: talks to the service planted for it."""
import socket
import sys

PATH = "/run/pv/services/raw.sock"
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.settimeout(5)
c.connect(PATH)
c.sendall(b"hello from pv-example-unix-client\n")
print(f"client -> {PATH}: {c.makefile('rb').readline().decode().strip()}")
sys.exit(0)
