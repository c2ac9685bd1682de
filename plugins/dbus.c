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
 * travel with the bytes they came with.  When the link has a policy (its
 * "policy" object, or an interface naming a bus name: talk to it), both
 * directions are decided by policy/dbus_filter.h, message by message.  A
 * refused message is dropped with its fds; a method call expecting a
 * reply gets org.freedesktop.DBus.Error.AccessDenied naming the rule that
 * would allow it (or LimitsExceeded), a query about a name the link may
 * not see is answered as if the name had no owner, and a ListNames reply
 * is cut to the names the link may see.  Each distinct (link, missing
 * rule) is logged once and counted (GET /denials, pvxctl denials). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <dbus/dbus.h>
#include <jansson.h>

#include "policy/dbus_filter.h"
#include "parsers/dbus_rules.h"
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
#include "plugins/dbus.h"
#include "plugins/stream.h"
#include "plugins/dbus_hosted.h"
#include "plugins/dbus_activate.h"
#include "policy/activation.h"

#define BUS_DRIVER DF_DRIVER
/* Filtered messages are collected up to the end of their header (and for
 * the few the filter reads, their body: DF_MAX_BODY): far above any
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
	bool filtered;           /* the link has a policy */
	struct sasl_dialogue *sasl; /* authentication; NULL once both sides
				     * are past it */
	struct framer to_bus, to_client;
	struct pvx_buf out;      /* bytes about to be sent one way */
	int out_fds[MAX_FDS];
	int nout_fds;
	struct pvx_buf replies;  /* proxy answers waiting for a boundary */
	uint32_t serial;         /* of the proxy's own messages */
	struct dbus_rules *rules; /* filtered links: the compiled policy */
	struct dbus_filter filter; /* and its state: owners, outstanding calls */
	/* Unfiltered links to the hosted bus: activation on first call
	 * (plugins/dbus_activate.h).  Every message to the bus is framed
	 * with its header; a held call waits in held_msg (its fds at the
	 * head of to_bus.fdq), what the client sends meanwhile in held_in. */
	bool activation;
	struct dbus_hold *hold;
	struct pvx_buf held_msg, held_in;
	uint32_t held_fds, held_serial;
	uint8_t held_flags;
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
	d->filtered = strcmp(l->spec.interface, "dbus") != 0 || l->spec.policy;
	if (d->filtered) {
		char why[300];
		const char *pol = l->spec.policy;
		if (dbus_rules_compile_text(pol, pol ? strlen(pol) : 0, l->spec.interface, &d->rules,
					    why, sizeof(why)) < 0) {
			/* plant() compiled it already: out of memory */
			log_warn("link %s: %s", link_key(l), why);
			sasl_dialogue_free(d->sasl);
			free(d);
			return NULL;
		}
		dbus_filter_init(&d->filter, d->rules);
	}
	d->activation = !d->filtered && dbus_activate_link(l);
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
	dbus_activate_cancel(d->hold);
	pvx_buf_free(&d->held_msg);
	pvx_buf_free(&d->held_in);
	dbus_rules_free(d->rules);
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

/* ---- the filter (policy/dbus_filter.h) ----------------------------------- */

/* Queues a message of the proxy's own for the client: an error or a
 * method return answering serial, "from" the bus driver.  Text and
 * names the client chose are not necessarily UTF-8; the text must be, or
 * libdbus refuses to build the message. */
