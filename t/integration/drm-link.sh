#!/bin/bash
# drm links between containers.  This machine has no DRM driver: the
# provider's /dev/dri nodes are made with mknod (226:0 card0, 226:128
# renderD128, 226:64 a control node) and opening a planted node gives
# ENXIO ("no such device") when the cgroup lets it through, EPERM when it
# does not: that tells the device cgroup's verdict apart on a real node.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools
grep -q "define ENABLE_DRM 1" "$top_builddir/config.h" || skip_all "built without drm links (--disable-drm)"
V1=$(awk '$3 == "cgroup" && $4 ~ /(^|,)devices(,|$)/ { print $2; exit }' /proc/self/mounts)
[ -n "$V1" ] || skip_all "needs the cgroup v1 devices controller (this machine's kind has it)"
V2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)

container_start gpu sleep 100000
G="$WORK/gpu/root/dev/dri"
mkdir -p "$G"
mknod -m 660 "$G/card0" c 226 0 && chgrp 44 "$G/card0"
mknod -m 666 "$G/renderD128" c 226 128
mknod -m 600 "$G/controlD64" c 226 64
mknod -m 666 "$G/notdrm" c 1 3
container_start master sleep 100000
container_start render sleep 100000
container_start wrong sleep 100000

# The master consumer in a v1 devices cgroup that allows /dev/null only.
CG="$V1/pvx-test-$$"
mkdir "$CG"
RMDIRS="$CG"
echo a >"$CG/devices.deny"
echo "c 1:3 rwm" >"$CG/devices.allow"
echo "$(cpid master)" >"$CG/cgroup.procs"
before=$(cat "$CG/devices.list")

link() { # link CONSUMER NAME SOCKET TARGET [ROLE]
	local role=""
	[ -n "${5:-}" ] && role="\"role\": \"$5\","
	printf '{"type": "drm", "name": "%s", "consumer": "%s", "consumer_pid": %s, "provider": "gpu",
	  "provider_pid": %s, %s "socket": "%s", "target": "%s"}' "$2" "$1" "$(cpid "$1")" "$(cpid gpu)" \
		"$role" "$3" "$4"
}
graph() {
	cat >"$T/graph.new" <<JSON
[$(link master drm-master /dev/dri/card0 /dev/dri/card0 master),
 $(link render drm-render /dev/dri/renderD128 /dev/dri/renderD128 render),
 $(link wrong drm-wrong-kind /dev/dri/renderD128 /dev/dri/card0 master),
 $(link wrong drm-control /dev/dri/controlD64 /dev/dri/controlD64),
 $(link wrong drm-notdrm /dev/dri/notdrm /dev/dri/notdrm),
 $(link wrong drm-badrole /dev/dri/card0 /dev/dri/x operator),
 $(link wrong drm-late /dev/dri/card1 /dev/dri/card1)$*]
JSON
	mv "$T/graph.new" "$T/graph.json"
}
graph
fake_pvctrl_start "$T/graph.json"
daemon_start
st() { link_state "$1" "$2"; }
until_true 10 sh -c "[ \"\$(\"$PVXCTL\" --control $T/xc.sock links | grep -c ACTIVE)\" = 2 ]"
is_state() { ok $([ "$(st "$1" "$2")" = "$3" ]; echo $?) "$1/$2 is $3 ($(st "$1" "$2"))"; }
# A link that retries goes BACKOFF -> PENDING (a plant on a worker) -> BACKOFF:
# seen BACKOFF at least once within a few seconds.
is_state_soon() { until_true 5 in_state "$1" "$2" "$3"; ok $? "$1/$2 is $3"; }
is_state master drm-master ACTIVE
is_state render drm-render ACTIVE

node() { stat -c '%F %t:%T %a %g' "/proc/$(cpid "$1")/root$2" 2>&1; }
check "master consumer: /dev/dri/card0 is 226:0, mode 660, group 44" -- \
	test "$(node master /dev/dri/card0)" = "character special file e2:0 660 44"
