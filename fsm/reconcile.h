/* The live links and the reconciler that moves them toward a graph. */
#ifndef PVX_RECONCILE_H
#define PVX_RECONCILE_H

#include <stddef.h>
#include "fsm/link.h"
#include "parsers/graph.h"

/* Duplicate links logged one by one per graph; the caller counts the rest. */
#define MESH_DUPLICATES_LOGGED 20

struct pvx_reconcile_stats {
	size_t added, removed, changed, unchanged, duplicates;
};

/* Diffs the graph against the live links by (consumer, name, target):
 * new links are planted, missing ones torn down, changed ones get the
 * matching event; the others are not touched. */
void mesh_apply(const struct pvx_graph *g, struct pvx_reconcile_stats *st);

/* Tears every link down (SIGTERM). */
void mesh_shutdown(void);

/* Frees links removed since the last call (from an ev_check watcher). */
void mesh_reap(void);

/* Live links in creation order. */
struct pvx_link *mesh_first(void);
size_t mesh_count(void);

#endif
