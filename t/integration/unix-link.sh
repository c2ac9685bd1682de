#!/bin/bash
# unix links between real containers (own mount and pid namespaces, own
# root), with a fake pv-ctrl serving the graph over HTTP/1.0.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools

graph() { # graph CONSUMER_PID PROVIDER_PID [extra links JSON]
	cat >"$T/graph.json.new" <<JSON
[{"type": "unix", "name": "raw", "consumer": "client", "consumer_pid": $1,
  "provider": "server", "provider_pid": $2,
  "socket": "/run/example/raw.sock", "target": "/run/pv/services/raw.sock"}${3:-}]
JSON
	mv "$T/graph.json.new" "$T/graph.json"
}
SOCK=/run/pv/services/raw.sock

container_start server "$PY" /t/peers/peer.py serve /run/example/raw.sock --id first
container_start client sleep 100000
until_true 5 test -S "/proc/$(cpid server)/root/run/example/raw.sock"
graph "$(cpid client)" "$(cpid server)"
fake_pvctrl_start "$T/graph.json" --events "$T/events.log"
daemon_start --linger 1

check "pvxctl wait: the link becomes ACTIVE" -- pvxctl wait --timeout 10
check "socket planted at the target inside the consumer" -- test -S "/proc/$(cpid client)/root$SOCK"
check "the planted socket is not on the host" -- test ! -e "$SOCK"
check "planted socket is mode 0666" -- test "$(stat -c %a "/proc/$(cpid client)/root$SOCK")" = 666
check "round trip from inside the consumer (64 KiB echo)" -- \
	in_container client "$PY" /t/peers/peer.py client "$SOCK" echo 65536
check "pvxctl links shows the link ACTIVE" -- sh -c "\"$PVXCTL\" --control $T/xc.sock links | grep -q 'client/raw -> $SOCK  *unix  *ACTIVE'"

# fd passing, and socat as the negative control
echo "secret-line-$$" >"$T/data/fdfile"
check "an fd passed with SCM_RIGHTS reaches the provider and is readable" -- \
	in_container client "$PY" /t/peers/peer.py client "$SOCK" fd /data/fdfile
if command -v socat >/dev/null; then
	socat UNIX-LISTEN:"$T/socat.sock",fork UNIX-CONNECT:"/proc/$(cpid server)/root/run/example/raw.sock" &
	BACKGROUND="$BACKGROUND $!"
	until_true 5 test -S "$T/socat.sock"
	check "negative control: through socat the fd does not arrive" -- \
		"$PY" "$PEER" client "$T/socat.sock" nofd "$T/data/fdfile"
else
	skip "negative control through socat: socat not installed"
fi

check "half-close: 4 MiB sent, shutdown(SHUT_WR), full reply received" -- \
	in_container client "$PY" /t/peers/peer.py client "$SOCK" echo 4194304

# Bulk goes through splice(), which drops fds: the relay splices only bytes
# that carry none.  Without that check this loses most of the 20 fds.
spliced() { "$PVXCTL" --control "$T/xc.sock" links --json |
	"$PY" -c 'import json, sys; print(sum(l["bytes"]["spliced"] for l in json.load(sys.stdin)))'; }
s0=$(spliced)
check "bulk with fds on one connection: all 20 fds arrive in order, each with its bytes" -- \
	in_container client "$PY" /t/peers/peer.py client "$SOCK" bulkfd 20
s1=$(spliced)
ok $([ $((s1 - s0)) -gt 10000000 ]; echo $?) "the bulk went through splice ($((s1 - s0)) of ~21 MB spliced)"
check "metrics: spliced bytes" -- sh -c "\"$PVXCTL\" --control $T/xc.sock metrics | grep -q '^pvx_link_bytes_spliced_total{consumer=\"client\",name=\"raw\".*} [1-9]'"

# 2,000 connects, 200 of them left half-open: fds back to baseline after the linger
base=$(fd_count "$DPID")
check "2,000 connects (200 left half-open)" -- \
	in_container client "$PY" /t/peers/peer.py client "$SOCK" connects 2000 200 3
fd_back() { n=$(fd_count "$DPID"); [ "$n" -le $((base + 2)) ] && [ "$n" -ge $((base - 2)) ]; }
until_true 10 fd_back
ok $? "daemon fd count back to baseline after the linger ($base before, $(fd_count "$DPID") after)"
check "connections were counted" -- sh -c "\"$PVXCTL\" --control $T/xc.sock links --json | grep -q '\"total\":20[0-9][0-9]'"

# provider restarted: new connections reach the new provider
container_kill server
until_true 5 sh -c "[ \"\$(\"$PVXCTL\" --control $T/xc.sock links --json | grep -c INJECTED)\" = 1 ]"
ok $? "provider exit noticed through its pidfd: link INJECTED"
container_start server "$PY" /t/peers/peer.py serve /run/example/raw.sock --id second
until_true 5 test -S "/proc/$(cpid server)/root/run/example/raw.sock"
graph "$(cpid client)" "$(cpid server)"
kill -HUP "$DPID"
check "after the provider restart the link is ACTIVE again" -- pvxctl wait --timeout 10
check "new connections reach the new provider" -- \
	in_container client "$PY" /t/peers/peer.py client "$SOCK" who second

