#!/bin/bash
# The daemon at its fd limit: accept pauses instead of spinning and recovers;
# fds the kernel could not hand over (MSG_CTRUNC) end that session only.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
require_root_tools
command -v prlimit >/dev/null || skip_all "needs prlimit"

"$PY" "$PEER" serve "$T/provider.sock" --id p >"$T/provider.log" 2>&1 &
BACKGROUND="$BACKGROUND $!"
until_true 5 test -S "$T/provider.sock"
cat >"$T/graph.json" <<JSON
[{"type": "unix", "name": "a", "consumer": "host", "socket": "$T/provider.sock", "target": "$T/a.sock"},
 {"type": "unix", "name": "b", "consumer": "host", "socket": "$T/provider.sock", "target": "$T/b.sock"}]
JSON
"$PVX" --graph "$T/graph.json" --control "$T/xc.sock" --interval 60 >"$T/daemon.log" 2>&1 &
DPID=$!
until_true 5 test -S "$T/xc.sock"
check "links ACTIVE" -- pvxctl wait --timeout 10

base=$(fd_count "$DPID")
limit=$((base + 40))
prlimit --pid "$DPID" --nofile=$limit:
diag "daemon uses $base fds, limit set to $limit"

# 60 idle connections need 120 fds: the listener runs out and must pause.
"$PY" "$PEER" client "$T/a.sock" hold 60 4 >"$T/hold.log" 2>&1 &
HOLD=$!
until_true 5 grep -q "accept paused" "$T/daemon.log"
ok $? "EMFILE on accept: listener paused (logged)"
cpu0=$(awk '{ print $14 + $15 }' "/proc/$DPID/stat")
sleep 1
cpu1=$(awk '{ print $14 + $15 }' "/proc/$DPID/stat")
ok $([ $((cpu1 - cpu0)) -le 20 ]; echo $?) "no busy loop at the fd limit ($((cpu1 - cpu0)) ticks of CPU in 1 s)"
check "the control socket still answers at the fd limit" -- pvxctl links
wait "$HOLD"
fd_ok() { [ "$(fd_count "$DPID")" -le $((base + 2)) ]; }
check "fds released when the clients leave" -- until_true 10 fd_ok
check "after the storm: link a serves again" -- "$PY" "$PEER" client "$T/a.sock" who p
check "link b kept serving" -- "$PY" "$PEER" client "$T/b.sock" who p

# 30 fds in one message while only a few fds are free: the kernel truncates
# (MSG_CTRUNC); the stream must not arrive without them.
prlimit --pid "$DPID" --nofile=$((base + 12)):
check "fds lost in transit: the session is closed, not delivered without them" -- \
	"$PY" "$PEER" client "$T/a.sock" manyfds 30
check "MSG_CTRUNC logged on the link" -- grep -q "file descriptors lost in transit" "$T/daemon.log"
check "an fd shortage is never taken for a provider failure" -- sh -c "! grep -q provider-down '$T/daemon.log'"
prlimit --pid "$DPID" --nofile=1024:
check "the link still works afterwards" -- "$PY" "$PEER" client "$T/a.sock" who p
check "fd count back to baseline" -- until_true 5 fd_ok

kill -TERM "$DPID"; wait "$DPID"; st=$?; DPID=
ok $st "SIGTERM: exit 0"
done_testing
