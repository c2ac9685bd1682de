/* Pools, leases and the lease file; see ipam.h. */
#include "config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "ipam/ipam.h"

#define LEASE_FILE "ipam-leases.json"

static struct ipam_pool *pools;
static size_t n_pools;
static struct ipam_lease *leases;
static size_t n_leases;
static char *store_dir;
static ipam_pool_changed_fn *pool_changed_hook;

void ipam_set_pool_changed_hook(ipam_pool_changed_fn *fn)
{
	pool_changed_hook = fn;
}

static uint32_t mask_of(int prefix)
{
	return prefix == 0 ? 0 : ~(uint32_t)0 << (32 - prefix);
}

static uint32_t broadcast_of(const struct ipam_pool *p)
{
	return p->network | ~mask_of(p->prefix);
}

void ipam_format_ip(uint32_t ip, char *out, size_t len)
{
	struct in_addr a = { .s_addr = htonl(ip) };
	inet_ntop(AF_INET, &a, out, (socklen_t)len);
}

void ipam_format_mac(const unsigned char *m, char *out, size_t len)
{
	snprintf(out, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static bool parse_ip(const char *s, uint32_t *ip)
{
	struct in_addr a;
	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return false;
	*ip = ntohl(a.s_addr);
	return true;
}

static bool parse_mac(const char *s, unsigned char *m)
{
	unsigned v[6];
	char tail;
	if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		m[i] = (unsigned char)v[i];
	/* unicast only: a multicast MAC on an interface breaks it */
	return !(m[0] & 1);
}

static void derive_mac(uint32_t ip, unsigned char *m)
{
	m[0] = 0x02;
	m[1] = 0x00;
	m[2] = (unsigned char)(ip >> 24);
	m[3] = (unsigned char)(ip >> 16);
	m[4] = (unsigned char)(ip >> 8);
	m[5] = (unsigned char)ip;
}

bool ipam_ifname_ok(const char *s, const char **why)
{
	static const char *const taken[] = { "lo", "all", "default" };
	const char *dummy;
	size_t n = s ? strlen(s) : 0;
	if (!why)
		why = &dummy;
	*why = "not 1-15 characters";
	if (n == 0 || n >= IFNAMSIZ)
		return false;
	*why = "\".\" and \"..\" are not interface names";
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		*why = "'/', ':', spaces and control bytes are not allowed";
		if (s[i] == '/' || s[i] == ':' || s[i] <= ' ' || s[i] > '~')
			return false;
		/* the kernel would take it as a template (eth%d: eth0, eth1...) */
		*why = "'%' is not allowed (the kernel takes the name as a template)";
		if (s[i] == '%')
			return false;
	}
	*why = "a name every network namespace already has or the kernel keeps (lo, all, default)";
	for (size_t i = 0; i < ARRAY_SIZE(taken); i++)
		if (!strcmp(s, taken[i]))
			return false;
	*why = NULL;
	return true;
}

static void pool_free(struct ipam_pool *p)
{
	free(p->name);
	free(p->bridge);
}

/* Reads one pool; NULL or a static reason. */
static const char *pool_read(const char *name, json_t *o, struct ipam_pool *p)
{
	memset(p, 0, sizeof(*p));
	if (!json_is_object(o))
		return "not an object";
	const char *type = json_string_value(json_object_get(o, "type"));
	const char *bridge = json_string_value(json_object_get(o, "bridge"));
	const char *subnet = json_string_value(json_object_get(o, "subnet"));
	const char *gateway = json_string_value(json_object_get(o, "gateway"));
	json_t *nat = json_object_get(o, "nat");
	if (type && strcmp(type, "bridge") != 0)
		return "type must be \"bridge\"";
	if (!ipam_ifname_ok(bridge, NULL))
		return "bridge must be an interface name (1-15 characters, no '/', ':', '%' or spaces, "
		       "not lo, all or default)";
	char net[32];
	const char *slash = subnet ? strchr(subnet, '/') : NULL;
	char *end;
	long prefix = slash ? strtol(slash + 1, &end, 10) : -1;
	if (!slash || (size_t)(slash - subnet) >= sizeof(net) || slash[1] == '\0' || *end)
		return "subnet must be a.b.c.d/prefix";
	memcpy(net, subnet, (size_t)(slash - subnet));
	net[slash - subnet] = '\0';
	if (!parse_ip(net, &p->network))
		return "subnet must be a.b.c.d/prefix";
	if (prefix < 8 || prefix > 30)
		return "subnet prefix must be between /8 and /30";
	p->prefix = (int)prefix;
	if (p->network & ~mask_of(p->prefix))
		return "subnet has host bits set (give the network address)";
	if (!parse_ip(gateway, &p->gateway))
		return "gateway must be an IPv4 address";
	if ((p->gateway & mask_of(p->prefix)) != p->network)
		return "gateway is outside the subnet";
	if (p->gateway == p->network || p->gateway == broadcast_of(p))
		return "gateway is the network or broadcast address";
	if (nat && !json_is_boolean(nat))
		return "nat must be true or false";
	p->nat = json_is_true(nat);
	p->name = strdup(name);
	p->bridge = strdup(bridge);
	p->cursor = p->gateway;
	return NULL;
}

const char *ipam_pool_check(const char *name, json_t *o)
{
	struct ipam_pool p;
	const char *why = pool_read(name, o, &p);
	pool_free(&p);
	return why;
}

int ipam_set_pools(json_t *obj, struct pvx_buf *errs)
{
	struct ipam_pool *np = NULL;
	size_t nn = 0;
	int skipped = 0;
	bool *changed = NULL; /* per new pool: it was there with another definition */
	const char *name;
	json_t *v;
	if (obj && !json_is_object(obj)) {
		pvx_buf_printf(errs, "pools: not an object\n");
		return 1;
	}
	json_object_foreach(obj, name, v) {
		struct ipam_pool p;
		const char *why = pool_read(name, v, &p);
		for (size_t i = 0; !why && i < nn; i++)
			if (!strcmp(np[i].bridge, p.bridge))
				why = "bridge already used by another pool";
		if (why) {
			pool_free(&p);
			pvx_buf_printf(errs, "pool '%s': %s\n", name, why);
			skipped++;
			continue;
		}
		/* Keep the dynamic cursor of a pool that stays the same. */
		const struct ipam_pool *old = ipam_pool(name);
		if (old && old->network == p.network && old->prefix == p.prefix)
			p.cursor = old->cursor;
		struct ipam_pool *grown = realloc(np, (nn + 1) * sizeof(*np));
		bool *grown_c = grown ? realloc(changed, (nn + 1) * sizeof(*changed)) : NULL;
		if (grown)
			np = grown;
		if (!grown_c) {
			pool_free(&p);
			skipped++;
			continue;
		}
		changed = grown_c;
		changed[nn] = old && (strcmp(old->bridge, p.bridge) || old->network != p.network ||
				      old->prefix != p.prefix || old->gateway != p.gateway || old->nat != p.nat);
		np[nn++] = p;
	}
	for (size_t i = 0; i < n_pools; i++)
		pool_free(&pools[i]);
	free(pools);
	pools = np;
	n_pools = nn;
	/* Told after the swap: what the hook does (plant again) sees the new
	 * pools.  Names copied: a hook may change the pools once more. */
	for (size_t i = 0; pool_changed_hook && i < nn; i++) {
		if (!changed[i])
			continue;
		char *name_copy = strdup(np[i].name);
		if (name_copy)
			pool_changed_hook(name_copy);
		free(name_copy);
		if (pools != np)
			break;
	}
	free(changed);
	return skipped;
}

void ipam_use_pools(json_t *obj, const char *source)
{
	struct pvx_buf errs = { 0 };
	ipam_set_pools(obj, &errs);
	/* Bad pools are reported, good ones used. */
	for (char *line = errs.data, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		log_error("%s: %s", source, line);
	}
	pvx_buf_free(&errs);
}

int ipam_load_device_json(const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!root) {
		snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		return -1;
	}
	ipam_use_pools(json_object_get(json_object_get(root, "network"), "pools"), path);
	json_decref(root);
	return 0;
}

