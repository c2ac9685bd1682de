/* The link types this build serves: one plugin per file in plugins/. */
#ifndef PVX_PLUGINS_REGISTRY_H
#define PVX_PLUGINS_REGISTRY_H

#include "fsm/plugin.h"

extern const struct pvx_plugin pvx_plugin_unix;
extern const struct pvx_plugin pvx_plugin_rest;
extern const struct pvx_plugin pvx_plugin_wayland;
extern const struct pvx_plugin pvx_plugin_dbus;
extern const struct pvx_plugin pvx_plugin_drm;
extern const struct pvx_plugin pvx_plugin_network;

/* Every plugin of this build, for pvx_plugins_install(). */
extern const struct pvx_plugin_table pvx_plugins_builtin;

#endif
