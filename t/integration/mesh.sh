#!/bin/bash
# The unix example mesh on real LXC containers through examples/mesh: up
# (the consumer's exchange through the planted socket), status, and down
# leaving nothing behind (containers, processes, sockets, files).
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools
for t in lxc-start lxc-stop lxc-info lxc-ls; do command -v $t >/dev/null || skip_all "needs $t (Debian lxc)"; done
[ -x /bin/busybox ] || skip_all "needs /bin/busybox (Debian busybox-static)"

export PVX_MESH_DIR="$T/mesh"
MESH="$top_srcdir/examples/mesh"
W="$PVX_MESH_DIR/unix"
export top_builddir

host_run_before=$(ls /run)
"$MESH" up unix >"$T/up.log" 2>&1; st=$?
ok $st "examples/mesh up unix exits 0"
[ $st = 0 ] || sed 's/^/# /' "$T/up.log"
check "pvxctl links printed with the link ACTIVE" -- grep -q "pv-example-unix-client/raw -> /run/pv/services/raw.sock  *unix  *ACTIVE" "$T/up.log"
client_said() { grep -q "client -> /run/pv/services/raw.sock: pv-example-unix-server got 'hello from pv-example-unix-client'" "$W/log/pv-example-unix-client/console.log"; }
check "the client's exchange through the planted socket" -- until_true 10 client_said
cpid=$(lxc-info -n pv-example-unix-client -P "$W/lxc" -p -H)
spid=$(lxc-info -n pv-example-unix-server -P "$W/lxc" -p -H)
check "the socket lives only in the client's mount namespace" -- test -S "/proc/$cpid/root/run/pv/services/raw.sock"
check "... not in the server's" -- test ! -e "/proc/$spid/root/run/pv/services/raw.sock"
check "the graph came from the manifests with the LXC pids" -- \
	sh -c "\"$PVXCTL\" --control $W/xconnect.sock graph | grep -q '\"consumer_pid\": $cpid'"
"$MESH" status unix >"$T/status.log" 2>&1
check "status lists both containers RUNNING" -- sh -c "[ \$(grep -c RUNNING $T/status.log) = 2 ]"
check "status shows the consoles" -- grep -q "pv-example-unix-server: listening" "$T/status.log"
"$MESH" up unix >/dev/null 2>&1
ok $([ $? != 0 ]; echo $?) "a second up of the same example is refused"
dpid=$(cat "$W/pv-xconnect.pid")

# the daemon notices the consumer's restart through LXC and re-plants
lxc-stop -n pv-example-unix-client -P "$W/lxc" -k
lxc-start -n pv-example-unix-client -P "$W/lxc" -d
cpid2=$(lxc-info -n pv-example-unix-client -P "$W/lxc" -p -H)
replanted() { test -S "/proc/$cpid2/root/run/pv/services/raw.sock"; }
check "consumer restarted under LXC: socket re-planted in its new namespace" -- until_true 10 replanted

# the provider stops: the link stays visible, WAITING with the reason
lxc-stop -n pv-example-unix-server -P "$W/lxc" -k
waits() { "$PVXCTL" --control "$W/xconnect.sock" links 2>&1 | grep -q "pv-example-unix-client/raw -> .*WAITING .*waits for container 'pv-example-unix-server' to run"; }
check "provider stopped under LXC: pvxctl links shows the link WAITING with the reason" -- until_true 10 waits
lxc-start -n pv-example-unix-server -P "$W/lxc" -d
spid=$(lxc-info -n pv-example-unix-server -P "$W/lxc" -p -H)
back() { "$PVXCTL" --control "$W/xconnect.sock" links 2>&1 | grep -q "pv-example-unix-client/raw -> .*ACTIVE"; }
check "provider started again: the link ACTIVE" -- until_true 15 back

check "nothing was planted in the host's /run" -- test "$(ls /run)" = "$host_run_before"
check "examples/mesh down unix" -- "$MESH" down unix
check "no container left" -- sh -c "! lxc-ls -P '$W/lxc' 2>/dev/null | grep -q ."
check "the daemon is gone" -- sh -c "! kill -0 $dpid 2>/dev/null"
check "no process left in the containers" -- sh -c "! kill -0 $cpid2 2>/dev/null && ! kill -0 $spid 2>/dev/null"
check "no files left" -- test ! -e "$W"

# mesh_up NAME: examples/mesh up NAME; its output is shown when it fails.
mesh_up() {
	"$MESH" up "$1" >"$T/$1-up.log" 2>&1
	local st=$?
	ok $st "examples/mesh up $1 exits 0${2:+ $2}"
	[ $st = 0 ] || { sed 's/^/# /' "$T/$1-up.log"; sed 's/^/# daemon: /' "$PVX_MESH_DIR/$1/pv-xconnect.log"; }
}

# the rest example: the provider sees who is asking
if command -v python3 >/dev/null; then
	mesh_up rest
	said() { grep -q '"client": "pv-example-rest-client", "role": "any"' "$PVX_MESH_DIR/rest/log/pv-example-rest-client/console.log"; }
	check "the rest provider answers with the consumer's name and role" -- until_true 10 said
	check "nothing planted in the host's /run by the rest example" -- test "$(ls /run)" = "$host_run_before"
	check "examples/mesh down rest" -- "$MESH" down rest
else
	skip "the rest example: needs python3"
fi

