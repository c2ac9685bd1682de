/* Byte relay with SCM_RIGHTS fd passing and half-close.
 *
 * Each session has two directions (consumer->provider, provider->consumer).
 * A readable side is read once into a shared scratch buffer with recvmsg()
 * and written straight to the other side with sendmsg(), fds attached to
 * the same bytes they arrived with.  Only when the other side cannot take
 * everything is the rest parked in a per-direction buffer (taken from a
 * small pool), and that direction stops reading until it drains: bounded
 * memory and back-pressure to the sender.  An idle session holds no buffer.
 *
 * A session may carry a protocol filter (struct relay_filter).  A byte
 * filter sees what the consumer sends before the provider does and is
 * shown what the provider sends; it may hold the consumer, turn the session
 * into a plain tunnel, or answer the consumer and close.  A message filter
 * is handed every read of both directions with its fds and writes itself.
 *
 * Bulk without copies: once a plain (unfiltered) direction reads 64 KiB at
 * once, it moves bytes with splice() through a pipe, which for unix
 * sockets hands pages over instead of copying them.  The kernel drops fds
 * attached to spliced bytes, so only bytes known to carry none are spliced:
 * FIONREAD gives the bytes queued, then the source's fdinfo gives the fds
 * queued (scm_fds, Linux 5.7+).  The kernel counts fds before their bytes
 * are queued and uncounts them only when they are read, so a 0 there means
 * none of the bytes counted just before carry any.  Anything else, or a
 * kernel without scm_fds, takes the recvmsg/sendmsg path.
 *
 * Rules: MSG_CTRUNC (fds lost, e.g. at our fd limit) ends the session;
 * EOF from one side becomes shutdown(SHUT_WR) on the other once its parked
 * bytes are out; both directions finished ends the session; a session one
 * side of which has closed is reclaimed after relay_linger seconds without
 * a byte moved, whether or not the other side drains what waits for it.
 *
 * Bounds (containers are adversaries): sessions per link and per consumer
 * are capped, and a connection whose fd would eat into the reserve kept
 * for the control socket and pv-ctrl is refused (relay_admit).  Both
 * relayed sockets get SO_SNDBUF/SO_RCVBUF relay_sock_buf and a splice pipe
 * is SPLICE_PIPE, so a session whose peers never read holds at most, per
 * direction, one socket buffer of the kernel's (2 x relay_sock_buf) plus
 * either its pipe or one parked buffer: with the defaults ~1 MiB of kernel
 * memory and 512 KiB of ours per connection.  The parked bytes of a link's
 * sessions are summed (parked_bytes); a session that would take them over
 * relay_max_parked_per_link is closed. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/list.h"
#include "lib/log.h"
#include "lib/util.h"
#include "relay/relay.h"

#define MAX_FDS PVX_MAX_FDS

double relay_linger = 30.0;
unsigned relay_max_conns_per_link = RELAY_MAX_CONNS_PER_LINK;
unsigned relay_max_conns_per_consumer = RELAY_MAX_CONNS_PER_CONSUMER;
unsigned relay_fd_reserve = RELAY_FD_RESERVE;
unsigned relay_sock_buf = RELAY_SOCK_BUF;
uint64_t relay_max_parked_per_link = RELAY_MAX_PARKED_PER_LINK;

enum { TO_PROVIDER = 0, TO_CONSUMER = 1 };

struct parked {
	struct parked *next_free;
	size_t off, len, cap;
	int nfds;
	int fds[MAX_FDS];
	char data[];
};

/* One direction's splice state. */
struct splicer {
	int pipe[2];   /* [0] read end, [1] write end; -1 until set up */
	int info;      /* /proc/self/fdinfo/<source socket> */
	size_t queued; /* bytes in the pipe not yet sent on */
	bool off;      /* could not be set up: copy only */
};

/* A pipe this large moves up to 256 KiB per splice pair.  Its pages stay
 * pinned while the destination does not read: it is part of what a
 * stalled session costs, so it is kept modest. */
#define SPLICE_PIPE (256 * 1024)
/* A read this large says bulk is flowing (messages are smaller: a sender's
 * default socket buffer holds ~208 KiB, so a full RELAY_BUF read is rare). */
#define SPLICE_AFTER (64 * 1024)

