#!/bin/bash
# make bench: unix-link throughput and latency against a direct connection
# and a socat relay, measured side by side in one run.  Figures, not pass or
# fail.  BENCH_MIB (default 1024) and BENCH_RTT (default 20000) set the sizes.
set -eu
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
B="$top_builddir/t/bench/bench-unix"
MIB=${BENCH_MIB:-1024}
RTT=${BENCH_RTT:-20000}
W=$(mktemp -d /tmp/pvx-bench.XXXXXX)
pids=""
trap 'for p in $pids; do kill $p 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W"' EXIT
wait_sock() { for _ in $(seq 100); do [ -S "$1" ] && return 0; sleep 0.05; done; return 1; }
# BENCH_ONLY="unix rest dbus wayland daemon" (the default) picks the parts to run;
# "stall" is the loop-stall lines of the daemon part alone (in "daemon").
want() { case " ${BENCH_ONLY:-unix rest dbus wayland daemon} " in *" $1 "*) return 0 ;; esac; return 1; }

"$B" serve "$W/server.sock" & pids="$pids $!"
wait_sock "$W/server.sock"
cat >"$W/graph.json" <<JSON
[{"type": "unix", "name": "bench", "consumer": "bench", "socket": "$W/server.sock", "target": "$W/link.sock"}]
JSON
"$top_builddir/pv-xconnect" --graph "$W/graph.json" --control "$W/xc.sock" --log-level warn & D1=$!; pids="$pids $D1"
wait_sock "$W/link.sock"
have_socat=false
if command -v socat >/dev/null; then
	socat UNIX-LISTEN:"$W/socat.sock",fork UNIX-CONNECT:"$W/server.sock" & SOCAT=$!; pids="$pids $SOCAT"
	wait_sock "$W/socat.sock" && have_socat=true
fi
# The least any relay can cost: one blocking splice() loop per direction
# (no event loop, no fd passing), to see how close the link gets to it.
"$B" splice "$W/splice.sock" "$W/server.sock" & pids="$pids $!"
wait_sock "$W/splice.sock"
# CPU time of a process and its reaped children (socat forks per
# connection), in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat"; }
TCK=$(getconf CLK_TCK)

if want unix; then
echo "unix link benchmark ($(nproc) cores, $(uname -r), ${MIB} MiB bulk, ${RTT} round trips of 64 bytes)"
printf '%-12s %12s %8s %10s %8s %10s %8s %12s\n' variant "MiB/s" ratio "p50 us" ratio "p99 us" ratio "relay ms/GiB"
# Bulk: best of three interleaved rounds per variant (this class of VM
# varies by +-20 % from one run to the next); the relay's CPU is taken over
# the round that gave the best figure.
declare -A BW CPU
VARIANTS="direct pv-xconnect splice-only"
$have_socat && VARIANTS="$VARIANTS socat"
sock_of() { case $1 in direct) echo "$W/server.sock" ;; pv-xconnect) echo "$W/link.sock" ;;
	splice-only) echo "$W/splice.sock" ;; socat) echo "$W/socat.sock" ;; esac; }
pid_of() { case $1 in pv-xconnect) echo "$D1" ;; socat) echo "$SOCAT" ;; *) echo "" ;; esac; }
for _ in 1 2 3; do
	for v in $VARIANTS; do
		p=$(pid_of $v); c0=0; c1=0
		[ -n "$p" ] && c0=$(cpu_ticks "$p")
		bw=$("$B" bulk "$(sock_of $v)" "$MIB")
		[ -n "$p" ] && c1=$(cpu_ticks "$p")
		if awk -v a="$bw" -v b="${BW[$v]:-0}" 'BEGIN { exit !(a > b) }'; then
			BW[$v]=$bw
			CPU[$v]=$([ -n "$p" ] && echo $(( (c1 - c0) * 1000 / TCK )) || echo -)
		fi
	done
done
for v in $VARIANTS; do
	lat=$("$B" rtt "$(sock_of $v)" "$RTT")
	p50=${lat% *}; p99=${lat#* }
	[ "$v" = direct ] && { D_P50=$p50; D_P99=$p99; }
	awk -v n="$v" -v bw="${BW[$v]}" -v p50="$p50" -v p99="$p99" -v dbw="${BW[direct]}" -v d50="$D_P50" -v d99="$D_P99" \
		-v cpu="${CPU[$v]}" -v mib="$MIB" \
		'BEGIN { printf "%-12s %12.1f %7.2fx %10.1f %7.2fx %10.1f %7.2fx %12s\n", n, bw, bw / dbw, p50, p50 / d50, p99, p99 / d99,
			(cpu == "-" ? "-" : sprintf("%.0f", cpu * 1024 / mib)) }'
