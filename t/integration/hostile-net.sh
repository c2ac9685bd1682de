#!/bin/bash
# network links against hostile graphs and consumers: two interfaces of
# one consumer in one pool, a consumer in the daemon's own network
# namespace, interface names the kernel takes as templates or already has,
# a pool's gateway moved onto a lease, a pool removed with its links.
#
# The whole test runs in a network namespace of its own (re-executed under
# unshare --net): the daemon's "host" namespace is that one, so a daemon
# that changed the host's routes changes only the test's.
if [ -z "${PVX_HOSTILE_NET_INNER:-}" ]; then
	if [ "$(id -u)" != 0 ] || ! unshare --net true 2>/dev/null; then
		echo "1..0 # SKIP needs root and network namespaces"
		exit 77
	fi
	PVX_HOSTILE_NET_INNER=1 exec unshare --net -- bash "$0" "$@"
fi
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools
grep -q "define ENABLE_NETWORK 1" "$top_builddir/config.h" || skip_all "built without network links (--disable-network)"
BB=${BUSYBOX:-/bin/busybox}
[ -x "$BB" ] || skip_all "needs $BB (Debian busybox-static)"
command -v ip >/dev/null || skip_all "needs ip (Debian iproute2) to look at the result"

# The test's "host": lo up, one uplink (a veth pair: no dummy module needed) with a default route the daemon
# must never replace nor remove.
ip link set lo up
ip link add hostup0 type veth peer name hostup1 && ip link set hostup0 up && ip link set hostup1 up && ip addr add 192.0.2.1/24 dev hostup0 &&
	ip route add default via 192.0.2.254 dev hostup0 || skip_all "cannot make a veth uplink"

BR=pvxhn$$
BR=${BR:0:15}
POOL=hostile
pools() { # pools GATEWAY: the graph's pools object
	printf '{"%s": {"type": "bridge", "bridge": "%s", "subnet": "10.0.5.0/24", "gateway": "%s"}}' \
		"$POOL" "$BR" "$1"
}
net() { # net CONTAINER TARGET [STATIC_IP]
	local ip=""
	[ -n "${3:-}" ] && ip=", \"ipv4_address\": \"$3\""
	printf '{"type": "network", "name": "%s", "consumer": "%s", "consumer_pid": %s,
	  "provider": "_pv_", "provider_pid": 0, "target": "%s"%s}' "$POOL" "$1" "$(cpid "$1")" "$2" "$ip"
}
graph() { # graph POOLS LINK...: the graph file, replaced whole
	local pools=$1 links="" l
	shift
	for l in "$@"; do links="${links:+$links, }$l"; done
	printf '{"pools": %s, "links": [%s]}\n' "$pools" "$links" >"$T/graph.tmp"
	mv "$T/graph.tmp" "$T/graph.json"
}
# state_of CONSUMER TARGET: "STATE<TAB>LAST_ERROR" of that link
state_of() {
	pvxctl links --json | "$PY" -c '
import json, sys
for l in json.load(sys.stdin):
    if l["consumer"] == sys.argv[1] and l["target"] == sys.argv[2]:
        print("%s\t%s" % (l["state"], l.get("last_error") or ""))' "$1" "$2"
}
is_state() { state_of "$1" "$2" | grep -q "^$3"; }
leases_of() { # leases_of CONTAINER: "IFNAME IP" per lease
	pvxctl ipam --json | "$PY" -c '
import json, sys
for l in json.load(sys.stdin)["leases"]:
    if l["container"] == sys.argv[1]:
        print(l.get("ifname", "?"), l["ip"])' "$1" | sort
}
bb() { local c=$1; shift; in_container "$c" "$BB" "$@"; }

for c in two other names; do
	CT_NET=1 container_start $c sleep 100000
done
container_start hostns sleep 100000 # no CT_NET: the daemon's own namespace

graph "$(pools 10.0.5.1)" "$(net two eth0)" "$(net two eth1 10.0.5.60)" "$(net other eth0)"
fake_pvctrl_start "$T/graph.json" --events "$T/events.log"
daemon_start --state-dir "$T/state"
check "two interfaces of one consumer and another consumer: ACTIVE" -- pvxctl wait --timeout 10

# 1. Two interfaces of one consumer in one pool each keep their lease.
leases_of two >"$T/two.txt"
check "two: two leases, eth0 dynamic and eth1 static 10.0.5.60" -- \
	sh -c "[ \$(wc -l <'$T/two.txt') = 2 ] && grep -q '^eth1 10.0.5.60$' '$T/two.txt' && grep -q '^eth0 ' '$T/two.txt'"
eth0_ip=$(awk '$1 == "eth0" { print $2 }' "$T/two.txt")
other_ip=$(leases_of other | awk '{ print $2 }')
ok $([ -n "$eth0_ip" ] && [ "$eth0_ip" != "$other_ip" ] && [ "$eth0_ip" != 10.0.5.60 ]; echo $?) \
	"two's eth0 ($eth0_ip) and other ($other_ip) have addresses of their own"
