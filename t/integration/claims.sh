#!/bin/bash
# README claims that had no test of their own (issue 14): a pid of 0 in a
# later graph never tears a working link down; a graph fetch that gets no
# answer times out, is logged and keeps the links; the control socket's
# request head cap (431, or 400 for a request line too long, and the
# connection closed); the fd limit raised to the hard limit at start and
# 10,000 links within a 20,000-fd limit.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools
command -v prlimit >/dev/null || skip_all "needs prlimit"

container_start server "$PY" /t/peers/peer.py serve /run/example/raw.sock --id one
container_start client sleep 100000
C=$(cpid client) S=$(cpid server)
until_true 5 test -S "/proc/$S/root/run/example/raw.sock"
# The target is under $T, also inside the container: a daemon that took a
# pid of 0 for "host side" would plant it in this test's scratch
# directory, never in the host's /run.
TARGET="$T/pid0/raw.sock"
graph() { # graph CONSUMER_PID PROVIDER_PID
	cat >"$T/graph.new" <<JSON
[{"type": "unix", "name": "raw", "consumer": "client", "consumer_pid": $1,
  "provider": "server", "provider_pid": $2,
  "socket": "/run/example/raw.sock", "target": "$TARGET"}]
JSON
	mv "$T/graph.new" "$T/graph.json"
}
graph "$C" "$S"
fake_pvctrl_start "$T/graph.json" --mute-file "$T/mute"
daemon_start
check "link ACTIVE" -- pvxctl wait --timeout 10
round_trip() { in_container client "$PY" /t/peers/peer.py client "$TARGET" who one; }
check "round trip through the link" -- round_trip

# --- a pid of 0 never tears a working link down ----------------------------
field() { # field NAME: the link's field NAME from GET /links
	pvxctl links --json | "$PY" -c '
import json, sys
for l in json.load(sys.stdin):
    if l["consumer"] == "client" and l["name"] == "raw":
        print(l[sys.argv[1]])' "$1"
}
inode() { stat -c %i "/proc/$C/root$TARGET"; }
ino=$(inode) since=$(field since)
diag "planted socket inode $ino, ACTIVE since $since"
# untouched LABEL: the link is as it was before the graph change
untouched() {
	ok $([ "$(field state)" = ACTIVE ]; echo $?) "$1: link still ACTIVE ($(field state))"
	ok $([ "$(inode)" = "$ino" ]; echo $?) "$1: same planted socket (inode $(inode), was $ino)"
	ok $([ "$(field since)" = "$since" ]; echo $?) "$1: no state change (since $(field since), was $since)"
	ok $([ "$(field consumer_pid)" = "$C" ] && [ "$(field provider_pid)" = "$S" ]; echo $?) \
		"$1: the known pids kept (consumer $(field consumer_pid), provider $(field provider_pid))"
	check "$1: round trip" -- round_trip
}
graph 0 "$S"
check "graph with consumer_pid 0 applied" -- pvxctl reconcile
untouched "consumer_pid 0"
graph 0 0
check "graph with consumer_pid and provider_pid 0 applied" -- pvxctl reconcile
untouched "both pids 0"
check "nothing planted on the host side" -- test ! -e "$TARGET"
graph "$C" "$S"
check "graph with the pids again applied" -- pvxctl reconcile
untouched "pids back"

# --- the graph fetch timeout ------------------------------------------------
# pv-ctrl accepts and never answers: after the fetch timeout (10 s) the
# daemon logs it once and keeps the links.
mark=$(wc -l <"$T/daemon.log")
log_since() { tail -n +$((mark + 1)) "$T/daemon.log"; }
touch "$T/mute"
kill -HUP "$DPID"
check "pv-ctrl takes the request and does not answer" -- until_true 5 grep -q muted "$T/fake-pvctrl.log"
timed_out() { log_since | grep -q "graph: pv-ctrl $T/pv-ctrl: timed out; keeping the current links"; }
check "fetch timeout logged (within 20 s)" -- until_true 20 timed_out
untouched "after the fetch timeout"
errors() { pvxctl metrics | awk '$1 == "pvx_graph_fetch_errors_total" { print $2 }'; }
e0=$(errors)
more_errors() { [ "$(errors)" -gt "$e0" ]; }
check "the next fetch times out too (counted in the metrics)" -- until_true 25 more_errors
n=$(log_since | grep -c "timed out")
ok $([ "$n" = 1 ]; echo $?) "the timeout logged once over several fetches ($n lines)"
rm -f "$T/mute"
recovered() { log_since | grep -q "readable again"; }
check "pv-ctrl answers again: recovery logged" -- until_true 20 recovered
untouched "after the recovery"

