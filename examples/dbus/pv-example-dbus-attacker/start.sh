#!/bin/sh
# Tries to take the service's name; with role "nobody" the bus must refuse.
until [ -S /run/dbus/system_bus_socket ]; do sleep 1; done
/usr/bin/python3 -c '
import dbus
try:
    dbus.service = __import__("dbus.service").service
    dbus.service.BusName("org.pantavisor.Example", dbus.SystemBus(), do_not_queue=True)
    print("attacker: owned org.pantavisor.Example (policy NOT enforced)")
except dbus.exceptions.DBusException as e:
    print("attacker: refused as expected:", e.get_dbus_name())
'
exec sleep 2147483647
