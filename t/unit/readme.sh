#!/bin/sh
# The README's complete example graph is a graph the daemon accepts:
# pvxctl check reads it with the daemon's own reader, every link usable,
# no warning (an unknown or misspelt key would be one).
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
t=$(mktemp /tmp/pvx-readme.XXXXXX) || exit 1
trap 'rm -f "$t"' EXIT
awk '/^### The graph/ { g = 1 } g && /^```json$/ { on = 1; next } on && /^```$/ { exit } on' \
	"$top_srcdir/README.md" >"$t"
echo "1..2"
if [ -s "$t" ]; then echo "ok 1 - the README has an example graph"; else echo "not ok 1 - the README has an example graph"; fi
out=$("$top_builddir/pvxctl" check "$t" 2>&1); st=$?
if [ $st = 0 ] && printf '%s\n' "$out" | grep -q ': 4 links$'; then
	echo "ok 2 - pvxctl check accepts it: 4 links, no error or warning"
else
	echo "not ok 2 - pvxctl check accepts it (exit $st)"
	printf '%s\n' "$out" | sed 's/^/# /'
fi
