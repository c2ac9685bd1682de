#!/bin/bash
# wayland links and wp_security_context_v1: a link without a globals list
# whose compositor offers the security context manager registers its
# listener with it (sandbox engine pv-xconnect, app id the consumer,
# instance id the link) and leaves the data path; a link with a list stays
# on the filter.  No compositor of Debian 12 offers the protocol (wlroots
# 0.15, weston 10), so a test compositor speaks it: t/peers/wl-secctx-stub.py,
# as far as the protocol goes.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools

compositor_start sh -c 'mkdir -p /run/wayland && exec /usr/bin/python3 /t/peers/wl-secctx-stub.py /run/wayland/wayland-0 /data/stub.log'
wayland_mesh "wayland-0 /run/wayland/wayland-0" "listed /run/wayland/listed wl_compositor"
L="$T/data/stub.log"
sed 's/^/# stub: /' "$L"
check "the link bound wp_security_context_manager_v1" -- grep -q "^bind 2 wp_security_context_manager_v1 1$" "$L"
check "create_listener came with its two fds (listen, close)" -- grep -qx "create_listener fds=2" "$L"
check "sandbox engine pv-xconnect, app id the consumer, instance id the link, then commit" -- \
	sh -c "grep -qx 'sandbox_engine pv-xconnect' '$L' && grep -qx 'app_id app' '$L' &&
	       grep -qx 'instance_id wayland-0' '$L' && grep -qx commit '$L'"
check "the link with a globals list did not register (one listener only)" -- \
	sh -c "[ \$(grep -c '^create_listener' '$L') = 1 ] && ! grep -qx 'instance_id listed' '$L'"
pvxctl links >"$T/links.txt"
check "pvxctl links: wayland-0 took the secctx path" -- grep -q "app/wayland-0 .*secctx" "$T/links.txt"
check "pvxctl links: listed took the filter path" -- grep -q "app/listed .*filter" "$T/links.txt"

in_container app "$PY" /t/peers/wl-client.py /run/wayland/wayland-0 globals >"$T/g1.txt" 2>&1
check "a client of wayland-0 is served by the compositor itself, through its listener" -- \
	sh -c "grep -q '^stub_via_listener:' '$T/g1.txt' && grep -qx 'client via listener' '$L'"
total=$(pvxctl --json links | "$PY" -c "import json,sys
print([x for x in json.load(sys.stdin) if x['name']=='wayland-0'][0]['connections']['total'])")
check "... the daemon relayed none of it (connections total $total)" -- test "$total" = 0
in_container app "$PY" /t/peers/wl-client.py /run/wayland/listed globals >"$T/g2.txt" 2>&1
check "a client of the listed link sees only wl_compositor, through the filter" -- \
	sh -c "[ \"\$(cut -d: -f1 '$T/g2.txt')\" = wl_compositor ]"

kill -TERM "$DPID"; wait "$DPID"; st=$?; DPID=
ok $st "SIGTERM: exit 0"
until_true 5 grep -qx "close_fd hung up" "$L"
check "released, the link hung up the close fd: the compositor stops accepting" -- grep -qx "close_fd hung up" "$L"
done_testing
