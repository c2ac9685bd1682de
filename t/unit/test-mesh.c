/* The reconciler's table of live links (fsm/reconcile.c): a graph applied
 * again finds every link (unchanged), also while the table is moving to a
 * larger one a few buckets at a time, and links removed or added then are
 * found or dropped the same way. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsm/reconcile.h"
#include "lib/log.h"
#include "lib/loop.h"
#include "lib/util.h"
#include "lib/worker.h"
#include "parsers/graph.h"
#include "t/tap.h"

static char dir[] = "/tmp/pvx-mesh.XXXXXX";

static void bail(const char *what)
{
	printf("Bail out! %s\n", what);
	exit(1);
}

/* Applies the unix links l<from> .. l<to - 1>, but not l<skip_a> nor
 * l<skip_b>; *st gets what the reconciler did. */
static void apply(int from, int to, int skip_a, int skip_b, struct pvx_reconcile_stats *st)
{
	struct pvx_buf body = {0};
	pvx_buf_append(&body, "[", 1);
	bool first = true;
	for (int i = from; i < to; i++) {
		if (i == skip_a || i == skip_b)
			continue;
		pvx_buf_printf(&body,
			       "%s{\"type\": \"unix\", \"name\": \"l%d\", \"consumer\": \"c\", "
			       "\"socket\": \"%s/none.sock\", \"target\": \"%s/l%d.sock\"}",
			       first ? "" : ",", i, dir, dir, i);
		first = false;
	}
	pvx_buf_append(&body, "]", 1);
	struct pvx_graph g;
	char err[256];
	if (pvx_graph_parse(body.data, body.len, &g, err, sizeof(err), NULL, NULL) < 0)
		bail(err);
	mesh_apply(&g, st);
	pvx_graph_free(&g);
	pvx_buf_free(&body);
	mesh_reap();
}

#define STATS(st, a, r, u)                                                                     \
	((st).added == (a) && (st).removed == (r) && (st).unchanged == (u) && (st).changed == 0 && \
	 (st).duplicates == 0)
#define SHOW(st) tap_diag("added %zu removed %zu unchanged %zu changed %zu duplicates %zu", \
			  (st).added, (st).removed, (st).unchanged, (st).changed, (st).duplicates)

int main(void)
{
	pvx_loop = EV_DEFAULT;
	pvx_log_threshold = PVX_LOG_ERROR;
	pvx_worker_init(pvx_loop, 4);
	if (!mkdtemp(dir))
		bail("mkdtemp");
	struct pvx_reconcile_stats st;

	/* 64 buckets at first: the 65th link doubles the table, and only a
	 * few buckets have moved when the graph is applied again. */
	apply(0, 65, -1, -1, &st);
	if (!ok(STATS(st, 65, 0, 0) && mesh_count() == 65, "65 links added"))
		SHOW(st);
	apply(0, 65, -1, -1, &st);
	if (!ok(STATS(st, 0, 0, 65), "applied again while the table moves: all 65 found unchanged"))
		SHOW(st);
	apply(0, 65, 3, 40, &st);
	if (!ok(STATS(st, 0, 2, 63) && mesh_count() == 63, "two removed while it moves, 63 unchanged"))
		SHOW(st);
	apply(0, 65, -1, -1, &st);
	if (!ok(STATS(st, 2, 0, 63) && mesh_count() == 65, "the two added back, 63 unchanged"))
		SHOW(st);
	st = (struct pvx_reconcile_stats){0};
	{
		/* A duplicate is found in whichever table its first copy is. */
		char body[512];
		snprintf(body, sizeof(body),
			 "[{\"type\": \"unix\", \"name\": \"l70\", \"consumer\": \"c\", \"socket\": \"%s/none.sock\", \"target\": \"%s/l70.sock\"},"
			 "{\"type\": \"unix\", \"name\": \"l70\", \"consumer\": \"c\", \"socket\": \"%s/none.sock\", \"target\": \"%s/l70.sock\"}]",
			 dir, dir, dir, dir);
		struct pvx_graph g;
		char err[256];
		if (pvx_graph_parse(body, strlen(body), &g, err, sizeof(err), NULL, NULL) < 0)
			bail(err);
		mesh_apply(&g, &st);
		pvx_graph_free(&g);
		mesh_reap();
	}
	if (!ok(st.added == 1 && st.duplicates == 1 && st.removed == 65 && mesh_count() == 1,
		"a graph of one link twice: one added, one duplicate, the 65 others removed"))
		SHOW(st);

	/* Growing to 4,096 buckets and more, a graph at a time. */
	apply(0, 3000, -1, -1, &st);
	if (!ok(STATS(st, 2999, 0, 1) && mesh_count() == 3000, "3,000 links: 2,999 added, l70 unchanged"))
		SHOW(st);
	apply(0, 5000, 2999, -1, &st);
	if (!ok(STATS(st, 2000, 1, 2999) && mesh_count() == 4999,
		"then 5,000 but one: 2,000 added, 2,999 unchanged, 1 removed"))
		SHOW(st);
	apply(0, 5000, -1, -1, &st);
	if (!ok(STATS(st, 1, 0, 4999), "then all 5,000: 1 added, 4,999 unchanged"))
		SHOW(st);
	size_t n = 0;
	for (struct pvx_link *l = mesh_first(); l; l = l->next, n++)
		;
	ok(n == 5000, "5,000 links in the list");

	mesh_shutdown();
	ok(mesh_count() == 0 && mesh_first() == NULL, "shut down: no link left");
	pvx_worker_drain(10);
	pvx_worker_shutdown();
	char cmd[sizeof(dir) + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
	return tap_done();
}
