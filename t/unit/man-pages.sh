#!/bin/bash
# The man pages render without a single groff warning (groff -ww -z), and
# every option of the programs' --help appears in their page.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
command -v groff >/dev/null || skip_all "needs groff (Debian groff-base)"
for m in daemon/pv-xconnect.8 tools/pvxctl.1 tools/pvx-graph.1 parsers/pv-xconnect-graph.5; do
	out=$(groff -ww -z -man "$top_builddir/$m" 2>&1)
	ok $([ -z "$out" ]; echo $?) "groff -ww -z $m: no warnings"
	[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/# /'
done
for p in pv-xconnect:daemon/pv-xconnect.8 pvxctl:tools/pvxctl.1 pvx-graph:tools/pvx-graph.1; do
	prog=${p%%:*} page=${p#*:}
	missing=""
	for opt in $("$top_builddir/$prog" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		grep -q -- "$(echo "$opt" | sed 's/-/\\\\-/g')" "$top_builddir/$page" || missing="$missing $opt"
	done
	ok $([ -z "$missing" ]; echo $?) "$prog: every --help option is in $page${missing:+ (missing:$missing)}"
done
# Rendered as a reader sees them (-Tascii, no overstrike): JSON keeps its
# quotes (a macro argument starting with " loses them).
# One long line per paragraph and single spaces, so a phrase is not cut by
# filling or widened by justification.
render() { groff -man -Tascii -P-cbu -rLL=2000n "$top_builddir/$1" 2>/dev/null | tr -s ' '; }
render parsers/pv-xconnect-graph.5 >"$T/graph5.txt"
check "pv-xconnect-graph(5) renders {\"links\": [...], \"pools\": {...}} with its quotes" -- \
	grep -qF '{"links": [...], "pools": {...}}' "$T/graph5.txt"
check "pv-xconnect-graph(5) renders the run manifest's \"services\" with quotes" -- \
	grep -qF '"services": {"required": [...], "optional": [...]}' "$T/graph5.txt"
check "pv-xconnect(8) renders the /status answer with quotes" -- \
	sh -c "groff -man -Tascii -P-cbu -rLL=2000n '$top_builddir/daemon/pv-xconnect.8' | tr -s ' ' | grep -qF '{\"graph\": \"settled\" | \"pending\"'"
# The SYNOPSIS section of a rendered page.
synopsis() { render "$1" | awk '/^SYNOPSIS/ { on = 1; next } /^[A-Z]/ { on = 0 } on'; }
# Every option of --help is in the synopsis, and every option of the
# synopsis is one --help lists.
for p in pv-xconnect:daemon/pv-xconnect.8 pvxctl:tools/pvxctl.1 pvx-graph:tools/pvx-graph.1; do
	prog=${p%%:*} page=${p#*:}
	"$top_builddir/$prog" --help | grep -o -- '--[a-z][a-z-]*' | sort -u >"$T/help-opts"
	synopsis "$page" | grep -o -- '--[a-z][a-z-]*' | sort -u >"$T/syn-opts"
	missing=$(comm -23 "$T/help-opts" "$T/syn-opts" | tr '\n' ' ')
	extra=$(comm -13 "$T/help-opts" "$T/syn-opts" | tr '\n' ' ')
	ok $([ -z "$missing$extra" ]; echo $?) "$prog: the synopsis of $page lists the options of --help${missing:+ (missing: $missing)}${extra:+ (not in --help: $extra)}"
done
# pvxctl: the commands of --help (the "Commands:" block) in the synopsis.
"$top_builddir/pvxctl" --help | awk '/^Commands:/ { on = 1; next } /^[^ ]/ { on = 0 } on && /^  [a-z]/ { print $1 }' |
	sort -u >"$T/help-cmds"
synopsis tools/pvxctl.1 | tr ' |[]' '\n\n\n\n' | grep -x '[a-z][a-z]*' | sort -u >"$T/syn-words"
missing=$(comm -23 "$T/help-cmds" "$T/syn-words" | tr '\n' ' ')
ok $([ -s "$T/help-cmds" ] && [ -z "$missing" ]; echo $?) "pvxctl: the synopsis lists every command of --help ($(wc -l <"$T/help-cmds") commands)${missing:+ (missing: $missing)}"
done_testing