# consumer restarted with a new pid: re-planted in the new namespace
old=$(cpid client)
container_kill client
until_true 3 sh -c "\"$PVXCTL\" --control $T/xc.sock links | grep -q TORN_DOWN"
ok $? "consumer exit noticed through its pidfd: link TORN_DOWN"
container_start client sleep 100000
graph "$(cpid client)" "$(cpid server)"
kill -HUP "$DPID"
check "re-planted for the new consumer pid" -- pvxctl wait --timeout 10
check "socket exists in the new consumer namespace" -- test -S "/proc/$(cpid client)/root$SOCK"
check "round trip through the re-planted socket" -- \
	in_container client "$PY" /t/peers/peer.py client "$SOCK" who second

# graph over 1 MiB (chunked): an unknown field pads one extra link
"$PY" - "$T/graph.json" "$(cpid client)" "$(cpid server)" <<'PY'
import json, sys
path, c, p = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
links = [{"type": "unix", "name": "raw", "consumer": "client", "consumer_pid": c,
          "provider": "server", "provider_pid": p, "socket": "/run/example/raw.sock",
          "target": "/run/pv/services/raw.sock", "padding": "x" * (1536 * 1024)},
         {"type": "unix", "name": "raw2", "consumer": "client", "consumer_pid": c,
          "provider": "server", "provider_pid": p, "socket": "/run/example/raw.sock",
          "target": "/run/pv/services/raw2.sock"}]
open(path + ".new", "w").write(json.dumps(links))
PY
mv "$T/graph.json.new" "$T/graph.json"
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null
fake_pvctrl_start "$T/graph.json" --chunked
check "a 1.5 MiB chunked graph is applied (second link ACTIVE)" -- \
	until_true 10 test -S "/proc/$(cpid client)/root/run/pv/services/raw2.sock"
check "pvxctl graph returns the graph as read (> 1 MiB)" -- \
	sh -c "[ \$(\"$PVXCTL\" --control $T/xc.sock graph | wc -c) -gt 1048576 ]"

# malformed graph, non-200 and pv-ctrl down: logged once, links untouched
mark=$(wc -l <"$T/daemon.log")
since_mark() { tail -n +$((mark + 1)) "$T/daemon.log"; }
echo '[{"type": "unix", "name": ' >"$T/graph.json"
polls_pass 4
check "malformed graph: links untouched" -- pvxctl wait --timeout 1
n=$(since_mark | grep -c "graph is not valid JSON")
ok $([ "$n" = 1 ]; echo $?) "malformed graph logged once over 4 polls ($n lines)"
echo 503 >"$T/status"
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null
fake_pvctrl_start "$T/graph.json" --status-file "$T/status"
polls_pass 4
n=$(since_mark | grep -c "answered HTTP 503")
ok $([ "$n" = 1 ]; echo $?) "HTTP 503 logged once ($n lines)"
# The socket goes first: a poll between the kill and the rm would see
# "refused" and then "no such file", two different failures.  (Counted
# from here: a poll during the restart above may have logged "refused".)
mark=$(wc -l <"$T/daemon.log")
rm -f "$T/pv-ctrl"
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null
polls_pass 4
n=$(since_mark | grep -c "cannot connect to $T/pv-ctrl")
ok $([ "$n" = 1 ]; echo $?) "pv-ctrl down logged once ($n lines)"
check "pv-ctrl down: links untouched and working" -- \
	in_container client "$PY" /t/peers/peer.py client "$SOCK" who second

# link removed from the graph: socket gone within 1 s
rm -f "$T/status"
graph "$(cpid client)" "$(cpid server)"
fake_pvctrl_start "$T/graph.json"
kill -HUP "$DPID"
check "raw2 removed from the graph: its socket is gone within 1 s" -- \
	until_true 1 test ! -e "/proc/$(cpid client)/root/run/pv/services/raw2.sock"
check "raw stays" -- test -S "/proc/$(cpid client)/root$SOCK"
grep -q "source $T/pv-ctrl readable again" "$T/daemon.log"
ok $? "recovery of pv-ctrl logged"

# SIGTERM: planted sockets removed, exit 0
kill -TERM "$DPID"
wait "$DPID"; st=$?
ok $st "SIGTERM: exit status 0 (got $st)"
DPID=
check "SIGTERM: planted socket removed from the consumer" -- test ! -e "/proc/$(cpid client)/root$SOCK"
check "SIGTERM: control socket removed" -- test ! -e "$T/xc.sock"

[ $tap_failed -eq 0 ] || { echo "# daemon log:"; sed 's/^/#   /' "$T/daemon.log" | tail -40; }
done_testing
