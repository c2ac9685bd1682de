#include "config.h"

#include <errno.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <linux/openat2.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#endif
#include <unistd.h>

#include "lib/ns.h"
#include "lib/util.h"

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

int pvx_ns_open_root_why(pid_t pid, const char *who, char *why, size_t n)
{
	int fd = pvx_ns_open_root(pid);
	if (fd == -ESRCH)
		snprintf(why, n, "%s pid %d is not running", who, (int)pid);
	else if (fd < 0)
		snprintf(why, n, "%s pid %d: %s", who, (int)pid, strerror(-fd));
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

bool pvx_ns_no_openat2;

/* Resolves path under dirfd as if dirfd were "/", without openat2: one
 * component at a time with O_NOFOLLOW, symlinks read and expanded by us
 * (absolute ones restart at dirfd), ".." taken from our own stack of
 * directory fds and never above dirfd.  The kernel never follows a link we
 * did not look at, so a container swapping a directory for a symlink while
 * we walk gains nothing. */
#define MAX_DEPTH 64
#define MAX_LINKS 40
static int resolve_in_root(int rootfd, const char *path)
{
	char todo[PATH_MAX * 2];
	int stack[MAX_DEPTH];
	int depth = 0, links = 0, err = 0;

	if (snprintf(todo, sizeof(todo), "%s", path) >= (int)sizeof(todo))
		return -ENAMETOOLONG;
	stack[0] = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (stack[0] < 0)
		return -errno;

	char *rest = todo;
	while (*rest) {
		while (*rest == '/')
			rest++;
		if (!*rest)
			break;
		char *end = strchrnul(rest, '/');
		char comp[NAME_MAX + 1];
		size_t n = (size_t)(end - rest);
		if (n > NAME_MAX) {
			err = -ENAMETOOLONG;
			break;
		}
		memcpy(comp, rest, n);
		comp[n] = '\0';
		rest = end;

		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (depth > 0)
				close(stack[depth--]);
			continue;
		}
		int fd = openat(stack[depth], comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			err = -errno;
			break;
		}
		struct stat st;
		if (fstat(fd, &st) < 0) {
			err = -errno;
			close(fd);
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t tl = readlinkat(fd, "", target, sizeof(target) - 1);
			close(fd);
			if (tl < 0) {
				err = -errno;
				break;
			}
			target[tl] = '\0';
			if (++links > MAX_LINKS) {
				err = -ELOOP;
				break;
			}
			/* The link's target replaces the component, in front of
			 * what is left of the path. */
			char next[sizeof(todo)];
			if (snprintf(next, sizeof(next), "%s/%s", target, rest) >= (int)sizeof(next)) {
				err = -ENAMETOOLONG;
				break;
			}
			memcpy(todo, next, strlen(next) + 1);
			rest = todo;
			if (target[0] == '/')
				while (depth > 0)
					close(stack[depth--]);
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			err = -ENOTDIR;
			close(fd);
			break;
		}
		if (depth + 1 >= MAX_DEPTH) {
			err = -ENAMETOOLONG;
			close(fd);
			break;
		}
		stack[++depth] = fd;
	}
	int result = err ? err : stack[depth];
	for (int i = err ? depth : depth - 1; i >= 0; i--)
		close(stack[i]);
	return result;
}

static int openat2_dir(int dirfd, const char *path)
{
	if (!pvx_ns_no_openat2) {
		struct open_how how = {
			.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			.resolve = RESOLVE_FLAGS,
		};
		long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno != ENOSYS)
			return -errno;
		pvx_ns_no_openat2 = true; /* kernel older than 5.6 */
	}
	return resolve_in_root(dirfd, path);
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

int pvx_ns_listen(int dirfd, const char *name, int backlog, uint64_t *dev, uint64_t *ino)
{
	int r = pvx_ns_is_socket(dirfd, name);
	if (r == 0)
		return -EEXIST; /* something else lives there: never replace it */

	/* Bound and listening under a temporary name first, then renamed into
	 * place: the path never exists without a listener behind it, so a
	 * client that sees it can connect. */
	static _Atomic unsigned counter; /* workers plant at the same time */
	char tmp[32];
	snprintf(tmp, sizeof(tmp), ".pvx%d.%u", (int)getpid(), counter++);
	unlinkat(dirfd, tmp, 0);
	struct sockaddr_un sa;
	fd_path(dirfd, tmp, &sa);

	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* The umask decides the mode bind() gives the socket file; setting it
	 * around bind avoids a chmod by path, which a container could race
	 * with a symlink.  Each worker thread has a umask of its own
	 * (lib/worker.c unshares CLONE_FS). */
	mode_t old = umask(0111);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0)
		return -errno;
	if (listen(fd, backlog) < 0 || renameat(dirfd, tmp, dirfd, name) < 0) {
		int e = -errno;
		unlinkat(dirfd, tmp, 0);
		return e;
	}
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		*dev = (uint64_t)st.st_dev;
		*ino = (uint64_t)st.st_ino;
	}
	int ret = fd;
	fd = -1;
	return ret;
}

