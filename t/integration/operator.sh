#!/bin/bash
# Every problem visible where the operator looks (issue 18): pvxctl check
# offline, pvx-graph on a directory without containers, GET /problems and
# `pvxctl links`/`pvxctl problems` for skipped entries, unknown keys,
# manifest errors (file:line:column) and links waiting for a container,
# a refused graph logged once over many polls, and examples/mesh up
# refusing a typo'd manifest.  The silent cases of the issue, each with
# the message it must now give.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools
G="$top_builddir/pvx-graph"
SD="$top_srcdir/t/fixtures/statedirs"

# --- pvxctl check, offline -------------------------------------------------
# The seed's dbus example runs its own bus and exports system-bus: clean
# without the hosted bus, a shadowing of it with (pv-xconnect --state's
# default, and check's).
"$PVXCTL" --hosted-bus check "$SD/seed-examples" >"$T/out-hosted" 2>&1
st=$?
ok $([ $st = 1 ] && grep -q "exports 'system-bus', which shadows the hosted system bus" "$T/out-hosted"; echo $?) \
	"check: with the hosted bus, the seed's own system-bus export is an error (exit $st)"
"$PVXCTL" --no-hosted-bus check "$SD/seed-examples" >"$T/out" 2>&1
ok $? "check: the seed examples are clean without the hosted bus (exit 0)"
"$PVXCTL" check "$SD/unknown-keys" >"$T/out" 2>&1; st=$?
ok $([ $st = 1 ]; echo $?) "check: unknown keys exit 1 ($st)"
check "check: 'tpye' reported with file:line:col and the closest key" -- \
	grep -q "unknown-keys/app/run.json:7:34: unknown key 'tpye', did you mean 'type'?" "$T/out"
check "check: PV_SERVICES_REQUIRD -> PV_SERVICES_REQUIRED" -- \
	grep -q "args.json:3:3: unknown key 'PV_SERVICES_REQUIRD', did you mean 'PV_SERVICES_REQUIRED'?" "$T/out"
check "check: 'requried' -> 'required'" -- grep -q "unknown key 'requried', did you mean 'required'?" "$T/out"
check "check: a warning does not drop the rest of the entry (2 links)" -- grep -q "note: .*: 2 links" "$T/out"
"$PVXCTL" check "$SD/bad-manifest" >"$T/out" 2>&1; st=$?
ok $([ $st = 1 ] && grep -q "srv/services.json:1:44: socket 'run/raw.sock' is not an absolute path" "$T/out"; echo $?) \
	"check: a manifest error with file:line:col, exit 1"
"$PVXCTL" check "$SD/no-container" >"$T/out" 2>&1; st=$?
ok $([ $st = 1 ] && grep -q "error: no container in" "$T/out"; echo $?) "check: a directory without containers, exit 1"
"$PVXCTL" check "$SD/self-and-defaults" >"$T/out" 2>&1
check "check: a directory that is no container is reported, not skipped silently" -- \
	grep -q "not-a-container has no run.json, args.json or services.json" "$T/out"
printf '[{"type": "unix", "name": "a", "consumer": "c", "socket": "/s.sock"}]\n' >"$T/good.json"
"$PVXCTL" check "$T/good.json" >"$T/out" 2>&1
ok $? "check: a good graph file exits 0"
printf '[{"type": "unix", "name": "a", "consumer": "c", "socket": "/s.sock",\n  "tpye": "x"},\n {"type": "unx", "name": "b", "consumer": "c", "socket": "/s.sock"}]\n' >"$T/typo.json"
"$PVXCTL" check "$T/typo.json" >"$T/out" 2>&1; st=$?
ok $([ $st = 1 ]; echo $?) "check: a graph with a bad entry exits 1"
check "check: the graph's unknown key with line and column" -- \
	grep -q "typo.json: link 0: line 2 column 3: unknown key 'tpye', did you mean 'type'?" "$T/out"
