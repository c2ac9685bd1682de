/* Where the graph comes from: pv-ctrl (GET /xconnect-graph, polled), a
 * local file (re-read when it changes), or a directory of container
 * manifests turned into a graph as pvx-graph does (embedded mode).  Each
 * body that differs from the last applied one is parsed on a worker thread
 * (the loop keeps relaying meanwhile) and the resulting graph handed to the
 * reconciler on the loop.  In embedded mode the worker builds the graph
 * from the manifests as a struct (no JSON in between) and hands it over
 * when it differs from the last applied build.  A body over max_bytes, one that is not a graph,
 * or one whose every link is unusable is refused whole: the current links
 * stay and one line is logged (not again while the body stays the same). */
#ifndef PVX_SOURCE_H
#define PVX_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct source_config {
	const char *ctrl_path;  /* pv-ctrl socket, when neither of the next two */
	const char *graph_file; /* local graph file */
	const char *state_dir;  /* container manifests (pvx-graph's builder) */
	const char *lxcpath;    /* with state_dir: LXC containers' pids */
	const char *device_json; /* with state_dir: IP pools (else STATEDIR/device.json) */
	double interval;        /* poll period, seconds */
	size_t max_bytes;       /* graph body cap, 0: SOURCE_DEFAULT_MAX_BYTES */
};

#define SOURCE_DEFAULT_MAX_BYTES (64u * 1024 * 1024)

/* Called when a fetch that was asked for finishes (its body parsed and
 * applied, or a newer body's): ok tells whether the graph was read
 * (applied or unchanged), msg says what happened. */
typedef void (*source_done_fn)(void *ctx, bool ok, const char *msg);

void source_start(const struct source_config *cfg);
/* Stops reading graphs; true when a thread stuck in a container's
 * filesystem (a --state build) was left behind. */
bool source_stop(void);
/* Fetches now; done (may be NULL) is called when that fetch is over. */
void source_fetch_now(source_done_fn done, void *ctx);
/* Forgets a pending done callback (its context is going away). */
void source_forget(void *ctx);

/* The last graph body that parsed ("[]" before any); in embedded mode the
 * last applied build, printed as pvx-graph prints it. */
const char *source_last_graph(size_t *len);

/* GET /problems: {"failure": the last read's failure or null (the links
 * stay as they were), "problems": [{"level": "error"|"warning"|"note",
 * "message"}] of the last graph read or --state build (skipped entries,
 * unknown keys, manifest errors with file:line:col, notes), "waiting":
 * [links that wait for a container to run, with "state": "WAITING" and
 * "reason"]}.  Caller frees; NULL when out of memory. */
char *source_problems_json(void);

/* Counters for /metrics. */
struct source_stats {
	uint64_t fetches, fetch_errors, applied, unchanged;
	double last_ok; /* wall clock of the last successful read, 0: never */
};
const struct source_stats *source_stats(void);
/* A graph has been read (or failed to be) and nothing is being fetched,
 * parsed or applied: the links are what the graph says, for pvxctl wait. */
bool source_settled(void);

#endif
