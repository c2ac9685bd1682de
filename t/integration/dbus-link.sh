#!/bin/bash
# dbus links against a real private dbus-daemon in a provider container
# with the seed's policy (root may own org.pantavisor.Example, anyone may
# send to it, default deny) and its own /etc/passwd (operator = 1001, in
# group video 44; svc = 4242: dbus-daemon hangs up on uids it cannot
# resolve, so the numeric role names one it knows).  Consumers run as root in another container: the bus
# must see the uid the role maps to, whatever the client claims.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools
for t in dbus-daemon dbus-send; do
	command -v $t >/dev/null || skip_all "needs $t (Debian dbus-daemon, dbus-bin)"
done
/usr/bin/python3 -c 'import dbus, gi' 2>/dev/null || skip_all "needs python3-dbus and python3-gi"
"$PVX" --help >/dev/null
grep -q "define ENABLE_DBUS 1" "$top_builddir/config.h" || skip_all "built without dbus links (--disable-dbus)"

EX="$top_srcdir/examples/dbus/pv-example-dbus-server"
ETC="$T/bus-etc"
mkdir -p "$ETC/dbus-1/system.d"
cp /etc/nsswitch.conf /etc/ld.so.cache "$ETC/"
cp "$EX/etc/dbus-1/system.d/org.pantavisor.Example.conf" "$ETC/dbus-1/system.d/"
cat >"$ETC/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
operator:x:1001:1001:operator:/home/operator:/bin/sh
svc:x:4242:4242:svc:/nonexistent:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >"$ETC/group" <<'EOF'
root:x:0:
video:x:44:operator
operator:x:1001:
svc:x:4242:
nogroup:x:65534:
EOF
cp "$EX/bus.conf" "$T/data/bus.conf"
# A second service on the same bus, which anyone may call: only the link's
# filter keeps a consumer of the filtered link away from it.
cat >"$ETC/dbus-1/system.d/org.pantavisor.Forbidden.conf" <<'EOF'
<busconfig>
  <policy user="root"><allow own="org.pantavisor.Forbidden"/></policy>
  <policy context="default"><allow send_destination="org.pantavisor.Forbidden"/></policy>
</busconfig>
EOF

CT_ETC="$ETC" container_start bus sh -c 'mkdir -p /run/dbus &&
	{ dbus-daemon --config-file=/data/bus.conf --nofork --nopidfile & } &&
	until [ -S /run/dbus/system_bus_socket ]; do sleep 0.05; done &&
	{ /usr/bin/python3 /t/peers/dbus-service.py org.pantavisor.Forbidden & } &&
	exec /usr/bin/python3 /t/peers/dbus-service.py'
container_start app sleep 100000
both_up() { [ "$(grep -c "dbus-service: up" "$WORK/bus.log")" = 2 ]; }
until_true 15 both_up || sed 's/^/# bus: /' "$WORK/bus.log"

# A hosted bus (provider pid 0) on the host, for a link with a "uid"
# field: the uid wins over the role.  www-data (33) exists on the host,
# which dbus-daemon needs to accept the connection.
sed "s|unix:path=/run/dbus/system_bus_socket|unix:path=$T/hostbus.sock|" "$EX/bus.conf" >"$T/hostbus.conf"
dbus-daemon --config-file="$T/hostbus.conf" --nofork --nopidfile >"$T/hostbus.log" 2>&1 &
BACKGROUND="$BACKGROUND $!"
until_true 10 test -S "$T/hostbus.sock"

link() { # link NAME ROLE [INTERFACE]
	local role="" iface=""
	[ -n "$2" ] && role="\"role\": \"$2\","
	[ -n "${3:-}" ] && iface="\"interface\": \"$3\","
	printf '{"type": "dbus", "name": "%s", "consumer": "app", "consumer_pid": %s,
	  "provider": "bus", "provider_pid": %s, %s %s
	  "socket": "/run/dbus/system_bus_socket", "target": "/run/%s/bus"}' \
		"$1" "$(cpid app)" "$(cpid bus)" "$role" "$iface" "$1"
}
cat >"$T/graph.json" <<JSON
[$(link root root), $(link nobody nobody), $(link operator operator), $(link numeric 4242),
 $(link default ""), $(link filtered nobody org.pantavisor.Example),
 {"type": "dbus", "name": "hosted", "consumer": "app", "consumer_pid": $(cpid app), "provider": "_host_",
  "provider_pid": 0, "role": "root", "uid": 33, "socket": "$T/hostbus.sock", "target": "/run/hosted/bus"}]
JSON
fake_pvctrl_start "$T/graph.json"
daemon_start
check "seven dbus links ACTIVE" -- pvxctl wait --timeout 10
creds() { grep -E '^(Uid|Gid|Groups):' "/proc/$DPID/status"; }
CREDS0=$(creds)

