/* dbus links: the consumer talks to the provider's bus under the identity
 * the link's role maps to, never the one it claims.
 *
 * Identity.  dbus-daemon believes the kernel (SO_PEERCRED), not the SASL
 * text, so the connection to the bus is made by a child process running as
 * the mapped uid (policy/identity.h, pvx_ns_connect_as).  Both SASL
 * exchanges, the proxy's own with the bus and the client's with the proxy,
 * are decided by policy/sasl.h, a function from bytes to bytes and a
 * verdict; this file only moves what it returns and keeps the fds that
 * arrive meanwhile.  A client's bytes never reach the bus before its BEGIN,
 * and nothing of its authentication ever does.
 *
 * Messages.  After BEGIN both directions are framed (parsers/dbus_msg.h) to
 * count messages and to keep injected replies on message boundaries; fds
 * travel with the bytes they came with.  When the link's interface names a
 * bus name, what the consumer sends is filtered and what the bus sends is
 * watched by policy/dbus.h: which calls pass, the owner of the name, each
 * outstanding call by serial, a reused serial refused.  A refused message
 * is dropped with its fds, and a method call expecting a reply gets
 * org.freedesktop.DBus.Error.AccessDenied (or LimitsExceeded) from the
 * proxy. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <dbus/dbus.h>

#include "policy/dbus.h"
#include "policy/identity.h"
#include "policy/sasl.h"
#include "lib/log.h"
#include "lib/ns.h"
#include "lib/stats.h"
#include "lib/util.h"
#include "parsers/dbus_msg.h"
#include "fsm/plugin.h"
#include "plugins/registry.h"
#include "relay/relay.h"
#include "plugins/stream.h"

#define BUS_DRIVER DBUS_DRIVER_NAME
/* Filtered messages are collected up to the end of their header (and for
 * the few the filter reads, their body: DBUS_MAX_NAME_BODY): far above any
 * real header. */
#define MAX_HEADER (64 * 1024)
#define MAX_FDS PVX_MAX_FDS

enum frame_stage { FR_FIXED, FR_COLLECT, FR_STREAM };

/* One direction's message framing. */
struct framer {
	enum frame_stage stage;
	unsigned char fixed[DBUS_FIXED_HEADER];
	size_t have;             /* bytes of fixed collected */
	struct dbus_frame f;
	struct pvx_buf head;     /* collected message start (filtered only) */
	size_t need;             /* collect up to this many bytes */
	uint64_t left;           /* bytes of the current message still to come */
	bool drop;               /* the current message is refused */
	uint32_t fds_owed;       /* fds the current message still has to take */
	int fdq[MAX_FDS];        /* fds read, not yet sent */
	int nfdq;
};

struct dbus_state {
	struct pvx_link *link;
	struct relay_session *s;
	bool filtered;           /* the link's interface names one bus name */
	struct sasl_dialogue *sasl; /* authentication; NULL once both sides
				     * are past it */
	struct framer to_bus, to_client;
	struct pvx_buf out;      /* bytes about to be sent one way */
	int out_fds[MAX_FDS];
	int nout_fds;
	struct pvx_buf replies;  /* proxy answers waiting for a boundary */
	uint32_t serial;         /* of the proxy's own messages */
	struct dbus_policy policy; /* filtered links: the name filter, the
				    * owner of the name, outstanding calls */
};

/* The link's dbus counters (fsm/plugin.h describe), kept with the link. */
struct dbus_stats {
	uint64_t messages_to_provider, messages_to_consumer;
	uint64_t denied; /* refused by the link's filter */
	unsigned uid;    /* of the latest connection to the bus */
};

static struct dbus_stats *dbus_stats(struct pvx_link *l)
{
	static struct dbus_stats uncounted; /* out of memory, or a test's link */
	struct dbus_stats *st = link_type_stats(l, &pvx_plugin_dbus);
	return st ? st : &uncounted;
}

static void dbus_connected(struct pvx_link *l, unsigned uid)
{
	dbus_stats(l)->uid = uid;
}

