/* wayland links: the consumer's clients talk to the provider's compositor
 * through a relay that understands the Wayland protocol enough to decide
 * which globals they see (policy/wayland.h).
 *
 * Framing.  Both directions are cut into messages (parsers/wayland_wire.h:
 * 8-byte header, at most 4096 bytes).  Runs of whole messages that pass
 * unchanged are handed to the relay straight from the buffer they were
 * read into, so the mediating relay copies no more than the plain one
 * except for a message cut by a read (kept, at most 4096 bytes, until its
 * end comes).  A malformed message from the client is answered with
 * wl_display.error and closes that client; from the compositor it closes
 * that session.  Either way only that connection is touched.
 *
 * What is parsed.  Messages on wl_display and wl_registry, and on the
 * objects of the interfaces whose signatures parsers/wayland_wire.c knows
 * (those that carry fds, or create objects that do); every other message
 * passes framed but unread.  The registry: hidden globals are not
 * announced, their global_remove is dropped, and a bind the policy refuses
 * (a hidden or unknown name, another interface, a version out of range,
 * a new_id that exists or is not the client's) gets wl_display.error on
 * the registry and the client is closed after it has been sent.
 *
 * File descriptors.  The receiving libwayland queues the fds of a
 * connection and hands them in order to the messages whose signature has
 * an 'h'; so an fd may arrive before its message, never after.  The relay
 * sends the fds of a read with the first bytes it forwards after them,
 * and never drops a message that carries any (only registry events are
 * dropped), so each fd arrives no later than its message and in order,
 * whatever the interface.  Counting is what the protocol knowledge is for:
 * a message of a known interface takes its signature's fds from the fds
 * read so far, and one that finds too few is refused ("message without
 * its fds").  A message on an object of an unknown interface may take any
 * number, and the proxy cannot know which: the choice made is that it
 * may take all those read before it, which is what libwayland does with
 * a message whose signature it holds (the queue is per connection,
 * consumed in order).  Fds that no message could have taken are capped
 * (WL_MAX_UNCLAIMED_FDS, libwayland's own receive limit), and fds held
 * waiting for the end of a cut message are capped at one read's worth
 * (PVX_MAX_FDS): an fd flood closes that client alone.
 *
 * Security context.  A link without a `globals` list whose compositor
 * offers wp_security_context_manager_v1 is registered with it when
 * planted (on the worker): the daemon connects, binds the manager and
 * sends create_listener(the link's listening socket, the read end of a
 * pipe), sandbox engine "pv-xconnect", app id the consumer, instance id
 * the link's name, commit, and waits for a wl_display.sync to be answered
 * without an error.  The compositor then accepts the link's clients
 * itself and applies its own policy to them; the daemon leaves the data
 * path (it accepts nothing) and keeps the pipe's write end, whose close
 * (the link released) tells the compositor to stop.  A link with a list
 * stays on the filter: only the filter knows the list. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "lib/log.h"
#include "lib/stats.h"
#include "lib/util.h"
#include "parsers/wayland_wire.h"
#include "policy/wayland.h"
#include "fsm/plugin.h"
#include "relay/relay.h"
#include "plugins/registry.h"
#include "plugins/stream.h"

/* libwayland's ring of received fds holds 4096 bytes of them. */
#define WL_MAX_UNCLAIMED_FDS 1024

/* One direction's framing. */
struct wl_dir {
	unsigned char part[WL_MAX_MESSAGE]; /* a message cut by a read */
	size_t have;
	int fds[PVX_MAX_FDS];               /* read, not yet sent */
	int nfds;
	uint64_t fds_in;                    /* read since the start */
	uint64_t fds_claimed;               /* taken by messages of known signature */
	uint64_t fds_excused;               /* fds_in when an unknown message last passed */
};

struct wl_state {
	struct pvx_link *link;
	struct relay_session *s;
	char *globals;                      /* the link's list, a copy; NULL: default */
	struct wl_objects objs;
	struct wl_policy_registry reg;
	struct wl_dir up, down;             /* to the compositor, to the client */
};

