#!/bin/bash
# network links and IPAM on real network namespaces: the seeds' three
# scenarios (valid static IP, invalid, collision) against a pv-ctrl that
# plays Pantavisor's try-boot (t/peers/fake-pvctrl.py --tryboot), busybox ping
# between containers over the pool's bridge, NAT, leases across kill -9
# and a corrupt lease file, and nothing left behind.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools
grep -q "define ENABLE_NETWORK 1" "$top_builddir/config.h" || skip_all "built without network links (--disable-network)"
BB=${BUSYBOX:-/bin/busybox}
[ -x "$BB" ] || skip_all "needs $BB (Debian busybox-static)"
command -v ip >/dev/null || skip_all "needs ip (Debian iproute2) to look at the result"
unshare --net true 2>/dev/null || skip_all "cannot create network namespaces"

BR="pvxbr$$"
BR=${BR:0:15}
# A pool (and so a NAT table) of this test's own: the ipam example of
# t/integration/mesh.sh uses "internal".
POOL="pool$$"
cat >"$T/device.json" <<JSON
{"network": {"pools": {"$POOL": {"type": "bridge", "bridge": "$BR", "subnet": "10.0.3.0/24",
  "gateway": "10.0.3.1", "nat": true}}}}
JSON
for c in valid peer invalid collision extra; do
	CT_NET=1 container_start $c sleep 100000
done
# the bridge is ours to remove at the end
cleanup_net() { ip link del "$BR" 2>/dev/null; nft delete table ip "pvx_nat_$POOL" 2>/dev/null; }
trap 'cleanup_net; cleanup' EXIT

net() { # net CONTAINER [STATIC_IP]
	local ip=""
	[ -n "${2:-}" ] && ip=", \"ipv4_address\": \"$2\""
	printf '{"type": "network", "name": "%s", "consumer": "%s", "consumer_pid": %s,
	  "provider": "_pv_", "provider_pid": 0, "target": "eth0"%s}' "$POOL" "$1" "$(cpid "$1")" "$ip"
}
TB="$T/tryboot"
mkdir -p "$TB"
echo "[$(net valid 10.0.3.50), $(net peer)]" >"$TB/1.json"
echo "[$(net valid 10.0.3.50), $(net peer), $(net invalid 192.168.99.100)]" >"$TB/2.json"
echo "[$(net valid 10.0.3.50), $(net peer), $(net collision 10.0.3.50)]" >"$TB/3.json"
echo '[]' >"$TB/4.json"
echo "[$(net valid 10.0.3.50), $(net invalid)]" >"$TB/5.json"
echo 1 >"$TB/committed"
echo '[]' >"$T/unused.json"
fake_pvctrl_start "$T/unused.json" --events "$T/events.log" --tryboot "$TB" --commit-after 3 \
	--events-status-file "$T/events-refused"
STATE="$T/state"
daemon_start --device-json "$T/device.json" --state-dir "$STATE"
check "revision 1: both network links ACTIVE" -- pvxctl wait --timeout 10

bb() { local c=$1; shift; in_container "$c" "$BB" "$@"; }
bb valid ip -4 addr show eth0 >"$T/valid-addr.txt" 2>&1
check "valid: 10.0.3.50/24 on eth0" -- grep -q "inet 10.0.3.50/24" "$T/valid-addr.txt"
bb valid ip link show eth0 >"$T/valid-link.txt" 2>&1
check "valid: deterministic MAC 02:00:0a:00:03:32" -- grep -q "02:00:0a:00:03:32" "$T/valid-link.txt"
bb valid ip route >"$T/valid-route.txt" 2>&1
check "valid: default route via 10.0.3.1" -- grep -q "default via 10.0.3.1 dev eth0" "$T/valid-route.txt"
peer_ip=$(pvxctl ipam | awk '$1 == "peer" { print $3 }')
ok $([ -n "$peer_ip" ] && [ "$peer_ip" != 10.0.3.50 ] && [ "$peer_ip" != 10.0.3.1 ]; echo $?) \
	"peer: a dynamic address from the pool ($peer_ip)"
check "valid pings peer over the pool's bridge" -- bb valid ping -c 1 -W 3 "$peer_ip"
check "the seed's log line for the static address" -- grep -q "platform 'valid' using static IP 10.0.3.50" "$T/daemon.log"
check "ipam-reserve events reached pv-ctrl" -- \
	sh -c "grep -q '\"event\":\"ipam-reserve\".*\"ip\":\"10.0.3.50\"' '$T/events.log' && grep -q '\"consumer\":\"peer\"' '$T/events.log'"
