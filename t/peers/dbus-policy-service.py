#!/usr/bin/python3
"""Service for the dbus policy tests, on the bus of its container: owns
org.pantavisor.Policy with one object at /org/pantavisor/Policy/Obj and one
at /other, interface org.pantavisor.Policy:
   Get(s) -> s         returns "get <arg>"
   Set(s) -> s         returns "set <arg>"
   Emit()              broadcasts the signals Tick and Noise
   Heard() -> u        how many org.pantavisor.Client.Hello signals it got
"""
import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)
IFACE = "org.pantavisor.Policy"
heard = [0]


class Obj(dbus.service.Object):
    @dbus.service.method(IFACE, in_signature="s", out_signature="s")
    def Get(self, a):
        return "get " + a

    @dbus.service.method(IFACE, in_signature="s", out_signature="s")
    def Set(self, a):
        return "set " + a

    @dbus.service.method(IFACE)
    def Emit(self):
        self.Tick()
        self.Noise()

    @dbus.service.method(IFACE, out_signature="u")
    def Heard(self):
        return heard[0]

    @dbus.service.signal(IFACE)
    def Tick(self):
        pass

    @dbus.service.signal(IFACE)
    def Noise(self):
        pass


def hello(*args):
    heard[0] += 1


bus = dbus.SystemBus()
name = dbus.service.BusName(IFACE, bus)
Obj(bus, "/org/pantavisor/Policy/Obj")
Obj(bus, "/other")
bus.add_signal_receiver(hello, signal_name="Hello", dbus_interface="org.pantavisor.Client")
print("dbus-service: up", flush=True)
GLib.MainLoop().run()
