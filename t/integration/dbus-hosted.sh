#!/bin/bash
# The hosted system bus (pv-xconnect --state, on by default): a real
# dbus-daemon started, configured and restarted by pv-xconnect from the
# containers' services.json claims in Pantavisor's format.  Consumers are
# host-side here (no pid files: provider and consumer pid 0), which is
# enough for the bus: every link still connects as its role's uid.
#   foo  owns org.example.Foo (role foo-service), allows operator
#   op   calls it (role operator)
#   bad  role stranger: allowed nothing
#   mon  role monitor: allowed by an object with a call rule (GetInfo only)
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
   "allow": ["operator", {"role": "monitor", "call": [{"interface": "org.pantavisor.Example", "member": "GetInfo"}]}]}]}
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
req mon monitor
# Activation: lazy owns org.example.Lazy but runs only once pv-ctrl is
# asked to start it; never claims org.example.Never and never starts.
mkdir -p "$S/lazy" "$S/never"
echo '[{"type": "dbus", "bus": "system-bus", "owns": "org.example.Lazy", "role": "lazy-service", "allow": ["operator"]}]' \
	>"$S/lazy/services.json"
echo '[{"type": "dbus", "bus": "system-bus", "owns": "org.example.Never", "role": "never-service", "allow": ["operator"]}]' \
	>"$S/never/services.json"
req lazy lazy-service

# A claim's allow rules are for the claimed name only: one naming another
# container's name is refused (the container would grant what it does not own).
X="$T/steal"
mkdir -p "$X/thief" "$X/victim"
echo '[{"type": "dbus", "bus": "system-bus", "owns": "org.example.Thief", "role": "thief",
  "allow": [{"role": "operator", "call": [{"name": "org.example.Victim", "member": "Get"}]}]}]' >"$X/thief/services.json"
echo '{"#spec": "service-manifest-run@1", "name": "victim", "type": "lxc", "services": {"required": [
  {"name": "system-bus", "type": "dbus", "role": "operator", "target": "/run/bus"}]}}' >"$X/victim/run.json"
"$PVXCTL" check "$X" >"$T/steal.txt" 2>&1
st=$?
ok $([ $st = 1 ] && grep -q "rules allowing role 'operator' on 'org.example.Thief' of platform 'thief' are not usable" "$T/steal.txt"; echo $?) \
	"an allow rule naming another container's name is refused (exit $st)"

# Pantavisor's try-boot: revision 2 is being tested (the graph itself
# comes from the manifests; pv-ctrl only takes the events).
echo '[]' >"$T/tb/1.json"
echo '[]' >"$T/tb/2.json"
echo 1 >"$T/tb/committed"
# The fake pv-ctrl plays a container start for org.example.Lazy only.
fake_pvctrl_start "$T/unused.json" --events "$T/events" --tryboot "$T/tb" --commit-after 600 \
	--activations "$T/activations" --activate-cmd "case \$1 in org.example.Lazy)
		DBUS_SYSTEM_BUS_ADDRESS=unix:path=$T/lazy-bus.sock exec $PY $top_srcdir/t/peers/dbus-service.py \$1 >>$T/lazy.log 2>&1 & echo \$! >$T/lazy.pid;; esac"
echo 2 >"$T/tb/update"

start() {
	"$PVX" --state "$S" --ctrl "$T/pv-ctrl" --control "$T/xc.sock" --state-dir "$T/st" \
		--bus-dir "$T/bus" --interval 0.3 --backoff-max 0.5 --activation-timeout 3 >>"$T/daemon.log" 2>&1 &
	DPID=$!
	ctl_up() { "$PVXCTL" --control "$T/xc.sock" links >/dev/null 2>&1; }
	until_true 10 ctl_up
}
start
all_active() { [ "$(link_state foo system-bus)$(link_state op system-bus)$(link_state bad system-bus)$(link_state lazy system-bus)$(link_state mon system-bus)" = ACTIVEACTIVEACTIVEACTIVEACTIVE ]; }
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
	DBUS_SYSTEM_BUS_ADDRESS="unix:path=$T/foo-bus.sock" "$PY" "$top_srcdir/t/peers/dbus-service.py" \
		org.example.Foo >>"$T/svc.log" 2>&1 &
	SVC=$!
	BACKGROUND="$BACKGROUND $SVC"
}
svc_start
client() { "$PY" "$top_srcdir/t/peers/dbus-client.py" "unix:path=$T/$1-bus.sock" "${@:2}"; }
answered() { client op call org.example.Foo | grep -q answered; }
check "foo-service owns org.example.Foo through its link; operator's call is answered" -- until_true 10 answered
check "the bus sees operator's uid" -- sh -c "[ \"\$(\"$PY\" \"$top_srcdir/t/peers/dbus-client.py\" unix:path=$T/op-bus.sock uid)\" = $UID_OP ]"
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

