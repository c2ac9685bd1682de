#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <ev.h>

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
} waiters[MAX_WAITERS], running[MAX_WAITERS];
static size_t n_waiters, n_running;

static void notify(struct waiter *w, size_t *n, bool ok, const char *msg)
{
	size_t count = *n;
	*n = 0;
	for (size_t i = 0; i < count; i++)
		if (w[i].fn)
			w[i].fn(w[i].ctx, ok, msg);
}

static void failed(const char *msg)
{
	stats.fetch_errors++;
	char line[400];
	snprintf(line, sizeof(line), "graph: %s; keeping the current links", msg);
	pvx_log_once(&fetch_error, PVX_LOG_WARN, line);
}

/* A hostile graph may hold a million bad links: the first few are logged
 * one by one, the rest counted in one line. */
#define SKIPS_LOGGED 20
static size_t skips;

static void skip_link(void *ctx, size_t index, const char *why)
{
	if (++skips <= SKIPS_LOGGED)
		log_warn("graph: link %zu skipped: %s", index, why);
}

/* Applies a body unless it is the one applied last time: one length
 * check and one memcmp (a few GB/s), nothing parsed. */
static bool consume(const char *body, size_t len, char *msg, size_t msglen)
{
	if (have_last && len == last_body.len && memcmp(body, last_body.data, len) == 0) {
		stats.unchanged++;
		snprintf(msg, msglen, "graph unchanged");
		return true;
	}
	struct pvx_graph g;
	char err[256];
	skips = 0;
	if (pvx_graph_parse(body, len, &g, err, sizeof(err), skip_link, NULL) < 0) {
		failed(err);
		snprintf(msg, msglen, "%s", err);
		return false;
	}
	struct pvx_reconcile_stats st;
	ipam_sync_pools(&g);
	mesh_apply(&g, &st);
	ipam_sync_leases(&g);
	size_t skipped = g.n_skipped;
	pvx_graph_free(&g);
	if (skipped > SKIPS_LOGGED)
		log_warn("graph: %zu more links skipped, not logged one by one", skipped - SKIPS_LOGGED);
	if (st.duplicates > MESH_DUPLICATES_LOGGED)
		log_warn("graph: %zu more duplicate links skipped, not logged one by one",
			 st.duplicates - MESH_DUPLICATES_LOGGED);
	log_info("graph applied: %zu links (%zu added, %zu removed, %zu changed, %zu skipped)",
		 mesh_count(), st.added, st.removed, st.changed, skipped + st.duplicates);
	snprintf(msg, msglen, "graph applied: %zu added, %zu removed, %zu changed", st.added,
		 st.removed, st.changed);
	pvx_buf_reset(&last_body);
	have_last = pvx_buf_append(&last_body, body, len) == 0;
	stats.applied++;
	return true;
}

static void fetch_done(void *ctx, int err, int status, const char *body, size_t len,
		       const char *errmsg)
{
	inflight = NULL;
	char msg[300];
	bool ok = false;
	if (err) {
		snprintf(msg, sizeof(msg), "pv-ctrl %s: %s", cfg.ctrl_path, errmsg);
		failed(msg);
	} else if (status != 200) {
		snprintf(msg, sizeof(msg), "pv-ctrl %s answered HTTP %d", cfg.ctrl_path, status);
		failed(msg);
	} else {
		ok = consume(body, len, msg, sizeof(msg));
	}
	if (ok) {
		stats.last_ok = pvx_wallclock();
		if (pvx_log_once_clear(&fetch_error))
			log_info("graph: source %s readable again", cfg.ctrl_path);
	}
	notify(running, &n_running, ok, msg);
	if (fetch_again) {
		fetch_again = false;
		source_fetch_now(NULL, NULL);
	}
}

static void read_file(void)
{
	char msg[300];
	bool ok = false;
	int fd = open(cfg.graph_file, O_RDONLY | O_CLOEXEC);
	struct pvx_buf b = {0};
	if (fd < 0) {
		snprintf(msg, sizeof(msg), "cannot open %s: %s", cfg.graph_file, strerror(errno));
		failed(msg);
	} else {
		char buf[65536];
		ssize_t n;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (b.len + (size_t)n > HTTPRESP_DEFAULT_MAX_BODY || pvx_buf_append(&b, buf, (size_t)n) < 0)
				break;
		if (n != 0) {
			snprintf(msg, sizeof(msg), "cannot read %s: %s", cfg.graph_file,
				 n < 0 ? strerror(errno) : "file too large");
			failed(msg);
		} else {
			ok = consume(b.data ? b.data : "", b.len, msg, sizeof(msg));
		}
		close(fd);
	}
	pvx_buf_free(&b);
	if (ok) {
		stats.last_ok = pvx_wallclock();
		if (pvx_log_once_clear(&fetch_error))
			log_info("graph: %s readable again", cfg.graph_file);
	}
	notify(running, &n_running, ok, msg);
}

/* Embedded mode: the manifests' graph, built in place of pv-ctrl's. */
static struct pvx_log_once state_notes;

static void read_state(void)
{
	char msg[300];
	bool ok = false;
	struct statedir_opts o = { .lxcpath = cfg.lxcpath, .device_json = cfg.device_json };
	struct pvx_buf notes = {0};
	char *json = NULL;
	int r = statedir_build(cfg.state_dir, &o, &json, &notes);
	if (notes.len) {
		/* Logged again only when they change. */
		if (notes.data[notes.len - 1] == '\n')
			notes.data[--notes.len] = '\0';
		pvx_log_once(&state_notes, r == STATEDIR_OK ? PVX_LOG_INFO : PVX_LOG_WARN, notes.data);
	} else {
		pvx_log_once_clear(&state_notes);
	}
	if (json) {
		ok = consume(json, strlen(json), msg, sizeof(msg));
	} else {
		snprintf(msg, sizeof(msg), "manifests in %s are not usable", cfg.state_dir);
		failed(msg);
	}
	free(json);
	pvx_buf_free(&notes);
	if (ok)
		stats.last_ok = pvx_wallclock();
	notify(running, &n_running, ok, msg);
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
				      FETCH_TIMEOUT, 0, fetch_done, NULL);
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
	pvx_buf_append(&last_body, "", 0);
	ev_timer_init(&poll_timer, poll_cb, 0., cfg.interval);
	ev_timer_start(pvx_loop, &poll_timer);
	if (cfg.graph_file) {
		/* inotify where libev has it; the poll timer covers the rest. */
		ev_stat_init(&file_watcher, file_cb, cfg.graph_file, 0.);
		ev_stat_start(pvx_loop, &file_watcher);
	}
}

void source_stop(void)
{
	ev_timer_stop(pvx_loop, &poll_timer);
	if (cfg.graph_file)
		ev_stat_stop(pvx_loop, &file_watcher);
	http_request_cancel(inflight);
	inflight = NULL;
	pvx_buf_free(&last_body);
}

const char *source_last_graph(size_t *len)
{
	if (!have_last) {
		*len = 2;
		return "[]";
	}
	*len = last_body.len;
	return last_body.data;
}

const struct source_stats *source_stats(void)
{
	return &stats;
}