client() { in_container app /usr/bin/python3 /t/peers/dbus-client.py "unix:path=/run/$1/bus" "${@:2}"; }
is() { # is DESCRIPTION EXPECTED COMMAND...
	local desc=$1 want=$2; shift 2
	local got; got=$("$@" 2>&1)
	ok $([ "$got" = "$want" ]; echo $?) "$desc (got: $(echo "$got" | head -c 200))"
}

# The seed's call, with dbus-send (libdbus), through the root link.
in_container app dbus-send --bus=unix:path=/run/root/bus --print-reply \
	--dest=org.pantavisor.Example /org/pantavisor/Example org.pantavisor.Example.GetInfo >"$T/getinfo.txt" 2>&1
check "role root: dbus-send GetInfo returns the seed's JSON" -- \
	grep -q '"service": "dbus-example", "status": "active"' "$T/getinfo.txt"

# Other stock clients: GDBus (gdbus) and sd-bus (busctl), unmodified.
if command -v gdbus >/dev/null; then
	in_container app gdbus call --address unix:path=/run/nobody/bus --dest org.pantavisor.Example \
		--object-path /org/pantavisor/Example --method org.pantavisor.Example.GetInfo >"$T/gdbus.txt" 2>&1
	check "GDBus (gdbus call) through the link gets GetInfo's answer" -- grep -q "dbus-example" "$T/gdbus.txt"
else
	skip "GDBus (gdbus call) through the link: gdbus not installed (libglib2.0-bin)"
fi
if command -v busctl >/dev/null; then
	in_container app busctl --address=unix:path=/run/nobody/bus call org.pantavisor.Example \
		/org/pantavisor/Example org.pantavisor.Example GetInfo >"$T/busctl.txt" 2>&1
	check "sd-bus (busctl call) through the link gets GetInfo's answer" -- grep -q "dbus-example" "$T/busctl.txt"
else
	skip "sd-bus (busctl call) through the link: busctl not installed (systemd)"
fi

# Identity: the consumer is uid 0 everywhere; the bus must see the role.
is "role root: the bus sees uid 0" 0 client root uid
is "role nobody: the bus sees uid 65534 (the client runs as uid 0)" 65534 client nobody uid
is "role operator: uid 1001 from the provider's own /etc/passwd" 1001 client operator uid
is "numeric role 4242: uid 4242" 4242 client numeric uid
is "no role (\"any\"): nobody, 65534" 65534 client default uid
is "hosted bus (provider pid 0) with \"uid\": 33, whatever the role (root)" 33 client hosted uid
client operator groups >"$T/groups.txt" 2>&1
check "role operator: the bus sees its supplementary group video (44) from the provider's /etc/group" -- \
	grep -qw 44 "$T/groups.txt"
# The connect-as task shares the daemon's memory, not its credentials.
check "the daemon's own uid, gid and groups are untouched by the connects as 0, 65534, 1001, 4242, 33" -- \
	test "$(creds)" = "$CREDS0"
is "role nobody: GetInfo works (the policy lets anyone send to the service)" \
	'{"service": "dbus-example", "status": "active"}' client nobody info
client nobody own org.pantavisor.Example >"$T/attacker.txt" 2>&1
check "role nobody: owning org.pantavisor.Example is refused by the bus (the seed's attacker)" -- \
	grep -q "org.freedesktop.DBus.Error.AccessDenied" "$T/attacker.txt"
check "... by the bus's policy, not by the proxy" -- sh -c "! grep -q pv-xconnect '$T/attacker.txt'"

# fds in both directions
is "an fd argument passes to the service (ReadFd)" "fd from the client" client nobody readfd
is "an fd comes back from the service (OpenFd)" "fd from the service" client nobody openfd
pvxctl links >"$T/links.txt"
check "pvxctl links counts the fds and messages of the link" -- \
	grep -E "app/nobody .*uid=65534 msg=[1-9][0-9]*/[1-9][0-9]* denied=0 fds=[1-9]/[1-9]" "$T/links.txt"
# negative control: socat relays the bytes but drops the fd
if command -v socat >/dev/null; then
	socat UNIX-LISTEN:"$T/data/socat-bus",fork UNIX-CONNECT:"/proc/$(cpid bus)/root/run/dbus/system_bus_socket" &
	BACKGROUND="$BACKGROUND $!"
	until_true 5 test -S "$T/data/socat-bus"
	in_container app timeout 20 /usr/bin/python3 /t/peers/dbus-client.py unix:path=/data/socat-bus info >"$T/socat-info.txt" 2>&1
	check "control: a plain call works through socat" -- grep -q "dbus-example" "$T/socat-info.txt"
	in_container app timeout 20 /usr/bin/python3 /t/peers/dbus-client.py unix:path=/data/socat-bus readfd >"$T/socat.txt" 2>&1
	ok $(! grep -q "fd from the client" "$T/socat.txt"; echo $?) \
		"negative control: the fd call fails through socat ($(head -c 150 "$T/socat.txt"))"
