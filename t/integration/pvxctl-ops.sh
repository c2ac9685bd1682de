#!/bin/bash
# pvxctl as a script uses it: wait (no links is not ready, a FAILED link
# ends it at once saying why, --link KEY), retry (a BACKOFF link planted at
# once, clear errors for the others), PVXCTL_SOCKET, --dot (escaped labels,
# valid Graphviz, an error for commands without a drawing, one FSM edge per
# state pair) and aligned ipam columns.  Host-side links (no consumer pid)
# and a fake control socket for names the daemon would refuse.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools

write_graph() { cat >"$T/graph.json.new"; mv "$T/graph.json.new" "$T/graph.json"; }
# rc COMMAND...: its exit status, printed (stdout and stderr to $T/out.txt)
rc() { "$@" >"$T/out.txt" 2>&1; echo $?; }

# --- zero links
write_graph <<<'[]'
"$PVX" --graph "$T/graph.json" --control "$T/xc.sock" --state-dir "$T/state" --interval 60 \
	--backoff-max 3600 >"$T/daemon.log" 2>&1 &
DPID=$!
until_true 5 test -S "$T/xc.sock"
st=$(rc pvxctl wait --timeout 0.5)
ok $([ "$st" = 1 ]; echo $?) "wait: a graph without links is not ready (exit $st)"
check "... saying so" -- grep -q 'no links after 0.5 s' "$T/out.txt"
check "wait --allow-empty: a graph without links is ready" -- pvxctl wait --allow-empty --timeout 5

# --- a FAILED link ends wait at once, saying which and why
write_graph <<JSON
[{"type": "unix", "name": "ok", "consumer": "hostapp", "socket": "$T/p.sock", "target": "$T/planted/ok.sock"},
 {"type": "unix", "name": "rel", "consumer": "hostapp", "socket": "$T/p.sock", "target": "run/x.sock"}]
JSON
"$PY" "$PEER" serve "$T/p.sock" --id host >"$T/provider.log" 2>&1 &
BACKGROUND="$BACKGROUND $!"
until_true 5 test -S "$T/p.sock"
until_true 10 sh -c "\"$PVXCTL\" --control $T/xc.sock links | grep -q 'hostapp/rel.*FAILED'"
st=$(rc timeout 20 "$PVXCTL" --control "$T/xc.sock" wait --timeout 60)
ok $([ "$st" = 1 ]; echo $?) "wait: a FAILED link: exit 1 at once, not after the timeout (exit $st)"
check "... naming the link and its last error" -- \
	grep -q "hostapp/rel -> run/x.sock: FAILED: target 'run/x.sock': path is not absolute" "$T/out.txt"
check "wait --link on an ACTIVE link" -- pvxctl wait --link hostapp/ok --timeout 10
check "wait --link with the whole key" -- pvxctl wait --link "hostapp/ok -> $T/planted/ok.sock" --timeout 10
st=$(rc timeout 20 "$PVXCTL" --control "$T/xc.sock" wait --link hostapp/rel --timeout 60)
ok $([ "$st" = 1 ]; echo $?) "wait --link on a FAILED link: exit 1 at once (exit $st)"
check "... saying why" -- grep -q "path is not absolute" "$T/out.txt"
st=$(rc timeout 20 "$PVXCTL" --control "$T/xc.sock" wait --link hostapp/nope --timeout 60)
ok $([ "$st" = 1 ]; echo $?) "wait --link on an unknown link: exit 1 at once (exit $st)"
check "... saying so" -- grep -q "link 'hostapp/nope': no such link" "$T/out.txt"

# --- retry: a BACKOFF link whose next retry is far away is planted at once
write_graph <<JSON
[{"type": "unix", "name": "ok", "consumer": "hostapp", "socket": "$T/p.sock", "target": "$T/planted/ok.sock"},
 {"type": "unix", "name": "late", "consumer": "hostapp", "socket": "$T/late.sock", "target": "$T/planted/late.sock"}]