/* The link's wayland counters (fsm/plugin.h describe), kept with the link. */
struct wl_stats {
	uint64_t messages_to_provider, messages_to_consumer;
	uint64_t globals_hidden;            /* announcements not forwarded */
	uint64_t binds_refused;
};

static struct wl_stats *wl_stats(struct pvx_link *l)
{
	static struct wl_stats uncounted; /* out of memory */
	struct wl_stats *st = link_type_stats(l, &pvx_plugin_wayland);
	return st ? st : &uncounted;
}

static const struct pvx_stat
	st_msg_p = { "wayland", "messages_to_provider", "pvx_link_wayland_messages_total", "counter",
		     "Wayland messages relayed (wayland links).", "to_provider" },
	st_msg_c = { "wayland", "messages_to_consumer", "pvx_link_wayland_messages_total", "counter",
		     "Wayland messages relayed (wayland links).", "to_consumer" },
	st_hidden = { "wayland", "globals_hidden", "pvx_link_wayland_globals_hidden_total", "counter",
		      "Global announcements a wayland link did not show its client.", NULL },
	st_refused = { "wayland", "binds_refused", "pvx_link_wayland_binds_refused_total", "counter",
		       "Binds a wayland link refused (hidden or unknown globals).", NULL };
static const struct pvx_stat *const wl_stats_list[] = { &st_msg_p, &st_msg_c, &st_hidden, &st_refused,
							NULL };

static void wl_describe(const struct pvx_link *l, struct pvx_stats_sink *out)
{
	static const struct wl_stats none;
	const struct wl_stats *st = link_type_stats_peek(l, &pvx_plugin_wayland);
	if (!st)
		st = &none;
	pvx_stats_fact(out, "wayland_path", l->planted.priv ? "secctx" : "filter");
	pvx_stats_value(out, &st_msg_p, st->messages_to_provider);
	pvx_stats_value(out, &st_msg_c, st->messages_to_consumer);
	pvx_stats_value(out, &st_hidden, st->globals_hidden);
	pvx_stats_value(out, &st_refused, st->binds_refused);
}

