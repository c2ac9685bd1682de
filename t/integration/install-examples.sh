#!/bin/bash
# What `make install` gives a new user works: into a scratch DESTDIR, the
# installed examples/mesh runs the unix example with the installed
# pv-xconnect and pvxctl (found in PATH, not beside the docs), and the
# bash completions land in bash-completion's directory.
. "${top_srcdir:-$(dirname "$0")/../..}/t/lib.sh"
require_root_tools
for t in lxc-start lxc-stop lxc-info lxc-ls; do command -v $t >/dev/null || skip_all "needs $t (Debian lxc)"; done
[ -x /bin/busybox ] || skip_all "needs /bin/busybox (Debian busybox-static)"

D="$T/dest"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" install DESTDIR="$D" >"$T/install.log" 2>&1
ok $? "make install DESTDIR=$D"
prefix=$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")
MESH="$D$prefix/share/doc/pv-xconnect/examples/mesh"
check "examples/mesh installed" -- test -x "$MESH"
for c in pvxctl pv-xconnect pvx-graph; do
	check "bash completion for $c installed" -- test -f "$D$prefix/share/bash-completion/completions/$c"
done
check "pvxctl installed" -- test -x "$D$prefix/bin/pvxctl"
check "pv-xconnect installed" -- test -x "$D$prefix/sbin/pv-xconnect"

# Run as a user would: the installed programs in PATH, no build tree.
export PVX_MESH_DIR="$T/mesh"
W="$PVX_MESH_DIR/unix"
run_mesh() { env -u top_builddir -u top_srcdir PATH="$D$prefix/bin:$D$prefix/sbin:/usr/bin:/bin:/usr/sbin:/sbin" "$MESH" "$@"; }
run_mesh up unix >"$T/up.log" 2>&1; st=$?
ok $st "the installed examples/mesh up unix exits 0"
[ $st = 0 ] || sed 's/^/# /' "$T/up.log"
check "... the link ACTIVE" -- grep -q "pv-example-unix-client/raw -> /run/pv/services/raw.sock  *unix  *ACTIVE" "$T/up.log"
dpid=$(cat "$W/pv-xconnect.pid" 2>/dev/null)
check "... with the installed pv-xconnect" -- test "$(readlink "/proc/${dpid:-0}/exe")" = "$D$prefix/sbin/pv-xconnect"
check "the installed examples/mesh down unix" -- run_mesh down unix
check "... nothing left" -- test ! -e "$W"
run_mesh up nosuchexample >"$T/bad.log" 2>&1; st=$?
ok $([ "$st" = 2 ]; echo $?) "an unknown example: exit 2 (exit $st)"
# Without the programs anywhere: said, exit 1.
env -u top_builddir -u top_srcdir PATH=/usr/bin:/bin "$MESH" up unix >"$T/noprog.log" 2>&1; st=$?
if ! PATH=/usr/bin:/bin:/usr/sbin:/sbin type -P pvxctl >/dev/null; then
	ok $([ "$st" = 1 ]; echo $?) "no pvxctl in PATH: exit 1 (exit $st)"
	check "... saying so" -- grep -q "neither in .* nor in PATH" "$T/noprog.log"
else
	skip "a pvxctl is installed system-wide: the missing-program case cannot be shown"
	skip "a pvxctl is installed system-wide"
fi
test ! -e "$W" || run_mesh down unix >/dev/null 2>&1
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top_builddir" uninstall DESTDIR="$D" >>"$T/install.log" 2>&1
ok $? "make uninstall DESTDIR=$D"
check "... leaves no file behind" -- test -z "$(find "$D" -type f)"
done_testing
