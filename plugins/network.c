/* network links: one interface in the consumer's network namespace on a
 * pool's bridge (DESIGN.md sections 3.1 and 6).
 *
 * name = pool, target = interface name, ipv4_address / mac_address
 * optional.  Planting: the lease (ipam/ipam.h; a refusal is logged with
 * the seed's line, the link FAILS, and ipam-conflict and rollback events go
 * to pv-ctrl), the pool's bridge with the gateway address, a veth pair
 * whose host end is on the bridge and whose peer is created in the
 * consumer's namespace (/proc/<pid>/ns/net), renamed to the target, given
 * the MAC and address, up, with a default route via the gateway; NAT for
 * "nat": true pools (ipam/nat.h).  All through netlink (ipam/netlink.h).
 * Teardown deletes the host end (the peer goes with it); the lease stays
 * until the container leaves the graph (ipam/sync.h), so a restarted
 * consumer gets the same address.
 *
 * A consumer in the daemon's own network namespace (the host's) is
 * refused: its link would put the pool's address and a default route on
 * the host itself, and take them away again on teardown.
 *
 * The lease is decided on the loop (prepare); netlink and nft run on a
 * worker (fsm/plugin.h) with what prepare copied, under one lock. */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/stat.h>

#include "pvctrl/events.h"
#include "lib/log.h"
#include "lib/util.h"
#include "fsm/reconcile.h"
#include "ipam/ipam.h"
#include "ipam/nat.h"
#include "ipam/netlink.h"
#include "fsm/plugin.h"
#include "plugins/registry.h"

/* What planting needs, decided on the loop by prepare() (the lease) and
 * carried to the worker that plants (priv of struct pvx_planted), then
 * kept for remove(). */
struct net_plan {
	struct ipam_pool pool;  /* a copy: the worker never reads ipam state */
	char host[IFNAMSIZ], peer[IFNAMSIZ], ifname[IFNAMSIZ];
	unsigned char mac[6];
	uint32_t ip;
	bool nat, bridge_counted;
};

/* Netlink and nft work of every network link runs under this lock, on
 * workers: the bridge and NAT counts below are shared by all pools'
 * links, and two links creating one bridge at once would race. */
static pthread_mutex_t net_lock = PTHREAD_MUTEX_INITIALIZER;

/* Planted links per bridge: a bridge we created goes with its last link;
 * one that was there before us stays. */
struct bridge_use {
	char name[IFNAMSIZ];
	unsigned links;
	bool ours;
};
static struct bridge_use bridges[64];

static struct bridge_use *bridge_use(const char *name, bool add)
{
	struct bridge_use *free_slot = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(bridges); i++) {
		if (bridges[i].links && !strcmp(bridges[i].name, name))
			return &bridges[i];
		if (!bridges[i].links && !free_slot)
			free_slot = &bridges[i];
	}
	if (!add || !free_slot)
		return NULL;
	snprintf(free_slot->name, sizeof(free_slot->name), "%s", name);
	free_slot->ours = false;
	return free_slot;
}

/* A refusal: the seed's log line for static addresses, the link's
 * reason, and the events Pantavisor rolls a try-boot update back on. */
static int refuse(struct pvx_link *l, const char *ip, const char *why)
{
	if (ip)
		log_error("failed to reserve static IP %s for '%s' (already in use or outside subnet), "
			  "refusing to start",
			  ip, l->spec.consumer);
	link_error(l, 0, "%s", why);
	events_post("ipam-conflict", l->spec.consumer, l->spec.name, ip, why);
	events_post("rollback", l->spec.consumer, l->spec.name, ip, why);
	return PVX_REFUSED;
}

static void plan_free(struct net_plan *n)
{
	if (n) {
		free(n->pool.name);
		free(n->pool.bridge);
		free(n);
	}
}

/* A pool's definition changed (the graph's pools): its planted links are
 * planted again, on the new bridge, gateway and subnet.  A lease the
 * change made unfit (the gateway moved onto it) is then released and its
 * link refused by ipam_reserve(), with an ipam-conflict event.  A pool
 * that is gone is not "changed": the graph that removed it says what
 * becomes of its links. */
