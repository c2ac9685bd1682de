/* pvxctl check (tools/check.h): statedir_build and pvx_graph_add for a
 * state directory, pvx_graph_parse_warn and pvx_graph_usable for a graph
 * file, exactly as the daemon's graph source runs them; only the
 * reporting differs (every message, and an exit status). */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "lib/util.h"
#include "parsers/graph.h"
#include "sources/hosted_bus.h"
#include "sources/statedir.h"
#include "tools/check.h"

#define CHECK_MAX_BYTES (64u * 1024 * 1024)

struct report {
	FILE *out;
	const char *file;
	size_t errors, warnings;
};

static void on_skip(void *ctx, size_t index, const char *why)
{
	struct report *r = ctx;
	fprintf(r->out, "error: %s: link %zu skipped: %s\n", r->file, index, why);
	r->errors++;
}

static void on_warn(void *ctx, size_t index, const char *what)
{
	struct report *r = ctx;
	if (index == SIZE_MAX)
		fprintf(r->out, "warning: %s: %s\n", r->file, what);
	else
		fprintf(r->out, "warning: %s: link %zu: %s\n", r->file, index, what);
	r->warnings++;
}

static int check_graph(const char *path, FILE *out)
{
	struct report r = { out, path, 0, 0 };
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(out, "error: %s: %s\n", path, strerror(errno));
		return 1;
	}
	struct pvx_buf body = {0};
	char buf[65536];
	size_t n;
	bool big = false;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && !big)
		if ((big = body.len + n > CHECK_MAX_BYTES) || pvx_buf_append(&body, buf, n) < 0)
			break;
	bool bad = ferror(f) || big;
	fclose(f);
	if (bad) {
		fprintf(out, "error: %s: %s\n", path, big ? "over 64 MiB, the daemon's default cap" : "cannot read");
		pvx_buf_free(&body);
		return 1;
	}
	struct pvx_graph g;
	char err[320];
	if (pvx_graph_parse_warn(body.data ? body.data : "", body.len, &g, err, sizeof(err), on_skip,
				 on_warn, &r) < 0) {
		fprintf(out, "error: %s: %s\n", path, err);
		r.errors++;
	} else {
		if (pvx_graph_usable(&g, err, sizeof(err)) < 0) {
			fprintf(out, "error: %s: %s: the daemon refuses it whole\n", path, err);
			r.errors++;
		}
		fprintf(out, "note: %s: %zu links\n", path, g.n_links);
		pvx_graph_free(&g);
	}
	pvx_buf_free(&body);
	return r.errors || r.warnings ? 1 : 0;
}

static int check_statedir(const char *dir, bool hosted_bus, FILE *out)
{
	/* The socket's path only has to be one a link may name. */
	struct statedir_bus bus = {0};
	struct statedir_opts o = { .hosted_bus = hosted_bus ? HOSTED_BUS_DEFAULT_DIR "/system_bus_socket" : NULL,
				   .bus = &bus };
	struct pvx_buf msgs = {0};
	struct pvx_graph raw;
	int rc = statedir_build(dir, &o, &raw, &msgs);
	if (msgs.len)
		fputs(msgs.data, out);
	bool bad = rc != STATEDIR_OK || (msgs.data && (strstr(msgs.data, "error: ") ||
						       strstr(msgs.data, "warning: ")));
	/* The daemon's own checks and defaults on each built link. */
	struct pvx_graph g = {0};
	for (size_t i = 0; rc >= 0 && i < raw.n_links; i++) {
		char why[320];
		if (pvx_graph_add(&g, &raw.links[i], why, sizeof(why)) < 0) {
			fprintf(out, "error: %s: link %zu skipped: %s\n", dir, i, why);
			bad = true;
		}
	}
	if (rc >= 0 && rc != STATEDIR_NO_CONTAINER)
		fprintf(out, "note: %s: %zu links\n", dir, g.n_links);
	pvx_graph_free(&g);
	pvx_graph_free(&raw);
	pvx_buf_free(&msgs);
	statedir_bus_free(&bus);
	return bad ? 1 : 0;
}

int check_path(const char *path, bool hosted_bus, FILE *out)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		fprintf(out, "error: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return S_ISDIR(st.st_mode) ? check_statedir(path, hosted_bus, out) : check_graph(path, out);
}
