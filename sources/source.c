#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ev.h>
#include <jansson.h>

#include "pvctrl/http_client.h"
#include "lib/log.h"
#include "sources/source.h"
#include "ipam/sync.h"
#include "lib/util.h"
#include "fsm/link.h"
#include "fsm/reconcile.h"
#include "parsers/graph.h"
#include "parsers/http_response.h"
#include "sources/statedir.h"

#define FETCH_TIMEOUT 10.0
#define MAX_WAITERS 32

static struct source_config cfg;
static ev_timer poll_timer;
static ev_stat file_watcher;
static struct http_request *inflight;
static bool fetch_again;
static bool have_last;
static struct pvx_buf last_body;
static struct pvx_log_once fetch_error;
static struct source_stats stats;

static struct waiter {
	source_done_fn fn;
	void *ctx;
} waiters[MAX_WAITERS], running[MAX_WAITERS], parsing[2 * MAX_WAITERS];
static size_t n_waiters, n_running, n_parsing;

static void notify(struct waiter *w, size_t *n, bool ok, const char *msg)
{
	size_t count = *n;
	*n = 0;
	for (size_t i = 0; i < count; i++)
		if (w[i].fn)
			w[i].fn(w[i].ctx, ok, msg);
}

/* A graph read has ended at least once (applied, unchanged or failed):
 * until then pvxctl wait has nothing to wait for. */
static bool have_outcome;

/* What GET /problems shows (pvxctl problems, and under pvxctl links):
 * the last read's failure while the links stay as they were, the
 * messages of the last graph read or build (skipped entries, unknown keys,
 * manifest errors, warnings and notes), and the links that wait for a
 * container to run (--state --lxc), which are in no link table. */
static char last_failure[400]; /* "" once a read went through */
static json_t *problems;       /* [{level, message}] */
static json_t *waiting_links;  /* [{consumer, name, type, provider, ...}] */

static void failed(const char *msg)
{
	have_outcome = true;
	stats.fetch_errors++;
	char line[400];
	snprintf(line, sizeof(line), "graph: %.360s; keeping the current links", msg);
	snprintf(last_failure, sizeof(last_failure), "%s", line);
	pvx_log_once(&fetch_error, PVX_LOG_WARN, line);
}

static json_t *json_decref_null(json_t *j)
{
	json_decref(j);
	return NULL;
}

static void problem_add(json_t *a, const char *level, const char *msg, size_t len)
{
	json_array_append_new(a, json_pack("{s:s, s:s%}", "level", level, "message", msg, len));
}

/* Lines of text as problems of the given level, or when level is NULL,
 * statedir's "error: ", "warning: " and "note: " lines. */
static void problem_lines(json_t *a, const char *text, const char *level)
{
	static const char *const levels[] = { "error", "warning", "note" };
	for (const char *p = text, *nl; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *lv = level ? level : "note", *start = p;
		for (size_t i = 0; !level && i < ARRAY_SIZE(levels); i++) {
			size_t l = strlen(levels[i]);
			if (len > l + 2 && !strncmp(p, levels[i], l) && p[l] == ':' && p[l + 1] == ' ') {
				lv = levels[i];
				start += l + 2;
				len -= l + 2;
				break;
			}
		}
		if (len)
			problem_add(a, lv, start, len);
	}
}

