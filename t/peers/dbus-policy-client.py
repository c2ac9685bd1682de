#!/usr/bin/python3
"""Client for the dbus policy tests (python3-dbus).  dbus-policy-client.py
ADDRESS CHECK [ARGS...]; prints the result or "<error name> <message>"
(exit 1):
   call DEST PATH IFACE MEMBER [STRARG]   a call; prints its answer
   own NAME                               RequestName; "owned" or the error
   owner NAME                             GetNameOwner
   has NAME                               NameHasOwner: True/False
   list                                   ListNames, one per line
   signals                                AddMatch for org.pantavisor.Policy,
                                          Emit, then the signals seen
   hello                                  emit org.pantavisor.Client.Hello
   match RULE                             AddMatch(RULE)
   monitor                                BecomeMonitor
   env                                    UpdateActivationEnvironment
"""
import sys
import time

import dbus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

addr, check, args = sys.argv[1], sys.argv[2], sys.argv[3:]
DRV = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")
try:
    if check == "signals":
        DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(addr)

    def drv(member, sig="", a=()):
        return bus.call_blocking(*DRV, member, sig, list(a), timeout=10)

    if check == "call":
        dest, path, iface, member = args[:4]
        a = args[4:5]
        print(bus.call_blocking(dest, path, iface, member, "s" if a else "", a, timeout=10))
    elif check == "own":
        r = bus.request_name(args[0], dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
        print("owned" if r == dbus.bus.REQUEST_NAME_REPLY_PRIMARY_OWNER else "not owned: %d" % r)
    elif check == "owner":
        print(drv("GetNameOwner", "s", args))
    elif check == "has":
        print(bool(drv("NameHasOwner", "s", args)))
    elif check == "list":
        for n in drv("ListNames"):
            print(n)
    elif check == "signals":
        seen = []
        bus.add_signal_receiver(lambda *a, **k: seen.append(k["member"]), bus_name="org.pantavisor.Policy",
                                dbus_interface="org.pantavisor.Policy", member_keyword="member")
        bus.call_blocking("org.pantavisor.Policy", "/org/pantavisor/Policy/Obj", "org.pantavisor.Policy",
                          "Emit", "", [], timeout=10)
        loop = GLib.MainLoop()
        GLib.timeout_add(1000, loop.quit)
        loop.run()
        print(" ".join(sorted(seen)) or "none")
    elif check == "hello":
        m = dbus.lowlevel.SignalMessage("/c", "org.pantavisor.Client", "Hello")
        bus.send_message(m)
        bus.flush()
        time.sleep(0.3)
        print("sent")
    elif check == "match":
        drv("AddMatch", "s", args)
        print("matched")
    elif check == "monitor":
        bus.call_blocking(DRV[0], DRV[1], "org.freedesktop.DBus.Monitoring", "BecomeMonitor", "asu",
                          [dbus.Array([], signature="s"), dbus.UInt32(0)], timeout=10)
        print("monitoring")
    elif check == "env":
        drv("UpdateActivationEnvironment", "a{ss}", [dbus.Dictionary({"X": "1"}, signature="ss")])
        print("updated")
    else:
        sys.exit("unknown check " + check)
except dbus.exceptions.DBusException as e:
    print(e.get_dbus_name(), e.get_dbus_message())
    sys.exit(1)