struct relay_session {
	struct pvx_link *link;
	struct relay_session *next, *prev;
	int fd[2];          /* fd[TO_PROVIDER] is the provider, fd[TO_CONSUMER] the consumer */
	ev_io io[2];        /* io[i] watches fd[i] */
	int events[2];      /* what io[i] is set to */
	struct parked *parked[2]; /* bytes waiting to be written in direction d */
	struct splicer sp[2];     /* bulk path of direction d */
	bool eof[2];        /* the source of direction d has closed */
	bool shut[2];       /* shutdown(SHUT_WR) done on the destination of d */
	const struct relay_filter *filter;
	void *fstate;
	bool hold;          /* the filter holds the consumer: do not read it */
	bool closing;       /* close once the consumer has its parked bytes */
	ev_timer linger;
	ev_tstamp last_activity; /* last byte read or written */
	uint64_t held;      /* bytes counted in stats->parked_bytes */
	struct relay_stats *stats; /* the link's (l->relay_stats) */
	struct consumer_conns *cc;
	bool closed;
	struct relay_session *next_dead;
};

static char scratch[RELAY_BUF];
static union {
	struct cmsghdr align;
	char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
} cbuf;
static struct pvx_buf fout; /* filter output, reused */

/* Sessions per consumer (by name, across its links), for the cap. */
struct consumer_conns {
	struct consumer_conns *next;
	unsigned conns;
	char name[];
};
#define CONSUMER_BUCKETS 256
static struct consumer_conns *consumers[CONSUMER_BUCKETS];

static struct consumer_conns **consumer_slot(const char *name)
{
	unsigned h = 5381;
	for (const char *c = name; *c; c++)
		h = h * 33 + (unsigned char)*c;
	struct consumer_conns **pp = &consumers[h % CONSUMER_BUCKETS];
	while (*pp && strcmp((*pp)->name, name) != 0)
		pp = &(*pp)->next;
	return pp;
}

static unsigned consumer_conns(const char *name)
{
	struct consumer_conns *cc = *consumer_slot(name);
	return cc ? cc->conns : 0;
}

static struct consumer_conns *consumer_get(const char *name)
{
	struct consumer_conns **pp = consumer_slot(name);
	if (!*pp) {
		size_t n = strlen(name) + 1;
		struct consumer_conns *cc = calloc(1, sizeof(*cc) + n);
		if (!cc)
			return NULL;
		memcpy(cc->name, name, n);
		*pp = cc;
	}
	(*pp)->conns++;
	return *pp;
}

static void consumer_put(struct consumer_conns *cc)
{
	if (!cc || --cc->conns > 0)
		return;
	struct consumer_conns **pp = consumer_slot(cc->name);
	*pp = cc->next;
	free(cc);
}

static struct parked *parked_pool;
static unsigned parked_pool_len;
static struct relay_session *dead_sessions;
/* After a burst the pool (and the filter buffer) would keep megabytes an
 * idle daemon never uses again: they are given back after a quiet spell. */
#define POOL_TRIM_AFTER 2.0
static ev_timer pool_trim;

/* A parked buffer for at least need bytes; the common size comes from the
 * pool, larger ones (filter output can grow) are allocated to fit. */
static struct parked *parked_get(size_t need)
{
	struct parked *p = NULL;
	if (need <= RELAY_BUF && parked_pool) {
		p = parked_pool;
		parked_pool = p->next_free;
		parked_pool_len--;
	} else {
		size_t cap = need <= RELAY_BUF ? RELAY_BUF : need;
		p = malloc(sizeof(*p) + cap);
		if (!p)
			return NULL;
		p->cap = cap;
	}
	p->off = p->len = 0;
	p->nfds = 0;
	return p;
}

static void pool_free_all(void)
{
	while (parked_pool) {
		struct parked *p = parked_pool;
		parked_pool = p->next_free;
		free(p);
	}
	parked_pool_len = 0;
	pvx_buf_free(&fout);
}

static void pool_trim_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_ref(loop); /* balance the unref taken when it was started */
	pool_free_all();
}

static void parked_put(struct parked *p)
{
	for (int i = 0; i < p->nfds; i++)
		close(p->fds[i]);
	if (p->cap != RELAY_BUF || parked_pool_len >= 16) {
		free(p);
		return;
	}
	p->next_free = parked_pool;
	parked_pool = p;
	parked_pool_len++;
	if (!ev_is_active(&pool_trim)) {
		ev_timer_init(&pool_trim, pool_trim_cb, POOL_TRIM_AFTER, 0.);
		ev_timer_start(pvx_loop, &pool_trim);
		ev_unref(pvx_loop); /* the trim timer alone keeps nothing alive */
	}
}

/* fd[i] is the destination of direction i and the source of the other. */
static inline int src_of(int d) { return d == TO_PROVIDER ? TO_CONSUMER : TO_PROVIDER; }

/* Bytes of direction d wait to be written: parked or in its pipe. */
static inline bool pending(const struct relay_session *s, int d)
{
	return s->parked[d] || s->sp[d].queued;
}

