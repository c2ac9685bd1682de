/* rtnetlink plumbing for network links, with libmnl (no `ip` processes):
 * the pool's bridge, a veth pair with one end in the consumer's network
 * namespace, its name, MAC, address and default route, and teardown.
 * Functions return 0 or -errno, with what failed in err. */
#ifndef PVX_NETLINK_H
#define PVX_NETLINK_H

#include <stdbool.h>
#include <stdint.h>

struct pvx_nl;

/* A netlink socket in our namespace (netns_fd < 0) or in another one
 * (entered only to open the socket). */
struct pvx_nl *nl_open(int netns_fd, char *err, size_t errlen);
void nl_close(struct pvx_nl *nl);

/* ifindex of name, 0 when there is none. */
int nl_ifindex(struct pvx_nl *nl, const char *name);

/* The bridge exists (created if not), is up and has gw/prefix; a bridge
 * of ours has no other IPv4 address (a gateway that moved).  Returns 1
 * when the bridge is ours to remove: created now, or by an earlier run
 * (marked with the alias "pv-xconnect"); 0 when it was there before us. */
int nl_bridge_ensure(struct pvx_nl *nl, const char *bridge, uint32_t gw, int prefix, char *err,
		     size_t errlen);

/* A veth pair: host in our namespace, enslaved to bridge and up; peer
 * created directly in the namespace of netns_fd. */
int nl_veth_create(struct pvx_nl *nl, const char *host, const char *peer, int netns_fd,
		   const char *bridge, char *err, size_t errlen);

/* Inside the consumer (nl opened there): peer renamed to ifname, MAC,
 * address ip/prefix, up, default route via gw unless the namespace has
 * one already (never replaced); lo up. */
int nl_iface_configure(struct pvx_nl *nl, const char *peer, const char *ifname,
		       const unsigned char *mac, uint32_t ip, int prefix, uint32_t gw, char *err,
		       size_t errlen);

/* Deletes a link (a veth takes its peer with it); -ENODEV if none. */
int nl_link_delete(struct pvx_nl *nl, const char *name);

#endif
