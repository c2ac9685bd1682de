#!/bin/sh
# The bus is pv-xconnect's; this container only owns its names on it, each
# on a connection of its own: dbus-daemon lets a caller allowed to send to
# one name reach every name of the connection owning it.
until [ -S /run/dbus/system_bus_socket ]; do sleep 0.1; done
(until /usr/bin/python3 /example/service.py org.pantavisor.Secret; do sleep 1; done) &
until /usr/bin/python3 /example/service.py org.pantavisor.Example; do sleep 1; done
