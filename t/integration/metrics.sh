#!/bin/bash
# GET /metrics as a Prometheus user expects it: pvx_link_state as an enum
# (one series per state, 1 for the current one), pvx_build_info, a type's
# series only for links of that type, a text the official parser reads;
# and --metrics-listen: TCP, GET /metrics only, bounded, off by default.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools
CT_T=/t
CT_PEER="$CT_T/${PEER#"$top_srcdir"/t/}"
CHECK="$top_srcdir/t/peers/metrics-check.py"
ECHO=$(ls "$top_srcdir"/t/http-echo.py "$top_srcdir"/t/peers/http-echo.py 2>/dev/null | head -1)
CT_ECHO="$CT_T/${ECHO#"$top_srcdir"/t/}"

container_start server "$PY" "$CT_PEER" serve /run/example/raw.sock --id first
container_start echo "$PY" "$CT_ECHO" /run/example/api.sock
container_start client sleep 100000
until_true 5 test -S "/proc/$(cpid server)/root/run/example/raw.sock"
until_true 5 test -S "/proc/$(cpid echo)/root/run/example/api.sock"
cat >"$T/graph.json" <<JSON
[{"type": "unix", "name": "raw", "consumer": "client", "consumer_pid": $(cpid client),
  "provider": "server", "provider_pid": $(cpid server),
  "socket": "/run/example/raw.sock", "target": "/run/pv/services/raw.sock"},
 {"type": "rest", "name": "api", "consumer": "client", "consumer_pid": $(cpid client), "role": "operator",
  "provider": "echo", "provider_pid": $(cpid echo), "socket": "/run/example/api.sock",
  "target": "/run/pv/services/api.sock"}]
JSON
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
fake_pvctrl_start "$T/graph.json"
daemon_start --metrics-listen "127.0.0.1:$PORT"
check "links ACTIVE" -- pvxctl wait --timeout 10
pvxctl metrics >"$T/m.txt"

version=$("$PVX" --version | awk '{ print $2 }')
check "pvx_build_info{version=\"$version\"} 1" -- grep -qx "pvx_build_info{version=\"$version\"} 1" "$T/m.txt"
series() { grep -c "^pvx_link_state{consumer=\"client\",name=\"$1\"" "$T/m.txt"; }
states=$(pvxctl fsm --json | "$PY" -c 'import json, sys; print(len(json.load(sys.stdin)["states"]))')
check "pvx_link_state: one series per state ($states) for each link" -- \
	test "$(series raw)" = "$states" -a "$(series api)" = "$states"
check "pvx_link_state: 1 for the current state (ACTIVE)" -- \
	grep -q '^pvx_link_state{consumer="client",name="raw",.*state="ACTIVE"} 1$' "$T/m.txt"
check "pvx_link_state: 0 for the others (BACKOFF)" -- \
	grep -q '^pvx_link_state{consumer="client",name="raw",.*state="BACKOFF"} 0$' "$T/m.txt"
check "pvx_link_state: exactly one 1 per link" -- \
	test "$(grep '^pvx_link_state{' "$T/m.txt" | grep -c ' 1$')" = 2
check "http series for the rest link" -- grep -q '^pvx_link_http_requests_total{consumer="client",name="api",' "$T/m.txt"
check "no http series for the unix link" -- sh -c "! grep -q '^pvx_link_http_[a-z_]*{consumer=\"client\",name=\"raw\",' '$T/m.txt'"
check "no dbus series for links that are not dbus" -- sh -c "! grep -q '^pvx_link_dbus_[a-z_]*{' '$T/m.txt'"
check "relay series for every link" -- grep -q '^pvx_link_connections_total{consumer="client",name="raw",' "$T/m.txt"
check "the exposition passes the strict check and the parser ($("$PY" "$CHECK" "$T/m.txt" | tail -1))" -- \
	"$PY" "$CHECK" "$T/m.txt"
# The state series follow a change: the provider gone, INJECTED reads 1
# and ACTIVE 0 (no stale 1 left behind).
container_kill server
injected() { pvxctl metrics | grep -q '^pvx_link_state{consumer="client",name="raw",.*state="INJECTED"} 1$'; }
until_true 10 injected
ok $? "provider gone: INJECTED 1"
check "... and ACTIVE 0" -- sh -c "\"$PVXCTL\" --control $T/xc.sock metrics | grep -q '^pvx_link_state{consumer=\"client\",name=\"raw\",.*state=\"ACTIVE\"} 0\$'"