JSON
# The backoff doubles from 0.25 s (cap 3600 s here): after six retries the
# next one is 16 s away.
check "a link without its provider retries in BACKOFF" -- until_true 30 sh -c "[ \$(grep -c 'hostapp/late .*BACKOFF -> PENDING (retry-timer)' $T/daemon.log) -ge 6 ]"
until_true 5 sh -c "\"$PVXCTL\" --control $T/xc.sock links | grep -q 'hostapp/late.*BACKOFF'"
"$PY" "$PEER" serve "$T/late.sock" --id late >"$T/late.log" 2>&1 &
BACKGROUND="$BACKGROUND $!"
until_true 5 test -S "$T/late.sock"
st=$(rc pvxctl wait --link hostapp/late --timeout 1)
ok $([ "$st" = 1 ]; echo $?) "without retry, the link stays in BACKOFF (exit $st)"
st=$(rc pvxctl retry hostapp/late)
ok $st "retry KEY: a BACKOFF link (exit $st)"
check "... says which" -- grep -q "retried hostapp/late -> $T/planted/late.sock" "$T/out.txt"
check "... is ACTIVE well before its timer (wait 5 s)" -- pvxctl wait --link hostapp/late --timeout 5
check "... through the table's own retry event" -- \
	grep -q "hostapp/late .*retry asked by the operator" "$T/daemon.log"
check "... a round trip through it" -- "$PY" "$PEER" client "$T/planted/late.sock" who late
st=$(rc pvxctl retry hostapp/ok)
ok $([ "$st" = 1 ]; echo $?) "retry of an ACTIVE link: exit 1 (exit $st)"
check "... saying it is ACTIVE and only BACKOFF links are retried" -- \
	grep -q "retry: link 'hostapp/ok -> $T/planted/ok.sock' is ACTIVE: only a BACKOFF link can be retried" "$T/out.txt"
st=$(rc pvxctl retry nobody/nothing)
ok $([ "$st" = 1 ]; echo $?) "retry of an unknown link: exit 1 (exit $st)"
check "... saying so" -- grep -q "retry: link 'nobody/nothing': no such link" "$T/out.txt"
st=$(rc pvxctl retry)
ok $([ "$st" = 2 ]; echo $?) "retry without a key or --all: usage error (exit $st)"
check "retry --all with nothing in BACKOFF" -- sh -c "\"$PVXCTL\" --control $T/xc.sock retry --all | grep -q 'no link in BACKOFF'"

# --- PVXCTL_SOCKET: option > environment > default
check "PVXCTL_SOCKET names the socket" -- env PVXCTL_SOCKET="$T/xc.sock" "$PVXCTL" links
st=$(rc env PVXCTL_SOCKET="$T/nope.sock" "$PVXCTL" links)
ok $([ "$st" = 1 ]; echo $?) "... and is used (a missing one fails: exit $st)"
check "... saying which socket" -- grep -q "$T/nope.sock" "$T/out.txt"
check "--control wins over PVXCTL_SOCKET" -- env PVXCTL_SOCKET="$T/nope.sock" "$PVXCTL" --control "$T/xc.sock" links

# --- --dot
for cmd in ipam graph metrics wait reconcile; do
	st=$(rc pvxctl --dot $cmd)
	ok $([ "$st" = 2 ] && grep -q "'$cmd' has no drawing" "$T/out.txt"; echo $?) "--dot $cmd: exit 2, no drawing (exit $st)"
done
pvxctl fsm --dot >"$T/fsm.dot"
pvxctl fsm --json | "$PY" -c '
import json, sys
t = json.load(sys.stdin)["transitions"]
print(len({(r["from"], r["to"]) for r in t}))' >"$T/pairs.txt"
ok $([ "$(grep -c -- ' -> ' "$T/fsm.dot")" = "$(cat "$T/pairs.txt")" ]; echo $?) \
	"fsm --dot: one edge per state pair ($(grep -c -- ' -> ' "$T/fsm.dot") edges, $(cat "$T/pairs.txt") pairs)"
check "... the labels merged (BACKOFF -> PENDING lists retry-timer and spec-changed)" -- \
	grep -q '"BACKOFF" -> "PENDING" \[label=".*spec-changed.*retry-timer' "$T/fsm.dot"
