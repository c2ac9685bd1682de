/* The name filter of a dbus link whose interface names one bus name: what
 * the consumer may send, and what the proxy learns from the bus's answers.
 * Pure functions over parsed messages (parsers/dbus_msg.h): no sockets, no
 * libdbus, unit-tested in t/unit/test-dbus.c.
 *
 * Calls.  Method calls only to the allowed name (or to the unique name
 * that owns it, see below), plus the bus driver's Hello, AddMatch,
 * RemoveMatch, GetNameOwner, NameHasOwner, Introspectable and Peer, and
 * RequestName/ReleaseName of the allowed name; signals broadcast or to the
 * allowed name; replies and errors pass.
 *
 * The owner.  Clients call a service by the unique name that owns it
 * (python3-dbus, GDBus proxies), so the filter also lets calls to the
 * owner of the allowed name through, as the bus itself told the client:
 * the bus driver's answer to the client's GetNameOwner(<allowed name>),
 * and NameOwnerChanged signals about the allowed name.
 *
 * Outstanding calls.  A reply names the call it answers only by its serial
 * (REPLY_SERIAL), and the serial is the client's choice.  So every call
 * the filter lets through that expects a reply is remembered by serial,
 * with what was asked: a call to a peer, to the bus driver, or the bus
 * driver's GetNameOwner(<allowed name>).  A reply or error from the bus
 * answers a remembered call when its REPLY_SERIAL matches and, for a call
 * to the bus driver, its sender is the bus driver (which no peer can
 * claim); the call is forgotten then, so each is answered once.  Only the
 * answer to GetNameOwner(<allowed name>) may set the owner, and only when
 * it is a method return carrying one unique name (":...").
 *
 * A call that reuses the serial of a call still outstanding is refused
 * with org.freedesktop.DBus.Error.AccessDenied and never reaches the bus,
 * whatever its flags or destination: otherwise two GetNameOwner calls with
 * one serial, one about a forbidden name, could make the proxy take the
 * forbidden name's owner for the allowed one's.  This is what dbus-broker
 * does for a call whose serial has a pending reply (AccessDenied, the
 * connection stays); the D-Bus specification makes the serial the cookie
 * that identifies the reply, so stock clients (libdbus, GDBus, sd-bus)
 * never reuse one while its reply is pending.  Stricter than dbus-broker,
 * reuse is refused across destinations too.  GetNameOwner with
 * NO_REPLY_EXPECTED is refused (no reply to watch, nothing to learn).
 * At most DBUS_MAX_PENDING calls are outstanding per connection (dbus-
 * daemon's own default for the system bus, max_replies_per_connection);
 * one more is refused with org.freedesktop.DBus.Error.LimitsExceeded, as
 * both buses do.  The bus answers every call it forwarded, with an error
 * when the callee leaves or (dbus-daemon) times out, so entries are freed.
 *
 * Links without a name (interface "dbus") are not filtered and their
 * messages are not read: the bus itself matches replies to calls. */
#ifndef PVX_POLICY_DBUS_H
#define PVX_POLICY_DBUS_H

#include <stdbool.h>
#include <stdint.h>

#include "parsers/dbus_msg.h"

#define DBUS_DRIVER_NAME "org.freedesktop.DBus"
#define DBUS_MAX_PENDING 128
/* Bodies of filtered calls the filter reads (RequestName, GetNameOwner and
 * the replies and signals it watches) are small; a bigger one is refused
 * (calls) or not read (bus messages). */
#define DBUS_MAX_NAME_BODY 4096

enum dbus_call_kind {
	DBUS_CALL_NONE,   /* answers no outstanding call */
	DBUS_CALL_PEER,   /* a call to the allowed name or its owner */
	DBUS_CALL_DRIVER, /* a call to the bus driver */
	DBUS_CALL_OWNER,  /* GetNameOwner(<allowed name>) to the bus driver */
};

struct dbus_policy {
	const char *allowed; /* the one bus name of the link */
	char owner[256];     /* its unique owner as the bus said, or "" */
	unsigned npending;
	struct {
		uint32_t serial;
		uint8_t kind; /* enum dbus_call_kind */
	} pending[DBUS_MAX_PENDING];
};

enum dbus_verdict {
	DBUS_ALLOW,
	DBUS_DENY,      /* AccessDenied: not allowed on this link */
	DBUS_NEED_BODY, /* ask again with the body */
	DBUS_REUSED,    /* AccessDenied: serial of an outstanding call */
	DBUS_FULL,      /* LimitsExceeded: DBUS_MAX_PENDING outstanding */
};

void dbus_policy_init(struct dbus_policy *p, const char *allowed);

/* A message from the consumer to the bus (f, h parsed; body: its f->body_len
 * bytes, or NULL when not read yet).  Remembers an allowed call that
 * expects a reply. */
enum dbus_verdict dbus_policy_call(struct dbus_policy *p, const struct dbus_frame *f,
				   const struct dbus_fields *h, const unsigned char *body);

/* A message from the bus to the consumer: always passes (DBUS_ALLOW), or
 * DBUS_NEED_BODY when the filter must read its body first.  A reply
 * forgets the call it answers; the owner is updated as described above. */
enum dbus_verdict dbus_policy_bus(struct dbus_policy *p, const struct dbus_frame *f,
				  const struct dbus_fields *h, const unsigned char *body);

/* May the consumer call destination (the allowed name or its owner)? */
bool dbus_policy_is_allowed(const struct dbus_policy *p, const char *destination);

#endif
