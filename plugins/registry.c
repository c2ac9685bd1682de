/* Which plugin serves which link type.  A type without one is refused
 * with a clear message (fsm/link.c). */
#include "config.h"

#include "plugins/registry.h"

static const char *missing_reason(enum pvx_link_type type)
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

const struct pvx_plugin_table pvx_plugins_builtin = {
	.by_type = {
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
	},
	.missing_reason = missing_reason,
};
