#!/bin/bash
# A system daemon's conventions: sd_notify readiness and STATUS= over
# $NOTIFY_SOCKET (a path and an abstract name), journal priorities when
# $JOURNAL_STREAM is stderr, --control-group, --control refusing a missing
# directory, and the sample unit (Type=notify, pvxctl's socket).
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools
NOTIFY_PEER="$top_srcdir/t/peers/notify-listen.py"
CT_PEER="/t/${PEER#"$top_srcdir"/t/}"
UNIT="$top_srcdir/examples/packaging/pv-xconnect.service"

notify_start() { # notify_start ADDRESS OUT
	"$PY" "$NOTIFY_PEER" "$1" "$2" >>"$T/notify-peer.log" 2>&1 &
	BACKGROUND="$BACKGROUND $!"
	until_true 5 test -e "$2.ready"
}
has() { grep -q -- "$2" "$1" 2>/dev/null; }
answers() { "$PVXCTL" --control "$1" links >/dev/null; }

container_start server "$PY" "$CT_PEER" serve /run/example/raw.sock --id first
container_start client sleep 100000
until_true 5 test -S "/proc/$(cpid server)/root/run/example/raw.sock"
cat >"$T/graph.json" <<JSON
[{"type": "unix", "name": "raw", "consumer": "client", "consumer_pid": $(cpid client),
  "provider": "server", "provider_pid": $(cpid server),
  "socket": "/run/example/raw.sock", "target": "/run/pv/services/raw.sock"}]
JSON

# 1. Readiness and STATUS= to a socket path, journal priorities on stderr.
notify_start "$T/notify.sock" "$T/notify.out"
: >"$T/journal.log"
NOTIFY_SOCKET="$T/notify.sock" JOURNAL_STREAM="$(stat -c %d:%i "$T/journal.log")" \
	"$PVX" --graph "$T/graph.json" --control "$T/xc.sock" --interval 0.5 --backoff-max 0.5 \
	2>>"$T/journal.log" &
DPID=$!
until_true 10 has "$T/notify.out" READY=1
ok $? "READY=1 sent to \$NOTIFY_SOCKET"
check "READY=1 comes from the daemon's pid" -- grep -q "^pid=$DPID | READY=1" "$T/notify.out"
check "READY=1 once the first graph is applied (its STATUS= counts the link)" -- \
	grep -q 'READY=1 | STATUS=1 link: ' "$T/notify.out"
check "pvxctl wait: ACTIVE" -- pvxctl wait --timeout 10
until_true 10 has "$T/notify.out" 'STATUS=1 link: 1 ACTIVE$'
ok $? "STATUS= says 1 link: 1 ACTIVE"
container_kill server
until_true 10 has "$T/notify.out" 'STATUS=1 link: 1 INJECTED$'
ok $? "STATUS= follows the change (1 INJECTED once the provider is gone)"
check "READY=1 sent once" -- test "$(grep -c READY=1 "$T/notify.out")" = 1
check "journal: info lines carry <6> and no timestamp" -- grep -q '^<6>info: pv-xconnect .*control socket' "$T/journal.log"
check "journal: a warning carries <4>" -- grep -q '^<4>warn: link client/raw' "$T/journal.log"
check "journal: every line starts with a priority" -- sh -c "! grep -v '^<[3-7]>' '$T/journal.log'"
check "journal: no timestamps" -- sh -c "! grep -q '^<[3-7]>.*20[0-9][0-9]-[01][0-9]-[0-3][0-9]T' '$T/journal.log'"
kill "$DPID"; wait "$DPID"
ok $? "SIGTERM: exit 0"
check "STOPPING=1 on the way out" -- grep -q 'STOPPING=1' "$T/notify.out"
DPID=

# 2. An abstract NOTIFY_SOCKET; JOURNAL_STREAM naming another file is no
# journal (a redirection inherited from a systemd service).
echo '[]' >"$T/empty.json"
notify_start "@pvx-notify-$$" "$T/notify2.out"
: >"$T/other"
NOTIFY_SOCKET="@pvx-notify-$$" JOURNAL_STREAM="$(stat -c %d:%i "$T/other")" \
	"$PVX" --graph "$T/empty.json" --control "$T/xc2.sock" 2>"$T/plain.log" &
