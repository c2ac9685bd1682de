#!/bin/bash
# The daemon around the links: --graph file mode (inotify), POST /reconcile,
# unchanged bodies, metrics, pvxctl output, host-side links (pid 0), links
# that must be refused, and a consumer that tries to redirect the planted
# socket to the host with a symlink.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools

"$PY" "$PEER" serve "$T/host-provider.sock" --id host >"$T/host-provider.log" 2>&1 &
BACKGROUND="$BACKGROUND $!"
until_true 5 test -S "$T/host-provider.sock"
container_start client sleep 100000
C=$(cpid client)

write_graph() { cat >"$T/graph.json.new"; mv "$T/graph.json.new" "$T/graph.json"; }
write_graph <<JSON
{"links": [
 {"type": "unix", "name": "host", "consumer": "hostapp", "socket": "$T/host-provider.sock",
  "target": "$T/planted/deep/dir/host.sock"}
], "pools": {}}
JSON
"$PVX" --graph "$T/graph.json" --control "$T/xc.sock" --interval 60 --backoff-max 0.5 \
	>"$T/daemon.log" 2>&1 &
DPID=$!
until_true 5 test -S "$T/xc.sock"

check "object form, host-side link (pid 0): ACTIVE" -- pvxctl wait --timeout 10
check "host-side: parent directories created, socket planted" -- test -S "$T/planted/deep/dir/host.sock"
check "host-side: round trip" -- "$PY" "$PEER" client "$T/planted/deep/dir/host.sock" who host
check "control socket is private (0600)" -- test "$(stat -c %a "$T/xc.sock")" = 600

# The consumer points /run/evil at a host path before the link is planted.
mkdir -p "$T/hostside"
in_container client mkdir -p "$T/hostside"
in_container client ln -s "$T/hostside" /run/evil
# --graph: a change to the file is picked up without a signal (inotify;
# the poll interval is 60 s here).
write_graph <<JSON
[
 {"type": "unix", "name": "host", "consumer": "hostapp", "socket": "$T/host-provider.sock",
  "target": "$T/planted/deep/dir/host.sock"},
 {"type": "unix", "name": "raw", "consumer": "client", "consumer_pid": $C,
  "socket": "$T/host-provider.sock", "target": "/run/pv/raw.sock"},
 {"type": "unix", "name": "raw", "consumer": "client", "consumer_pid": $C,
  "socket": "/elsewhere.sock", "target": "/run/pv/raw.sock"},
 {"type": "unix", "name": "escape", "consumer": "client", "consumer_pid": $C,
  "socket": "$T/host-provider.sock", "target": "/run/evil/x.sock"},
 {"type": "unix", "name": "relative", "consumer": "client", "consumer_pid": $C,
  "socket": "$T/host-provider.sock", "target": "run/x.sock"},
 {"type": "unix", "name": "dotdot", "consumer": "client", "consumer_pid": $C,
  "socket": "$T/host-provider.sock", "target": "/run/../etc/x.sock"},
 {"type": "dbus", "name": "api", "consumer": "client", "consumer_pid": $C, "interface": "not a bus name",
  "socket": "/run/api.sock", "target": "/run/pv/api.sock"},
 {"type": "unix", "name": "noprovider", "consumer": "client", "consumer_pid": $C,
  "socket": "/run/nothing-here.sock", "target": "/run/pv/none.sock"},
 {"type": "unix", "consumer": "client", "socket": "/x"}
]
JSON
check "graph file change picked up without a signal" -- \
	until_true 5 test -S "/proc/$C/root/run/pv/raw.sock"
check "host-side provider reached from a container" -- \
	in_container client "$PY" /t/peers/peer.py client /run/pv/raw.sock who host
until_true 5 sh -c "\"$PVXCTL\" --control $T/xc.sock links | grep -q 'client/escape.*ACTIVE'"
check "symlink escape: nothing created on the host" -- test ! -e "$T/hostside/x.sock"
check "symlink escape: the socket stays inside the consumer's root" -- \
	test -S "/proc/$C/root$T/hostside/x.sock"
