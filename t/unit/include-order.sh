#!/bin/sh
# Includes point one way (DESIGN.md section 7, STYLE.md point 12): each
# top-level source folder may include only itself and the folders listed
# before it, so no two folders form a cycle.  A folder of C sources that is
# not in the list fails too: a new layer has to be placed on purpose.
#
# Usage: t/unit/include-order.sh [SOURCE_ROOT]  (TAP; default $top_srcdir)
root=${1:-${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}}
LAYERS="lib model parsers policy pvctrl ipam fsm relay plugins sources daemon tools"

rank() { # rank FOLDER: its position in LAYERS, or nothing
	i=0
	for l in $LAYERS; do
		i=$((i + 1))
		[ "$l" = "$1" ] && { echo $i; return; }
	done
}

n=0 failed=0
# Every folder holding C sources, t/ (the tests sit above everything),
# examples/ and generated build trees aside.
folders=$(cd "$root" && find . -mindepth 2 -maxdepth 2 \( -name '*.c' -o -name '*.h' -o -name '*.rl' \) |
	cut -d/ -f2 | sort -u | grep -v -x -e t -e examples -e debian -e build-aux -e m4 -e '_.*' -e 'pv-xconnect-*')
for f in $folders; do
	n=$((n + 1))
	me=$(rank "$f")
	if [ -z "$me" ]; then
		echo "not ok $n - $f/ is not a known layer (add it to LAYERS in t/unit/include-order.sh)"
		failed=$((failed + 1)); continue
	fi
	bad=""
	for src in "$root/$f"/*.c "$root/$f"/*.h "$root/$f"/*.rl; do
		[ -f "$src" ] || continue
		# A generated .c keeps its .rl's includes: check the .rl only.
		case $src in *.c) [ -f "${src%.c}.rl" ] && continue ;; esac
		for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"/]*\)\/[^"]*".*/\1/p' "$src"); do
			to=$(rank "$inc")
			if [ -z "$to" ] || [ "$to" -gt "$me" ]; then
				bad="$bad ${src#"$root"/}->$inc"
			fi
		done
	done
	if [ -z "$bad" ]; then
		echo "ok $n - $f/ includes only itself and the layers below it"
	else
		echo "not ok $n - $f/ includes upward:$bad"
		failed=$((failed + 1))
	fi
done

# Calls point the same way: a symbol an object uses is defined in its own
# folder or below.  A lower header may declare what only a higher folder
# defines (fsm/plugin.h once declared the plugin table that fsm/link.c
# called and plugins/registry.c defined); the built objects show it.
build=${top_builddir:-$root}
if command -v nm >/dev/null && [ -f "$build/fsm/link.o" ]; then
	n=$((n + 1))
	bad=$(for f in $folders; do
		me=$(rank "$f")
		[ -n "$me" ] || continue
		for o in "$build/$f"/*.o; do
			[ -f "$o" ] || continue
			nm -g --defined-only "$o" | awk -v r="$me" -v o="$f/${o##*/}" 'NF == 3 { print "D", $3, r, o }'
			nm -g -u "$o" | awk -v r="$me" -v o="$f/${o##*/}" '{ print "U", $NF, r, o }'
		done
	done | awk '$1 == "D" { rank[$2] = $3; where[$2] = $4; next }
		{ use[NR] = $0 }
		END { for (i in use) { split(use[i], u, " ");
			if ((u[2] in rank) && rank[u[2]] + 0 > u[3] + 0)
				printf " %s->%s(%s)", u[4], where[u[2]], u[2] } }')
	if [ -z "$bad" ]; then
		echo "ok $n - every object calls only its own folder and the layers below it"
	else
		echo "not ok $n - calls upward:$bad"
		failed=$((failed + 1))
	fi
fi
echo "1..$n"
[ $failed -eq 0 ]
