/* IPAM and the graph; see sync.h. */
#include "config.h"

#include <string.h>

#include "pvctrl/events.h"
#include "lib/log.h"
#include "ipam/ipam.h"
#include "ipam/sync.h"

void ipam_sync_pools(const struct pvx_graph *g)
{
	if (g->pools)
		ipam_use_pools(g->pools, "graph");
}

static bool wanted(const struct pvx_graph *g, const struct ipam_lease *l)
{
	for (size_t i = 0; i < g->n_links; i++) {
		const struct pvx_link_spec *s = &g->links[i];
		/* an old entry without an interface: any of the container's */
		if (s->type == LINK_NETWORK && !strcmp(s->name, l->pool) && !strcmp(s->consumer, l->container) &&
		    (!*l->ifname || !strcmp(s->target, l->ifname)))
			return true;
	}
	return false;
}

void ipam_sync_leases(const struct pvx_graph *g)
{
	for (size_t i = 0; i < ipam_lease_count();) {
		const struct ipam_lease *l = ipam_lease_at(i);
		if (wanted(g, l)) {
			i++;
			continue;
		}
		char ip[32], pool[256], ct[256];
		ipam_format_ip(l->ip, ip, sizeof(ip));
		snprintf(pool, sizeof(pool), "%s", l->pool);
		snprintf(ct, sizeof(ct), "%s", l->container);
		ipam_release(l->pool, l->container, l->ifname); /* l is gone after this */
		log_info("released IP %s of '%s' (pool '%s'): no longer in the graph", ip, ct, pool);
		events_post("ipam-release", ct, pool, ip, "container left the graph");
	}
}
