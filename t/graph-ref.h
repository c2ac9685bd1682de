/* The jansson reading of a graph, to compare the streaming reader with. */
#ifndef PVX_GRAPH_REF_H
#define PVX_GRAPH_REF_H

#include "parsers/graph.h"

/* As pvx_graph_parse, but every string is its own allocation. */
int graph_ref_parse(const char *body, size_t len, struct pvx_graph *g, char *err, size_t errlen,
		    pvx_graph_skip_fn skip, void *ctx);
void graph_ref_free(struct pvx_graph *g);

#endif