char *source_problems_json(void)
{
	json_t *o = json_pack("{s:s?, s:O?, s:O?}", "failure", last_failure[0] ? last_failure : NULL,
			      "problems", problems, "waiting", waiting_links);
	if (!o)
		return NULL;
	if (!problems)
		json_object_set_new(o, "problems", json_array());
	if (!waiting_links)
		json_object_set_new(o, "waiting", json_array());
	char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

/* A hostile graph may hold a million bad links: the first few are logged
 * one by one, the rest counted in one line. */
#define SKIPS_LOGGED 20

/* The parse runs on a worker thread: a 64 MiB graph takes seconds to read
 * and the loop must keep relaying meanwhile.  The loop owns everything
 * but the one job it has handed over (job_in until the worker takes it,
 * then the worker's until job_out): one parse at a time, and a body that
 * arrives meanwhile waits in `queued`, where a newer one replaces it.
 * The worker compares the body with the last applied and the last refused
 * ones, which the loop changes only while no job is out, and builds a
 * struct pvx_graph that the loop applies (the reconciler, planting and
 * IPAM stay on the loop).  In --state mode there is no body: the worker
 * builds the graph from the manifests (statedir_build reads files and, with
 * --lxc, every /proc/<pid>/cmdline, any of which a container can stall),
 * compares the built links with the last applied ones, and turns them into
 * the graph to apply with pvx_graph_add, the graph reader's own checks and
 * defaults; no JSON is written or read on that path. */
enum job_result {
	JOB_PARSED,           /* g holds a graph to apply */
	JOB_UNCHANGED,        /* the body applied last time */
	JOB_REFUSED,          /* not a graph, or no usable link: err says why */
	JOB_REFUSED_AGAIN,    /* the body refused last time */
	JOB_UNREADABLE,       /* path could not be read: err says why */
	JOB_TOO_LARGE,        /* path is over cfg.max_bytes */
	JOB_STATE_UNUSABLE,   /* --state: statedir_build failed, notes say why */
};

struct parse_job {
	struct parse_job *next; /* in trash */
	struct pvx_buf body;  /* the job's own */
	struct pvx_buf spare; /* a body the loop let go of, freed with the job */
	const char *path;     /* set: the body is this file's content, read first */
	bool state;           /* no body: build the graph from cfg.state_dir */
	struct pvx_graph raw; /* state: what statedir_build built */
	int state_rc;         /* state: what it returned */
	struct pvx_buf notes; /* state: its errors and notes */
	enum job_result result;
	struct pvx_graph g;
	char err[320];
	struct pvx_buf skips; /* the first SKIPS_LOGGED reasons, one a line */
	struct pvx_buf warns; /* the first SKIPS_LOGGED unknown keys, one a line */
	size_t n_warns, n_skips;
	struct pvx_graph waiting; /* state: links waiting for a container */
};

static pthread_t worker;
static bool have_worker, busy, stopping;
static bool running_job; /* under job_lock: the worker is in job_run */
static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t job_cond = PTHREAD_COND_INITIALIZER;
static struct parse_job *job_in, *job_out, *queued;
/* Jobs done with, freed by the worker: unmapping 64 MiB is no loop work. */
static struct parse_job *trash;
static ev_async job_done;
/* The body refused last time and why, so that an unchanged bad body is
 * neither parsed nor logged again on every poll. */
static struct pvx_buf last_refused;
static char too_large_msg[100];
static bool have_refused;
static char refused_why[320];
/* --state: the built links applied last (compared instead of a body) and
 * their text for GET /graph, written when first asked for. */
static struct pvx_graph last_raw;
static char *last_raw_json;
static struct pvx_log_once state_notes;

static struct parse_job *job_free(struct parse_job *j)
{
	if (j) {
		pvx_buf_free(&j->body);
		pvx_buf_free(&j->spare);
		pvx_buf_free(&j->skips);
		pvx_buf_free(&j->notes);
		pvx_buf_free(&j->warns);
		pvx_graph_free(&j->waiting);
		pvx_graph_free(&j->g);
		pvx_graph_free(&j->raw);
		free(j);
	}
	return NULL;
}

static void job_skip(void *ctx, size_t index, const char *why)
{
	struct parse_job *j = ctx;
	j->n_skips++;
	if (j->g.n_skipped < SKIPS_LOGGED) /* counted after this call */
		pvx_buf_printf(&j->skips, "link %zu skipped: %s\n", index, why);
}

/* An unknown key of an entry (or of the object form: index SIZE_MAX). */
static void job_warn(void *ctx, size_t index, const char *what)
{
	struct parse_job *j = ctx;
	if (j->n_warns++ >= SKIPS_LOGGED)
		return;
	if (index == SIZE_MAX)
		pvx_buf_printf(&j->warns, "%s\n", what);
	else
		pvx_buf_printf(&j->warns, "link %zu: %s\n", index, what);
}

static bool same_body(const struct pvx_buf *a, const struct pvx_buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* Pure but for reading last_body and last_refused (see above); on the
 * worker, or on the loop when there is no worker. */
/* Reads j->path into j->body; a host file, but 64 MiB is no loop work. */
static int job_read_file(struct parse_job *j)
{
	int fd = open(j->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(j->err, sizeof(j->err), "cannot open %s: %s", j->path, strerror(errno));
		j->result = JOB_UNREADABLE;
		return -1;
	}
	char buf[65536];
	ssize_t n;
	bool big = false;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if ((big = j->body.len + (size_t)n > cfg.max_bytes) ||
		    pvx_buf_append(&j->body, buf, (size_t)n) < 0)
			break;
	}
	int e = errno;
	close(fd);
	if (big || n != 0) {
		snprintf(j->err, sizeof(j->err), "cannot read %s: %s", j->path,
			 n < 0 ? strerror(e) : "out of memory");
		j->result = big ? JOB_TOO_LARGE : JOB_UNREADABLE;
		pvx_buf_free(&j->body);
		return -1;
	}
	return 0;
}

/* --state: builds the graph from the manifests (files and, with --lxc,
 * /proc: off the loop) and the links to apply from it. */
static void job_build_state(struct parse_job *j)
{
	struct statedir_opts o = { .lxcpath = cfg.lxcpath, .device_json = cfg.device_json,
				   .waiting = &j->waiting };
	j->state_rc = statedir_build(cfg.state_dir, &o, &j->raw, &j->notes);
	if (j->state_rc < 0) {
		snprintf(j->err, sizeof(j->err), "manifests in %.250s are not usable", cfg.state_dir);
		j->result = JOB_STATE_UNUSABLE;
		return;
	}
	if (have_last && pvx_graph_same(&j->raw, &last_raw)) {
		j->result = JOB_UNCHANGED;
		return;
	}
	j->result = JOB_REFUSED;
	for (size_t i = 0; i < j->raw.n_links; i++) {
		char why[320];
		int r = pvx_graph_add(&j->g, &j->raw.links[i], why, sizeof(why));
		if (r == -ENOMEM) {
			snprintf(j->err, sizeof(j->err), "out of memory");
			pvx_graph_free(&j->g);
			return;
		}
		if (r < 0) {
			job_skip(j, i, why);
			j->g.n_skipped++;
		}
	}
	j->g.pools = json_incref(j->raw.pools);
	char err[256];
	if (pvx_graph_usable(&j->g, err, sizeof(err)) < 0) {
		const char *first = j->skips.data ? j->skips.data : "";
		int n = (int)strcspn(first, "\n");
		snprintf(j->err, sizeof(j->err), "%s (first: %.*s)", err, n, first);
		pvx_graph_free(&j->g);
		return;
	}
	j->result = JOB_PARSED;
}

static void job_run(struct parse_job *j)
{
	if (j->state) {
		job_build_state(j);
		return;
	}
	if (j->path && job_read_file(j) < 0)
		return;
	if (have_last && same_body(&j->body, &last_body)) {
		j->result = JOB_UNCHANGED;
		return;
	}
	if (have_refused && same_body(&j->body, &last_refused)) {
		j->result = JOB_REFUSED_AGAIN;
		return;
	}
	j->result = JOB_REFUSED;
	char err[256];
	if (pvx_graph_parse_warn(j->body.data ? j->body.data : "", j->body.len, &j->g, err,
				 sizeof(err), job_skip, job_warn, j) < 0) {
		snprintf(j->err, sizeof(j->err), "%s", err);
		return;
	}
	if (pvx_graph_usable(&j->g, err, sizeof(err)) < 0) {
		/* One line: the count and the first reason. */
		const char *first = j->skips.data ? j->skips.data : "";
		int n = (int)strcspn(first, "\n");
		snprintf(j->err, sizeof(j->err), "%s (first: %.*s)", err, n, first);
		pvx_graph_free(&j->g);
		return;
	}
	j->result = JOB_PARSED;
}

static void *worker_main(void *arg)
{
	pthread_mutex_lock(&job_lock);
	for (;;) {
		while (!job_in && !trash && !stopping)
			pthread_cond_wait(&job_cond, &job_lock);
		if (stopping)
			break;
		if (trash) {
			struct parse_job *t = trash;
			trash = NULL;
			pthread_mutex_unlock(&job_lock);
			while (t) {
				struct parse_job *next = t->next;
				job_free(t);
				t = next;
			}
			pthread_mutex_lock(&job_lock);
			continue;
		}
		struct parse_job *j = job_in;
		job_in = NULL;
		running_job = true;
		pthread_mutex_unlock(&job_lock);
		double t0 = pvx_now();
		job_run(j);
		log_debug("graph: %zu bytes read in %.0f ms off the loop", j->body.len,
			  (pvx_now() - t0) * 1e3);
		pthread_mutex_lock(&job_lock);
		running_job = false;
		if (stopping) { /* source_stop let us go: the loop may be gone */
			pthread_mutex_unlock(&job_lock);
			job_free(j);
			return NULL;
		}
		job_out = j;
		ev_async_send(pvx_loop, &job_done);
	}
	pthread_mutex_unlock(&job_lock);
	return NULL;
}

static void job_finish(struct parse_job *j);
static void job_discard(struct parse_job *j);

/* Hands a body to the parser, or queues it while a parse runs. */
static void job_submit(struct parse_job *j)
{
	if (busy) {
		if (queued) /* superseded: its waiters wait for the newer body */
			job_discard(queued);
		queued = j;
		return;
	}
	busy = true;
	if (!have_worker) {
		job_run(j);
		job_finish(j);
		return;
	}
	pthread_mutex_lock(&job_lock);
	job_in = j;
	pthread_cond_signal(&job_cond);
	pthread_mutex_unlock(&job_lock);
}

/* A fetch that brought a body, or with path, a file the worker reads: the
 * waiters that asked for it wait for its parse (or a newer body's).  Takes
 * the body's memory. */
static void submit_body(struct pvx_buf *body, const char *path, bool state)
{
	for (size_t i = 0; i < n_running; i++) {
		if (n_parsing == sizeof(parsing) / sizeof(parsing[0])) {
			if (running[i].fn)
				running[i].fn(running[i].ctx, false, "too many requests waiting for a parse");
			continue;
		}
		parsing[n_parsing++] = running[i];
	}
	n_running = 0;
	struct parse_job *j = calloc(1, sizeof(*j));
	if (!j) {
		pvx_buf_free(body);
		failed("out of memory");
		notify(parsing, &n_parsing, false, "out of memory");
		return;
	}
	j->body = *body;
	*body = (struct pvx_buf){0};
	j->path = path;
	j->state = state;
	job_submit(j);
}

static void swap_body(struct pvx_buf *a, struct pvx_buf *b)
{
	struct pvx_buf t = *a;
	*a = *b;
	*b = t;
}

static void applied(void *ctx, const struct pvx_reconcile_stats *stp);

/* On the loop: the problems of a job that read a new graph (or, --state,
 * built one: every build). */
static void problems_take(const struct parse_job *j)
{
	json_t *a = json_array();
	if (!a)
		return;
	if (j->state)
		problem_lines(a, j->notes.data, NULL);
	problem_lines(a, j->skips.data, "error");
	char more[100];
	if (j->n_skips > SKIPS_LOGGED) {
		snprintf(more, sizeof(more), "%zu more links skipped", j->n_skips - SKIPS_LOGGED);
		problem_add(a, "error", more, strlen(more));
	}
	problem_lines(a, j->warns.data, "warning");
	if (j->n_warns > SKIPS_LOGGED) {
		snprintf(more, sizeof(more), "%zu more unknown keys", j->n_warns - SKIPS_LOGGED);
		problem_add(a, "warning", more, strlen(more));
	}
	json_decref(problems);
	problems = a;
	if (!j->state)
		return;
	json_t *w = json_array();
	for (size_t i = 0; w && i < j->waiting.n_links; i++) {
		const struct pvx_link_spec *l = &j->waiting.links[i];
		const char *who = !l->consumer_pid ? l->consumer : l->provider;
		char why[300];
		snprintf(why, sizeof(why), "waits for container '%s' to run", who);
		json_array_append_new(w, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:I, s:I, s:s, s:s}",
						   "consumer", l->consumer, "name", l->name, "type",
						   pvx_link_type_names[l->type], "provider",
						   l->provider, "target", l->target, "consumer_pid",
						   (json_int_t)l->consumer_pid, "provider_pid",
						   (json_int_t)l->provider_pid, "state", "WAITING",
						   "reason", why));
	}
	json_decref(waiting_links);
	waiting_links = w;
}