done
echo "(throughput ratio: higher is better; latency ratio: lower is better;"
echo " relay ms/GiB: CPU the process in the middle spent moving the bulk;"
echo " splice-only: a blocking splice() loop per direction, no fd passing: the floor for any relay)"
fi

# rest link: h2load (HTTP/1.1) against nginx on a Unix socket, directly,
# through the rest link, and through haproxy setting the same headers.
if want rest && command -v h2load >/dev/null && command -v nginx >/dev/null && command -v haproxy >/dev/null; then
	REQS=${BENCH_REQS:-50000}
	mkdir -p "$W/ng"
	cat >"$W/ng/nginx.conf" <<NGX
daemon off; master_process off; worker_processes 1; user root;
pid $W/ng/nginx.pid; error_log stderr error;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $W/ng/b; proxy_temp_path $W/ng/p;
  fastcgi_temp_path $W/ng/f; uwsgi_temp_path $W/ng/u; scgi_temp_path $W/ng/s;
  server { listen unix:$W/nginx.sock; location / { return 200 "ok\n"; } } }
NGX
	nginx -c "$W/ng/nginx.conf" -p "$W/ng" & pids="$pids $!"
	cat >"$W/haproxy.cfg" <<HAP
global
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend fe
  bind unix@$W/haproxy.sock
  http-request del-header X-PV-Client
  http-request del-header X-PV-Role
  http-request set-header X-PV-Client bench
  http-request set-header X-PV-Role any
  default_backend be
backend be
  server nginx unix@$W/nginx.sock
HAP
	haproxy -f "$W/haproxy.cfg" -db >"$W/haproxy.log" 2>&1 & HAPROXY=$!; pids="$pids $HAPROXY"
	wait_sock "$W/nginx.sock"; wait_sock "$W/haproxy.sock"
	cat >"$W/graph.new" <<JSON
[{"type": "unix", "name": "bench", "consumer": "bench", "socket": "$W/server.sock", "target": "$W/link.sock"},
 {"type": "rest", "name": "api", "consumer": "bench", "socket": "$W/nginx.sock", "target": "$W/rest.sock"}]
