#!/usr/bin/python3
"""pv-example-dbus-server: owns org.pantavisor.Example on the container's
system bus and answers GetInfo."""
import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)


class Example(dbus.service.Object):
    @dbus.service.method("org.pantavisor.Example", out_signature="s")
    def GetInfo(self):
        return '{"service": "dbus-example", "status": "active"}'


bus = dbus.SystemBus()
name = dbus.service.BusName("org.pantavisor.Example", bus)
Example(bus, "/org/pantavisor/Example")
print("pv-example-dbus-server: org.pantavisor.Example is up", flush=True)
GLib.MainLoop().run()
