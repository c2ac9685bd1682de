#!/bin/bash
# rest links between real containers: nginx and a strict HTTP echo provider
# in provider containers, curl and a raw client in the consumer.  Every
# request must arrive with exactly one X-PV-Client / X-PV-Role pair carrying
# the link's consumer and role, whatever the client sends.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || skip_all "needs nginx (Debian nginx-light)"
command -v curl >/dev/null || skip_all "needs curl"

container_start web sh -c "mkdir -p /run/example && exec $NGINX -c /t/peers/nginx-echo.conf -p /tmp"
container_start echo "$PY" /t/peers/http-echo.py /run/example/api.sock
container_start app sleep 100000
until_true 5 test -S "/proc/$(cpid web)/root/run/example/api.sock"
until_true 5 test -S "/proc/$(cpid echo)/root/run/example/api.sock"
# The longest consumer and role the validator allows, and longer ones (the
# graph once took 4 KiB each and the proxy then sent no identity at all).
LONGC=$(printf 'c%.0s' $(seq 64)); LONGR=$(printf 'r%.0s' $(seq 64))
TOOC=$(printf 'c%.0s' $(seq 200)); TOOR=$(printf 'r%.0s' $(seq 200))
cat >"$T/graph.json" <<JSON
[{"type": "rest", "name": "api", "consumer": "app", "consumer_pid": $(cpid app), "role": "operator",
  "provider": "web", "provider_pid": $(cpid web), "socket": "/run/example/api.sock",
  "target": "/run/pv/services/api.sock"},
 {"type": "rest", "name": "echo", "consumer": "app", "consumer_pid": $(cpid app), "role": "operator",
  "provider": "echo", "provider_pid": $(cpid echo), "socket": "/run/example/api.sock",
  "target": "/run/pv/services/echo.sock"},
 {"type": "rest", "name": "long", "consumer": "$LONGC", "consumer_pid": $(cpid app), "role": "$LONGR",
  "provider": "echo", "provider_pid": $(cpid echo), "socket": "/run/example/api.sock",
  "target": "/run/pv/services/long.sock"},
 {"type": "rest", "name": "toolong", "consumer": "$TOOC", "consumer_pid": $(cpid app), "role": "$TOOR",
  "provider": "echo", "provider_pid": $(cpid echo), "socket": "/run/example/api.sock",
  "target": "/run/pv/services/toolong.sock"}]
JSON
fake_pvctrl_start "$T/graph.json"
daemon_start
check "rest links ACTIVE" -- pvxctl wait --timeout 10

curl_in() { in_container app curl -s --max-time 5 --unix-socket /run/pv/services/api.sock "$@"; }
check "nginx sees the consumer and role" -- \
	sh -c "[ \"\$(nsenter -t $(cpid app) -m -p -r -w curl -s --max-time 5 --unix-socket /run/pv/services/api.sock http://x/)\" = '{\"client\": \"app\", \"role\": \"operator\"}' ]"
out=$(curl_in -H "X-PV-Role: admin" -H "x-pv-client: evil" http://x/spoof)
ok $([ "$out" = '{"client": "app", "role": "operator"}' ]; echo $?) "curl spoofing X-PV-* through nginx: $out"
out=$(curl_in --http1.1 http://x/a http://x/b http://x/c -H "X-PV-Role: admin")
ok $([ "$(echo "$out" | grep -c '"role": "operator"')" = 3 ]; echo $?) "curl keep-alive, 3 requests on one connection, each with the real role"
out=$(curl_in -H "Transfer-Encoding: chunked" --data-binary @/t/peers/http-echo.py http://x/upload)
ok $([ "$out" = '{"client": "app", "role": "operator"}' ]; echo $?) "chunked upload through to nginx"

# every variant against the strict echo provider, from inside the consumer
in_container app "$PY" /t/peers/rest-check.py /run/pv/services/echo.sock app operator >"$T/rest-check.out" 2>&1
st=$?
while read -r line; do
	case "$line" in
	"ok - "*) ok 0 "${line#ok - }" ;;
	"not ok - "*) ok 1 "${line#not ok - }" ;;
	*) diag "$line" ;;
	esac
done <"$T/rest-check.out"
ok $st "rest-check.py exit status"

check "64-byte consumer and role: every request carries both whole" -- \
	in_container app "$PY" /t/peers/rest-check.py /run/pv/services/long.sock "$LONGC" "$LONGR" connects 5
check "200-byte consumer and role: no request reaches the provider without them" -- \
	in_container app "$PY" /t/peers/rest-check.py /run/pv/services/toolong.sock "$TOOC" "$TOOR" absent-or-connects 5
check "the graph reader says why it skipped that link" -- \
	grep -q "link named 'toolong': field 'consumer' must match" "$T/daemon.log"

check "half-close with nc-style shutdown (curl through nginx)" -- \
	in_container app sh -c 'printf "GET /h HTTP/1.0\r\n\r\n" | /usr/bin/python3 -c "
import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(\"/run/pv/services/api.sock\")
s.sendall(sys.stdin.buffer.read()); s.shutdown(socket.SHUT_WR)
d=b\"\"
while True:
    c=s.recv(4096)
    if not c: break
    d+=c
sys.exit(0 if b\"operator\" in d else 1)"'

# 100 connections: fds back to baseline
base=$(fd_count "$DPID")
check "100 connects through the rest link" -- in_container app "$PY" /t/peers/rest-check.py /run/pv/services/echo.sock app operator connects 100
fd_back() { [ "$(fd_count "$DPID")" -le $((base + 2)) ]; }
check "daemon fd count back to baseline ($base)" -- until_true 10 fd_back

pvxctl links >"$T/links.txt"
check "pvxctl links shows requests and proxy 4xx" -- grep -q "req=[1-9][0-9]* 4xx=[1-9]" "$T/links.txt"
check "metrics count proxy 4xx" -- sh -c "\"$PVXCTL\" --control $T/xc.sock metrics | grep -q '^pvx_link_http_proxy_4xx_total{consumer=\"app\",name=\"echo\".*} [1-9]'"

kill -TERM "$DPID"; wait "$DPID"; st=$?; DPID=
ok $st "SIGTERM: exit 0"
done_testing