if command -v dot >/dev/null; then
	check "... valid Graphviz (dot -Tsvg)" -- dot -Tsvg -o "$T/fsm.svg" "$T/fsm.dot"
	pvxctl links --dot >"$T/links.dot"
	check "links --dot: valid Graphviz (dot -Tsvg)" -- dot -Tsvg -o "$T/links.svg" "$T/links.dot"
else
	skip "dot -Tsvg: graphviz not installed"
	skip "dot -Tsvg: graphviz not installed"
fi
kill -TERM "$DPID"; wait "$DPID"; DPID=

# --- names the daemon would refuse, long names: a fake control socket
mkdir -p "$T/fake"
cat >"$T/fake/links.json" <<'JSON'
[{"consumer": "a\"b\\c", "name": "n\"1\\", "target": "/t", "provider": "p\"q\\", "type": "unix",
  "state": "ACTIVE", "since": 0, "last_error": null},
 {"consumer": "plain", "name": "x", "target": "/t2", "provider": "\\", "type": "unix",
  "state": "FAILED", "since": 0, "last_error": "e"}]
JSON
cat >"$T/fake/ipam.json" <<'JSON'
{"pools": [{"name": "a-very-long-pool-name-for-the-lab-network", "subnet": "10.1.0.0/16",
            "gateway": "10.1.0.1", "bridge": "pvx-lab0", "nat": true, "used": 1, "free": 65532},
           {"name": "p", "subnet": "10.2.0.0/24", "gateway": "10.2.0.1", "bridge": "br",
            "nat": false, "used": 12, "free": 241}],
 "leases": [{"container": "a-container-with-a-rather-long-name", "pool": "p", "ip": "10.2.0.2",
             "mac": "02:00:00:00:00:02", "kind": "static", "since": 0},
            {"container": "c", "pool": "a-very-long-pool-name-for-the-lab-network", "ip": "10.1.0.2",
             "mac": "02:00:00:00:00:03", "kind": "dynamic", "since": 0}],
 "events": {"queued": 0, "sent": 3, "dropped": 0}}
JSON
"$PY" "$top_srcdir/t/peers/fake-control.py" "$T/fake.sock" "$T/fake" >"$T/fake-control.log" 2>&1 &
BACKGROUND="$BACKGROUND $!"
until_true 5 test -S "$T/fake.sock"
"$PVXCTL" --control "$T/fake.sock" links --dot >"$T/hostile.dot"
check "links --dot: a quote and a backslash in names are escaped" -- \
	grep -qF '"p\"q\\" -> "a\"b\\c" [label="n\"1\\ (unix)\nACTIVE"' "$T/hostile.dot"
if command -v dot >/dev/null; then
	check "... and the drawing is valid Graphviz (dot -Tsvg)" -- dot -Tsvg -o "$T/hostile.svg" "$T/hostile.dot"
	check "... the names survive in the drawing" -- grep -qF 'a&quot;b\c' "$T/hostile.svg"
else
	skip "dot -Tsvg: graphviz not installed"
	skip "dot -Tsvg: graphviz not installed"
fi
"$PVXCTL" --control "$T/fake.sock" ipam >"$T/ipam.txt"
# Every column starts at the same offset on every line of a table: the
# header's words give the offsets.
aligned() { # aligned FIRST-LINE LAST-LINE COLUMNS (the left-aligned ones)
	awk -v a="$1" -v b="$2" -v n="$3" 'NR == a { for (i = 1; i <= n; i++) start[i] = index($0, $i) }
		NR > a && NR <= b { for (i = 2; i <= n; i++) if (substr($0, start[i] - 2, 2) != "  " || substr($0, start[i], 1) == " ") bad = 1 }
		END { exit bad }' "$T/ipam.txt"
}
check "ipam: pool columns aligned with long names" -- aligned 1 3 5
check "ipam: lease columns aligned with long names" -- aligned 5 7 5
sed 's/^/# /' "$T/ipam.txt"
done_testing
