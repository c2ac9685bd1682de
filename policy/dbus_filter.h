/* The policy of a filtered dbus link, decided message by message: pure
 * functions from the compiled rules (model/dbus_rules.h), one parsed
 * message (parsers/dbus_msg.h) and the connection's state to a verdict
 * and, for a denial, the rule that would have allowed it, in the graph's
 * syntax.  No sockets, no libdbus; unit-tested in
 * t/unit/test-dbus-policy.c, fuzzed by t/fuzz/fuzz-dbus-policy.c.
 *
 * Levels (as xdg-dbus-proxy): per well-known name nothing < see < talk <
 * own, the highest of the "see"/"talk"/"own" patterns that match it; a
 * name named by a call or broadcast rule is at least seen.  A unique name
 * (":1.42") has the highest level of the well-known names this connection
 * has seen it own: the owner is learnt from the bus driver's answers the
 * consumer receives (GetNameOwner, NameOwnerChanged) and from the sender
 * of the reply to a call made to the well-known name (the bus routed it).
 *
 * Consumer -> bus.  A method call to a peer passes when the peer's names
 * have call rules and one matches (name, interface, member, path subtree,
 * args with match-rule semantics), or, for names without call rules, when
 * the level is talk or more.  Calls to the bus driver: Hello, GetId,
 * Introspect, Peer and Properties Get/GetAll pass; GetNameOwner,
 * NameHasOwner, ListQueuedOwners and GetConnection* pass for names the
 * link may see and are answered by the proxy as if the name had no owner
 * otherwise; ListNames and ListActivatableNames pass and their reply is
 * cut to the names the link may see; AddMatch and RemoveMatch pass unless
 * the rule eavesdrops or names a sender the link may not see;
 * StartServiceByName needs talk, RequestName and ReleaseName need own;
 * every other driver method (BecomeMonitor, UpdateActivationEnvironment,
 * ReloadConfig, Monitoring, Debug...) is denied.  Signals the consumer
 * emits are dropped.  A reply or error passes only as the one answer to a
 * call the bus delivered to the consumer.
 *
 * Bus -> consumer.  A reply or error passes only as the one answer to an
 * outstanding call of the consumer, from whom that call went to (the bus
 * driver for driver calls, the unique name called, or any unique name for
 * a well-known one); the rest are dropped.  Broadcast signals pass only
 * when a broadcast rule matches (name: a name the sender owns); unicast
 * signals need talk; the driver's NameOwnerChanged passes for names the
 * link may see.  Method calls to the consumer pass and are remembered so
 * that it may answer each once.
 *
 * Outstanding calls are remembered by serial, at most DF_MAX_PENDING each
 * way (dbus-daemon's system-bus max_replies_per_connection); a call that
 * reuses the serial of one still outstanding is refused (AccessDenied), as
 * dbus-broker does, and one more than the limit gets LimitsExceeded. */
#ifndef PVX_POLICY_DBUS_FILTER_H
#define PVX_POLICY_DBUS_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/dbus_rules.h"
#include "parsers/dbus_msg.h"

#define DF_DRIVER "org.freedesktop.DBus"
#define DF_MAX_PENDING 128
#define DF_MAX_OWNERS 64
#define DF_UNIQUE_MAX 64        /* bytes of a unique name the filter tracks */
#define DF_MAX_BODY (1024 * 1024) /* bodies the filter reads */
#define DF_RULE_MAX 600

enum df_verdict {
	DF_ALLOW,
	DF_DENY,      /* refused: a call gets AccessDenied naming d->rule */
	DF_DROP,      /* dropped without an answer (signals, stray replies) */
	DF_NEED_BODY, /* ask again with the whole message */
	DF_REUSED,    /* AccessDenied: serial of an outstanding call */
	DF_FULL,      /* LimitsExceeded: DF_MAX_PENDING outstanding */
	DF_NO_OWNER,  /* the proxy answers: the name has no owner */
	DF_REWRITE,   /* pass dbus_filter_rewrite()'s copy instead */
};

/* What a decision says besides its verdict. */
struct df_decision {
	/* DF_DENY, DF_DROP, DF_NO_OWNER: the rule that would allow the
	 * message, as text to add to the link's "policy" ("add to
	 * \"policy\": {...}"), or "none: why"; "" when nothing is worth
	 * reporting (a stray reply). */
	char rule[DF_RULE_MAX];
};

struct df_call {
	uint32_t serial;
	uint8_t kind;  /* what was called (dbus_filter.c) */
	int16_t owner; /* calls to a well-known name: its entry in owners[] */
	char peer[DF_UNIQUE_MAX]; /* unique name called, or the caller */
};

struct dbus_filter {
	const struct dbus_rules *rules;
	char self[DF_UNIQUE_MAX]; /* the consumer's unique name, from Hello */
	unsigned nowners, next_owner;
	struct {
		char name[256];             /* well-known */
		char owner[DF_UNIQUE_MAX];  /* unique, "" when unknown */
	} owners[DF_MAX_OWNERS];
	unsigned npending, nincoming;
	struct df_call pending[DF_MAX_PENDING];  /* the consumer's calls */
	struct df_call incoming[DF_MAX_PENDING]; /* calls to the consumer */
};

void dbus_filter_init(struct dbus_filter *p, const struct dbus_rules *rules);

/* A message from the consumer (f, h parsed; msg: the whole message when
 * body is needed, else NULL). */
enum df_verdict dbus_filter_call(struct dbus_filter *p, const struct dbus_frame *f,
				 const struct dbus_fields *h, const unsigned char *msg,
				 struct df_decision *d);
/* A message from the bus to the consumer. */
enum df_verdict dbus_filter_bus(struct dbus_filter *p, const struct dbus_frame *f,
				const struct dbus_fields *h, const unsigned char *msg,
				struct df_decision *d);
/* After DF_REWRITE: the message to pass instead, into out (room for
 * f->total bytes); returns its length (0: pass nothing). */
size_t dbus_filter_rewrite(const struct dbus_filter *p, const struct dbus_frame *f,
			   const struct dbus_fields *h, const unsigned char *msg,
			   unsigned char *out);

/* The level of a bus name (well-known or unique) on this connection. */
enum dbus_level dbus_filter_level(const struct dbus_filter *p, const char *name);

#endif
