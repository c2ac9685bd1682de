#!/bin/bash
# pvx-graph against fixture state directories: t/fixtures/statedirs/<case>/ holds the
# containers, `args` (extra options), and the expected `stdout`, `stderr` and
# `exit`.  PVX_REGEN=1 rewrites the expectations (review the diff).
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
G="$top_builddir/pvx-graph"

for d in "$top_srcdir"/t/fixtures/statedirs/*/; do
	name=$(basename "$d")
	args=$(cat "$d/args" 2>/dev/null)
	# shellcheck disable=SC2086
	"$G" $args "$d" >"$T/out" 2>"$T/err"
	st=$?
	sed -i "s|${d%/}|STATEDIR|g" "$T/err"
	if [ -n "${PVX_REGEN:-}" ]; then
		cp "$T/out" "$d/stdout"; cp "$T/err" "$d/stderr"; echo "$st" >"$d/exit"
		# never a comparison with what was just written
		skip "statedir $name: regenerated"
		continue
	fi
	good=0
	cmp -s "$T/out" "$d/stdout" || good=1
	cmp -s "$T/err" "$d/stderr" || good=1
	[ "$st" = "$(cat "$d/exit")" ] || good=1
	ok $good "statedir $name: exit $st, graph and messages as expected"
	[ $good = 0 ] || { diff "$d/stdout" "$T/out" | sed 's/^/# /'; diff "$d/stderr" "$T/err" | sed 's/^/# /'; }
done

"$G" --pid oops "$top_srcdir/t/fixtures/statedirs/seed-examples" >/dev/null 2>&1
ok $([ $? = 2 ]; echo $?) "bad --pid: usage error"
"$G" /nonexistent >/dev/null 2>"$T/err"
ok $([ $? = 1 ] && grep -q "cannot read /nonexistent" "$T/err"; echo $?) "unreadable state dir: exit 1 with the reason"
done_testing
