/* The xconnect graph built from a directory of container manifests, the
 * way Pantavisor builds it: STATEDIR/<container>/{services.json, run.json
 * or args.json}.  Used by pvx-graph and by pv-xconnect --state. */
#ifndef PVX_STATEDIR_H
#define PVX_STATEDIR_H

#include <stdbool.h>
#include <sys/types.h>

#include "lib/util.h"

struct statedir_pid {
	const char *name;
	pid_t pid;
};

struct statedir_opts {
	const struct statedir_pid *pids; /* --pid NAME=PID, first choice */
	size_t n_pids;
	const char *lxcpath; /* non-NULL: look running LXC containers up there */
	const char *device_json; /* IP pools; NULL: DIR/device.json if there */
};

enum statedir_result {
	STATEDIR_OK = 0,
	STATEDIR_MISSING_REQUIRED = 2, /* a required service has no provider */
};

/* Writes the graph (pv-ctrl array format, stable key order; the object
 * form {"links", "pools"} when device.json defines pools) to *json and
 * errors and notes, one per line, to msgs.  Returns STATEDIR_OK,
 * STATEDIR_MISSING_REQUIRED (the other links are still in *json), or -1
 * for other errors (bad manifest, two exporters of one name, unreadable
 * directory); *json is then NULL. */
int statedir_build(const char *dir, const struct statedir_opts *o, char **json,
		   struct pvx_buf *msgs);

/* Init pid of the running LXC container name under lxcpath, found through
 * its monitor process in /proc; 0 if not running. */
pid_t statedir_lxc_pid(const char *lxcpath, const char *name);

#endif