/* The skipped entries and unknown keys of a new body, one line each. */
static void log_lines(const struct parse_job *j)
{
	for (const char *p = j->skips.data, *nl; p && (nl = strchr(p, '\n')); p = nl + 1)
		log_warn("graph: %.*s", (int)(nl - p), p);
	for (const char *p = j->warns.data, *nl; p && (nl = strchr(p, '\n')); p = nl + 1)
		log_warn("graph: %.*s", (int)(nl - p), p);
	if (j->n_warns > SKIPS_LOGGED)
		log_warn("graph: %zu more unknown keys, not logged one by one", j->n_warns - SKIPS_LOGGED);
}

/* On the loop: applies (or refuses) what the parse of job j found; a graph
 * to apply sets *started, and applied() finishes the job later. */
static void apply_job(struct parse_job *j, char *msg, size_t msglen, bool *ok, bool *started)
{
	*ok = false;
	*started = false;
	if (j->state && j->notes.len) {
		/* Logged again only when they change. */
		if (j->notes.data[j->notes.len - 1] == '\n')
			j->notes.data[--j->notes.len] = '\0';
		bool quiet = j->state_rc == STATEDIR_OK && !strstr(j->notes.data, "warning: ") &&
			     !strstr(j->notes.data, "error: ");
		pvx_log_once(&state_notes, quiet ? PVX_LOG_INFO : PVX_LOG_WARN, j->notes.data);
	} else if (j->state) {
		pvx_log_once_clear(&state_notes);
	}
	if (j->state || j->result == JOB_REFUSED || j->result == JOB_PARSED)
		problems_take(j);
	switch (j->result) {
	case JOB_STATE_UNUSABLE:
		failed(j->err);
		snprintf(msg, msglen, "%s", j->err);
		return;
	case JOB_UNCHANGED:
		stats.unchanged++;
		snprintf(msg, msglen, "graph unchanged");
		*ok = true;
		return;
	case JOB_UNREADABLE:
		failed(j->err);
		snprintf(msg, msglen, "%s", j->err);
		return;
	case JOB_TOO_LARGE:
		snprintf(msg, msglen, "%s: %s", j->path, too_large_msg);
		failed(msg);
		return;
	case JOB_REFUSED_AGAIN:
		failed(refused_why);
		snprintf(msg, msglen, "%s", refused_why);
		return;
	case JOB_REFUSED:
		if (j->state) { /* logged again when the reason changes */
			failed(j->err);
			snprintf(msg, msglen, "%s", j->err);
			return;
		}
		/* A new bad body is logged even when an earlier one failed the
		 * same way; the same body again is not. */
		pvx_log_once_clear(&fetch_error);
		snprintf(refused_why, sizeof(refused_why), "%s", j->err);
		swap_body(&last_refused, &j->body); /* the old one goes with j */
		have_refused = true;
		failed(refused_why);
		snprintf(msg, msglen, "%s", refused_why);
		return;
	case JOB_PARSED:
		break;
	}
	struct pvx_graph *g = &j->g;
	log_lines(j);
	ipam_sync_pools(g);
	/* Applied a few dozen links per loop iteration: applied() ends it. */
	*started = true;
	mesh_apply_start(g, applied, j);
}

