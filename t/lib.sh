# Shared helpers for the integration tests: TAP output, containers
# (t/container.sh), the fake pv-ctrl and the daemon.
#
# Every test makes its own scratch directory and cleans up after itself,
# also when it fails.

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
PY=/usr/bin/python3
PEER="$top_srcdir/t/peers/peer.py"
FAKE_PVCTRL="$top_srcdir/t/peers/fake-pvctrl.py"
PVX="$top_builddir/pv-xconnect"
PVXCTL="$top_builddir/pvxctl"

tap_n=0
tap_failed=0
ok() { # ok COND-EXIT-STATUS DESCRIPTION
	local st=$1; shift
	tap_n=$((tap_n + 1))
	if [ "$st" -eq 0 ]; then echo "ok $tap_n - $*"; else echo "not ok $tap_n - $*"; tap_failed=$((tap_failed + 1)); fi
}
check() { # check DESCRIPTION -- COMMAND...: ok when COMMAND succeeds
	local desc=$1; shift; [ "$1" = "--" ] && shift
	local out
	out=$("$@" 2>&1); local st=$?
	ok $st "$desc"
	[ $st -eq 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
	return $st
}
diag() { echo "# $*"; }
skip_all() { echo "1..0 # SKIP $*"; exit 77; }
# skip REASON: one check that could not run here, counted apart, never as
# a pass.
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $*"; }
# Sanitizer reports from the daemon under test land in its log, not in
# ours: every test ends by looking for them (builds with -fsanitize=...).
sanitizer_check() {
	local hits
	hits=$(grep -l -E "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" "$T"/*.log 2>/dev/null)
	ok $([ -z "$hits" ]; echo $?) "no sanitizer reports in the logs of this test"
	[ -z "$hits" ] || grep -h -A20 -E "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" $hits | sed 's/^/# /' | head -60
}
done_testing() { sanitizer_check; echo "1..$tap_n"; [ $tap_failed -eq 0 ]; }

require_root_tools() {
	[ "$(id -u)" = 0 ] || skip_all "needs root (namespaces, /proc/<pid>/root)"
	for t in unshare nsenter "$PY"; do
		command -v "$t" >/dev/null || skip_all "needs $t"
	done
	unshare --mount --pid --fork true 2>/dev/null || skip_all "cannot create namespaces here"
}

T=$(mktemp -d /tmp/pvx-test.XXXXXX)
chmod 755 "$T"
WORK=$T
CT_RO="$top_srcdir/t"
CT_RW="$T/data"
mkdir -p "$CT_RW"
. "$top_srcdir/t/container.sh"
CONTAINERS=""
BACKGROUND=""

cleanup() {
	# PVX_KEEP=1: leave the scratch directory for a post-mortem.
	if [ -n "${PVX_KEEP:-}" ]; then
		cp -a "$T" "$T.kept" 2>/dev/null && echo "# scratch kept in $T.kept" >&2
	fi
	for pid in $BACKGROUND; do kill "$pid" 2>/dev/null; done
	for c in $CONTAINERS; do container_kill "$c"; done
	# cgroups a test made, removable once their processes are gone
	for d in ${RMDIRS:-}; do rmdir "$d" 2>/dev/null; done
	[ -n "${DPID:-}" ] && kill -9 "$DPID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

fake_pvctrl_start() { # fake_pvctrl_start GRAPH [OPTIONS]
	"$PY" "$FAKE_PVCTRL" "$T/pv-ctrl" "$@" >"$T/fake-pvctrl.log" 2>&1 &
	FAKE_PID=$!
	BACKGROUND="$BACKGROUND $FAKE_PID"
	until_true 5 test -S "$T/pv-ctrl"
}

daemon_start() { # daemon_start [OPTIONS]
	"$PVX" --ctrl "$T/pv-ctrl" --control "$T/xc.sock" --interval 0.5 --backoff-max 0.5 "$@" \
		>>"$T/daemon.log" 2>&1 &
	DPID=$!
	# The socket file may be a stale one (after SIGKILL): wait for answers.
	ctl_up() { "$PVXCTL" --control "$T/xc.sock" links >/dev/null 2>&1; }
	until_true 10 ctl_up
}

pvxctl() { "$PVXCTL" --control "$T/xc.sock" "$@"; }

# polls_pass N: waits until the daemon has started N more graph fetches
# (read from its metrics), so "logged once" checks span several polls.
fetches() { pvxctl metrics | awk '$1 == "pvx_graph_fetches_total" { print $2 }'; }
polls_pass() {
	local target=$(( $(fetches) + $1 ))
	fetches_reached() { [ "$(fetches)" -ge "$target" ]; }
	until_true 30 fetches_reached
}

fd_count() { ls "/proc/$1/fd" | wc -l; }

link_state() { # link_state CONSUMER NAME: the link's state from the daemon
	pvxctl links --json | "$PY" -c '
import json, sys
for l in json.load(sys.stdin):
    if l["consumer"] == sys.argv[1] and l["name"] == sys.argv[2]:
        print(l["state"])' "$1" "$2"
}
# in_state CONSUMER NAME STATE: true if the link is in STATE now.  A link
# that retries goes BACKOFF -> PENDING (its plant on a worker) -> BACKOFF,
# so a check for BACKOFF waits for it: until_true 5 in_state c n BACKOFF.
in_state() { [ "$(link_state "$1" "$2")" = "$3" ]; }

# compositor_start COMMAND...: a "compositor" container running COMMAND
# (its socket at /run/wayland/wayland-0) and an "app" container to run
# clients in; waits for the socket.  weston_start: headless weston with
# --debug, so its privileged globals (weston_screenshooter,
# weston_debug_v1) exist.
compositor_start() {
	container_start compositor "$@"
	container_start app sleep 100000
	until_true 10 test -S "/proc/$(cpid compositor)/root/run/wayland/wayland-0"
}
weston_start() {
	compositor_start sh -c 'mkdir -p /run/wayland && chmod 700 /run/wayland &&
	XDG_RUNTIME_DIR=/run/wayland exec weston --backend=headless-backend.so --use-pixman \
		--socket=wayland-0 --idle-time=0 --debug --width=640 --height=480'
}
# wayland_mesh "NAME TARGET [GLOBALS]"...: wayland links from app to the
# compositor's socket, one per argument, served by the fake pv-ctrl and a
# daemon; checks them ACTIVE.
wayland_mesh() {
	local e name target globals sep=""
	{
		printf '['
		for e in "$@"; do
			read -r name target globals <<<"$e"
			printf '%s{"type": "wayland", "name": "%s", "consumer": "app", "consumer_pid": %s,\n  "provider": "compositor", "provider_pid": %s,%s\n  "socket": "/run/wayland/wayland-0", "target": "%s"}' \
				"$sep" "$name" "$(cpid app)" "$(cpid compositor)" "${globals:+ \"globals\": \"$globals\",}" "$target"
			sep=$',\n '
		done
		printf ']\n'
	} >"$T/graph.json"
	fake_pvctrl_start "$T/graph.json"
	daemon_start
	check "wayland links ACTIVE" -- pvxctl wait --timeout 10
}