JSON
	mv "$W/graph.new" "$W/graph.json"
	"$top_builddir/pvxctl" --control "$W/xc.sock" reconcile >/dev/null
	wait_sock "$W/rest.sock"
	echo
	echo "rest link benchmark ($(nproc) cores; h2load --h1, $REQS requests, 10 connections, keep-alive)"
	printf '%-12s %12s %8s %14s\n' variant "req/s" ratio "proxy us/req"
	rps() { h2load --h1 -n "$REQS" -c 10 -B "unix:$1" http://localhost/ 2>/dev/null |
		awk '/^finished in/ { for (i = 1; i <= NF; i++) if ($i == "req/s,") print $(i - 1) }'; }
	D_RPS=$(rps "$W/nginx.sock")
	for v in "direct $W/nginx.sock" "pv-xconnect $W/rest.sock $D1" "haproxy $W/haproxy.sock $HAPROXY"; do
		set -- $v
		c0=0; c1=0
		[ $# -gt 2 ] && c0=$(cpu_ticks "$3")
		r=$([ "$1" = direct ] && echo "$D_RPS" || rps "$2")
		[ $# -gt 2 ] && c1=$(cpu_ticks "$3")
		awk -v n="$1" -v r="$r" -v d="$D_RPS" -v has="$#" -v us="$(( (c1 - c0) * 1000000 / TCK ))" -v reqs="$REQS" \
			'BEGIN { printf "%-12s %12.0f %7.2fx %14s\n", n, r, r / d, (has > 2 ? sprintf("%.1f", us / reqs) : "-") }'
	done
	echo "(requests per second: higher is better; proxy us/req: CPU the proxy spent per request)"
fi

# dbus link: method calls per second (one at a time per connection) to a
# libdbus service on a private dbus-daemon, directly, through the dbus link
# (plain and filtered to the service's name) and through xdg-dbus-proxy
# (plain and --filter --talk=the name).
BD="$top_builddir/t/bench/bench-dbus"
if want dbus && [ -x "$BD" ] && command -v dbus-daemon >/dev/null && command -v xdg-dbus-proxy >/dev/null; then
	CALLS=${BENCH_CALLS:-10000}
	cat >"$W/bus.conf" <<BUS
<busconfig><type>session</type><listen>unix:path=$W/bus</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow send_destination="*" eavesdrop="true"/>
<allow eavesdrop="true"/><allow own="*"/></policy></busconfig>
BUS
	dbus-daemon --config-file="$W/bus.conf" --nofork --nopidfile 2>/dev/null & pids="$pids $!"
	wait_sock "$W/bus"
	"$BD" serve "unix:path=$W/bus" org.pvx.Bench >/dev/null & pids="$pids $!"
	# (xdg-dbus-proxy warns on stderr of every client that leaves early)
	xdg-dbus-proxy "unix:path=$W/bus" "$W/xdg.sock" 2>>"$W/xdg.log" & pids="$pids $!"
	xdg-dbus-proxy "unix:path=$W/bus" "$W/xdgf.sock" --filter --talk=org.pvx.Bench 2>>"$W/xdg.log" & pids="$pids $!"
	cat >"$W/graph.new" <<JSON
[{"type": "unix", "name": "bench", "consumer": "bench", "socket": "$W/server.sock", "target": "$W/link.sock"},
 {"type": "dbus", "name": "bus", "consumer": "bench", "role": "root", "socket": "$W/bus", "target": "$W/dbus.sock"},
 {"type": "dbus", "name": "busf", "consumer": "bench", "role": "root", "interface": "org.pvx.Bench",
  "socket": "$W/bus", "target": "$W/dbusf.sock"}]
JSON
	mv "$W/graph.new" "$W/graph.json"
	"$top_builddir/pvxctl" --control "$W/xc.sock" reconcile >/dev/null
	wait_sock "$W/dbus.sock"; wait_sock "$W/dbusf.sock"; wait_sock "$W/xdg.sock"; wait_sock "$W/xdgf.sock"
	"$BD" call "unix:path=$W/bus" org.pvx.Bench 100 1 >/dev/null # the service is up
	echo
	echo "dbus link benchmark ($(nproc) cores; Echo(s) calls one at a time per connection;"
	echo "best of 3 interleaved rounds of $CALLS calls on 1 connection and $((CALLS / 4)) on each of 4)"
	printf '%-24s %10s %8s %10s %8s\n' variant "calls/s 1" ratio "calls/s 4" ratio
	variants="direct:$W/bus pv-xconnect:$W/dbus.sock xdg-dbus-proxy:$W/xdg.sock"
	variants="$variants pv-xconnect-filtered:$W/dbusf.sock xdg-dbus-proxy-filtered:$W/xdgf.sock"
	declare -A BEST1 BEST4
	for round in 1 2 3; do
		for v in $variants; do
			n=${v%%:*}; sock=${v#*:}
			c1=$("$BD" call "unix:path=$sock" org.pvx.Bench "$CALLS" 1)
			c4=$("$BD" call "unix:path=$sock" org.pvx.Bench "$((CALLS / 4))" 4)
			[ "${BEST1[$n]:-0}" -lt "$c1" ] && BEST1[$n]=$c1
			[ "${BEST4[$n]:-0}" -lt "$c4" ] && BEST4[$n]=$c4
		done
	done
	for v in $variants; do
		n=${v%%:*}
		awk -v n="$n" -v a="${BEST1[$n]}" -v b="${BEST4[$n]}" -v da="${BEST1[direct]}" -v db="${BEST4[direct]}" \
			'BEGIN { printf "%-24s %10.0f %7.2fx %10.0f %7.2fx\n", n, a, a / da, b, b / db }'
	done
	awk -v p="${BEST1[pv-xconnect]}" -v x="${BEST1[xdg-dbus-proxy]}" -v pf="${BEST1[pv-xconnect-filtered]}" \
		-v xf="${BEST1[xdg-dbus-proxy-filtered]}" -v p4="${BEST4[pv-xconnect]}" -v x4="${BEST4[xdg-dbus-proxy]}" \
		-v pf4="${BEST4[pv-xconnect-filtered]}" -v xf4="${BEST4[xdg-dbus-proxy-filtered]}" \
		'BEGIN { printf "pv-xconnect / xdg-dbus-proxy: plain %.2fx (1 conn) %.2fx (4); filtered %.2fx (1) %.2fx (4)\n", p / x, p4 / x4, pf / xf, pf4 / xf4 }'
	echo "(calls per second: higher is better; ratios to direct)"
	# Connection setup: each one is authenticated, says Hello and leaves.
	CONNS=$((CALLS / 5))
	echo
	echo "dbus connection setup (best of 3 rounds of $CONNS connections one after the other)"
	printf '%-24s %10s %8s\n' variant "conns/s" ratio
	declare -A BESTC
	for round in 1 2 3; do
		for v in direct:$W/bus pv-xconnect:$W/dbus.sock xdg-dbus-proxy:$W/xdg.sock; do
			n=${v%%:*}
			c=$("$BD" connects "unix:path=${v#*:}" "$CONNS")
			[ "${BESTC[$n]:-0}" -lt "$c" ] && BESTC[$n]=$c
		done
	done
	for n in direct pv-xconnect xdg-dbus-proxy; do
		awk -v n="$n" -v c="${BESTC[$n]}" -v d="${BESTC[direct]}" 'BEGIN { printf "%-24s %10.0f %7.2fx\n", n, c, c / d }'
	done
	echo "(connections per second: higher is better; ratios to direct)"
	# Loop stalls: the worst 64-byte round trip on the unix link of the
	# same daemon while 1,000 dbus connections are opened through it.
	rm -f "$W/stop"
	"$B" stall "$W/link.sock" "$W/stop" >"$W/stall.out" & SP=$!
	sleep 0.5
	"$BD" connects "unix:path=$W/dbus.sock" 1000 >/dev/null
	touch "$W/stop"; wait $SP
	read -r STALL_MAX STALL_P99 STALL_N <"$W/stall.out"
	printf 'worst 64-byte round trip on a unix link while 1,000 dbus connections open: %.2f ms (p99 %.2f ms, %d round trips; target <= 5 ms)\n' \
		"$STALL_MAX" "$STALL_P99" "$STALL_N"
fi

# Reconcile, footprint and idle cost of the daemon itself.
# Wayland: a hand-written client (t/bench/bench-wayland.c) against headless
# weston directly, through a plain unix link (the relay alone) and through a
# wayland link (the mediating relay): sync round trips, pipelined messages,
# frame round trips (commit with wl_surface.frame; paced by weston's repaint,
# so equal on every path).  Best of three interleaved rounds.
BW_="$top_builddir/t/bench/bench-wayland"
if want wayland && [ -x "$BW_" ] && command -v weston >/dev/null; then
	mkdir -p "$W/wl" && chmod 700 "$W/wl"
	XDG_RUNTIME_DIR="$W/wl" weston --backend=headless-backend.so --use-pixman --socket=wl-0 \
		--idle-time=0 --width=640 --height=480 >"$W/weston.log" 2>&1 & pids="$pids $!"
	wait_sock "$W/wl/wl-0"
	cat >"$W/wg.json" <<JSON
[{"type": "unix", "name": "wl-plain", "consumer": "bench", "socket": "$W/wl/wl-0", "target": "$W/wl-plain.sock"},
 {"type": "wayland", "name": "wl-filter", "consumer": "bench", "socket": "$W/wl/wl-0", "target": "$W/wl-filter.sock"}]
JSON
	"$top_builddir/pv-xconnect" --graph "$W/wg.json" --control "$W/x3.sock" --log-level warn & D3=$!; pids="$pids $D3"
	wait_sock "$W/wl-plain.sock" && wait_sock "$W/wl-filter.sock"
	WSYNC=${BENCH_WL_SYNCS:-20000}; WBATCH=${BENCH_WL_BATCH:-20000}; WFRAMES=${BENCH_WL_FRAMES:-120}
	declare -A WS WM WF
	for _ in 1 2 3; do
		for v in direct plain mediating; do
			case $v in direct) s="$W/wl/wl-0" ;; plain) s="$W/wl-plain.sock" ;; mediating) s="$W/wl-filter.sock" ;; esac
			read -r a b c < <("$BW_" "$s" "$WSYNC" "$WBATCH" "$WFRAMES")
			[ "${a:-0}" -gt "${WS[$v]:-0}" ] && WS[$v]=$a
			[ "${b:-0}" -gt "${WM[$v]:-0}" ] && WM[$v]=$b
			awk -v x="${c:-0}" -v y="${WF[$v]:-0}" 'BEGIN { exit !(x > y) }' && WF[$v]=$c
		done
	done
	echo
	echo "wayland link benchmark ($(nproc) cores, headless weston $(weston --version 2>&1 | awk '{ print $2 }'), $WSYNC syncs, 10 x $WBATCH messages, $WFRAMES frames)"
	printf '%-12s %12s %8s %14s %8s %10s\n' variant "syncs/s" "vs plain" "messages/s" "vs plain" "frames/s"
	for v in direct plain mediating; do
		printf '%-12s %12d %8.2f %14d %8.2f %10.1f\n' $v "${WS[$v]}" "$(echo "${WS[$v]} ${WS[plain]}" | awk '{ print $1 / $2 }')" \
			"${WM[$v]}" "$(echo "${WM[$v]} ${WM[plain]}" | awk '{ print $1 / $2 }')" "${WF[$v]}"
	done
	echo "target: mediating >= 0.9 x plain"
