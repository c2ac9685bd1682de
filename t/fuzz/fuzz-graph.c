/* libFuzzer: the graph reader never crashes and every link it yields has
 * the fields the rest of the daemon relies on. */
#include "config.h"

#include <stdlib.h>

#include "daemon/log.h"
#include "parsers/graph.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void quiet(void *ctx, size_t index, const char *why) {}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct pvx_graph g;
	char err[256];
	if (pvx_graph_parse((const char *)data, size, &g, err, sizeof(err), quiet, NULL) < 0)
		return 0;
	for (size_t i = 0; i < g.n_links; i++) {
		const struct pvx_link_spec *s = &g.links[i];
		if (!s->name || !s->consumer || !s->role || !s->interface || !s->target ||
		    (s->type != LINK_NETWORK && !s->socket))
			abort();
	}
	pvx_graph_free(&g);
	return 0;
}
