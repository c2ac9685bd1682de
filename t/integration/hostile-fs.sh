#!/bin/bash
# Hostile containers against the daemon's filesystem work: a provider that
# swaps its socket for a symlink to a host socket (a host-only service, the
# daemon's own control socket), a link whose provider is its own consumer,
# a consumer that races the DRM node's temporary name with
# renameat2(RENAME_EXCHANGE), a consumer that replaces the planted socket
# before teardown, a non-DRM file at a DRM target, and a provider that
# records what the probe sends.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools

# A host-only service: writes a secret to whoever connects and counts them.
cat >"$T/host-service.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(64)
n = 0
while True:
    c, _ = s.accept()
    n += 1
    open(sys.argv[2], "w").write("%d\n" % n)
    try:
        c.sendall(b"HOST-SECRET\n")
    except OSError:
        pass
    c.close()
PY
# A provider that records, per connection, how many bytes it received.
cat >"$T/data/record.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(64)
while True:
    c, _ = s.accept()
    n = 0
    c.settimeout(5)
    try:
        while True:
            b = c.recv(65536)
            if not b:
                break
            n += len(b)
    except OSError:
        pass
    c.close()
    with open(sys.argv[2], "a") as f:
        f.write("%d\n" % n)
PY
# consume PATH REQUEST: connects from inside the consumer, sends REQUEST,
# prints what comes back within 2 s.
cat >"$T/data/consume.py" <<'PY'
import socket, sys
c = socket.socket(socket.AF_UNIX)
c.settimeout(2)
try:
    c.connect(sys.argv[1])
    c.sendall(sys.argv[2].encode())
    got = b""
    while True:
        b = c.recv(65536)
        if not b:
            break
        got += b
except OSError as e:
    got = b"error: " + str(e).encode()
sys.stdout.write(got.decode("latin-1"))
PY

"$PY" "$T/host-service.py" "$T/host.sock" "$T/host-accepts" &
BACKGROUND="$BACKGROUND $!"
until_true 5 test -S "$T/host.sock"

container_start prov sh -c '
	mkdir -p /run/example /run/dbus
	python3 /t/peers/peer.py serve /run/example/raw.sock --id provider &
	python3 /t/peers/peer.py serve /run/dbus/bus.sock --id bus &
	python3 /t/peers/peer.py serve /run/self.sock --id self &
	python3 /data/record.py /run/record.sock /data/record.log &
	exec sleep 100000'
container_start cons sleep 100000
until_true 5 test -S "/proc/$(cpid prov)/root/run/record.sock"
until_true 5 test -S "/proc/$(cpid prov)/root/run/self.sock"

have_dbus=false
grep -q "define ENABLE_DBUS 1" "$top_builddir/config.h" && have_dbus=true
have_drm=false
grep -q "define ENABLE_DRM 1" "$top_builddir/config.h" && have_drm=true

unixlink() { # unixlink NAME CONSUMER PROVIDER SOCKET TARGET
	printf '{"type": "unix", "name": "%s", "consumer": "%s", "consumer_pid": %s, "provider": "%s",
	  "provider_pid": %s, "socket": "%s", "target": "%s"}' "$1" "$2" "$(cpid "$2")" "$3" "$(cpid "$3")" "$4" "$5"
}
EXTRA=""
graph() {
	{
		echo "[$(unixlink raw cons prov /run/example/raw.sock /run/pv/raw.sock),"
		echo " $(unixlink self prov prov /run/self.sock /run/self.sock),"
		echo " $(unixlink record cons prov /run/record.sock /run/pv/record.sock)"
		$have_dbus && printf ', {"type": "dbus", "name": "bus", "consumer": "cons", "consumer_pid": %s,
		  "provider": "prov", "provider_pid": %s, "role": "root",
		  "socket": "/run/dbus/bus.sock", "target": "/run/pv/bus"}' "$(cpid cons)" "$(cpid prov)"
		echo "$EXTRA]"
	} >"$T/graph.new"
	mv "$T/graph.new" "$T/graph.json"
}
graph
fake_pvctrl_start "$T/graph.json"
daemon_start
st() { link_state "$1" "$2"; }
is_state() { ok $([ "$(st "$1" "$2")" = "$3" ]; echo $?) "$1/$2 is $3 ($(st "$1" "$2"))"; }
active() { [ "$(st "$1" "$2")" = ACTIVE ]; }
until_true 10 active cons raw
is_state cons raw ACTIVE
check "before the swap the consumer reaches the provider" -- \
	in_container cons "$PY" /t/peers/peer.py client /run/pv/raw.sock echo 64

