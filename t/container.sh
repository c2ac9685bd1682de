# Throw-away containers for the tests, made with unshare:
# own mount and pid namespaces, own root under $WORK/<name>/root with the
# host's /usr and /etc read-only, private /run, /tmp and /proc, and two
# shared folders: $CT_RO (read-only, at /t) and $CT_RW (at /data).
# No container runtime needed; PID 1 of each is the given command.
# CT_ETC=DIR container_start ... gives the container DIR as its /etc instead
# (its own passwd and group, say); CT_NET=1 gives it its own (empty)
# network namespace.
#
# Needs: WORK (scratch directory), CT_RO, CT_RW.  Sourced by t/lib.sh.

# until_true SECONDS COMMAND...: retries every 50 ms until it succeeds.
until_true() {
	local deadline=$(( $(date +%s%N) / 1000000 + $(awk -v s="$1" 'BEGIN { printf "%d", s * 1000 }') ))
	shift
	while ! "$@" 2>/dev/null; do
		[ $(( $(date +%s%N) / 1000000 )) -ge $deadline ] && return 1
		sleep 0.05
	done
	return 0
}

root_is() { [ "$(readlink "/proc/$1/root")" = "$2" ]; }
cpid() { cat "$WORK/$1.pid"; }

# container_start NAME COMMAND...: its host pid lands in $WORK/NAME.pid, its
# output in $WORK/NAME.log.  Returns once the container runs in its root.
container_start() {
	local name=$1; shift
	local root="$WORK/$name/root"
	mkdir -p "$root"/usr "$root"/etc "$root"/run "$root"/tmp "$root"/proc "$root"/t "$root"/dev "$root"/data
	for l in bin sbin lib lib64; do [ -L "$root/$l" ] || ln -s "usr/$l" "$root/$l"; done
	: >"$root/dev/null"
	CT_ETC="${CT_ETC:-/etc}" CT_RO="$CT_RO" CT_RW="$CT_RW" unshare --mount --pid ${CT_NET:+--net} --fork --propagation private -- sh -c '
		r=$1; shift
		mount --bind /usr "$r/usr" && mount -o remount,bind,ro "$r/usr"
		mount --bind "$CT_ETC" "$r/etc" && mount -o remount,bind,ro "$r/etc"
		mount --bind "$CT_RO" "$r/t" && mount -o remount,bind,ro "$r/t"
		mount --bind "$CT_RW" "$r/data"
		mount -t tmpfs tmpfs "$r/run"
		mount -t tmpfs tmpfs "$r/tmp"
		mount -t proc proc "$r/proc"
		mount --bind /dev/null "$r/dev/null"
		exec chroot "$r" "$@"' sh "$root" "$@" \
		>"$WORK/$name.log" 2>&1 &
	local upid=$!
	echo "$upid" >"$WORK/$name.unshare"
	local child=""
	for _ in $(seq 250); do
		child=$(awk '{ print $1 }' "/proc/$upid/task/$upid/children" 2>/dev/null)
		[ -n "$child" ] && break
		sleep 0.02
	done
	echo "$child" >"$WORK/$name.pid"
	CONTAINERS="${CONTAINERS:-} $name"
	until_true 5 root_is "$child" "$root"
}

# container_kill NAME: PID 1 of a pid namespace ignores SIGTERM: SIGKILL it.
container_kill() {
	local p u
	p=$(cat "$WORK/$1.pid" 2>/dev/null); u=$(cat "$WORK/$1.unshare" 2>/dev/null)
	if [ -n "$p" ]; then kill -9 "$p" 2>/dev/null || true; fi
	if [ -n "$u" ]; then kill "$u" 2>/dev/null || true; wait "$u" 2>/dev/null || true; fi
	return 0
}

# in_container NAME COMMAND...: runs inside the container's namespaces and root.
in_container() {
	local name=$1; shift
	nsenter --target "$(cpid "$name")" --mount --pid --net --root --wd=/ -- "$@"
}