/* Keeps the link's parked_bytes equal to what the link's sessions hold. */
static void account(struct relay_session *s)
{
	uint64_t held = 0;
	for (int d = 0; d < 2 && !s->closed; d++) {
		if (s->parked[d])
			held += s->parked[d]->len - s->parked[d]->off;
		held += s->sp[d].queued;
	}
	s->stats->parked_bytes = s->stats->parked_bytes - s->held + held;
	s->held = held;
}

/* Bytes of a session would go over its link's budget. */
static bool over_budget(const struct relay_session *s, size_t more)
{
	return s->stats->parked_bytes - s->held + more > relay_max_parked_per_link;
}

static void session_close(struct relay_session *s)
{
	if (s->closed)
		return;
	s->closed = true;
	struct ev_loop *loop = pvx_loop;
	for (int i = 0; i < 2; i++) {
		ev_io_stop(loop, &s->io[i]);
		s->fd[i] = safe_close(s->fd[i]);
		s->sp[i].pipe[0] = safe_close(s->sp[i].pipe[0]);
		s->sp[i].pipe[1] = safe_close(s->sp[i].pipe[1]);
		s->sp[i].info = safe_close(s->sp[i].info);
		if (s->parked[i]) {
			parked_put(s->parked[i]);
			s->parked[i] = NULL;
		}
	}
	ev_timer_stop(loop, &s->linger);
	account(s);
	consumer_put(s->cc);
	s->cc = NULL;
	/* The filter's state is freed with the session, after the callbacks
	 * return: a filter may be inside relay_send (which closed us) and
	 * still touch its state on the way out. */
	struct pvx_link *l = s->link;
	PVX_LIST_UNLINK(l->sessions, s);
	s->stats->conns_active--;
	s->next_dead = dead_sessions;
	dead_sessions = s;
}

void relay_reap(void)
{
	while (dead_sessions) {
		struct relay_session *s = dead_sessions;
		dead_sessions = s->next_dead;
		if (s->filter)
			s->filter->close(s->fstate);
		free(s);
	}
}

void relay_cleanup(void)
{
	relay_reap();
	if (ev_is_active(&pool_trim)) {
		ev_ref(pvx_loop);
		ev_timer_stop(pvx_loop, &pool_trim);
	}
	pool_free_all();
}

void relay_close_all(struct pvx_link *l)
{
	while (l->sessions)
		session_close(l->sessions);
}

/* Not reading the consumer: its filter said so, or a message filter's own
 * answers to it pile up unread. */
static bool consumer_held(const struct relay_session *s)
{
	const struct parked *p = s->parked[TO_CONSUMER];
	return s->hold || (p && s->filter && s->filter->feed && p->len - p->off > RELAY_BUF);
}

/* Sets what each fd's watcher waits for: reading while the direction it
 * feeds is open, not parked and not held; writing while the direction into
 * it has parked bytes. */
static void update_watchers(struct relay_session *s)
{
	account(s);
	/* Bytes wait for a side: if it never drains and the other has gone,
	 * the linger timer reclaims the session. */
	if ((pending(s, 0) || pending(s, 1)) && !ev_is_active(&s->linger)) {
		ev_timer_set(&s->linger, relay_linger, 0.);
		ev_timer_start(pvx_loop, &s->linger);
	}
	for (int i = 0; i < 2; i++) {
		int out = src_of(i);
		bool held = s->closing || (out == TO_PROVIDER && consumer_held(s));
		int ev = 0;
		if (!s->eof[out] && !pending(s, out) && !held)
			ev |= EV_READ;
		if (pending(s, i))
			ev |= EV_WRITE;
		if (ev == s->events[i])
			continue;
		ev_io_stop(pvx_loop, &s->io[i]);
		s->events[i] = ev;
		if (ev) {
			ev_io_set(&s->io[i], s->fd[i], ev);
			ev_io_start(pvx_loop, &s->io[i]);
		}
	}
}

static void maybe_finish(struct relay_session *s)
{
	if (s->closing && !s->parked[TO_CONSUMER]) {
		session_close(s);
		return;
	}
	for (int d = 0; d < 2; d++) {
		if (s->eof[d] && !pending(s, d) && !s->shut[d]) {
			shutdown(s->fd[d], SHUT_WR);
			s->shut[d] = true;
		}
	}
	if (s->shut[0] && s->shut[1]) {
		session_close(s);
		return;
	}
	/* One side has closed: what is left must move, or the session is
	 * reclaimed (a peer that never reads would keep it forever). */
	if ((s->eof[0] || s->eof[1]) && !ev_is_active(&s->linger)) {
		ev_timer_set(&s->linger, relay_linger, 0.);
		ev_timer_start(pvx_loop, &s->linger);
	}
}

