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
done_testing
