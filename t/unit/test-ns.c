/* Path resolution inside a container root: the user-space fallback (for
 * kernels without openat2) must agree with openat2(RESOLVE_IN_ROOT) on every
 * path, and neither may ever leave the root. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/ns.h"
#include "t/tap.h"

static char base[] = "/tmp/pvx-ns-XXXXXX";

static void mk(const char *kind, const char *path, const char *target)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/root/%s", base, path);
	if (kind[0] == 'd')
		mkdir(p, 0755);
	else if (kind[0] == 'f')
		close(open(p, O_CREAT | O_WRONLY, 0644));
	else if (symlink(target, p) < 0)
		perror("symlink");
}

/* Resolves "<path>/x" (the parent of x) with open_parent. */
static int resolve(int rootfd, const char *path, struct stat *st)
{
	char full[512];
	snprintf(full, sizeof(full), "%s%sx", path, path[strlen(path) - 1] == '/' ? "" : "/");
	const char *name;
	int fd = pvx_ns_open_parent(rootfd, full, false, &name);
	if (fd >= 0) {
		fstat(fd, st);
		close(fd);
	}
	return fd < 0 ? fd : 0;
}

/* A non-blocking listening unix socket at path. */
static int listen_at(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0)
		perror(path);
	return fd;
}

int main(void)
{
	if (!mkdtemp(base))
		return 99;
	char p[512];
	snprintf(p, sizeof(p), "%s/root", base);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/outside", base);
	mkdir(p, 0755);

	mk("d", "a", NULL);
	mk("d", "a/b", NULL);
	mk("d", "a/b/c", NULL);
	mk("d", "etc", NULL);
	mk("f", "file", NULL);
	mk("l", "abs", "/a/b");
	mk("l", "rel", "a/b");
	mk("l", "up", "../../../..");
	mk("l", "a/b/back", "../..");
	mk("l", "a/b/abs-up", "/../../a");
	mk("l", "loop1", "loop2");
	mk("l", "loop2", "loop1");
	mk("l", "toetc", "/etc");
	mk("l", "tofile", "file");
	mk("l", "chain", "abs/back/rel");
	snprintf(p, sizeof(p), "%s/outside", base);
	mk("l", "host", p);

	static const char *const paths[] = {
		"/a", "/a/b", "/a/b/c", "/abs", "/abs/c", "/rel/c", "/up", "/up/a", "/a/b/back/a",
		"/a/b/abs-up", "/loop1", "/file", "/tofile", "/toetc", "/host", "/chain",
		"/chain/c", "/a/../../..", "/abs/../b", "/missing", "/a/missing", "/a/./b//c/",
		"/",
	};
	snprintf(p, sizeof(p), "%s/root", base);
	int rootfd = open(p, O_PATH | O_DIRECTORY);
	struct stat root_st, outside_st;
	fstat(rootfd, &root_st);
	snprintf(p, sizeof(p), "%s/outside", base);
	stat(p, &outside_st);

	struct stat st;
	pvx_ns_no_openat2 = false;
	int have_openat2 = resolve(rootfd, "/", &st) == 0 && !pvx_ns_no_openat2;
	if (!have_openat2)
		tap_diag("no openat2 on this kernel: checking the fallback on its own");

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct stat a = {0}, b = {0};
		pvx_ns_no_openat2 = false;
		int ra = have_openat2 ? resolve(rootfd, paths[i], &a) : 0;
		pvx_ns_no_openat2 = true;
		int rb = resolve(rootfd, paths[i], &b);
		bool escaped = rb == 0 && b.st_ino == outside_st.st_ino && b.st_dev == outside_st.st_dev;
		if (have_openat2)
			ok(ra == rb && (ra < 0 || (a.st_ino == b.st_ino && a.st_dev == b.st_dev)) && !escaped,
			   "%s: openat2 %s, fallback %s", paths[i], ra ? strerror(-ra) : "ok",
			   rb ? strerror(-rb) : "ok");
		else
			ok(!escaped, "%s: fallback %s", paths[i], rb ? strerror(-rb) : "ok");
	}
	pvx_ns_no_openat2 = true;
	ok(resolve(rootfd, "/up", &st) == 0 && st.st_ino == root_st.st_ino,
	   "'..' never climbs above the root");
	ok(resolve(rootfd, "/host", &st) == -ENOENT, "an absolute link to a host path stays inside");
	ok(resolve(rootfd, "/loop1", &st) == -ELOOP, "symlink loops end with ELOOP");

	/* Creating missing directories through a symlink stays inside too. */
	mk("l", "mkhost", p); /* p is the host "outside" path */
	const char *name;
	int fd = pvx_ns_open_parent(rootfd, "/mkhost/sub/x.sock", true, &name);
	snprintf(p, sizeof(p), "%s/outside/sub", base);
	ok(access(p, F_OK) != 0, "mkdir through a link to a host path creates nothing on the host");
	if (fd >= 0)
		close(fd);

	/* The provider socket: held by its inode, a symlink never followed. */
	snprintf(p, sizeof(p), "%s/outside/host.sock", base);
	int host = listen_at(p);
	snprintf(p, sizeof(p), "%s/root/a/prov.sock", base);
	int prov = listen_at(p);
	mk("l", "a/host-link.sock", p); /* any path: never followed */
	int adir = openat(rootfd, "a", O_PATH | O_DIRECTORY);
	uint64_t dev = 0, ino = 0;
	int sock = pvx_ns_open_socket(adir, "prov.sock", &dev, &ino);
	struct stat pst;
	stat(p, &pst);
	ok(sock >= 0 && ino == (uint64_t)pst.st_ino, "a socket resolves to an O_PATH fd of its inode");
	ok(pvx_ns_open_socket(adir, "host-link.sock", NULL, NULL) == -ELOOP, "a symlink is refused (ELOOP)");
	mk("f", "a/plain", NULL);
	ok(pvx_ns_open_socket(adir, "plain", NULL, NULL) == -ENOTSOCK, "a regular file is refused (ENOTSOCK)");
	/* The path now names a symlink to the host socket; the fd still
	 * names the provider's socket, and the connect reaches that one. */
	char hp[512];
	snprintf(hp, sizeof(hp), "%s/outside/host.sock", base);
	unlink(p);
	if (symlink(hp, p) < 0)
		perror("symlink");
	int c = sock >= 0 ? pvx_ns_connect(sock) : -EBADF;
	int a = accept4(prov, NULL, NULL, SOCK_NONBLOCK);
	int h = accept4(host, NULL, NULL, SOCK_NONBLOCK);
	ok(c >= 0 && a >= 0 && h < 0, "connect through the fd reaches the socket resolved, not the swapped path");
	for (int *f = (int[]){ c, a, h, sock, adir, prov, host, -2 }; *f != -2; f++)
		if (*f >= 0)
			close(*f);
	close(rootfd);

	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	if (system(cmd) != 0)
		return 99;
	return tap_done();
}
