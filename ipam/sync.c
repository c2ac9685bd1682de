/* IPAM and the graph; see sync.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvctrl/events.h"
#include "lib/log.h"
#include "fsm/reconcile.h"
#include "ipam/ipam.h"
#include "ipam/sync.h"

/* What a planted link took from its pool; a change re-plants it. */
static char *pool_print(const char *name)
{
	const struct ipam_pool *p = ipam_pool(name);
	char *s = NULL;
	if (p && asprintf(&s, "%s %08x/%d %08x %d", p->bridge, p->network, p->prefix, p->gateway,
			  p->nat) < 0)
		s = NULL;
	return s;
}

static bool planted(const struct pvx_link *l)
{
	return l->spec.type == LINK_NETWORK && l->state != LS_NEW && l->state != LS_TORN_DOWN &&
	       !l->zombie;
}

void ipam_sync_pools(const struct pvx_graph *g)
{
	if (!g->pools)
		return;
	/* The pool of every planted network link, before and after: a link
	 * whose pool changed (gateway, subnet, bridge, nat) is planted again,
	 * and ipam_reserve() releases and refuses a lease the change made
	 * unfit (the gateway moved onto it).  A pool that is gone leaves its
	 * links alone: the graph that removed it removes them or not. */
	size_t n = 0;
	for (struct pvx_link *l = mesh_first(); l; l = l->next)
		n += planted(l);
	char **before = n ? calloc(n, sizeof(*before)) : NULL;
	size_t i = 0;
	for (struct pvx_link *l = mesh_first(); l && before && i < n; l = l->next)
		if (planted(l))
			before[i++] = pool_print(l->spec.name);
	ipam_use_pools(g->pools, "graph");
	i = 0;
	for (struct pvx_link *l = mesh_first(), *next; l && before && i < n; l = next) {
		next = l->next;
		if (!planted(l))
			continue;
		char *was = before[i++], *now = pool_print(l->spec.name);
		if (was && now && strcmp(was, now) != 0) {
			log_info("link %s: pool '%s' changed: planted again", link_key(l), l->spec.name);
			link_fire(l, EV_SPEC_CHANGED);
		}
		free(was);
		free(now);
	}
	free(before);
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
