#!/usr/bin/python3
"""Test peer for socket links: a provider that echoes and checks passed
fds, and the client side of each check.  Runs inside test containers.

serve PATH [--id ID]    provider on PATH.  Per connection: echoes bytes;
                        a chunk starting with FDTEST is answered with
                        "FD:<first line of the passed fd>" or "NOFD";
                        WHO is answered with "ID:<id>"; HOLD keeps the
                        connection open after the client's EOF.
client PATH CHECK ...   one client check, exit 0 when it holds:
   echo N               send N bytes, shutdown(SHUT_WR), expect them all back
   fd FILE              pass FILE's fd with FDTEST, expect FD:<its first line>
   nofd FILE            the same, but expect NOFD (negative control)
   who ID               expect ID:<ID>
   connects N HALF      N connections doing a ping round trip; HALF of them
                        send HOLD, shut down writing and stay open until the
                        end (half-open)
   hold N SECONDS       open N connections (no traffic), keep them SECONDS
   manyfds N            pass N fds in one message; exit 0 if the relay
                        refused to deliver the stream (EOF or reset)
   chaos N SEED         N connections, each ending at random: a clean round
                        trip, a half-close, a reset (closed with unread
                        data), or an abandoned write
   stream SECONDS       send and read an echo stream for SECONDS; exit 0
                        when the stream ends with EOF or a reset (not a hang)
   bulkfd ROUNDS        one connection: ROUNDS times 1 MiB of bulk, then one
                        byte carrying a fresh fd; the provider must get every
                        byte and every fd, in order, each fd no later than its
                        byte and after the previous one's (the relay splices
                        bulk and must never splice an fd away)
"""
import os
import socket
import sys
import threading
import time

from peerlib import listen_unix, read_to_eof


def serve(path, ident):
    s = listen_unix(path, 512)

    def bulkfd(c, first):
        # Receives to EOF; answers one line per fd: the stream offset just
        # past the chunk it came with, and the fd's first line.
        total, report = len(first), []
        while True:
            data, fds, _, _ = socket.recv_fds(c, 1 << 20, 16)
            if not data:
                break
            total += len(data)
            for fd in fds:
                os.lseek(fd, 0, os.SEEK_SET)
                with os.fdopen(fd, "rb") as f:
                    report.append(b"%d %s" % (total, f.readline().strip()))
        c.sendall(b"".join(r + b"\n" for r in report) + b"TOTAL %d\n" % total)

    def handle(c):
        hold = False
        try:
            while True:
                data, fds, _, _ = socket.recv_fds(c, 65536, 16)
                if not data:
                    break
                if data.startswith(b"BULKFD\n"):
                    for fd in fds:
                        os.close(fd)
                    bulkfd(c, data)
                    break
                if data.startswith(b"FDTEST"):
                    if fds:
                        with os.fdopen(fds[0], "rb", closefd=False) as f:
                            os.lseek(fds[0], 0, os.SEEK_SET)
                            line = f.readline().strip()
                        c.sendall(b"FD:" + line + b"\n")
                    else:
                        c.sendall(b"NOFD\n")
                elif data.startswith(b"WHO"):
                    c.sendall(b"ID:" + ident.encode() + b"\n")
                elif data.startswith(b"HOLD"):
                    hold = True
                    c.sendall(data)
                else:
                    c.sendall(data)
                for fd in fds:
                    os.close(fd)
            if hold:
                time.sleep(3600)
        except OSError:
            pass
        finally:
            c.close()

    while True:
        c, _ = s.accept()
        threading.Thread(target=handle, args=(c,), daemon=True).start()


def connect(path):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(20)
    c.connect(path)
    return c


def read_line(c):
    buf = b""
    while not buf.endswith(b"\n"):
        d = c.recv(4096)
        if not d:
            break
        buf += d
    return buf.strip()