# An allow object's rules become the policy of that role's links: monitor
# may call GetInfo and nothing else of org.example.Foo, and the proxy's
# denial names the rule to add.
gd() { gdbus call --address "unix:path=$T/$1-bus.sock" -d org.example.Foo -o /org/pantavisor/Example -m "$2" 2>&1; }
pvxctl graph >"$T/graph.txt"
check "allow object: monitor's link carries the generated policy" -- grep -q 'GetInfo' "$T/graph.txt"
out=$(gd mon org.pantavisor.Example.GetInfo)
ok $(echo "$out" | grep -q dbus-example; echo $?) "allow object: monitor may call GetInfo (its call rule)"
echo "$out" | sed 's/^/# /'
out=$(gd mon org.pantavisor.Example.OpenFd)
ok $(echo "$out" | grep -q 'AccessDenied.*add to "policy"'; echo $?) "allow object: monitor's OpenFd is denied by the proxy, naming the rule to add"
echo "$out" | sed 's/^/# /'
out=$(gd op org.pantavisor.Example.OpenFd)
ok $(echo "$out" | grep -qv AccessDenied; echo $?) "negative control: operator (allowed without rules) may call OpenFd"

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

# --- activation on first call ---
# NO_AUTO_START: the bus answers at once, nobody is asked to start.
out=$(busctl --address="unix:path=$T/op-bus.sock" call --auto-start=no org.example.Lazy / \
	org.freedesktop.DBus.Peer Ping 2>&1)
ok $(echo "$out" | grep -qi "does not exist\|activatable\|ServiceUnknown"; echo $?) \
	"NO_AUTO_START: the caller gets the bus's answer at once ($out)"
ok $(! grep -qx org.example.Lazy "$T/activations" 2>/dev/null; echo $?) \
	"NO_AUTO_START: pv-ctrl was not asked to start org.example.Lazy's owner"
# A call to a claimed name nobody owns: held, pv-ctrl asked, released.
out=$(client op call org.example.Lazy)
ok $([ "$out" = answered ]; echo $?) "the first call to org.example.Lazy is answered once its owner started ($out)"
check "pv-ctrl was asked to start org.example.Lazy's owner" -- grep -qx org.example.Lazy "$T/activations"
[ -s "$T/lazy.pid" ] && BACKGROUND="$BACKGROUND $(cat "$T/lazy.pid")"
check "the daemon logged the activation" -- grep -q "a call to org.example.Lazy, which nobody owns yet" "$T/daemon.log"
out=$(client op call org.example.Lazy)
ok $([ "$out" = answered ] && [ "$(grep -c Lazy "$T/activations")" = 1 ]; echo $?) \
	"later calls go straight through, no second activation"
# A name whose owner never starts: the held call times out.
t0=$(date +%s)
out=$(client op call org.example.Never)
t1=$(date +%s)
ok $(echo "$out" | grep -q "org.freedesktop.DBus.Error.ServiceUnknown pv-xconnect: the owner of the name did not start in time"; echo $?) \
	"timeout: the caller gets ServiceUnknown from the proxy ($out)"
ok $([ $((t1 - t0)) -le 10 ]; echo $?) "timeout: no hang (answered in $((t1 - t0)) s)"
check "pv-ctrl was asked for org.example.Never too" -- grep -qx org.example.Never "$T/activations"
out=$(client op call org.example.Nobody)
ok $(echo "$out" | grep -q ServiceUnknown && ! grep -qx org.example.Nobody "$T/activations"; echo $?) \
	"a name nobody claims is not activated: the bus's ServiceUnknown at once"

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
	"[ \"\$(\"$PY\" \"$top_srcdir/t/peers/dbus-client.py\" unix:path=$T/op-bus.sock uid)\" = $UID_OP ]"
NEWUID=$(uid_of newrole)
ok $([ -n "$NEWUID" ] && ! grep -q " $NEWUID\$" "$T/uids-before"; echo $?) "a new role gets a new uid ($NEWUID)"

kill "$DPID"
wait "$DPID"
DPID=
done_testing
