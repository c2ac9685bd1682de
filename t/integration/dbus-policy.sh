#!/bin/bash
# The policy of dbus links (pv-xconnect-graph(5) "policy") against a real
# bus, once with dbus-daemon and once with dbus-broker: the provider's bus
# lets everyone do everything, so whatever a consumer cannot do through
# the filtered link is the proxy's doing, and the same request through an
# unfiltered link of the same consumer is the negative control.  Peers:
# python3-dbus, GDBus (gdbus call), sd-bus (busctl), and hand-made
# messages (t/peers/dbus-policy-hostile.py).
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools
command -v dbus-daemon >/dev/null || skip_all "needs dbus-daemon"
/usr/bin/python3 -c 'import dbus, gi' 2>/dev/null || skip_all "needs python3-dbus and python3-gi"
grep -q "define ENABLE_DBUS 1" "$top_builddir/config.h" || skip_all "built without dbus links (--disable-dbus)"

ETC="$T/bus-etc"
mkdir -p "$ETC"
cp /etc/nsswitch.conf /etc/ld.so.cache /etc/passwd /etc/group /etc/machine-id "$ETC/"
# Everyone may do everything on this bus (root: also monitor).
cat >"$T/data/bus.conf" <<'EOF'
<busconfig>
  <type>system</type>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="false" send_type="method_return"/>
    <allow send_requested_reply="false" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_requested_reply="false" receive_type="method_return"/>
    <allow receive_requested_reply="false" receive_type="error"/>
  </policy>
</busconfig>
EOF
# dbus-broker is started the way systemd does (a listening socket passed
# in); its launcher wants a journal socket and the system bus (itself).
cat >"$T/data/broker.sh" <<'EOF'
mkdir -p /run/dbus /run/systemd/journal
/usr/bin/python3 -c 'import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind("/run/systemd/journal/socket")
while True: s.recv(65536)' &
until [ -S /run/systemd/journal/socket ]; do sleep 0.05; done
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/dbus/system_bus_socket
exec systemd-socket-activate -E DBUS_SYSTEM_BUS_ADDRESS -l /run/dbus/system_bus_socket \
	dbus-broker-launch --config-file /data/bus.conf --scope system
EOF
POLICY='{"see": ["org.pantavisor.Seen"], "talk": ["org.pantavisor.Example"], "own": ["org.pantavisor.Client"],
  "call": [{"name": "org.pantavisor.Policy", "interface": "org.pantavisor.Policy", "member": "Get",
            "path": "/org/pantavisor/Policy/*"},
           {"name": "org.pantavisor.Policy", "interface": "org.pantavisor.Policy", "member": "Set",
            "args": {"0": "wifi"}},
           {"name": "org.pantavisor.Policy", "member": "Emit"}],
  "broadcast": [{"name": "org.pantavisor.Policy", "interface": "org.pantavisor.Policy", "member": "Tick"}]}'

