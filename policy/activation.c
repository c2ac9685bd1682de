/* Activation on first call, decided (policy/activation.h). */
#include "config.h"

#include <string.h>

#include "policy/activation.h"

/* parsers/dbus_msg.h's DBUS_MSG_METHOD_CALL, without the include: the
 * decision needs nothing else of the parser. */
#define METHOD_CALL 1

enum activation_verdict activation_decide(const struct activation_call *c)
{
	if (c->type != METHOD_CALL || !c->destination || c->destination[0] == ':')
		return ACT_PASS; /* not a call, or to a unique name: nothing to start */
	if (c->flags & DBUS_FLAG_NO_AUTO_START)
		return ACT_PASS; /* the caller asked not to: the bus answers at once */
	if (!c->claimed || !c->known || c->owned)
		return ACT_PASS;
	if (c->held_on_link >= ACTIVATION_MAX_HELD || c->total > ACTIVATION_MAX_MSG)
		return ACT_PASS; /* bounded: beyond it the bus answers */
	return c->whole ? ACT_HOLD : ACT_NEED_BODY;
}

bool activation_releases(const char *held_dest, const char *name, const char *new_owner)
{
	return held_dest && name && new_owner && new_owner[0] && strcmp(held_dest, name) == 0;
}
