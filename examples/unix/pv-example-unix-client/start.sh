#!/bin/sh
# pv-example-unix-client: waits for the socket pv-xconnect plants, talks to
# the provider through it, then stays up.
echo "pv-example-unix-client: waiting for /run/pv/services/raw.sock"
until [ -S /run/pv/services/raw.sock ] && /usr/bin/python3 /example/client.py; do
	sleep 1
done
exec sleep 2147483647
