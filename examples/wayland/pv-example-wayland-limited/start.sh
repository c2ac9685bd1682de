#!/bin/sh
# The same compositor through a link whose globals list names only
# wl_compositor and wl_shm: this client sees those two and nothing else
# (no xdg_wm_base, so it cannot open a window; no seat, no output).
export XDG_RUNTIME_DIR=/run/wayland WAYLAND_DISPLAY=wayland-0
until [ -S /run/wayland/wayland-0 ]; do sleep 1; done
echo "globals seen: $(wayland-info 2>/dev/null | sed -n "s/^interface: '\([^']*\)'.*/\1/p" | tr '\n' ' ')"
exec sleep 2147483647
