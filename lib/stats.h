/* Named counters and facts, from the module that keeps them to the code
 * that shows them (GET /links as JSON, GET /metrics as Prometheus text),
 * so that code needs to know no counter by name.
 *
 * A counter is described once, statically, by a struct pvx_stat: where it
 * sits in the JSON (group and key) and which Prometheus family it is a
 * series of.  Whoever keeps it emits (descriptor, value) pairs into a
 * struct pvx_stats_sink; each output implements a sink.  Knows nothing of
 * links. */
#ifndef PVX_STATS_H
#define PVX_STATS_H

#include <stddef.h>
#include <stdint.h>

struct pvx_buf;

struct pvx_stat {
	const char *group;     /* JSON: the object it sits in, NULL at the top */
	const char *key;       /* JSON: its name there */
	const char *metric;    /* Prometheus family, NULL: JSON only */
	const char *kind;      /* "counter" or "gauge" */
	const char *help;      /* the family's HELP text (its first series') */
	const char *direction; /* label of one series of a family per direction */
};

/* Where counters and facts go.  Values of one group are emitted together,
 * in the order they are shown. */
struct pvx_stats_sink {
	void (*value)(struct pvx_stats_sink *out, const struct pvx_stat *st, uint64_t v);
	/* A string fact (JSON only), at the top level. */
	void (*fact)(struct pvx_stats_sink *out, const char *key, const char *text);
};

static inline void pvx_stats_value(struct pvx_stats_sink *out, const struct pvx_stat *st, uint64_t v)
{
	out->value(out, st, v);
}

static inline void pvx_stats_fact(struct pvx_stats_sink *out, const char *key, const char *text)
{
	if (out->fact)
		out->fact(out, key, text);
}

/* The Prometheus side: a table of one row per object (a link) and one
 * column per series.  Columns are added first (duplicates and JSON-only
 * stats are ignored); a row's sink fills its cells; the text lists each
 * family once, with the rows that filled it under it: a cell never filled
 * (a rest counter of a dbus link) is no series at all, not a 0. */
#define PVX_STATS_MAX_COLS 64
struct pvx_stats_table {
	const struct pvx_stat *cols[PVX_STATS_MAX_COLS];
	size_t ncols, nrows;
	uint64_t *cells;             /* nrows x ncols */
	unsigned char *filled;       /* nrows x ncols: the row's sink set it */
	struct pvx_stats_sink sink;  /* fills row `row` */
	size_t row;
};

/* Adds the stats of a NULL-terminated list as columns. */
void pvx_stats_table_cols(struct pvx_stats_table *t, const struct pvx_stat *const *list);
/* Makes nrows zeroed rows (after the columns); 0 or -ENOMEM. */
int pvx_stats_table_rows(struct pvx_stats_table *t, size_t nrows);
/* The sink that fills row r. */
struct pvx_stats_sink *pvx_stats_table_row(struct pvx_stats_table *t, size_t r);
/* Appends the families to b; labels(b, r, ctx) writes row r's labels
 * (name="value" pairs, escaped, without braces). */
void pvx_stats_table_write(const struct pvx_stats_table *t, struct pvx_buf *b,
			   void (*labels)(struct pvx_buf *b, size_t r, void *ctx), void *ctx);
void pvx_stats_table_free(struct pvx_stats_table *t);

#endif