# --- the provider swaps its socket for a symlink to a host socket ----------
swap() { # swap SOCKET TARGET: inside the provider, SOCKET becomes a symlink
	in_container prov sh -c "ln -sfn '$2' '$1.new' && mv -f '$1.new' '$1'"
}
swap /run/example/raw.sock "$T/host.sock"
check "the provider's socket is now a symlink to a host-only socket" -- \
	test -L "/proc/$(cpid prov)/root/run/example/raw.sock"
for i in 1 2 3; do
	in_container cons "$PY" /data/consume.py /run/pv/raw.sock "hello" >"$T/got-host.$i" 2>&1
done
check "the consumer never got the host service's bytes" -- sh -c "! grep -q HOST-SECRET $T/got-host.*"
check "the host-only service was never connected to" -- test ! -e "$T/host-accepts"
pvxctl links >"$T/links.txt"
check "the link says why: the provider socket is a symlink" -- \
	grep -q "cons/raw .*provider socket /run/example/raw.sock is a symlink" "$T/links.txt"

swap /run/example/raw.sock "$T/xc.sock"
in_container cons "$PY" /data/consume.py /run/pv/raw.sock $'GET /links HTTP/1.0\r\n\r\n' >"$T/got-ctl" 2>&1
check "a symlink to the daemon's control socket: no answer from it reaches the consumer" -- \
	sh -c "! grep -q 'HTTP/1' $T/got-ctl"

if $have_dbus; then
	until_true 10 active cons bus
	is_state cons bus ACTIVE
	swap /run/dbus/bus.sock "$T/host.sock"
	in_container cons "$PY" /data/consume.py /run/pv/bus "" >"$T/got-bus" 2>&1
	check "dbus (connect as the role's uid): the host-only socket was never connected to" -- \
		test ! -e "$T/host-accepts"
	check "dbus: the consumer never got the host service's bytes" -- sh -c "! grep -q HOST-SECRET $T/got-bus"
else
	ok 0 "# SKIP built without dbus links"
	ok 0 "# SKIP built without dbus links"
fi

# --- a link whose provider is its own consumer ------------------------------
until_true 10 sh -c "[ -n \"\$(\"$PVXCTL\" --control $T/xc.sock links | grep 'prov/self .*FAILED')\" ]"
is_state prov self FAILED
pvxctl links >"$T/links.txt"
check "the self link is refused with the reason" -- grep -q "prov/self .*a link to itself" "$T/links.txt"
check "the provider's own socket was not replaced: it still answers" -- \
	in_container prov "$PY" /t/peers/peer.py client /run/self.sock echo 64
fds=$(fd_count "$DPID")
ok $([ "$fds" -lt 100 ]; echo $?) "the daemon holds $fds fds (no connect loop)"

# --- the probe sends nothing ---------------------------------------------------
until_true 10 active cons record
check "the probe connected to the recording provider" -- until_true 10 test -s "$T/data/record.log"
check "the probe sent no byte (each probe connection: 0 bytes)" -- \
	sh -c "[ -z \"\$(grep -v '^0\$' $T/data/record.log)\" ]"

# --- only a socket the daemon created is unlinked ------------------------------
# The consumer replaces the planted socket by a socket of its own; when the
# link goes, that socket stays.
in_container cons "$PY" -c '
import os, socket
s = socket.socket(socket.AF_UNIX); s.bind("/run/pv/raw.sock.mine"); os.rename("/run/pv/raw.sock.mine", "/run/pv/raw.sock")'
ino=$(stat -c %i "/proc/$(cpid cons)/root/run/pv/raw.sock")
in_container cons sh -c ': >/run/pv/record.sock.file && mv -f /run/pv/record.sock.file /run/pv/record.sock'
EXTRA=""
{ echo "[$(unixlink self prov prov /run/self.sock /run/self.sock)]"; } >"$T/graph.json"
pvxctl reconcile >/dev/null
gone() { ! pvxctl links | grep -q "cons/raw"; }
until_true 10 gone
check "teardown left the consumer's own socket at the target (same inode)" -- \
	test "$(stat -c %i "/proc/$(cpid cons)/root/run/pv/raw.sock" 2>&1)" = "$ino"