static const struct pvx_stat
	st_msg_p = { "dbus", "messages_to_provider", "pvx_link_dbus_messages_total", "counter",
		     "D-Bus messages relayed (dbus links).", "to_provider" },
	st_msg_c = { "dbus", "messages_to_consumer", "pvx_link_dbus_messages_total", "counter",
		     "D-Bus messages relayed (dbus links).", "to_consumer" },
	st_denied = { "dbus", "denied", "pvx_link_dbus_denied_total", "counter",
		      "D-Bus messages the link's filter refused (dbus links).", NULL },
	st_uid = { "dbus", "uid", NULL, NULL, NULL, NULL };
static const struct pvx_stat *const dbus_stats_list[] = { &st_msg_p, &st_msg_c, &st_denied, NULL };

static void dbus_describe(const struct pvx_link *l, struct pvx_stats_sink *out)
{
	static const struct dbus_stats none;
	const struct dbus_stats *st = link_type_stats_peek(l, &pvx_plugin_dbus);
	if (!st)
		st = &none;
	pvx_stats_value(out, &st_msg_p, st->messages_to_provider);
	pvx_stats_value(out, &st_msg_c, st->messages_to_consumer);
	pvx_stats_value(out, &st_denied, st->denied);
	pvx_stats_value(out, &st_uid, st->uid);
}

