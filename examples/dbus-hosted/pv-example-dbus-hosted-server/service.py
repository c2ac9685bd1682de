#!/usr/bin/python3
"""Owns the names given on the command line on the hosted system bus and
answers GetInfo on each (org.pantavisor.Example interface)."""
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)


class Example(dbus.service.Object):
    def __init__(self, bus, name):
        super().__init__(bus, "/org/pantavisor/Example")
        self.name = name

    @dbus.service.method("org.pantavisor.Example", out_signature="s")
    def GetInfo(self):
        return '{"service": "%s", "status": "active"}' % self.name


bus = dbus.SystemBus()
keep = [dbus.service.BusName(n, bus) for n in sys.argv[1:]]
Example(bus, sys.argv[1])
print("%s: %s up on the hosted bus" % (sys.argv[0].split("/")[-1], " ".join(sys.argv[1:])), flush=True)
GLib.MainLoop().run()
