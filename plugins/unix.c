/* unix links: a plain byte relay with fd passing (relay/relay.c). */
#include "config.h"

#include "fsm/plugin.h"
#include "plugins/registry.h"
#include "plugins/stream.h"

const struct pvx_plugin pvx_plugin_unix = {
	.type = "unix",
	STREAM_HOOKS,
};
