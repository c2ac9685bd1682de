#!/bin/bash
# The hosted system bus (pv-xconnect --state, on by default): a real
# dbus-daemon started, configured and restarted by pv-xconnect from the
# containers' services.json claims in Pantavisor's format.  Consumers are
# host-side here (no pid files: provider and consumer pid 0), which is
# enough for the bus: every link still connects as its role's uid.
#   foo  owns org.example.Foo (role foo-service), allows operator
#   op   calls it (role operator)
#   bad  role stranger: allowed nothing
#   dup  (added later) claims org.example.Foo too: refused, rollback
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root (connecting as other uids, mount namespaces)"
command -v dbus-daemon >/dev/null || skip_all "needs dbus-daemon"
command -v gdbus >/dev/null || skip_all "needs gdbus (libglib2.0-bin)"
"$PY" -c 'import dbus, gi' 2>/dev/null || skip_all "needs python3-dbus and python3-gi"
grep -q "define ENABLE_DBUS 1" "$top_builddir/config.h" || skip_all "built without dbus links"

S="$T/state-manifests"
mkdir -p "$S/foo" "$S/op" "$S/bad" "$T/tb"
cat >"$S/foo/services.json" <<'EOF'
{"#spec": "service-manifest-xconnect@1", "services": [
  {"type": "dbus", "bus": "system-bus", "owns": "org.example.Foo", "role": "foo-service",
   "allow": ["operator", {"role": "monitor", "call": [{"interface": "org.example.Foo", "member": "Get"}]}]}]}
EOF
req() { # req CONTAINER ROLE
	mkdir -p "$S/$1"
	cat >"$S/$1/run.json" <<EOF
{"#spec": "service-manifest-run@1", "name": "$1", "type": "lxc", "services": {"required": [
  {"name": "system-bus", "type": "dbus", "role": "$2", "target": "$T/$1-bus.sock"}]}}
EOF
}
req foo foo-service
req op operator
req bad stranger

# Pantavisor's try-boot: revision 2 is being tested (the graph itself
# comes from the manifests; pv-ctrl only takes the events).
echo '[]' >"$T/tb/1.json"
echo '[]' >"$T/tb/2.json"
echo 1 >"$T/tb/committed"
fake_pvctrl_start "$T/unused.json" --events "$T/events" --tryboot "$T/tb" --commit-after 600
echo 2 >"$T/tb/update"

start() {
	"$PVX" --state "$S" --ctrl "$T/pv-ctrl" --control "$T/xc.sock" --state-dir "$T/st" \
		--bus-dir "$T/bus" --interval 0.3 --backoff-max 0.5 >>"$T/daemon.log" 2>&1 &
	DPID=$!
	ctl_up() { "$PVXCTL" --control "$T/xc.sock" links >/dev/null 2>&1; }
	until_true 10 ctl_up
}
start
all_active() { [ "$(link_state foo system-bus)$(link_state op system-bus)$(link_state bad system-bus)" = ACTIVEACTIVEACTIVE ]; }
check "the hosted bus listens and the three links are ACTIVE" -- until_true 15 all_active
BUSPID=$(pgrep -f -x "dbus-daemon --config-file=$T/bus/bus.conf --nofork --nopidfile --nosyslog")
ok $([ -n "$BUSPID" ]; echo $?) "pv-xconnect started dbus-daemon with its own configuration (pid $BUSPID)"
check "the configuration denies by default (own, method calls)" -- \
	grep -q '<deny own="\*"/>' "$T/bus/bus.conf"
check "the owner role may own its name" -- \
	grep -A1 -q '<policy user="foo-service">' "$T/bus/bus.conf"
uid_of() { awk -v r="$1" '$1 == r { print $2 }' "$T/st/bus-uids"; }
UID_OP=$(uid_of operator)
ok $([ -n "$UID_OP" ] && [ "$UID_OP" -ge 90000 ]; echo $?) "operator got a uid from 90000 up ($UID_OP)"
check "the bus's private passwd names the role" -- grep -q "^operator:x:$UID_OP:" "$T/bus/passwd"
check "the host's passwd does not" -- sh -c "! grep -q '^operator:x:$UID_OP:' /etc/passwd"

svc_start() {
	DBUS_SYSTEM_BUS_ADDRESS="unix:path=$T/foo-bus.sock" "$PY" "$top_srcdir/t/dbus-service.py" \
		org.example.Foo >>"$T/svc.log" 2>&1 &
	SVC=$!
	BACKGROUND="$BACKGROUND $SVC"
}
svc_start
client() { "$PY" "$top_srcdir/t/dbus-client.py" "unix:path=$T/$1-bus.sock" "${@:2}"; }
answered() { client op call org.example.Foo | grep -q answered; }
check "foo-service owns org.example.Foo through its link; operator's call is answered" -- until_true 10 answered
check "the bus sees operator's uid" -- sh -c "[ \"\$(\"$PY\" \"$top_srcdir/t/dbus-client.py\" unix:path=$T/op-bus.sock uid)\" = $UID_OP ]"
check "gdbus: GetInfo through the hosted bus" -- \
	gdbus call --address "unix:path=$T/op-bus.sock" -d org.example.Foo -o /org/pantavisor/Example \
	-m org.pantavisor.Example.GetInfo
