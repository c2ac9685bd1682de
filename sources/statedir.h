/* The xconnect graph built from a directory of container manifests, the
 * way Pantavisor builds it: STATEDIR/<container>/{services.json, run.json
 * or args.json}.  Used by pvx-graph and by pv-xconnect --state. */
#ifndef PVX_STATEDIR_H
#define PVX_STATEDIR_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/util.h"
#include "parsers/graph.h"

struct statedir_pid {
	const char *name;
	pid_t pid;
};

struct statedir_opts {
	const struct statedir_pid *pids; /* --pid NAME=PID, first choice */
	size_t n_pids;
	const char *lxcpath; /* non-NULL: look running LXC containers up there */
	const char *device_json; /* IP pools; NULL: DIR/device.json if there */
	/* Out, when non-NULL (a zeroed graph): the links that wait for a
	 * container to run (with lxcpath), raw, so that they can be shown. */
	struct pvx_graph *waiting;
};

enum statedir_result {
	STATEDIR_OK = 0,
	STATEDIR_MISSING_REQUIRED = 2, /* a required service has no provider */
	STATEDIR_NO_CONTAINER = 3, /* no container directory at all: *g is empty */
};

/* Builds the graph into *g (device.json's pools in g->pools) and writes
 * errors, warnings (unknown manifest keys, a container without run.json)
 * and notes, one per line ("error: ", "warning: ", "note: "), to msgs.  The links are raw: the values
 * the manifests give, without the graph contract's defaults or checks
 * (target NULL when the requirement names none; role, interface and
 * socket NULL for network links).  pvx_graph_add turns each into a link
 * to apply, exactly as reading statedir_json's text would.  Returns
 * STATEDIR_OK, STATEDIR_MISSING_REQUIRED (the other links are still in
 * *g), STATEDIR_NO_CONTAINER, or -1 for other errors (bad manifest, two exporters of one name,
 * unreadable directory); *g is then empty.  Free with pvx_graph_free. */
int statedir_build(const char *dir, const struct statedir_opts *o, struct pvx_graph *g,
		   struct pvx_buf *msgs);

/* The pv-ctrl text of a graph statedir_build built: the array of links
 * (stable key order), or the object {"links", "pools"} when there are
 * pools; ends in a newline.  pvx-graph prints it, GET /graph serves it;
 * the daemon never reads it back.  NULL when out of memory. */
char *statedir_json(const struct pvx_graph *g);

/* Init pid of the running LXC container name under lxcpath, found through
 * its monitor process in /proc; 0 if not running. */
pid_t statedir_lxc_pid(const char *lxcpath, const char *name);

#endif