const struct ipam_pool *ipam_pool(const char *name)
{
	for (size_t i = 0; i < n_pools; i++)
		if (!strcmp(pools[i].name, name))
			return &pools[i];
	return NULL;
}

/* The lease of (pool, container, ifname) exactly. */
static struct ipam_lease *find_lease(const char *pool, const char *container, const char *ifname)
{
	for (size_t i = 0; i < n_leases; i++)
		if (!strcmp(leases[i].pool, pool) && !strcmp(leases[i].container, container) &&
		    !strcmp(leases[i].ifname, ifname))
			return &leases[i];
	return NULL;
}

/* The same, or else the container's old entry in the pool written before
 * leases had an interface (ifname ""), which that interface may take over. */
static struct ipam_lease *lease_for(const char *pool, const char *container, const char *ifname)
{
	struct ipam_lease *l = find_lease(pool, container, ifname);
	return l ? l : find_lease(pool, container, "");
}

static struct ipam_lease *lease_of_ip(const char *pool, uint32_t ip)
{
	for (size_t i = 0; i < n_leases; i++)
		if (!strcmp(leases[i].pool, pool) && leases[i].ip == ip)
			return &leases[i];
	return NULL;
}

static struct ipam_lease *add_lease(const char *pool, const char *container, const char *ifname,
				    uint32_t ip, const unsigned char *mac, bool is_static, double since)
{
	struct ipam_lease *grown = realloc(leases, (n_leases + 1) * sizeof(*leases));
	if (!grown)
		return NULL;
	leases = grown;
	struct ipam_lease *l = &leases[n_leases];
	l->pool = strdup(pool);
	l->container = strdup(container);
	l->ifname = strdup(ifname);
	if (!l->pool || !l->container || !l->ifname) {
		free(l->pool);
		free(l->container);
		free(l->ifname);
		return NULL;
	}
	l->ip = ip;
	memcpy(l->mac, mac, 6);
	l->is_static = is_static;
	l->since = since;
	n_leases++;
	return l;
}

