#!/bin/bash
# wayland links: headless weston in a provider container, Wayland clients in
# a consumer container through the link.  Wayland passes fds (wl_shm pools,
# keymaps), so the same client through socat must fail: the negative control.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools
for t in weston weston-simple-shm wayland-info weston-screenshooter; do
	command -v $t >/dev/null || skip_all "needs $t (Debian weston, wayland-utils)"
done

# weston: headless, pixman, --debug so weston-screenshooter may capture.
weston_start
wayland_mesh "wayland-0 /run/wayland/wayland-0" "shooter /run/wayland/wayland-shot default,weston_screenshooter"

wl() { in_container app env XDG_RUNTIME_DIR=/run/wayland WAYLAND_DISPLAY=wayland-0 "$@"; }
wl wayland-info >"$T/info.txt" 2>&1
check "wayland-info through the link lists wl_shm" -- grep -q "wl_shm" "$T/info.txt"

# the background alone (once the shell has drawn it: two equal captures),
# then with weston-simple-shm drawing
# (through the link whose globals list shows the screenshooter: the
# default one hides it)
shot() { rm -f "$T"/data/wayland-screenshot-*.png; in_container app env XDG_RUNTIME_DIR=/run/wayland WAYLAND_DISPLAY=wayland-shot \
	sh -c 'cd /data && weston-screenshooter' >>"$T/shot.log" 2>&1 &&
	mv "$T"/data/wayland-screenshot-*.png "$1"; }
settled() { shot "$T/b1.png" && sleep 0.5 && shot "$T/before.png" &&
	[ "$("$PY" "$top_srcdir/t/peers/png-pixels.py" "$T/b1.png" "$T/before.png")" = 0 ]; }
until_true 10 settled
wl sh -c 'timeout 3 weston-simple-shm' >"$T/shm.log" 2>&1 &
SHM=$!
sleep 1.5
shot "$T/after.png"
wait $SHM; st=$?
ok $([ $st = 124 ]; echo $?) "weston-simple-shm through the link ran 3 s (killed by timeout: $st)"
check "... without a protocol error" -- sh -c "! grep -qi 'error' '$T/shm.log'"
if [ -f "$T/before.png" ] && [ -f "$T/after.png" ]; then
	n=$("$PY" "$top_srcdir/t/peers/png-pixels.py" "$T/before.png" "$T/after.png")
	# simple-shm draws a 250x250 window: most of it must show.
	ok $([ "${n:-0}" -gt 30000 ] && [ "${n:-0}" -lt 200000 ]; echo $?) "the screenshot shows the client's window ($n pixels changed)"
else
	ok 1 "weston-screenshooter wrote both screenshots"
	sed 's/^/# /' "$T/shot.log"
fi
pvxctl links >"$T/links.txt"
check "fds went through the link (pvxctl links)" -- grep -q "fds=[1-9]" "$T/links.txt"

# negative control: the same client through socat has no fds to work with
if command -v socat >/dev/null; then
	socat UNIX-LISTEN:"$T/data/socat-wl",fork UNIX-CONNECT:"/proc/$(cpid compositor)/root/run/wayland/wayland-0" &
	BACKGROUND="$BACKGROUND $!"
	until_true 5 test -S "$T/data/socat-wl"
	in_container app env XDG_RUNTIME_DIR=/data WAYLAND_DISPLAY=socat-wl timeout 3 weston-simple-shm >"$T/socat.log" 2>&1
	st=$?
	ok $([ $st != 124 ] && grep -q "error" "$T/socat.log"; echo $?) "negative control: weston-simple-shm through socat fails at once (exit $st: $(head -c 120 "$T/socat.log" | tr '\n' ' '))"
fi

# the compositor goes away: clients get a clean close, not a hang
container_kill compositor
until_true 5 sh -c "\"$PVXCTL\" --control $T/xc.sock links | grep -q INJECTED"
wl timeout 5 weston-simple-shm >"$T/down.log" 2>&1
st=$?
ok $([ $st != 124 ] && grep -q "No wl_shm global" "$T/down.log"; echo $?) "compositor down: a client is closed at once, no hang (exit $st)"

kill -TERM "$DPID"; wait "$DPID"; st=$?; DPID=
ok $st "SIGTERM: exit 0"
done_testing