check "check: the skipped entry" -- grep -q "typo.json: link 1 skipped: .*unknown type 'unx'" "$T/out"
printf '[{"type": "unix",' >"$T/broken.json"
"$PVXCTL" check "$T/broken.json" >"$T/out" 2>&1; st=$?
ok $([ $st = 1 ] && grep -q "graph is not valid JSON: line 1 column" "$T/out"; echo $?) "check: invalid JSON, exit 1"
"$PVXCTL" check "$T/nonexistent" >"$T/out" 2>&1; st=$?
ok $([ $st = 1 ]; echo $?) "check: a missing path exits 1"

# --- pvx-graph on a directory without any container ---------------------------
mkdir -p "$T/empty"
"$G" "$T/empty" >"$T/out" 2>"$T/err"; st=$?
ok $([ $st = 1 ] && grep -q "no container in" "$T/err" && [ ! -s "$T/out" ]; echo $?) \
	"pvx-graph: no container: says so, exit 1 ($st)"

# --- a graph file: skipped entries and unknown keys through the socket --------
"$PY" "$PEER" serve "$T/echo.sock" --id echo >"$T/echo.log" 2>&1 &
BACKGROUND="$BACKGROUND $!"
until_true 5 test -S "$T/echo.sock"
serve() { printf '%s\n' "$1" >"$T/graph.json.new"; mv "$T/graph.json.new" "$T/graph.json"; }
serve '[{"type": "unix", "name": "ping", "consumer": "host", "socket": "'$T'/echo.sock",
  "target": "'$T'/planted/ping.sock", "tpye": "unix"},
 {"type": "unx", "name": "pong", "consumer": "host", "socket": "'$T'/echo.sock"}]'
"$PVX" --graph "$T/graph.json" --control "$T/xc.sock" --interval 0.3 >>"$T/daemon.log" 2>&1 &
DPID=$!
ctl_up() { "$PVXCTL" --control "$T/xc.sock" links >/dev/null 2>&1; }
until_true 10 ctl_up
active() { test "$(link_state host ping)" = ACTIVE; }
check "the good entry applies" -- until_true 10 active
pvxctl problems >"$T/out" 2>&1; st=$?
ok $([ $st = 1 ]; echo $?) "pvxctl problems: exit 1 with a skipped entry ($st)"
check "problems: the skipped entry" -- grep -q "error: link 1 skipped: link 'pong' of consumer 'host': unknown type 'unx'" "$T/out"
check "problems: the unknown key, with line and column and the closest key" -- \
	grep -q "warning: link 0: line 2 column .*: unknown key 'tpye', did you mean 'type'?" "$T/out"
pvxctl links >"$T/out" 2>&1
check "pvxctl links lists the problems under the table" -- \
	sh -c "grep -q '^problems:' '$T/out' && grep -q \"unknown type 'unx'\" '$T/out'"
pvxctl links --json >"$T/out"
check "pvxctl links --json stays the /links answer" -- sh -c "head -c1 '$T/out' | grep -q '\['"
polls_pass 3
ok $([ "$(grep -c "unknown key 'tpye'" "$T/daemon.log")" = 1 ]; echo $?) \
	"the unknown key is logged once over several polls"

# a refused graph: invalid JSON, then one whose every entry is skipped
serve '[{"type": "unix", "name": "ping",'
polls_pass 3
pvxctl problems >"$T/out" 2>&1
check "problems: the refusal of invalid JSON, links kept" -- \
	grep -q "error: graph: graph is not valid JSON: line [0-9]* column .*keeping the current links" "$T/out"
ok $([ "$(grep -c "graph is not valid JSON" "$T/daemon.log")" = 1 ]; echo $?) \
	"invalid JSON logged once over several polls"
serve '[{"type": "unx", "name": "a", "consumer": "c", "socket": "/s"}, {"tpye": "unix", "name": "b", "consumer": "c", "socket": "/s"}]'
polls_pass 3
pvxctl problems >"$T/out" 2>&1
check "problems: every entry skipped, each entry's reason" -- \
	sh -c "grep -q \"link 0 skipped: .*unknown type 'unx'\" '$T/out' && grep -q \"link 1: .*unknown key 'tpye', did you mean 'type'\" '$T/out'"
