/* Planting and serving a link's listening socket.  The socket is created
 * inside the consumer's mount namespace through /proc/<pid>/root (see
 * lib/ns.h); connections are accepted in batches and each is relayed to
 * a fresh non-blocking connection to the provider.
 *
 * What looks a path up inside a container runs on a worker thread
 * (fsm/plugin.h): planting, removing, probing, and each session's connect
 * to the provider, which resolves the provider's socket afresh.  A link
 * has at most CONNECTS_OUT connects out at a time; more connections wait
 * in the listener's backlog, so a provider whose filesystem stalls holds
 * a few threads and its own consumers, nothing else. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
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
/* Connects to the provider in flight per link. */
#define CONNECTS_OUT 8

/* The loop's side of a planted listener (l->live). */
struct stream_live {
	struct pvx_link *link;
	ev_io accept_watcher;
	ev_timer accept_pause;
	unsigned connects_out;
};

/* Out of fds or memory: our shortage, not a sign of the provider. */
static bool resource_error(int err)
{
	return err == -EMFILE || err == -ENFILE || err == -ENOBUFS || err == -ENOMEM;
}

/* The provider's socket, resolved afresh inside its root for each
 * connection (a provider may recreate it; keeping it open would cost an fd
 * per link): an O_PATH fd of the socket inode itself, never a path that is
 * looked up again when we connect.  A symlink in its place is refused, so a
 * provider cannot point us at a socket of the host.  -errno with why set. */
static int provider_socket(const struct pvx_link_spec *spec, uint64_t *dev, uint64_t *ino, char *why,
			   size_t n)
{
	_cleanup_close_ int root = pvx_ns_open_root_why(spec->provider_pid, "provider", why, n);
	if (root < 0)
		return root;
	const char *name;
	_cleanup_close_ int dir = pvx_ns_open_parent(root, spec->socket, false, &name);
	if (dir < 0) {
		snprintf(why, n, "provider socket %s: %s", spec->socket, strerror(-dir));
		return dir;
	}
	int fd = pvx_ns_open_socket(dir, name, dev, ino);
	if (fd == -ELOOP)
		snprintf(why, n, "provider socket %s is a symlink: not followed", spec->socket);
	else if (fd < 0)
		snprintf(why, n, "provider socket %s: %s", spec->socket, strerror(-fd));
	return fd;
}

/* A non-blocking connection to the provider, or -errno with why set.  A
 * session's goes through the plugin (dbus connects as the mapped uid); a
 * probe only asks whether the provider listens, so it connects as
 * ourselves.  own_dev/own_ino: the link's listener, never a provider. */
static int provider_connect(const struct pvx_plugin *plugin, const struct pvx_link_spec *spec,
			    uint64_t own_dev, uint64_t own_ino, unsigned *uid, char *why, size_t n)
{
	uint64_t dev = 0, ino = 0;
	_cleanup_close_ int sock = provider_socket(spec, &dev, &ino, why, n);
	if (sock < 0)
		return sock;
	if (own_ino && dev == own_dev && ino == own_ino) {
		/* Our own listener: each connection would make another one. */
		snprintf(why, n, "provider socket %s is this link's own target socket", spec->socket);
		return -ELOOP;
	}
	int fd = plugin && plugin->connect ? plugin->connect(spec, sock, uid) : pvx_ns_connect(sock);
	if (fd < 0 && fd != -EAGAIN && !resource_error(fd))
		snprintf(why, n, "provider socket %s: %s", spec->socket, strerror(-fd));
	return fd;
}

static void pause_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct stream_live *st = w->data;
	if (st->connects_out < CONNECTS_OUT)
		ev_io_start(loop, &st->accept_watcher);
}

/* Stops accepting for ACCEPT_PAUSE: the pending connections wait in the
 * backlog until fds are free again. */
static void pause_accepting(struct stream_live *st, int err)
{
	link_error(st->link, err, "accept paused");
	ev_io_stop(pvx_loop, &st->accept_watcher);
	ev_timer_set(&st->accept_pause, ACCEPT_PAUSE, 0.);
	ev_timer_start(pvx_loop, &st->accept_pause);
}

