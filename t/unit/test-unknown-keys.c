/* Unknown keys in manifests (parsers/manifest_schema.c) and graph entries
 * (parsers/graph.c): a warning with file:line:column and the closest known
 * key, the rest of the entry kept; the documents' top levels (which hold
 * much else) warned only for a key close to ours or a PV_SERVICES_ /
 * PV_NETWORK_ one; a flood of unknown keys capped.  Fed whole and byte by
 * byte: the position must not depend on how the input was cut. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "parsers/graph.h"
#include "parsers/manifest.h"
#include "t/tap.h"

/* The warnings of a manifest (fed whole, or one byte at a time) and
 * whether it parsed; *m filled when it did. */
static char *warnings(enum manifest_kind kind, const char *text, bool bytes, int *rc,
		      struct pvx_manifest *m)
{
	struct manifest_parser *p = manifest_parser_new(kind, "m.json");
	size_t len = strlen(text);
	*rc = 0;
	for (size_t off = 0; off < len && *rc == 0; off += bytes ? 1 : len)
		*rc = manifest_parser_feed(p, text + off, bytes ? 1 : len);
	char *w = strdup(manifest_parser_warnings(p));
	*m = (struct pvx_manifest){0};
	if (*rc == 0)
		*rc = manifest_parser_finish(p, m);
	if (*rc == 0 && m->warnings) {
		free(w);
		w = strdup(m->warnings);
	}
	manifest_parser_free(p);
	return w;
}

static void manifest_case(const char *what, enum manifest_kind kind, const char *text,
			  const char *want, bool parses)
{
	for (int bytes = 0; bytes < 2; bytes++) {
		int rc;
		struct pvx_manifest m;
		char *w = warnings(kind, text, bytes, &rc, &m);
		bool good = want ? strstr(w, want) != NULL : w[0] == '\0';
		ok(good && (rc == 0) == parses, "%s%s", what, bytes ? " (byte by byte)" : "");
		if (!good || (rc == 0) != parses)
			tap_diag("rc %d, warnings: '%s'", rc, w);
		free(w);
		manifest_free(&m);
	}
}

struct seen {
	struct pvx_buf skips, warns;
};

static void on_skip(void *ctx, size_t index, const char *why)
{
	pvx_buf_printf(&((struct seen *)ctx)->skips, "%zu: %s\n", index, why);
}

static void on_warn(void *ctx, size_t index, const char *what)
{
	pvx_buf_printf(&((struct seen *)ctx)->warns, "%zd: %s\n", index == SIZE_MAX ? (ssize_t)-1 : (ssize_t)index, what);
}

