/* Counters to Prometheus text (lib/stats.h) and pvxctl's tables
 * (tools/table.h), as pure functions: exact text for given input. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/stats.h"
#include "lib/util.h"
#include "fsm/link.h"
#include "fsm/plugin.h"
#include "plugins/registry.h"
#include "relay/relay.h"
#include "tools/table.h"
#include "t/tap.h"

static const struct pvx_stat
	a = { "conn", "active", "x_active", "gauge", "Open now.", NULL },
	s_in = { "bytes", "in", "x_bytes_total", "counter", "Bytes.", "in" },
	s_out = { "bytes", "out", "x_bytes_total", "counter", "Bytes.", "out" },
	json_only = { "t", "uid", NULL, NULL, NULL, NULL },
	s_other = { NULL, "other", "x_other_total", "counter", "Only some rows.", NULL };

static const char *const names[] = { "one", "two\\\"" };

static void labels(struct pvx_buf *b, size_t r, void *ctx)
{
	pvx_buf_printf(b, "n=\"%s\"", ((const char *const *)ctx)[r]);
}

static char *text_of(struct pvx_stats_table *t)
{
	struct pvx_buf b = { 0 };
	pvx_stats_table_write(t, &b, labels, (void *)names);
	pvx_buf_append(&b, "", 1);
	return b.data;
}

static void check_table(void)
{
	static const struct pvx_stat *const list1[] = { &a, &s_in, &s_out, &json_only, NULL };
	static const struct pvx_stat *const list2[] = { &s_in, &s_other, NULL };
	struct pvx_stats_table t = { 0 };
	pvx_stats_table_cols(&t, list1);
	pvx_stats_table_cols(&t, list2);
	is_int(t.ncols, 4, "columns: duplicates and JSON-only stats are left out");

	ok(pvx_stats_table_rows(&t, 0) == 0, "no rows");
	char *s = text_of(&t);
	ok(!strcmp(s, "# HELP x_active Open now.\n# TYPE x_active gauge\n"
		      "# HELP x_bytes_total Bytes.\n# TYPE x_bytes_total counter\n"
		      "# HELP x_other_total Only some rows.\n# TYPE x_other_total counter\n"),
	   "without rows every family still has its HELP and TYPE");
	free(s);

	ok(pvx_stats_table_rows(&t, 2) == 0, "two rows");
	/* Row 0 as one describe() would fill it, out of family order. */
	struct pvx_stats_sink *o = pvx_stats_table_row(&t, 0);
	pvx_stats_value(o, &s_out, 7);
	pvx_stats_value(o, &json_only, 99);
	pvx_stats_value(o, &a, 1);
	pvx_stats_value(o, &s_in, 5);
	o = pvx_stats_table_row(&t, 1);
	pvx_stats_value(o, &s_other, 3);
	pvx_stats_value(o, &a, 2);
	s = text_of(&t);
	const char *want =
		"# HELP x_active Open now.\n# TYPE x_active gauge\n"
		"x_active{n=\"one\"} 1\n"
		"x_active{n=\"two\\\"\"} 2\n"
		"# HELP x_bytes_total Bytes.\n# TYPE x_bytes_total counter\n"
		"x_bytes_total{n=\"one\",direction=\"in\"} 5\n"
		"x_bytes_total{n=\"one\",direction=\"out\"} 7\n"
		"# HELP x_other_total Only some rows.\n# TYPE x_other_total counter\n"
		"x_other_total{n=\"two\\\"\"} 3\n";
	if (!ok(!strcmp(s, want), "families once each, one series per row and direction, none where a row has none"))
		tap_diag("got:\n%s", s);
	free(s);
	pvx_stats_table_free(&t);
}

static char *printed(const struct table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	table_print(t, f);
	fclose(f);
	return buf;
}

