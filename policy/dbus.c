/* The name filter of a dbus link; see policy/dbus.h. */
#include "config.h"

#include <string.h>

#include "policy/dbus.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static bool is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

void dbus_policy_init(struct dbus_policy *p, const char *allowed)
{
	memset(p, 0, sizeof(*p));
	p->allowed = allowed;
}

bool dbus_policy_is_allowed(const struct dbus_policy *p, const char *destination)
{
	return is(destination, p->allowed) || (p->owner[0] && is(destination, p->owner));
}

static int pending_find(const struct dbus_policy *p, uint32_t serial)
{
	for (unsigned i = 0; i < p->npending; i++)
		if (p->pending[i].serial == serial)
			return (int)i;
	return -1;
}

/* What the filter allows of a method call, before the serial is looked
 * at; *kind: what it would remember. */
static enum dbus_verdict call_filter(const struct dbus_policy *p, const struct dbus_frame *f,
				     const struct dbus_fields *h, const unsigned char *body,
				     enum dbus_call_kind *kind)
{
	*kind = DBUS_CALL_PEER;
	if (dbus_policy_is_allowed(p, h->destination))
		return DBUS_ALLOW;
	if (!is(h->destination, DBUS_DRIVER_NAME))
		return DBUS_DENY;
	*kind = DBUS_CALL_DRIVER;
	if (is(h->interface, "org.freedesktop.DBus.Introspectable") ||
	    is(h->interface, "org.freedesktop.DBus.Peer"))
		return DBUS_ALLOW;
	if (h->interface && !is(h->interface, DBUS_DRIVER_NAME))
		return DBUS_DENY;
	static const char *const driver_calls[] = {
		"Hello", "AddMatch", "RemoveMatch", "NameHasOwner",
	};
	for (size_t i = 0; i < N_ELEMS(driver_calls); i++)
		if (is(h->member, driver_calls[i]))
			return DBUS_ALLOW;
	bool owner_query = is(h->member, "GetNameOwner");
	if (!owner_query && !is(h->member, "RequestName") && !is(h->member, "ReleaseName"))
		return DBUS_DENY;
	if (owner_query && (f->flags & DBUS_FLAG_NO_REPLY_EXPECTED))
		return DBUS_DENY;
	if (!body)
		return f->body_len <= DBUS_MAX_NAME_BODY ? DBUS_NEED_BODY : DBUS_DENY;
	const char *arg = NULL;
	dbus_body_strings(body, f, h, &arg, 1);
	if (owner_query) {
		/* Any name may be looked up; the answer about ours is watched. */
		if (is(arg, p->allowed))
			*kind = DBUS_CALL_OWNER;
		return DBUS_ALLOW;
	}
	return is(arg, p->allowed) ? DBUS_ALLOW : DBUS_DENY;
}

enum dbus_verdict dbus_policy_call(struct dbus_policy *p, const struct dbus_frame *f,
				   const struct dbus_fields *h, const unsigned char *body)
{
	switch (f->type) {
	case DBUS_MSG_METHOD_RETURN:
	case DBUS_MSG_ERROR:
		return DBUS_ALLOW;
	case DBUS_MSG_SIGNAL:
		return !h->destination || is(h->destination, p->allowed) ? DBUS_ALLOW : DBUS_DENY;
	case DBUS_MSG_METHOD_CALL:
		break;
	default:
		return DBUS_DENY; /* unknown types are ignored by peers anyway */
	}
	/* Reuse first: whatever the call is, its reply could be taken for
	 * the outstanding one's. */
	if (pending_find(p, f->serial) >= 0)
		return DBUS_REUSED;
	enum dbus_call_kind kind;
	enum dbus_verdict v = call_filter(p, f, h, body, &kind);
	if (v != DBUS_ALLOW || (f->flags & DBUS_FLAG_NO_REPLY_EXPECTED))
		return v;
	if (p->npending >= DBUS_MAX_PENDING)
		return DBUS_FULL;
	p->pending[p->npending].serial = f->serial;
	p->pending[p->npending].kind = (uint8_t)kind;
	p->npending++;
	return DBUS_ALLOW;
}

/* The outstanding call a reply or error from the bus answers, or -1.  A
 * call to the bus driver is answered only by the bus driver. */
static int answered(const struct dbus_policy *p, const struct dbus_fields *h)
{
	if (!h->has_reply_serial)
		return -1;
	int i = pending_find(p, h->reply_serial);
	if (i < 0)
		return -1;
	if (p->pending[i].kind != DBUS_CALL_PEER && !is(h->sender, DBUS_DRIVER_NAME))
		return -1;
	return i;
}

static void set_owner(struct dbus_policy *p, const char *owner)
{
	/* A unique name, or "" when the name lost its owner. */
	if (owner && (owner[0] == ':' || owner[0] == '\0') && strlen(owner) < sizeof(p->owner))
		strcpy(p->owner, owner);
}

enum dbus_verdict dbus_policy_bus(struct dbus_policy *p, const struct dbus_frame *f,
				  const struct dbus_fields *h, const unsigned char *body)
{
	if (f->type == DBUS_MSG_METHOD_RETURN || f->type == DBUS_MSG_ERROR) {
		int i = answered(p, h);
		if (i < 0)
			return DBUS_ALLOW;
		bool owner = p->pending[i].kind == DBUS_CALL_OWNER && f->type == DBUS_MSG_METHOD_RETURN &&
			     is(h->signature, "s") && f->body_len <= DBUS_MAX_NAME_BODY;
		if (owner && !body)
			return DBUS_NEED_BODY;
		if (owner) {
			const char *arg = NULL;
			if (dbus_body_strings(body, f, h, &arg, 1) == 1)
				set_owner(p, arg);
		}
		p->pending[i] = p->pending[--p->npending];
		return DBUS_ALLOW;
	}
	if (f->type == DBUS_MSG_SIGNAL && is(h->sender, DBUS_DRIVER_NAME) &&
	    is(h->interface, DBUS_DRIVER_NAME) && is(h->member, "NameOwnerChanged")) {
		if (f->body_len > DBUS_MAX_NAME_BODY)
			return DBUS_ALLOW;
		if (!body)
			return DBUS_NEED_BODY;
		const char *arg[3] = { NULL };
		if (dbus_body_strings(body, f, h, arg, 3) == 3 && is(arg[0], p->allowed))
			set_owner(p, arg[2]);
	}
	return DBUS_ALLOW;
}