fi

want daemon || want stall || exit 0
ms() { date +%s%N | awk '{ printf "%.1f", $1 / 1e6 }'; }
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
LINKS=${BENCH_LINKS:-10000}
"$B" listen "$W/p.sock" & pids="$pids $!"
"$B" keep "$W/k.sock" & pids="$pids $!"
"$B" serve "$W/e.sock" & pids="$pids $!"
wait_sock "$W/p.sock"; wait_sock "$W/k.sock"; wait_sock "$W/e.sock"
# Targets on tmpfs, as a container's /run is (ext4 spends its time
# allocating inodes when 10,000 sockets land in one directory).
R=$(mktemp -d /dev/shm/pvx-bench.XXXXXX 2>/dev/null || echo "$W/rr")
mkdir -p "$R"
ln -s "$R" "$W/r"
trap 'for p in $pids; do kill $p 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W" "$R"' EXIT
echo '[]' >"$W/rg.json"
"$top_builddir/pv-xconnect" --graph "$W/rg.json" --control "$W/x2.sock" --interval 3600 \
	--log-level error & D2=$!; pids="$pids $D2"
wait_sock "$W/x2.sock"
sleep 0.5
mkgraph() { # mkgraph N FILE: the echo link, then N host-side unix links to
	# the cheap provider, the first one to the provider that keeps
	# connections open
	awk -v n="$1" -v w="$W" -v r="$R" 'BEGIN {
		printf "[{\"type\": \"unix\", \"name\": \"echo\", \"consumer\": \"bench\", \"socket\": \"%s/e.sock\", \"target\": \"%s/echo.sock\"}", w, r
		for (i = 0; i < n; i++)
		printf ",\n{\"type\": \"unix\", \"name\": \"s%d\", \"consumer\": \"bench\", \"socket\": \"%s/%s.sock\", \"target\": \"%s/l%d.sock\"}",
			i, w, (i ? "p" : "k"), r, i; print "]" }' >"$2.new"
	mv "$2.new" "$2"
}
if want daemon; then
RSS_IDLE=$(rss_kib $D2)
v0=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$D2/status")
sleep 10
v1=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$D2/status")
mkgraph 1000 "$W/rg.json"
"$top_builddir/pvxctl" --control "$W/x2.sock" reconcile >/dev/null
RSS_1K=$(rss_kib $D2)
"$B" hold "$R/l0.sock" 1000 >/dev/null & HOLD=$!; pids="$pids $HOLD"
for _ in $(seq 300); do
	[ "$("$top_builddir/pvxctl" --control "$W/x2.sock" links --json | grep -o '"active":[0-9]*' | sort -t: -k2 -n | tail -1 | cut -d: -f2)" = 1000 ] && break
	sleep 0.1
