/* Which plugin serves which link type.  A type without one is refused
 * with a clear message (link.c). */
#include "config.h"

#include "plugins/plugin.h"

static const struct pvx_plugin *const plugins[LINK_TYPE__COUNT] = {
	[LINK_UNIX] = &pvx_plugin_unix,
	[LINK_REST] = &pvx_plugin_rest,
	[LINK_WAYLAND] = &pvx_plugin_wayland,
};

const struct pvx_plugin *pvx_plugin_for(enum pvx_link_type type)
{
	return (unsigned)type < LINK_TYPE__COUNT ? plugins[type] : NULL;
}