static void fds_close(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

static void *wl_open(struct pvx_link *l)
{
	struct wl_state *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	if (l->spec.globals && !(w->globals = strdup(l->spec.globals))) {
		free(w);
		return NULL;
	}
	w->link = l;
	wl_objects_init(&w->objs);
	wl_policy_registry_init(&w->reg, w->globals);
	return w;
}

static void wl_close(void *st)
{
	struct wl_state *w = st;
	fds_close(w->up.fds, w->up.nfds);
	fds_close(w->down.fds, w->down.nfds);
	wl_objects_free(&w->objs);
	wl_policy_registry_free(&w->reg);
	free(w->globals);
	free(w);
}

static void wl_start(void *st, struct relay_session *s)
{
	((struct wl_state *)st)->s = s;
}

/* The client did something the protocol or the link forbids: it is told
 * why with wl_display.error on object, then closed. */
static void client_error(struct wl_state *w, uint32_t object, uint32_t code, const char *why)
{
	unsigned char buf[WL_HEADER_SIZE + 12 + 260];
	size_t n = wl_display_error(buf, sizeof(buf), object, code, why);
	char msg[300];
	snprintf(msg, sizeof(msg), "wayland: client: %s", why);
	if (relay_send(w->s, false, (const char *)buf, n, NULL, 0))
		relay_finish(w->s, msg);
}

static void compositor_error(struct wl_state *w, const char *why)
{
	char msg[300];
	snprintf(msg, sizeof(msg), "wayland: compositor: %s", why);
	relay_fail(w->s, msg);
}

enum verdict { V_PASS, V_DROP, V_CLOSED };

/* Decides on one whole message of direction up (client -> compositor) or
 * down. */
static enum verdict judge(struct wl_state *w, bool up, const unsigned char *p, const struct wl_header *h)
{
	struct wl_dir *d = up ? &w->up : &w->down;
	struct wl_msg m;
	const char *why = wl_msg_read(&w->objs, up, p, h, &m);
	if (why) {
		if (up)
			client_error(w, h->object, WL_DISPLAY_ERROR_INVALID_METHOD, why);
		else
			compositor_error(w, why);
		return V_CLOSED;
	}
	if (!m.known) {
		d->fds_excused = d->fds_in;
	} else if (m.nfds) {
		if (d->fds_in - d->fds_claimed < m.nfds) {
			char text[160];
			snprintf(text, sizeof(text), "%s.%s came without its file descriptors",
				 wl_iface_name(m.iface), m.name);
			if (up)
				client_error(w, h->object, WL_DISPLAY_ERROR_INVALID_METHOD, text);
			else
				compositor_error(w, text);
			return V_CLOSED;
		}
		d->fds_claimed += m.nfds;
	}
	if (m.iface != WL_IF_REGISTRY || !m.known)
		return V_PASS;
	struct wl_stats *stats = wl_stats(w->link);
	if (up) { /* bind(name, interface, version, id) */
		char text[300];
		if (!wl_policy_bind(&w->reg, m.args[0].u, m.args[1].s, m.args[2].u, text, sizeof(text)))
			return V_PASS;
		stats->binds_refused++;
		client_error(w, h->object, WL_DISPLAY_ERROR_INVALID_OBJECT, text);
		return V_CLOSED;
	}
	if (h->opcode == 0) { /* global(name, interface, version) */
		if (m.args[1].s && wl_policy_global(&w->reg, m.args[0].u, m.args[1].s, m.args[2].u))
			return V_PASS;
		stats->globals_hidden++;
		return V_DROP;
	}
	return wl_policy_global_remove(&w->reg, m.args[0].u) ? V_PASS : V_DROP;
}

/* Sends bytes one way with every fd read so far; false: closed. */
static bool forward(struct wl_state *w, bool up, const unsigned char *p, size_t n)
{
	struct wl_dir *d = up ? &w->up : &w->down;
	if (n == 0)
		return true;
	int k = d->nfds;
	d->nfds = 0;
	return relay_send(w->s, up, (const char *)p, n, d->fds, k);
}

static void count(struct wl_state *w, bool up)
{
	struct wl_stats *st = wl_stats(w->link);
	if (up)
		st->messages_to_provider++;
	else
		st->messages_to_consumer++;
}

/* Frames what a read brought one way. */
static void frame(struct wl_state *w, bool up, const unsigned char *in, size_t n)
{
	struct wl_dir *d = up ? &w->up : &w->down;
	struct wl_header h;
	const char *why;

	/* First the end of a message an earlier read cut. */
	if (d->have) {
		size_t need = d->have < WL_HEADER_SIZE ? WL_HEADER_SIZE : 0;
		if (need) {
			size_t k = need - d->have < n ? need - d->have : n;
			memcpy(d->part + d->have, in, k);
			d->have += k;
			in += k;
			n -= k;
			if (d->have < WL_HEADER_SIZE)
				return;
		}
		if ((why = wl_header_read(d->part, &h))) {
			if (up)
				client_error(w, h.object, WL_DISPLAY_ERROR_INVALID_METHOD, why);
			else
				compositor_error(w, why);
			return;
		}
		size_t k = h.size - d->have < n ? h.size - d->have : n;
		memcpy(d->part + d->have, in, k);
		d->have += k;
		in += k;
		n -= k;
		if (d->have < h.size)
			return;
		d->have = 0;
		enum verdict v = judge(w, up, d->part, &h);
		if (v == V_CLOSED)
			return;
		count(w, up);
		if (v == V_PASS && !forward(w, up, d->part, h.size))
			return;
	}

	/* Then whole messages, forwarded in runs from the read's buffer. */
	size_t off = 0, run = 0;
	while (n - off >= WL_HEADER_SIZE) {
		if ((why = wl_header_read(in + off, &h))) {
			if (!forward(w, up, in + run, off - run))
				return;
			if (up)
				client_error(w, h.object, WL_DISPLAY_ERROR_INVALID_METHOD, why);
			else
				compositor_error(w, why);
			return;
		}
		if (h.size > n - off)
			break;
		/* Only messages on the display, registries and known objects
		 * are read; the lookup is the whole cost of the others. */
		enum verdict v = judge(w, up, in + off, &h);
		if (v == V_CLOSED) {
			return;
		}
		count(w, up);
		if (v == V_DROP) {
			if (!forward(w, up, in + run, off - run))
				return;
			run = off + h.size;
		}
		off += h.size;
	}
	if (!forward(w, up, in + run, off - run))
		return;
	memcpy(d->part, in + off, n - off);
	d->have = n - off;
}

static void wl_feed(void *st, bool up, const char *in, size_t n, int *fds, int nfds)
{
	struct wl_state *w = st;
	struct wl_dir *d = up ? &w->up : &w->down;
	if (!in)
		return; /* EOF: the relay closes its side */
	if (d->nfds + nfds > PVX_MAX_FDS) {
		fds_close(fds, nfds);
		if (up)
			client_error(w, WL_DISPLAY_ID, WL_DISPLAY_ERROR_IMPLEMENTATION,
				     "too many file descriptors ahead of their messages");
		else
			compositor_error(w, "too many file descriptors ahead of their messages");
		return;
	}
	memcpy(d->fds + d->nfds, fds, sizeof(int) * (size_t)nfds);
	d->nfds += nfds;
	d->fds_in += (uint64_t)nfds;
	uint64_t taken = d->fds_claimed > d->fds_excused ? d->fds_claimed : d->fds_excused;
	if (d->fds_in - taken > WL_MAX_UNCLAIMED_FDS) {
		if (up)
			client_error(w, WL_DISPLAY_ID, WL_DISPLAY_ERROR_IMPLEMENTATION,
				     "too many file descriptors no message takes");
		else
			compositor_error(w, "too many file descriptors no message takes");
		return;
	}
	frame(w, up, (const unsigned char *)in, n);
}

static const struct relay_filter wayland_filter = {
	.open = wl_open,
	.close = wl_close,
	.start = wl_start,
	.feed = wl_feed,
};

/* ---- security context registration (worker) ----------------------- */

#define SECCTX_IFACE "wp_security_context_manager_v1"
/* Seconds each read or write of the registration may wait. */
#define SECCTX_TIMEOUT 2
/* Object ids of the registration's own connection. */
enum { ID_REGISTRY = 2, ID_SYNC1, ID_MANAGER, ID_CONTEXT, ID_SYNC2 };

/* What a registered link keeps (l->planted.priv): the write end of the
 * pipe whose read end the compositor watches. */
struct wl_planted {
	int close_w;
};

struct wl_out {
	unsigned char b[1024];
	size_t n;
	uint32_t obj;
	uint16_t op;
	size_t start;
};

static void out_begin(struct wl_out *o, uint32_t obj, uint16_t op)
{
	o->start = o->n;
	o->obj = obj;
	o->op = op;
	o->n += WL_HEADER_SIZE;
}

static void out_u(struct wl_out *o, uint32_t w)
{
	memcpy(o->b + o->n, &w, 4);
	o->n += 4;
}

static void out_s(struct wl_out *o, const char *s)
{
	uint32_t len = (uint32_t)strlen(s) + 1;
	out_u(o, len);
	memcpy(o->b + o->n, s, len);
	memset(o->b + o->n + len, 0, (4 - len % 4) % 4);
	o->n += (len + 3) & ~3u;
}

static void out_end(struct wl_out *o)
{
	wl_header_write(o->b + o->start, o->obj, o->op, (uint16_t)(o->n - o->start));
}

/* Reads events until the callback `until` is done.  1 when done, -errno
 * with why set on an error event, EOF or timeout; *mgr and *mgr_version: the
 * manager's global when announced. */
static int secctx_read(int fd, struct wl_objects *objs, uint32_t until, uint32_t *mgr,
		       uint32_t *mgr_version, char *why, size_t n)
{
	unsigned char buf[16384];
	size_t have = 0;
	for (;;) {
		ssize_t r = recv(fd, buf + have, sizeof(buf) - have, 0);
		if (r <= 0) {
			snprintf(why, n, "security context: compositor %s",
				 r == 0 ? "closed the connection" : strerror(errno));
			return r == 0 ? -ECONNRESET : -errno;
		}
		have += (size_t)r;
		size_t off = 0;
		struct wl_header h;
		while (have - off >= WL_HEADER_SIZE) {
			const char *bad = wl_header_read(buf + off, &h);
			if (bad) {
				snprintf(why, n, "security context: compositor sent %s", bad);
				return -EPROTO;
			}
			if (h.size > have - off)
				break;
			struct wl_msg m;
			bad = wl_msg_read(objs, false, buf + off, &h, &m);
			if (bad) {
				snprintf(why, n, "security context: compositor sent %s", bad);
				return -EPROTO;
			}
			if (m.known && m.iface == WL_IF_DISPLAY && h.opcode == 0) {
				snprintf(why, n, "security context: compositor error %u: %.100s",
					 (unsigned)m.args[1].u, m.args[2].s ? m.args[2].s : "");
				return -EPROTO;
			}
			if (m.known && m.iface == WL_IF_REGISTRY && h.opcode == 0 && m.args[1].s &&
			    strcmp(m.args[1].s, SECCTX_IFACE) == 0) {
				*mgr = m.args[0].u;
				*mgr_version = m.args[2].u;
			}
			if (h.object == until)
				return 1;
			off += h.size;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
		if (have == sizeof(buf)) {
			snprintf(why, n, "security context: compositor message too long");
			return -EPROTO;
		}
	}
}

/* 1: the link's listener is registered and *close_w is the pipe's write
 * end; 0: the compositor offers no security context manager; -errno with
 * why set. */
static int secctx_register(const struct pvx_link_spec *spec, int listen_fd, int *close_w, char *why,
			   size_t n)
{
	_cleanup_close_ int fd = stream_provider_connect(spec, why, n);
	if (fd < 0)
		return fd;
	struct timeval tv = { .tv_sec = SECCTX_TIMEOUT };
	if (fcntl(fd, F_SETFL, 0) < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return snprintf(why, n, "security context: %s", strerror(errno)), -errno;

	struct wl_objects objs;
	wl_objects_init(&objs);
	struct wl_out o = { .n = 0 };
	out_begin(&o, WL_DISPLAY_ID, 1); /* get_registry */
	out_u(&o, ID_REGISTRY);
	out_end(&o);
	out_begin(&o, WL_DISPLAY_ID, 0); /* sync */
	out_u(&o, ID_SYNC1);
	out_end(&o);
	/* Our own requests, so that the map knows the registry. */
	struct wl_header h;
	struct wl_msg m;
	for (size_t off = 0; off < o.n; off += h.size) {
		wl_header_read(o.b + off, &h);
		wl_msg_read(&objs, true, o.b + off, &h, &m);
	}
	uint32_t mgr = 0, mgr_version = 0;
	int r = send(fd, o.b, o.n, MSG_NOSIGNAL) == (ssize_t)o.n ? 0 : -errno;
	if (r < 0)
		snprintf(why, n, "security context: %s", strerror(-r));
	else
		r = secctx_read(fd, &objs, ID_SYNC1, &mgr, &mgr_version, why, n);
	if (r < 0 || !mgr) {
		wl_objects_free(&objs);
		return r < 0 ? r : 0;
	}

	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		wl_objects_free(&objs);
		return snprintf(why, n, "security context: pipe: %s", strerror(errno)), -errno;
	}
	o.n = 0;
	out_begin(&o, ID_REGISTRY, 0); /* bind */
	out_u(&o, mgr);
	out_s(&o, SECCTX_IFACE);
	out_u(&o, 1);
	out_u(&o, ID_MANAGER);
	out_end(&o);
	out_begin(&o, ID_MANAGER, 1); /* create_listener(id, listen_fd, close_fd) */
	out_u(&o, ID_CONTEXT);
	out_end(&o);
	out_begin(&o, ID_CONTEXT, 1); /* set_sandbox_engine */
	out_s(&o, "pv-xconnect");
	out_end(&o);
	out_begin(&o, ID_CONTEXT, 2); /* set_app_id */
	out_s(&o, spec->consumer);
	out_end(&o);
	out_begin(&o, ID_CONTEXT, 3); /* set_instance_id */
	out_s(&o, spec->name);
	out_end(&o);
	out_begin(&o, ID_CONTEXT, 4); /* commit */
	out_end(&o);
	out_begin(&o, WL_DISPLAY_ID, 0); /* sync */
	out_u(&o, ID_SYNC2);
	out_end(&o);
	for (size_t off = 0; off < o.n; off += h.size) {
		wl_header_read(o.b + off, &h);
		wl_msg_read(&objs, true, o.b + off, &h, &m);
	}
	int fds[2] = { listen_fd, pfd[0] };
	r = pvx_send_fds(fd, o.b, o.n, fds, 2, MSG_NOSIGNAL) == (ssize_t)o.n ? 0 : -errno;
	close(pfd[0]);
	if (r < 0)
		snprintf(why, n, "security context: %s", strerror(-r));
	else
		r = secctx_read(fd, &objs, ID_SYNC2, &mgr, &mgr_version, why, n);
	wl_objects_free(&objs);
	if (r < 0) {
		close(pfd[1]);
		return r;
	}
	*close_w = pfd[1];
	return 1;
}

static int wl_plant(const struct pvx_link_spec *spec, struct pvx_planted *p, char *why, size_t n)
{
	const char *bad = spec->globals ? wl_policy_list_problem(spec->globals) : NULL;
	if (bad) {
		snprintf(why, n, "globals '%.200s' %s", spec->globals, bad);
		return PVX_REFUSED;
	}
	int r = stream_plant(spec, p, why, n);
	if (r != 0 || spec->globals)
		return r;
	/* No list of our own: the compositor decides, if it can. */
	char swhy[200];
	int close_w = -1;
	int s = secctx_register(spec, p->fd, &close_w, swhy, sizeof(swhy));
	struct wl_planted *wp = s > 0 ? malloc(sizeof(*wp)) : NULL;
	if (wp) {
		wp->close_w = close_w;
		p->priv = wp;
	} else if (s > 0) {
		close(close_w);
	} else if (s < 0) {
		log_warn("wayland link %s/%s: %s; the link filters instead", spec->consumer, spec->name,
			 swhy);
	}
	return 0;
}

/* A registered link's listener is the compositor's to accept on. */
static int wl_adopt(struct pvx_link *l, char *why, size_t n)
{
	if (!l->planted.priv)
		return stream_adopt(l, why, n);
	l->live = l->planted.priv;
	return 0;
}

static void wl_release(struct pvx_link *l)
{
	struct wl_planted *wp = l->planted.priv;
	if (!wp) {
		stream_release(l);
		return;
	}
	/* The pipe's hangup tells the compositor to stop accepting. */
	wp->close_w = safe_close(wp->close_w);
	l->planted.fd = safe_close(l->planted.fd);
}

static void wl_remove(struct pvx_planted *p)
{
	struct wl_planted *wp = p->priv;
	if (wp) {
		safe_close(wp->close_w);
		free(wp);
		p->priv = NULL;
	}
	stream_remove(p);
}

const struct pvx_plugin pvx_plugin_wayland = {
	.type = "wayland",
	.plant = wl_plant,
	.adopt = wl_adopt,
	.release = wl_release,
	.remove = wl_remove,
	.probe = stream_probe,
	.filter = &wayland_filter,
	.describe = wl_describe,
	.stats = wl_stats_list,
	.stats_size = sizeof(struct wl_stats),
};
