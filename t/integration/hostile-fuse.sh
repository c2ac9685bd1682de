#!/bin/bash
# Containers whose filesystem never answers (a FUSE server that reads no
# request): one consumer has it where its link's target goes, one provider
# over its socket directory.  What the daemon does there runs on worker
# threads with a time limit, so the stalled links back off with a reason
# while an innocent link keeps its round trips, the control socket
# answers, and SIGTERM still ends the daemon.  (Before the work moved off
# the loop, each of these hung with the first lookup in the FUSE mount.)
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools
STALL="$top_builddir/t/peers/fuse-stall"
[ -x "$STALL" ] || skip_all "t/peers/fuse-stall not built"
[ -c /dev/fuse ] || skip_all "no /dev/fuse"

stall_start() { # stall_start CONTAINER DIR: a silent FUSE mount at DIR inside it
	mkdir -p "/proc/$(cpid "$1")/root$2"
	nsenter --target "$(cpid "$1")" --mount -- "$STALL" "$WORK/$1/root$2" >"$T/stall-$1.out" 2>&1 &
	BACKGROUND="$BACKGROUND $!"
	until_true 5 grep -q mounted "$T/stall-$1.out"
}
last_error() { # last_error CONSUMER NAME
	pvxctl links --json | "$PY" -c '
import json, sys
for l in json.load(sys.stdin):
    if l["consumer"] == sys.argv[1] and l["name"] == sys.argv[2]:
        print(l["state"], l["last_error"] or "")' "$1" "$2"
}
backed_off_with() { last_error "$1" "$2" | grep -q "^BACKOFF .*$3"; }
logged() { grep -q -- "$1" "$T/daemon.log"; }
echo_64() { timeout 10 nsenter --target "$(cpid client)" --mount --pid --net --root --wd=/ -- \
	"$PY" /t/peers/peer.py client "$SOCK" echo 64; }

SOCK=/run/pv/services/raw.sock
container_start server "$PY" /t/peers/peer.py serve /run/example/raw.sock
container_start client sleep 100000
container_start stalled sleep 100000
container_start pstall sleep 100000
until_true 5 test -S "/proc/$(cpid server)/root/run/example/raw.sock"
stall_start stalled /run/pv/stall || skip_all "cannot mount FUSE here: $(cat "$T/stall-stalled.out")"
stall_start pstall /run/example

cat >"$T/graph.json" <<JSON
[{"type": "unix", "name": "raw", "consumer": "client", "consumer_pid": $(cpid client),
  "provider": "server", "provider_pid": $(cpid server),
  "socket": "/run/example/raw.sock", "target": "$SOCK"},
 {"type": "unix", "name": "stuck", "consumer": "stalled", "consumer_pid": $(cpid stalled),
  "provider": "server", "provider_pid": $(cpid server),
  "socket": "/run/example/raw.sock", "target": "/run/pv/stall/s.sock"},
 {"type": "unix", "name": "pstuck", "consumer": "client", "consumer_pid": $(cpid client),
  "provider": "pstall", "provider_pid": $(cpid pstall),
  "socket": "/run/example/p.sock", "target": "/run/pv/services/p.sock"}]
JSON
fake_pvctrl_start "$T/graph.json"
daemon_start --work-timeout 2

raw_active() { [ "$(link_state client raw)" = ACTIVE ]; }
check "the innocent link becomes ACTIVE beside two stalled ones" -- until_true 10 raw_active
check "64-byte round trips on the innocent link answer while the others hang" -- echo_64
check "pvxctl links answers (the control socket is not stalled)" -- timeout 5 "$PVXCTL" --control "$T/xc.sock" links
check "the link planted into a stalled consumer backs off: planting did not finish" -- \
	until_true 15 logged "link stalled/stuck -> /run/pv/stall/s.sock: planting did not finish in 2 s"
check "the link whose provider directory stalls backs off too" -- \
	until_true 15 logged "link client/pstuck -> /run/pv/services/p.sock: planting did not finish in 2 s"
check "the stalled links hold their jobs back instead of piling up threads" -- \
	until_true 15 backed_off_with stalled stuck "still wait in the container"
check "a graph poll after all that still applies (SIGHUP answered)" -- \
	sh -c "kill -HUP $DPID && timeout 5 \"$PVXCTL\" --control \"$T/xc.sock\" reconcile >/dev/null"
check "the innocent link still answers" -- echo_64

# SIGTERM ends the daemon even with threads stuck in the FUSE mounts.
kill -TERM "$DPID"
st=124
for _ in $(seq 300); do
	if ! kill -0 "$DPID" 2>/dev/null; then wait "$DPID"; st=$?; break; fi
	sleep 0.05
done
ok $([ "$st" = 0 ]; echo $?) "SIGTERM: the daemon exits 0 within 15 s (got $st)"
[ "$st" = 124 ] && kill -9 "$DPID"
DPID=
check "SIGTERM: the innocent link's socket removed" -- test ! -e "/proc/$(cpid client)/root$SOCK"
done_testing