DPID=$!
until_true 10 has "$T/notify2.out" READY=1
ok $? "abstract @name: READY=1 received"
check "STATUS= with no links" -- grep -q 'READY=1 | STATUS=0 links$' "$T/notify2.out"
check "JOURNAL_STREAM of another file: timestamps kept, no priority" -- \
	grep -q '^20[0-9-]*T[0-9:.]*Z pv-xconnect info: ' "$T/plain.log"
check "JOURNAL_STREAM of another file: no <N> prefix" -- sh -c "! grep -q '^<' '$T/plain.log'"
kill "$DPID"; wait "$DPID"; DPID=

# 3. --control-group: mode 0660 and the group; a member uses pvxctl.
"$PVX" --graph "$T/empty.json" --control "$T/g.sock" --control-group nogroup 2>"$T/group.log" &
DPID=$!
until_true 10 answers "$T/g.sock"
check "--control-group: socket mode 0660" -- test "$(stat -c %a "$T/g.sock")" = 660
check "--control-group: socket group nogroup" -- test "$(stat -c %G "$T/g.sock")" = nogroup
check "a member of the group (not root) can use pvxctl" -- \
	setpriv --reuid 65534 --regid 65534 --clear-groups "$PVXCTL" --control "$T/g.sock" links
kill "$DPID"; wait "$DPID"; DPID=
"$PVX" --graph "$T/empty.json" --control "$T/n.sock" 2>"$T/nogroup.log" &
DPID=$!
until_true 10 answers "$T/n.sock"
check "without it: socket mode 0600" -- test "$(stat -c %a "$T/n.sock")" = 600
check "without it: the same user is refused" -- sh -c "! setpriv --reuid 65534 --regid 65534 --clear-groups \"$PVXCTL\" --control $T/n.sock links"
kill "$DPID"; wait "$DPID"; DPID=
timeout 10 "$PVX" --graph "$T/empty.json" --control "$T/x.sock" --control-group no-such-group-$$ 2>"$T/badgroup.log"
ok $([ $? = 2 ]; echo $?) "--control-group with an unknown group: exit 2"
check "... and says so" -- grep -q "no group 'no-such-group-$$'" "$T/badgroup.log"

# 4. --control in a missing directory: refused, nothing created.
timeout 10 "$PVX" --graph "$T/empty.json" --control "$T/missing/dir/x.sock" 2>"$T/missing.log"
ok $([ $? = 1 ]; echo $?) "--control in a missing directory: exit 1"
check "... with a clear message" -- grep -q "control socket $T/missing/dir/x.sock: its directory does not exist" "$T/missing.log"
check "... and the directory is not created" -- test ! -e "$T/missing"

# 5. The sample unit: Type=notify, and its socket is pvxctl's default.
check "sample unit: Type=notify" -- grep -qx 'Type=notify' "$UNIT"
# pvxctl's default: the first socket path its --help names (after --control).
default_sock=$(env -u PVXCTL_SOCKET "$PVXCTL" --help | sed -n '/--control/,$p' | grep -o '/[^ )]*\.sock' | head -1)
check "pvxctl's default socket ($default_sock) is pv-xconnect's" -- sh -c "\"$PVX\" --help | grep -q -- '(default $default_sock)'"
check "sample unit: no other --control than the default" -- sh -c "! grep -q -- '--control ' '$UNIT' || grep -q -- '--control $default_sock' '$UNIT'"
check "sample unit: RuntimeDirectory makes the socket's directory ($(dirname "$default_sock"))" -- \
	grep -qx -e "RuntimeDirectory=$(dirname "${default_sock#/run/}")" "$UNIT"
if command -v systemd-analyze >/dev/null; then
	sed "s|/usr/sbin/pv-xconnect|$PVX|" "$UNIT" >"$T/pv-xconnect.service"
	check "systemd-analyze verify: the unit is clean" -- \
		sh -c "out=\$(systemd-analyze verify --man=no '$T/pv-xconnect.service' 2>&1) && [ -z \"\$out\" ] || { echo \"\$out\"; exit 1; }"
else
	skip "systemd-analyze verify: not installed"
fi

done_testing