check "render consumer: /dev/dri/renderD128 is 226:128, mode 666" -- \
	test "$(node render /dev/dri/renderD128)" = "character special file e2:80 666 0"
is_state wrong drm-wrong-kind FAILED
pvxctl links >"$T/links.txt"
check "role master on a render node is refused with the reason" -- \
	grep -q "wrong/drm-wrong-kind .*role master needs a primary (card\*) node, but /dev/dri/renderD128 is a render node" "$T/links.txt"
is_state wrong drm-control FAILED
check "a control node is refused" -- grep -q "DRM control node" "$T/links.txt"
is_state wrong drm-notdrm FAILED
check "a non-DRM device is refused" -- grep -q "is not a DRM device" "$T/links.txt"
is_state wrong drm-badrole FAILED
check "a role other than master, render or none is refused" -- grep -q "role 'operator'" "$T/links.txt"
check "nothing planted for the refused links" -- \
	sh -c "! ls /proc/$(cpid wrong)/root/dev/dri/ 2>/dev/null | grep -q ."
is_state_soon wrong drm-late BACKOFF
check "pvxctl links shows major:minor, kind and the cgroup grant" -- \
	grep -q "master/drm-master .*226:0 primary cgroup=v1-allowed" "$T/links.txt"

# cgroup v1: exactly our rule added, and the cgroup's verdict on a real open
after=$(cat "$CG/devices.list")
ok $([ "$after" = "$(printf '%s\nc 226:0 rw' "$before")" ]; echo $?) \
	"v1 devices.list gained exactly 'c 226:0 rw' ($(echo $after | tr '\n' ';'))"
# in_cg CGROUP CONTAINER COMMAND...: COMMAND in the container, in the cgroup
in_cg() {
	local cg=$1 name=$2; shift 2
	sh -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' sh "$cg" \
		nsenter --target "$(cpid "$name")" --mount --pid --root --wd=/ -- "$@"
}
in_cg "$CG" master sh -c 'exec 3</dev/dri/card0' >"$T/open.txt" 2>&1
check "the master consumer may open card0: the kernel answers ENXIO (no driver), not EPERM" -- \
	grep -q "No such device or address" "$T/open.txt"
mknod -m 666 "/proc/$(cpid master)/root/dev/dri/card9" c 226 9
in_cg "$CG" master sh -c 'exec 3</dev/dri/card9' >"$T/open9.txt" 2>&1
check "control: a 226:9 node the link did not grant is refused by the cgroup (EPERM)" -- \
	grep -q "Operation not permitted" "$T/open9.txt"
rm -f "/proc/$(cpid master)/root/dev/dri/card9"

# hot-plug: card1 appears, the late link plants; it vanishes, the link goes
mknod -m 660 "$G/card1" c 226 1
until_true 10 sh -c "\"$PVXCTL\" --control $T/xc.sock links | grep -q 'wrong/drm-late .*ACTIVE'"
is_state wrong drm-late ACTIVE
check "hot-plug: the node appeared in the consumer" -- test -c "/proc/$(cpid wrong)/root/dev/dri/card1"
rm "$G/card1"
gone() { [ ! -e "/proc/$(cpid wrong)/root/dev/dri/card1" ]; }
check "hot-unplug: the provider's node vanished, the consumer's is removed" -- until_true 10 gone
until_true 5 sh -c "[ \"\$(\"$PVXCTL\" --control $T/xc.sock links | awk '/wrong\/drm-late/ { print \$3 }')\" = BACKOFF ]"
is_state_soon wrong drm-late BACKOFF

# re-plants do not pile up rules; removal takes the rule back
for i in 1 2 3; do
	kill -HUP "$DPID" # unchanged graph: nothing replanted
