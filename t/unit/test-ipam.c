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

/* eth%d would be a kernel template (eth0, eth1...), lo/all/default are
 * taken in every namespace (renaming onto them fails for ever). */
static void ifnames(void)
{
	static const struct {
		const char *name, *why;
	} bad[] = {
		{ "eth%d", "template" }, { "%d", "template" }, { "lo", "lo, all, default" },
		{ "all", "lo, all, default" }, { "default", "lo, all, default" }, { "", "1-15" },
		{ "abcdefghijklmnop", "1-15" }, { "a/b", "'/'" }, { "a:1", "':'" }, { "a b", "spaces" },
		{ "..", "\"..\"" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = NULL;
		tap_ok(!ipam_ifname_ok(bad[i].name, &why) && why && strstr(why, bad[i].why),
		       "interface name '%s' refused: %s", bad[i].name, why ? why : "(accepted)");
	}
	static const char *const good[] = { "eth0", "eth1", "lo0", "alls", "net-1", "abcdefghijklmno" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		tap_ok(ipam_ifname_ok(good[i], NULL), "interface name '%s' usable", good[i]);
	struct pvx_buf e = { 0 };
	tap_ok(set_pools("{\"p\": {\"bridge\": \"br%d\", \"subnet\": \"10.0.3.0/24\", \"gateway\": \"10.0.3.1\"}}", &e) == 1 &&
		       !ipam_pool("p"),
	       "a pool whose bridge is br%%d is refused");
	tap_ok(set_pools("{\"p\": {\"bridge\": \"lo\", \"subnet\": \"10.0.3.0/24\", \"gateway\": \"10.0.3.1\"}}", &e) == 1 &&
		       !ipam_pool("p"),
	       "a pool whose bridge is lo is refused (its gateway would land on lo)");
	pvx_buf_free(&e);
}

/* Two interfaces of one container in one pool: each keeps its lease. */
static void two_interfaces(void)
{
	ipam_reset();
	struct pvx_buf e = { 0 };
	set_pools("{\"internal\": {\"bridge\": \"br0\", \"subnet\": \"10.0.3.0/24\", \"gateway\": \"10.0.3.1\"}}", &e);
	const struct ipam_lease *l = NULL;
	/* (each reservation its own statement: the arguments of tap_ok are
	 * evaluated in no set order, and l may move with every change) */
	int r = reserve_if("internal", "two", "eth0", NULL, &l);
	tap_ok(r == 0, "eth0 of 'two': dynamic %s", r == 0 ? ip_of(l) : "-");
	char first[32];
	snprintf(first, sizeof(first), "%s", ip_of(l));
	tap_ok(reserve_if("internal", "two", "eth1", "10.0.3.60", &l) == 0 && !strcmp(ip_of(l), "10.0.3.60"),
	       "eth1 of 'two': static 10.0.3.60");
	l = ipam_lease_of("internal", "two", "eth0");
	tap_ok(l && !strcmp(ip_of(l), first), "eth0 keeps its lease %s after eth1's static one (%s)", first,
	       l ? ip_of(l) : "gone");
	tap_ok(count() == 2, "two leases for the two interfaces (%zu)", count());
	tap_ok(reserve_if("internal", "two", "eth0", NULL, &l) == 0 && !strcmp(ip_of(l), first),
	       "eth0 planted again: the same address");
	char why[200];
	tap_ok(ipam_reserve("internal", "two", "eth2", first, NULL, &l, why, sizeof(why)) == IPAM_EINUSE &&
		       strstr(why, "(eth0)"),
	       "eth2 asking for eth0's address: in use (%s)", why);
	for (int i = 0; i < 20; i++) {
		char ct[16];
		snprintf(ct, sizeof(ct), "other%d", i);
		reserve("internal", ct, NULL, &l);
		if (!strcmp(ip_of(l), first) || !strcmp(ip_of(l), "10.0.3.60"))
			break;
	}
	tap_ok(strcmp(ip_of(l), first) && strcmp(ip_of(l), "10.0.3.60"),
	       "other containers never get either address (last %s)", ip_of(l));
	tap_ok(ipam_release("internal", "two", "eth1") && ipam_lease_of("internal", "two", "eth0"),
	       "releasing eth1 leaves eth0's lease");
	ipam_reset();
	pvx_buf_free(&e);
}

static char heard[200];

static void hear(const char *pool)
{
	size_t n = strlen(heard);
	snprintf(heard + n, sizeof(heard) - n, "%s%s", n ? " " : "", pool);
}

/* The pool-changed hook hears of pools that stay with another definition
 * only (the network plugin plants their links again). */
static void pool_hook(void)
{
	ipam_reset();
	struct pvx_buf e = { 0 };
#define POOL(n, br, gw, nat) "\"" n "\": {\"bridge\": \"" br "\", \"subnet\": \"10.0." n ".0/24\", \"gateway\": \"10.0." n "." gw "\", \"nat\": " nat "}"
	set_pools("{" POOL("1", "b1", "1", "false") ", " POOL("2", "b2", "1", "false") ", " POOL("3", "b3", "1", "false") ", "
		  POOL("4", "b4", "1", "false") ", " POOL("5", "b5", "1", "false") "}", &e);
	ipam_set_pool_changed_hook(hear);
	heard[0] = '\0';
	set_pools("{" POOL("1", "b1", "1", "false") ", " POOL("2", "b2", "9", "false") ", " POOL("4", "x4", "1", "false") ", "
		  POOL("5", "b5", "1", "true") ", " POOL("6", "b6", "1", "false") "}", &e);
#undef POOL
	tap_ok(!strcmp(heard, "2 4 5"), "pool-changed hook: gateway, bridge and nat changes heard; "
	       "unchanged, removed and new pools not (heard '%s')", heard);
	ipam_set_pool_changed_hook(NULL);
	ipam_reset();
	pvx_buf_free(&e);
}

/* A pool changed under its leases: a lease that is now the gateway (or
 * outside the subnet) is released and refused, never kept. */
static void pool_changed(void)
{
	ipam_reset();
	struct pvx_buf e = { 0 };
	set_pools("{\"internal\": {\"bridge\": \"br0\", \"subnet\": \"10.0.3.0/24\", \"gateway\": \"10.0.3.1\"}}", &e);
	const struct ipam_lease *l;
	reserve("internal", "dyn", NULL, &l);
	char dyn[32], pools[300], why[200];
	snprintf(dyn, sizeof(dyn), "%s", ip_of(l));
	reserve("internal", "st", "10.0.3.70", &l);
	reserve("internal", "keep", "10.0.3.80", &l);
	snprintf(pools, sizeof(pools),
		 "{\"internal\": {\"bridge\": \"br0\", \"subnet\": \"10.0.3.0/24\", \"gateway\": \"%s\"}}", dyn);
	set_pools(pools, &e);
	tap_ok(ipam_reserve("internal", "dyn", "eth0", NULL, NULL, &l, why, sizeof(why)) == IPAM_ECONFLICT &&
		       strstr(why, "gateway"),
	       "the gateway moved onto a dynamic lease: refused (%s)", why);
	tap_ok(!ipam_lease_of("internal", "dyn", "eth0"), "... and the lease released");
	set_pools("{\"internal\": {\"bridge\": \"br0\", \"subnet\": \"10.0.3.0/24\", \"gateway\": \"10.0.3.70\"}}", &e);
	tap_ok(ipam_reserve("internal", "st", "eth0", NULL, NULL, &l, why, sizeof(why)) == IPAM_ECONFLICT &&
		       !ipam_lease_of("internal", "st", "eth0"),
	       "the gateway moved onto a static lease: refused and released (%s)", why);
	tap_ok(reserve("internal", "st", "10.0.3.70", &l) == IPAM_EOUTSIDE, "asking for the gateway again: refused");
	set_pools("{\"internal\": {\"bridge\": \"br0\", \"subnet\": \"10.0.4.0/24\", \"gateway\": \"10.0.4.1\"}}", &e);
	tap_ok(ipam_reserve("internal", "keep", "eth0", NULL, NULL, &l, why, sizeof(why)) == IPAM_ECONFLICT &&
		       strstr(why, "outside"),
	       "the subnet moved away from a lease: refused (%s)", why);
	int r = reserve("internal", "keep", NULL, &l);
	tap_ok(r == 0 && !strncmp(ip_of(l), "10.0.4.", 7), "the next reservation is in the new subnet (%s)",
	       r == 0 ? ip_of(l) : "-");
	ipam_reset();
	pvx_buf_free(&e);
}

static bool file_has(const char *path, const char *what)
{
	char buf[4096] = "";
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strstr(buf, what) != NULL;
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

	/* a symlink at the temporary name: never followed */
	char tmp[320], victim[320];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	f = fopen(victim, "w");
	fputs("precious\n", f);
	fclose(f);
	if (symlink(victim, tmp) < 0)
		abort();
	tap_ok(reserve("internal", "fifth", NULL, &l) == 0, "a reservation with a symlink at %s", tmp);
	tap_ok(file_has(victim, "precious") && !file_has(victim, "fifth"),
	       "the symlink's target is not written through");
	struct stat st;
	tap_ok(lstat(path, &st) == 0 && S_ISREG(st.st_mode) && file_has(path, "\"fifth\""),
	       "the lease file is a regular file with the new lease");
	tap_ok(lstat(tmp, &st) < 0, "no temporary file left");

	/* a lease file with a malformed lease */
	f = fopen(path, "w");
	fputs("{\"version\": 1, \"leases\": [{\"pool\": \"internal\", \"container\": \"x\", \"ip\": \"300.1.1.1\", \"mac\": \"02:00:00:00:00:01\"}]}", f);
	fclose(f);
	ipam_reset();
	set_pools(pools, &e);
	ipam_open_store(dir, err, sizeof(err));
	tap_ok(count() == 3, "a malformed lease: the file is refused, the previous copy used (%zu)", count());
	ipam_reset();

	/* a file written before leases had an interface still loads: the
	 * container's first interface in the pool takes its entry over */
	f = fopen(path, "w");
	fputs("{\"version\": 1, \"leases\": [{\"pool\": \"internal\", \"container\": \"old\", \"ip\": \"10.0.3.77\","
	      " \"mac\": \"02:00:0a:00:03:4d\", \"static\": false, \"since\": 1.0}], \"cursors\": {}}", f);
	fclose(f);
	set_pools(pools, &e);
	ipam_open_store(dir, err, sizeof(err));
	tap_ok(count() == 1, "an old lease file (no ifname) loads (%zu)", count());
	int r = reserve("internal", "old", NULL, &l);
	tap_ok(r == 0 && !strcmp(ip_of(l), "10.0.3.77"), "eth0 takes the old entry over: 10.0.3.77 (%s)",
	       r == 0 ? ip_of(l) : "-");
	r = reserve_if("internal", "old", "eth1", NULL, &l);
	tap_ok(r == 0 && strcmp(ip_of(l), "10.0.3.77") != 0, "eth1 gets an address of its own (%s)",
	       r == 0 ? ip_of(l) : "-");
	tap_ok(file_has(path, "\"ifname\": \"eth0\""), "the file now names eth0");
	ipam_reset();
	set_pools(pools, &e);
	ipam_open_store(dir, err, sizeof(err));
	l = ipam_lease_of("internal", "old", "eth0");
	tap_ok(count() == 2 && l && !strcmp(ip_of(l), "10.0.3.77"), "after a restart: both, eth0 on 10.0.3.77");
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
	ifnames();
	leases();
	two_interfaces();
	pool_hook();
	pool_changed();
	store();
	return tap_done();
}
