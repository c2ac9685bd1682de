#!/usr/bin/python3
"""systemd's side of sd_notify(3) for the tests: binds a datagram socket at
PATH (an abstract name when PATH starts with '@') and appends each datagram
received to OUT as one line, its KEY=value lines joined by ' | '.  Also
records the sender's credentials (SO_PASSCRED) as pid=N first.

notify-listen.py PATH OUT
"""
import os
import socket
import struct
import sys


def main():
    path, out = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if path.startswith("@"):
        s.bind("\0" + path[1:])
    else:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        s.bind(path)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    with open(out + ".ready", "w"):
        pass
    while True:
        msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
        pid = 0
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("iII", data[:12])[0]
        with open(out, "a") as f:
            f.write("pid=%d | %s\n" % (pid, " | ".join(msg.decode().split("\n"))))


if __name__ == "__main__":
    main()
