/* Counters to Prometheus text (lib/stats.h). */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/stats.h"
#include "lib/util.h"

void pvx_stats_table_cols(struct pvx_stats_table *t, const struct pvx_stat *const *list)
{
	for (; list && *list; list++) {
		bool known = !(*list)->metric || t->ncols == PVX_STATS_MAX_COLS;
		for (size_t c = 0; c < t->ncols && !known; c++)
			known = t->cols[c] == *list;
		if (!known)
			t->cols[t->ncols++] = *list;
	}
}

static void table_value(struct pvx_stats_sink *out, const struct pvx_stat *st, uint64_t v)
{
	struct pvx_stats_table *t = (struct pvx_stats_table *)((char *)out - offsetof(struct pvx_stats_table, sink));
	for (size_t c = 0; c < t->ncols; c++)
		if (t->cols[c] == st) {
			t->cells[t->row * t->ncols + c] = v;
			t->filled[t->row * t->ncols + c] = 1;
			return;
		}
}

int pvx_stats_table_rows(struct pvx_stats_table *t, size_t nrows)
{
	free(t->cells);
	free(t->filled);
	size_t n = nrows ? nrows * (t->ncols ? t->ncols : 1) : 1;
	t->cells = calloc(n, sizeof(*t->cells));
	t->filled = calloc(n, sizeof(*t->filled));
	if (!t->cells || !t->filled) {
		free(t->cells);
		free(t->filled);
		t->cells = NULL;
		t->filled = NULL;
	}
	t->nrows = t->cells ? nrows : 0;
	t->sink = (struct pvx_stats_sink){ .value = table_value };
	return t->cells ? 0 : -ENOMEM;
}

struct pvx_stats_sink *pvx_stats_table_row(struct pvx_stats_table *t, size_t r)
{
	t->row = r;
	return &t->sink;
}

/* A family is every column of its metric name, in column order; it is
 * written where its first column is. */
void pvx_stats_table_write(const struct pvx_stats_table *t, struct pvx_buf *b,
			   void (*labels)(struct pvx_buf *b, size_t r, void *ctx), void *ctx)
{
	bool done[PVX_STATS_MAX_COLS] = { false };
	for (size_t c = 0; c < t->ncols; c++) {
		if (done[c])
			continue;
		const struct pvx_stat *f = t->cols[c];
		size_t member[PVX_STATS_MAX_COLS], n = 0;
		for (size_t s = c; s < t->ncols; s++)
			if (!strcmp(t->cols[s]->metric, f->metric)) {
				member[n++] = s;
				done[s] = true;
			}
		pvx_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", f->metric, f->help, f->metric, f->kind);
		for (size_t r = 0; r < t->nrows; r++)
			for (size_t m = 0; m < n; m++) {
				const struct pvx_stat *st = t->cols[member[m]];
				if (!t->filled[r * t->ncols + member[m]])
					continue;
				pvx_buf_printf(b, "%s{", st->metric);
				labels(b, r, ctx);
				if (st->direction)
					pvx_buf_printf(b, ",direction=\"%s\"", st->direction);
				pvx_buf_printf(b, "} %llu\n",
					       (unsigned long long)t->cells[r * t->ncols + member[m]]);
			}
	}
}

void pvx_stats_table_free(struct pvx_stats_table *t)
{
	free(t->cells);
	free(t->filled);
	t->cells = NULL;
	t->filled = NULL;
	t->nrows = 0;
}