def client(path, check, args):
    if check == "echo":
        n = int(args[0])
        payload = os.urandom(n)
        c = connect(path)
        sender = threading.Thread(target=lambda: (c.sendall(payload), c.shutdown(socket.SHUT_WR)))
        sender.start()
        got = read_to_eof(c)
        sender.join()
        if bytes(got) != payload:
            print(f"echo: sent {n} bytes, got {len(got)} back (equal: {bytes(got) == payload})")
            return 1
        print(f"echo: {n} bytes back after shutdown(SHUT_WR)")
        return 0
    if check in ("fd", "nofd"):
        with open(args[0], "rb") as f:
            expect = f.readline().strip()
            c = connect(path)
            socket.send_fds(c, [b"FDTEST\n"], [f.fileno()])
            reply = read_line(c)
        print(reply.decode(errors="replace"))
        if check == "fd":
            return 0 if reply == b"FD:" + expect else 1
        return 0 if reply == b"NOFD" else 1
    if check == "bulkfd":
        import tempfile
        rounds, bulk = int(args[0]), b"x" * (1 << 20)
        c = connect(path)
        c.sendall(b"BULKFD\n")
        sent, marks = 7, []
        for i in range(rounds):
            c.sendall(bulk)
            sent += len(bulk)
            with tempfile.TemporaryFile() as f:
                f.write(b"fd-%d\n" % i)
                f.flush()
                socket.send_fds(c, [b"#"], [f.fileno()])
            sent += 1
            marks.append(sent)
        c.shutdown(socket.SHUT_WR)
        lines = read_to_eof(c).decode().split("\n")[:-1]
        if lines[-1] != "TOTAL %d" % sent or len(lines) != rounds + 1:
            print("bulkfd: sent %d bytes and %d fds, provider reports %r" % (sent, rounds, lines[-3:]))
            return 1
        for i, line in enumerate(lines[:-1]):
            at, name = line.split(" ")
            low = marks[i - 1] if i else 0
            if name != "fd-%d" % i or not low < int(at) <= marks[i]:
                print("bulkfd: fd %d arrived as %r, its byte is at %d" % (i, line, marks[i]))
                return 1
        print("bulkfd: %d bytes, %d fds in order, each with its bytes" % (sent, rounds))
        return 0
    if check == "who":
        c = connect(path)
        c.sendall(b"WHO\n")
        reply = read_line(c)
        print(reply.decode(errors="replace"))
        return 0 if reply == b"ID:" + args[0].encode() else 1
    if check == "connects":
        n, half = int(args[0]), int(args[1])
        kept = []
        for i in range(n):
            c = connect(path)
            if i < half:
                c.sendall(b"HOLD\n")
                if read_line(c) != b"HOLD":
                    print(f"connection {i}: no HOLD echo")
                    return 1
                c.shutdown(socket.SHUT_WR)
                kept.append(c)
            else:
                c.sendall(b"ping\n")
                if read_line(c) != b"ping":
                    print(f"connection {i}: no ping echo")
                    return 1
                c.close()
        print(f"connects: {n} round trips, {half} left half-open")
        sys.stdout.flush()
        if len(args) > 2:  # keep the half-open ones until told
            time.sleep(float(args[2]))
        return 0
    if check == "hold":
        kept = []
        for _ in range(int(args[0])):
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.connect(path)
            kept.append(c)
        print(f"hold: {len(kept)} connections open", flush=True)
        time.sleep(float(args[1]))
        return 0
    if check == "chaos":
        # Every connection must go as its kind says: the round trips get
        # their echo, the half-closed ones their echo and then EOF, and
        # nothing fails to connect or write.  Any other end is counted and
        # the check fails with the first few, never swallowed.
        import random
        rnd = random.Random(int(args[1]))
        kinds = [0, 0, 0, 0]
        errors = []
        for i in range(int(args[0])):
            kind = rnd.randrange(4)
            kinds[kind] += 1
            try:
                c = connect(path)
                if kind == 0:  # clean round trip
                    c.sendall(b"ping\n")
                    reply = read_line(c)
                    if reply != b"ping":
                        errors.append(f"connection {i} (round trip): got {reply!r}")
                elif kind == 1:  # half-close, read the rest
                    c.sendall(b"ping\n")
                    c.shutdown(socket.SHUT_WR)
                    got = read_to_eof(c, 4096)
                    if got != b"ping\n":
                        errors.append(f"connection {i} (half-close): got {got!r} before EOF")
                elif kind == 2:  # reset: close with unread data waiting
                    c.sendall(b"x" * rnd.randrange(1, 200000))
                    time.sleep(0.001)
                else:  # write and leave without reading or shutting down
                    c.sendall(b"y" * rnd.randrange(1, 5000))
                c.close()
            except OSError as e:
                errors.append(f"connection {i} (kind {kind}): {e!r}")
        print(f"chaos: {kinds[0]} clean, {kinds[1]} half-closed, {kinds[2]} reset, {kinds[3]} abandoned, "
              f"{len(errors)} errors")
        for e in errors[:5]:
            print(e)
        return 1 if errors else 0
    if check == "stream":
        c = connect(path)
        c.settimeout(10)
        end = time.time() + float(args[0])
        chunk = b"x" * 65536
        try:
            while time.time() < end:
                c.sendall(chunk)
                if not c.recv(65536):
                    print("stream: EOF")
                    return 0
        except (ConnectionResetError, BrokenPipeError) as e:
            print(f"stream: {e.__class__.__name__}")
            return 0
        except socket.timeout:
            print("stream: hung")
            return 1
        print("stream: still flowing")
        return 2
    if check == "manyfds":
        n = int(args[0])
        fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(n)]
        c = connect(path)
        socket.send_fds(c, [b"FDTEST\n"], fds)
        try:
            reply = read_line(c)
        except ConnectionResetError:
            reply = b""
        print(f"manyfds: reply {reply!r}")
        return 0 if reply == b"" else 1
    print(f"unknown check {check}")
    return 2


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "serve":
        ident = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--id" else "provider"
        serve(sys.argv[2], ident)
    elif len(sys.argv) >= 4 and sys.argv[1] == "client":
        sys.exit(client(sys.argv[2], sys.argv[3], sys.argv[4:]))
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