static void proxy_answer(struct dbus_state *d, uint32_t serial, const char *error,
			 const char *text, int bool_arg)
{
	DBusMessage *m = dbus_message_new(error ? DBUS_MESSAGE_TYPE_ERROR
						: DBUS_MESSAGE_TYPE_METHOD_RETURN);
	char *wire = NULL;
	int len = 0;
	if (text && !dbus_validate_utf8(text, NULL))
		text = "pv-xconnect: not allowed on this link";
	dbus_bool_t b = bool_arg > 0;
	bool ok = m && dbus_message_set_reply_serial(m, serial) &&
		  dbus_message_set_sender(m, BUS_DRIVER) &&
		  (!error || (dbus_message_set_error_name(m, error) &&
			      dbus_message_append_args(m, DBUS_TYPE_STRING, &text, DBUS_TYPE_INVALID))) &&
		  (error || bool_arg < 0 ||
		   dbus_message_append_args(m, DBUS_TYPE_BOOLEAN, &b, DBUS_TYPE_INVALID));
	if (ok) {
		dbus_message_set_no_reply(m, TRUE);
		dbus_message_set_serial(m, ++d->serial ? d->serial : ++d->serial);
		if (dbus_message_marshal(m, &wire, &len))
			pvx_buf_append(&d->replies, wire, (size_t)len);
	}
	if (m)
		dbus_message_unref(m);
	dbus_free(wire);
}

/* Answers a refused call of the client (one that expects a reply). */
static void deny_reply(struct dbus_state *d, const struct framer *fr, const struct dbus_fields *h,
		       enum df_verdict v, const char *rule)
{
	if (fr->f.type != DBUS_MSG_METHOD_CALL || (fr->f.flags & DBUS_FLAG_NO_REPLY_EXPECTED))
		return;
	char text[900];
	if (v == DF_REUSED) {
		snprintf(text, sizeof(text), "pv-xconnect: serial %u is that of a call still waiting for its reply",
			 (unsigned)fr->f.serial);
	} else if (v == DF_FULL) {
		snprintf(text, sizeof(text), "pv-xconnect: %d calls already wait for their reply",
			 DF_MAX_PENDING);
	} else if (v == DF_NO_OWNER) {
		const char *name = NULL;
		char t;
		if (fr->head.len == fr->f.total)
			dbus_body_arg((const unsigned char *)fr->head.data + fr->f.header_len, &fr->f, h, 0,
				      &name, &t);
		if (h->member && strcmp(h->member, "NameHasOwner") == 0)
			return proxy_answer(d, fr->f.serial, NULL, NULL, 0);
		snprintf(text, sizeof(text), "Could not get owner of name '%s': no such name",
			 name ? name : "?");
		return proxy_answer(d, fr->f.serial, DBUS_ERROR_NAME_HAS_NO_OWNER, text, -1);
	} else {
		snprintf(text, sizeof(text), "pv-xconnect: %s.%s on %s is not allowed on this link; %s",
			 h->interface ? h->interface : "(no interface)", h->member ? h->member : "-",
			 h->destination ? h->destination : "(no destination)", rule);
	}
	proxy_answer(d, fr->f.serial,
		     v == DF_FULL ? DBUS_ERROR_LIMITS_EXCEEDED : DBUS_ERROR_ACCESS_DENIED, text, -1);
}

/* ---- denials: each distinct (link, missing rule) logged once -------- */

/* Kept for the daemon's life, bounded: GET /denials lists them. */
#define MAX_DENIALS 1024

struct denial {
	struct denial *next;
	char *link, *rule, *example;
	uint64_t count;
};

static struct denial *denials;
static unsigned n_denials;
static uint64_t denials_unlisted; /* distinct ones over MAX_DENIALS */

static void denial_note(struct dbus_state *d, const struct framer *fr, const struct dbus_fields *h,
			bool to_bus, const char *rule)
{
	const char *key = link_key(d->link);
	for (struct denial *x = denials; x; x = x->next)
		if (strcmp(x->rule, rule) == 0 && strcmp(x->link, key) == 0) {
			x->count++;
			return;
		}
	char example[400];
	snprintf(example, sizeof(example), "%s %s%s%s %s %s",
		 fr->f.type == DBUS_MSG_SIGNAL ? "signal" : fr->f.type == DBUS_MSG_METHOD_CALL ? "call"
							  : "reply",
		 h->interface ? h->interface : "", h->interface ? "." : "", h->member ? h->member : "-",
		 to_bus ? "to" : "from",
		 to_bus ? (h->destination ? h->destination : "-") : (h->sender ? h->sender : "-"));
	log_warn("link %s: denied %s; %s (logged once)", key, example, rule);
	struct denial *x = n_denials < MAX_DENIALS ? calloc(1, sizeof(*x)) : NULL;
	if (x && (x->link = strdup(key)) && (x->rule = strdup(rule)) && (x->example = strdup(example))) {
		x->count = 1;
		x->next = denials;
		denials = x;
		n_denials++;
		return;
	}
	if (x) {
		free(x->link);
		free(x->rule);
		free(x);
	}
	denials_unlisted++;
}