# --- the control socket's head cap ------------------------------------------
cat >"$T/head.py" <<'PY'
import socket, sys, time
path, case = sys.argv[1], sys.argv[2]
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(path)
if case == "over":        # 9,000 bytes and no end of head
    head = b"GET /links HTTP/1.0\r\n" + b"X-Pad: " + b"a" * 8972 + b"\r\n"
elif case == "line":      # a request line over the path limit
    head = b"GET /" + b"p" * 300 + b" HTTP/1.0\r\n\r\n"
else:                     # a complete head just under 8 KiB
    head = b"GET /links HTTP/1.0\r\nX-Pad: " + b"a" * 8000 + b"\r\n\r\n"
try:
    c.sendall(head)
except OSError as e:
    pass  # the daemon may have closed before taking every byte
c.settimeout(5)
got, closed, t0 = b"", False, time.time()
while time.time() - t0 < 5:
    try:
        d = c.recv(65536)
    except socket.timeout:
        break
    except ConnectionResetError:
        closed = True
        break
    if not d:
        closed = True
        break
    got += d
print(got.split(b"\r\n", 1)[0].decode("latin-1"), "closed" if closed else "open")
PY
head_case() { "$PY" "$T/head.py" "$T/xc.sock" "$1"; }
r=$(head_case over)
ok $([ "$r" = "HTTP/1.0 431 Request Header Fields Too Large closed" ]; echo $?) \
	"a 9,000-byte head without its end: 431 and closed ($r)"
r=$(head_case line)
ok $([ "$r" = "HTTP/1.0 400 Bad Request closed" ]; echo $?) "a 300-byte path: 400 and closed ($r)"
r=$(head_case under)
ok $([ "$r" = "HTTP/1.0 200 OK closed" ]; echo $?) "an 8,050-byte head is under the cap: 200 ($r)"
check "pvxctl links answers after the refused heads" -- pvxctl links

kill -TERM "$DPID"; wait "$DPID"; st=$?; DPID=
ok $st "SIGTERM: exit 0"

# --- the fd limit raised at start; 10,000 links within it -------------------
# Started with a soft limit of 1,024 under a hard one of 20,000: the daemon
# raises the soft limit to the hard one, and 10,000 links (one listener
# each; host side, one provider) all become ACTIVE within it.
"$PY" "$PEER" serve "$T/provider.sock" --id many >"$T/provider.log" 2>&1 &
BACKGROUND="$BACKGROUND $!"
until_true 5 test -S "$T/provider.sock"
N=${PVX_CLAIMS_LINKS:-10000}
"$PY" - "$T" "$N" >"$T/many.json" <<'PY'
import json, sys
t, n = sys.argv[1], int(sys.argv[2])
print(json.dumps([{"type": "unix", "name": "l%d" % i, "consumer": "host",
                   "socket": t + "/provider.sock", "target": "%s/many/%d.sock" % (t, i)}
                  for i in range(n)]))
PY
prlimit --nofile=1024:20000 "$PVX" --graph "$T/many.json" --control "$T/xc.sock" --interval 600 \
	>"$T/daemon-many.log" 2>&1 &
DPID=$!
until_true 10 test -S "$T/xc.sock"
nofile() { awk '/^Max open files/ { print $4, $5 }' "/proc/$DPID/limits"; }
ok $([ "$(nofile)" = "20000 20000" ]; echo $?) "fd limit raised at start: soft = hard ($(nofile))"
check "$N links ACTIVE within 120 s" -- pvxctl wait --timeout 120
active=$(pvxctl links --json | "$PY" -c '
import json, sys
print(sum(l["state"] == "ACTIVE" for l in json.load(sys.stdin)))')
ok $([ "$active" = "$N" ]; echo $?) "all $N links ACTIVE ($active)"
fds=$(fd_count "$DPID")
ok $([ "$fds" -ge "$N" ] && [ "$fds" -lt 20000 ]; echo $?) "one listener per link, within the limit ($fds fds of 20000)"
check "the first link relays" -- "$PY" "$PEER" client "$T/many/0.sock" who many
check "the last link relays" -- "$PY" "$PEER" client "$T/many/$((N - 1)).sock" who many
kill -TERM "$DPID"; wait "$DPID"; st=$?; DPID=
ok $st "SIGTERM: exit 0"
check "SIGTERM: the planted sockets removed" -- sh -c "[ -z \"\$(ls '$T/many')\" ]"
done_testing