st() { link_state client "$1"; }
check "relative target refused: FAILED" -- test "$(st relative)" = FAILED
check "'..' in the target refused: FAILED" -- test "$(st dotdot)" = FAILED
check "a dbus link whose interface is no bus name refused: FAILED" -- test "$(st api)" = FAILED
pvxctl links >"$T/links.txt"
check "pvxctl links shows why (target)" -- grep -q "path is not absolute" "$T/links.txt"
check "pvxctl links shows why (interface)" -- grep -q "interface 'not a bus name' is neither 'dbus' nor a D-Bus name" "$T/links.txt"
check "missing provider socket: BACKOFF, retried" -- until_true 5 in_state client noprovider BACKOFF
check "missing provider socket: reason shown" -- grep -q "provider socket /run/nothing-here.sock" "$T/links.txt"
check "duplicate key logged" -- grep -q "duplicate link client/raw -> /run/pv/raw.sock skipped" "$T/daemon.log"
check "link without a name skipped with the reason" -- \
	grep -q "link 8 skipped: link of consumer 'client': missing required field 'name'" "$T/daemon.log"
check "the planted socket of a refused link is not created" -- test ! -e "/proc/$C/root/run/pv/api.sock"

# POST /reconcile, and an unchanged body costs no reconcile
applied() { pvxctl metrics | awk '$1 == "pvx_graph_applied_total" { print $2 }'; }
a0=$(applied)
check "pvxctl reconcile answers after the fetch" -- sh -c "\"$PVXCTL\" --control $T/xc.sock reconcile | grep -q 'graph unchanged'"
pvxctl reconcile >/dev/null
ok $([ "$(applied)" = "$a0" ]; echo $?) "unchanged graph body: nothing applied ($a0 before, $(applied) after)"
check "POST /reconcile over raw HTTP/1.0" -- sh -c "printf 'POST /reconcile HTTP/1.0\r\nHost: x\r\n\r\n' | socat - UNIX-CONNECT:$T/xc.sock | grep -q '\"ok\":true'"
check "unknown endpoint: 404" -- sh -c "printf 'GET /nope HTTP/1.0\r\n\r\n' | socat - UNIX-CONNECT:$T/xc.sock | head -1 | grep -q ' 404 '"
check "wrong method: 405" -- sh -c "printf 'DELETE /links HTTP/1.0\r\n\r\n' | socat - UNIX-CONNECT:$T/xc.sock | head -1 | grep -q ' 405 '"
check "garbage request: 400" -- sh -c "printf 'hello\r\n\r\n' | socat - UNIX-CONNECT:$T/xc.sock | head -1 | grep -q ' 400 '"

# The control socket reads heads with the rest links' grammar
# (parsers/http_request.rl) under its own caps: head 8 KiB (431 beyond),
# request target 255 bytes; and it holds 64 connections at a time.
cat >"$T/control.py" <<'PY'
import os, socket, sys

def ask(path, head):
    # Sends head, returns the status line ("" if closed without one).
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(path)
    c.settimeout(10)
    try:
        c.sendall(head)
        return c.makefile("rb").readline().decode().strip()
    except OSError:
        return ""
    finally:
        c.close()

def sockets(pid):
    fds = "/proc/%s/fd" % pid
    return sum(1 for f in os.listdir(fds) if os.readlink(fds + "/" + f).startswith("socket:"))

mode, path = sys.argv[1], sys.argv[2]
if mode == "head":        # head PATH SIZE: a GET whose head is SIZE bytes
    size = int(sys.argv[3])
    start = b"GET /fsm HTTP/1.1\r\nHost: x\r\nX-Pad: "
    print(ask(path, start + b"a" * (size - len(start) - 4) + b"\r\n\r\n"))
elif mode == "raw":       # raw PATH TEXT: TEXT with \r and \n escapes
    print(ask(path, sys.argv[3].encode().decode("unicode_escape").encode("latin-1")))
