/* IPAM: pool validation, interface names, static and dynamic leases, two
 * interfaces of one container, a pool changed under its leases, MACs,
 * exhaustion, the lease file (restart, torn and corrupt files, a symlink
 * at its temporary name, files written before leases had an interface). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ipam/ipam.h"
#include "t/tap.h"

static int set_pools(const char *text, struct pvx_buf *errs)
{
	json_t *o = json_loads(text, 0, NULL);
	pvx_buf_reset(errs);
	int r = ipam_set_pools(o, errs);
	json_decref(o);
	return r;
}

static const char *ip_of(const struct ipam_lease *l)
{
	static char buf[32];
	ipam_format_ip(l->ip, buf, sizeof(buf));
	return buf;
}

static int reserve_if(const char *pool, const char *ct, const char *ifname, const char *ip,
		      const struct ipam_lease **l)
{
	char why[200];
	return ipam_reserve(pool, ct, ifname, ip, NULL, l, why, sizeof(why));
}

static int reserve(const char *pool, const char *ct, const char *ip, const struct ipam_lease **l)
{
	return reserve_if(pool, ct, "eth0", ip, l);
}

static void pools(void)
{
	struct pvx_buf e = { 0 };
	tap_ok(set_pools("{\"internal\": {\"type\": \"bridge\", \"bridge\": \"br0\", \"subnet\": \"10.0.3.0/24\","
			 " \"gateway\": \"10.0.3.1\", \"nat\": true}}", &e) == 0 && ipam_pool("internal"),
	       "the seed's pool is valid");
	static const struct {
		const char *json, *why;
	} bad[] = {
		{ "{\"p\": {\"bridge\": \"b\", \"subnet\": \"10.0.3.0/24\", \"gateway\": \"10.0.4.1\"}}", "outside the subnet" },
		{ "{\"p\": {\"bridge\": \"b\", \"subnet\": \"10.0.3.0/24\", \"gateway\": \"10.0.3.0\"}}", "network or broadcast" },
		{ "{\"p\": {\"bridge\": \"b\", \"subnet\": \"10.0.3.0/24\", \"gateway\": \"10.0.3.255\"}}", "network or broadcast" },
		{ "{\"p\": {\"bridge\": \"b\", \"subnet\": \"10.0.3.0/31\", \"gateway\": \"10.0.3.1\"}}", "prefix" },
		{ "{\"p\": {\"bridge\": \"b\", \"subnet\": \"10.0.0.0/4\", \"gateway\": \"10.0.0.1\"}}", "prefix" },
		{ "{\"p\": {\"bridge\": \"b\", \"subnet\": \"10.0.3.7/24\", \"gateway\": \"10.0.3.1\"}}", "host bits" },
		{ "{\"p\": {\"bridge\": \"b\", \"subnet\": \"10.0.3.0\", \"gateway\": \"10.0.3.1\"}}", "a.b.c.d/prefix" },
		{ "{\"p\": {\"bridge\": \"this-is-too-long0\", \"subnet\": \"10.0.3.0/24\", \"gateway\": \"10.0.3.1\"}}", "interface name" },
		{ "{\"p\": {\"bridge\": \"a/b\", \"subnet\": \"10.0.3.0/24\", \"gateway\": \"10.0.3.1\"}}", "interface name" },
		{ "{\"p\": {\"type\": \"macvlan\", \"bridge\": \"b\", \"subnet\": \"10.0.3.0/24\", \"gateway\": \"10.0.3.1\"}}", "type" },
		{ "{\"p\": {\"bridge\": \"b\", \"subnet\": \"10.0.3.0/24\", \"gateway\": \"10.0.3.1\", \"nat\": \"yes\"}}", "nat" },
		{ "{\"p\": {\"bridge\": \"b\", \"subnet\": \"10.0.3.0/24\", \"gateway\": \"10.0.3.1\"},"
		  " \"q\": {\"bridge\": \"b\", \"subnet\": \"10.0.4.0/24\", \"gateway\": \"10.0.4.1\"}}", "bridge already used" },
		{ "{\"p\": 3}", "not an object" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = set_pools(bad[i].json, &e);
		tap_ok(r >= 1 && e.data && strstr(e.data, bad[i].why), "bad pool refused: %s (%s)", bad[i].why,
		       e.data ? strtok(e.data, "\n") : "no error");
	}
	pvx_buf_free(&e);
}

static void leases(void)
{
	struct pvx_buf e = { 0 };
	set_pools("{\"internal\": {\"bridge\": \"br0\", \"subnet\": \"10.0.3.0/24\", \"gateway\": \"10.0.3.1\"},"
		  " \"tiny\": {\"bridge\": \"br1\", \"subnet\": \"10.9.0.0/30\", \"gateway\": \"10.9.0.1\"}}", &e);
	const struct ipam_lease *l;
	char why[200];
	tap_ok(reserve("internal", "valid", "10.0.3.50", &l) == 0 && !strcmp(ip_of(l), "10.0.3.50") && l->is_static,
	       "static 10.0.3.50 reserved");
	char mac[32];
	ipam_format_mac(l->mac, mac, sizeof(mac));
	tap_ok(!strcmp(mac, "02:00:0a:00:03:32"), "deterministic MAC %s", mac);
	tap_ok(reserve("internal", "collision", "10.0.3.50", &l) == IPAM_EINUSE, "the same address for another container: in use");
	tap_ok(reserve("internal", "valid", "10.0.3.50", &l) == 0, "the same container again: its lease");
	tap_ok(ipam_reserve("internal", "invalid", "eth0", "192.168.99.100", NULL, &l, why, sizeof(why)) == IPAM_EOUTSIDE &&
		       strstr(why, "outside subnet 10.0.3.0/24"),
	       "192.168.99.100 outside the subnet: %s", why);
	tap_ok(reserve("internal", "x", "10.0.3.0", &l) == IPAM_EOUTSIDE, "network address refused");
	tap_ok(reserve("internal", "x", "10.0.3.1", &l) == IPAM_EOUTSIDE, "gateway refused");
	tap_ok(reserve("internal", "x", "10.0.3.255", &l) == IPAM_EOUTSIDE, "broadcast refused");
	tap_ok(reserve("internal", "x", "10.0.3", &l) == IPAM_EBADADDR, "not an address refused");
	tap_ok(reserve("nope", "x", NULL, &l) == IPAM_ENOPOOL, "unknown pool refused");
	tap_ok(ipam_reserve("internal", "m", "eth0", NULL, "03:00:00:00:00:01", &l, why, sizeof(why)) == IPAM_EBADADDR,
	       "multicast MAC refused");
	tap_ok(ipam_reserve("internal", "m", "eth0", NULL, "02:aa:bb:cc:dd:ee", &l, why, sizeof(why)) == 0 &&
		       l->mac[1] == 0xaa, "a given MAC is used");

	/* dynamic */
	tap_ok(reserve("internal", "d1", NULL, &l) == 0, "dynamic lease: %s", ip_of(l));
	char first[32];
	snprintf(first, sizeof(first), "%s", ip_of(l));
	tap_ok(reserve("internal", "d1", NULL, &l) == 0 && !strcmp(ip_of(l), first), "a restarted container keeps its address");
	reserve("internal", "d2", NULL, &l);
	char second[32];
	snprintf(second, sizeof(second), "%s", ip_of(l));
	tap_ok(strcmp(first, second) != 0, "two containers, two addresses (%s, %s)", first, second);
	ipam_release("internal", "d1", "eth0");
	reserve("internal", "d3", NULL, &l);
	tap_ok(strcmp(ip_of(l), first) != 0, "a just-released address is not handed out again (%s)", ip_of(l));

	/* /30: one host besides the gateway */
	tap_ok(reserve("tiny", "a", NULL, &l) == 0 && !strcmp(ip_of(l), "10.9.0.2"), "/30: the one free address");
	tap_ok(ipam_reserve("tiny", "b", "eth0", NULL, NULL, &l, why, sizeof(why)) == IPAM_EFULL && strstr(why, "no free address"),
	       "/30 exhausted: %s", why);
	ipam_release("tiny", "a", "eth0");
	tap_ok(reserve("tiny", "b", NULL, &l) == 0, "freed again after release");
	pvx_buf_free(&e);
}