static void job_complete(struct parse_job *j, bool ok, const char *msg);

/* The graph of job j is applied (mesh_apply_start's end). */
static void applied(void *ctx, const struct pvx_reconcile_stats *stp)
{
	struct parse_job *j = ctx;
	if (stopping) { /* cut short by the shutdown */
		job_complete(j, false, "shutting down");
		return;
	}
	struct pvx_reconcile_stats st = *stp;
	struct pvx_graph *g = &j->g;
	char msg[400];
	ipam_sync_leases(g);
	size_t skipped = g->n_skipped;
	pvx_graph_free(g);
	if (skipped > SKIPS_LOGGED)
		log_warn("graph: %zu more links skipped, not logged one by one", skipped - SKIPS_LOGGED);
	if (st.duplicates > MESH_DUPLICATES_LOGGED)
		log_warn("graph: %zu more duplicate links skipped, not logged one by one",
			 st.duplicates - MESH_DUPLICATES_LOGGED);
	log_info("graph applied: %zu links (%zu added, %zu removed, %zu changed, %zu skipped)",
		 mesh_count(), st.added, st.removed, st.changed, skipped + st.duplicates);
	snprintf(msg, sizeof(msg), "graph applied: %zu added, %zu removed, %zu changed", st.added,
		 st.removed, st.changed);
	/* The applied body (--state: the built links) is kept (no copy) to
	 * spot an unchanged one; the old one goes with j. */
	if (j->state) {
		struct pvx_graph t = last_raw;
		last_raw = j->raw;
		j->raw = t;
		free(last_raw_json);
		last_raw_json = NULL;
	} else {
		swap_body(&last_body, &j->body);
	}
	have_last = true;
	swap_body(&last_refused, &j->spare);
	have_refused = false;
	stats.applied++;
	job_complete(j, true, msg);
}

