/* wayland links: the Wayland wire protocol carries fds (wl_shm pools,
 * keymaps, dmabufs) with SCM_RIGHTS, so a wayland link is the plain relay
 * with fd passing; clients that connect while the compositor is down are
 * closed at once (the provider connect fails), never left hanging. */
#include "config.h"

#include "fsm/plugin.h"
#include "plugins/registry.h"
#include "plugins/stream.h"

const struct pvx_plugin pvx_plugin_wayland = {
	.type = "wayland",
	STREAM_HOOKS,
};
