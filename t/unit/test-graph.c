/* Graph reader fixtures: t/fixtures/graphs/valid/<case>/{input,expected} hold a
 * graph and the links it yields (defaults applied, skipped entries with
 * their reason); t/fixtures/graphs/invalid/<case>/{input,error} a body that is not a
 * graph and a text its error message must contain.  PVX_REGEN=1 rewrites
 * the expected files (review the diff before committing). */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/util.h"
#include "parsers/graph.h"
#include "t/fixtures/fixtures.h"
#include "t/fixtures/graph-dump.h"
#include "t/tap.h"


/* One case directory: input plus expected (valid) or error (invalid). */
static void run_case(const char *base, const char *name, bool valid)
{
	char path[4096], want_path[4096];
	snprintf(path, sizeof(path), "%s/%s/input", base, name);
	snprintf(want_path, sizeof(want_path), "%s/%s/%s", base, name,
		 valid ? "expected" : "error");
	size_t len, wlen;
	char *input = fixture_read(path, &len);
	char *want = fixture_read(want_path, &wlen);
	struct pvx_buf got = {0};
	struct pvx_graph g;
	char err[256] = "";
	int r = pvx_graph_parse(input ? input : "", input ? len : 0, &g, err, sizeof(err),
				graph_dump_skip, &got);
	if (r == 0) {
		graph_dump(&got, &g);
		pvx_graph_free(&g);
	}
	pvx_buf_append(&got, "", 0);
	if (getenv("PVX_REGEN")) {
		FILE *f = fopen(want_path, "w");
		fputs(valid ? got.data : err, f);
		if (!valid)
			fputc('\n', f);
		fclose(f);
		/* Never a comparison with what was just written. */
		ok(1, "%s/%s # SKIP regenerated", valid ? "valid" : "invalid", name);
	} else if (valid) {
		ok(r == 0 && want && strcmp(got.data, want) == 0, "valid/%s", name);
		if (!(r == 0 && want && strcmp(got.data, want) == 0))
			tap_diag("got:\n%s# want:\n%s", got.data, want ? want : "(missing)");
	} else {
		if (want && wlen && want[wlen - 1] == '\n')
			want[wlen - 1] = '\0';
		ok(r < 0 && want && strstr(err, want), "invalid/%s: %s", name, err);
	}
	free(input);
	free(want);
	pvx_buf_free(&got);
}

static void run_dir(const char *base, bool valid)
{
	if (fixture_each_case(base, valid, run_case) < 0)
		ok(0, "cannot read %s", base);
}

/* The object form's pools reach the IPAM code as a jansson object; a
 * pools value that is not an object is dropped, the links kept. */
static void pools(void)
{
	static const char body[] = "{\"pools\": {\"p\": {\"subnet\": \"10.9.0.0/24\", \"x\": [1, {}]}},"
				   " \"links\": [{\"type\": \"network\", \"name\": \"n\", \"consumer\": \"c\"}]}";
	struct pvx_graph g;
	char err[256];
	int r = pvx_graph_parse(body, sizeof(body) - 1, &g, err, sizeof(err), NULL, NULL);
	json_t *subnet = r == 0 ? json_object_get(json_object_get(g.pools, "p"), "subnet") : NULL;
	ok(r == 0 && g.n_links == 1 && json_is_string(subnet) &&
	   strcmp(json_string_value(subnet), "10.9.0.0/24") == 0 && json_object_size(g.pools) == 1,
	   "pools read as an object beside the links");
	if (r == 0)
		pvx_graph_free(&g);
	static const char scalar[] = "{\"links\": [], \"pools\": 5}";
	r = pvx_graph_parse(scalar, sizeof(scalar) - 1, &g, err, sizeof(err), NULL, NULL);
	ok(r == 0 && g.pools == NULL, "pools given as a scalar are ignored");
	if (r == 0)
		pvx_graph_free(&g);
}

/* A graph whose every entry is unusable is refused whole (the links are
 * kept); one usable entry, or an explicitly empty graph, applies. */
static void usable(void)
{
	static const struct {
		const char *body;
		bool usable;
		const char *what;
	} cases[] = {
		{ "[]", true, "empty array applies (removes every link)" },
		{ "{\"links\": []}", true, "empty links applies (removes every link)" },
		{ "[{\"type\": \"unix\"}, {\"type\": \"unix\", \"name\": \"a\", \"consumer\": \"c\", "
		  "\"socket\": \"/s\"}]", true, "one usable entry beside a bad one applies" },
		{ "[{\"type\": \"unix\"}]", false, "every entry unusable: refused" },
		{ "[5, \"x\", null]", false, "entries that are not objects: refused" },
		{ "{\"links\": [{\"kind\": \"unix\", \"name\": \"a\", \"consumer\": \"c\", "
		  "\"socket\": \"/s\"}]}", false, "a renamed field in every entry: refused" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pvx_buf skips = {0};
		struct pvx_graph g;
		char err[256] = "";
		int r = pvx_graph_parse(cases[i].body, strlen(cases[i].body), &g, err, sizeof(err),
					graph_dump_skip, &skips);
		int u = r == 0 ? pvx_graph_usable(&g, err, sizeof(err)) : r;
		ok(r == 0 && (cases[i].usable ? u == 0 : u < 0 && strstr(err, "no usable link")),
		   "%s (%s)", cases[i].what, err);
		if (r == 0)
			pvx_graph_free(&g);
		pvx_buf_free(&skips);
	}
}

int main(void)
{
	fixture_suites("graphs", run_dir);
	pools();
	usable();
	return tap_done();
}