static void network_pool_changed(const char *pool)
{
	for (struct pvx_link *l = mesh_first(), *next; l; l = next) {
		next = l->next;
		if (l->spec.type != LINK_NETWORK || strcmp(l->spec.name, pool) != 0 || l->zombie ||
		    l->state == LS_NEW || l->state == LS_TORN_DOWN)
			continue;
		log_info("link %s: pool '%s' changed: planted again", link_key(l), pool);
		link_fire(l, EV_SPEC_CHANGED);
	}
}

/* 1 when netns is the namespace the daemon itself runs in (the host's),
 * 0 when not, -errno. */
static int is_own_netns(int netns)
{
	struct stat ours, theirs;
	if (fstat(netns, &theirs) < 0 || stat("/proc/self/ns/net", &ours) < 0)
		return -errno;
	return ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino;
}

/* On the loop: the lease, and everything the worker needs copied. */
static int network_prepare(struct pvx_link *l, struct pvx_planted *p)
{
	const char *pool_name = l->spec.name, *ifname = l->spec.target;
	char why[300];
	const char *bad;
	/* only once a network link is planted is there anything to plant again */
	ipam_set_pool_changed_hook(network_pool_changed);
	if (!ipam_ifname_ok(ifname, &bad)) {
		link_error(l, 0, "target '%s' is not a usable interface name: %s", ifname, bad);
		return PVX_REFUSED;
	}
	if (l->spec.consumer_pid == 0) {
		link_error(l, 0, "a network link needs the consumer's pid (its network namespace)");
		return -ESRCH; /* the graph may bring it */
	}
	const struct ipam_pool *pool = ipam_pool(pool_name);
	if (!pool) {
		snprintf(why, sizeof(why), "pool '%s' is not defined (device.json or the graph's pools)",
			 pool_name);
		return refuse(l, l->spec.ipv4_address, why);
	}
	bool fresh = ipam_lease_of(pool_name, l->spec.consumer, ifname) == NULL;
	const struct ipam_lease *lease;
	int r = ipam_reserve(pool_name, l->spec.consumer, ifname, l->spec.ipv4_address,
			     l->spec.mac_address, &lease, why, sizeof(why));
	if (r < 0)
		return refuse(l, l->spec.ipv4_address, why);
	char ip[32], mac[32];
	ipam_format_ip(lease->ip, ip, sizeof(ip));
	ipam_format_mac(lease->mac, mac, sizeof(mac));
	if (fresh) {
		if (lease->is_static)
			log_info("platform '%s' using static IP %s", l->spec.consumer, ip);
		else
			log_info("platform '%s' leased IP %s from pool '%s'", l->spec.consumer, ip, pool_name);
		events_post("ipam-reserve", l->spec.consumer, pool_name, ip,
			    lease->is_static ? "static" : "dynamic");
	}
	struct net_plan *n = calloc(1, sizeof(*n));
	if (!n || !(n->pool.name = strdup(pool->name)) || !(n->pool.bridge = strdup(pool->bridge))) {
		plan_free(n);
		link_error(l, -ENOMEM, "planting");
		return -ENOMEM;
	}
	n->pool.network = pool->network;
	n->pool.gateway = pool->gateway;
	n->pool.prefix = pool->prefix;
	n->pool.nat = pool->nat;
	n->ip = lease->ip;
	memcpy(n->mac, lease->mac, sizeof(n->mac));
	snprintf(n->ifname, sizeof(n->ifname), "%s", ifname);
	/* Stable names: a re-plant (or a restarted daemon) finds its veth. */
	char key[600];
	snprintf(key, sizeof(key), "%s/%s", l->spec.consumer, ifname);
	uint32_t h = (uint32_t)pvx_hash64(key, strlen(key), PVX_HASH_SEED);
	snprintf(n->host, sizeof(n->host), "pvx%08x", h);
	snprintf(n->peer, sizeof(n->peer), "pvp%08x", h);
	snprintf(p->detail, sizeof(p->detail), "%s %s/%d %s on %s (%s)", ifname, ip, pool->prefix, mac,
		 pool->bridge, lease->is_static ? "static" : "dynamic");
	p->priv = n;
	p->made = true; /* remove() frees the plan even if plant() never ran */
	return 0;
}

