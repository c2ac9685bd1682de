/* Planting and serving a link's listening socket.  The socket is created
 * inside the consumer's mount namespace through /proc/<pid>/root (see
 * lib/ns.h); connections are accepted in batches and each is relayed to
 * a fresh non-blocking connection to the provider. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "lib/log.h"
#include "lib/ns.h"
#include "lib/util.h"
#include "fsm/plugin.h"
#include "relay/relay.h"
#include "plugins/stream.h"

#define ACCEPT_BATCH 64
#define LISTEN_BACKLOG 256
/* After EMFILE/ENFILE on accept the listener rests this long instead of
 * spinning on a connection it cannot take. */
#define ACCEPT_PAUSE 0.1

/* Out of fds or memory: our shortage, not a sign of the provider. */
static bool resource_error(int err)
{
	return err == -EMFILE || err == -ENFILE || err == -ENOBUFS || err == -ENOMEM;
}

/* The provider's socket, resolved afresh inside its root for each
 * connection (a provider may recreate it; keeping it open would cost an fd
 * per link): an O_PATH fd of the socket inode itself, never a path that is
 * looked up again when we connect.  A symlink in its place is refused, so a
 * provider cannot point us at a socket of the host.  -errno on failure. */
static int provider_socket(struct pvx_link *l, uint64_t *dev, uint64_t *ino)
{
	_cleanup_close_ int root = pvx_ns_open_root(l->spec.provider_pid);
	if (root < 0) {
		if (root == -ESRCH)
			link_error(l, 0, "provider pid %d is not running", (int)l->spec.provider_pid);
		else
			link_error(l, root, "provider pid %d", (int)l->spec.provider_pid);
		return root;
	}
	const char *name;
	_cleanup_close_ int dir = pvx_ns_open_parent(root, l->spec.socket, false, &name);
	if (dir < 0) {
		link_error(l, dir, "provider socket %s", l->spec.socket);
		return dir;
	}
	int fd = pvx_ns_open_socket(dir, name, dev, ino);
	if (fd == -ELOOP)
		link_error(l, 0, "provider socket %s is a symlink: not followed", l->spec.socket);
	else if (fd < 0)
		link_error(l, fd, "provider socket %s", l->spec.socket);
	return fd;
}

/* A non-blocking connection to the provider, or -errno.  A session's goes
 * through the plugin (dbus connects as the mapped uid); a probe only asks
 * whether the provider listens, so it connects as ourselves. */
static int provider_connect(struct pvx_link *l, bool session)
{
	uint64_t dev = 0, ino = 0;
	_cleanup_close_ int sock = provider_socket(l, &dev, &ino);
	if (sock < 0)
		return sock;
	if (l->listen_fd >= 0 && dev == l->plant_dev && ino == l->plant_ino) {
		/* Our own listener: each connection would make another one. */
		link_error(l, 0, "provider socket %s is this link's own target socket", l->spec.socket);
		return -ELOOP;
	}
	int fd = session && l->plugin->connect ? l->plugin->connect(l, sock) : pvx_ns_connect(sock);
	if (fd < 0 && fd != -EAGAIN && !resource_error(fd))
		link_error(l, fd, "provider socket %s", l->spec.socket);
	return fd;
}

static void pause_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pvx_link *l = w->data;
	if (l->listen_fd >= 0)
		ev_io_start(loop, &l->accept_watcher);
}

/* Stops accepting for ACCEPT_PAUSE: the pending connections wait in the
 * backlog until fds are free again. */
static void pause_accepting(struct pvx_link *l, int err)
{
	link_error(l, err, "accept paused");
	ev_io_stop(pvx_loop, &l->accept_watcher);
	ev_timer_set(&l->accept_pause, ACCEPT_PAUSE, 0.);
	ev_timer_start(pvx_loop, &l->accept_pause);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct pvx_link *l = w->data;

	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int c = accept4(l->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (resource_error(-errno))
				pause_accepting(l, -errno);
			return;
		}
		if (!relay_admit(l, c)) {
			/* Over a cap: this connection alone is refused. */
			close(c);
			continue;
		}
		int p = provider_connect(l, true);
		if (resource_error(p)) {
			close(c);
			pause_accepting(l, p);
			return;
		}
		if (p == -EAGAIN) {
			/* The provider's backlog is full: it is alive but busy.
			 * Refusing this one connection is the honest answer. */
			link_error(l, p, "provider busy, connection refused");
			close(c);
			continue;
		}
		if (p < 0) {
			close(c);
			link_fire(l, EV_PROVIDER_DOWN);
			if (l->listen_fd < 0)
				return;
			continue;
		}
		if (relay_start(l, c, p, l->plugin->filter) < 0) {
			link_error(l, -ENOMEM, "relay session");
			continue;
		}
		if (l->state != LS_ACTIVE)
			link_fire(l, EV_PROVIDER_UP);
		if (l->listen_fd < 0)
			return;
	}
}