/* Frees a job (and the buffers apply_job swapped into it) off the loop. */
static void job_discard(struct parse_job *j)
{
	if (!have_worker) {
		job_free(j);
		return;
	}
	pthread_mutex_lock(&job_lock);
	j->next = trash;
	trash = j;
	pthread_cond_signal(&job_cond);
	pthread_mutex_unlock(&job_lock);
}

static void job_finish(struct parse_job *j)
{
	char msg[400];
	bool ok, started;
	apply_job(j, msg, sizeof(msg), &ok, &started);
	if (!started)
		job_complete(j, ok, msg);
}

/* The job is over (refused, unchanged, or applied): the next body may be
 * parsed, and the callers that waited for this one are answered. */
static void job_complete(struct parse_job *j, bool ok, const char *msg)
{
	busy = false;
	have_outcome = true;
	job_discard(j);
	if (stopping)
		return;
	if (ok) {
		last_failure[0] = '\0';
		stats.last_ok = pvx_wallclock();
		if (pvx_log_once_clear(&fetch_error))
			log_info("graph: source %s readable again",
				 cfg.graph_file ? cfg.graph_file : cfg.state_dir ? cfg.state_dir : cfg.ctrl_path);
	}
	struct parse_job *next = queued;
	queued = NULL;
	if (next) {
		job_submit(next); /* the waiters are answered by the newer body */
		return;
	}
	notify(parsing, &n_parsing, ok, msg);
}