run_bus() { # run_bus dbus-daemon|dbus-broker: the whole set against one bus
	local BUS=$1 B
	B=$([ "$BUS" = dbus-daemon ] && echo daemon || echo broker)
	local start='mkdir -p /run/dbus && { dbus-daemon --config-file=/data/bus.conf --nofork --nopidfile & }'
	[ "$BUS" = dbus-broker ] && start='{ sh /data/broker.sh >/data/broker.log 2>&1 & }'
	CT_ETC="$ETC" container_start "bus-$B" sh -c "$start &&
		until [ -S /run/dbus/system_bus_socket ]; do sleep 0.05; done &&
		{ /usr/bin/python3 /t/peers/dbus-service.py & } &&
		{ /usr/bin/python3 /t/peers/dbus-service.py org.pantavisor.Forbidden & } &&
		exec /usr/bin/python3 /t/peers/dbus-policy-service.py"
	up3() { [ "$(grep -c "dbus-service: up" "$WORK/bus-$B.log")" = 3 ]; }
	until_true 20 up3 || { sed 's/^/# bus: /' "$WORK/bus-$B.log"; cat "$T/data/broker.log" 2>/dev/null; }
	cat >"$T/graph.json" <<JSON
[{"type": "dbus", "name": "open", "consumer": "app", "consumer_pid": $(cpid app), "provider": "bus-$B",
  "provider_pid": $(cpid bus-$B), "role": "root", "socket": "/run/dbus/system_bus_socket", "target": "/run/open/bus"},
 {"type": "dbus", "name": "pol", "consumer": "app", "consumer_pid": $(cpid app), "provider": "bus-$B",
  "provider_pid": $(cpid bus-$B), "role": "root", "socket": "/run/dbus/system_bus_socket", "target": "/run/pol/bus",
  "policy": $POLICY}]
JSON
	pvxctl reconcile >/dev/null
	check "$BUS: both links ACTIVE" -- pvxctl wait --timeout 10

	c() { in_container app timeout 20 /usr/bin/python3 /t/peers/dbus-policy-client.py "unix:path=/run/$1/bus" "${@:2}" 2>&1; }
	h() { in_container app timeout 20 /usr/bin/python3 /t/peers/dbus-policy-hostile.py "/run/$1/bus" "${@:2}" 2>&1; }
	is() { # is DESCRIPTION PATTERN OUTPUT
		ok $(echo "$3" | grep -qE -- "$2"; echo $?) "$BUS: $1 (got: $(echo "$3" | head -c 240 | tr '\n' ' '))"
	}
	local P=org.pantavisor.Policy PO=/org/pantavisor/Policy/Obj EX=org.pantavisor.Example EXO=/org/pantavisor/Example

	# talk
	is "talk: GetInfo of a talk name (gdbus call)" "dbus-example" \
		"$(in_container app gdbus call --address unix:path=/run/pol/bus --dest $EX --object-path $EXO --method $EX.GetInfo 2>&1)"
	is "talk, negative: another name gets AccessDenied naming the talk rule" \
		'AccessDenied.*add to "policy": \{"talk": \["org.pantavisor.Forbidden"\]\}' \
		"$(c pol call org.pantavisor.Forbidden $EXO $EX GetInfo)"
	is "talk, control: that name answers through the unfiltered link" "dbus-example" \
		"$(c open call org.pantavisor.Forbidden $EXO $EX GetInfo)"
	# call rules: path subtree
	is "call rule: Get under /org/pantavisor/Policy/* (busctl)" '"get x"' \
		"$(in_container app busctl --address=unix:path=/run/pol/bus call $P $PO $P Get s x 2>&1)"
	is "call rule, negative: Get on /other denied, the call rule named" \
		'AccessDenied.*\{"call": \[\{"name": "org.pantavisor.Policy", "interface": "org.pantavisor.Policy", "member": "Get", "path": "/other"\}\]\}' \
		"$(c pol call $P /other $P Get x)"
	is "call rule, control: /other answers through the unfiltered link" "get x" "$(c open call $P /other $P Get x)"
	# call rules: args
	is "args rule: Set(\"wifi\")" "set wifi" "$(c pol call $P $PO $P Set wifi)"
	is "args rule, negative: Set(\"eth0\") denied" "AccessDenied" "$(c pol call $P $PO $P Set eth0)"
	is "args rule, control: Set(\"eth0\") unfiltered" "set eth0" "$(c open call $P $PO $P Set eth0)"
	is "a name with call rules is reachable only through them: Heard denied" "AccessDenied" \
		"$(c pol call $P $PO $P Heard)"
	# own
	is "own: RequestName of an own name" "^owned" "$(c pol own org.pantavisor.Client)"
	is "own, negative: RequestName of another name denied, own rule named" \
		'AccessDenied.*\{"own": \["org.pantavisor.Other"\]\}' "$(c pol own org.pantavisor.Other)"
	is "own, control: the bus lets it own that name unfiltered" "^owned" "$(c open own org.pantavisor.Other)"
	# see
	is "see: NameHasOwner of a seen name reaches the bus" "^False" "$(c pol has org.pantavisor.Seen)"
	is "see, negative: GetNameOwner of a hidden name: no owner, from the proxy" "NameHasNoOwner" \
		"$(c pol owner org.pantavisor.Forbidden)"
	is "see, negative: NameHasOwner of a hidden name: False" "^False" "$(c pol has org.pantavisor.Forbidden)"
	is "see, control: GetNameOwner unfiltered" "^:" "$(c open owner org.pantavisor.Forbidden)"
	local names; names=$(c pol list)
	ok $(echo "$names" | grep -qx $EX && ! echo "$names" | grep -q Forbidden; echo $?) \
		"$BUS: ListNames lists the talk name, not the hidden one ($(echo $names | head -c 200))"
	is "ListNames, control: unfiltered it lists the hidden one" "Forbidden" "$(c open list)"
	# broadcast
	is "broadcast rule: Tick arrives, Noise does not" "^Tick$" "$(c pol signals)"
	is "broadcast, control: both arrive unfiltered" "^Noise Tick$" "$(c open signals)"
	# signals of the consumer
	local before; before=$(c open call $P $PO $P Heard)
	is "the service counts the Hello signals it hears" "^[0-9]+$" "$before"
	c pol hello >/dev/null
	is "a signal the consumer emits is dropped" "^$before\$" "$(c open call $P $PO $P Heard)"
	c open hello >/dev/null
	is "signals, control: unfiltered it is heard" "^$((before + 1))\$" "$(c open call $P $PO $P Heard)"
	# driver methods
	is "AddMatch of a seen sender" "matched" "$(c pol match "type='signal',sender='org.pantavisor.Seen'")"
	is "hostile: AddMatch eavesdrop=true denied" "AccessDenied.*eavesdrop" "$(c pol match "eavesdrop=true,type='method_call'")"
	is "hostile: AddMatch for a hidden sender denied" 'AccessDenied.*"see": \["org.pantavisor.Forbidden"\]' \
		"$(c pol match "sender='org.pantavisor.Forbidden'")"
	is "hostile: BecomeMonitor denied" "AccessDenied.*BecomeMonitor" "$(c pol monitor)"
	is "BecomeMonitor, control: the bus lets root monitor unfiltered" "monitoring" "$(c open monitor)"
	is "hostile: UpdateActivationEnvironment denied by the proxy" "AccessDenied pv-xconnect" "$(c pol env)"
	# hand-made messages
	local uniq; uniq=$(c open owner org.pantavisor.Forbidden)
	is "hostile: the hidden name's unique name ($uniq) addressed directly: denied" "error .*AccessDenied" \
		"$(h pol unique "$uniq")"
	is "unique name, control: answered unfiltered" "return .*dbus-example" "$(h open unique "$uniq")"
	is "hostile: a big-endian call to a hidden name denied" "error .*AccessDenied" \
		"$(h pol be org.pantavisor.Forbidden)"
	is "a big-endian call to the talk name passes" "return .*dbus-example" "$(h pol be $EX)"
	is "header fields in reverse order: a call to the talk name passes" "return .*dbus-example" \
		"$(h pol reorder $EX)"
	is "hostile: header fields in reverse order to a hidden name: denied" "error .*AccessDenied" \
		"$(h pol reorder org.pantavisor.Forbidden)"
	is "hostile: DESTINATION twice: the connection is closed" "^closed" \
		"$(h pol dup $EX org.pantavisor.Forbidden)"
	local fd0; fd0=$(fd_count "$DPID")
	is "hostile: 200 denied calls carrying an fd each, all answered AccessDenied" "^errors 200" \
		"$(h pol fds org.pantavisor.Forbidden 200)"
	settle() { [ "$(fd_count "$DPID")" -le "$fd0" ]; }
	until_true 5 settle
	ok $? "$BUS: ... and their fds are closed, not kept (daemon fds $(fd_count "$DPID"), before $fd0)"
	local d0; d0=$(pvxctl metrics | awk -F' ' '/^pvx_link_dbus_denied_total\{.*name="pol"/ { print $2 }')
	is "hostile: a reply nobody asked for is dropped, the connection lives on" "^return" \
		"$(h pol stray "$uniq")"
	local d1; d1=$(pvxctl metrics | awk -F' ' '/^pvx_link_dbus_denied_total\{.*name="pol"/ { print $2 }')
	ok $([ "$d1" -gt "$d0" ]; echo $?) "$BUS: ... and counted as refused ($d0 -> $d1)"
	is "the link still serves after all that" "dbus-example" "$(c pol call $EX $EXO $EX GetInfo)"
	# denials explained, listed, logged once
	c pol call org.pantavisor.Forbidden $EXO $EX GetInfo >/dev/null
	pvxctl denials pol >"$T/denials.txt"
	is "pvxctl denials pol lists the missing talk rule with its count" \
		$'\t[2-9][0-9]*\tcall org.pantavisor.Example.GetInfo to org.pantavisor.Forbidden\tadd to "policy": \\{"talk": \\["org.pantavisor.Forbidden"\\]\\}' \
		"$(cat "$T/denials.txt")"
	is "pvxctl denials open lists nothing (no policy)" "^$" "$(pvxctl denials open)"
	local logged; logged=$(grep -c 'app/pol -> /run/pol/bus: denied call org.pantavisor.Example.GetInfo to org.pantavisor.Forbidden; add to "policy": {"talk"' "$T/daemon.log")
	ok $([ "$logged" = 1 ]; echo $?) "$BUS: the denial is logged once, not per message ($logged)"
	container_kill "bus-$B"
}

container_start app sleep 100000
echo '[]' >"$T/graph.json"
fake_pvctrl_start "$T/graph.json"
daemon_start
run_bus dbus-daemon
if command -v dbus-broker-launch >/dev/null && command -v systemd-socket-activate >/dev/null; then
	: >"$T/daemon.log.mark"
	mv "$T/daemon.log" "$T/daemon-1.log"
	kill -TERM "$DPID"; wait "$DPID"; DPID=
	daemon_start
	run_bus dbus-broker
else
	skip "dbus-broker: dbus-broker-launch or systemd-socket-activate not installed (dbus-broker, systemd)"
fi
kill -TERM "$DPID"; wait "$DPID"; st=$?; DPID=
ok $st "SIGTERM: exit 0"
done_testing
