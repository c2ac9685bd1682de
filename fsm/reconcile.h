/* The live links and the reconciler that moves them toward a graph. */
#ifndef PVX_RECONCILE_H
#define PVX_RECONCILE_H

#include <stdbool.h>
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
 * matching event; the others are not touched.  All at once (tests). */
void mesh_apply(const struct pvx_graph *g, struct pvx_reconcile_stats *st);

/* The same in steps of a few dozen links per loop iteration, so a large
 * graph never stalls a live connection; done(ctx, stats) is called when
 * it is applied (or cut short by mesh_shutdown).  g must stay valid until
 * then, and no other apply may start meanwhile (mesh_applying). */
typedef void (*mesh_applied_fn)(void *ctx, const struct pvx_reconcile_stats *st);
void mesh_apply_start(const struct pvx_graph *g, mesh_applied_fn done, void *ctx);
bool mesh_applying(void);

/* Tears every link down (SIGTERM). */
void mesh_shutdown(void);

/* Frees links removed since the last call (from an ev_check watcher). */
void mesh_reap(void);

/* Live links in creation order. */
struct pvx_link *mesh_first(void);
size_t mesh_count(void);

/* A place in that order that stays valid across loop iterations (GET
 * /links written a piece at a time): a link removed meanwhile moves the
 * cursors on it to its successor; links added go to the end, so a cursor
 * not yet there comes to them.  Open, take links one by one (NULL at the
 * end), close once (also before the end). */
struct mesh_cursor {
	struct pvx_link *at;
	struct mesh_cursor *next, *prev;
};
void mesh_cursor_open(struct mesh_cursor *c);
struct pvx_link *mesh_cursor_next(struct mesh_cursor *c);
void mesh_cursor_close(struct mesh_cursor *c);

#endif
