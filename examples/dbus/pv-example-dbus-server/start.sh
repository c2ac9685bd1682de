#!/bin/sh
mkdir -p /run/dbus
dbus-daemon --config-file=/example/bus.conf --nofork --nopidfile &
until [ -S /run/dbus/system_bus_socket ]; do sleep 0.1; done
exec /usr/bin/python3 /example/service.py
