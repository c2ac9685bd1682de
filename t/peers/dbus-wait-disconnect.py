#!/usr/bin/python3
"""dbus-wait-disconnect.py ADDRESS SECONDS: connects (python3-dbus), prints
"connected", then waits for the connection to close: prints
"disconnected" (exit 0) or, after SECONDS, "still connected" (exit 1)."""
import sys

import dbus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(sys.argv[1])
bus.set_exit_on_disconnect(False)
loop = GLib.MainLoop()
result = {"code": 1}


def gone(*args):
    print("disconnected", flush=True)
    result["code"] = 0
    loop.quit()


bus.add_signal_receiver(gone, signal_name="Disconnected", dbus_interface="org.freedesktop.DBus.Local",
                        path="/org/freedesktop/DBus/Local")
GLib.timeout_add(int(float(sys.argv[2]) * 1000), lambda: (print("still connected", flush=True), loop.quit()))
print("connected", flush=True)
loop.run()
sys.exit(result["code"])
