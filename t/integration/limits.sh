#!/bin/bash
# The daemon at its fd limit: accept pauses instead of spinning and recovers;
# fds the kernel could not hand over (MSG_CTRUNC) end that session only;
# the fd reserve keeps the control socket answering while a consumer holds
# every connection it can.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools
command -v prlimit >/dev/null || skip_all "needs prlimit"

"$PY" "$PEER" serve "$T/provider.sock" --id p >"$T/provider.log" 2>&1 &
BACKGROUND="$BACKGROUND $!"
until_true 5 test -S "$T/provider.sock"
cat >"$T/graph.json" <<JSON
[{"type": "unix", "name": "a", "consumer": "host", "socket": "$T/provider.sock", "target": "$T/a.sock"},
 {"type": "unix", "name": "b", "consumer": "host", "socket": "$T/provider.sock", "target": "$T/b.sock"}]
JSON
# --fd-reserve 0: the accept pause is what stands behind the reserve.
"$PVX" --graph "$T/graph.json" --control "$T/xc.sock" --interval 60 --fd-reserve 0 >"$T/daemon.log" 2>&1 &
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

# The same flood with the default reserve of 64 fds: the relay refuses
# what would eat into it (counted), and the control socket has fds left
# for several clients at once.
"$PVX" --graph "$T/graph.json" --control "$T/xc.sock" --interval 60 >"$T/daemon2.log" 2>&1 &
DPID=$!
until_true 5 test -S "$T/xc.sock"
check "links ACTIVE (default fd reserve)" -- pvxctl wait --timeout 10
base=$(fd_count "$DPID")
limit=$((base + 64 + 20))
prlimit --pid "$DPID" --nofile=$limit:
diag "daemon uses $base fds, limit set to $limit"
"$PY" "$PEER" client "$T/a.sock" hold 60 30 >"$T/hold2.log" 2>&1 &
HOLD=$!
refused() { pvxctl links --json | "$PY" -c '
import json, sys
print(sum(l["connections"]["refused"] for l in json.load(sys.stdin)))'; }
some_refused() { [ "$(refused)" -gt 0 ]; }
check "fd reserve: connections that would use it are refused and counted" -- until_true 10 some_refused
check "fd reserve: the refusal says why" -- grep -q "fd-reserve" "$T/daemon2.log"
# (connects in flight hold a few fds on a worker for a moment: counted once
# they have landed)
reserve_left() { [ "$(fd_count "$DPID")" -le $((limit - 60)) ]; }
until_true 5 reserve_left
ok $? "fd reserve: the relay left 60 fds free ($(fd_count "$DPID") of $limit in use)"
many_ctl() { local p="" st=0; for i in 1 2 3 4 5 6 7 8; do pvxctl links >/dev/null & p="$p $!"; done
	for i in $p; do wait "$i" || st=1; done; return $st; }
check "fd reserve: 8 pvxctl at once all answered while the consumer holds its connections" -- many_ctl
kill "$HOLD"; wait "$HOLD" 2>/dev/null
kill -TERM "$DPID"; wait "$DPID"; st=$?; DPID=
ok $st "SIGTERM: exit 0"
done_testing
