#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <linux/openat2.h>
#include <unistd.h>

#include "daemon/ns.h"
#include "daemon/util.h"

#define RESOLVE_FLAGS (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

int pvx_ns_open_root(pid_t pid)
{
	char path[32];
	if (pid == 0)
		snprintf(path, sizeof(path), "/");
	else
		snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	return fd;
}

/* Longest "/proc/self/fd/<fd>/" prefix we put before a name. */
#define FD_PREFIX_MAX 32

const char *pvx_path_problem(const char *path)
{
	struct sockaddr_un sa;
	if (!path || path[0] != '/')
		return "path is not absolute";
	if (strlen(path) >= sizeof(sa.sun_path))
		return "path is too long for a socket address";
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		const char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p);
		if ((n == 2 && p[0] == '.' && p[1] == '.') || (n == 1 && p[0] == '.'))
			return "path contains '.' or '..'";
		if (n > NAME_MAX)
			return "path component too long";
		p = e;
	}
	const char *last = strrchr(path, '/') + 1;
	if (!*last)
		return "path names a directory";
	if (strlen(last) + FD_PREFIX_MAX >= sizeof(sa.sun_path))
		return "last path component too long";
	return NULL;
}

static int openat2_dir(int dirfd, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_FLAGS,
	};
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

int pvx_ns_open_parent(int rootfd, const char *path, bool create, const char **name)
{
	if (pvx_path_problem(path))
		return -EINVAL;
	const char *last = strrchr(path, '/');
	*name = last + 1;

	char dir[PATH_MAX];
	size_t dlen = (size_t)(last - path);
	memcpy(dir, path, dlen);
	dir[dlen] = '\0';
	if (dlen == 0)
		return openat2_dir(rootfd, ".");

	int fd = openat2_dir(rootfd, dir);
	if (fd >= 0 || fd != -ENOENT || !create)
		return fd;

	/* Create the missing components one at a time.  Each prefix is
	 * resolved from the container's root again, so a symlink met on the
	 * way is followed the way the container itself would follow it. */
	int parent = openat2_dir(rootfd, ".");
	if (parent < 0)
		return parent;
	char prefix[PATH_MAX] = "";
	size_t plen = 0;
	char *save = NULL;
	for (char *comp = strtok_r(dir, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		if (mkdirat(parent, comp, 0755) < 0 && errno != EEXIST) {
			int e = -errno;
			close(parent);
			return e;
		}
		plen += (size_t)snprintf(prefix + plen, sizeof(prefix) - plen, "/%s", comp);
		int next = openat2_dir(rootfd, prefix);
		close(parent);
		if (next < 0)
			return next;
		parent = next;
	}
	return parent;
}

static void fd_path(int dirfd, const char *name, struct sockaddr_un *sa)
{
	*sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
	snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", dirfd, name);
}

int pvx_ns_is_socket(int dirfd, const char *name)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return S_ISSOCK(st.st_mode) ? 1 : 0;
}

int pvx_ns_listen(int dirfd, const char *name, int backlog, uint64_t *ino)
{
	struct sockaddr_un sa;
	fd_path(dirfd, name, &sa);

	int r = pvx_ns_is_socket(dirfd, name);
	if (r == 0)
		return -EEXIST; /* something else lives there: never replace it */
	if (r == 1 && unlinkat(dirfd, name, 0) < 0)
		return -errno;

	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* The umask decides the mode bind() gives the socket file; setting it
	 * around bind (we are single-threaded) avoids a chmod by path, which a
	 * container could race with a symlink. */
	mode_t old = umask(0111);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0)
		return -errno;
	if (listen(fd, backlog) < 0)
		return -errno;
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		*ino = (uint64_t)st.st_ino;
	int ret = fd;
	fd = -1;
	return ret;
}

int pvx_ns_connect(int dirfd, const char *name)
{
	struct sockaddr_un sa;
	fd_path(dirfd, name, &sa);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

int pvx_ns_unlink_socket(int dirfd, const char *name, uint64_t ino)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISSOCK(st.st_mode) || (ino && (uint64_t)st.st_ino != ino))
		return -ESTALE; /* not ours any more: leave it */
	if (unlinkat(dirfd, name, 0) < 0)
		return -errno;
	return 0;
}

int pvx_pidfd_open(pid_t pid)
{
	long fd = syscall(SYS_pidfd_open, pid, 0);
	return fd < 0 ? -errno : (int)fd;
}
