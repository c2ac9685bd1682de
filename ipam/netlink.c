/* rtnetlink plumbing with libmnl; see netlink.h. */
#include "config.h"

#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <libmnl/libmnl.h>

#include "lib/log.h"
#include "ipam/netlink.h"

struct pvx_nl {
	struct mnl_socket *sock;
	unsigned portid, seq;
	char buf[8192];
};

struct pvx_nl *nl_open(int netns_fd, char *err, size_t errlen)
{
	int ours = -1;
	if (netns_fd >= 0) {
		ours = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (ours < 0 || setns(netns_fd, CLONE_NEWNET) < 0) {
			snprintf(err, errlen, "entering the consumer's network namespace: %s", strerror(errno));
			if (ours >= 0)
				close(ours);
			return NULL;
		}
	}
	struct pvx_nl *nl = calloc(1, sizeof(*nl));
	if (nl)
		nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	int e = errno;
	if (nl && nl->sock && mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		e = errno;
		mnl_socket_close(nl->sock);
		nl->sock = NULL;
	}
	/* Back home at once: only the socket lives in the other namespace. */
	if (ours >= 0) {
		if (setns(ours, CLONE_NEWNET) < 0)
			abort(); /* cannot happen; continuing in the wrong namespace would be worse */
		close(ours);
	}
	if (!nl || !nl->sock) {
		snprintf(err, errlen, "netlink socket: %s", strerror(e));
		free(nl);
		return NULL;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned)time(NULL);
	return nl;
}

void nl_close(struct pvx_nl *nl)
{
	if (!nl)
		return;
	mnl_socket_close(nl->sock);
	free(nl);
}

/* Sends one request and reads until its ACK; cb (may be NULL) sees the
 * data messages.  Returns 0 or -errno from the kernel. */
static int talk(struct pvx_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	nlh->nlmsg_seq = ++nl->seq;
	if ((nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		nlh->nlmsg_flags |= NLM_F_ACK; /* a dump ends with NLMSG_DONE */
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (n < 0)
			return -errno;
		int r = mnl_cb_run(nl->buf, (size_t)n, nl->seq, nl->portid, cb, data);
		if (r < 0)
			return -errno;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

static struct nlmsghdr *link_msg(char *buf, uint16_t type, uint16_t flags, int index)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	return nlh;
}

/* A bridge we create carries this alias, so that a daemon restarted after
 * a crash still knows it may remove it with the pool's last link. */
#define OUR_ALIAS "pv-xconnect"

struct link_info {
	int index;
	char alias[64];
};

static int alias_cb(const struct nlattr *attr, void *data)
{
	struct link_info *li = data;
	if (mnl_attr_get_type(attr) == IFLA_IFALIAS && mnl_attr_validate(attr, MNL_TYPE_STRING) == 0)
		snprintf(li->alias, sizeof(li->alias), "%.*s", (int)mnl_attr_get_payload_len(attr),
			 (const char *)mnl_attr_get_payload(attr));
	return MNL_CB_OK;
}

static int info_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct link_info *li = data;
	li->index = ifi->ifi_index;
	mnl_attr_parse(nlh, sizeof(*ifi), alias_cb, li);
	return MNL_CB_OK;
}

static int link_info(struct pvx_nl *nl, const char *name, struct link_info *li)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, 0, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	*li = (struct link_info){ 0 };
	return talk(nl, nlh, info_cb, li);
}

int nl_ifindex(struct pvx_nl *nl, const char *name)
{
	struct link_info li;
	return link_info(nl, name, &li) < 0 ? 0 : li.index;
}

static int mark_ours(struct pvx_nl *nl, int index)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, index);
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, OUR_ALIAS);
	return talk(nl, nlh, NULL, NULL);
}

static int set_up(struct pvx_nl *nl, int index)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, index);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return talk(nl, nlh, NULL, NULL);
}

static int add_address(struct pvx_nl *nl, int index, uint32_t ip, int prefix)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned)index;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	uint32_t a = htonl(ip), brd = htonl(ip | (prefix ? ~(~0u << (32 - prefix)) : ~0u));
	mnl_attr_put_u32(nlh, IFA_LOCAL, a);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, a);
	mnl_attr_put_u32(nlh, IFA_BROADCAST, brd);
	int r = talk(nl, nlh, NULL, NULL);
	return r == -EEXIST ? 0 : r;
}

/* The IPv4 addresses of one interface. */
struct addr_list {
	int index;
	unsigned n;
	uint32_t ip[16];
	unsigned char prefix[16];
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct addr_list *al = data;
	const struct nlattr *a;
	if (ifa->ifa_family != AF_INET || (int)ifa->ifa_index != al->index ||
	    al->n >= sizeof(al->ip) / sizeof(al->ip[0]))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_type(a) == IFA_LOCAL && mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
			al->ip[al->n] = ntohl(mnl_attr_get_u32(a));
			al->prefix[al->n++] = ifa->ifa_prefixlen;
		}
	}
	return MNL_CB_OK;
}

/* On a bridge of ours, every IPv4 address but gw/prefix goes: when a
 * pool's gateway moves, the old one would otherwise stay on the bridge
 * while the pool hands it out to a container. */
