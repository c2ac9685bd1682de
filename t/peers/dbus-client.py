#!/usr/bin/python3
"""Client side of the dbus link tests (python3-dbus, unmodified libdbus
underneath).  dbus-client.py ADDRESS CHECK [ARG]; prints the result, exit
status 0 when the call itself worked:
   uid            the uid the bus sees for this connection
   groups         the group ids the bus sees (GetConnectionCredentials)
   info           GetInfo of org.pantavisor.Example
   own NAME       try to own NAME; prints "owned" or the error name
   readfd         pass a pipe holding "fd from the client" to ReadFd
   openfd         read the fd OpenFd returns
   call DEST      Ping DEST (org.freedesktop.DBus.Peer); prints the error
                  name on failure"""
import os
import sys

import dbus

addr, check = sys.argv[1], sys.argv[2]
arg = sys.argv[3] if len(sys.argv) > 3 else None
try:
    bus = dbus.bus.BusConnection(addr)
    ex = None
    if check in ("info", "readfd", "openfd"):
        ex = dbus.Interface(bus.get_object("org.pantavisor.Example", "/org/pantavisor/Example"),
                            "org.pantavisor.Example")
    if check == "uid":
        print(bus.get_unix_user(bus.get_unique_name()))
    elif check == "groups":
        creds = bus.call_blocking("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                  "org.freedesktop.DBus", "GetConnectionCredentials", "s",
                                  [bus.get_unique_name()])
        print(" ".join(str(int(g)) for g in creds.get("UnixGroupIDs", [])))
    elif check == "info":
        print(ex.GetInfo())
    elif check == "own":
        r = bus.request_name(arg, dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
        print("owned" if r == dbus.bus.REQUEST_NAME_REPLY_PRIMARY_OWNER else "not owned: %d" % r)
    elif check == "readfd":
        r, w = os.pipe()
        os.write(w, b"fd from the client\n")
        os.close(w)
        print(ex.ReadFd(dbus.types.UnixFd(r)))
        os.close(r)
    elif check == "openfd":
        fd = ex.OpenFd().take()
        with os.fdopen(fd, "r") as f:
            print(f.readline().strip())
    elif check == "call":
        bus.call_blocking(arg, "/", "org.freedesktop.DBus.Peer", "Ping", "", [], timeout=5)
        print("answered")
    else:
        sys.exit("unknown check " + check)
except dbus.exceptions.DBusException as e:
    print(e.get_dbus_name(), e.get_dbus_message())
    sys.exit(1)
