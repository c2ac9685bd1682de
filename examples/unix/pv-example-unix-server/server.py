#!/usr/bin/python3
"""pv-example-unix-server: answers every line on /run/example/raw.sock."""
import os
import socket

PATH = "/run/example/raw.sock"
os.makedirs(os.path.dirname(PATH), exist_ok=True)
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(PATH)
srv.listen(16)
print(f"pv-example-unix-server: listening on {PATH}", flush=True)
while True:
    conn, _ = srv.accept()
    with conn:
        try:
            line = conn.makefile("rb").readline().decode(errors="replace").strip()
            if line:  # pv-xconnect's reachability probe sends nothing
                conn.sendall(f"pv-example-unix-server got '{line}' (pid {os.getpid()} in its namespace)\n".encode())
        except OSError:
            pass