static void job_done_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	pthread_mutex_lock(&job_lock);
	struct parse_job *j = job_out;
	job_out = NULL;
	pthread_mutex_unlock(&job_lock);
	if (!j)
		return;
	job_finish(j); /* busy until its graph is applied */
}

/* A body over the cap is refused whole, before it is read to the end. */
static void too_large(const char *what)
{
	char msg[300];
	snprintf(msg, sizeof(msg), "%s: %s", what, too_large_msg);
	failed(msg);
	notify(running, &n_running, false, msg);
}

static void fetch_done(void *ctx, int err, int status, const char *body, size_t len,
		       const char *errmsg)
{
	inflight = NULL;
	char msg[300];
	struct pvx_buf b = {0};
	if (err == -E2BIG) {
		too_large(cfg.ctrl_path);
	} else if (err) {
		snprintf(msg, sizeof(msg), "pv-ctrl %s: %s", cfg.ctrl_path, errmsg);
		failed(msg);
		notify(running, &n_running, false, msg);
	} else if (status != 200) {
		snprintf(msg, sizeof(msg), "pv-ctrl %s answered HTTP %d", cfg.ctrl_path, status);
		failed(msg);
		notify(running, &n_running, false, msg);
	} else if (!(b.data = http_take_body(&b.len, &b.cap)) && pvx_buf_append(&b, body, len) < 0) {
		failed("out of memory");
		notify(running, &n_running, false, "out of memory");
	} else {
		submit_body(&b, NULL, false); /* taken, not copied: 64 MiB cost 250 ms to copy */
	}
	if (fetch_again) {
		fetch_again = false;
		source_fetch_now(NULL, NULL);
	}
}

/* The graph file is read by the worker too (job_read_file). */
static void read_file(void)
{
	struct pvx_buf none = {0};
	submit_body(&none, cfg.graph_file, false);
}

/* Embedded mode: the manifests' graph, built in place of pv-ctrl's, on
 * the worker (job_build_state). */
static void read_state(void)
{
	struct pvx_buf none = {0};
	submit_body(&none, NULL, true);
}

void source_fetch_now(source_done_fn done, void *ctx)
{
	if (done && n_waiters < MAX_WAITERS)
		waiters[n_waiters++] = (struct waiter){ done, ctx };
	if (inflight) {
		fetch_again = true; /* the graph may have changed after it was sent */
		return;
	}
	/* Waiters registered so far are answered by this fetch. */
	memcpy(running + n_running, waiters, n_waiters * sizeof(waiters[0]));
	n_running += n_waiters;
	n_waiters = 0;
	stats.fetches++;
	if (cfg.graph_file) {
		read_file();
		return;
	}
	if (cfg.state_dir) {
		read_state();
		return;
	}
	inflight = http_request_start(pvx_loop, cfg.ctrl_path, "GET", "/xconnect-graph", NULL, 0,
				      FETCH_TIMEOUT, cfg.max_bytes, fetch_done, NULL);
	if (!inflight) {
		failed("out of memory");
		notify(running, &n_running, false, "out of memory");
	}
}