int stream_plant(struct pvx_link *l)
{
	const char *why = pvx_path_problem(l->spec.target);
	if (why) {
		link_error(l, 0, "target '%s': %s", l->spec.target, why);
		return PVX_REFUSED;
	}
	why = pvx_path_problem(l->spec.socket);
	if (why) {
		link_error(l, 0, "socket '%s': %s", l->spec.socket, why);
		return PVX_REFUSED;
	}

	_cleanup_close_ int root = pvx_ns_open_root(l->spec.consumer_pid);
	if (root < 0) {
		if (root == -ESRCH)
			link_error(l, 0, "consumer pid %d is not running", (int)l->spec.consumer_pid);
		else
			link_error(l, root, "consumer pid %d", (int)l->spec.consumer_pid);
		return root;
	}

	/* A missing provider socket is a retryable failure, not a reason to
	 * plant a socket that cannot work yet. */
	uint64_t pdev = 0, pino = 0;
	_cleanup_close_ int psock = provider_socket(l, &pdev, &pino);
	if (psock < 0)
		return psock;

	const char *name;
	_cleanup_close_ int dirfd = pvx_ns_open_parent(root, l->spec.target, true, &name);
	if (dirfd < 0) {
		link_error(l, dirfd, "target directory of %s in consumer", l->spec.target);
		return dirfd;
	}
	/* The provider socket is the target itself (same container and path,
	 * or a link to it): planting would replace the provider by our
	 * listener, and every connection would connect to ourselves. */
	struct stat tst;
	if (fstatat(dirfd, name, &tst, AT_SYMLINK_NOFOLLOW) == 0 && (uint64_t)tst.st_dev == pdev &&
	    (uint64_t)tst.st_ino == pino) {
		link_error(l, 0, "provider socket %s is the link's own target %s: a link to itself",
			   l->spec.socket, l->spec.target);
		return PVX_REFUSED;
	}
	uint64_t dev = 0, ino = 0;
	int fd = pvx_ns_listen(dirfd, name, LISTEN_BACKLOG, &dev, &ino);
	if (fd < 0) {
		link_error(l, fd, "cannot listen at %s in consumer", l->spec.target);
		return fd == -EEXIST ? PVX_REFUSED : fd;
	}
	l->planted_target = strdup(l->spec.target);
	if (!l->planted_target) {
		pvx_ns_unlink_socket(dirfd, name, dev, ino);
		close(fd);
		return -ENOMEM;
	}
	l->listen_fd = fd;
	l->plant_dev = dev;
	l->plant_ino = ino;
	l->planted_pid = l->spec.consumer_pid;
	ev_io_init(&l->accept_watcher, accept_cb, fd, EV_READ);
	l->accept_watcher.data = l;
	ev_init(&l->accept_pause, pause_cb);
	l->accept_pause.data = l;
	ev_io_start(pvx_loop, &l->accept_watcher);
	log_debug("link %s: listening in consumer pid %d", link_key(l), (int)l->planted_pid);
	return 0;
}

void stream_unplant(struct pvx_link *l)
{
	relay_close_all(l);
	if (l->listen_fd >= 0) {
		ev_io_stop(pvx_loop, &l->accept_watcher);
		ev_timer_stop(pvx_loop, &l->accept_pause);
		l->listen_fd = safe_close(l->listen_fd);
	}
	if (l->planted_target) {
		/* Resolved again in the namespace we planted in; a consumer
		 * that is gone took its socket with it. */
		const char *name;
		_cleanup_close_ int root = pvx_ns_open_root(l->planted_pid);
		_cleanup_close_ int dir = root < 0 ? root
					  : pvx_ns_open_parent(root, l->planted_target, false, &name);
		int r = dir < 0 ? dir : pvx_ns_unlink_socket(dir, name, l->plant_dev, l->plant_ino);
		if (r < 0 && r != -ENOENT && r != -ESRCH)
			log_debug("link %s: socket not removed: %s", link_key(l), strerror(-r));
		free(l->planted_target);
		l->planted_target = NULL;
	}
}

int stream_probe(struct pvx_link *l)
{
	int fd = provider_connect(l, false); /* a probe */
	if (fd == -EAGAIN)
		return 0; /* listening, only busy */
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}
