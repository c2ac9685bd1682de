#!/bin/bash
# Bash completion (tools/completion/): sourced as bash-completion's loader
# finds it (one file per command in a completions directory), then a few
# completions of pvxctl, pv-xconnect and pvx-graph, link keys from a
# (fake) daemon included.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"

PATH="$top_builddir:$PATH"
unset -f pvxctl # t/lib.sh's, which names its own socket
mkdir -p "$T/share/completions"
cp "$top_srcdir"/tools/completion/* "$T/share/completions/"

# comp WORD...: the completions of the last word, sorted, on one line.
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	local f
	f=$(complete -p "$1" 2>/dev/null | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
	[ -n "$f" ] || { echo "(no completion for $1)"; return; }
	"$f" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
is() { # is GOT WANT DESCRIPTION
	ok $([ "$1" = "$2" ]; echo $?) "$3"
	[ "$1" = "$2" ] || diag "got '$1', want '$2'"
}

if [ -f /usr/share/bash-completion/bash_completion ]; then
	# bash-completion's own loader, from a completions directory laid out
	# as make install lays it out.
	BASH_COMPLETION_USER_DIR="$T/share" . /usr/share/bash-completion/bash_completion
	for c in pvx-graph pv-xconnect pvxctl; do
		BASH_COMPLETION_USER_DIR="$T/share" __load_completion "$c"
		complete -p "$c" >/dev/null 2>&1
		ok $? "bash-completion loads the completion of $c from its own file"
	done
else
	. "$T/share/completions/pvx-graph"
	skip "bash-completion not installed: its loader not tried"
fi
complete -p pvxctl >/dev/null 2>&1 || . "$T/share/completions/pvxctl"

is "$(comp pvxctl re)" "reconcile retry" "pvxctl re<TAB>: reconcile retry"
is "$(comp pvxctl --al)" "--all --allow-empty" "pvxctl --al<TAB>: --all --allow-empty"
is "$(comp pvxctl --json l)" "links" "pvxctl --json l<TAB>: links"
is "$(comp pvxctl links "")" "" "pvxctl links <TAB>: nothing more"
is "$(comp pv-xconnect --state-)" "--state-dir" "pv-xconnect --state-<TAB>: --state-dir"
is "$(comp pv-xconnect --dev)" "--device-json" "pv-xconnect --dev<TAB>: --device-json"
is "$(comp pv-xconnect --log-level "")" "debug error info warn" "pv-xconnect --log-level <TAB>: the levels"
is "$(comp pv-xconnect --metrics-l)" "--metrics-listen" "pv-xconnect --metrics-l<TAB>: --metrics-listen"
is "$(comp pv-xconnect --control-group nogrou)" "nogroup" "pv-xconnect --control-group nogrou<TAB>: the group"
is "$(comp pvx-graph --d)" "--device-json" "pvx-graph --d<TAB>: --device-json"
mkdir -p "$T/states/one"
is "$(comp pvx-graph "$T/sta")" "$T/states" "pvx-graph <TAB>: the state directory"

# Link keys from the daemon named by --control or PVXCTL_SOCKET.
mkdir -p "$T/fake"
cat >"$T/fake/links.json" <<'JSON'
[{"consumer": "app", "name": "db", "target": "/run/db.sock", "type": "unix", "state": "BACKOFF", "since": 0},
 {"consumer": "app", "name": "api", "target": "/run/api.sock", "type": "rest", "state": "ACTIVE", "since": 0},
 {"consumer": "web", "name": "db", "target": "/run/db.sock", "type": "unix", "state": "ACTIVE", "since": 0}]
JSON
"$PY" "$top_srcdir/t/peers/fake-control.py" "$T/fake.sock" "$T/fake" >"$T/fake-control.log" 2>&1 &
BACKGROUND="$BACKGROUND $!"
until_true 5 test -S "$T/fake.sock"
is "$(comp pvxctl --control "$T/fake.sock" retry app/)" "app/api app/db" "pvxctl --control S retry app/<TAB>: the daemon's keys"
is "$(PVXCTL_SOCKET="$T/fake.sock" comp pvxctl wait --link w)" "web/db" "PVXCTL_SOCKET=S pvxctl wait --link w<TAB>: web/db"
is "$(comp pvxctl --control "$T/nope.sock" retry "")" "" "no daemon: no keys, no error"
done_testing