static void check_text_table(void)
{
	static const char *const h[] = { "NAME", "N", "WHY" };
	struct table t;
	table_init(&t, 3, h, 1u << 1);
	table_row(&t, (const char *const[]){ "a", "5", "x" });
	table_row(&t, (const char *const[]){ "a-much-longer-name", "12345", NULL });
	char *s = printed(&t);
	const char *want = "NAME                    N  WHY\n"
			   "a                       5  x\n"
			   "a-much-longer-name  12345  -\n";
	if (!ok(!strcmp(s, want), "pvxctl table: columns as wide as their widest cell, numbers right"))
		tap_diag("got:\n%s", s);
	free(s);
	table_free(&t);
}

/* A sink writing "group.key=value " for every stat, as the JSON would
 * nest them. */
struct text_sink {
	struct pvx_stats_sink sink;
	struct pvx_buf b;
};

static void text_value(struct pvx_stats_sink *out, const struct pvx_stat *st, uint64_t v)
{
	struct text_sink *t = (struct text_sink *)out;
	pvx_buf_printf(&t->b, "%s%s%s=%llu ", st->group ? st->group : "", st->group ? "." : "",
		       st->key, (unsigned long long)v);
}

static bool described(struct text_sink *t, const char *want)
{
	pvx_buf_append(&t->b, "", 1);
	bool same = !strcmp(t->b.data, want);
	if (!same)
		tap_diag("got '%s'", t->b.data);
	pvx_buf_free(&t->b);
	t->b = (struct pvx_buf){ 0 };
	return same;
}

/* The counters of a link live with the link: the relay's and the type's
 * own, each module describing its own, zeros until something counted. */
static void check_describe(void)
{
	struct pvx_link l = { .plugin = &pvx_plugin_rest };
	l.spec.consumer = "app";
	l.spec.role = "operator";
	l.spec.name = "api";
	l.spec.target = "/t";
	struct text_sink t = { .sink = { .value = text_value } };

	relay_describe(&l, &t.sink);
	ok(described(&t, "connections.active=0 connections.total=0 connections.refused=0 "
			 "connections.reclaimed=0 parked_bytes=0 bytes.to_provider=0 bytes.to_consumer=0 "
			 "bytes.spliced=0 fds.to_provider=0 fds.to_consumer=0 "),
	   "relay: a link that relayed nothing shows every counter, 0");
	pvx_plugin_rest.describe(&l, &t.sink);
	ok(described(&t, "http.requests=0 http.proxy_4xx=0 "), "rest: zeros before the first request");
	ok(!l.type_stats, "rest: describing makes no counters");

	const struct relay_filter *f = pvx_plugin_rest.filter;
	struct pvx_buf out = { 0 };
	void *st = f->open(&l);
	f->to_provider(st, "GET / HTTP/1.1\r\n\r\n", 18, &out);
	f->close(st);
	st = f->open(&l);
	f->to_provider(st, "GET / HTTP/1.1\r\nX: \x01\r\n\r\n", 25, &out);
	f->close(st);
	pvx_buf_free(&out);
	pvx_plugin_rest.describe(&l, &t.sink);
	ok(described(&t, "http.requests=1 http.proxy_4xx=1 "),
	   "rest: a forwarded and a refused request counted in the link's own counters");
	void *kept = l.type_stats;

	/* The graph changes the link's type: the old type's sessions (if any
	 * were left) count nowhere, the new type starts from zero. */
	static const struct pvx_plugin other = { .type = "other", .stats_size = 64 };
	l.plugin = &other;
	ok(!link_type_stats(&l, &pvx_plugin_rest), "after a type change the old type gets no counters");
	unsigned char *mine = link_type_stats(&l, &other);
	ok(mine && (void *)mine != kept && l.type_stats_of == &other && mine[0] == 0 && mine[63] == 0,
	   "the new type gets zeroed counters of its own size");
	ok(link_type_stats(&l, &other) == (void *)mine, "and the same ones on every later call");
	ok(!link_type_stats_peek(&l, &pvx_plugin_rest), "the old type's describe() sees none");
	free(l.type_stats);
}

int main(void)
{
	check_table();
	check_text_table();
	check_describe();
	return tap_done();
}
