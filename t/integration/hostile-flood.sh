#!/bin/bash
# Hostile consumers and providers that flood: idle connections by the
# thousand, writers that never read, closers whose bytes sit at a provider
# that never reads, and clients that jam the control socket.  Each check
# fails on a daemon without the bound it names (issue 15, items 6-9).
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools
command -v ss >/dev/null || skip_all "needs ss (iproute2) for socket memory"

# The flooding clients and the sink provider, written here so that they
# stay next to the checks that read them.
cat >"$T/flood.py" <<'PY'
import os, socket, sys, time

def connect(path):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(path)
    return c

def stuff(c):
    # Writes until the relay stops taking bytes; never reads.
    c.setblocking(False)
    chunk = b"x" * 65536
    total = 0
    idle = 0
    while idle < 20:
        try:
            total += c.send(chunk)
            idle = 0
        except BlockingIOError:
            idle += 1
            time.sleep(0.05)
        except OSError:
            break
    return total

mode, path = sys.argv[1], sys.argv[2]
if mode == "hold":      # hold PATH N: N idle connections, kept until killed
    conns = [connect(path) for _ in range(int(sys.argv[3]))]
    print("open", len(conns), flush=True)
    time.sleep(3600)
elif mode == "stuff":   # stuff PATH N: N connections writing, never reading
    conns = [connect(path) for _ in range(int(sys.argv[3]))]
    total = sum(stuff(c) for c in conns)
    print("stuffed", total, flush=True)
    time.sleep(3600)
elif mode == "close":   # close PATH: write until stuck, then close
    c = connect(path)
    print("stuffed", stuff(c), flush=True)
    c.close()
elif mode == "sink":    # sink PATH: a provider that accepts and never reads
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(64)
    held = []
    while True:
        held.append(s.accept()[0])
elif mode == "mute":    # mute PATH: a pv-ctrl that accepts and never answers
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(256)
    held = []
    while True:
        held.append(s.accept()[0])
elif mode == "reconcile":  # reconcile PATH N: N POST /reconcile at once
    n = int(sys.argv[3])
    conns = [connect(path) for _ in range(n)]
    for c in conns:
        c.sendall(b"POST /reconcile HTTP/1.0\r\n\r\n")
    answered = 0
    for c in conns:
        c.settimeout(40)
        try:
            if c.recv(64).startswith(b"HTTP/1.0 "):
                answered += 1
        except OSError:
            pass
    print("answered", answered, "of", n, flush=True)
    sys.exit(0 if answered == n else 1)
PY
FLOOD() { "$PY" "$T/flood.py" "$@"; }
# In the background, python itself is the job (kill reaches it).
FLOOD_BG() { "$PY" "$T/flood.py" "$@" & }

container_start server "$PY" /t/peers/peer.py serve /run/example/echo.sock --id echo
SPID=$(cpid server)
until_true 5 test -S "/proc/$SPID/root/run/example/echo.sock"
FLOOD_BG sink "$T/sink.sock" >"$T/sink.log" 2>&1
BACKGROUND="$BACKGROUND $!"
until_true 5 test -S "$T/sink.sock"

link() { # link CONSUMER NAME TARGET [provider pid] [socket]
	printf '{"type": "unix", "name": "%s", "consumer": "%s", "provider": "server", "provider_pid": %s, "socket": "%s", "target": "%s"}' \
		"$2" "$1" "${4:-$SPID}" "${5:-/run/example/echo.sock}" "$3"
}
cat >"$T/graph.json" <<JSON
[$(link mallory a "$T/a.sock"), $(link mallory b "$T/b.sock"), $(link alice c "$T/c.sock"),
 $(link mallory sink "$T/s.sock" 0 "$T/sink.sock")]
JSON
"$PVX" --graph "$T/graph.json" --control "$T/xc.sock" --interval 60 --linger 1 \
	--max-conns-per-link 8 --max-conns-per-consumer 12 >"$T/daemon.log" 2>&1 &
DPID=$!
until_true 5 test -S "$T/xc.sock"
check "links ACTIVE" -- pvxctl wait --timeout 10

conns() { # conns NAME FIELD: connections.FIELD of link NAME
	pvxctl links --json | "$PY" -c '
import json, sys
for l in json.load(sys.stdin):
    if l["name"] == sys.argv[1]:
        print(l["connections"][sys.argv[2]] if sys.argv[2] != "parked" else l["parked_bytes"])' "$1" "$2"
}
at_least() { [ "$(conns "$1" "$2")" -ge "$3" ]; }
equals() { [ "$(conns "$1" "$2")" -eq "$3" ]; }

