/* Counters to Prometheus text (lib/stats.h) and pvxctl's tables
 * (tools/table.h), as pure functions: exact text for given input. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/stats.h"
#include "lib/util.h"
#include "tools/table.h"
#include "t/tap.h"

static const struct pvx_stat
	a = { "conn", "active", "x_active", "gauge", "Open now.", NULL },
	in = { "bytes", "in", "x_bytes_total", "counter", "Bytes.", "in" },
	out = { "bytes", "out", "x_bytes_total", "counter", "Bytes.", "out" },
	json_only = { "t", "uid", NULL, NULL, NULL, NULL },
	other = { NULL, "other", "x_other_total", "counter", "Only some rows.", NULL };

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
	static const struct pvx_stat *const list1[] = { &a, &in, &out, &json_only, NULL };
	static const struct pvx_stat *const list2[] = { &in, &other, NULL };
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
	pvx_stats_value(o, &out, 7);
	pvx_stats_value(o, &json_only, 99);
	pvx_stats_value(o, &a, 1);
	pvx_stats_value(o, &in, 5);
	o = pvx_stats_table_row(&t, 1);
	pvx_stats_value(o, &other, 3);
	pvx_stats_value(o, &a, 2);
	s = text_of(&t);
	const char *want =
		"# HELP x_active Open now.\n# TYPE x_active gauge\n"
		"x_active{n=\"one\"} 1\n"
		"x_active{n=\"two\\\"\"} 2\n"
		"# HELP x_bytes_total Bytes.\n# TYPE x_bytes_total counter\n"
		"x_bytes_total{n=\"one\",direction=\"in\"} 5\n"
		"x_bytes_total{n=\"one\",direction=\"out\"} 7\n"
		"x_bytes_total{n=\"two\\\"\",direction=\"in\"} 0\n"
		"x_bytes_total{n=\"two\\\"\",direction=\"out\"} 0\n"
		"# HELP x_other_total Only some rows.\n# TYPE x_other_total counter\n"
		"x_other_total{n=\"one\"} 0\n"
		"x_other_total{n=\"two\\\"\"} 3\n";
	if (!ok(!strcmp(s, want), "families once each, one series per row and direction, 0 where a row has none"))
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

int main(void)
{
	check_table();
	check_text_table();
	return tap_done();
}