static void remove_lease(struct ipam_lease *l)
{
	free(l->pool);
	free(l->container);
	free(l->ifname);
	size_t i = (size_t)(l - leases);
	memmove(&leases[i], &leases[i + 1], (n_leases - i - 1) * sizeof(*leases));
	n_leases--;
}

const struct ipam_lease *ipam_lease_of(const char *pool, const char *container, const char *ifname)
{
	return lease_for(pool, container, ifname);
}

bool ipam_release(const char *pool, const char *container, const char *ifname)
{
	struct ipam_lease *l = find_lease(pool, container, ifname);
	if (!l)
		return false;
	remove_lease(l);
	ipam_save();
	return true;
}

/* Why ip cannot be a container's address in p, or NULL. */
static const char *unfit(const struct ipam_pool *p, uint32_t ip)
{
	if ((ip & mask_of(p->prefix)) != p->network)
		return "outside the subnet";
	if (ip == p->network)
		return "the network address";
	if (ip == p->gateway)
		return "the gateway address";
	if (ip == broadcast_of(p))
		return "the broadcast address";
	return NULL;
}

int ipam_reserve(const char *pool_name, const char *container, const char *ifname,
		 const char *static_ip, const char *mac_s, const struct ipam_lease **out, char *why,
		 size_t whylen)
{
	struct ipam_pool *p = (struct ipam_pool *)ipam_pool(pool_name);
	char buf[32];
	if (!p) {
		snprintf(why, whylen, "pool '%s' is not defined", pool_name);
		return IPAM_ENOPOOL;
	}
	unsigned char mac[6];
	if (mac_s && !parse_mac(mac_s, mac)) {
		snprintf(why, whylen, "'%s' is not a unicast MAC address", mac_s);
		return IPAM_EBADADDR;
	}
	struct ipam_lease *mine = lease_for(pool_name, container, ifname);
	const char *bad = mine ? unfit(p, mine->ip) : NULL;
	if (bad) {
		/* The pool changed under the lease (its gateway moved onto it,
		 * say): keeping it would give the bridge and the container one
		 * address.  Released; the link is refused like any conflict. */
		ipam_format_ip(mine->ip, buf, sizeof(buf));
		snprintf(why, whylen, "the lease %s of '%s' (%s) is now %s of pool '%s': released", buf,
			 container, ifname, bad, p->name);
		remove_lease(mine);
		ipam_save();
		return IPAM_ECONFLICT;
	}
	if (mine && !*mine->ifname) {
		char *taken = strdup(ifname); /* an old entry: this interface's now */
		if (!taken) {
			snprintf(why, whylen, "out of memory");
			return -ENOMEM;
		}
		free(mine->ifname);
		mine->ifname = taken;
		ipam_save();
	}
	uint32_t ip;
	if (static_ip) {
		if (!parse_ip(static_ip, &ip)) {
			snprintf(why, whylen, "'%s' is not an IPv4 address", static_ip);
			return IPAM_EBADADDR;
		}
		ipam_format_ip(p->network, buf, sizeof(buf));
		if ((ip & mask_of(p->prefix)) != p->network) {
			snprintf(why, whylen, "%s is outside subnet %s/%d of pool '%s'", static_ip, buf,
				 p->prefix, p->name);
			return IPAM_EOUTSIDE;
		}
		if (ip == p->network || ip == p->gateway || ip == broadcast_of(p)) {
			snprintf(why, whylen, "%s is the %s address of pool '%s'", static_ip,
				 ip == p->network ? "network" : ip == p->gateway ? "gateway" : "broadcast",
				 p->name);
			return IPAM_EOUTSIDE;
		}
		struct ipam_lease *holder = lease_of_ip(pool_name, ip);
		if (holder && holder != mine) {
			snprintf(why, whylen, "%s is already leased to '%s' (%s)", static_ip, holder->container,
				 *holder->ifname ? holder->ifname : "an interface");
			return IPAM_EINUSE;
		}
		if (mine && (mine->ip != ip || !mine->is_static)) {
			remove_lease(mine); /* the container asks for another address now */
			mine = NULL;
		}
	} else if (mine) {
		ip = mine->ip; /* a restarted container keeps its address */
	} else {
		uint32_t first = p->network + 1, last = broadcast_of(p) - 1, n = last - first + 1;
		uint32_t c = p->cursor < first || p->cursor > last ? last : p->cursor;
		bool found = false;
		for (uint32_t k = 1; k <= n && !found; k++) {
			ip = first + (c - first + k) % n;
			found = ip != p->gateway && !lease_of_ip(pool_name, ip);
		}
		if (!found) {
			snprintf(why, whylen, "pool '%s' has no free address left", p->name);
			return IPAM_EFULL;
		}
		p->cursor = ip;
	}
	if (!mac_s)
		derive_mac(ip, mac);
	if (mine) {
		if (memcmp(mine->mac, mac, 6) != 0) {
			memcpy(mine->mac, mac, 6);
			ipam_save();
		}
		*out = mine;
		return 0;
	}
	struct ipam_lease *l = add_lease(pool_name, container, ifname, ip, mac, static_ip != NULL,
					 pvx_wallclock());
	if (!l) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	ipam_save();
	*out = l;
	return 0;
}

