#!/bin/bash
# wayland links show only the globals of their list: headless weston with
# --debug (so weston_screenshooter and weston_debug_v1 exist) in a provider
# container; a client in the consumer container sees them directly
# (negative control) and not through a default link, cannot bind them by
# number, and sees them through a link whose list names them.  Hostile
# clients (wrong version, fake new_id, over-long message, a message
# without its fd, fd floods, a client that never reads) lose their own
# connection only.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools
command -v weston >/dev/null || skip_all "needs weston (Debian weston)"
WLC="/t/peers/wl-client.py"

weston_start
wayland_mesh "wayland-0 /run/wayland/wayland-0" "few /run/wayland/few wl_compositor,wl_shm" \
	"shooter /run/wayland/shooter default,weston_screenshooter"

wlc() { in_container app "$PY" "$WLC" "$@"; }
# directly: the compositor's own socket, reached from the app container
# through the provider's root
direct=/proc/$(cpid compositor)/root/run/wayland/wayland-0
"$PY" "$top_srcdir/t/peers/wl-client.py" "$direct" globals >"$T/direct.txt" 2>&1
wlc /run/wayland/wayland-0 globals >"$T/default.txt" 2>&1
wlc /run/wayland/few globals >"$T/few.txt" 2>&1
wlc /run/wayland/shooter globals >"$T/shooter.txt" 2>&1
diag "globals directly: $(cut -d: -f1 "$T/direct.txt" | tr '\n' ' ')"
diag "globals through the default link: $(cut -d: -f1 "$T/default.txt" | tr '\n' ' ')"
diag "globals through globals=wl_compositor,wl_shm: $(cut -d: -f1 "$T/few.txt" | tr '\n' ' ')"

check "negative control: directly, weston_screenshooter and weston_debug_v1 are offered" -- \
	sh -c "grep -q '^weston_screenshooter:' '$T/direct.txt' && grep -q '^weston_debug_v1:' '$T/direct.txt'"
check "through a default link neither is announced" -- \
	sh -c "! grep -q '^weston_screenshooter:\|^weston_debug_v1:' '$T/default.txt'"
check "... nor weston_desktop_shell (a shell role)" -- sh -c "! grep -q '^weston_desktop_shell:' '$T/default.txt'"
check "... while wl_compositor, wl_shm, wl_output, xdg_wm_base are (headless weston has no seat)" -- sh -c \
	"grep -q '^wl_compositor:' '$T/default.txt' && grep -q '^wl_shm:' '$T/default.txt' &&
	 grep -q '^wl_output:' '$T/default.txt' && grep -q '^xdg_wm_base:' '$T/default.txt'"
check "globals=wl_compositor,wl_shm: exactly those two" -- \
	sh -c "[ \"\$(cut -d: -f1 '$T/few.txt' | sort | tr '\n' ' ')\" = 'wl_compositor wl_shm ' ]"
check "globals=default,weston_screenshooter: the screenshooter is shown, weston_debug_v1 is not" -- \
	sh -c "grep -q '^weston_screenshooter:' '$T/shooter.txt' && ! grep -q '^weston_debug_v1:' '$T/shooter.txt'"

# binds by number: the names weston gave its privileged globals
shooter=$(awk -F: '$1 == "weston_screenshooter" { print $2 }' "$T/direct.txt")
debug=$(awk -F: '$1 == "weston_debug_v1" { print $2 }' "$T/direct.txt")
comp=$(awk -F: '$1 == "wl_compositor" { print $2 }' "$T/direct.txt")
"$PY" "$top_srcdir/t/peers/wl-client.py" "$direct" bind "$shooter" weston_screenshooter 1 >"$T/b0.txt" 2>&1
check "negative control: directly, binding weston_screenshooter works" -- grep -qx ok "$T/b0.txt"
wlc /run/wayland/wayland-0 bind "$shooter" weston_screenshooter 1 >"$T/b1.txt" 2>&1
check "through a default link, a bind to the screenshooter's number gets wl_display.error ($(cat "$T/b1.txt"))" -- \
	grep -q "^error 2 0 invalid global weston_screenshooter" "$T/b1.txt"
wlc /run/wayland/wayland-0 bind "$debug" weston_debug_v1 1 >"$T/b2.txt" 2>&1
check "... and to weston_debug_v1's" -- grep -q "^error 2 0 invalid global" "$T/b2.txt"
wlc /run/wayland/wayland-0 bind 4000 wl_compositor 1 >"$T/b3.txt" 2>&1
check "... and to a guessed number" -- grep -q "^error 2 0 invalid global" "$T/b3.txt"
wlc /run/wayland/wayland-0 bind "$shooter" wl_compositor 1 >"$T/b4.txt" 2>&1
check "... and to a hidden number named as a shown interface" -- grep -q "^error 2 0 invalid global" "$T/b4.txt"
wlc /run/wayland/shooter bind "$shooter" weston_screenshooter 1 >"$T/b5.txt" 2>&1
check "through the link that lists it, binding the screenshooter works" -- grep -qx ok "$T/b5.txt"

