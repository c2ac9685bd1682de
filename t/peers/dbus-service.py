#!/usr/bin/python3
"""Test service for dbus links, on the bus of its container: owns
org.pantavisor.Example (as the seed's example does) and adds two methods
that move fds: ReadFd(h) returns the first line read from the passed fd,
OpenFd() returns the read end of a pipe holding "fd from the service".
dbus-service.py NAME owns NAME instead (the same object and methods): the
forbidden service of the filter tests."""
import os
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)
IFACE = "org.pantavisor.Example"


class Example(dbus.service.Object):
    @dbus.service.method(IFACE, out_signature="s")
    def GetInfo(self):
        return '{"service": "dbus-example", "status": "active"}'

    @dbus.service.method(IFACE, in_signature="h", out_signature="s")
    def ReadFd(self, fd):
        with os.fdopen(fd.take(), "r") as f:
            return f.readline().strip()

    @dbus.service.method(IFACE, out_signature="h")
    def OpenFd(self):
        r, w = os.pipe()
        os.write(w, b"fd from the service\n")
        os.close(w)
        return dbus.types.UnixFd(r)


bus = dbus.SystemBus()
name = dbus.service.BusName(sys.argv[1] if len(sys.argv) > 1 else IFACE, bus)
Example(bus, "/org/pantavisor/Example")
print("dbus-service: up", flush=True)
GLib.MainLoop().run()
