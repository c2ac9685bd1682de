#!/bin/bash
# Link states reach Pantavisor: POST /xconnect-status to pv-ctrl (the fake
# one keeps the last and serves it on GET /xconnect-status), debounced,
# retried while pv-ctrl refuses or is away, the latest state winning; and
# tools/pvxcontrol reading both sockets with socat or nc -U.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools
PVXCONTROL="$top_srcdir/tools/pvxcontrol"
CT_PEER="/t/${PEER#"$top_srcdir"/t/}" # peer.py as the containers see it

graph() { # graph CONSUMER_PID PROVIDER_PID [extra links JSON]
	cat >"$T/graph.json.new" <<JSON
[{"type": "unix", "name": "raw", "consumer": "client", "consumer_pid": $1,
  "provider": "server", "provider_pid": $2,
  "socket": "/run/example/raw.sock", "target": "/run/pv/services/raw.sock"}${3:-}]
JSON
	mv "$T/graph.json.new" "$T/graph.json"
}
# reported FIELD...: the fields of client/raw in pv-ctrl's last report
reported() {
	"$PVXCONTROL" -c "$T/pv-ctrl" pv-status | "$PY" -c '
import json, sys
for l in json.load(sys.stdin):
    if l["consumer"] == "client" and l["name"] == "raw":
        print(" ".join(str(l[k]) for k in sys.argv[1:]))' "$@"
}
reported_is() { [ "$(reported state)" = "$1" ]; }
posts() { grep -c '^xconnect-status ' "$T/fake-pvctrl.log"; }

container_start server "$PY" "$CT_PEER" serve /run/example/raw.sock --id first
container_start client sleep 100000
until_true 5 test -S "/proc/$(cpid server)/root/run/example/raw.sock"
graph "$(cpid client)" "$(cpid server)"

# pv-ctrl serves the graph but refuses the reports at first.
echo 503 >"$T/xs-refuse"
fake_pvctrl_start "$T/graph.json" --xstatus-status-file "$T/xs-refuse"
daemon_start
check "the link becomes ACTIVE" -- pvxctl wait --timeout 10
check "pvxcontrol pv-status: nothing reported while pv-ctrl refuses" -- \
	test "$("$PVXCONTROL" -c "$T/pv-ctrl" pv-status)" = "[]"
refused() { grep -q 'POST /xconnect-status .* answered HTTP 503; retrying' "$T/daemon.log"; }
until_true 10 refused
ok $? "the refusal is logged"
rm "$T/xs-refuse"
until_true 40 reported_is ACTIVE
ok $? "retried: pv-ctrl gets the link ACTIVE once it takes reports"
check "the report has consumer, name, established, last_error, state, since" -- \
	test "$(reported consumer name established last_error state)" = "client raw True  ACTIVE"
since=$(reported since)
check "since is the wall clock of the last change (pvxctl links says the same)" -- \
	"$PY" -c "import sys, time; s = float(sys.argv[1]); sys.exit(not (abs(s - time.time()) < 3600))" "$since"
check "the refusal is logged once (not per retry)" -- \
	test "$(grep -c 'POST /xconnect-status .* answered HTTP 503' "$T/daemon.log")" = 1
check "the recovery is logged" -- grep -q 'status: pv-ctrl takes link states again' "$T/daemon.log"

# Nothing changes: nothing is sent.
p0=$(posts)
polls_pass 3
check "no change, no report (3 graph polls later still $p0 posts)" -- test "$(posts)" = "$p0"

# pv-ctrl away while the state changes several times: once it is back,
# it gets the latest state, in a report or two, not a queue of them.
kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null
container_kill server
until_true 10 sh -c "[ \"\$(\"$PVXCTL\" --control $T/xc.sock links --json | grep -c INJECTED)\" = 1 ]"
ok $? "provider gone: the link is INJECTED"
container_start server "$PY" "$CT_PEER" serve /run/example/raw.sock --id second
until_true 5 test -S "/proc/$(cpid server)/root/run/example/raw.sock"
graph "$(cpid client)" "$(cpid server)"
mv "$T/fake-pvctrl.log" "$T/fake-pvctrl-1.log"
away() { grep -q 'POST /xconnect-status to .* failed (cannot connect' "$T/daemon.log"; }
until_true 10 away
ok $? "pv-ctrl away: the failure is logged"
fake_pvctrl_start "$T/graph.json"
check "the link is ACTIVE again" -- pvxctl wait --timeout 20
until_true 40 reported_is ACTIVE
ok $? "pv-ctrl back: it gets the latest state (ACTIVE)"
check "latest wins: at most 3 reports after pv-ctrl came back ($(posts))" -- test "$(posts)" -le 3
check "error cleared in the report" -- test "$(reported established last_error)" = "True "

# Debounced: 20 links coming up at once are a few reports, not one per
# change (each link makes at least 3 transitions).
extra=""
for i in $(seq 1 20); do
	extra="$extra, {\"type\": \"unix\", \"name\": \"x$i\", \"consumer\": \"client\", \"consumer_pid\": $(cpid client),
	  \"provider\": \"server\", \"provider_pid\": $(cpid server),
	  \"socket\": \"/run/example/raw.sock\", \"target\": \"/run/pv/services/x$i.sock\"}"
done
p0=$(posts)
graph "$(cpid client)" "$(cpid server)" "$extra"
kill -HUP "$DPID"
check "21 links ACTIVE" -- pvxctl wait --timeout 20
all_reported() { [ "$("$PVXCONTROL" -c "$T/pv-ctrl" pv-status | grep -o '"state": *"ACTIVE"' | wc -l)" = 21 ]; }
until_true 10 all_reported
ok $? "pv-ctrl has all 21 links ACTIVE"
n=$(( $(posts) - p0 ))
check "debounced: $n reports for 21 links' 60+ transitions" -- test "$n" -lt 20

# pvxcontrol against the daemon's control socket.
check "pvxcontrol links (socat)" -- sh -c "\"$PVXCONTROL\" -s $T/xc.sock links | grep -q '\"state\":\"ACTIVE\"'"
check "pvxcontrol fsm" -- sh -c "\"$PVXCONTROL\" -s $T/xc.sock fsm | grep -q '\"transitions\"'"
check "pvxcontrol graph" -- sh -c "\"$PVXCONTROL\" -s $T/xc.sock graph | grep -q '\"x20\"'"
check "PVXCTL_SOCKET names the socket" -- sh -c "PVXCTL_SOCKET=$T/xc.sock \"$PVXCONTROL\" status | grep -q '\"links\":21'"
mkdir "$T/bin"
for t in sed mktemp rm cat sh; do ln -s "$(command -v $t)" "$T/bin/$t"; done
check "pvxcontrol without socat: no tool, a clear error" -- \
	sh -c "PATH=$T/bin \"$PVXCONTROL\" -s $T/xc.sock links 2>&1 | grep -q 'needs socat or nc'"
if nc -h 2>&1 | grep -q -- '-U'; then
	ln -s "$(command -v nc)" "$T/bin/nc"
	check "pvxcontrol links with nc -U" -- \
		sh -c "PATH=$T/bin \"$PVXCONTROL\" -s $T/xc.sock links | grep -q '\"name\":\"x7\"'"
else
	skip "pvxcontrol with nc -U: no nc with -U here (netcat-openbsd)"
fi
check "pvxcontrol: unknown command exits 2" -- sh -c "\"$PVXCONTROL\" -s $T/xc.sock nope; test \$? = 2"
check "pvxcontrol: no socket exits 1" -- sh -c "\"$PVXCONTROL\" -s $T/none links; test \$? = 1"

done_testing
