/* The xconnect graph (DESIGN.md section 3.1), read as a stream: either the
 * pv-ctrl array of links or the object form {"links": [...], "pools": {}}.
 * Every field default of the contract is applied here, so the rest of the
 * daemon sees complete link specifications. */
#ifndef PVX_GRAPH_H
#define PVX_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "model/spec.h"

struct pvx_graph {
	struct json_t *pools; /* the object form's "pools", or NULL */
	struct arena_block *arena; /* the strings of links[], freed with them */
	struct pvx_link_spec *links; /* not to be freed one by one */
	size_t n_links;
	size_t n_skipped; /* entries refused with a logged reason */
};

/* Parses a graph body.  Returns 0 and fills g, or -EBADMSG when the body
 * is not a graph at all, with a message in err: not JSON, not an array or
 * an object, an object without "links" (a renamed or misspelt key must
 * not read as "remove every link"), "links" not an array.  Individual bad
 * links are skipped and reported through the skip callback (or logged
 * when it is NULL); they never fail the parse. */
typedef void (*pvx_graph_skip_fn)(void *ctx, size_t index, const char *why);
int pvx_graph_parse(const char *body, size_t len, struct pvx_graph *g, char *err,
		    size_t errlen, pvx_graph_skip_fn skip, void *ctx);
/* The same, reporting unknown keys (a link's, with its index, or the
 * object form's, with index SIZE_MAX) through warn: "line L column C:
 * unknown key 'tpye', did you mean 'type'? (ignored)".  The entry keeps
 * its known fields; warn may be NULL. */
typedef void (*pvx_graph_warn_fn)(void *ctx, size_t index, const char *what);
int pvx_graph_parse_warn(const char *body, size_t len, struct pvx_graph *g, char *err,
			 size_t errlen, pvx_graph_skip_fn skip, pvx_graph_warn_fn warn, void *ctx);
void pvx_graph_free(struct pvx_graph *g);

/* Whether a parsed graph may be applied.  A graph that names links but of
 * which every entry was skipped (n_links 0, n_skipped > 0) is refused
 * whole with -EBADMSG and a message in err: the daemon keeps its current
 * links and reports, which is what an operator expects when a Pantavisor
 * update renames a field.  A graph with at least one usable link applies
 * (its bad entries skipped), and an explicitly empty graph ([] or
 * {"links": []}) applies too: it removes every link. */
int pvx_graph_usable(const struct pvx_graph *g, char *err, size_t errlen);

/* Graphs built in memory (the state-directory builder) rather than read.
 * pvx_graph_add appends a copy of s (its strings copied into g's arena)
 * with the checks and defaults a link read from a body gets: role,
 * interface and target NULL take their defaults, socket may be NULL only
 * for network links.  Returns 0, or -EINVAL (or -ENOMEM) with the reason
 * in why; the link is then not added.  pvx_graph_add_raw appends a copy as
 * it is, with no check and no default (a builder's own record of what it
 * found).  Start from a zeroed struct pvx_graph; pvx_graph_free frees. */
int pvx_graph_add(struct pvx_graph *g, const struct pvx_link_spec *s, char *why, size_t whylen);
int pvx_graph_add_raw(struct pvx_graph *g, const struct pvx_link_spec *s);

/* Same links, field by field and in the same order, same skip count, and
 * equal pools? */
bool pvx_graph_same(const struct pvx_graph *a, const struct pvx_graph *b);

#endif
