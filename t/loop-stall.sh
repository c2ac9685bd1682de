#!/bin/bash
# One-off measurement, not a test: the worst 64-byte round trip on an
# ACTIVE link while a graph of N links (default 10,000) is fetched, parsed
# and applied, and while a body of M MiB of {} is (default 60).  Prints one
# line per case.  Root; run from the build tree:
#   top_builddir=. top_srcdir=. bash t/loop-stall.sh [N] [MIB] [ROUNDS]
set -e
top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-.}
PVX=${PVX:-$top_builddir/pv-xconnect}
PVXCTL=${PVXCTL:-$top_builddir/pvxctl}
N=${1:-10000}
MIB=${2:-60}
ROUNDS=${3:-3}
W=$(mktemp -d /tmp/pvx-stall.XXXXXX)
R=$(mktemp -d /dev/shm/pvx-stall.XXXXXX)
pids=""
trap 'for p in $pids; do kill $p 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W" "$R"' EXIT
python3 "$top_srcdir/t/peer.py" serve "$W/e.sock" >/dev/null 2>&1 & pids="$pids $!"
python3 -c '
import socket, sys, os
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4096)
while True: s.accept()[0].close()' "$W/p.sock" & pids="$pids $!"
while [ ! -S "$W/e.sock" ] || [ ! -S "$W/p.sock" ]; do sleep 0.05; done
active='{"type": "unix", "name": "active", "consumer": "bench", "socket": "'$W'/e.sock", "target": "'$R'/active.sock"}'
echo "[$active]" >"$W/g.json"
"$PVX" --graph "$W/g.json" --control "$W/x.sock" --interval 3600 --log-level error & D=$!; pids="$pids $D"
while [ ! -S "$W/x.sock" ] || [ ! -S "$R/active.sock" ]; do sleep 0.05; done
ctl() { "$PVXCTL" --control "$W/x.sock" "$@"; }

# worst WHAT: runs the probe on the active link around `pvxctl reconcile`.
worst() {
	rm -f "$W/stop" "$W/probe.out" "$W/probe.out.ready"
	python3 - "$R/active.sock" "$W/stop" "$W/probe.out" <<'PYEOF' &
import socket, sys, time, os
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
msg, worst, n = b"r" * 64, 0.0, 0
while not os.path.exists(sys.argv[2]) or n < 10:
    t0 = time.monotonic()
    s.sendall(msg)
    got = b""
    while len(got) < 64:
        d = s.recv(64 - len(got))
        if not d:
            sys.exit(1)
        got += d
    worst = max(worst, time.monotonic() - t0)
    n += 1
    if n == 10:
        open(sys.argv[3] + ".ready", "w").close()
open(sys.argv[3], "w").write("%.1f %d\n" % (worst * 1000, n))
PYEOF
	local probe=$!
	while [ ! -e "$W/probe.out.ready" ]; do sleep 0.01; done
	mv "$W/g.new" "$W/g.json"
	local t0 t1
	t0=$(date +%s%N)
	ctl reconcile >/dev/null || true
	t1=$(date +%s%N)
	touch "$W/stop"
	wait $probe
	read -r w n <"$W/probe.out"
	printf '%-40s worst round trip %8.1f ms (%d round trips), reconcile %6.0f ms\n' \
		"$1" "$w" "$n" "$(( (t1 - t0) / 1000000 ))"
}
mkgraph() { # mkgraph N: the active link and N-1 host-side links
	awk -v n="$1" -v w="$W" -v r="$R" -v a="$active" 'BEGIN { printf "[%s", a; for (i = 1; i < n; i++)
		printf ",\n{\"type\": \"unix\", \"name\": \"s%d\", \"consumer\": \"bench\", \"socket\": \"%s/p.sock\", \"target\": \"%s/l%d.sock\"}",
			i, w, r, i; print "]" }' >"$W/g.new"
}
for round in $(seq "$ROUNDS"); do
	mkgraph "$N"
	worst "apply $N links (from 1)"
	echo "[$active]" >"$W/g.new"
	worst "remove $((N - 1)) links"
	python3 - "$W/g.new" "$active" "$MIB" <<'PYEOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write("[" + sys.argv[2] + ",{}" * (int(sys.argv[3]) * 1024 * 1024 // 3 - len(sys.argv[2]) // 3) + "]")
PYEOF
	worst "$MIB MiB of {} (1 link)"
	echo "[$active]" >"$W/g.new"
	worst "back to 1 link"
done