# the dbus example: the seed's call, nobody's uid, the attacker refused
if grep -q "define ENABLE_DBUS 1" "$top_builddir/config.h" && command -v dbus-daemon >/dev/null &&
	/usr/bin/python3 -c 'import dbus, gi' 2>/dev/null; then
	D="$PVX_MESH_DIR/dbus/log"
	mesh_up dbus
	got_info() { grep -q '"service": "dbus-example", "status": "active"' "$D/pv-example-dbus-client/console.log"; }
	check "dbus example: the client's GetInfo returns the seed's JSON" -- until_true 20 got_info
	refused() { grep -q "attacker: refused as expected: org.freedesktop.DBus.Error.AccessDenied" "$D/pv-example-dbus-attacker/console.log"; }
	check "dbus example: the attacker (role nobody) cannot own the service name" -- until_true 20 refused
	"$PVXCTL" --control "$PVX_MESH_DIR/dbus/xconnect.sock" links >"$T/dbus-links.txt"
	check "dbus example: the bus saw uid 65534 on the nobody link" -- \
		grep -q "pv-example-dbus-nobody/system-bus .*uid=65534" "$T/dbus-links.txt"
	check "examples/mesh down dbus" -- "$MESH" down dbus
	# the hosted-bus variant: pv-xconnect's own bus, one allowed call, one
	# denied with the bus's explanation, one activation of an on-demand container
	HD="$PVX_MESH_DIR/dbus-hosted/log/pv-example-dbus-hosted-client/console.log"
	"$MESH" up dbus-hosted >"$T/dbus-hosted-up.log" 2>&1
	st=$?
	ok $st "examples/mesh up dbus-hosted exits 0"
	[ $st = 0 ] || sed 's/^/# /' "$T/dbus-hosted-up.log"
	hosted_said() { grep -q "$1" "$HD"; }
	check "dbus-hosted: the allowed call is answered" -- \
		until_true 20 hosted_said '"service": "org.pantavisor.Example", "status": "active"'
	check "dbus-hosted: the denied call gets the bus's AccessDenied, naming the destination" -- \
		until_true 20 hosted_said 'AccessDenied: Rejected send message.*destination="org.pantavisor.Secret"'
	check "dbus-hosted: the call to the on-demand container's name is answered after its start" -- \
		until_true 30 hosted_said '"service": "org.pantavisor.Lazy", "status": "active"'
	check "dbus-hosted: pv-ctrl was asked for org.pantavisor.Lazy" -- \
		grep -qx org.pantavisor.Lazy "$PVX_MESH_DIR/dbus-hosted/activations"
	check "examples/mesh down dbus-hosted" -- "$MESH" down dbus-hosted
else
	skip "the dbus example: needs dbus links built in, dbus-daemon, python3-dbus and python3-gi"
fi

# the drm example: each consumer gets its node
if grep -q "define ENABLE_DRM 1" "$top_builddir/config.h"; then
	mesh_up drm
	mpid=$(lxc-info -n pv-example-drm-master -P "$PVX_MESH_DIR/drm/lxc" -p -H)
	rpid=$(lxc-info -n pv-example-drm-render -P "$PVX_MESH_DIR/drm/lxc" -p -H)
	dev() { stat -c '%F %t:%T' "/proc/$1/root$2" 2>/dev/null; }
	planted() { [ "$(dev "$mpid" /dev/dri/card0)" = "character special file e2:0" ] &&
		[ "$(dev "$rpid" /dev/dri/renderD128)" = "character special file e2:80" ]; }
	check "drm example: card0 226:0 in the master, renderD128 226:128 in the render consumer" -- until_true 20 planted
	check "drm example: the master consumer got no render node" -- test ! -e "/proc/$mpid/root/dev/dri/renderD128"
	check "examples/mesh down drm" -- "$MESH" down drm
else
	skip "the drm example: built without drm links (--disable-drm)"
fi

# the wayland example: weston in one container, weston-simple-shm in another
if command -v weston >/dev/null && command -v weston-simple-shm >/dev/null; then
	mesh_up wayland
	drew() { grep -q "weston-simple-shm ran 3 s through the link" "$PVX_MESH_DIR/wayland/log/pv-example-wayland-client/console.log"; }
	check "wayland example: weston-simple-shm ran 3 s through the link" -- until_true 20 drew
	"$PVXCTL" --control "$PVX_MESH_DIR/wayland/xconnect.sock" links >"$T/wayland-links.txt"
	check "wayland example: fds passed on the wayland link" -- \
		grep -qE "pv-example-wayland-client/wayland-0 .*ACTIVE .*fds=[1-9]" "$T/wayland-links.txt"
	check "examples/mesh down wayland" -- "$MESH" down wayland
else
	skip "the wayland example: needs weston and weston-simple-shm (Debian weston)"
fi

# the ipam example: valid and collision want the same address, invalid one
# outside the subnet; the first planted (collision, by name) keeps it
if grep -q "define ENABLE_NETWORK 1" "$top_builddir/config.h"; then
	I="$PVX_MESH_DIR/ipam"
	mesh_up ipam "(links ACTIVE or FAILED as expected)"
	said_up() { grep -q "inet 10.0.3.50/24" "$I/log/pv-example-ipam-collision/console.log"; }
	check "ipam example: the first container has 10.0.3.50 on eth0" -- until_true 25 said_up
	check "ipam example: invalid refused with the seed's line" -- grep -q \
		"failed to reserve static IP 192.168.99.100 for 'pv-example-ipam-invalid' (already in use or outside subnet), refusing to start" \
		"$I/pv-xconnect.log"
	check "ipam example: the second claim on 10.0.3.50 refused" -- grep -q \
		"failed to reserve static IP 10.0.3.50 for 'pv-example-ipam-valid'" "$I/pv-xconnect.log"
	check "examples/mesh down ipam" -- "$MESH" down ipam
	check "ipam example: no bridge and no NAT table left" -- \
		sh -c "! ip link show br0 >/dev/null 2>&1 && ! nft list table ip pvx_nat_internal >/dev/null 2>&1"
else
	skip "the ipam example: built without network links (--disable-network)"
fi
done_testing