done
RSS_CONN=$(rss_kib $D2)
kill $HOLD
mkgraph "$LINKS" "$W/rg.json"
t0=$(ms); "$top_builddir/pvxctl" --control "$W/x2.sock" reconcile >/dev/null; t1=$(ms)
"$top_builddir/pvxctl" --control "$W/x2.sock" wait --timeout 60 >/dev/null
c0=$(cpu_ticks $D2)
for i in $(seq 200); do "$top_builddir/pvxctl" --control "$W/x2.sock" reconcile >/dev/null; done
c1=$(cpu_ticks $D2)
GRAPH_KIB=$(( $(wc -c <"$W/rg.json") / 1024 ))
awk -v n="$LINKS" -v w="$W" -v r="$R" 'BEGIN { printf ",{\"type\": \"unix\", \"name\": \"new\", \"consumer\": \"bench\", \"socket\": \"%s/p.sock\", \"target\": \"%s/new.sock\"}]", w, r }' >"$W/extra"
sed '$ s/]$//' "$W/rg.json" >"$W/rg.new" && cat "$W/extra" >>"$W/rg.new"
# From the rename of the new graph into place (the daemon may see it by
# its file watch before the signal) to the new link's socket.
HUP_MS=$("$B" hup "$R/new.sock" $D2 "$W/rg.new" "$W/rg.json")
fi
# Loop stalls: the worst 64-byte round trip on the ACTIVE echo link while
# the daemon goes from the echo link alone to $LINKS links more.
mkgraph 0 "$W/rg.json"
"$top_builddir/pvxctl" --control "$W/x2.sock" reconcile >/dev/null
"$top_builddir/pvxctl" --control "$W/x2.sock" wait --timeout 60 >/dev/null
rm -f "$W/stop"
"$B" stall "$R/echo.sock" "$W/stop" >"$W/stall.out" & SP=$!
sleep 0.5
mkgraph "$LINKS" "$W/rg.json"
"$top_builddir/pvxctl" --control "$W/x2.sock" reconcile >/dev/null
"$top_builddir/pvxctl" --control "$W/x2.sock" wait --timeout 60 >/dev/null
touch "$W/stop"; wait $SP
read -r STALL_MAX STALL_P99 STALL_N <"$W/stall.out"
# The same while GET /links of those $LINKS links is asked for five times
# (pvxctl links --json; the answer is several MiB).
rm -f "$W/stop"
"$B" stall "$R/echo.sock" "$W/stop" >"$W/stall.out" & SP=$!
sleep 0.5
for _ in 1 2 3 4 5; do "$top_builddir/pvxctl" --control "$W/x2.sock" links --json >/dev/null; done
touch "$W/stop"; wait $SP
read -r LSTALL_MAX LSTALL_P99 LSTALL_N <"$W/stall.out"
if ! want daemon; then
	echo "loop stalls ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
	printf '%-48s %11.2f ms %s\n' "worst 64-byte round trip while $LINKS links are applied" "$STALL_MAX" "<= 5 ms"
	printf '%-48s %11.2f ms   (%d round trips)\n' "  p99 of those round trips" "$STALL_P99" "$STALL_N"
	printf '%-48s %11.2f ms %s\n' "worst 64-byte round trip during GET /links x5" "$LSTALL_MAX" "<= 5 ms"
	printf '%-48s %11.2f ms   (%d round trips)\n' "  p99 of those round trips" "$LSTALL_P99" "$LSTALL_N"
	exit 0