/* One session's connect to the provider, on a worker. */
struct connect_job {
	struct link_job lj;
	const struct pvx_plugin *plugin;
	struct pvx_link_spec spec;
	int client;   /* the accepted consumer connection */
	uint64_t own_dev, own_ino; /* the link's listener */
	int provider; /* the result: fd or -errno */
	unsigned uid;
	char why[160];
};

static void connect_run(struct pvx_job *w)
{
	struct connect_job *j = (struct connect_job *)w;
	j->provider = provider_connect(j->plugin, &j->spec, j->own_dev, j->own_ino, &j->uid, j->why,
				       sizeof(j->why));
}

static void connect_finish(struct link_job *lj, struct pvx_link *l)
{
	struct connect_job *j = (struct connect_job *)lj;
	int c = j->client, p = j->provider;
	struct stream_live *st = l ? l->live : NULL;
	if (st) {
		if (st->connects_out-- == CONNECTS_OUT && !ev_is_active(&st->accept_pause))
			ev_io_start(pvx_loop, &st->accept_watcher);
		if (p >= 0 && l->plugin->connected)
			l->plugin->connected(l, j->uid);
	}
	char why[sizeof(j->why)];
	memcpy(why, j->why, sizeof(why));
	relay_admit_end(lj->link, j->spec.consumer);
	pvx_link_spec_free(&j->spec);
	free(j);
	if (!st) {
		close(c);
		if (p >= 0)
			close(p);
		return;
	}
	if (resource_error(p)) {
		close(c);
		pause_accepting(st, p);
		return;
	}
	if (p == -EAGAIN) {
		/* The provider's backlog is full: it is alive but busy.
		 * Refusing this one connection is the honest answer. */
		link_error(l, p, "provider busy, connection refused");
		close(c);
		return;
	}
	if (p < 0) {
		close(c);
		link_error(l, 0, "%s", why);
		link_fire(l, EV_PROVIDER_DOWN);
		return;
	}
	if (relay_start(l, c, p, l->plugin->filter) < 0) {
		link_error(l, -ENOMEM, "relay session");
		return;
	}
	if (l->state != LS_ACTIVE)
		link_fire(l, EV_PROVIDER_UP);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct stream_live *st = w->data;
	struct pvx_link *l = st->link;

	for (int i = 0; i < ACCEPT_BATCH; i++) {
		if (st->connects_out >= CONNECTS_OUT) {
			/* The rest wait in the backlog for a connect to finish. */
			ev_io_stop(loop, &st->accept_watcher);
			return;
		}
		int c = accept4(l->planted.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (resource_error(-errno))
				pause_accepting(st, -errno);
			return;
		}
		if (l->jobs_stuck) {
			link_error(l, 0, "provider does not answer (a connect is stuck in its filesystem); "
				   "connection refused");
			close(c);
			continue;
		}
		if (!relay_admit(l, c)) {
			/* Over a cap: this connection alone is refused. */
			close(c);
			continue;
		}
		struct connect_job *j = calloc(1, sizeof(*j));
		if (!j || pvx_link_spec_copy(&j->spec, &l->spec) < 0) {
			free(j);
			close(c);
			relay_admit_end(l, l->spec.consumer);
			pause_accepting(st, -ENOMEM);
			return;
		}
		j->plugin = l->plugin;
		j->client = c;
		j->own_dev = l->planted.dev;
		j->own_ino = l->planted.ino;
		st->connects_out++;
		link_job_submit(l, &j->lj, connect_run, connect_finish);
	}
}

