"""D-Bus wire format for the test peers that must write what a library
would refuse to (hostile clients): little-endian method calls built by
hand, and the header fields of what comes back."""
import struct

BUS = "org.freedesktop.DBus"
BUS_PATH = "/org/freedesktop/DBus"


def pad(b, a):
    return b + b"\0" * ((-len(b)) % a)


def string_body(s):
    e = s.encode()
    return struct.pack("<I", len(e)) + e + b"\0"


def method_call(serial, member, dest=BUS, path=BUS_PATH, iface=BUS, sig="", body=b""):
    """A little-endian METHOD_CALL (the bus driver's by default)."""
    fields = [(1, "o", path), (2, "s", iface), (3, "s", member), (6, "s", dest)]
    if sig:
        fields.append((8, "g", sig))
    h = bytearray(b"l\x01\x00\x01" + struct.pack("<III", len(body), serial, 0))
    for code, t, v in fields:
        h = pad(h, 8)
        h += bytes([code, 1]) + t.encode() + b"\0"
        e = v.encode()
        if t == "g":
            h += bytes([len(e)]) + e + b"\0"
        else:
            h = pad(h, 4)
            h += struct.pack("<I", len(e)) + e + b"\0"
    struct.pack_into("<I", h, 12, len(h) - 16)
    return bytes(pad(h, 8)) + body


def split_message(buf):
    """(message, rest) when buf starts with a whole little-endian message,
    else (None, buf)."""
    if len(buf) < 16:
        return None, buf
    body_len, _, fields_len = struct.unpack_from("<III", buf, 4)
    total = 16 + ((fields_len + 7) & ~7) + body_len
    if len(buf) < total:
        return None, buf
    return buf[:total], buf[total:]


def header_fields(m):
    """Header fields of a little-endian message: {code: value} for the
    u, s, o and g fields (reading stops at any other type)."""
    fields_len = struct.unpack_from("<I", m, 12)[0]
    out, pos, end = {}, 16, 16 + fields_len
    while pos < end:
        pos = (pos + 7) & ~7
        code, siglen = m[pos], m[pos + 1]
        t = chr(m[pos + 2])
        pos += 3 + siglen
        if t == "u":
            pos = (pos + 3) & ~3
            out[code] = struct.unpack_from("<I", m, pos)[0]
            pos += 4
        elif t in "so":
            pos = (pos + 3) & ~3
            n = struct.unpack_from("<I", m, pos)[0]
            out[code] = m[pos + 4:pos + 4 + n].decode("utf-8", "replace")
            pos += 4 + n + 1
        elif t == "g":
            n = m[pos]
            out[code] = m[pos + 1:pos + 1 + n].decode()
            pos += 1 + n + 1
        else:
            break
    return out


def body_of(m):
    return m[len(m) - struct.unpack_from("<I", m, 4)[0]:]


def first_string(body):
    if len(body) < 4:
        return ""
    n = struct.unpack_from("<I", body)[0]
    return body[4:4 + n].decode("utf-8", "replace")