/* On a worker, under net_lock. */
static void unplant_locked(struct net_plan *n)
{
	char err[200];
	struct pvx_nl *nl = nl_open(-1, err, sizeof(err));
	if (nl) {
		int r = nl_link_delete(nl, n->host);
		if (r < 0 && r != -ENODEV)
			log_warn("network: deleting %s: %s", n->host, strerror(-r));
	}
	if (n->nat)
		nat_unref(n->pool.name);
	n->nat = false;
	struct bridge_use *b = n->bridge_counted ? bridge_use(n->pool.bridge, false) : NULL;
	if (b && --b->links == 0 && b->ours && nl) {
		nl_link_delete(nl, b->name);
		log_info("bridge %s removed with the last link of pool '%s'", b->name, n->pool.name);
	}
	n->bridge_counted = false;
	nl_close(nl);
}

static void network_remove(struct pvx_planted *p)
{
	struct net_plan *n = p->priv;
	if (n) {
		pthread_mutex_lock(&net_lock);
		unplant_locked(n);
		pthread_mutex_unlock(&net_lock);
		plan_free(n);
	}
	p->priv = NULL;
	p->made = false;
}

static int plant_locked(const struct pvx_link_spec *spec, struct net_plan *n, char *why, size_t whylen)
{
	char err[300];
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)spec->consumer_pid);
	_cleanup_close_ int netns = open(path, O_RDONLY | O_CLOEXEC);
	if (netns < 0) {
		snprintf(why, whylen, "network namespace of consumer pid %d: %s", (int)spec->consumer_pid,
			 strerror(errno));
		return -ESRCH;
	}
	int own = is_own_netns(netns);
	if (own != 0) {
		if (own < 0)
			snprintf(why, whylen, "comparing the network namespace of consumer pid %d with ours: %s",
				 (int)spec->consumer_pid, strerror(-own));
		else
			snprintf(why, whylen,
				 "consumer pid %d shares the daemon's (the host's) network namespace: "
				 "a network link would change the host's interfaces and default route",
				 (int)spec->consumer_pid);
		return own < 0 ? own : PVX_REFUSED;
	}
	struct pvx_nl *nl = nl_open(-1, err, sizeof(err));
	if (!nl) {
		snprintf(why, whylen, "%s", err);
		return -EIO;
	}
	nl_link_delete(nl, n->host); /* a stale pair from before a crash */
	int r = nl_bridge_ensure(nl, n->pool.bridge, n->pool.gateway, n->pool.prefix, err, sizeof(err));
	struct bridge_use *b = r >= 0 ? bridge_use(n->pool.bridge, true) : NULL;
	if (b) {
		b->ours |= r == 1;
		b->links++;
		n->bridge_counted = true;
	}
	if (r >= 0)
		r = nl_veth_create(nl, n->host, n->peer, netns, n->pool.bridge, err, sizeof(err));
	nl_close(nl);
	if (r == 0) {
		struct pvx_nl *inner = nl_open(netns, err, sizeof(err));
		r = inner ? nl_iface_configure(inner, n->peer, n->ifname, n->mac, n->ip, n->pool.prefix,
					       n->pool.gateway, err, sizeof(err))
			  : -EIO;
		nl_close(inner);
	}
	if (r == 0 && n->pool.nat) {
		r = nat_ref(&n->pool, err, sizeof(err)) < 0 ? -EIO : 0;
		n->nat = r == 0;
	}
	if (r < 0)
		snprintf(why, whylen, "%s", err);
	return r;
}

static int network_plant(const struct pvx_link_spec *spec, struct pvx_planted *p, char *why, size_t n)
{
	struct net_plan *plan = p->priv;
	pthread_mutex_lock(&net_lock);
	int r = plant_locked(spec, plan, why, n);
	pthread_mutex_unlock(&net_lock);
	/* made either way: remove() undoes a half-made pair */
	p->made = true;
	p->pid = spec->consumer_pid;
	return r;
}

static int network_probe(const struct pvx_link_spec *spec, char *why, size_t n)
{
	return 0; /* no provider process: planted is working */
}

const struct pvx_plugin pvx_plugin_network = {
	.type = "network",
	.prepare = network_prepare,
	.plant = network_plant,
	.remove = network_remove,
	.probe = network_probe,
};