# --metrics-listen
http() { # http METHOD PATH: status line and body from the TCP listener
	"$PY" - "$PORT" "$1" "$2" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(("%s %s HTTP/1.1\r\nHost: x\r\n\r\n" % (sys.argv[2], sys.argv[3])).encode())
data = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    data += d
sys.stdout.write(data.decode())
PY
}
http GET /metrics >"$T/tcp.txt"
check "TCP: GET /metrics answers 200" -- sh -c "head -1 '$T/tcp.txt' | grep -q '^HTTP/1.0 200'"
sed '1,/^\r$/d' "$T/tcp.txt" >"$T/tcp-body.txt"
check "TCP: the same exposition, which passes the checks" -- "$PY" "$CHECK" "$T/tcp-body.txt"
check "TCP: a scraper that is not root reads it (curl as nobody)" -- \
	sh -c "setpriv --reuid 65534 --regid 65534 --clear-groups curl -sf http://127.0.0.1:$PORT/metrics | grep -q '^pvx_build_info'"
answers() { http "$1" "$2" | head -1 | grep -q "^HTTP/1.0 $3 "; } # answers METHOD PATH STATUS
check "TCP: GET /links is 404 (read-only, metrics only)" -- answers GET /links 404
check "TCP: GET /graph is 404" -- answers GET /graph 404
check "TCP: POST /reconcile is 404" -- answers POST /reconcile 404
check "TCP: POST /metrics is 405" -- answers POST /metrics 405
# Bounded: 8 silent clients at most; the 9th is closed at once and pvxctl
# still gets its answers; the silent ones are dropped after 2 s.
"$PY" - "$PORT" >"$T/bound.txt" <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]
time.sleep(0.5)
extra = socket.create_connection(("127.0.0.1", port), timeout=5)
try:
    closed = extra.recv(1) == b""
except (ConnectionResetError, socket.timeout):
    closed = True
print("ninth closed" if closed else "ninth served")
held[0].settimeout(10)
try:
    print("silent dropped" if held[0].recv(1) == b"" else "silent answered")
except (ConnectionResetError, socket.timeout):
    print("silent dropped")
sys.stdout.flush()
PY
BOUND=$!
until_true 5 grep -q ninth "$T/bound.txt"
check "TCP: 8 silent clients at most, the 9th is closed at once" -- grep -q 'ninth closed' "$T/bound.txt"
check "... while pvxctl on the control socket still answers" -- pvxctl links
wait "$BOUND"
check "TCP: a silent client is dropped (head timeout)" -- grep -q 'silent dropped' "$T/bound.txt"
check "TCP: served again once they are gone" -- answers GET /metrics 200
kill "$DPID"; wait "$DPID"; DPID=

# Off by default; refused addresses.
daemon_start
check "without --metrics-listen: no TCP listener" -- sh -c "! ss -ltnpH | grep -q 'pid=$DPID,'"
kill "$DPID"; wait "$DPID"; DPID=
timeout 10 "$PVX" --graph "$T/graph.json" --control "$T/b.sock" --metrics-listen localhost:9101 2>"$T/bad.log"
ok $([ $? = 2 ]; echo $?) "--metrics-listen with a name (not numeric): exit 2"
timeout 10 "$PVX" --graph "$T/graph.json" --control "$T/b.sock" --metrics-listen 127.0.0.1:0 2>>"$T/bad.log"
ok $([ $? = 2 ]; echo $?) "--metrics-listen with port 0: exit 2"
"$PY" -c 'import socket, sys, time; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(30)' "$PORT" &
BUSY=$!; BACKGROUND="$BACKGROUND $BUSY"
until_true 5 sh -c "ss -ltnH | grep -q '127.0.0.1:$PORT '"
timeout 10 "$PVX" --graph "$T/graph.json" --control "$T/b.sock" --metrics-listen "127.0.0.1:$PORT" 2>"$T/busy.log"
ok $([ $? = 1 ]; echo $?) "--metrics-listen on a port in use: exit 1"
check "... saying why" -- grep -q "metrics-listen 127.0.0.1:$PORT: Address already in use" "$T/busy.log"
check "... and no control socket left behind" -- test ! -e "$T/b.sock"

done_testing