elif mode == "cap":       # cap PATH N PID: N silent clients, then a request
    n, pid = int(sys.argv[3]), sys.argv[4]
    base = sockets(pid)
    conns = []
    for _ in range(n):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.connect(path)
        conns.append(c)
    # The newest one asks: once it is answered, every connect was accepted.
    newest = conns.pop()
    newest.settimeout(10)
    newest.sendall(b"GET /fsm HTTP/1.0\r\n\r\n")
    print("newest:", newest.makefile("rb").readline().decode().strip())
    print("held:", sockets(pid) - base)
    # The oldest ones were dropped for the newcomers: no answer.
    dropped = 0
    for c in conns[:n - 64]:
        c.settimeout(10)
        try:
            c.sendall(b"GET /fsm HTTP/1.0\r\n\r\n")
            line = c.makefile("rb").readline()
        except OSError:
            line = b""
        dropped += line == b""
    print("dropped:", dropped, "of", n - 64)
PY
CTL() { "$PY" "$T/control.py" "$@"; }
check "a head of exactly 8 KiB: answered" -- sh -c "\"$PY\" \"$T/control.py\" head $T/xc.sock 8192 | grep -q ' 200 '"
check "a head of 8 KiB + 1: 431" -- sh -c "\"$PY\" \"$T/control.py\" head $T/xc.sock 8193 | grep -q ' 431 '"
check "HTTP/1.1 request: answered" -- sh -c "\"$PY\" \"$T/control.py\" raw $T/xc.sock 'GET /links HTTP/1.1\r\nHost: x\r\n\r\n' | grep -q '^HTTP/1.0 200 '"
check "a request target of 255 bytes: read (404)" -- sh -c "\"$PY\" \"$T/control.py\" raw $T/xc.sock 'GET /$(printf '%0254d' 0) HTTP/1.0\r\n\r\n' | grep -q ' 404 '"
check "a request target of 256 bytes: 400" -- sh -c "\"$PY\" \"$T/control.py\" raw $T/xc.sock 'GET /$(printf '%0255d' 0) HTTP/1.0\r\n\r\n' | grep -q ' 400 '"
check "bare LF line ends: 400 (the rest links' grammar)" -- sh -c "\"$PY\" \"$T/control.py\" raw $T/xc.sock 'GET /links HTTP/1.0\n\n' | grep -q ' 400 '"
check "HTTP/2.0: 400" -- sh -c "\"$PY\" \"$T/control.py\" raw $T/xc.sock 'GET /links HTTP/2.0\r\n\r\n' | grep -q ' 400 '"
check "a malformed header field: 400" -- sh -c "\"$PY\" \"$T/control.py\" raw $T/xc.sock 'GET /links HTTP/1.0\r\nno colon here\r\n\r\n' | grep -q ' 400 '"
CTL cap "$T/xc.sock" 100 "$DPID" >"$T/cap.txt" 2>&1
check "100 silent clients, then a request: the newest is answered" -- grep -q '^newest: HTTP/1.0 200 ' "$T/cap.txt"
held=$(awk '$1 == "held:" { print $2 }' "$T/cap.txt")
ok $([ -n "$held" ] && [ "$held" -le 64 ]; echo $?) "connection cap: the daemon holds at most 64 control connections (held ${held:-?} for 100 clients)"
check "... the 36 oldest were dropped without an answer" -- grep -q '^dropped: 36 of 36$' "$T/cap.txt"
check "... and the control socket still answers" -- pvxctl links

