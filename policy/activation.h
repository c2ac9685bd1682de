/* Activation on first call on the hosted bus, decided: a method call to a
 * well-known name that a container declares it owns (a claim) but nobody
 * owns yet is held until the owner appears (or a time limit), while
 * pv-xconnect asks pv-ctrl to start that container.  Pure functions of
 * what the relay and the bus watcher know; no I/O. */
#ifndef PVX_POLICY_ACTIVATION_H
#define PVX_POLICY_ACTIVATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DBUS_FLAG_NO_AUTO_START 0x2

/* Bounds: messages held per link at once, bytes of one held message
 * (a larger one passes, and the bus answers it). */
#define ACTIVATION_MAX_HELD 16
#define ACTIVATION_MAX_MSG (64u * 1024)

enum activation_verdict {
	ACT_PASS,      /* send it on (the bus answers, ServiceUnknown included) */
	ACT_NEED_BODY, /* hold it: collect the whole message first */
	ACT_HOLD,      /* hold it (the whole message is there) */
};

struct activation_call {
	uint8_t type, flags;     /* of the message (parsers/dbus_msg.h) */
	uint32_t total;          /* its size */
	bool whole;              /* all of it has been read */
	const char *destination; /* NULL: none */
	bool claimed;            /* a container declares it owns destination */
	bool known;              /* the watcher knows the bus's names now */
	bool owned;              /* destination has an owner */
	unsigned held_on_link;   /* messages the link holds already */
};

enum activation_verdict activation_decide(const struct activation_call *c);

/* A message held for held_dest is released by NameOwnerChanged(name, _,
 * new_owner) when name is held_dest and new_owner is not empty. */
bool activation_releases(const char *held_dest, const char *name, const char *new_owner);

#endif