int main(void)
{
	manifest_case("services.json: 'tpye' -> 'type' at 1:56, the entry still needs its type",
		      MANIFEST_SERVICES,
		      "{\"#spec\": \"service-manifest-xconnect@1\", \"services\": [{\"tpye\": \"unix\", \"name\": \"a\", \"socket\": \"/s\"}]}",
		      "m.json:1:56: unknown key 'tpye', did you mean 'type'? (ignored)", false);
	manifest_case("services.json: 'sokcet' beside a complete entry: warned, entry kept",
		      MANIFEST_SERVICES,
		      "[{\"name\": \"a\", \"type\": \"unix\",\n  \"socket\": \"/s\", \"sokcet\": \"/t\"}]",
		      "m.json:2:19: unknown key 'sokcet', did you mean 'socket'?", true);
	manifest_case("run.json: 'requried' in services", MANIFEST_RUN,
		      "{\"#spec\": \"service-manifest-run@1\", \"name\": \"x\",\n"
		      " \"services\": {\"requried\": [{\"name\": \"a\"}]}}",
		      "m.json:2:15: unknown key 'requried', did you mean 'required'?", true);
	manifest_case("run.json: a requirement's 'intreface'", MANIFEST_RUN,
		      "{\"#spec\": \"service-manifest-run@1\", \"name\": \"x\", \"services\": "
		      "{\"required\": [{\"name\": \"a\", \"intreface\": \"i\"}]}}",
		      "unknown key 'intreface', did you mean 'interface'?", true);
	manifest_case("run.json: an unrelated top-level key is Pantavisor's, not warned", MANIFEST_RUN,
		      "{\"#spec\": \"service-manifest-run@1\", \"name\": \"x\", \"root-volume\": \"r\", "
		      "\"storage\": {\"tpye\": 1}}",
		      NULL, true);
	manifest_case("args.json: PV_SERVICES_REQUIRD", MANIFEST_ARGS,
		      "{\"PV_LXC_X\": 1, \"PV_SERVICES_REQUIRD\": [{\"name\": \"a\"}]}",
		      "m.json:1:17: unknown key 'PV_SERVICES_REQUIRD', did you mean 'PV_SERVICES_REQUIRED'?",
		      true);
	manifest_case("args.json: a PV_SERVICES_ key far from ours, warned without a suggestion",
		      MANIFEST_ARGS, "{\"PV_SERVICES_EVERYTHING\": []}",
		      "unknown key 'PV_SERVICES_EVERYTHING' (ignored)", true);
	manifest_case("a hostile key is shown escaped", MANIFEST_SERVICES,
		      "[{\"name\": \"a\", \"type\": \"unix\", \"socket\": \"/s\", \"x\\n\\u001b[31m\": 1}]",
		      "unknown key 'x\\x0a\\x1b[31m' (ignored)", true);

	/* A flood: 20 warnings and one more line, whatever the count. */
	struct pvx_buf flood = {0};
	pvx_buf_printf(&flood, "[{\"name\": \"a\", \"type\": \"unix\", \"socket\": \"/s\"");
	for (int i = 0; i < 1000; i++)
		pvx_buf_printf(&flood, ", \"k%d\": 1", i);
	pvx_buf_printf(&flood, "}]");
	int rc;
	struct pvx_manifest m;
	char *w = warnings(MANIFEST_SERVICES, flood.data, false, &rc, &m);
	size_t lines = 0;
	for (char *p = w; (p = strchr(p, '\n')); p++)
		lines++;
	ok(rc == 0 && lines == 20 && strstr(w, "more unknown keys, not reported one by one"),
	   "1000 unknown keys: 21 lines (%zu newlines)", lines);
	free(w);
	manifest_free(&m);
	pvx_buf_free(&flood);

	/* Graph entries. */
	struct seen s = {0};
	struct pvx_graph g;
	char err[256];
	const char *body = "[{\"type\": \"unix\", \"name\": \"a\", \"consumer\": \"c\", \"socket\": \"/s\",\n"
			   "  \"tpye\": \"rest\", \"providr\": \"p\", \"zzzzzzzz\": 1}]";
	int r = pvx_graph_parse_warn(body, strlen(body), &g, err, sizeof(err), on_skip, on_warn, &s);
	ok(r == 0 && g.n_links == 1 && g.links[0].type == LINK_UNIX, "graph: unknown keys keep the entry");
	ok(s.warns.data && strstr(s.warns.data, "0: line 2 column 3: unknown key 'tpye', did you mean 'type'? (ignored)"),
	   "graph: 'tpye' with line and column");
	ok(s.warns.data && strstr(s.warns.data, "unknown key 'providr', did you mean 'provider'?"),
	   "graph: 'providr' -> 'provider'");
	ok(s.warns.data && strstr(s.warns.data, "unknown key 'zzzzzzzz' (ignored)"),
	   "graph: a key far from every field, warned without a suggestion");
	ok(!s.skips.data, "graph: nothing skipped");
	pvx_graph_free(&g);
	pvx_buf_free(&s.warns);

	body = "{\"link\": [], \"pool\": {}}";
	r = pvx_graph_parse_warn(body, strlen(body), &g, err, sizeof(err), on_skip, on_warn, &s);
	ok(r < 0 && s.warns.data && strstr(s.warns.data, "-1: line 1 column 2: unknown key 'link', did you mean 'links'?") &&
		   strstr(s.warns.data, "unknown key 'pool', did you mean 'pools'?"),
	   "graph: the object form's 'link' and 'pool' (and the refusal: %s)", err);
	pvx_buf_free(&s.warns);

	body = "[{\"type\": \"unix\", \"name\": \"a\", \"consumer\": \"c\", \"socket\": \"/s\", \"tpye\": 1}]";
	r = pvx_graph_parse(body, strlen(body), &g, err, sizeof(err), on_skip, &s);
	ok(r == 0 && g.n_links == 1 && !s.warns.data, "graph: pvx_graph_parse reports no unknown key");
	pvx_graph_free(&g);
	pvx_buf_free(&s.skips);
	return tap_done();
}
