/* NAT tables of pools; see nat.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nftables/libnftables.h>

#include "lib/log.h"
#include "ipam/nat.h"

struct nat_user {
	char *pool;
	unsigned count;
};
static struct nat_user *users;
static size_t n_users;

/* The table of a pool: letters, digits and '_' only. */
static void table_name(const char *pool, char *out, size_t len)
{
	size_t n = (size_t)snprintf(out, len, "pvx_nat_%s", pool);
	for (size_t i = 8; i < n && i < len; i++)
		if (!((out[i] >= 'a' && out[i] <= 'z') || (out[i] >= 'A' && out[i] <= 'Z') ||
		      (out[i] >= '0' && out[i] <= '9')))
			out[i] = '_';
}

static int run(const char *cmd, char *err, size_t errlen)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft) {
		snprintf(err, errlen, "libnftables: no context");
		return -1;
	}
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	int r = nft_run_cmd_from_buffer(nft, cmd);
	if (r != 0) {
		const char *e = nft_ctx_get_error_buffer(nft);
		snprintf(err, errlen, "nftables: %s", e && *e ? e : "failed");
		char *nl = strchr(err, '\n');
		if (nl)
			*nl = '\0';
	}
	nft_ctx_free(nft);
	return r ? -1 : 0;
}

static struct nat_user *find(const char *pool)
{
	for (size_t i = 0; i < n_users; i++)
		if (!strcmp(users[i].pool, pool))
			return &users[i];
	return NULL;
}

int nat_ref(const struct ipam_pool *p, char *err, size_t errlen)
{
	struct nat_user *u = find(p->name);
	if (u) {
		u->count++;
		return 0;
	}
	char table[64], net[32], cmd[1024];
	table_name(p->name, table, sizeof(table));
	ipam_format_ip(p->network, net, sizeof(net));
	/* flush: a table left by a crash is rebuilt, never doubled */
	snprintf(cmd, sizeof(cmd),
		 "add table ip %s\n"
		 "flush table ip %s\n"
		 "add chain ip %s postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
		 "add rule ip %s postrouting ip saddr %s/%d ip daddr != %s/%d masquerade\n",
		 table, table, table, table, net, p->prefix, net, p->prefix);
	if (run(cmd, err, errlen) < 0)
		return -1;
	struct nat_user *grown = realloc(users, (n_users + 1) * sizeof(*users));
	if (!grown)
		return -1;
	users = grown;
	users[n_users].pool = strdup(p->name);
	users[n_users].count = 1;
	n_users++;
	log_info("pool '%s': NAT table ip %s installed", p->name, table);
	/* Forwarding is the system's to set, but masquerading without it
	 * silently gets nowhere: say so once per table. */
	char fwd = '1';
	FILE *f = fopen("/proc/sys/net/ipv4/ip_forward", "re");
	if (f) {
		fwd = (char)fgetc(f);
		fclose(f);
	}
	if (fwd == '0')
		log_warn("pool '%s': NAT is on but net.ipv4.ip_forward is 0: its containers reach "
			 "the host only, nothing beyond it", p->name);
	return 0;
}

void nat_unref(const char *pool)
{
	struct nat_user *u = find(pool);
	if (!u || --u->count > 0)
		return;
	char table[64], cmd[128], err[200];
	table_name(pool, table, sizeof(table));
	snprintf(cmd, sizeof(cmd), "delete table ip %s\n", table);
	if (run(cmd, err, sizeof(err)) < 0)
		log_warn("pool '%s': removing NAT table %s: %s", pool, table, err);
	else
		log_info("pool '%s': NAT table ip %s removed", pool, table);
	free(u->pool);
	*u = users[--n_users];
}