nft list table ip "pvx_nat_$POOL" >"$T/nft.txt" 2>&1
check "NAT: masquerade for 10.0.3.0/24 installed" -- grep -q "ip saddr 10.0.3.0/24 ip daddr != 10.0.3.0/24 masquerade" "$T/nft.txt"
# NAT without forwarding gets nowhere: the daemon says so iff it is off
if [ "$(cat /proc/sys/net/ipv4/ip_forward)" = 0 ]; then
	check "ip_forward is 0: the NAT pool warns that its containers reach the host only" -- \
		grep -q "pool '$POOL': NAT is on but net.ipv4.ip_forward is 0" "$T/daemon.log"
else
	check "ip_forward is 1: no forwarding warning" -- sh -c "! grep -q 'ip_forward is 0' '$T/daemon.log'"
fi
pvxctl ipam >"$T/ipam.txt"
check "pvxctl ipam: pool line with used/free" -- grep -qE "^$POOL +10.0.3.0/24 +10.0.3.1 +$BR +yes +2 +251" "$T/ipam.txt"
check "pvxctl ipam: the static lease" -- grep -qE "^valid +$POOL +10.0.3.50 +02:00:0a:00:03:32 +static" "$T/ipam.txt"

# Scenario 2: an update brings a container with 192.168.99.100 (outside)
echo 2 >"$TB/update"
rolled_back() { [ "$(cat "$TB/rollbacks" 2>/dev/null | wc -l)" -ge "$1" ]; }
check "invalid: the update is rolled back" -- until_true 10 rolled_back 1
check "invalid: the seed's log line" -- grep -q \
	"failed to reserve static IP 192.168.99.100 for 'invalid' (already in use or outside subnet), refusing to start" "$T/daemon.log"
check "invalid: an ipam-conflict event" -- grep -q '"event":"ipam-conflict".*"ip":"192.168.99.100"' "$T/events.log"
check "invalid: a rollback event naming the container and the reason" -- \
	grep -q '"consumer":"invalid","event":"rollback".*outside subnet 10.0.3.0/24' "$T/events.log"
check "pv-ctrl serves revision 1 again" -- grep -q "^committed 1" "$TB/state"
gone_from_graph() { ! pvxctl links | grep -q "^invalid/"; }
check "the daemon follows: the invalid link is gone" -- until_true 10 gone_from_graph
check "revision 1's links are ACTIVE" -- pvxctl wait --timeout 10
check "and still carry traffic (ping)" -- bb valid ping -c 1 -W 3 "$peer_ip"
no_eth0() { ! in_container "$1" "$BB" ip link show eth0 >/dev/null 2>&1; }
check "invalid has no interface" -- no_eth0 invalid
no_lease() { ! pvxctl ipam | grep -qE "^($1) "; }
has_lease() { pvxctl ipam | grep -qE "^$1 +$POOL +$2 "; }
check "no lease for invalid" -- no_lease invalid

# Scenario 3: a second container asks for 10.0.3.50 too
echo 3 >"$TB/update"
check "collision: the update is rolled back" -- until_true 10 rolled_back 2
check "collision: refused with the seed's line" -- grep -q \
	"failed to reserve static IP 10.0.3.50 for 'collision' (already in use or outside subnet), refusing to start" "$T/daemon.log"
check "collision: the reason names the holder" -- grep -q '"consumer":"collision","event":"rollback".*already leased to' "$T/events.log"
check "the first container keeps its address" -- bb valid ping -c 1 -W 3 "$peer_ip"
check "pv-ctrl serves revision 1 again" -- grep -q "^committed 1" "$TB/state"

# The peer restarts (a new pid): re-planted in its new namespace, same lease
container_kill peer
CT_NET=1 container_start peer sleep 100000
echo "[$(net valid 10.0.3.50), $(net peer)]" >"$TB/1.json"
pvxctl reconcile >/dev/null
peer_back() { bb peer ip -4 addr show eth0 2>/dev/null | grep -q "inet $peer_ip/24"; }
check "peer restarted: eth0 again with the same address $peer_ip" -- until_true 10 peer_back
check "peer restarted: traffic again" -- bb valid ping -c 1 -W 3 "$peer_ip"

# kill -9, restart: the same leases, interfaces re-planted
before=$(pvxctl ipam | awk '/^(valid|peer) / { print $1, $3, $4 }' | sort)
kill -9 "$DPID"; wait "$DPID" 2>/dev/null; DPID=
daemon_start --device-json "$T/device.json" --state-dir "$STATE"
check "after kill -9: links ACTIVE again" -- pvxctl wait --timeout 10
after=$(pvxctl ipam | awk '/^(valid|peer) / { print $1, $3, $4 }' | sort)
ok $([ "$before" = "$after" ] && [ -n "$after" ]; echo $?) "after kill -9: the same leases ($(echo $after))"
ok $([ "$(pvxctl ipam | grep -c ' 10.0.3.50 ')" = 1 ]; echo $?) "no duplicate address"
check "after kill -9: traffic again" -- bb valid ping -c 1 -W 3 "$peer_ip"
ok $([ "$(ip -o link show | grep -c "master $BR")" = 2 ]; echo $?) "two veths on the bridge, no stale third"

