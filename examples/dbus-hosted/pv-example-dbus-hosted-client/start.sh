#!/bin/sh
call() { # call NAME: GetInfo of NAME on the hosted bus
	dbus-send --system --print-reply --dest="$1" /org/pantavisor/Example org.pantavisor.Example.GetInfo 2>&1
}
until [ -S /run/dbus/system_bus_socket ] && call org.pantavisor.Example >/tmp/first 2>&1; do sleep 1; done
echo "--- allowed: operator calls org.pantavisor.Example ---"
cat /tmp/first
echo "--- denied: operator calls org.pantavisor.Secret (no allow for operator) ---"
call org.pantavisor.Secret
echo "--- activation: operator calls org.pantavisor.Lazy, whose container is not running ---"
t0=$(date +%s)
call org.pantavisor.Lazy
echo "(answered after $(( $(date +%s) - t0 )) s: pv-ctrl was asked to start pv-example-dbus-hosted-lazy)"
exec sleep 2147483647