# hostile clients
wlc /run/wayland/wayland-0 bind "$comp" wl_compositor 99 >"$T/h1.txt" 2>&1
check "a bind with a version over the announced one: error ($(cat "$T/h1.txt"))" -- \
	grep -q "^error 2 0 invalid version" "$T/h1.txt"
wlc /run/wayland/wayland-0 fake-newid >"$T/h2.txt" 2>&1
check "a bind whose new_id is an existing object: error ($(cat "$T/h2.txt"))" -- grep -q "^error 2 1 new_id of an object that exists" "$T/h2.txt"
wlc /run/wayland/wayland-0 oversize >"$T/h3.txt" 2>&1
check "a message over 4096 bytes: error ($(cat "$T/h3.txt"))" -- grep -q "^error .* message over 4096 bytes" "$T/h3.txt"
wlc /run/wayland/wayland-0 no-fd >"$T/h4.txt" 2>&1
check "wl_shm.create_pool without its fd: error ($(cat "$T/h4.txt"))" -- grep -q "^error 4 1 wl_shm.create_pool came without" "$T/h4.txt"
wlc /run/wayland/wayland-0 fd-flood >"$T/h5.txt" 2>&1
check "fds no message takes (28 per sync): closed ($(cat "$T/h5.txt"))" -- grep -q "^error 1 3 too many file descriptors\|^closed" "$T/h5.txt"
check "... by the link (daemon log)" -- grep -q "wayland: client: too many file descriptors" "$T/daemon.log"
lj() { pvxctl --json links | "$PY" -c "import json,sys
l=[x for x in json.load(sys.stdin) if x['name']=='wayland-0'][0]
print(eval(sys.argv[1]))" "$1"; }
idle() { [ "$(lj "l['connections']['active']")" = 0 ]; }
# A client that never reads: the compositor may close it when its own
# buffer fills (weston does, when it gets to it), but what the daemon
# holds for it meanwhile is ours to bound: sampled while it runs.
n0=$(wc -l <"$T/daemon.log")
wlc /run/wayland/wayland-0 never-read 20 >"$T/h6.txt" 2>&1 &
NR=$!
maxp=0
while kill -0 "$NR" 2>/dev/null; do
	p=$(lj "l['parked_bytes']" 2>/dev/null) || p=0
	[ "${p:-0}" -gt "$maxp" ] && maxp=$p
	sleep 0.5
done
wait "$NR"
diag "daemon log meanwhile: $(tail -n +$((n0 + 1)) "$T/daemon.log" | tail -2 | tr '\n' ' ')"
diag "weston log: $(grep -i 'client\|error' "$WORK/compositor.log" | tail -2 | tr '\n' ' ')"
diag "the client: $(cat "$T/h6.txt")"
ok $([ "$maxp" -le $((512 * 1024)) ]; echo $?) \
	"a client that asks for events and never reads them: the daemon holds at most 512 KiB for it (most seen: $maxp bytes)"
until_true 40 idle
check "the daemon keeps no session and no parked bytes after them" -- \
	sh -c "[ '$(lj "l['connections']['active']")/$(lj "l['parked_bytes']")' = 0/0 ]"
check "pvxctl --json links counts the refused binds ($(lj "l['wayland']['binds_refused']")) and hidden globals" -- \
	sh -c "[ '$(lj "l['wayland']['binds_refused'] >= 5 and l['wayland']['globals_hidden'] > 0")' = True ]"
pvxctl links >"$T/links.txt"
check "pvxctl links shows the path and the counters" -- grep -q "filter msg=[0-9]*/[0-9]* hidden=[1-9]" "$T/links.txt"

# nothing of the above touched the others: a well-behaved client still works
wlc /run/wayland/wayland-0 globals >"$T/after.txt" 2>&1
check "after the hostile clients, a client through the default link still sees its globals" -- \
	cmp -s "$T/default.txt" "$T/after.txt"
check "weston still serves its own socket" -- sh -c "\"$PY\" '$top_srcdir/t/peers/wl-client.py' '$direct' globals | grep -q '^wl_compositor:'"

kill -TERM "$DPID"; wait "$DPID"; st=$?; DPID=
ok $st "SIGTERM: exit 0"
done_testing