done
graph ", $(link master drm-master2 /dev/dri/card0 /dev/dri/card0-again master)"
pvxctl reconcile >/dev/null
until_true 5 test -c "/proc/$(cpid master)/root/dev/dri/card0-again"
ok $([ "$(grep -c '^c 226:0 rw$' "$CG/devices.list")" = 1 ]; echo $?) "two links to one node: still one rule"
graph
pvxctl reconcile >/dev/null
check "one of the two links removed: the rule stays for the other" -- grep -q '^c 226:0 rw$' "$CG/devices.list"
check "... and its node is gone" -- test ! -e "/proc/$(cpid master)/root/dev/dri/card0-again"
echo '[]' >"$T/graph.new"; mv "$T/graph.new" "$T/graph.json"
pvxctl reconcile >/dev/null
check "link removed: node unlinked in the consumer" -- test ! -e "/proc/$(cpid master)/root/dev/dri/card0"
ok $([ "$(cat "$CG/devices.list")" = "$before" ]; echo $?) "link removed: devices.list back to what it was"
check "render node unlinked too" -- test ! -e "/proc/$(cpid render)/root/dev/dri/renderD128"

# A rule the runtime granted itself is neither duplicated nor taken away.
echo "c 226:* rwm" >"$CG/devices.allow"
granted=$(cat "$CG/devices.list")
graph
pvxctl reconcile >/dev/null
until_true 5 test -c "/proc/$(cpid master)/root/dev/dri/card0"
pvxctl links >"$T/links2.txt"
check "pre-granted device: pvxctl says v1-already" -- grep -q "master/drm-master .*cgroup=v1-already" "$T/links2.txt"
ok $([ "$(cat "$CG/devices.list")" = "$granted" ]; echo $?) "pre-granted device: devices.list untouched"
echo '[]' >"$T/graph.new"; mv "$T/graph.new" "$T/graph.json"
pvxctl reconcile >/dev/null
ok $([ "$(cat "$CG/devices.list")" = "$granted" ]; echo $?) "pre-granted device: still granted after removal"

# cgroup v2: a device program can only narrow what others allow (the kernel
# grants access when every program in effect allows it), so the daemon adds
# none and says so when the consumer's cgroup has programs.
if [ -n "$V2" ] && [ -x "$top_builddir/t/peers/devcg-v2" ]; then
	U="$V2/pvx-test-$$"
	mkdir "$U"
	RMDIRS="$RMDIRS $U"
	"$top_builddir/t/peers/devcg-v2" attach "$U" deny
	sh -c "echo \$\$ >$U/cgroup.procs; exec cat /dev/null" 2>"$T/v2a.txt"
	check "v2: under a deny-all device program /dev/null is refused" -- grep -q "Operation not permitted" "$T/v2a.txt"
	"$top_builddir/t/peers/devcg-v2" attach "$U" allow
	sh -c "echo \$\$ >$U/cgroup.procs; exec cat /dev/null" 2>"$T/v2b.txt"
	check "v2: an allow-all program added beside it does not widen that (why none is added)" -- \
		grep -q "Operation not permitted" "$T/v2b.txt"
	echo "$(cpid render)" >"$U/cgroup.procs"
	echo '[]' >"$T/graph.new"; mv "$T/graph.new" "$T/graph.json"
	pvxctl reconcile >/dev/null
	graph
	pvxctl reconcile >/dev/null
	until_true 5 test -c "/proc/$(cpid render)/root/dev/dri/renderD128"
	pvxctl links >"$T/links3.txt"
	check "v2: pvxctl shows the two device programs over the consumer's cgroup" -- \
		grep -q "render/drm-render .*226:128 render cgroup=v1-already v2-programs=2" "$T/links3.txt"
	check "v2: the log says the runtime must allow the node" -- grep -q \
		"render/drm-render .*2 device program(s): c 226:128 must be allowed by its runtime" "$T/daemon.log"
	ok $([ "$("$top_builddir/t/peers/devcg-v2" count "$U")" = 2 ]; echo $?) "v2: no program of ours attached"
	echo "$(cpid render)" >"$V2/cgroup.procs"
fi

kill -TERM "$DPID"; wait "$DPID"; st=$?; DPID=
ok $st "SIGTERM: exit 0"
check "SIGTERM: nodes removed" -- test ! -e "/proc/$(cpid master)/root/dev/dri/card0"
done_testing
