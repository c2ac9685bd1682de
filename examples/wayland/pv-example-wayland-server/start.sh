#!/bin/sh
# Headless weston (no GPU needed) serving /run/wayland/wayland-0; --debug
# makes it offer weston_screenshooter and weston_debug_v1, which the links
# hide from their clients unless their globals list names them.
mkdir -p /run/wayland && chmod 700 /run/wayland
export XDG_RUNTIME_DIR=/run/wayland
exec weston --backend=headless-backend.so --use-pixman --socket=wayland-0 --idle-time=0 --debug