# a corrupt lease file: reported, the previous good copy used.  FILE.prev
# is the copy before the last write: a third container joins (a write),
# so that it holds valid's static and peer's dynamic lease.
echo "[$(net valid 10.0.3.50), $(net peer), $(net extra)]" >"$TB/1.json"
pvxctl reconcile >/dev/null
extra_leased() { pvxctl ipam | grep -qE "^extra +$POOL "; }
check "a third container joins (the lease file is written again)" -- until_true 10 extra_leased
check "... ACTIVE" -- pvxctl wait --timeout 10
since_of() { pvxctl ipam --json | "$PY" -c '
import json, sys
print([l["since"] for l in json.load(sys.stdin)["leases"] if l["container"] == sys.argv[1]])' "$1"; }
peer_since=$(since_of peer)
kill -TERM "$DPID"; wait "$DPID"; DPID=
echo '{"version": 1, "leases": [{"pool": "int' >"$STATE/ipam-leases.json"
PVX_LOG_MARK=$(wc -l <"$T/daemon.log")
daemon_start --device-json "$T/device.json" --state-dir "$STATE"
tail -n +"$((PVX_LOG_MARK + 1))" "$T/daemon.log" >"$T/daemon-corrupt.log"
check "corrupt lease file reported" -- grep -q "lease file .* is corrupt" "$T/daemon-corrupt.log"
check "... the previous copy read: 2 leases loaded from it" -- \
	grep -q "leases: 2 loaded from $STATE/ipam-leases.json.prev\$" "$T/daemon-corrupt.log"
check "... valid keeps its static 10.0.3.50" -- has_lease valid 10.0.3.50
check "... peer keeps its dynamic $peer_ip" -- has_lease peer "$peer_ip"
ok $([ "$(since_of peer)" = "$peer_since" ] && [ "$peer_since" != "[]" ]; echo $?) \
	"... the very lease from the file, not a new one (since $peer_since)"
check "links ACTIVE on the recovered leases" -- pvxctl wait --timeout 10

# pv-ctrl refuses events for a while: they wait, in order, and go later
echo 503 >"$T/events-refused"
echo 5 >"$TB/update" # peer leaves (ipam-release), invalid joins with a dynamic address
queued() { [ "$(pvxctl ipam --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["events"]["queued"])')" -ge 2 ]; }
check "pv-ctrl refusing events: they are queued, not dropped" -- until_true 10 queued
rm "$T/events-refused"
delivered() { grep -q '"consumer":"peer","event":"ipam-release"' "$T/events.log"; }
check "pv-ctrl takes events again: the queued ones are delivered" -- until_true 40 delivered
order=$(grep -n '"consumer":"invalid","event":"ipam-reserve"\|"consumer":"peer","event":"ipam-release"' "$T/events.log" | cut -d: -f1 | tr '\n' ' ')
ok $([ "$(echo $order | wc -w)" = 2 ] && [ "$(echo $order | cut -d' ' -f1)" -lt "$(echo $order | cut -d' ' -f2)" ]; echo $?) \
	"... in the order they happened: reserve, then release (lines $order)"
check "the failed POSTs were logged once" -- sh -c "[ \$(grep -c 'answered HTTP 503' '$T/daemon.log') = 1 ]"

# Everything removed: no veth, no NAT table, no lease
echo 4 >"$TB/update"
empty() { [ -z "$(pvxctl links --json | tr -d '[]\n ')" ]; }
check "revision 4 (no network links) applied" -- until_true 10 empty
check "no veth left" -- sh -c "! ip -o link show | grep -q 'pvx[0-9a-f]\{8\}'"
check "no NAT table left" -- sh -c "! nft list table ip 'pvx_nat_$POOL' >/dev/null 2>&1"
# The bridge was created by the daemon killed with -9 above; its alias
# tells the restarted one that it may remove it.
check "the bridge went with the last link, though an earlier run created it" -- \
	sh -c "! ip link show '$BR' >/dev/null 2>&1"
check "no lease left" -- no_lease 'valid|peer|invalid|extra'
check "ipam-release events sent" -- grep -q '"event":"ipam-release"' "$T/events.log"
kill -TERM "$DPID"; wait "$DPID"; st=$?; DPID=
ok $st "SIGTERM: exit 0"
done_testing