json_t *dbus_denials_json(void)
{
	json_t *a = json_array();
	for (struct denial *x = denials; a && x; x = x->next)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:I}", "link", x->link, "rule", x->rule,
						   "example", x->example, "count", (json_int_t)x->count));
	return a;
}

/* ---- the filter (policy/dbus_filter.h) ---------------------------- */

/* Replaces the collected message of fr by the filter's rewritten copy. */
static bool rewrite(struct dbus_state *d, struct framer *fr, const struct dbus_fields *h)
{
	unsigned char *out = malloc(fr->f.total);
	if (!out)
		return fail(d, "out of memory");
	size_t n = dbus_filter_rewrite(&d->filter, &fr->f, h, (const unsigned char *)fr->head.data, out);
	bool ok = n ? emit(d, out, n) : emit(d, fr->head.data, fr->head.len);
	free(out);
	return ok;
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
static bool act_judge(struct dbus_state *d, struct framer *f, bool to_bus);

static bool judge(struct dbus_state *d, struct framer *f, bool to_bus)
{
	if (!d->filtered)
		return act_judge(d, f, to_bus);
	struct dbus_fields h;
	const char *why = dbus_fields_read((const unsigned char *)f->head.data, &f->f, &h);
	if (why)
		return fail(d, why);
	const unsigned char *msg = f->head.len == f->f.total ? (const unsigned char *)f->head.data
							     : NULL;
	struct df_decision dec;
	enum df_verdict v = to_bus ? dbus_filter_call(&d->filter, &f->f, &h, msg, &dec)
				   : dbus_filter_bus(&d->filter, &f->f, &h, msg, &dec);
	if (v == DF_NEED_BODY) {
		f->need = f->f.total;
		return true;
	}
	f->drop = v != DF_ALLOW && v != DF_REWRITE;
	f->fds_owed = h.unix_fds;
	if (f->drop) {
		dbus_stats(d->link)->denied++;
		log_debug("link %s: refused %s.%s %s %s (serial %u%s)", link_key(d->link),
			  h.interface ? h.interface : "-", h.member ? h.member : "-",
			  to_bus ? "to" : "from",
			  to_bus ? (h.destination ? h.destination : "-") : (h.sender ? h.sender : "-"),
			  (unsigned)f->f.serial,
			  v == DF_REUSED ? ", reused while outstanding"
			  : v == DF_FULL ? ", too many outstanding calls" : "");
		if (dec.rule[0])
			denial_note(d, f, &h, to_bus, dec.rule);
		if (to_bus)
			deny_reply(d, f, &h, v, dec.rule);
	} else if (v == DF_REWRITE ? !rewrite(d, f, &h) : !emit(d, f->head.data, f->head.len)) {
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
	bool filtered = d->filtered || (to_bus && d->activation);

	while (n > 0) {
		size_t k;
		if (to_bus && d->hold) /* a call is held: the rest waits behind it */
			return pvx_buf_append(&d->held_in, p, n) == 0 || fail(d, "out of memory");
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
	 * the message they belong to.  (With activation, messages to the
	 * bus take their own, as filtered ones do.) */
	if (!d->filtered && !(to_bus && d->activation) && d->out.len)
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

/* ---- activation on first call (plugins/dbus_activate.h) ---------- */

/* The caller of a held call that timed out gets ServiceUnknown from the
 * proxy (the bus would have said the same without activation). */
static void activation_error(struct dbus_state *d)
{
	if (d->held_flags & DBUS_FLAG_NO_REPLY_EXPECTED)
		return;
	proxy_answer(d, d->held_serial, DBUS_ERROR_SERVICE_UNKNOWN,
		     "pv-xconnect: the owner of the name did not start in time", -1);
}

/* The held call's name got an owner (owner) or its time ran out. */
static void held_done(void *ctx, bool owner)
{
	struct dbus_state *d = ctx;
	struct pvx_buf msg = d->held_msg, rest = d->held_in;
	d->hold = NULL;
	d->held_msg = d->held_in = (struct pvx_buf){0};
	bool ok = true;
	if (owner) {
		ok = emit(d, msg.data, msg.len);
		if (ok) {
			take_fds(d, &d->to_bus, d->held_fds, true);
			dbus_stats(d->link)->messages_to_provider++;
			ok = flush_out(d, true);
		}
	} else {
		take_fds(d, &d->to_bus, d->held_fds, false);
		activation_error(d);
		if (d->replies.len && at_boundary(&d->to_client)) {
			ok = relay_send(d->s, false, d->replies.data, d->replies.len, NULL, 0);
			pvx_buf_reset(&d->replies);
		}
	}
	pvx_buf_free(&msg);
	/* Sessions are freed by relay_reap, never under this timer or
	 * watcher callback: d is still there after a failed send. */
	if (ok && !relay_closed(d->s)) {
		relay_hold_consumer(d->s, false);
		if (rest.len)
			pass(d, true, rest.data, rest.len, NULL, 0);
	}
	pvx_buf_free(&rest);
}

/* Messages to the hosted bus: a call to a claimed name nobody owns is
 * held (policy/activation.h decides), anything else goes on. */
static bool act_judge(struct dbus_state *d, struct framer *f, bool to_bus)
{
	struct dbus_fields h;
	const char *why = dbus_fields_read((const unsigned char *)f->head.data, &f->f, &h);
	if (why)
		return fail(d, why);
	struct activation_call c = {
		.type = f->f.type, .flags = f->f.flags, .total = f->f.total,
		.whole = f->head.len == f->f.total, .destination = h.destination,
		.claimed = h.destination && dbus_activate_claimed(h.destination),
		.known = dbus_activate_known(),
		.owned = h.destination && dbus_activate_owned(h.destination),
		.held_on_link = dbus_activate_held(d->link),
	};
	switch (activation_decide(&c)) {
	case ACT_NEED_BODY:
		f->need = f->f.total;
		return true;
	case ACT_HOLD:
		d->hold = dbus_activate_hold(d->link, h.destination, held_done, d);
		if (!d->hold)
			break; /* out of memory: the bus answers */
		d->held_msg = f->head;
		f->head = (struct pvx_buf){0};
		d->held_fds = h.unix_fds;
		d->held_serial = f->f.serial;
		d->held_flags = f->f.flags;
		f->stage = FR_FIXED;
		f->have = 0;
		relay_hold_consumer(d->s, true);
		return true;
	case ACT_PASS:
		break;
	}
	f->drop = false;
	f->fds_owed = h.unix_fds;
	if (!emit(d, f->head.data, f->head.len))
		return false;
	f->fds_owed -= take_fds(d, f, f->fds_owed, true);
	f->left = f->f.total - f->head.len;
	f->stage = FR_STREAM;
	return f->left || message_done(d, f, to_bus);
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
	/* The interface and the policy, compiled once here to refuse a link
	 * that could never be filtered as written. */
	struct dbus_rules *r;
	const char *pol = spec->policy;
	int rc = dbus_rules_compile_text(pol, pol ? strlen(pol) : 0, spec->interface, &r, why, n);
	if (rc < 0)
		return rc == -ENOMEM ? rc : PVX_REFUSED;
	dbus_rules_free(r);
	return stream_plant(spec, p, why, n);
}

/* Links to the hosted bus of a container refused there (a bus name
 * claimed twice) fail before planting (plugins/dbus_hosted.h). */
static int dbus_prepare(struct pvx_link *l, struct pvx_planted *p)
{
	(void)p;
	return dbus_hosted_prepare(l);
}

const struct pvx_plugin pvx_plugin_dbus = {
	.type = "dbus",
	.prepare = dbus_prepare,
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
