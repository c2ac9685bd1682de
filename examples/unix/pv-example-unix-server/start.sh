#!/bin/sh
# pv-example-unix-server: the provider answers on /run/example/raw.sock.
exec /usr/bin/python3 /example/server.py
