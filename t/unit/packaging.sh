#!/bin/bash
# The Debian package's description names every link type the daemon knows
# (model/spec.c pvx_link_type_names).
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
types=$(sed -n 's/^[[:space:]]*\[LINK_[A-Z]*\] = "\([a-z]*\)",$/\1/p' "$top_srcdir/model/spec.c")
ok $([ -n "$types" ]; echo $?) "link types read from model/spec.c: $(echo $types)"
desc=$(sed -n '/^Description:/,/^$/p' "$top_srcdir/debian/control")
for t in $types; do
	printf '%s\n' "$desc" | grep -qw -- "$t"
	ok $? "debian/control's description names the $t link type"
done
done_testing
