#!/bin/bash
# pv-xconnect --state --lxc finds a container's init through the process
# LXC names "[lxc monitor] LXCPATH NAME".  Any process can take that name:
# a process in a container that calls itself the monitor of a stopped
# victim, with a chrooted child standing in for the victim's init, must get
# nothing planted for the victim (audit row 37a).  A monitor in the
# daemon's own namespaces, root and euid 0 (a stand-in for LXC's own)
# still names its container's init: the positive control.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools
BB=/bin/busybox
[ -x "$BB" ] || skip_all "needs /bin/busybox (Debian busybox-static)"

LXCPATH="$T/lxc" # only names the monitors: no LXC is run
S="$T/manifests"
mkdir -p "$LXCPATH" "$S/prov" "$S/victim" "$S/good"
cat >"$S/prov/services.json" <<'JSON'
[{"name": "svc", "type": "unix", "socket": "/run/svc.sock"}]
JSON
for c in victim good; do
	cat >"$S/$c/args.json" <<'JSON'
{"PV_SERVICES_REQUIRED": [{"name": "svc", "target": "/run/pv/svc.sock"}]}
JSON
done
SOCK=/run/pv/svc.sock

# jail DIR: a root a chrooted busybox can run in.
jail() { mkdir -p "$1/bin" "$1/run/pv" && cp "$BB" "$1/bin/busybox"; }

# The provider: a container with a pid file, so it counts as running.
container_start prov "$PY" /t/peers/peer.py serve /run/svc.sock --id prov
until_true 5 test -S "/proc/$(cpid prov)/root/run/svc.sock"
cpid prov >"$S/prov/pid"

# The attacker: PID 1 of a container (own pid and mount namespaces, root
# 0 inside) names itself the victim's monitor; its child chroots, as an
# LXC init pivots into its root.
jail "$CT_RW/jail"
container_start attacker bash -c \
	"exec -a '[lxc monitor] $LXCPATH victim' /bin/sh -c 'chroot /data/jail /bin/busybox sleep 100000 & wait'"
child_of() { awk '{ print $1 }' "/proc/$1/task/$1/children" 2>/dev/null; }
apid=$(cpid attacker)
jailed() { c=$(child_of "$apid") && [ -n "$c" ] && [ "$(readlink "/proc/$c/root")" != "$(readlink "/proc/$apid/root")" ] && test -x "/proc/$c/root/bin/busybox"; }
check "the attacker's fake monitor and its chrooted child run" -- until_true 5 jailed
achild=$(child_of "$apid")
[ -n "$achild" ] || { echo "Bail out! the attacker's child did not start"; exit 1; }
check "the fake monitor's cmdline is the victim's monitor name" -- \
	sh -c "tr '\\0' ' ' </proc/$apid/cmdline | grep -q '^\\[lxc monitor\\] $LXCPATH victim '"

# The positive control: a "monitor" on the host (our namespaces and root,
# euid 0) whose child has its own mount namespace and root.
jail "$T/goodjail"
bash -c "exec -a '[lxc monitor] $LXCPATH good' /bin/sh -c 'unshare --mount chroot $T/goodjail /bin/busybox sleep 100000 & wait'" >"$T/good.log" 2>&1 &
gpid=$!
BACKGROUND="$BACKGROUND $gpid"
gjailed() { c=$(child_of "$gpid") && [ -n "$c" ] && [ "$(readlink "/proc/$c/root")" = "$T/goodjail" ]; }
check "the host-side monitor and its chrooted child run" -- until_true 5 gjailed
gchild=$(child_of "$gpid")
BACKGROUND="$BACKGROUND $gchild"

"$PVX" --state "$S" --lxc="$LXCPATH" --control "$T/xc.sock" --interval 0.5 --backoff-max 0.5 \
	>>"$T/daemon.log" 2>&1 &
DPID=$!
ctl_up() { pvxctl links >/dev/null 2>&1; }
until_true 10 ctl_up
good_planted() { test -S "/proc/$gchild/root$SOCK"; }
check "positive control: the host-side monitor's child gets good's link" -- until_true 10 good_planted
pvxctl reconcile >/dev/null 2>&1
pvxctl reconcile >/dev/null 2>&1
check "nothing is planted for the victim into the attacker" -- test ! -e "/proc/$achild/root$SOCK"
check "... nor anywhere in the attacker's jail" -- test ! -e "$CT_RW/jail$SOCK"
pvxctl links --json >"$T/links.json"
check "the daemon has no link for the victim" -- sh -c "! grep -q '\"consumer\": *\"victim\"' '$T/links.json'"
pvxctl graph >"$T/graph.json"
check "the graph has good's link with its init's pid" -- grep -q "\"consumer_pid\": $gchild" "$T/graph.json"
check "the victim waits for it to run" -- grep -q "'svc' of platform 'victim' waits for 'victim' to run" "$T/daemon.log"
check "the daemon still serves" -- pvxctl links
kill -TERM "$DPID"; wait "$DPID"; DPID=

# The build reads manifests (and with --lxc, /proc/<pid>/cmdline) that a
# container can stall; it runs on the graph worker, never on the loop.  A
# state directory with an entry on a FUSE mount that never answers: the
# control socket answers, and SIGTERM still ends the daemon.  (Before, the
# loop hung in the first stat of that entry.)  The mount lives in a mount
# namespace of the daemon's own, so it goes with it.
STALL="$top_builddir/t/peers/fuse-stall"
if [ -x "$STALL" ] && [ -c /dev/fuse ]; then
	S2="$T/manifests2"
	mkdir -p "$S2/prov" "$S2/stuck"
	cp "$S/prov/services.json" "$S/prov/pid" "$S2/prov/"
	unshare --mount --propagation private -- sh -c '
		"$1" "$2/stuck" >"$3/stall.out" 2>&1 &
		echo $! >"$3/stall.pid"
		i=0; until grep -q mounted "$3/stall.out" || [ $i = 100 ]; do sleep 0.05; i=$((i+1)); done
		exec "$4" --state "$2" --control "$3/xc2.sock" --interval 0.5' sh "$STALL" "$S2" "$T" "$PVX" \
		>>"$T/daemon2.log" 2>&1 &
	DPID=$!
	until_true 5 test -s "$T/stall.pid"
	BACKGROUND="$BACKGROUND $(cat "$T/stall.pid")"
	ctl2() { timeout 2 "$PVXCTL" --control "$T/xc2.sock" "$@" >/dev/null 2>&1; }
	if grep -q mounted "$T/stall.out"; then
		check "a manifest entry on a stalled FUSE mount: the control socket answers" -- until_true 10 ctl2 links
		check "... and keeps answering" -- ctl2 graph
		kill -TERM "$DPID"
		gone() { ! kill -0 "$DPID" 2>/dev/null; }
		check "SIGTERM ends the daemon while the build is stalled" -- until_true 10 gone
		kill -9 "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null; DPID=
	else
		skip "cannot mount FUSE here: $(cat "$T/stall.out")"
	fi
else
	skip "t/peers/fuse-stall or /dev/fuse missing: no stalled-manifest case"
fi
done_testing