static void drop_other_addresses(struct pvx_nl *nl, const char *bridge, int index, uint32_t gw,
				 int prefix)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	struct addr_list al = { .index = index };
	if (talk(nl, nlh, addr_cb, &al) < 0)
		return;
	for (unsigned i = 0; i < al.n; i++) {
		if (al.ip[i] == gw && al.prefix[i] == prefix)
			continue;
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_DELADDR;
		nlh->nlmsg_flags = NLM_F_REQUEST;
		ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		ifa->ifa_family = AF_INET;
		ifa->ifa_prefixlen = al.prefix[i];
		ifa->ifa_index = (unsigned)index;
		mnl_attr_put_u32(nlh, IFA_LOCAL, htonl(al.ip[i]));
		char a[INET_ADDRSTRLEN];
		struct in_addr in = { .s_addr = htonl(al.ip[i]) };
		inet_ntop(AF_INET, &in, a, sizeof(a));
		int r = talk(nl, nlh, NULL, NULL);
		if (r < 0)
			log_warn("bridge %s: removing %s/%d (no longer the pool's gateway): %s", bridge, a,
				 al.prefix[i], strerror(-r));
		else
			log_info("bridge %s: %s/%d removed (no longer the pool's gateway)", bridge, a,
				 al.prefix[i]);
	}
}

int nl_bridge_ensure(struct pvx_nl *nl, const char *bridge, uint32_t gw, int prefix, char *err,
		     size_t errlen)
{
	struct link_info li;
	int index = link_info(nl, bridge, &li) < 0 ? 0 : li.index;
	bool ours = index && strcmp(li.alias, OUR_ALIAS) == 0; /* made by an earlier run */
	if (!index) {
		char buf[MNL_SOCKET_BUFFER_SIZE];
		struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
		mnl_attr_put_strz(nlh, IFLA_IFNAME, bridge);
		struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
		mnl_attr_nest_end(nlh, info);
		int r = talk(nl, nlh, NULL, NULL);
		if (r < 0 && r != -EEXIST) {
			snprintf(err, errlen, "creating bridge %s: %s", bridge, strerror(-r));
			return r;
		}
		ours = r == 0;
		index = nl_ifindex(nl, bridge);
		if (ours && index && mark_ours(nl, index) < 0)
			log_warn("bridge %s: could not mark it as ours (alias); a restarted daemon will leave it",
				 bridge);
	}
	int r = index ? add_address(nl, index, gw, prefix) : -ENODEV;
	if (r == 0 && ours)
		drop_other_addresses(nl, bridge, index, gw, prefix);
	if (r == 0)
		r = set_up(nl, index);
	if (r < 0)
		snprintf(err, errlen, "bridge %s: %s", bridge, strerror(-r));
	return r < 0 ? r : ours;
}

int nl_veth_create(struct pvx_nl *nl, const char *host, const char *peer, int netns_fd,
		   const char *bridge, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, host);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	struct nlattr *pi = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	struct ifinfomsg *pifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifi));
	memset(pifi, 0, sizeof(*pifi));
	pifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	mnl_attr_nest_end(nlh, pi);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	int r = talk(nl, nlh, NULL, NULL);
	if (r < 0) {
		snprintf(err, errlen, "creating veth %s: %s", host, strerror(-r));
		return r;
	}
	int index = nl_ifindex(nl, host), br = nl_ifindex(nl, bridge);
	if (!index || !br) {
		snprintf(err, errlen, "veth %s or bridge %s vanished", host, bridge);
		return -ENODEV;
	}
	nlh = link_msg(buf, RTM_NEWLINK, 0, index);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)br);
	r = talk(nl, nlh, NULL, NULL);
	if (r == 0)
		r = set_up(nl, index);
	if (r < 0)
		snprintf(err, errlen, "veth %s on bridge %s: %s", host, bridge, strerror(-r));
	return r;
}

int nl_iface_configure(struct pvx_nl *nl, const char *peer, const char *ifname,
		       const unsigned char *mac, uint32_t ip, int prefix, uint32_t gw, char *err,
		       size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int index = nl_ifindex(nl, peer);
	if (!index) {
		snprintf(err, errlen, "%s is not in the consumer's namespace", peer);
		return -ENODEV;
	}
	const char *step = "renaming";
	/* Down, it may be renamed and get its MAC. */
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, index);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	int r = talk(nl, nlh, NULL, NULL);
	if (r == 0) {
		step = "addressing";
		r = add_address(nl, index, ip, prefix);
	}
	if (r == 0) {
		step = "bringing up";
		r = set_up(nl, index);
	}
	int lo = nl_ifindex(nl, "lo");
	if (r == 0 && lo)
		set_up(nl, lo);
	if (r == 0) {
		step = "adding the default route";
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_NEWROUTE;
		/* Never NLM_F_REPLACE: a default route we did not make (another
		 * interface's, the namespace's own) stays as it is. */
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = AF_INET;
		rtm->rtm_table = RT_TABLE_MAIN;
		rtm->rtm_protocol = RTPROT_STATIC;
		rtm->rtm_scope = RT_SCOPE_UNIVERSE;
		rtm->rtm_type = RTN_UNICAST;
		mnl_attr_put_u32(nlh, RTA_GATEWAY, htonl(gw));
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)index);
		r = talk(nl, nlh, NULL, NULL);
		if (r == -EEXIST) {
			log_info("%s: the consumer has a default route already; kept, none added via %s",
				 ifname, ifname);
			r = 0;
		}
	}
	if (r < 0)
		snprintf(err, errlen, "%s %s in the consumer: %s", step, ifname, strerror(-r));
	return r;
}

int nl_link_delete(struct pvx_nl *nl, const char *name)
{
	int index = nl_ifindex(nl, name);
	if (!index)
		return -ENODEV;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	return talk(nl, link_msg(buf, RTM_DELLINK, 0, index), NULL, NULL);
}