static void count(struct relay_session *s, int d, size_t bytes, int nfds)
{
	struct relay_stats *st = s->stats;
	if (d == TO_PROVIDER) {
		st->bytes_to_provider += bytes;
		st->fds_to_provider += (unsigned)nfds;
	} else {
		st->bytes_to_consumer += bytes;
		st->fds_to_consumer += (unsigned)nfds;
	}
}

/* Sends data (with fds, if any).  Returns bytes sent (0 if it would block)
 * or -errno. */
static ssize_t send_with_fds(int fd, const char *data, size_t len, const int *fds, int nfds)
{
	ssize_t n = pvx_send_fds(fd, data, len, fds, nfds, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -errno;
	return n;
}

static void close_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

/* Queues bytes for direction d: sent at once when nothing waits before
 * them, the rest parked.  Takes the fds.  Returns false when the session
 * was closed. */
static bool enqueue(struct relay_session *s, int d, const char *data, size_t len, int *fds, int nfds)
{
	struct parked *p = s->parked[d];
	if (!p && len > 0) {
		ssize_t w = send_with_fds(s->fd[d], data, len, fds, nfds);
		if (w < 0) {
			close_fds(fds, nfds);
			if (w != -EPIPE && w != -ECONNRESET)
				s->link->errors++;
			session_close(s);
			return false;
		}
		if (w > 0) {
			s->last_activity = ev_now(pvx_loop);
			count(s, d, (size_t)w, nfds);
			close_fds(fds, nfds); /* the receiver has its own copies */
			nfds = 0;
		}
		data += w;
		len -= (size_t)w;
	}
	if (len == 0) {
		close_fds(fds, nfds);
		return true;
	}
	size_t parked_len = p ? p->len - p->off : 0;
	if (parked_len + len > RELAY_PARKED_MAX || over_budget(s, parked_len + len)) {
		close_fds(fds, nfds);
		link_error(s->link, 0, "%s, session closed",
			   parked_len + len > RELAY_PARKED_MAX ? "over the parked bytes of a session"
							       : "parked bytes over the link's budget");
		session_close(s);
		return false;
	}
	if (!p) {
		p = parked_get(len);
	} else if (p->len + len > p->cap) {
		/* Only filtered directions append behind parked bytes. */
		struct parked *q = parked_get(p->len - p->off + len);
		if (q) {
			memcpy(q->data, p->data + p->off, p->len - p->off);
			q->len = p->len - p->off;
			memcpy(q->fds, p->fds, sizeof(int) * (size_t)p->nfds);
			q->nfds = p->nfds;
			p->nfds = 0;
			parked_put(p);
		}
		p = q;
	}
	if (!p) {
		close_fds(fds, nfds);
		link_error(s->link, -ENOMEM, "relay buffer");
		session_close(s);
		return false;
	}
	if (p->nfds + nfds > MAX_FDS) {
		/* More than one sendmsg can carry, ahead of their bytes. */
		close_fds(fds, nfds);
		s->parked[d] = p;
		link_error(s->link, 0, "over %d file descriptors queued, session closed", MAX_FDS);
		session_close(s);
		return false;
	}
	memcpy(p->data + p->len, data, len);
	p->len += len;
	/* Parked fds go out with the first parked byte: ahead of, never
	 * behind, the bytes they came with. */
	if (nfds > 0)
		memcpy(p->fds + p->nfds, fds, sizeof(int) * (size_t)nfds);
	p->nfds += nfds;
	s->parked[d] = p;
	update_watchers(s);
	return true;
}

static bool apply_verdict(struct relay_session *s, enum relay_verdict v);

/* Held consumer bytes the filter lets go of. */
static bool release(struct relay_session *s, bool tunnel)
{
	s->hold = false;
	pvx_buf_reset(&fout);
	enum relay_verdict v = s->filter->to_provider(s->fstate, NULL, 0, &fout);
	if (!enqueue(s, TO_PROVIDER, fout.data, fout.len, NULL, 0))
		return false;
	if (tunnel && v == RELAY_PASS) {
		s->filter->close(s->fstate);
		s->filter = NULL;
		s->fstate = NULL;
		v = RELAY_PASS;
	}
	if (!apply_verdict(s, v))
		return false;
	update_watchers(s);
	return true;
}

static bool apply_verdict(struct relay_session *s, enum relay_verdict v)
{
	switch (v) {
	case RELAY_PASS:
		return true;
	case RELAY_HOLD:
		s->hold = true;
		update_watchers(s);
		return true;
	case RELAY_RELEASE:
		return release(s, false);
	case RELAY_TUNNEL:
		return release(s, true);
	case RELAY_REPLY_CLOSE: {
		size_t len;
		const char *r = s->filter->reply(s->fstate, &len);
		s->closing = true;
		if (!enqueue(s, TO_CONSUMER, r, len, NULL, 0))
			return false;
		maybe_finish(s);
		if (s->closed)
			return false;
		update_watchers(s);
		return true;
	}
	}
	return true;
}

/* Fds queued on a unix socket, from its fdinfo; -1 when unknown. */
static long queued_fds(int info)
{
	char buf[512];
	ssize_t n = pread(info, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	const char *at = strstr(buf, "scm_fds:");
	return at ? strtol(at + strlen("scm_fds:"), NULL, 10) : -1;
}

/* Direction d read SPLICE_AFTER bytes at once: bulk is flowing, set up
 * its pipe. */
static void splice_setup(struct relay_session *s, int d)
{
	struct splicer *sp = &s->sp[d];
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", s->fd[src_of(d)]);
	sp->off = true;
	sp->info = open(path, O_RDONLY | O_CLOEXEC);
	if (sp->info < 0 || queued_fds(sp->info) < 0) {
		sp->info = safe_close(sp->info); /* no fdinfo or no scm_fds in it */
		return;
	}
	if (pipe2(sp->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		sp->pipe[0] = sp->pipe[1] = -1;
		sp->info = safe_close(sp->info);
		return;
	}
	fcntl(sp->pipe[1], F_SETPIPE_SZ, SPLICE_PIPE); /* a smaller pipe works too */
	sp->off = false;
}

/* Sends what direction d's pipe holds.  Returns 1 when it is empty, 0
 * when the destination is full (bytes stay queued), -1 when the session
 * was closed. */
static int splice_out(struct relay_session *s, int d)
{
	struct splicer *sp = &s->sp[d];
	while (sp->queued) {
		ssize_t w = splice(sp->pipe[0], NULL, s->fd[d], NULL, sp->queued,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (w <= 0) {
			if (w < 0 && errno != EPIPE && errno != ECONNRESET)
				s->link->errors++;
			session_close(s);
			return -1;
		}
		s->last_activity = ev_now(pvx_loop);
		count(s, d, (size_t)w, 0);
		s->stats->bytes_spliced += (uint64_t)w;
		sp->queued -= (size_t)w;
	}
	return 1;
}

enum { SPLICE_CLOSED = -1, SPLICE_RECVMSG, SPLICE_MOVED, SPLICE_WAIT_OUT, SPLICE_EMPTY };

/* Moves the bytes queued at direction d's source, if they carry no fds,
 * through the pipe.  Returns SPLICE_MOVED when bytes went through,
 * SPLICE_RECVMSG when recvmsg must read (fds queued, EOF), SPLICE_WAIT_OUT
 * when bytes wait in the pipe, SPLICE_EMPTY when nothing is queued, or
 * SPLICE_CLOSED. */
static int splice_in(struct relay_session *s, int d)
{
	struct splicer *sp = &s->sp[d];
	int src = s->fd[src_of(d)];
	int avail = 0;
	char c;
	while (ioctl(src, FIONREAD, &avail) == 0 && avail == 0) {
		/* Nothing, or EOF, or bytes that came in since: a peek tells
		 * which without taking them (or their fds). */
		ssize_t k = recv(src, &c, 1, MSG_PEEK | MSG_DONTWAIT);
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return SPLICE_EMPTY;
		if (k <= 0)
			return SPLICE_RECVMSG;
	}
	if (avail <= 0)
		return SPLICE_RECVMSG;
	if (queued_fds(sp->info) != 0) /* counted after FIONREAD: see the top */
		return SPLICE_RECVMSG;
	if ((size_t)avail > SPLICE_PIPE)
		avail = SPLICE_PIPE;
	if (over_budget(s, (size_t)avail)) {
		link_error(s->link, 0, "parked bytes over the link's budget, session closed");
		session_close(s);
		return SPLICE_CLOSED;
	}
	ssize_t n = splice(src, NULL, sp->pipe[1], NULL, (size_t)avail,
			   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n <= 0)
		return SPLICE_RECVMSG;
	s->last_activity = ev_now(pvx_loop);
	sp->queued = (size_t)n;
	int r = splice_out(s, d);
	if (r == 0)
		update_watchers(s); /* counts the bytes left in the pipe */
	return r < 0 ? SPLICE_CLOSED : r == 0 ? SPLICE_WAIT_OUT : SPLICE_MOVED;
}

/* Reads from the source of direction d and forwards.  Returns false when
 * the session was closed. */
static bool pump(struct relay_session *s, int d)
{
	int src = s->fd[src_of(d)];

	for (int round = 0; round < 8; round++) {
		if (s->sp[d].pipe[0] >= 0) {
			int r = splice_in(s, d);
			if (r == SPLICE_CLOSED)
				return false;
			if (r == SPLICE_WAIT_OUT || r == SPLICE_EMPTY)
				return true;
			if (r == SPLICE_MOVED)
				continue;
		}
		struct iovec iov = { .iov_base = scratch, .iov_len = sizeof(scratch) };
		struct msghdr mh = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cbuf.buf,
			.msg_controllen = sizeof(cbuf.buf),
		};
		ssize_t n = recvmsg(src, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return true;
			if (errno != ECONNRESET)
				s->link->errors++;
			session_close(s);
			return false;
		}

		int fds[MAX_FDS];
		int nfds = pvx_cmsg_fds(&mh, fds, MAX_FDS);
		if (mh.msg_flags & MSG_CTRUNC) {
			/* Some fds were dropped by the kernel: the stream would
			 * arrive without them, so it must not arrive at all. */
			close_fds(fds, nfds);
			link_error(s->link, 0, "file descriptors lost in transit (MSG_CTRUNC), session closed");
			session_close(s);
			return false;
		}
		if (n == 0) {
			close_fds(fds, nfds);
			if (s->filter && s->filter->feed) /* EOF: in = NULL */
				s->filter->feed(s->fstate, d == TO_PROVIDER, NULL, 0, NULL, 0);
			if (s->closed)
				return false;
			s->eof[d] = true;
			maybe_finish(s);
			if (!s->closed)
				update_watchers(s);
			return !s->closed;
		}
		s->last_activity = ev_now(pvx_loop);

		const char *data = scratch;
		size_t len = (size_t)n;
		enum relay_verdict v = RELAY_PASS;
		if (s->filter && s->filter->feed) {
			s->filter->feed(s->fstate, d == TO_PROVIDER, scratch, len, fds, nfds);
			if (s->closed)
				return false;
			if (s->parked[d] || (d == TO_PROVIDER && consumer_held(s)))
				return true;
			if ((size_t)n < sizeof(scratch))
				return true;
			continue;
		}
		if (s->filter) {
			close_fds(fds, nfds); /* filtered protocols carry no fds */
			nfds = 0;
			if (d == TO_PROVIDER) {
				pvx_buf_reset(&fout);
				v = s->filter->to_provider(s->fstate, scratch, len, &fout);
				data = fout.data;
				len = fout.len;
			} else {
				v = s->filter->from_provider(s->fstate, scratch, len);
			}
		}
		if (!enqueue(s, d, data, len, fds, nfds) || !apply_verdict(s, v))
			return false;
		if (!s->filter && (size_t)n >= SPLICE_AFTER && s->sp[d].pipe[0] < 0 && !s->sp[d].off)
			splice_setup(s, d);
		if (s->parked[d] || s->closing || (d == TO_PROVIDER && s->hold))
			return true;
		if ((size_t)n < sizeof(scratch))
			return true; /* drained: do not spend a syscall on EAGAIN */
	}
	return true;
}

/* The destination of direction d became writable: push its parked bytes
 * or what waits in its pipe. */
static bool flush(struct relay_session *s, int d)
{
	if (s->sp[d].queued) {
		int r = splice_out(s, d);
		if (r == 0)
			account(s);
		if (r <= 0)
			return r == 0;
		maybe_finish(s);
		if (s->closed)
			return false;
		update_watchers(s);
		return pump(s, d);
	}
	struct parked *p = s->parked[d];
	ssize_t w = send_with_fds(s->fd[d], p->data + p->off, p->len - p->off, p->fds, p->nfds);
	if (w < 0) {
		if (w != -EPIPE && w != -ECONNRESET)
			s->link->errors++;
		session_close(s);
		return false;
	}
	if (w > 0) {
		s->last_activity = ev_now(pvx_loop);
		count(s, d, (size_t)w, p->nfds);
		close_fds(p->fds, p->nfds);
		p->nfds = 0;
		p->off += (size_t)w;
		account(s);
	}
	if (p->off == p->len) {
		parked_put(p);
		s->parked[d] = NULL;
		maybe_finish(s);
		if (s->closed)
			return false;
		update_watchers(s);
		if (s->closing || (d == TO_PROVIDER && consumer_held(s)))
			return true;
		/* The source may hold data we stopped reading for. */
		return pump(s, d);
	}
	return true;
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct relay_session *s = w->data;
	int i = (int)(w - s->io); /* fd[i] */
	int out = src_of(i);      /* the direction fd[i] feeds */

	if ((revents & EV_WRITE) && pending(s, i) && !flush(s, i))
		return;
	if ((revents & EV_READ) && !pending(s, out) && !s->eof[out] && !s->closing &&
	    !(out == TO_PROVIDER && consumer_held(s)))
		pump(s, out);
}

/* The peer on fd has closed or shut down writing, even with bytes of its
 * still queued (which a stalled direction does not read). */
static bool hung_up(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static void linger_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct relay_session *s = w->data;
	ev_tstamp idle = ev_now(loop) - s->last_activity;
	bool stalled = pending(s, 0) || pending(s, 1);
	if (idle >= relay_linger && !s->eof[0] && !s->eof[1] && !hung_up(s->fd[0]) &&
	    !hung_up(s->fd[1])) {
		/* Both sides are there, only slow: watched while bytes wait. */
		if (stalled) {
			ev_timer_set(w, relay_linger, 0.);
			ev_timer_start(loop, w);
		}
		return;
	}
	if (idle >= relay_linger) {
		log_debug("link %s: half-closed session without progress for %.1fs, reclaimed",
			  link_key(s->link), idle);
		s->stats->sessions_reclaimed++;
		session_close(s);
		return;
	}
	ev_timer_set(w, relay_linger - idle, 0.);
	ev_timer_start(loop, w);
}

/* The socket buffers are what a peer that never reads makes the kernel
 * keep for us: set to relay_sock_buf whatever the system default
 * (FORCE: root may go past [rw]mem_max, and below it is a cap). */
static void set_bufs(int fd)
{
	int size = (int)relay_sock_buf;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

/* The link's counters, made at its first connection; NULL out of memory. */
static struct relay_stats *stats_of(struct pvx_link *l)
{
	if (!l->relay_stats)
		l->relay_stats = calloc(1, sizeof(*l->relay_stats));
	return l->relay_stats;
}

/* The relay's counters as GET /links and GET /metrics show them, in that
 * order (JSON) and this (metrics, relay_stats_list). */
static const struct pvx_stat
	st_conns_active = { "connections", "active", "pvx_link_connections_active", "gauge",
			    "Connections open now.", NULL },
	st_conns_total = { "connections", "total", "pvx_link_connections_total", "counter",
			   "Connections accepted.", NULL },
	st_conns_refused = { "connections", "refused", "pvx_link_connections_refused_total", "counter",
			     "Connections refused: over a connection cap or into the fd reserve.", NULL },
	st_reclaimed = { "connections", "reclaimed", "pvx_link_connections_reclaimed_total", "counter",
			 "Connections closed because one side had closed and the other did not drain.",
			 NULL },
	st_parked = { NULL, "parked_bytes", "pvx_link_parked_bytes", "gauge",
		      "Bytes the link's connections keep in the daemon (parked, splice pipes).", NULL },
	st_bytes_p = { "bytes", "to_provider", "pvx_link_bytes_total", "counter", "Bytes relayed.",
		       "to_provider" },
	st_bytes_c = { "bytes", "to_consumer", "pvx_link_bytes_total", "counter", "Bytes relayed.",
		       "to_consumer" },
	st_spliced = { "bytes", "spliced", "pvx_link_bytes_spliced_total", "counter",
		       "Of the bytes relayed, those moved by splice() without a copy.", NULL },
	st_fds_p = { "fds", "to_provider", "pvx_link_fds_total", "counter",
		     "File descriptors passed with the bytes.", "to_provider" },
	st_fds_c = { "fds", "to_consumer", "pvx_link_fds_total", "counter",
		     "File descriptors passed with the bytes.", "to_consumer" };

const struct pvx_stat *const relay_stats_list[] = {
	&st_conns_total, &st_conns_active, &st_conns_refused, &st_reclaimed, &st_parked,
	&st_bytes_p, &st_bytes_c, &st_spliced, &st_fds_p, &st_fds_c, NULL,
};

void relay_describe(const struct pvx_link *l, struct pvx_stats_sink *out)
{
	static const struct relay_stats none;
	const struct relay_stats *st = l->relay_stats ? l->relay_stats : &none;
	pvx_stats_value(out, &st_conns_active, st->conns_active);
	pvx_stats_value(out, &st_conns_total, st->conns_total);
	pvx_stats_value(out, &st_conns_refused, st->conns_refused);
	pvx_stats_value(out, &st_reclaimed, st->sessions_reclaimed);
	pvx_stats_value(out, &st_parked, st->parked_bytes);
	pvx_stats_value(out, &st_bytes_p, st->bytes_to_provider);
	pvx_stats_value(out, &st_bytes_c, st->bytes_to_consumer);
	pvx_stats_value(out, &st_spliced, st->bytes_spliced);
	pvx_stats_value(out, &st_fds_p, st->fds_to_provider);
	pvx_stats_value(out, &st_fds_c, st->fds_to_consumer);
}

/* The fd limit now (an operator may change it with prlimit). */
static unsigned fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > 1u << 30)
		return 1u << 30;
	return (unsigned)rl.rlim_cur;
}

bool relay_admit(struct pvx_link *l, int client_fd)
{
	const char *why = NULL;
	/* fds are handed out lowest first: the accepted one tells how many
	 * are in use.  A session needs one more for the provider, and up to
	 * six for splicing. */
	unsigned limit = relay_fd_reserve ? fd_limit() : 0;
	struct relay_stats *st = stats_of(l);
	if (!st)
		why = "connection refused: out of memory";
	else if (st->conns_active + st->conns_connecting >= relay_max_conns_per_link)
		why = "connection refused: --max-conns-per-link reached";
	else if (consumer_conns(l->spec.consumer) >= relay_max_conns_per_consumer)
		why = "connection refused: --max-conns-per-consumer reached";
	/* Each connect in flight holds a few fds on a worker for a moment
	 * (root, directory, socket, the new connection). */
	else if (relay_fd_reserve &&
		 (unsigned)client_fd + 1 + relay_fd_reserve + 4 * st->conns_connecting >= limit)
		why = "connection refused: the fds left are the --fd-reserve";
	if (!why) {
		/* Held until relay_admit_end: connects in flight count. */
		st->conns_connecting++;
		consumer_get(l->spec.consumer);
		return true;
	}
	if (st)
		st->conns_refused++;
	link_error(l, 0, "%s", why);
	return false;
}

void relay_admit_end(struct pvx_link *l, const char *consumer)
{
	if (l && l->relay_stats && l->relay_stats->conns_connecting)
		l->relay_stats->conns_connecting--;
	consumer_put(*consumer_slot(consumer));
}

int relay_start(struct pvx_link *l, int client_fd, int provider_fd,
		const struct relay_filter *filter)
{
	struct relay_stats *stats = stats_of(l);
	struct relay_session *s = stats ? calloc(1, sizeof(*s)) : NULL;
	void *st = s && filter ? filter->open(l) : NULL;
	if (!s || (filter && !st)) {
		free(s);
		if (st)
			filter->close(st);
		close(client_fd);
		close(provider_fd);
		return -ENOMEM;
	}
	s->link = l;
	s->stats = stats;
	s->filter = filter;
	s->fstate = st;
	s->cc = consumer_get(l->spec.consumer);
	set_bufs(client_fd);
	set_bufs(provider_fd);
	s->fd[TO_PROVIDER] = provider_fd;
	s->fd[TO_CONSUMER] = client_fd;
	for (int i = 0; i < 2; i++) {
		ev_init(&s->io[i], io_cb);
		s->io[i].data = s;
		s->sp[i].pipe[0] = s->sp[i].pipe[1] = s->sp[i].info = -1;
	}
	ev_init(&s->linger, linger_cb);
	s->linger.data = s;
	s->last_activity = ev_now(pvx_loop);
	PVX_LIST_PUSH(l->sessions, s);
	stats->conns_total++;
	stats->conns_active++;
	update_watchers(s);
	if (filter && filter->start)
		filter->start(st, s);
	return 0;
}

bool relay_send(struct relay_session *s, bool to_provider, const char *data, size_t len,
		int *fds, int nfds)
{
	if (s->closed) {
		close_fds(fds, nfds);
		return false;
	}
	if (len == 0 && nfds > 0) {
		close_fds(fds, nfds); /* fds travel with bytes only */
		return true;
	}
	return enqueue(s, to_provider ? TO_PROVIDER : TO_CONSUMER, data, len, fds, nfds);
}

void relay_hold_consumer(struct relay_session *s, bool hold)
{
	if (s->closed || s->hold == hold)
		return;
	s->hold = hold;
	update_watchers(s);
}

void relay_fail(struct relay_session *s, const char *why)
{
	if (s->closed)
		return;
	link_error(s->link, 0, "%s, session closed", why);
	session_close(s);
}

void relay_finish(struct relay_session *s, const char *why)
{
	if (s->closed || s->closing)
		return;
	link_error(s->link, 0, "%s, session closed", why);
	s->closing = true;
	maybe_finish(s);
	if (!s->closed)
		update_watchers(s);
}

bool relay_closed(const struct relay_session *s)
{
	return s->closed;
}