/* ---- the lease file ---------------------------------------------------- */

static json_t *state_json(void)
{
	json_t *ls = json_array(), *cur = json_object();
	char ip[32], mac[32];
	for (size_t i = 0; i < n_leases; i++) {
		const struct ipam_lease *l = &leases[i];
		ipam_format_ip(l->ip, ip, sizeof(ip));
		ipam_format_mac(l->mac, mac, sizeof(mac));
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:f}", "pool", l->pool, "container",
				      l->container, "ip", ip, "mac", mac, "static", l->is_static,
				      "since", l->since);
		if (*l->ifname) /* an old entry not yet taken over stays without one */
			json_object_set_new(o, "ifname", json_string(l->ifname));
		json_array_append_new(ls, o);
	}
	for (size_t i = 0; i < n_pools; i++) {
		ipam_format_ip(pools[i].cursor, ip, sizeof(ip));
		json_object_set_new(cur, pools[i].name, json_string(ip));
	}
	return json_pack("{s:i, s:o, s:o}", "version", 1, "leases", ls, "cursors", cur);
}

/* Checks a lease file's tree; false with why when it is malformed. */
static bool state_ok(json_t *root, char *why, size_t whylen)
{
	json_t *ls = json_object_get(root, "leases");
	if (json_integer_value(json_object_get(root, "version")) != 1 || !json_is_array(ls)) {
		snprintf(why, whylen, "not a version 1 lease file");
		return false;
	}
	size_t i;
	json_t *v;
	json_array_foreach(ls, i, v) {
		uint32_t ip;
		unsigned char mac[6];
		json_t *ifn = json_object_get(v, "ifname");
		if (!json_is_string(json_object_get(v, "pool")) ||
		    !json_is_string(json_object_get(v, "container")) ||
		    (ifn && !json_is_string(ifn)) ||
		    !parse_ip(json_string_value(json_object_get(v, "ip")), &ip) ||
		    !parse_mac(json_string_value(json_object_get(v, "mac")), mac)) {
			snprintf(why, whylen, "lease %zu is malformed", i);
			return false;
		}
	}
	return true;
}