fi
strip -o "$W/pvx.stripped" "$top_builddir/pv-xconnect"
echo
echo "daemon benchmark ($(nproc) cores)"
printf '%-48s %14s %s\n' measure value target
printf '%-48s %11.0f ms %s\n' "apply a $LINKS-link graph from empty" "$(echo "$t1 $t0" | awk '{ print $1 - $2 }')" "< 1000 ms"
printf '%-48s %11.3f ms %s\n' "CPU per unchanged re-poll ($GRAPH_KIB KiB graph, control request included)" "$(echo "$c0 $c1" | awk '{ print ($2 - $1) * 10 / 200 }')" "< 1 ms"
printf '%-48s %11.1f ms %s\n' "SIGHUP to the new socket existing ($LINKS links)" "$HUP_MS" "< 50 ms"
printf '%-48s %11.2f ms %s\n' "worst 64-byte round trip while they are applied" "$STALL_MAX" "<= 5 ms"
printf '%-48s %11.2f ms   (%d round trips)\n' "  p99 of those round trips" "$STALL_P99" "$STALL_N"
printf '%-48s %11.2f ms %s\n' "worst 64-byte round trip during GET /links x5" "$LSTALL_MAX" "<= 5 ms"
printf '%-48s %11.2f ms   (%d round trips)\n' "  p99 of those round trips" "$LSTALL_P99" "$LSTALL_N"
printf '%-48s %11d KiB\n' "RSS idle" "$RSS_IDLE"
printf '%-48s %11d KiB %s\n' "RSS with 1,000 links" "$RSS_1K" "< 8192 KiB"
printf '%-48s %11.1f KiB %s\n' "RSS per idle connection (1,000 open)" "$(echo "$RSS_CONN $RSS_1K" | awk '{ print ($1 - $2) / 1000 }')" "<= 16 KiB"
printf '%-48s %11d /min %s\n' "wakeups idle (interval 3600 s)" "$(( (v1 - v0) * 6 ))" "poll timer only"
printf '%-48s %11d KiB\n' "stripped binary" "$(( $(stat -c %s "$W/pvx.stripped") / 1024 ))"
