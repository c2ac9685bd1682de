#!/bin/bash
# make bench: unix-link throughput and latency against a direct connection
# and a socat relay, measured side by side in one run.  Figures, not pass or
# fail.  BENCH_MIB (default 1024) and BENCH_RTT (default 20000) set the sizes.
set -eu
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
B="$top_builddir/t/bench-unix"
MIB=${BENCH_MIB:-1024}
RTT=${BENCH_RTT:-20000}
W=$(mktemp -d /tmp/pvx-bench.XXXXXX)
pids=""
trap 'for p in $pids; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$W"' EXIT
wait_sock() { for _ in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.05; done; return 1; }

"$B" serve "$W/server.sock" & pids="$pids $!"
wait_sock "$W/server.sock"
cat >"$W/graph.json" <<JSON
[{"type": "unix", "name": "bench", "consumer": "bench", "socket": "$W/server.sock", "target": "$W/link.sock"}]
JSON
"$top_builddir/pv-xconnect" --graph "$W/graph.json" --control "$W/xc.sock" --log-level warn & pids="$pids $!"
wait_sock "$W/link.sock"
have_socat=false
if command -v socat >/dev/null; then
	socat UNIX-LISTEN:"$W/socat.sock",fork UNIX-CONNECT:"$W/server.sock" & pids="$pids $!"
	wait_sock "$W/socat.sock" && have_socat=true
fi

echo "unix link benchmark ($(nproc) cores, $(uname -r), ${MIB} MiB bulk, ${RTT} round trips of 64 bytes)"
printf '%-12s %12s %8s %10s %8s %10s %8s\n' variant "MiB/s" ratio "p50 us" ratio "p99 us" ratio
row() {
	local name=$1 sock=$2 bw lat p50 p99
	bw=$("$B" bulk "$sock" "$MIB")
	lat=$("$B" rtt "$sock" "$RTT")
	p50=${lat% *}; p99=${lat#* }
	[ "$name" = direct ] && { D_BW=$bw; D_P50=$p50; D_P99=$p99; }
	awk -v n="$name" -v bw="$bw" -v p50="$p50" -v p99="$p99" -v dbw="$D_BW" -v d50="$D_P50" -v d99="$D_P99" \
		'BEGIN { printf "%-12s %12.1f %7.2fx %10.1f %7.2fx %10.1f %7.2fx\n", n, bw, bw / dbw, p50, p50 / d50, p99, p99 / d99 }'
}
row direct "$W/server.sock"
row pv-xconnect "$W/link.sock"
$have_socat && row socat "$W/socat.sock"
echo "(throughput ratio: higher is better; latency ratio: lower is better)"