void source_forget(void *ctx)
{
	for (size_t i = 0; i < n_waiters; i++)
		if (waiters[i].ctx == ctx)
			waiters[i].fn = NULL;
	for (size_t i = 0; i < n_running; i++)
		if (running[i].ctx == ctx)
			running[i].fn = NULL;
	for (size_t i = 0; i < n_parsing; i++)
		if (parsing[i].ctx == ctx)
			parsing[i].fn = NULL;
}

static void poll_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	source_fetch_now(NULL, NULL);
}

static void file_cb(struct ev_loop *loop, ev_stat *w, int revents)
{
	log_debug("graph: %s changed", cfg.graph_file);
	source_fetch_now(NULL, NULL);
}

void source_start(const struct source_config *c)
{
	cfg = *c;
	if (!cfg.max_bytes)
		cfg.max_bytes = SOURCE_DEFAULT_MAX_BYTES;
	snprintf(too_large_msg, sizeof(too_large_msg),
		 "graph body over the limit of %zu bytes (--graph-max-bytes), refused whole",
		 cfg.max_bytes);
	ev_async_init(&job_done, job_done_cb);
	ev_async_start(pvx_loop, &job_done);
	ev_unref(pvx_loop); /* the watcher alone must not keep the loop alive */
	/* The worker takes no signal: the loop handles them. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int r = pthread_create(&worker, NULL, worker_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	have_worker = r == 0;
	if (!have_worker)
		log_warn("graph: no parse thread (%s): graphs are parsed on the loop", strerror(r));
	ev_timer_init(&poll_timer, poll_cb, 0., cfg.interval);
	ev_timer_start(pvx_loop, &poll_timer);
	if (cfg.graph_file) {
		/* inotify where libev has it; the poll timer covers the rest. */
		ev_stat_init(&file_watcher, file_cb, cfg.graph_file, 0.);
		ev_stat_start(pvx_loop, &file_watcher);
	}
}

/* Waits for a parse under way (bounded by --graph-max-bytes), drops what
 * is queued; the waiters are not answered (the control socket closes).  A
 * --state build under way is not waited for: a container's file system
 * can stall it for ever; the worker is let go and frees its job (true is
 * returned then: the process must exit without waiting for it). */
bool source_stop(void)
{
	ev_timer_stop(pvx_loop, &poll_timer);
	if (cfg.graph_file)
		ev_stat_stop(pvx_loop, &file_watcher);
	http_request_cancel(inflight);
	inflight = NULL;
	stopping = true;
	bool building_left = false;
	if (have_worker) {
		pthread_mutex_lock(&job_lock);
		stopping = true;
		bool building = cfg.state_dir && running_job;
		pthread_cond_signal(&job_cond);
		pthread_mutex_unlock(&job_lock);
		building_left = building;
		if (building)
			pthread_detach(worker);
		else
			pthread_join(worker, NULL);
		have_worker = false;
	}
	ev_ref(pvx_loop);
	ev_async_stop(pvx_loop, &job_done);
	job_in = job_free(job_in);
	job_out = job_free(job_out);
	queued = job_free(queued);
	while (trash) {
		struct parse_job *next = trash->next;
		job_free(trash);
		trash = next;
	}
	busy = false;
	n_waiters = n_running = n_parsing = 0;
	if (building_left)
		return true; /* it may still compare with last_raw: left to the exit */
	pvx_buf_free(&last_body);
	pvx_buf_free(&last_refused);
	pvx_graph_free(&last_raw);
	free(last_raw_json);
	last_raw_json = NULL;
	have_last = have_refused = false;
	problems = json_decref_null(problems);
	waiting_links = json_decref_null(waiting_links);
	return false;
}

const char *source_last_graph(size_t *len)
{
	if (have_last && cfg.state_dir && !last_raw_json)
		last_raw_json = statedir_json(&last_raw);
	if (!have_last || (cfg.state_dir && !last_raw_json)) {
		*len = 2;
		return "[]";
	}
	if (cfg.state_dir) {
		*len = strlen(last_raw_json);
		return last_raw_json;
	}
	*len = last_body.len;
	return last_body.data;
}

bool source_settled(void)
{
	return have_outcome && !inflight && !busy;
}

const struct source_stats *source_stats(void)
{
	return &stats;
}