int pvx_ns_open_socket(int dirfd, const char *name, uint64_t *dev, uint64_t *ino)
{
	/* dirfd was resolved inside the container's root and name is one
	 * component: with O_NOFOLLOW nothing the container links is followed,
	 * and the fd names this inode whatever the path becomes later. */
	int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	int e = fstat(fd, &st) < 0	  ? -errno
		: S_ISSOCK(st.st_mode) ? 0
		: S_ISLNK(st.st_mode)  ? -ELOOP /* a symlink: never followed */
				       : -ENOTSOCK;
	if (e < 0) {
		close(fd);
		return e;
	}
	if (dev)
		*dev = (uint64_t)st.st_dev;
	if (ino)
		*ino = (uint64_t)st.st_ino;
	return fd;
}

int pvx_ns_connect(int sockfd)
{
	/* /proc/self/fd/<n> of an O_PATH fd leads to the inode it holds, not
	 * to a path in anyone's root: we reach the socket we resolved. */
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d", sockfd);
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

/* pvx_ns_connect_as runs the connect in a task that shares our memory and
 * fd table and has credentials of its own (clone with CLONE_VM |
 * CLONE_FILES | CLONE_VFORK, the way posix_spawn starts a child): no pages
 * are copied, as fork would, and the socket lands in our fd table.  The
 * calling thread is suspended until it exits, so the task's stack can be
 * a buffer in the caller's frame (one per thread: workers connect at the
 * same time). */
struct connect_as {
	int sockfd;
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	int ngroups;
	int result; /* fd or -errno, written by the task */
};

/* The task: raw system calls only (glibc's set*id wrappers would try to
 * change every thread of a process this task does not belong to). */
static int connect_as_task(void *arg)
{
	struct connect_as *c = arg;
	if (syscall(SYS_setgroups, (size_t)c->ngroups, c->groups) < 0 ||
	    syscall(SYS_setresgid, c->gid, c->gid, c->gid) < 0 ||
	    syscall(SYS_setresuid, c->uid, c->uid, c->uid) < 0)
		c->result = -errno;
	else
		c->result = pvx_ns_connect(c->sockfd);
	_exit(0); /* exit_group of its own thread group: only this task */
}

int pvx_ns_connect_as(int sockfd, uid_t uid, gid_t gid, const gid_t *groups, int ngroups)
{
	struct connect_as c = { .sockfd = sockfd, .uid = uid, .gid = gid,
				.groups = groups, .ngroups = ngroups, .result = -EIO };
	char connect_as_stack[32 * 1024] __attribute__((aligned(16)));
	/* No signal handler may run in the task, on our memory. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int saved_errno = errno;
	pid_t pid = clone(connect_as_task, connect_as_stack + sizeof(connect_as_stack),
			  CLONE_VM | CLONE_FILES | CLONE_VFORK | SIGCHLD, &c);
	int e = pid < 0 ? -errno : 0;
	errno = saved_errno; /* the task wrote our errno: it shares our TLS */
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
#ifdef __SANITIZE_ADDRESS__
	/* The task left its frames' redzones poisoned on its stack. */
	__asan_unpoison_memory_region(connect_as_stack, sizeof(connect_as_stack));
#endif
	return e < 0 ? e : c.result;
}

int pvx_ns_unlink_socket(int dirfd, const char *name, uint64_t dev, uint64_t ino)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISSOCK(st.st_mode) || (uint64_t)st.st_ino != ino || (uint64_t)st.st_dev != dev)
		return -ESTALE; /* not ours any more: leave it */
	if (unlinkat(dirfd, name, 0) < 0)
		return -errno;
	return 0;
}

bool pvx_ns_shares_our_root(pid_t pid)
{
	char path[32];
	struct stat ours, theirs;
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	if (stat("/", &ours) < 0 || stat(path, &theirs) < 0)
		return false;
	return ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino;
}

int pvx_pidfd_open(pid_t pid)
{
	long fd = syscall(SYS_pidfd_open, pid, 0);
	return fd < 0 ? -errno : (int)fd;
}