else
	skip "negative controls through socat: socat not installed"
fi

# Filtering: interface = org.pantavisor.Example
is "filtered link: GetInfo on the allowed name works" \
	'{"service": "dbus-example", "status": "active"}' client filtered info
client filtered call org.freedesktop.Notifications >"$T/other.txt" 2>&1
check "filtered link: a call to another name gets AccessDenied from the proxy" -- \
	grep -q "org.freedesktop.DBus.Error.AccessDenied pv-xconnect:" "$T/other.txt"
client filtered own org.evil.Name >"$T/evil.txt" 2>&1
check "filtered link: RequestName of another name is refused by the proxy" -- \
	grep -q "AccessDenied pv-xconnect:" "$T/evil.txt"
client filtered own org.pantavisor.Example >"$T/own.txt" 2>&1
check "filtered link: RequestName of its own name reaches the bus (which refuses nobody)" -- \
	sh -c "grep -q AccessDenied '$T/own.txt' && ! grep -q pv-xconnect '$T/own.txt'"
in_container app dbus-send --bus=unix:path=/run/filtered/bus --print-reply --dest=org.freedesktop.DBus \
	/org/freedesktop/DBus org.freedesktop.DBus.ListNames >"$T/listnames.txt" 2>&1
check "filtered link: bus driver calls outside the list (ListNames) are refused" -- \
	grep -q "AccessDenied" "$T/listnames.txt"
is "filtered link: fds still pass" "fd from the client" client filtered readfd
# A shared serial: GetNameOwner(forbidden) and GetNameOwner(allowed) with
# one serial in one write must not make the proxy take the forbidden
# name's owner for the allowed one's (issue 15 item 3).
serial_attack() { in_container app timeout 30 /usr/bin/python3 /t/peers/dbus-serial-hostile.py "/run/$1/bus" \
	org.pantavisor.Example org.pantavisor.Forbidden; }
serial_attack nobody >"$T/serial-control.txt" 2>&1
check "control: on an unfiltered link the forbidden service answers a call by its unique name" -- \
	grep -q "^call: return :" "$T/serial-control.txt"
serial_attack filtered >"$T/serial.txt" 2>&1
sed 's/^/# /' "$T/serial.txt"
check "filtered link: a GetNameOwner reusing an outstanding serial gets AccessDenied from the proxy" -- \
	grep -q "^reuse: org.freedesktop.DBus.Error.AccessDenied pv-xconnect: serial 2 " "$T/serial.txt"
check "filtered link: after two GetNameOwner with one serial, a call to the forbidden name's owner is denied" -- \
	grep -q "^call: error org.freedesktop.DBus.Error.AccessDenied pv-xconnect:" "$T/serial.txt"
is "filtered link: GetInfo on the allowed name still works after the attack" \
	'{"service": "dbus-example", "status": "active"}' client filtered info
pvxctl metrics >"$T/metrics.txt"
check "/metrics: pvx_link_dbus_denied_total counts the refusals" -- \
	grep -E 'pvx_link_dbus_denied_total\{.*name="filtered".*\} [3-9]' "$T/metrics.txt"

# Hostile authentication: never another identity, never a crash.
# Each case must also leave the daemon's fd count where it was: the script
# reads it from a file this loop keeps rewriting.
fd_writer() {
	while :; do
		ls "/proc/$DPID/fd" | wc -l >"$T/data/daemon-fds.new" && mv "$T/data/daemon-fds.new" "$T/data/daemon-fds"
		sleep 0.05
	done
}
fd_writer &
FDW=$!
BACKGROUND="$BACKGROUND $FDW"
in_container app /usr/bin/python3 /t/peers/dbus-sasl-hostile.py /run/nobody/bus 65534 /data/daemon-fds \
	>"$T/hostile.txt" 2>&1
kill $FDW
while read -r verdict rest; do
	case $verdict in
	PASS) ok 0 "hostile SASL: $rest" ;;
	FAIL) ok 1 "hostile SASL: $rest" ;;
	esac
done <"$T/hostile.txt"
n=$(awk '/^cases:/ { print $2 }' "$T/hostile.txt")
ok $([ "${n:-0}" -ge 30 ]; echo $?) "the hostile corpus has at least 30 cases ($n)"
is "after the corpus the daemon still serves: uid 65534" 65534 client nobody uid

# The bus goes away: a client is closed at once, no hang.
container_kill bus
in_container app timeout 10 /usr/bin/python3 /t/peers/dbus-client.py unix:path=/run/nobody/bus uid >"$T/down.txt" 2>&1
st=$?
ok $([ $st != 124 ] && [ $st != 0 ]; echo $?) "bus down: a client fails at once, no hang (exit $st)"

kill -TERM "$DPID"; wait "$DPID"; st=$?; DPID=
ok $st "SIGTERM: exit 0"
done_testing
