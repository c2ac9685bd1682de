#!/bin/sh
export XDG_RUNTIME_DIR=/run/wayland WAYLAND_DISPLAY=wayland-0
until [ -S /run/wayland/wayland-0 ]; do sleep 1; done
# The link has no globals list: the default one (what applications need,
# nothing privileged: no weston_screenshooter, no weston_debug_v1).
echo "globals seen: $(wayland-info 2>/dev/null | sed -n "s/^interface: '\([^']*\)'.*/\1/p" | tr '\n' ' ')"
# Still drawing when the timeout stops it means it worked (124: GNU timeout,
# 143: busybox timeout, SIGTERM).
timeout 3 weston-simple-shm
st=$?
if [ $st = 124 ] || [ $st = 143 ]; then
	echo "weston-simple-shm ran 3 s through the link"
else
	echo "weston-simple-shm failed (exit $st)"
fi
exec sleep 2147483647
