#!/bin/bash
# Faults: the daemon killed with SIGKILL while traffic flows and started
# again; the provider killed in the middle of a transfer and started again.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools

container_start server "$PY" /t/peers/peer.py serve /run/example/raw.sock --id one
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
in_container client "$PY" /t/peers/peer.py client /run/pv/raw.sock stream 30 >"$T/stream1.log" 2>&1 &
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
	in_container client "$PY" /t/peers/peer.py client /run/pv/raw.sock who one

# provider killed mid-transfer: EOF or reset, never a hang; recovery after
in_container client "$PY" /t/peers/peer.py client /run/pv/raw.sock stream 30 >"$T/stream2.log" 2>&1 &
STREAM=$!
sleep 1
container_kill server
wait $STREAM; st=$?
ok $st "provider killed mid-transfer: the client sees $(cat "$T/stream2.log")"
container_start server "$PY" /t/peers/peer.py serve /run/example/raw.sock --id two
until_true 5 test -S "/proc/$(cpid server)/root/run/example/raw.sock"
graph
kill -HUP "$DPID"
check "provider back: link ACTIVE" -- pvxctl wait --timeout 10
check "new connections reach the new provider" -- \
	in_container client "$PY" /t/peers/peer.py client /run/pv/raw.sock who two

# 10,000 connections ending every which way: fds back to the baseline,
# memory back within 10 % (buffers are given back after a quiet spell)
sleep 3
base_fd=$(fd_count "$DPID")
base_rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$DPID/status")
check "10,000 connections with random half-closes and resets" -- \
	in_container client "$PY" /t/peers/peer.py client /run/pv/raw.sock chaos 10000 7
fd_back() { n=$(fd_count "$DPID"); [ "$n" -le $((base_fd + 2)) ] && [ "$n" -ge $((base_fd - 2)) ]; }
until_true 20 fd_back
ok $? "fd count back to baseline ($base_fd before, $(fd_count "$DPID") after)"
rss_back() { [ "$(awk '/^VmRSS/ { print $2 }' "/proc/$DPID/status")" -le $((base_rss * 110 / 100)) ]; }
if grep -q __asan_init "$PVX"; then
	# ASan keeps freed memory in quarantine on purpose: RSS says nothing.
	ok 0 "# SKIP RSS check: the daemon is built with AddressSanitizer"
else
	until_true 10 rss_back
	ok $? "RSS back within 10 % ($base_rss KiB before, $(awk '/^VmRSS/ { print $2 }' "/proc/$DPID/status") KiB after)"
fi
check "still serving after the storm" -- in_container client "$PY" /t/peers/peer.py client /run/pv/raw.sock who two

# pv-ctrl gone for a minute: links untouched, one log line, one on recovery
# The socket goes first: a poll between the kill and the rm would see
# "refused" and then "no such file", two different failures, two lines.
mark=$(wc -l <"$T/daemon.log")
rm -f "$T/pv-ctrl"
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null
sleep "${PVX_OUTAGE_SECONDS:-60}"
check "after the pv-ctrl outage the link is still ACTIVE" -- pvxctl wait --timeout 1
check "... and working" -- in_container client "$PY" /t/peers/peer.py client /run/pv/raw.sock who two
n=$(tail -n +$((mark + 1)) "$T/daemon.log" | grep -c "pv-ctrl")
ok $([ "$n" = 1 ]; echo $?) "one log line for the whole outage ($n over ~$(( ${PVX_OUTAGE_SECONDS:-60} * 2 )) polls)"
fake_pvctrl_start "$T/graph.json"
recovered() { tail -n +$((mark + 1)) "$T/daemon.log" | grep -q "readable again"; }
check "recovery logged once pv-ctrl is back" -- until_true 5 recovered

kill -TERM "$DPID"; wait "$DPID"; st=$?; DPID=
ok $st "SIGTERM: exit 0"
done_testing
