/* Which plugin serves which link type.  A type without one is refused
 * with a clear message (link.c). */
#include "config.h"

#include "fsm/plugin.h"

static const struct pvx_plugin *const plugins[LINK_TYPE__COUNT] = {
	[LINK_UNIX] = &pvx_plugin_unix,
	[LINK_REST] = &pvx_plugin_rest,
	[LINK_WAYLAND] = &pvx_plugin_wayland,
#ifdef ENABLE_DBUS
	[LINK_DBUS] = &pvx_plugin_dbus,
#endif
#ifdef ENABLE_DRM
	[LINK_DRM] = &pvx_plugin_drm,
#endif
#ifdef ENABLE_NETWORK
	[LINK_NETWORK] = &pvx_plugin_network,
#endif
};

const struct pvx_plugin *pvx_plugin_for(enum pvx_link_type type)
{
	return (unsigned)type < LINK_TYPE__COUNT ? plugins[type] : NULL;
}

const char *pvx_plugin_missing_reason(enum pvx_link_type type)
{
#ifndef ENABLE_DBUS
	if (type == LINK_DBUS)
		return "is disabled in this build (configure --disable-dbus)";
#endif
#ifndef ENABLE_NETWORK
	if (type == LINK_NETWORK)
		return "is disabled in this build (configure --disable-network)";
#endif
#ifndef ENABLE_DRM
	if (type == LINK_DRM)
		return "is disabled in this build (configure --disable-drm)";
#endif
	(void)type;
	return "is not supported by this build";
}
