#!/bin/sh
exec /usr/bin/python3 /example/server.py
