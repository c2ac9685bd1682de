/* Planting and serving a link's listening socket.  The socket is created
 * inside the consumer's mount namespace through /proc/<pid>/root (see
 * daemon/ns.h); connections are accepted in batches and each is relayed to
 * a fresh non-blocking connection to the provider. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/log.h"
#include "daemon/ns.h"
#include "daemon/util.h"
#include "plugins/plugin.h"
#include "plugins/relay.h"
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

/* Opens the provider's socket directory if not open yet. */
static int provider_dir(struct pvx_link *l, bool quiet)
{
	if (l->prov_dirfd >= 0)
		return 0;
	_cleanup_close_ int root = pvx_ns_open_root(l->spec.provider_pid);
	if (root < 0) {
		if (!quiet && root == -ESRCH)
			link_error(l, 0, "provider pid %d is not running", (int)l->spec.provider_pid);
		else if (!quiet)
			link_error(l, root, "provider pid %d", (int)l->spec.provider_pid);
		return root;
	}
	const char *name;
	int fd = pvx_ns_open_parent(root, l->spec.socket, false, &name);
	if (fd < 0) {
		if (!quiet)
			link_error(l, fd, "provider socket %s", l->spec.socket);
		return fd;
	}
	l->prov_dirfd = fd;
	free(l->prov_name);
	l->prov_name = strdup(name);
	if (!l->prov_name) {
		l->prov_dirfd = safe_close(l->prov_dirfd);
		return -ENOMEM;
	}
	return 0;
}

/* Connects to the provider.  On a failure that means the provider is gone
 * the directory is reopened next time (it may have been recreated). */
static int provider_connect(struct pvx_link *l, bool quiet)
{
	int r = provider_dir(l, quiet);
	if (r < 0)
		return r;
	int fd = pvx_ns_connect(l->prov_dirfd, l->prov_name);
	if (fd < 0 && fd != -EAGAIN && !resource_error(fd)) {
		if (!quiet)
			link_error(l, fd, "provider socket %s", l->spec.socket);
		l->prov_dirfd = safe_close(l->prov_dirfd);
	}
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
		int p = provider_connect(l, false);
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
	int r = provider_dir(l, false);
	if (r < 0)
		return r;
	r = pvx_ns_is_socket(l->prov_dirfd, l->prov_name);
	if (r != 1) {
		link_error(l, r < 0 ? r : -ENOTSOCK, "provider socket %s", l->spec.socket);
		l->prov_dirfd = safe_close(l->prov_dirfd);
		return r < 0 ? r : -ENOTSOCK;
	}

	const char *name;
	int dirfd = pvx_ns_open_parent(root, l->spec.target, true, &name);
	if (dirfd < 0) {
		link_error(l, dirfd, "target directory of %s in consumer", l->spec.target);
		return dirfd;
	}
	uint64_t ino = 0;
	int fd = pvx_ns_listen(dirfd, name, LISTEN_BACKLOG, &ino);
	if (fd < 0) {
		link_error(l, fd, "cannot listen at %s in consumer", l->spec.target);
		close(dirfd);
		return fd == -EEXIST ? PVX_REFUSED : fd;
	}
	l->plant_name = strdup(name);
	if (!l->plant_name) {
		pvx_ns_unlink_socket(dirfd, name, ino);
		close(dirfd);
		close(fd);
		return -ENOMEM;
	}
	l->listen_fd = fd;
	l->plant_dirfd = dirfd;
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
	if (l->plant_dirfd >= 0) {
		int r = pvx_ns_unlink_socket(l->plant_dirfd, l->plant_name, l->plant_ino);
		if (r < 0 && r != -ENOENT)
			log_debug("link %s: socket not removed: %s", link_key(l), strerror(-r));
		l->plant_dirfd = safe_close(l->plant_dirfd);
	}
	free(l->plant_name);
	l->plant_name = NULL;
	l->prov_dirfd = safe_close(l->prov_dirfd);
	free(l->prov_name);
	l->prov_name = NULL;
}

int stream_probe(struct pvx_link *l)
{
	int fd = provider_connect(l, false);
	if (fd == -EAGAIN)
		return 0; /* listening, only busy */
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}