static size_t count(void)
{
	return ipam_lease_count();
}

static void store(void)
{
	char dir[] = "/tmp/pvx-ipam-XXXXXX", err[200], path[300];
	if (!mkdtemp(dir))
		abort();
	ipam_reset();
	struct pvx_buf e = { 0 };
	const char *pools = "{\"internal\": {\"bridge\": \"br0\", \"subnet\": \"10.0.3.0/24\", \"gateway\": \"10.0.3.1\"}}";
	set_pools(pools, &e);
	tap_ok(ipam_open_store(dir, err, sizeof(err)) == 0 && count() == 0, "empty state directory: no leases");
	const struct ipam_lease *l;
	reserve("internal", "valid", "10.0.3.50", &l);
	reserve("internal", "dyn", NULL, &l);
	char dyn[32];
	snprintf(dyn, sizeof(dyn), "%s", ip_of(l));

	/* "restart" */
	ipam_reset();
	set_pools(pools, &e);
	ipam_open_store(dir, err, sizeof(err));
	tap_ok(count() == 2, "after a restart: both leases (%zu)", count());
	tap_ok(reserve("internal", "dyn", NULL, &l) == 0 && !strcmp(ip_of(l), dyn), "dynamic lease kept its address");
	tap_ok(reserve("internal", "other", "10.0.3.50", &l) == IPAM_EINUSE, "no duplicate address after a restart");
	reserve("internal", "third", NULL, &l); /* a write: FILE.prev holds the two-lease state */

	/* a torn write of the current file */
	snprintf(path, sizeof(path), "%s/ipam-leases.json", dir);
	FILE *f = fopen(path, "w");
	fputs("{\"version\": 1, \"leases\": [{\"pool\": \"inter", f);
	fclose(f);
	ipam_reset();
	set_pools(pools, &e);
	ipam_open_store(dir, err, sizeof(err));
	tap_ok(count() == 2, "torn lease file: the previous good copy is used (%zu leases)", count());
	char aside[320];
	snprintf(aside, sizeof(aside), "%s.corrupt", path);
	tap_ok(access(aside, F_OK) == 0, "the torn file is kept aside for a post-mortem");
	reserve("internal", "fourth", NULL, &l);
	ipam_reset();
	set_pools(pools, &e);
	ipam_open_store(dir, err, sizeof(err));
	tap_ok(count() == 3, "the next write is whole again (%zu leases)", count());

	/* a lease file with a malformed lease */
	f = fopen(path, "w");
	fputs("{\"version\": 1, \"leases\": [{\"pool\": \"internal\", \"container\": \"x\", \"ip\": \"300.1.1.1\", \"mac\": \"02:00:00:00:00:01\"}]}", f);
	fclose(f);
	ipam_reset();
	set_pools(pools, &e);
	ipam_open_store(dir, err, sizeof(err));
	tap_ok(count() == 2, "a malformed lease: the file is refused, the previous copy used (%zu)", count());
	ipam_reset();
	pvx_buf_free(&e);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
}

int main(void)
{
	pools();
	leases();
	store();
	return tap_done();
}
