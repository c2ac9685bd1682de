/* A link type: how its resource is planted in the consumer, removed, and
 * how the provider is probed.  One file per type in plugins/; the table of
 * types is plugins/registry.c, installed by the program
 * (pvx_plugins_install).
 *
 * Everything that touches a container (its filesystem, its namespaces, its
 * sockets) may wait for as long as the container likes, so it runs on a
 * worker thread (lib/worker.h) and never on the loop: plant(), remove(),
 * probe() and connect() below get the link's specification (a copy of
 * their own) and touch no link and nothing of the loop.  What they made is
 * handed to the loop in a struct pvx_planted, where adopt() starts watching
 * it and release() stops, both on the loop and both quick. */
#ifndef PVX_PLUGIN_H
#define PVX_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#include "fsm/link.h"

/* plant() result that is not an errno: the link can never work as given
 * (bad target path, type not built in); why says why. */
#define PVX_REFUSED 1

struct relay_filter;
struct pvx_stat;
struct pvx_stats_sink;

struct pvx_plugin {
	const char *type;
	/* Loop, optional: decisions that need the daemon's state (network:
	 * the lease), before the plant job; may fill p->priv for plant().
	 * 0, or PVX_REFUSED / -errno with l's error set. */
	int (*prepare)(struct pvx_link *l, struct pvx_planted *p);
	/* Worker: plants what spec asks for in the consumer.  0 with p filled,
	 * -errno (retry later) or PVX_REFUSED (never as given) with why set
	 * and nothing left behind. */
	int (*plant)(const struct pvx_link_spec *spec, struct pvx_planted *p, char *why, size_t whylen);
	/* Loop, optional: the link takes over l->planted (starts watchers,
	 * sets l->live).  0, or -errno with why set (the plant is undone). */
	int (*adopt)(struct pvx_link *l, char *why, size_t whylen);
	/* Loop, optional: stops what adopt() started; l->planted then goes to
	 * remove() on a worker. */
	void (*release)(struct pvx_link *l);
	/* Worker: removes what plant() made and frees p's contents; must be
	 * idempotent and must not fail loudly (the container may be gone). */
	void (*remove)(struct pvx_planted *p);
	/* Worker: 0 when the provider answers, -errno not (yet), why set. */
	int (*probe)(const struct pvx_link_spec *spec, char *why, size_t whylen);
	/* Worker, socket types: a session's non-blocking connection to the
	 * provider socket sockfd (an O_PATH fd of the socket inode, resolved
	 * for this connection), or -errno; *uid the identity it presented.
	 * NULL: connect as ourselves. */
	int (*connect)(const struct pvx_link_spec *spec, int sockfd, unsigned *uid);
	/* Loop, optional, with connect(): a session's connection to the
	 * provider was made as uid. */
	void (*connected)(struct pvx_link *l, unsigned uid);
	/* Socket types: the protocol filter of each session, NULL for none. */
	const struct relay_filter *filter;

	/* Loop, optional: the type's own counters and facts of l, for GET
	 * /links and GET /metrics (lib/stats.h), in the order they are
	 * shown; zeros when nothing was counted yet, so every link of a type
	 * shows the same fields.  The relay's counters and l->errors are
	 * shown for every link apart from this. */
	void (*describe)(const struct pvx_link *l, struct pvx_stats_sink *out);
	/* The metrics describe() emits, NULL-terminated: /metrics lists each
	 * family once, also while no link of the type exists. */
	const struct pvx_stat *const *stats;
	/* Size of the per-link counters link_type_stats() hands this type. */
	size_t stats_size;
};

/* The plugin of each link type.  fsm/ knows only the interface: the
 * program installs the table (plugins/registry.c) before its first link,
 * so nothing below plugins/ names a plugin. */
struct pvx_plugin_table {
	const struct pvx_plugin *by_type[LINK_TYPE__COUNT];
	/* Why a type has no plugin, for the link's error ("is disabled ..."). */
	const char *(*missing_reason)(enum pvx_link_type type);
};
void pvx_plugins_install(const struct pvx_plugin_table *table);

/* The plugin for a link type, or NULL when this build (or the installed
 * table) has none. */
const struct pvx_plugin *pvx_plugin_for(enum pvx_link_type type);
const char *pvx_plugin_missing_reason(enum pvx_link_type type);

#endif