# metrics and the other pvxctl views
pvxctl metrics >"$T/metrics.txt"
check "metrics: per-link state" -- grep -q '^pvx_link_state{consumer="client",name="raw",target="/run/pv/raw.sock",type="unix",state="ACTIVE"} 1$' "$T/metrics.txt"
check "metrics: bytes each way" -- grep -q '^pvx_link_bytes_total{consumer="client",name="raw",target="/run/pv/raw.sock",type="unix",direction="to_consumer"} [1-9]' "$T/metrics.txt"
check "metrics: connections" -- grep -q '^pvx_link_connections_total{consumer="client",name="raw",.*} [1-9]' "$T/metrics.txt"
check "pvxctl fsm prints the table" -- sh -c "\"$PVXCTL\" --control $T/xc.sock fsm | grep -q '^ACTIVE *provider-down *INJECTED'"
check "pvxctl fsm --dot" -- sh -c "\"$PVXCTL\" --control $T/xc.sock fsm --dot | grep -q 'digraph link_fsm'"
check "pvxctl links --dot" -- sh -c "\"$PVXCTL\" --control $T/xc.sock links --dot | grep -q '\"-\" -> \"client\"'"
check "pvxctl links --json is JSON" -- sh -c "\"$PVXCTL\" --control $T/xc.sock links --json | \"$PY\" -m json.tool >/dev/null"
"$PVXCTL" --control "$T/xc.sock" wait --timeout 0.3 2>"$T/wait.txt"; st=$?
ok $([ "$st" = 1 ]; echo $?) "pvxctl wait exits 1 on timeout (got $st)"
check "pvxctl wait names the links that are not ACTIVE" -- \
	grep -Eq 'client/noprovider -> /run/pv/none.sock: (BACKOFF|PENDING)' "$T/wait.txt"
check "pvxctl on a missing socket: clear error" -- sh -c "\"$PVXCTL\" --control $T/nope.sock links 2>&1 | grep -q 'cannot connect to $T/nope.sock'"
"$PVX" --graph "$T/graph.json" --control "$T/xc.sock" >"$T/second.txt" 2>&1; st=$?
ok $([ "$st" = 1 ]; echo $?) "a second daemon on the same control socket exits 1 (got $st)"
check "... saying why" -- grep -q 'Address already in use' "$T/second.txt"

# JSON that is no graph, and a graph whose every link is unusable (a field
# renamed by an update), are refused whole in one log line: the links stay
mark=$(wc -l <"$T/daemon.log")
write_graph <<<'{"link": [], "pools": {}}'
check "an object without \"links\": reconcile fails" -- sh -c "! \"$PVXCTL\" --control $T/xc.sock reconcile"
check "... the links kept" -- "$PY" "$PEER" client "$T/planted/deep/dir/host.sock" who host
write_graph <<<'[{"type": "unix", "name": "x"}, {"kind": "unix", "name": "host", "consumer": "hostapp", "socket": "/s"}]'
check "a graph of unusable links: reconcile fails" -- sh -c "! \"$PVXCTL\" --control $T/xc.sock reconcile"
pvxctl reconcile >/dev/null 2>&1
check "... the links kept" -- "$PY" "$PEER" client "$T/planted/deep/dir/host.sock" who host
check "... the container's link too" -- test "$(st raw)" = ACTIVE
ok $([ "$(tail -n +$((mark + 1)) "$T/daemon.log" | grep -c 'no usable link: all 2 entries skipped')" = 1 ]; echo $?) \
	"... reported in one line over three reads"

# a hostile graph: 5,000 bad entries and 5,000 duplicates of one link are
# logged 20 and 20 times, then counted, and the one good link applies
mark=$(wc -l <"$T/daemon.log")
"$PY" - "$T/graph.json.new" "$T" <<'PYEOF'
import json, sys
dup = {"type": "unix", "name": "d", "consumer": "host", "socket": sys.argv[2] + "/nothing.sock",
       "target": sys.argv[2] + "/planted/d.sock"}
json.dump([{"type": "unix"}] * 5000 + [dup] * 5001, open(sys.argv[1], "w"))
PYEOF
mv "$T/graph.json.new" "$T/graph.json"
flood() { tail -n +$((mark + 1)) "$T/daemon.log"; }
check "hostile graph applied (the one distinct link is there)" -- \
	until_true 5 sh -c "\"$PVXCTL\" --control $T/xc.sock links --json | grep -q '\"name\":\"d\"'"