static void fds_close(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

static void framer_free(struct framer *f)
{
	pvx_buf_free(&f->head);
	fds_close(f->fdq, f->nfdq);
	f->nfdq = 0;
}

static void *dbus_open(struct pvx_link *l)
{
	struct dbus_state *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->sasl = sasl_dialogue_new(dbus_stats(l)->uid);
	if (!d->sasl) {
		free(d);
		return NULL;
	}
	d->link = l;
	d->filtered = strcmp(l->spec.interface, "dbus") != 0;
	if (d->filtered)
		dbus_policy_init(&d->policy, l->spec.interface);
	return d;
}

static void dbus_close(void *st)
{
	struct dbus_state *d = st;
	sasl_dialogue_free(d->sasl);
	framer_free(&d->to_bus);
	framer_free(&d->to_client);
	pvx_buf_free(&d->out);
	fds_close(d->out_fds, d->nout_fds);
	pvx_buf_free(&d->replies);
	free(d);
}

static bool fail(struct dbus_state *d, const char *why)
{
	char msg[200];
	snprintf(msg, sizeof(msg), "dbus: %s", why);
	relay_fail(d->s, msg);
	return false;
}

/* Sends what d->out holds one way, with the fds gathered for it. */
static bool flush_out(struct dbus_state *d, bool to_bus)
{
	if (d->out.len == 0)
		return true;
	int n = d->nout_fds;
	d->nout_fds = 0;
	bool ok = relay_send(d->s, to_bus, d->out.data, d->out.len, d->out_fds, n);
	pvx_buf_reset(&d->out);
	return ok;
}

static bool emit(struct dbus_state *d, const void *p, size_t n)
{
	return pvx_buf_append(&d->out, p, n) == 0 || fail(d, "out of memory");
}

/* Queues fds read with bytes of f's direction until their message goes
 * out. */
static bool queue_fds(struct dbus_state *d, struct framer *f, int *fds, int nfds)
{
	if (nfds == 0)
		return true;
	if (f->nfdq + nfds > MAX_FDS) {
		fds_close(fds, nfds);
		return fail(d, "too many file descriptors ahead of their messages");
	}
	memcpy(f->fdq + f->nfdq, fds, sizeof(int) * (size_t)nfds);
	f->nfdq += nfds;
	return true;
}

/* Moves up to n queued fds of f to the output (or closes them); returns
 * how many. */
static uint32_t take_fds(struct dbus_state *d, struct framer *f, uint32_t n, bool keep)
{
	int k = n < (uint32_t)f->nfdq ? (int)n : f->nfdq;
	if (keep && d->nout_fds + k > MAX_FDS)
		keep = false; /* cannot happen: fds come MAX_FDS per read */
	if (keep)
		memcpy(d->out_fds + d->nout_fds, f->fdq, sizeof(int) * (size_t)k);
	else
		fds_close(f->fdq, k);
	if (keep)
		d->nout_fds += k;
	f->nfdq -= k;
	memmove(f->fdq, f->fdq + k, sizeof(int) * (size_t)f->nfdq);
	return (uint32_t)k;
}

/* ---- the filter (policy/dbus.h) ----------------------------------- */

/* Queues the proxy's error for a refused call: AccessDenied (not allowed
 * here, or its serial is that of an outstanding call), LimitsExceeded (too
 * many outstanding calls). */
static void deny_reply(struct dbus_state *d, const struct framer *fr, const struct dbus_fields *h,
		       enum dbus_verdict v)
{
	if (fr->f.type != DBUS_MSG_METHOD_CALL || (fr->f.flags & DBUS_FLAG_NO_REPLY_EXPECTED))
		return;
	char text[600];
	const char *error = v == DBUS_FULL ? DBUS_ERROR_LIMITS_EXCEEDED : DBUS_ERROR_ACCESS_DENIED;
	if (v == DBUS_REUSED)
		snprintf(text, sizeof(text), "pv-xconnect: serial %u is that of a call still waiting for its reply",
			 (unsigned)fr->f.serial);
	else if (v == DBUS_FULL)
		snprintf(text, sizeof(text), "pv-xconnect: %d calls already wait for their reply",
			 DBUS_MAX_PENDING);
	else
		snprintf(text, sizeof(text), "pv-xconnect: %s.%s on %s is not allowed on this link (only %s)",
			 h->interface ? h->interface : "(no interface)", h->member,
			 h->destination ? h->destination : "(no destination)", d->policy.allowed);
	const char *tp = text;
	/* Names the client chose are not necessarily UTF-8; the reply text
	 * must be, or libdbus refuses to build it. */
	if (!dbus_validate_utf8(text, NULL))
		tp = "pv-xconnect: not allowed on this link";
	DBusMessage *m = dbus_message_new(DBUS_MESSAGE_TYPE_ERROR);
	char *wire = NULL;
	int len = 0;
	if (m && dbus_message_set_error_name(m, error) &&
	    dbus_message_set_reply_serial(m, fr->f.serial) && dbus_message_set_sender(m, BUS_DRIVER) &&
	    dbus_message_append_args(m, DBUS_TYPE_STRING, &tp, DBUS_TYPE_INVALID)) {
		dbus_message_set_no_reply(m, TRUE);
		dbus_message_set_serial(m, ++d->serial ? d->serial : ++d->serial);
		if (dbus_message_marshal(m, &wire, &len))
			pvx_buf_append(&d->replies, wire, (size_t)len);
	}
	if (m)
		dbus_message_unref(m);
	dbus_free(wire);
}

/* ---- framing ------------------------------------------------------- */

static bool at_boundary(const struct framer *f)
{
	return f->stage == FR_FIXED && f->have == 0;
}

/* The current message of f is complete. */
static bool message_done(struct dbus_state *d, struct framer *f, bool to_bus)
{
	if (f->fds_owed)
		f->fds_owed -= take_fds(d, f, f->fds_owed, !f->drop);
	if (f->fds_owed)
		return fail(d, "a message came without the file descriptors it announced");
	f->stage = FR_FIXED;
	f->have = 0;
	f->drop = false;
	pvx_buf_reset(&f->head);
	if (to_bus)
		dbus_stats(d->link)->messages_to_provider++;
	else
		dbus_stats(d->link)->messages_to_consumer++;
	return true;
}

/* A filtered message's collected start is complete: decide on it (to the
 * bus) or look at it (to the client). */
static bool judge(struct dbus_state *d, struct framer *f, bool to_bus)
{
	struct dbus_fields h;
	const char *why = dbus_fields_read((const unsigned char *)f->head.data, &f->f, &h);
	if (why)
		return fail(d, why);
	const unsigned char *body = f->head.len == f->f.total
					    ? (const unsigned char *)f->head.data + f->f.header_len
					    : NULL;
	enum dbus_verdict v = to_bus ? dbus_policy_call(&d->policy, &f->f, &h, body)
				     : dbus_policy_bus(&d->policy, &f->f, &h, body);
	if (v == DBUS_NEED_BODY) {
		f->need = f->f.total;
		return true;
	}
	f->drop = v != DBUS_ALLOW;
	f->fds_owed = h.unix_fds;
	if (f->drop) {
		dbus_stats(d->link)->denied++;
		log_debug("link %s: denied %s.%s to %s (serial %u%s)", link_key(d->link),
			  h.interface ? h.interface : "-", h.member ? h.member : "-",
			  h.destination ? h.destination : "-", (unsigned)f->f.serial,
			  v == DBUS_REUSED ? ", reused while outstanding"
			  : v == DBUS_FULL ? ", too many outstanding calls" : "");
		deny_reply(d, f, &h, v);
	} else if (!emit(d, f->head.data, f->head.len)) {
		return false;
	}
	f->fds_owed -= take_fds(d, f, f->fds_owed, !f->drop);
	f->left = f->f.total - f->head.len;
	f->stage = FR_STREAM;
	return f->left || message_done(d, f, to_bus);
}

/* Frames n bytes of one direction into d->out. */
static bool frame(struct dbus_state *d, bool to_bus, const unsigned char *p, size_t n)
{
	struct framer *f = to_bus ? &d->to_bus : &d->to_client;
	bool filtered = d->filtered;

	while (n > 0) {
		size_t k;
		switch (f->stage) {
		case FR_FIXED:
			k = DBUS_FIXED_HEADER - f->have;
			k = k < n ? k : n;
			memcpy(f->fixed + f->have, p, k);
			f->have += k;
			p += k;
			n -= k;
			if (f->have < DBUS_FIXED_HEADER)
				break;
			const char *why = dbus_frame_read(f->fixed, &f->f);
			if (why)
				return fail(d, why);
			if (filtered) {
				if (f->f.header_len > MAX_HEADER)
					return fail(d, "message header over 64 KiB");
				if (pvx_buf_append(&f->head, f->fixed, DBUS_FIXED_HEADER) < 0)
					return fail(d, "out of memory");
				f->need = f->f.header_len;
				f->stage = FR_COLLECT;
				break;
			}
			if (!emit(d, f->fixed, DBUS_FIXED_HEADER))
				return false;
			f->left = f->f.total - DBUS_FIXED_HEADER;
			f->stage = FR_STREAM;
			if (!f->left && !message_done(d, f, to_bus))
				return false;
			break;
		case FR_COLLECT:
			k = f->need - f->head.len;
			k = k < n ? k : n;
			if (pvx_buf_append(&f->head, p, k) < 0)
				return fail(d, "out of memory");
			p += k;
			n -= k;
			if (f->head.len == f->need && !judge(d, f, to_bus))
				return false;
			break;
		case FR_STREAM:
			k = f->left < n ? (size_t)f->left : n;
			if (!f->drop && !emit(d, p, k))
				return false;
			p += k;
			n -= k;
			f->left -= k;
			if (!f->left && !message_done(d, f, to_bus))
				return false;
			break;
		}
	}
	return true;
}

/* Frames and sends bytes (and the fds read with them) one way; proxy
 * answers go to the client between its messages.  Called only once both
 * sides are past authentication. */
static bool pass(struct dbus_state *d, bool to_bus, const char *in, size_t n, int *fds, int nfds)
{
	struct framer *f = to_bus ? &d->to_bus : &d->to_client;
	if (!queue_fds(d, f, fds, nfds))
		return false;
	if (!frame(d, to_bus, (const unsigned char *)in, n))
		return false;
	/* Unfiltered, fds go with the next bytes out: ahead of, or with,
	 * the message they belong to. */
	if (!d->filtered && d->out.len)
		take_fds(d, f, (uint32_t)f->nfdq, true);
	if (!flush_out(d, to_bus))
		return false;
	if (d->replies.len && at_boundary(&d->to_client)) {
		bool ok = relay_send(d->s, false, d->replies.data, d->replies.len, NULL, 0);
		pvx_buf_reset(&d->replies);
		return ok;
	}
	return true;
}

/* ---- authentication (policy/sasl.h) ------------------------------ */

/* Acts on one step of the dialogue: its answers to the client, then the
 * verdict.  Done, the bus's early bytes go first, then the client's first
 * message bytes; the dialogue is freed. */
static void sasl_act(struct dbus_state *d, const struct sasl_step *st)
{
	if (st->n_to_client && !relay_send(d->s, false, st->to_client, st->n_to_client, NULL, 0))
		return;
	if (st->claimed_uid >= 0 && (unsigned long)st->claimed_uid != dbus_stats(d->link)->uid)
		log_debug("link %s: a client named uid %ld, the bus sees uid %u", link_key(d->link),
			  st->claimed_uid, dbus_stats(d->link)->uid);
	switch (st->verdict) {
	case SASL_MORE:
		relay_hold_consumer(d->s, st->hold_client);
		return;
	case SASL_REFUSED:
		fail(d, st->why);
		return;
	case SASL_DONE:
		break;
	}
	/* Messages from now on.  The dialogue lives until its bytes are
	 * passed (st points into it); pass() may fail the session and free
	 * d, so d is not touched after a failed pass. */
	struct sasl_dialogue *sd = d->sasl;
	d->sasl = NULL;
	relay_hold_consumer(d->s, false);
	if (!st->n_bus_msgs || pass(d, false, st->bus_msgs, st->n_bus_msgs, NULL, 0))
		pass(d, true, st->client_msgs, st->n_client_msgs, NULL, 0);
	sasl_dialogue_free(sd);
}

static void dbus_feed(void *st, bool to_bus, const char *in, size_t n, int *fds, int nfds)
{
	struct dbus_state *d = st;
	if (!in) {
		if (!to_bus && d->sasl && !sasl_dialogue_bus_done(d->sasl))
			link_error(d->link, 0,
				   "dbus: the bus hung up during authentication as uid %u "
				   "(does its policy let that user connect?)",
				   dbus_stats(d->link)->uid);
		return;
	}
	if (!d->sasl) {
		pass(d, to_bus, in, n, fds, nfds);
		return;
	}
	/* Authenticating: only messages carry fds; keep them for the ones
	 * that follow a pipelined BEGIN. */
	if (!queue_fds(d, to_bus ? &d->to_bus : &d->to_client, fds, nfds))
		return;
	struct sasl_step step;
	if (to_bus)
		sasl_dialogue_client(d->sasl, in, n, &step);
	else
		sasl_dialogue_bus(d->sasl, in, n, &step);
	sasl_act(d, &step);
}

static void dbus_start(void *st, struct relay_session *s)
{
	struct dbus_state *d = st;
	d->s = s;
	struct sasl_step step;
	sasl_dialogue_start(d->sasl, &step);
	relay_send(s, true, step.to_bus, step.n_to_bus, NULL, 0);
}

static const struct relay_filter dbus_filter = {
	.open = dbus_open,
	.close = dbus_close,
	.start = dbus_start,
	.feed = dbus_feed,
};

/* The connection to the bus, made as the uid the role maps to (on a
 * worker: the role is looked up in the provider's passwd). */
static int dbus_connect(const struct pvx_link_spec *spec, int sockfd, unsigned *uid)
{
	struct pvx_cred c;
	pvx_identity_resolve(spec, &c);
	*uid = c.uid;
	return pvx_ns_connect_as(sockfd, c.uid, c.gid, c.groups, c.ngroups);
}

static int dbus_plant(const struct pvx_link_spec *spec, struct pvx_planted *p, char *why, size_t n)
{
	const char *name = spec->interface;
	if (strcmp(name, "dbus") != 0 && !dbus_validate_bus_name(name, NULL)) {
		snprintf(why, n, "interface '%s' is neither 'dbus' nor a D-Bus name", name);
		return PVX_REFUSED;
	}
	return stream_plant(spec, p, why, n);
}

const struct pvx_plugin pvx_plugin_dbus = {
	.type = "dbus",
	.plant = dbus_plant,
	.adopt = stream_adopt,
	.release = stream_release,
	.remove = stream_remove,
	.probe = stream_probe,
	.connect = dbus_connect,
	.connected = dbus_connected,
	.filter = &dbus_filter,
	.describe = dbus_describe,
	.stats = dbus_stats_list,
	.stats_size = sizeof(struct dbus_stats),
};
