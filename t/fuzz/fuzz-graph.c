/* libFuzzer: the graph reader never crashes, every link it yields has the
 * fields the rest of the daemon relies on, and it reads every body as
 * jansson's reading (t/fixtures/graph-ref.c) does, but where the stream is stricter
 * or kinder by design:
 *   - a duplicate key, an integer out of range or a NUL in a key fails the
 *     whole body for jansson; the stream skips that link or ignores the key;
 *   - the stream refuses nesting deeper than 32 and skips a link with a
 *     string over 4096 bytes or a default target over 511;
 *   - jansson lets some raw NUL bytes between tokens pass; RFC 8259 and the
 *     stream do not. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "parsers/graph.h"
#include "t/fixtures/graph-dump.h"
#include "t/fixtures/graph-ref.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* An unknown key's warning is one line of printable ASCII, whatever the
 * key held: it goes to the log and to pvxctl as it is. */
static void warned(void *ctx, size_t index, const char *what)
{
	(void)ctx;
	(void)index;
	size_t n = strlen(what);
	if (n > 600)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)what[i] < 0x20 || (unsigned char)what[i] > 0x7e)
			abort();
}

/* Every link the reader hands over has the fields the daemon relies on. */
static void dump(struct pvx_buf *out, const struct pvx_graph *g)
{
	for (size_t i = 0; i < g->n_links; i++) {
		const struct pvx_link_spec *s = &g->links[i];
		if (!s->name || !s->consumer || !s->role || !s->interface || !s->target ||
		    (s->type != LINK_NETWORK && !s->socket))
			abort();
	}
	graph_dump(out, g);
	pvx_buf_append(out, "", 1);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct pvx_graph g, ref;
	struct pvx_buf ours = {0}, theirs = {0};
	char err[256], ref_err[256];
	int rc = pvx_graph_parse_warn((const char *)data, size, &g, err, sizeof(err),
				      graph_dump_skip, warned, &ours);
	int ref_rc = graph_ref_parse((const char *)data, size, &ref, ref_err, sizeof(ref_err),
				     graph_dump_skip, &theirs);
	if (rc == 0)
		dump(&ours, &g);
	if (ref_rc == 0)
		dump(&theirs, &ref);
	if (rc == 0 && ref_rc < 0 && !strstr(ref_err, "duplicate") && !strstr(ref_err, "too big") &&
	    !strstr(ref_err, "overflow") && !strstr(ref_err, "NUL byte in object key")) {
		fprintf(stderr, "jansson refuses (%s), the stream takes it\n", ref_err);
		abort();
	}
	if (rc < 0 && ref_rc == 0 && !strstr(err, "nesting deeper") && !memchr(data, 0, size)) {
		fprintf(stderr, "the stream refuses (%s), jansson takes it\n", err);
		abort();
	}
	if (rc == 0 && ref_rc == 0 && strcmp(ours.data, theirs.data) != 0 &&
	    !strstr(ours.data, "longer than") && !strstr(ours.data, "too long for the default")) {
		fprintf(stderr, "readings differ:\n%s--- jansson:\n%s", ours.data, theirs.data);
		abort();
	}
	if (rc == 0)
		pvx_graph_free(&g);
	if (ref_rc == 0)
		graph_ref_free(&ref);
	pvx_buf_free(&ours);
	pvx_buf_free(&theirs);
	return 0;
}