# Negative controls: what the generated policy does not grant.
out=$(client bad call org.example.Foo)
ok $(echo "$out" | grep -q "AccessDenied"; echo $?) "a role not allowed gets AccessDenied from the bus"
out=$(client bad own org.example.Foo)
ok $(echo "$out" | grep -q "AccessDenied"; echo $?) "a role may not own a name it does not claim"
out=$(client op own org.example.Foo)
ok $(echo "$out" | grep -q "AccessDenied"; echo $?) "a caller role may not own the name it may call"

# --- a second container claiming the same name: refused, rollback ---
mkdir -p "$S/dup"
cat >"$S/dup/services.json" <<'EOF'
[{"type": "dbus", "bus": "system-bus", "owns": "org.example.Foo", "role": "dup-service"}]
EOF
req dup dup-service
dup_failed() { [ "$(link_state dup system-bus)" = FAILED ]; }
check "the link of the second claimer of org.example.Foo is FAILED" -- until_true 10 dup_failed
check "its error names the name and the keeper" -- sh -c \
	"\"$PVXCTL\" --control \"$T/xc.sock\" links --json | grep -q \"bus name 'org.example.Foo' is already claimed by 'foo'\""
check "pv-ctrl got a rollback event for dup" -- until_true 10 grep -q '"rollback".*"dup"\|"dup".*"rollback"' "$T/events"
check "during try-boot: the fake pv-ctrl rolled revision 2 back" -- until_true 5 grep -q "^2 -> 1" "$T/tb/rollbacks"
conf_clean() { grep -q foo-service "$T/bus/bus.conf" && ! grep -q dup-service "$T/bus/bus.conf" || { grep -n "user=" "$T/bus/bus.conf"; false; }; }
check "the refused claim grants nothing in the configuration" -- conf_clean
check "the keeper still serves" -- answered
rm -r "$S/dup"

# --- a state shadowing the builtin system-bus export is refused whole ---
mkdir -p "$S/shadow"
echo '[{"name": "system-bus", "type": "dbus", "socket": "/run/dbus/system_bus_socket"}]' >"$S/shadow/services.json"
check "a container exporting system-bus is refused (logged)" -- \
	until_true 10 grep -q "platform 'shadow' exports 'system-bus', which shadows the hosted system bus" "$T/daemon.log"
check "the links stay meanwhile" -- answered
rm -r "$S/shadow"

# --- the bus dies: restarted, clients see a disconnect, links come back ---
"$PY" "$top_srcdir/t/peers/dbus-wait-disconnect.py" "unix:path=$T/op-bus.sock" 20 >"$T/wait.log" 2>&1 &
MON=$!
BACKGROUND="$BACKGROUND $MON"
until_true 10 grep -q connected "$T/wait.log"
kill -9 "$BUSPID"
wait "$MON"
ok $? "a connected client sees the disconnect, not a hang ($(tail -1 "$T/wait.log"))"
newpid() { NEWPID=$(pgrep -f -x "dbus-daemon --config-file=$T/bus/bus.conf --nofork --nopidfile --nosyslog"); [ -n "$NEWPID" ] && [ "$NEWPID" != "$BUSPID" ]; }
check "pv-xconnect restarted the bus" -- until_true 10 newpid
check "the restart is logged" -- grep -q "hosted bus: restarting dbus-daemon" "$T/daemon.log"
svc_start # the service's connection died with the bus, as on a device
check "links back: operator's call is answered again" -- until_true 15 answered
BUSPID=$NEWPID

# --- uids are stable across a restart of pv-xconnect ---
cp "$T/st/bus-uids" "$T/uids-before"
kill "$DPID"
wait "$DPID"
check "pv-xconnect stopped its bus" -- sh -c "! kill -0 $BUSPID 2>/dev/null"
req op2 newrole
start
check "after a restart the links are ACTIVE again" -- until_true 15 all_active
check "the same roles keep the same uids" -- sh -c "grep -v '^#' '$T/uids-before' | while read r u; do grep -qx \"\$r \$u\" '$T/st/bus-uids' || exit 1; done"
svc_start
check "operator's uid is unchanged on the new bus" -- until_true 15 sh -c \
	"[ \"\$(\"$PY\" \"$top_srcdir/t/dbus-client.py\" unix:path=$T/op-bus.sock uid)\" = $UID_OP ]"
NEWUID=$(uid_of newrole)
ok $([ -n "$NEWUID" ] && ! grep -q " $NEWUID\$" "$T/uids-before"; echo $?) "a new role gets a new uid ($NEWUID)"

kill "$DPID"
wait "$DPID"
DPID=
done_testing
