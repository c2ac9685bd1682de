/* The xconnect graph (DESIGN.md section 3.1), read as a stream: either the
 * pv-ctrl array of links or the object form {"links": [...], "pools": {}}.
 * Every field default of the contract is applied here, so the rest of the
 * daemon sees complete link specifications. */
#ifndef PVX_GRAPH_H
#define PVX_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum pvx_link_type {
	LINK_UNIX,
	LINK_REST,
	LINK_DBUS,
	LINK_DRM,
	LINK_WAYLAND,
	LINK_NETWORK,
	LINK_TYPE__COUNT
};

extern const char *const pvx_link_type_names[LINK_TYPE__COUNT];
int pvx_link_type_from_name(const char *name);

/* One wanted link, as the graph describes it, with defaults applied.  Its
 * identity is (consumer, name, target). */
struct pvx_link_spec {
	enum pvx_link_type type;
	char *name;
	char *consumer;
	char *provider;     /* NULL when the graph gives none */
	pid_t consumer_pid; /* 0: host side or unknown */
	pid_t provider_pid;
	char *role;
	char *interface;
	char *target;
	char *socket;       /* NULL only for network links */
	bool has_uid;
	unsigned uid;
	char *ipv4_address; /* network links */
	char *mac_address;
};

struct pvx_graph {
	struct json_t *pools; /* the object form's "pools", or NULL */
	struct arena_block *arena; /* the strings of links[], freed with them */
	struct pvx_link_spec *links; /* not to be freed one by one */
	size_t n_links;
	size_t n_skipped; /* entries refused with a logged reason */
};

/* Parses a graph body.  Returns 0 and fills g, or -EBADMSG when the body
 * is not a graph at all (not JSON, not an array/object), with a message in
 * err.  Individual bad links are skipped and reported through the skip
 * callback (or logged when it is NULL); they never fail the whole graph. */
typedef void (*pvx_graph_skip_fn)(void *ctx, size_t index, const char *why);
int pvx_graph_parse(const char *body, size_t len, struct pvx_graph *g, char *err,
		    size_t errlen, pvx_graph_skip_fn skip, void *ctx);
void pvx_graph_free(struct pvx_graph *g);

void pvx_link_spec_free(struct pvx_link_spec *s);
int pvx_link_spec_copy(struct pvx_link_spec *dst, const struct pvx_link_spec *src);
/* Same identity (consumer, name, target)? */
bool pvx_link_spec_same_key(const struct pvx_link_spec *a, const struct pvx_link_spec *b);

#endif
