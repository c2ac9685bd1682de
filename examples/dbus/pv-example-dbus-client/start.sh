#!/bin/sh
echo "--- Requesting info from D-Bus service org.pantavisor.Example ---"
until [ -S /run/dbus/system_bus_socket ] && dbus-send --system --print-reply \
	--dest=org.pantavisor.Example /org/pantavisor/Example org.pantavisor.Example.GetInfo; do
	sleep 1
done
exec sleep 2147483647