int stream_plant(const struct pvx_link_spec *spec, struct pvx_planted *p, char *why, size_t n)
{
	const char *problem = pvx_path_problem(spec->target);
	if (problem) {
		snprintf(why, n, "target '%s': %s", spec->target, problem);
		return PVX_REFUSED;
	}
	problem = pvx_path_problem(spec->socket);
	if (problem) {
		snprintf(why, n, "socket '%s': %s", spec->socket, problem);
		return PVX_REFUSED;
	}

	_cleanup_close_ int root = pvx_ns_open_root_why(spec->consumer_pid, "consumer", why, n);
	if (root < 0)
		return root;

	/* A missing provider socket is a retryable failure, not a reason to
	 * plant a socket that cannot work yet. */
	uint64_t pdev = 0, pino = 0;
	_cleanup_close_ int psock = provider_socket(spec, &pdev, &pino, why, n);
	if (psock < 0)
		return psock;

	const char *name;
	_cleanup_close_ int dirfd = pvx_ns_open_parent(root, spec->target, true, &name);
	if (dirfd < 0) {
		snprintf(why, n, "target directory of %s in consumer: %s", spec->target, strerror(-dirfd));
		return dirfd;
	}
	/* The provider socket is the target itself (same container and path,
	 * or a link to it): planting would replace the provider by our
	 * listener, and every connection would connect to ourselves. */
	struct stat tst;
	if (fstatat(dirfd, name, &tst, AT_SYMLINK_NOFOLLOW) == 0 && (uint64_t)tst.st_dev == pdev &&
	    (uint64_t)tst.st_ino == pino) {
		snprintf(why, n, "provider socket %s is the link's own target %s: a link to itself",
			 spec->socket, spec->target);
		return PVX_REFUSED;
	}
	uint64_t dev = 0, ino = 0;
	int fd = pvx_ns_listen(dirfd, name, LISTEN_BACKLOG, &dev, &ino);
	if (fd < 0) {
		snprintf(why, n, "cannot listen at %s in consumer: %s", spec->target, strerror(-fd));
		return fd == -EEXIST ? PVX_REFUSED : fd;
	}
	p->target = strdup(spec->target);
	if (!p->target) {
		pvx_ns_unlink_socket(dirfd, name, dev, ino);
		close(fd);
		snprintf(why, n, "out of memory");
		return -ENOMEM;
	}
	p->made = true;
	p->fd = fd;
	p->dev = dev;
	p->ino = ino;
	p->pid = spec->consumer_pid;
	return 0;
}

int stream_adopt(struct pvx_link *l, char *why, size_t n)
{
	struct stream_live *st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(why, n, "out of memory");
		return -ENOMEM;
	}
	st->link = l;
	ev_io_init(&st->accept_watcher, accept_cb, l->planted.fd, EV_READ);
	st->accept_watcher.data = st;
	ev_init(&st->accept_pause, pause_cb);
	st->accept_pause.data = st;
	ev_io_start(pvx_loop, &st->accept_watcher);
	l->live = st;
	log_debug("link %s: listening in consumer pid %d", link_key(l), (int)l->planted.pid);
	return 0;
}

void stream_release(struct pvx_link *l)
{
	struct stream_live *st = l->live;
	relay_close_all(l);
	ev_io_stop(pvx_loop, &st->accept_watcher);
	ev_timer_stop(pvx_loop, &st->accept_pause);
	/* Connects still out find no live state and close their ends. */
	free(st);
	/* Closed here, not by remove(): no new connection may queue on a
	 * listener nobody serves. */
	l->planted.fd = safe_close(l->planted.fd);
}

void stream_remove(struct pvx_planted *p)
{
	p->fd = safe_close(p->fd);
	if (p->target) {
		/* Resolved again in the namespace we planted in; a consumer
		 * that is gone took its socket with it. */
		const char *name;
		_cleanup_close_ int root = pvx_ns_open_root(p->pid);
		_cleanup_close_ int dir = root < 0 ? root : pvx_ns_open_parent(root, p->target, false, &name);
		int r = dir < 0 ? dir : pvx_ns_unlink_socket(dir, name, p->dev, p->ino);
		if (r < 0 && r != -ENOENT && r != -ESRCH)
			log_debug("socket %s in consumer pid %d not removed: %s", p->target, (int)p->pid,
				  strerror(-r));
		free(p->target);
		p->target = NULL;
	}
	p->made = false;
}

int stream_provider_connect(const struct pvx_link_spec *spec, char *why, size_t n)
{
	return provider_connect(NULL, spec, 0, 0, NULL, why, n);
}

int stream_probe(const struct pvx_link_spec *spec, char *why, size_t n)
{
	int fd = provider_connect(NULL, spec, 0, 0, NULL, why, n); /* a probe */
	if (fd == -EAGAIN)
		return 0; /* listening, only busy */
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}
