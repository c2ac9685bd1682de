/* IP address management for network links (DESIGN.md section 6): pools
 * from device.json or the graph object, leases keyed by (pool, container,
 * interface), so that two interfaces of one container in one pool each
 * keep theirs, and the lease file that keeps them across restarts and
 * crashes.
 *
 * Static addresses are reserved when they are inside the pool's subnet,
 * not its network, gateway or broadcast address, and not leased to another
 * container; dynamic ones are handed out round-robin from where the last
 * one was taken, so an address just released is the last to come back.
 * MACs are 02:00 followed by the four octets of the address unless the
 * link names one. */
#ifndef PVX_IPAM_H
#define PVX_IPAM_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "lib/util.h"

struct ipam_pool {
	char *name, *bridge;
	uint32_t network, gateway; /* host byte order */
	int prefix;
	bool nat;
	uint32_t cursor;           /* last dynamic address handed out */
};

struct ipam_lease {
	char *pool, *container;
	char *ifname;              /* "": an entry written before leases had an
				    * interface; the container's first interface
				    * in the pool that asks takes it over */
	uint32_t ip;
	unsigned char mac[6];
	bool is_static;
	double since;              /* wall clock */
};

/* Reasons a reservation fails, as negative errnos. */
#define IPAM_ENOPOOL (-ENOENT)       /* no such pool */
#define IPAM_EOUTSIDE (-EDOM)        /* outside the subnet, or a reserved address */
#define IPAM_EINUSE (-EADDRINUSE)    /* leased to another container */
#define IPAM_EFULL (-ENOSPC)         /* no free address left */
#define IPAM_EBADADDR (-EINVAL)      /* not an IPv4 address / MAC */
#define IPAM_ECONFLICT (-EADDRNOTAVAIL) /* the lease no longer fits its changed pool
					 * (now its gateway, say): released */

/* Replaces the pools with those of a device.json "pools" object (or the
 * graph object's).  Bad pools are skipped, each reason appended to errs
 * (one per line); returns how many were skipped.  Leases of pools that
 * disappear are kept (the pool may come back). */
int ipam_set_pools(json_t *pools, struct pvx_buf *errs);
/* Told, once the new pools are in place, the name of each pool that
 * stays but whose definition (bridge, subnet, gateway, nat) changed: the
 * network plugin plants that pool's links again.  NULL: nobody. */
typedef void ipam_pool_changed_fn(const char *pool);
void ipam_set_pool_changed_hook(ipam_pool_changed_fn *fn);
/* The same, each bad pool logged as "SOURCE: pool 'x': why". */
void ipam_use_pools(json_t *pools, const char *source);
/* The same from a device.json file ({"network": {"pools": {...}}}).
 * Returns 0 or -1 with err set. */
int ipam_load_device_json(const char *path, char *err, size_t errlen);

const struct ipam_pool *ipam_pool(const char *name);
/* Checks one pool definition without using it: NULL or the reason. */
const char *ipam_pool_check(const char *name, json_t *pool);

/* Reserves (or finds) the lease of container's interface ifname in pool:
 * static_ip NULL for a dynamic address.  mac NULL: derived.  Returns 0
 * with *out, or one of the IPAM_E* codes with why set.  A lease whose
 * address no longer fits its pool (the pool was changed: the address is
 * now its gateway, network or broadcast address, or outside its subnet) is
 * released and IPAM_ECONFLICT returned: the caller refuses the link as for
 * any other conflict. */
int ipam_reserve(const char *pool, const char *container, const char *ifname,
		 const char *static_ip, const char *mac, const struct ipam_lease **out, char *why,
		 size_t whylen);
/* The lease of container's ifname in pool (or its old entry without an
 * interface), or NULL. */
const struct ipam_lease *ipam_lease_of(const char *pool, const char *container,
				       const char *ifname);
/* Releases that lease; returns true if there was one. */
bool ipam_release(const char *pool, const char *container, const char *ifname);

/* The lease file: loaded once at start (a torn or corrupt file is reported
 * and moved aside as FILE.corrupt, and FILE.prev, the copy before the last
 * write, is used), written atomically after every change (temporary file,
 * fsync, FILE renamed to FILE.prev, temporary renamed to FILE, fsync of the
 * directory).  Returns 0 or -1 with err set. */
int ipam_open_store(const char *dir, char *err, size_t errlen);
int ipam_save(void);
/* The lease file's reader on a text (for the fuzz target). */
int ipam_load_state_text(const char *text, size_t len, char *why, size_t whylen);

/* Leases and pools for pvxctl ipam and GET /ipam. */
json_t *ipam_json(void);
size_t ipam_lease_count(void);
const struct ipam_lease *ipam_lease_at(size_t i);

/* A usable network interface name (bridges, link targets): 1-15
 * characters, no '/', ':', '%', spaces or control bytes, not "." or "..",
 * and none of the names every namespace has or the kernel keeps ("lo",
 * "all", "default": renaming onto them fails for ever).  '%' would make
 * the kernel take the name as a template (eth%d becomes eth0).  false with
 * *why (when why is not NULL) set to a static reason. */
bool ipam_ifname_ok(const char *s, const char **why);

void ipam_format_ip(uint32_t ip, char *out, size_t len);
void ipam_format_mac(const unsigned char *mac, char *out, size_t len);

/* Frees everything (exit, tests). */
void ipam_reset(void);

#endif