ok $([ "$(grep -c "no usable link" "$T/daemon.log")" = 1 ]; echo $?) "the refused graph logged once over several polls"
ok $([ "$(grep -c "graph: link [0-9]* skipped: link 'a'" "$T/daemon.log")" = 0 ]; echo $?) "... its entries not logged one by one"
check "the link is kept" -- active
kill "$DPID"; wait "$DPID" 2>/dev/null; DPID=

# --- --state: a manifest error, and --lxc links waiting for a container -------
S="$T/state"
mkdir -p "$S/srv" "$S/app"
printf '{"#spec": "service-manifest-xconnect@1",\n "services": [{"name": "raw", "type": "unx", "socket": "%s"}]}\n' \
	"$T/echo.sock" >"$S/srv/services.json"
printf '{"#spec": "service-manifest-run@1", "name": "app",\n "services": {"required": [{"name": "raw", "target": "%s"}]}}\n' \
	"$T/planted/raw.sock" >"$S/app/run.json"
sleep 600 & BACKGROUND="$BACKGROUND $!"; echo $! >"$S/app/pid"
mkdir -p "$S/net" # a network link of a container that is not running
printf '{"#spec": "service-manifest-run@1", "name": "net", "network": {"pool": "internal"}}\n' >"$S/net/run.json"
"$PVX" --state "$S" --lxc="$T/nolxc" --control "$T/xc.sock" --interval 0.3 >>"$T/daemon.log" 2>&1 &
DPID=$!
until_true 10 ctl_up
has_problem() { pvxctl problems 2>&1 | grep -q "$1"; }
check "--state: the manifest error with file:line:col in pvxctl problems" -- \
	until_true 10 has_problem "error: $S/srv/services.json:2:.*unx"
pvxctl links >"$T/out" 2>&1
check "--state: ... and under pvxctl links" -- grep -q "$S/srv/services.json:2:" "$T/out"
# fixed: the provider has no pid (not running under --lxc): the link waits
sed -i 's/"unx"/"unix"/' "$S/srv/services.json"
waiting() { pvxctl links 2>&1 | grep -q "app/raw -> .*unix  *WAITING .*waits for container 'srv' to run"; }
check "--lxc: a link whose provider is not running is a WAITING row of pvxctl links" -- until_true 10 waiting
pvxctl problems >"$T/out" 2>&1; st=$?
ok $([ $st = 1 ] && grep -q "waiting: app/raw (unix from srv): waits for container 'srv' to run" "$T/out"; echo $?) \
	"--lxc: pvxctl problems lists it, exit 1"
check "--lxc: ... and a network link waiting for its container" -- \
	grep -q "waiting: net/internal (network from _pv_): waits for container 'net' to run" "$T/out"
echo $$ >"$S/srv/pid" # the provider "runs" (a pid file is the first choice)
gone() { ! pvxctl links 2>&1 | grep -q "app/raw -> .*WAITING" && pvxctl links 2>&1 | grep -q "app/raw -> "; }
check "--lxc: provider up: the link is in the table, no longer WAITING" -- until_true 10 gone
kill "$DPID"; wait "$DPID" 2>/dev/null; DPID=

# --- examples/mesh up with a typo'd services.json type --------------------------
mkdir -p "$T/ex"
cp "$top_srcdir/examples/mesh" "$T/ex/mesh"
cp -r "$top_srcdir/examples/unix" "$T/ex/unix-typo"
sed -i 's/"type": *"unix"/"type": "unx"/' "$T/ex/unix-typo/pv-example-unix-server/services.json"
PVX_MESH_DIR="$T/mesh" top_builddir="$top_builddir" "$T/ex/mesh" up unix-typo >"$T/out" 2>&1; st=$?
ok $([ $st != 0 ]; echo $?) "examples/mesh up: a typo'd type exits non-zero ($st)"
check "examples/mesh up: the manifest error with file:line:col" -- \
	grep -q "unix-typo/pv-example-unix-server/services.json:[0-9]*:[0-9]*: .*unx" "$T/out"
check "examples/mesh up: nothing started" -- test ! -e "$T/mesh/unix-typo"
done_testing
