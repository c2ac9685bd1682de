/* The state-directory builder hands the daemon a struct, not text: for
 * every fixture in t/fixtures/statedirs, the links pvx_graph_add makes from the
 * built graph (what pv-xconnect --state applies) must equal what reading
 * statedir_json's text (what pvx-graph prints) gives, skips and pools
 * included. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "parsers/graph.h"
#include "sources/statedir.h"
#include "t/fixtures/fixtures.h"
#include "t/tap.h"

static void quiet(void *ctx, size_t index, const char *why)
{
	(void)ctx;
	(void)index;
	(void)why;
}

/* The fixture's args file: --pid NAME=PID (repeatable) and --lxc=PATH. */
static void read_args(const char *dir, struct statedir_opts *o, struct statedir_pid *pids,
		      char *store, size_t storelen)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/args", dir);
	size_t len;
	char *a = fixture_read(path, &len);
	if (!a)
		return;
	snprintf(store, storelen, "%s", a);
	free(a);
	for (char *tok = strtok(store, " \n"); tok; tok = strtok(NULL, " \n")) {
		if (strcmp(tok, "--pid") == 0 && (tok = strtok(NULL, " \n"))) {
			char *eq = strchr(tok, '=');
			if (eq && o->n_pids < 16) {
				*eq = '\0';
				pids[o->n_pids++] = (struct statedir_pid){ tok, (pid_t)atol(eq + 1) };
			}
		} else if (strncmp(tok, "--lxc=", 6) == 0) {
			o->lxcpath = tok + 6;
		}
	}
}

static void run_case(const char *base, const char *name, bool valid)
{
	(void)valid;
	char dir[4096], store[4096];
	snprintf(dir, sizeof(dir), "%s/%s", base, name);
	struct statedir_pid pids[16];
	struct statedir_opts o = { .pids = pids };
	read_args(dir, &o, pids, store, sizeof(store));
	struct pvx_buf msgs = {0};
	struct pvx_graph raw, direct = {0}, read = {0};
	int rc = statedir_build(dir, &o, &raw, &msgs);
	pvx_buf_free(&msgs);
	if (rc < 0) {
		ok(raw.n_links == 0 && !raw.pools, "%s: refused, nothing built", name);
		return;
	}
	for (size_t i = 0; i < raw.n_links; i++) {
		char why[320];
		if (pvx_graph_add(&direct, &raw.links[i], why, sizeof(why)) < 0)
			direct.n_skipped++;
	}
	direct.pools = raw.pools ? json_incref(raw.pools) : NULL;
	char *text = statedir_json(&raw);
	char err[256];
	int pr = text ? pvx_graph_parse(text, strlen(text), &read, err, sizeof(err), quiet, NULL) : -1;
	ok(pr == 0 && pvx_graph_same(&direct, &read),
	   "%s: %zu links applied from the struct = read from pvx-graph's text (%zu)", name,
	   direct.n_links, read.n_links);
	free(text);
	pvx_graph_free(&raw);
	pvx_graph_free(&direct);
	pvx_graph_free(&read);
}

/* A link the graph reader would skip (a container directory name outside
 * [A-Za-z0-9._-]) is skipped by pvx_graph_add too, with the reader's
 * reason; the defaults are the reader's. */
static void add_rules(void)
{
	struct pvx_graph g = {0};
	char why[320];
	struct pvx_link_spec bad = { .type = LINK_UNIX, .name = "svc", .consumer = "a b",
				     .provider = "p", .role = "any", .interface = "unix",
				     .socket = "/run/s.sock" };
	ok(pvx_graph_add(&g, &bad, why, sizeof(why)) < 0 && g.n_links == 0 &&
		   strstr(why, "field 'consumer'"),
	   "bad consumer name refused: %s", why);
	struct pvx_link_spec dflt = { .type = LINK_DBUS, .name = "svc", .consumer = "c",
				      .provider = "p", .socket = "/run/s.sock" };
	ok(pvx_graph_add(&g, &dflt, why, sizeof(why)) == 0 && g.n_links == 1 &&
		   strcmp(g.links[0].role, "any") == 0 && strcmp(g.links[0].interface, "dbus") == 0 &&
		   strcmp(g.links[0].target, "/tmp/pvx_c_svc.sock") == 0,
	   "defaults: role any, interface the type, target /tmp/pvx_c_svc.sock");
	struct pvx_link_spec nosock = { .type = LINK_UNIX, .name = "svc", .consumer = "c" };
	ok(pvx_graph_add(&g, &nosock, why, sizeof(why)) < 0 && strstr(why, "'socket'"),
	   "a socket link without socket refused: %s", why);
	pvx_graph_free(&g);
}

int main(void)
{
	const char *top = getenv("top_srcdir");
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/t/fixtures/statedirs", top ? top : ".");
	ok(fixture_each_case(dir, true, run_case) > 5, "t/fixtures/statedirs read");
	add_rules();
	return tap_done();
}
