#!/bin/sh
echo "pv-example-rest-client: waiting for /run/pv/services/api.sock"
until [ -S /run/pv/services/api.sock ] && /usr/bin/python3 /example/client.py; do sleep 1; done
exec sleep 2147483647