until_true 5 sh -c "tail -n +$((mark + 1)) '$T/daemon.log' | grep -q 'graph applied'"
ok $([ "$(flood | grep -c 'skipped: missing required field')" = 20 ]; echo $?) \
	"5,000 bad links: 20 logged one by one ($(flood | grep -c 'skipped: missing required field'))"
check "... and the rest counted in one line" -- sh -c "tail -n +$((mark + 1)) '$T/daemon.log' | grep -q '4980 more links skipped'"
ok $([ "$(flood | grep -c 'duplicate link host/d')" = 20 ]; echo $?) \
	"5,000 duplicates: 20 logged one by one ($(flood | grep -c 'duplicate link host/d'))"
check "... and the rest counted in one line" -- sh -c "tail -n +$((mark + 1)) '$T/daemon.log' | grep -q '4980 more duplicate links skipped'"
check "the applied line counts all 10,000 skipped" -- sh -c "tail -n +$((mark + 1)) '$T/daemon.log' | grep -q 'graph applied: .*10000 skipped'"

# the provider socket appears later: BACKOFF retries, then ACTIVE
in_container client mkdir -p /run/late
write_graph <<JSON
[{"type": "unix", "name": "late", "consumer": "client", "consumer_pid": $C,
  "provider": "client", "provider_pid": $C, "socket": "/run/late/p.sock", "target": "/run/pv/late.sock"}]
JSON
until_true 5 sh -c "[ \"\$(\"$PVXCTL\" --control $T/xc.sock links --json | grep -c BACKOFF)\" = 1 ]"
ok $? "provider socket missing: BACKOFF"
check "links gone from the graph are torn down" -- until_true 5 test ! -e "$T/planted/deep/dir/host.sock"
in_container client sh -c '/usr/bin/python3 /t/peers/peer.py serve /run/late/p.sock --id late >/dev/null 2>&1 &'
check "provider appears: the retry plants the link" -- pvxctl wait --timeout 10
check "round trip to a provider in the same container" -- \
	in_container client "$PY" /t/peers/peer.py client /run/pv/late.sock who late

kill -TERM "$DPID"; wait "$DPID"; st=$?
DPID=
ok $st "SIGTERM: exit 0"
check "SIGTERM: socket removed" -- test ! -e "/proc/$C/root/run/pv/late.sock"

# a consumer pid that still runs in the host's root is never planted for
sleep 100000 &
HOSTPROC=$!
BACKGROUND="$BACKGROUND $HOSTPROC"
write_graph <<JSON
[{"type": "unix", "name": "hostroot", "consumer": "notyet", "consumer_pid": $HOSTPROC,
  "socket": "$T/host-provider.sock", "target": "$T/should-not-exist/x.sock"}]
JSON
"$PVX" --graph "$T/graph.json" --control "$T/xc2.sock" --interval 60 >"$T/daemon2.log" 2>&1 &
D2=$!
until_true 5 grep -q "runs in the host's root" "$T/daemon2.log"
ok $? "consumer in the host's root: refused with the reason"
check "... and nothing planted" -- test ! -e "$T/should-not-exist"
kill -TERM "$D2"; wait "$D2"

# usage errors
check "--help documents the options" -- sh -c "\"$PVX\" --help | grep -q -- '--backoff-max'"
check "--version" -- sh -c "\"$PVX\" --version | grep -q '^pv-xconnect [0-9]'"
"$PVX" --interval nonsense >/dev/null 2>&1; st=$?
ok $([ "$st" = 2 ]; echo $?) "bad option value: exit 2 (got $st)"
"$PVX" --ctrl /a --graph /b >/dev/null 2>&1; st=$?
ok $([ "$st" = 2 ]; echo $?) "--ctrl with --graph: exit 2 (got $st)"
"$PVX" --graph /b --state /c >/dev/null 2>&1; st=$?
ok $([ "$st" = 2 ]; echo $?) "--graph with --state: exit 2 (got $st)"

[ $tap_failed -eq 0 ] || { echo "# daemon log:"; sed 's/^/#   /' "$T/daemon.log" | tail -40; }
done_testing
