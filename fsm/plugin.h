/* A link type: how its resource is planted in the consumer, removed, and
 * how the provider is probed.  One file per type in plugins/. */
#ifndef PVX_PLUGIN_H
#define PVX_PLUGIN_H

#include "fsm/link.h"

/* plant() result that is not an errno: the link can never work as given
 * (bad target path, type not built in); l->last_error says why. */
#define PVX_REFUSED 1

struct pvx_plugin {
	const char *type;
	/* 0: planted; -errno: retry later; PVX_REFUSED: give up. */
	int (*plant)(struct pvx_link *l);
	/* Removes what plant() made; must be idempotent. */
	void (*unplant)(struct pvx_link *l);
	/* 0: the provider answers; -errno: not (yet). */
	int (*probe)(struct pvx_link *l);
	/* Socket types: how a session connects to the provider socket sockfd
	 * (an O_PATH fd of the socket inode, resolved for this connection):
	 * non-blocking fd or -errno; NULL: as ourselves. */
	int (*connect)(struct pvx_link *l, int sockfd);
	/* Socket types: the protocol filter of each session, NULL for none. */
	const struct relay_filter *filter;
};

/* The plugin for a link type, or NULL when this build has none. */
const struct pvx_plugin *pvx_plugin_for(enum pvx_link_type type);
/* Why a type has no plugin, for the link's error ("is disabled ..."). */
const char *pvx_plugin_missing_reason(enum pvx_link_type type);

extern const struct pvx_plugin pvx_plugin_unix;
extern const struct pvx_plugin pvx_plugin_rest;
extern const struct pvx_plugin pvx_plugin_wayland;
extern const struct pvx_plugin pvx_plugin_dbus;
extern const struct pvx_plugin pvx_plugin_drm;
extern const struct pvx_plugin pvx_plugin_network;

#endif
