/* Stream relay between a consumer's connection and the provider's socket,
 * shared by every socket link type (unix, wayland, later rest and dbus). */
#ifndef PVX_RELAY_H
#define PVX_RELAY_H

#include <ev.h>
#include "lib/stats.h"
#include "fsm/link.h"

/* Bytes read per recvmsg; also the size of a back-pressure buffer. */
#define RELAY_BUF (256 * 1024)
/* Seconds a session one side of which has closed may stay without
 * progress before it is reclaimed. */
extern double relay_linger;

/* Bounds that keep one hostile consumer or provider from taking the
 * daemon's fds or the host's kernel memory (options of the daemon):
 * - relay_max_conns_per_link / _per_consumer: sessions at once; one over
 *   is accepted and closed at once, and counted in conns_refused;
 * - relay_fd_reserve: fds the relay leaves free for the control socket
 *   and pv-ctrl (a connection whose fd lands in them is refused; 0: none);
 * - relay_sock_buf: SO_SNDBUF and SO_RCVBUF of both relayed sockets (the
 *   kernel doubles it for its bookkeeping);
 * - relay_max_parked_per_link: bytes a link's sessions may keep in the
 *   daemon (parked buffers and splice pipes); a session that would go
 *   over is closed. */
extern unsigned relay_max_conns_per_link, relay_max_conns_per_consumer, relay_fd_reserve;
extern unsigned relay_sock_buf;
extern uint64_t relay_max_parked_per_link;

#define RELAY_MAX_CONNS_PER_LINK 1024
#define RELAY_MAX_CONNS_PER_CONSUMER 4096
#define RELAY_FD_RESERVE 64
#define RELAY_SOCK_BUF (128 * 1024)
#define RELAY_MAX_PARKED_PER_LINK (64ULL * 1024 * 1024)
/* A parked buffer of one direction never grows past this (filtered
 * directions append); the session is closed instead. */
#define RELAY_PARKED_MAX (4 * RELAY_BUF)

struct pvx_buf;

/* A link's relay counters (l->relay_stats), made at its first connection
 * and freed with the link: they count across plants. */
struct relay_stats {
	uint64_t conns_total, conns_active;
	unsigned conns_connecting;   /* admitted, connect in flight (not shown) */
	uint64_t conns_refused;      /* over a connection cap or into the fd reserve */
	uint64_t sessions_reclaimed; /* one side closed, the other not draining */
	uint64_t parked_bytes;       /* held in the daemon now (parked, splice pipes) */
	uint64_t bytes_to_provider, bytes_to_consumer;
	uint64_t bytes_spliced;      /* of those, moved by splice() without a copy */
	uint64_t fds_to_provider, fds_to_consumer;
};

/* The relay's counters of l (zeros for a link that relays nothing), shown
 * for every link; relay_stats_list is their metrics, NULL-terminated. */
void relay_describe(const struct pvx_link *l, struct pvx_stats_sink *out);
extern const struct pvx_stat *const relay_stats_list[];

/* What a filter tells the relay after looking at bytes. */
enum relay_verdict {
	RELAY_PASS,        /* forward what was produced */
	RELAY_HOLD,        /* forward it, then read no more from the consumer */
	RELAY_RELEASE,     /* read the consumer again; held bytes come from to_provider(NULL, 0) */
	RELAY_TUNNEL,      /* as RELEASE, then relay plainly: the filter is dropped */
	RELAY_REPLY_CLOSE, /* forward, then send reply() to the consumer and close */
};

struct relay_session;

/* A protocol filter on a session.  Two kinds:
 * - byte filters (rest) set to_provider/from_provider/reply: they rewrite
 *   what the consumer sends and watch what the provider answers; filtered
 *   directions carry no fds;
 * - message filters (dbus) set start/feed: every read of either direction
 *   is handed over with its fds, which the filter then owns, and the filter
 *   writes either way with relay_send(); in = NULL tells it of an EOF.  While bytes it wrote to the
 *   consumer pile up beyond RELAY_BUF, the consumer is not read. */
struct relay_filter {
	void *(*open)(struct pvx_link *l);
	void (*close)(void *st);
	enum relay_verdict (*to_provider)(void *st, const char *in, size_t n, struct pvx_buf *out);
	enum relay_verdict (*from_provider)(void *st, const char *in, size_t n);
	const char *(*reply)(void *st, size_t *len);
	void (*start)(void *st, struct relay_session *s);
	void (*feed)(void *st, bool to_provider, const char *in, size_t n, int *fds, int nfds);
};

/* For message filters.  relay_send queues bytes (and fds, which it takes)
 * towards the provider or the consumer; false: the session was closed.
 * relay_hold_consumer stops or resumes reading the consumer.  relay_fail
 * records why and closes the session. */
bool relay_send(struct relay_session *s, bool to_provider, const char *data, size_t len,
		int *fds, int nfds);
void relay_hold_consumer(struct relay_session *s, bool hold);
void relay_fail(struct relay_session *s, const char *why);
/* As relay_fail, but the bytes already queued to the consumer (the
 * protocol error it is told) go out first; nothing more is read. */
void relay_finish(struct relay_session *s, const char *why);
bool relay_closed(const struct relay_session *s);

/* Whether the link may take one more connection, whose accepted fd is
 * client_fd: under the per-link and per-consumer caps and outside the fd
 * reserve.  When not, the refusal is counted and logged (once per reason)
 * and the caller closes client_fd. */
bool relay_admit(struct pvx_link *l, int client_fd);
/* The connection relay_admit let in has its answer (a session started,
 * or the connect failed): it no longer counts as connecting.  l is NULL
 * when the link is gone; consumer is its consumer's name. */
void relay_admit_end(struct pvx_link *l, const char *consumer);

/* Starts relaying between an accepted client fd and a provider fd whose
 * non-blocking connect was started.  Takes both fds.  filter may be NULL. */
int relay_start(struct pvx_link *l, int client_fd, int provider_fd,
		const struct relay_filter *filter);

/* Closes every session of the link (teardown). */
void relay_close_all(struct pvx_link *l);

/* Frees sessions closed since the last call; run from an ev_check watcher
 * so no session is freed under its own callback. */
void relay_reap(void);

/* Releases cached buffers (at exit, for leak checkers). */
void relay_cleanup(void);

#endif
