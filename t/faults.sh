#!/bin/bash
# Faults: the daemon killed with SIGKILL while traffic flows and started
# again; the provider killed in the middle of a transfer and started again.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
require_root_tools

container_start server "$PY" /t/peer.py serve /run/example/raw.sock --id one
container_start client sleep 100000
until_true 5 test -S "/proc/$(cpid server)/root/run/example/raw.sock"
graph() {
	cat >"$T/graph.new" <<JSON
[{"type": "unix", "name": "raw", "consumer": "client", "consumer_pid": $(cpid client),
  "provider": "server", "provider_pid": $(cpid server),
  "socket": "/run/example/raw.sock", "target": "/run/pv/raw.sock"}]
JSON
	mv "$T/graph.new" "$T/graph.json"
}
graph
fake_pvctrl_start "$T/graph.json"
daemon_start
check "link ACTIVE" -- pvxctl wait --timeout 10
SOCK="/proc/$(cpid client)/root/run/pv/raw.sock"

# kill -9 while a stream flows: the client sees the end, not a hang
in_container client "$PY" /t/peer.py client /run/pv/raw.sock stream 30 >"$T/stream1.log" 2>&1 &
STREAM=$!
sleep 1
kill -9 "$DPID"; wait "$DPID" 2>/dev/null; DPID=
wait $STREAM; st=$?
ok $st "daemon killed: the streaming client sees $(cat "$T/stream1.log") at once"
ok $([ -S "$SOCK" ]; echo $?) "the planted socket is left behind by SIGKILL (stale)"
t0=$(date +%s%N)
daemon_start
check "restarted daemon: link ACTIVE again" -- pvxctl wait --timeout 5
t1=$(date +%s%N)
diag "restart to ACTIVE: $(( (t1 - t0) / 1000000 )) ms"
ok $([ $(( (t1 - t0) / 1000000 )) -lt 1000 ]; echo $?) "ACTIVE again within 1 s of the restart"
check "the stale socket was replaced: clients get through" -- \
	in_container client "$PY" /t/peer.py client /run/pv/raw.sock who one

# provider killed mid-transfer: EOF or reset, never a hang; recovery after
in_container client "$PY" /t/peer.py client /run/pv/raw.sock stream 30 >"$T/stream2.log" 2>&1 &
STREAM=$!
sleep 1
container_kill server
wait $STREAM; st=$?
ok $st "provider killed mid-transfer: the client sees $(cat "$T/stream2.log")"
container_start server "$PY" /t/peer.py serve /run/example/raw.sock --id two
until_true 5 test -S "/proc/$(cpid server)/root/run/example/raw.sock"
graph
kill -HUP "$DPID"
check "provider back: link ACTIVE" -- pvxctl wait --timeout 10
check "new connections reach the new provider" -- \
	in_container client "$PY" /t/peer.py client /run/pv/raw.sock who two

kill -TERM "$DPID"; wait "$DPID"; st=$?; DPID=
ok $st "SIGTERM: exit 0"
done_testing