# --- 6: one consumer cannot take every fd --------------------------------
FLOOD_BG hold "$T/a.sock" 20 >"$T/hold-a.log" 2>&1
HA=$!
check "per-link cap: 20 idle connections on link a, 12 refused" -- until_true 10 at_least a refused 12
check "per-link cap: link a relays 8 at most" -- equals a active 8
FLOOD_BG hold "$T/b.sock" 20 >"$T/hold-b.log" 2>&1
HB=$!
check "per-consumer cap: link b of the same consumer gets the 4 left" -- until_true 10 at_least b refused 16
check "per-consumer cap: mallory holds 12 in all" -- equals b active 4
check "another consumer's link still serves" -- "$PY" "$PEER" client "$T/c.sock" who echo
check "refusals in /metrics" -- sh -c "\"$PVXCTL\" --control '$T/xc.sock' metrics | grep -q '^pvx_link_connections_refused_total{consumer=\"mallory\",name=\"a\".*} 12'"
# pvxctl links shows what GET /links has: KEY is three words (consumer/name
# -> target), then TYPE, STATE, SINCE, PIDS, CONNS, REFUSED (9), PARKED (10).
links_col() { pvxctl links | awk -v k="$1" -v c="$2" '$1 == k { print $c }'; }
same_refused() { # same_refused KEY NAME: the table's count is the JSON's, and not 0
	local t j; t=$(links_col "$1" 9); j=$(conns "$2" refused)
	echo "table '$t', JSON '$j'"; [ -n "$t" ] && [ "$t" = "$j" ] && [ "$j" -gt 0 ]
}
check "pvxctl links: the refusals in the REFUSED column" -- same_refused mallory/a a
check "pvxctl links: the per-consumer refusals of link b too" -- same_refused mallory/b b
kill "$HA" "$HB"; wait "$HA" "$HB" 2>/dev/null
check "caps released when the clients leave" -- until_true 10 equals a active 0

# --- 7: a writer that never reads costs bounded kernel memory ------------
# Socket memory the kernel holds for the daemon's sockets (skmem r + t of
# every unix socket it owns), from ss -m: measured, not timed.
daemon_skmem() {
	ss -x -a -m -p 2>/dev/null | awk -v pid="pid=$DPID," '
		index($0, pid) && match($0, /skmem:\([^)]*\)/) {
			n = split(substr($0, RSTART + 6, RLENGTH - 7), f, ",")
			for (i = 1; i <= n; i++)
				if (f[i] ~ /^[rt][0-9]/) sum += substr(f[i], 2) + 0
		}
		END { print sum + 0 }'
}
base_mem=$(daemon_skmem)
N=8
FLOOD_BG stuff "$T/c.sock" $N >"$T/stuff.log" 2>&1
HS=$!
check "the writers are stuck (the relay stopped taking their bytes)" -- until_true 30 grep -q stuffed "$T/stuff.log"
mem=$(( $(daemon_skmem) - base_mem ))
per=$(( mem / N ))
diag "kernel socket memory of the daemon: $mem bytes for $N stuck connections, $per per connection ($(cat "$T/stuff.log"))"
ok $([ "$per" -le $((1536 * 1024)) ]; echo $?) "a connection whose consumer never reads holds <= 1.5 MiB of the daemon's socket memory ($per bytes)"
ok $([ "$(conns c parked)" -le $((N * 512 * 1024)) ]; echo $?) "parked bytes of the link bounded ($(conns c parked) bytes)"
parked_shown() { # the PARKED column of link c: bytes held, not 0B, when JSON says so
	local t j; t=$(links_col alice/c 10); j=$(conns c parked)
	echo "table '$t', JSON '$j'"
	[ "$j" -gt 0 ] && printf '%s\n' "$t" | grep -qE '^[1-9][0-9.]*(B|KiB|MiB|GiB)$'
}
check "pvxctl links: the parked bytes in the PARKED column" -- parked_shown
kill "$HS"; wait "$HS" 2>/dev/null

# --- 8: a closed consumer's bytes stuck at a provider that never reads ---
check "a consumer writes to a provider that never reads, then closes" -- FLOOD close "$T/s.sock"
check "the session is reclaimed after the linger" -- until_true 15 equals sink active 0
check "and counted as reclaimed" -- at_least sink reclaimed 1

kill -TERM "$DPID"; wait "$DPID"; st=$?; DPID=
ok $st "SIGTERM: exit 0"

# --- 9: the control socket under a slow pv-ctrl and idle clients ----------
FLOOD_BG mute "$T/pv-ctrl" >"$T/mute.log" 2>&1
BACKGROUND="$BACKGROUND $!"
until_true 5 test -S "$T/pv-ctrl"
"$PVX" --ctrl "$T/pv-ctrl" --control "$T/xc.sock" --interval 60 >>"$T/daemon.log" 2>&1 &
DPID=$!
until_true 5 test -S "$T/xc.sock"
check "40 POST /reconcile while pv-ctrl never answers: every one is answered" -- \
	FLOOD reconcile "$T/xc.sock" 40
check "pvxctl links answers after the burst" -- timeout 5 "$PVXCTL" --control "$T/xc.sock" links
FLOOD_BG hold "$T/xc.sock" 70 >"$T/idle.log" 2>&1
HI=$!
until_true 5 grep -q open "$T/idle.log"
check "70 idle clients on the control socket: pvxctl links still answers" -- \
	timeout 1.5 "$PVXCTL" --control "$T/xc.sock" links
kill "$HI"; wait "$HI" 2>/dev/null
kill -TERM "$DPID"; wait "$DPID"; st=$?; DPID=
ok $st "SIGTERM: exit 0"
done_testing