/* Reads a lease file; NULL with why when it is torn or malformed. */
static json_t *read_state(const char *path, char *why, size_t whylen)
{
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		snprintf(why, whylen, "line %d: %s", je.line, je.text);
		return NULL;
	}
	if (!state_ok(root, why, whylen)) {
		json_decref(root);
		return NULL;
	}
	return root;
}

static void use_state(json_t *root)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(root, "leases"), i, v) {
		uint32_t ip = 0;
		unsigned char mac[6] = { 0 };
		parse_ip(json_string_value(json_object_get(v, "ip")), &ip);
		parse_mac(json_string_value(json_object_get(v, "mac")), mac);
		const char *pool = json_string_value(json_object_get(v, "pool"));
		const char *ct = json_string_value(json_object_get(v, "container"));
		/* Files written before leases had an interface: "" until the
		 * container's first interface in the pool takes it over. */
		const char *ifn = json_string_value(json_object_get(v, "ifname"));
		if (!ifn)
			ifn = "";
		if (find_lease(pool, ct, ifn) || lease_of_ip(pool, ip))
			continue; /* a duplicate never becomes two leases */
		add_lease(pool, ct, ifn, ip, mac, json_is_true(json_object_get(v, "static")),
			  json_real_value(json_object_get(v, "since")));
	}
	const char *name;
	json_object_foreach(json_object_get(root, "cursors"), name, v) {
		struct ipam_pool *p = (struct ipam_pool *)ipam_pool(name);
		uint32_t ip;
		if (p && parse_ip(json_string_value(v), &ip))
			p->cursor = ip;
	}
}

int ipam_load_state_text(const char *text, size_t len, char *why, size_t whylen)
{
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		snprintf(why, whylen, "line %d: %s", je.line, je.text);
		return -1;
	}
	bool ok = state_ok(root, why, whylen);
	if (ok)
		use_state(root);
	json_decref(root);
	return ok ? 0 : -1;
}

int ipam_open_store(const char *dir, char *err, size_t errlen)
{
	free(store_dir);
	store_dir = strdup(dir);
	if (!store_dir) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct stat st;
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "state directory %s is not a directory", dir);
		return -1;
	}
	char path[4200], prev[4300], why[200];
	snprintf(path, sizeof(path), "%s/" LEASE_FILE, dir);
	snprintf(prev, sizeof(prev), "%s.prev", path);
	json_t *root = NULL;
	const char *from = path;
	if (access(path, F_OK) == 0) {
		root = read_state(path, why, sizeof(why));
		if (!root) {
			char aside[4300];
			snprintf(aside, sizeof(aside), "%s.corrupt", path);
			log_error("lease file %s is corrupt (%s): moved to %s", path, why, aside);
			rename(path, aside);
		}
	}
	if (!root && access(prev, F_OK) == 0) {
		from = prev;
		root = read_state(prev, why, sizeof(why));
		if (!root)
			log_error("previous lease file %s is corrupt too (%s): starting without leases", prev, why);
	}
	if (root) {
		/* said only once the file was read and found whole */
		use_state(root);
		json_decref(root);
		log_info("leases: %zu loaded from %s", n_leases, from);
	}
	return 0;
}