check "teardown left the consumer's own file at the other target" -- \
	test -f "/proc/$(cpid cons)/root/run/pv/record.sock"

# --- DRM -------------------------------------------------------------------------
if $have_drm && awk '$3 == "cgroup" && $4 ~ /(^|,)devices(,|$)/ { f = 1 } END { exit !f }' /proc/self/mounts; then
	G="$WORK/prov/root/dev/dri"
	mkdir -p "$G"
	# setuid and setgid bits on the provider node: what a path-based chmod
	# that follows a symlink would give the host file.
	mknod -m 666 "$G/card0" c 226 0 && chmod 6666 "$G/card0"
	container_start racer sleep 100000
	container_start keep sleep 100000
	mkdir -p "$WORK/keep/root/dev/dri" "$WORK/racer/root/dev/dri"
	echo "not a device" >"$WORK/keep/root/dev/dri/card0"
	mknod -m 600 "$WORK/keep/root/dev/dri/card1" c 226 9
	drmlink() { # drmlink NAME CONSUMER TARGET
		printf '{"type": "drm", "name": "%s", "consumer": "%s", "consumer_pid": %s, "provider": "prov",
		  "provider_pid": %s, "socket": "/dev/dri/card0", "target": "%s"}' "$1" "$2" "$(cpid "$2")" \
			"$(cpid prov)" "$3"
	}
	cat >"$T/graph.json" <<JSON
[$(drmlink nondrm keep /dev/dri/card0), $(drmlink stale keep /dev/dri/card1),
 $(drmlink race racer /dev/dri/card0)]
JSON
	# The host file the racer aims at, and its bait symlink to it.
	echo "host file" >"$T/victim"
	chmod 600 "$T/victim"
	ln -s "$T/victim" "$WORK/racer/root/dev/dri/bait"
	"$top_builddir/t/peers/race-exchange" "$WORK/racer/root/dev/dri" .pvx "bait" >"$T/race.out" 2>&1 &
	RACER=$!
	BACKGROUND="$BACKGROUND $RACER"
	until_true 5 grep -q ready "$T/race.out"
	pvxctl reconcile >/dev/null
	failed() { [ "$(st keep nondrm)" = FAILED ]; }
	until_true 10 failed
	is_state keep nondrm FAILED
	check "a target that is not a DRM node is left as it was" -- \
		test "$(cat "$WORK/keep/root/dev/dri/card0")" = "not a device"
	until_true 10 active keep stale
	check "a DRM node at the target is replaced by the provider's (226:0)" -- \
		test "$(stat -c '%t:%T' "$WORK/keep/root/dev/dri/card1")" = "e2:0"

	# Re-plants: each removal of the provider's node takes the consumer's
	# away, each new one plants it again, while the racer swaps.
	node_there() { [ -c "$WORK/racer/root/dev/dri/card0" ]; }
	node_gone() { [ ! -e "$WORK/racer/root/dev/dri/card0" ]; }
	rounds=0
	for i in $(seq 30); do
		[ "$(stat -c %a "$T/victim")" = 600 ] || break
		until_true 5 node_there || true
		rm -f "$G/card0"
		until_true 5 node_gone || true
		mknod -m 666 "$G/card0" c 226 0 && chmod 6666 "$G/card0"
		rounds=$i
	done
	until_true 5 node_there || true
	kill "$RACER"
	wait "$RACER" 2>/dev/null
	diag "racer: $(tail -1 "$T/race.out"), $rounds re-plants"
	check "the racer saw the daemon's temporary names" -- grep -q "names=[1-9]" "$T/race.out"
	check "the host file's mode is unchanged after $rounds raced re-plants (600)" -- \
		test "$(stat -c %a "$T/victim")" = 600
	check "whatever is at the target is not a symlink" -- test ! -L "$WORK/racer/root/dev/dri/card0"
	container_kill racer
	check "drm: the consumer's exit is logged with its pid, not 0" -- \
		until_true 10 grep -q "racer/race -> /dev/dri/card0: consumer pid $(cpid racer) exited" "$T/daemon.log"
else
	for i in 1 2 3 4 5 6 7; do ok 0 "# SKIP needs drm links and the cgroup v1 devices controller"; done
fi

kill "$DPID"
wait "$DPID" 2>/dev/null
DPID=""
done_testing
