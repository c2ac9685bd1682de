#!/bin/sh
# Not started with the others (on-demand): pv-ctrl starts it when a call to
# org.pantavisor.Lazy arrives (activation on first call).
echo "pv-example-dbus-hosted-lazy: started"
until [ -S /run/dbus/system_bus_socket ]; do sleep 0.1; done
exec /usr/bin/python3 /example/service.py org.pantavisor.Lazy