/* Writes all of buf to a new file path and fsyncs it.  Whatever is at
 * path (a left-over temporary, or a symlink someone put there) is removed
 * first and never followed: O_EXCL | O_NOFOLLOW create the file itself or
 * fail. */
static int write_synced(const char *path, const char *buf, size_t len)
{
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? -errno : -EIO;
			close(fd);
			return e;
		}
		off += (size_t)n;
	}
	int r = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return r;
}

int ipam_save(void)
{
	if (!store_dir)
		return 0;
	char path[4200], prev[4300], tmp[4300];
	snprintf(path, sizeof(path), "%s/" LEASE_FILE, store_dir);
	snprintf(prev, sizeof(prev), "%s.prev", path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (mkdir(store_dir, 0755) < 0 && errno != EEXIST) {
		log_error("lease directory %s: %s (leases kept in memory)", store_dir, strerror(errno));
		return -errno;
	}
	json_t *root = state_json();
	char *text = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(root);
	if (!text)
		return -ENOMEM;
	int r = write_synced(tmp, text, strlen(text));
	free(text);
	if (r < 0) {
		log_error("lease file %s: %s (leases kept in memory)", tmp, strerror(-r));
		unlink(tmp);
		return r;
	}
	/* FILE.prev is always a complete copy: a crash between the two
	 * renames leaves FILE.prev (and the new FILE.tmp), never nothing. */
	if (rename(path, prev) < 0 && errno != ENOENT)
		log_warn("lease file: keeping %s: %s", prev, strerror(errno));
	if (rename(tmp, path) < 0) {
		r = -errno;
		log_error("lease file %s: %s", path, strerror(errno));
		return r;
	}
	int dfd = open(store_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

json_t *ipam_json(void)
{
	json_t *ps = json_array(), *ls = json_array();
	char a[32], b[32];
	for (size_t i = 0; i < n_pools; i++) {
		const struct ipam_pool *p = &pools[i];
		size_t used = 0;
		for (size_t k = 0; k < n_leases; k++)
			used += !strcmp(leases[k].pool, p->name);
		uint32_t hosts = (uint32_t)(~mask_of(p->prefix)) - 1 - 1; /* no network, broadcast, gateway */
		ipam_format_ip(p->network, a, sizeof(a));
		char subnet[48];
		snprintf(subnet, sizeof(subnet), "%s/%d", a, p->prefix);
		ipam_format_ip(p->gateway, b, sizeof(b));
		json_array_append_new(ps, json_pack("{s:s, s:s, s:s, s:s, s:b, s:I, s:I}", "name", p->name,
						    "subnet", subnet, "gateway", b, "bridge", p->bridge, "nat",
						    p->nat, "used", (json_int_t)used, "free",
						    (json_int_t)(hosts - used)));
	}
	for (size_t i = 0; i < n_leases; i++) {
		const struct ipam_lease *l = &leases[i];
		ipam_format_ip(l->ip, a, sizeof(a));
		ipam_format_mac(l->mac, b, sizeof(b));
		json_array_append_new(ls, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:f}", "pool", l->pool,
						    "container", l->container, "ifname", l->ifname, "ip", a,
						    "mac", b, "kind", l->is_static ? "static" : "dynamic",
						    "since", l->since));
	}
	return json_pack("{s:o, s:o}", "pools", ps, "leases", ls);
}

size_t ipam_lease_count(void)
{
	return n_leases;
}

const struct ipam_lease *ipam_lease_at(size_t i)
{
	return i < n_leases ? &leases[i] : NULL;
}

void ipam_reset(void)
{
	for (size_t i = 0; i < n_pools; i++)
		pool_free(&pools[i]);
	free(pools);
	pools = NULL;
	n_pools = 0;
	while (n_leases)
		remove_lease(&leases[n_leases - 1]);
	free(leases);
	leases = NULL;
	free(store_dir);
	store_dir = NULL;
}