bb two ip -4 addr show eth0 >"$T/two-eth0.txt" 2>&1
check "two: eth0 still carries $eth0_ip" -- grep -q "inet $eth0_ip/24" "$T/two-eth0.txt"
check "other pings two's eth0 over the bridge" -- bb other ping -c 1 -W 3 "$eth0_ip"
check "other pings two's eth1" -- bb other ping -c 1 -W 3 10.0.5.60
kill -TERM "$DPID"; wait "$DPID"; DPID=
daemon_start --state-dir "$T/state"
check "after a restart: ACTIVE again" -- pvxctl wait --timeout 10
leases_of two >"$T/two-after.txt"
check "after a restart: two keeps both leases" -- cmp "$T/two.txt" "$T/two-after.txt"

# 2. A consumer in the daemon's own (the host's) network namespace.
graph "$(pools 10.0.5.1)" "$(net two eth0)" "$(net two eth1 10.0.5.60)" "$(net other eth0)" \
	"$(net hostns eth7)"
check "host-namespace consumer: FAILED" -- until_true 10 is_state hostns eth7 FAILED
state_of hostns eth7 >"$T/hostns.txt"
check "... saying why" -- grep -q "shares the daemon's (the host's) network namespace" "$T/hostns.txt"
ip route show default >"$T/route.txt"
check "the host's default route is untouched" -- grep -q "default via 192.0.2.254 dev hostup0" "$T/route.txt"
check "no eth7 on the host" -- sh -c "! ip link show eth7 >/dev/null 2>&1"
check "no lease for the host-namespace consumer" -- sh -c "[ -z \"\$(pvxctl ipam --json | grep '\"hostns\"')\" ]"

# 3. Interface names the kernel takes as a template or already has:
# refused once, not retried for ever.
graph "$(pools 10.0.5.1)" "$(net two eth0)" "$(net two eth1 10.0.5.60)" "$(net other eth0)" \
	"$(net names 'eth%d')" "$(net names lo)" "$(net names all)"
check "target eth%d: FAILED" -- until_true 10 is_state names 'eth%d' FAILED
state_of names 'eth%d' >"$T/names.txt"
state_of names lo >>"$T/names.txt"
state_of names all >>"$T/names.txt"
check "... eth%d: the reason says template" -- grep -q "^FAILED.*template" "$T/names.txt"
check "target lo: FAILED with the reason" -- grep -q "^FAILED.*'lo'.*lo, all, default" "$T/names.txt"
check "target all: FAILED with the reason" -- grep -q "^FAILED.*'all'.*lo, all, default" "$T/names.txt"
bb names ip -o link >"$T/names-links.txt" 2>&1
check "names: only lo inside" -- sh -c "[ \$(grep -c . '$T/names-links.txt') = 1 ] && grep -q ': lo:' '$T/names-links.txt'"

# 4. The pool's gateway moved onto a live lease: the lease is released,
# the link fails with an ipam-conflict event; the others follow the gateway.
graph "$(pools "$eth0_ip")" "$(net two eth0)" "$(net two eth1 10.0.5.60)" "$(net other eth0)"
check "the gateway on two's eth0 lease: that link FAILED" -- until_true 10 is_state two eth0 FAILED
check "... an ipam-conflict event for two" -- until_true 10 grep -q "\"consumer\":\"two\",\"event\":\"ipam-conflict\".*gateway" "$T/events.log"
leases_of two >"$T/two-gw.txt"
check "... its lease released, eth1's kept" -- sh -c "[ \"\$(cat '$T/two-gw.txt')\" = 'eth1 10.0.5.60' ]"
bb two ip -4 addr >"$T/two-gw-addr.txt" 2>&1
check "... no $eth0_ip inside two" -- sh -c "! grep -q 'inet $eth0_ip/' '$T/two-gw-addr.txt'"
check "the other links ACTIVE again" -- until_true 10 is_state other eth0 ACTIVE
bb other ip route >"$T/other-route.txt" 2>&1
check "other's default route follows the new gateway" -- grep -q "default via $eth0_ip" "$T/other-route.txt"
check "other reaches the new gateway" -- bb other ping -c 1 -W 3 "$eth0_ip"
ip -4 addr show "$BR" >"$T/br-addr.txt" 2>&1
check "our bridge has the new gateway $eth0_ip/24 ..." -- grep -q "inet $eth0_ip/24" "$T/br-addr.txt"
check "... and not the old one (10.0.5.1 is the pool's to hand out now)" -- sh -c "! grep -q 'inet 10.0.5.1/' '$T/br-addr.txt'"

# 5. The pool removed in the same graph as its links: our bridge goes too.
check "our bridge is there" -- ip link show "$BR"
graph '{}'
empty() { [ -z "$(pvxctl links --json | tr -d '[]\n ')" ]; }
check "pool and links removed together: no links" -- until_true 10 empty
gone() { ! ip link show "$BR" >/dev/null 2>&1; }
check "... and our bridge removed with them" -- until_true 10 gone
check "no veth left" -- sh -c "! ip -o link show | grep -q 'pvx[0-9a-f]\{8\}'"
ip route show default >"$T/route.txt"
check "the host's default route is still untouched" -- grep -q "default via 192.0.2.254 dev hostup0" "$T/route.txt"
kill -TERM "$DPID"; wait "$DPID"; st=$?; DPID=
ok $st "SIGTERM: exit 0"
done_testing
