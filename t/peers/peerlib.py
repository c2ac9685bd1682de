"""What every socket peer of the tests does the same way."""
import os
import socket


def listen_unix(path, backlog):
    """A stream socket listening at path (replacing a stale one, making its
    directory), connectable by any uid: the consumer side of a link may
    connect as another user."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    os.chmod(path, 0o666)
    s.listen(backlog)
    return s


def read_to_eof(c, chunk=65536):
    """Every byte c sends until it shuts down its side."""
    got = bytearray()
    while True:
        d = c.recv(chunk)
        if not d:
            return bytes(got)
        got += d
