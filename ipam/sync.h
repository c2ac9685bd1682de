/* IPAM and the graph: pools from the graph's object form, and leases of
 * containers the graph no longer connects released after each apply. */
#ifndef PVX_IPAM_SYNC_H
#define PVX_IPAM_SYNC_H

#include "parsers/graph.h"

/* Before applying: the graph's "pools", when it has them, replace the
 * pools (bad ones logged and skipped); the pool-changed hook (ipam.h)
 * hears of each pool whose definition changed. */
void ipam_sync_pools(const struct pvx_graph *g);
/* After applying: every lease whose (pool, container, interface) no
 * network link of the graph names is released, with an ipam-release
 * event. */
void ipam_sync_leases(const struct pvx_graph *g);

#endif
