/* Control socket server.  Each connection carries one request: the head is
 * read with the HTTP request grammar rest links use (at most
 * CONTROL_MAX_HEAD bytes; see control.h for the caps), the answer is
 * written without blocking, then the connection closes.  POST /reconcile
 * answers when the fetch it started is over.
 *
 * Every slot has a deadline, re-armed per phase and always enforced: the
 * head must come within HEAD_TIMEOUT, a reconcile is answered by
 * RECONCILE_TIMEOUT (503 if the fetch is not over), the answer must move
 * at least every WRITE_TIMEOUT; then the slot is freed.  When every slot is
 * taken, the oldest client still silent is dropped for the newcomer, so
 * idle clients cannot keep pvxctl out; if all are busy, the newcomer gets a
 * 503 at once.  At most MAX_WAITING reconciles wait (the graph source
 * answers that many), more get a 503. */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <ev.h>
#include <jansson.h>

#include "daemon/control.h"
#include "pvctrl/events.h"
#include "ipam/ipam.h"
#include "lib/list.h"
#include "lib/log.h"
#include "sources/source.h"
#include "lib/util.h"
#include "fsm/fsm.h"
#include "fsm/link.h"
#include "fsm/reconcile.h"
#include "fsm/plugin.h"
#include "lib/stats.h"
#include "relay/relay.h"
#ifdef ENABLE_DBUS
#include "plugins/dbus.h"
#endif

#define MAX_CLIENTS 64
#define MAX_WAITING 32
#define HEAD_TIMEOUT 2.0
#define RECONCILE_TIMEOUT 10.0
#define WRITE_TIMEOUT 2.0
/* Of MAX_CLIENTS, at most this many from --metrics-listen at once: a
 * scraper (or anyone on the network) never crowds pvxctl out. */
#define MAX_METRICS_CLIENTS 8
/* GET /links: written in pieces of about this size, each built in about
 * this much time, one piece per loop iteration as the socket drains. */
#define LINKS_PIECE 65536
#define LINKS_SLICE 0.0005

struct client {
	int fd;
	ev_io io;
	ev_timer timeout;
	char head[CONTROL_MAX_HEAD];
	size_t head_len;
	struct control_head req;
	struct pvx_buf out;
	size_t out_off;
	bool waiting; /* for a reconcile to finish */
	bool metrics_only; /* from --metrics-listen: GET /metrics, nothing else */
	struct control_links_stream *links; /* GET /links, not all written yet */
	struct client *next, *prev;
};

static int listen_fd = -1;
static char *socket_path;
static ev_io accept_watcher;
static struct client *clients;
static unsigned n_clients, n_waiting, n_metrics_clients;
static int metrics_fd = -1;
static ev_io metrics_watcher;

void control_head_init(struct control_head *h)
{
	memset(h, 0, sizeof(*h));
	httpreq_init(&h->http);
}

/* The grammar has read a whole head: the method is the token before the
 * target, the target is where the grammar saw it. */
static int take_request_line(struct control_head *h, const char *buf)
{
	size_t mlen = h->http.target_off - 1, plen = h->http.target_len;
	if (mlen > CONTROL_MAX_METHOD || plen > CONTROL_MAX_PATH || buf[h->http.target_off] != '/')
		return -EBADMSG;
	memcpy(h->method, buf, mlen);
	h->method[mlen] = '\0';
	memcpy(h->path, buf + h->http.target_off, plen);
	h->path[plen] = '\0';
	return 1;
}

int control_head_read(struct control_head *h, const char *buf, size_t len)
{
	while (h->walked < len) {
		size_t used;
		enum httpreq_event ev = httpreq_run(&h->http, buf + h->walked, len - h->walked, &used);
		h->walked += used;
		if (ev == HTTPREQ_ERROR)
			return -EBADMSG;
		if (ev == HTTPREQ_HEAD)
			return take_request_line(h, buf);
		/* HTTPREQ_FIELD: a field the control socket does not use. */
	}
	return len >= CONTROL_MAX_HEAD ? -E2BIG : 0;
}

/* l->errors, shown for every link. */
static const struct pvx_stat st_errors = { NULL, "errors", "pvx_link_errors_total", "counter",
					   "Errors seen on the link.", NULL };

/* What a link's modules describe (the relay's counters, l->errors, the
 * type's own, what plant() said of its resource), in the order GET /links
 * shows them. */
static void link_describe(const struct pvx_link *l, struct pvx_stats_sink *out)
{
	relay_describe(l, out);
	pvx_stats_value(out, &st_errors, l->errors);
	if (l->plugin && l->plugin->describe)
		l->plugin->describe(l, out);
	if (l->planted.detail[0])
		pvx_stats_fact(out, "detail", l->planted.detail);
}

/* A sink into a link's JSON object: a stat of a group goes into the
 * object of that name, made at its first stat. */
struct json_sink {
	struct pvx_stats_sink sink;
	json_t *o;
};

static void json_value(struct pvx_stats_sink *out, const struct pvx_stat *st, uint64_t v)
{
	json_t *at = ((struct json_sink *)out)->o;
	if (st->group) {
		json_t *g = json_object_get(at, st->group);
		if (!g) {
			g = json_object();
			json_object_set_new(at, st->group, g);
		}
		at = g;
	}
	json_object_set_new(at, st->key, json_integer((json_int_t)v));
}

static void json_fact(struct pvx_stats_sink *out, const char *key, const char *text)
{
	json_object_set_new(((struct json_sink *)out)->o, key, json_string(text));
}

static json_t *link_json(const struct pvx_link *l)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:I, s:I, s:s?, s:s?, s:s, s:s}",
			      "consumer", l->spec.consumer, "name", l->spec.name, "target",
			      l->spec.target, "type", pvx_link_type_names[l->spec.type], "state",
			      link_state_name(l->state), "since", l->since, "consumer_pid",
			      (json_int_t)l->spec.consumer_pid, "provider_pid",
			      (json_int_t)l->spec.provider_pid, "provider", l->spec.provider,
			      "socket", l->spec.socket, "role", l->spec.role, "interface",
			      l->spec.interface);
	if (!o)
		return NULL;
	struct json_sink js = { { json_value, json_fact }, o };
	link_describe(l, &js.sink);
	json_object_set_new(o, "last_error", l->last_error[0] ? json_string(l->last_error)
							      : json_null());
	return o;
}

char *control_links_json(void)
{
	struct control_links_stream st;
	struct pvx_buf b = {0};
	control_links_open(&st);
	int r = 0;
	while (!st.done && r == 0)
		r = control_links_more(&st, &b, (size_t)-1, 1e300);
	control_links_close(&st);
	if (r < 0) {
		pvx_buf_free(&b);
		return NULL;
	}
	return b.data;
}

void control_links_open(struct control_links_stream *s)
{
	memset(s, 0, sizeof(*s));
	mesh_cursor_open(&s->cur);
}

void control_links_close(struct control_links_stream *s)
{
	mesh_cursor_close(&s->cur);
}

static int buf_dump(const char *buffer, size_t size, void *data)
{
	return pvx_buf_append(data, buffer, size) < 0 ? -1 : 0;
}

/* json_dumps(array, JSON_COMPACT) is "[" the items joined by "," "]": the
 * items are dumped one at a time the same way. */
int control_links_more(struct control_links_stream *s, struct pvx_buf *b, size_t max,
		       double until)
{
	if (s->done)
		return 0;
	if (!s->started) {
		if (pvx_buf_append(b, "[", 1) < 0)
			return -ENOMEM;
		s->started = true;
	}
	for (unsigned n = 0;; n++) {
		if (n && (b->len >= max || pvx_now() >= until))
			return 0;
		struct pvx_link *l = mesh_cursor_next(&s->cur);
		if (!l)
			break;
		json_t *o = link_json(l);
		bool failed = !o || (s->items && pvx_buf_append(b, ",", 1) < 0) ||
			      json_dump_callback(o, buf_dump, b, JSON_COMPACT) < 0;
		json_decref(o);
		if (failed)
			return -ENOMEM;
		s->items = true;
	}
	if (pvx_buf_append(b, "]", 1) < 0)
		return -ENOMEM;
	s->done = true;
	return 0;
}

char *control_fsm_json(void)
{
	json_t *states = json_array(), *events = json_array(), *rows = json_array();
	for (int s = 0; s < LS__COUNT; s++)
		json_array_append_new(states, json_string(fsm_states[s].name));
	for (int e = 0; e < EV__COUNT; e++)
		json_array_append_new(events, json_string(fsm_event_names[e]));
	for (int s = 0; s < LS__COUNT; s++)
		for (int e = 0; e < EV__COUNT; e++) {
			const struct fsm_transition *t = &fsm_table[s][e];
			if (!t->defined)
				continue;
			json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s?}", "from",
							      fsm_states[s].name, "event",
							      fsm_event_names[e], "to",
							      fsm_states[t->next].name, "action",
							      t->action_name));
		}
	json_t *o = json_pack("{s:o, s:o, s:o}", "states", states, "events", events,
			      "transitions", rows);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* Prometheus label values escape backslash, quote and newline. */
static void label(struct pvx_buf *b, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\\' || *v == '"')
			pvx_buf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			pvx_buf_append(b, "\\n", 2);
		else
			pvx_buf_append(b, v, 1);
	}
}

/* The labels naming a link (inside the braces). */
static void link_labels(struct pvx_buf *b, const struct pvx_link *l)
{
	pvx_buf_append(b, "consumer=\"", 10);
	label(b, l->spec.consumer);
	pvx_buf_append(b, "\",name=\"", 8);
	label(b, l->spec.name);
	pvx_buf_append(b, "\",target=\"", 10);
	label(b, l->spec.target);
	pvx_buf_printf(b, "\",type=\"%s\"", pvx_link_type_names[l->spec.type]);
}

static void row_labels(struct pvx_buf *b, size_t r, void *ctx)
{
	link_labels(b, ((const struct pvx_link *const *)ctx)[r]);
}

/* The per-link families: the relay's, errors, then each type's, each
 * listing every link (0 where a link's type has no such counter). */
static void link_families(struct pvx_buf *b)
{
	static const struct pvx_stat *const errors[] = { &st_errors, NULL };
	struct pvx_stats_table t = { 0 };
	pvx_stats_table_cols(&t, relay_stats_list);
	pvx_stats_table_cols(&t, errors);
	for (int type = 0; type < LINK_TYPE__COUNT; type++) {
		const struct pvx_plugin *p = pvx_plugin_for((enum pvx_link_type)type);
		if (p)
			pvx_stats_table_cols(&t, p->stats);
	}
	size_t n = mesh_count();
	const struct pvx_link **links = calloc(n ? n : 1, sizeof(*links));
	if (!links || pvx_stats_table_rows(&t, n) < 0)
		n = 0;
	size_t r = 0;
	for (struct pvx_link *l = mesh_first(); l && r < n; l = l->next, r++) {
		links[r] = l;
		link_describe(l, pvx_stats_table_row(&t, r));
	}
	t.nrows = r;
	pvx_stats_table_write(&t, b, row_labels, links);
	pvx_stats_table_free(&t);
	free(links);
}

char *control_metrics(void)
{
	struct pvx_buf b = {0};
	const struct source_stats *ss = source_stats();

	pvx_buf_printf(&b, "# HELP pvx_build_info The pv-xconnect build (always 1).\n# TYPE pvx_build_info gauge\npvx_build_info{version=\"");
	label(&b, PACKAGE_VERSION);
	pvx_buf_printf(&b, "\"} 1\n");

	pvx_buf_printf(&b, "# HELP pvx_links Links in the state table.\n# TYPE pvx_links gauge\npvx_links %zu\n",
		       mesh_count());
	pvx_buf_printf(&b, "# HELP pvx_graph_fetches_total Graph reads started.\n# TYPE pvx_graph_fetches_total counter\npvx_graph_fetches_total %llu\n",
		       (unsigned long long)ss->fetches);
	pvx_buf_printf(&b, "# HELP pvx_graph_fetch_errors_total Graph reads that failed.\n# TYPE pvx_graph_fetch_errors_total counter\npvx_graph_fetch_errors_total %llu\n",
		       (unsigned long long)ss->fetch_errors);
	pvx_buf_printf(&b, "# HELP pvx_graph_applied_total Graphs that differed and were applied.\n# TYPE pvx_graph_applied_total counter\npvx_graph_applied_total %llu\n",
		       (unsigned long long)ss->applied);

	/* The enum convention: one series per state for every link, 1 for
	 * the state it is in and 0 for the others, so a state a link leaves
	 * reads 0 instead of going stale, and sum by (state) counts links. */
	pvx_buf_printf(&b, "# HELP pvx_link_state Current state of each link: 1 for the state it is in, 0 for the others.\n# TYPE pvx_link_state gauge\n");
	for (struct pvx_link *l = mesh_first(); l; l = l->next)
		for (int st = 0; st < LS__COUNT; st++) {
			pvx_buf_append(&b, "pvx_link_state{", 15);
			link_labels(&b, l);
			pvx_buf_printf(&b, ",state=\"%s\"} %d\n", link_state_name((enum link_state)st),
				       l->state == (enum link_state)st);
		}
	link_families(&b);
	return b.data;
}

static void client_free(struct client *c)
{
	struct ev_loop *loop = pvx_loop;
	ev_io_stop(loop, &c->io);
	ev_timer_stop(loop, &c->timeout);
	source_forget(c);
	if (c->waiting)
		n_waiting--;
	if (c->metrics_only)
		n_metrics_clients--;
	close(c->fd);
	pvx_buf_free(&c->out);
	if (c->links) {
		control_links_close(c->links);
		free(c->links);
	}
	PVX_LIST_UNLINK(clients, c);
	n_clients--;
	free(c);
}

static void client_io_cb(struct ev_loop *loop, ev_io *w, int revents);

static void deadline(struct client *c, double seconds)
{
	ev_timer_stop(pvx_loop, &c->timeout);
	ev_timer_set(&c->timeout, seconds, 0.);
	ev_timer_start(pvx_loop, &c->timeout);
}

static void respond(struct client *c, int status, const char *reason, const char *ctype,
		    const char *body, size_t len)
{
	pvx_buf_printf(&c->out,
		       "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
		       status, reason, ctype, len);
	pvx_buf_append(&c->out, body, len);
	deadline(c, WRITE_TIMEOUT);
	ev_io_stop(pvx_loop, &c->io);
	ev_io_set(&c->io, c->fd, EV_WRITE);
	ev_io_start(pvx_loop, &c->io);
}

static void respond_json(struct client *c, int status, const char *reason, char *body)
{
	if (!body)
		return respond(c, 500, "Internal Server Error", "text/plain", "out of memory\n", 14);
	respond(c, status, reason, "application/json", body, strlen(body));
	free(body);
}

/* The next piece of GET /links into c->out, once the last one is sent.
 * Returns 0 or -ENOMEM. */
static int links_piece(struct client *c)
{
	int r = control_links_more(c->links, &c->out, c->out.len + LINKS_PIECE,
				   pvx_now() + LINKS_SLICE);
	if (r == 0 && c->links->done) {
		control_links_close(c->links);
		free(c->links);
		c->links = NULL;
	}
	return r;
}

/* No Content-Length: the length is known at the end only, and the
 * connection closes after the answer (HTTP/1.0) anyway. */
static void respond_links(struct client *c)
{
	c->links = malloc(sizeof(*c->links));
	if (!c->links)
		return respond(c, 500, "Internal Server Error", "text/plain", "out of memory\n", 14);
	control_links_open(c->links);
	pvx_buf_printf(&c->out, "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n");
	if (links_piece(c) < 0) {
		pvx_buf_reset(&c->out);
		control_links_close(c->links);
		free(c->links);
		c->links = NULL;
		return respond(c, 500, "Internal Server Error", "text/plain", "out of memory\n", 14);
	}
	deadline(c, WRITE_TIMEOUT);
	ev_io_stop(pvx_loop, &c->io);
	ev_io_set(&c->io, c->fd, EV_WRITE);
	ev_io_start(pvx_loop, &c->io);
}

static void reconcile_done(void *ctx, bool ok, const char *msg)
{
	struct client *c = ctx;
	c->waiting = false;
	n_waiting--;
	json_t *o = json_pack("{s:b, s:s}", "ok", ok, "message", msg);
	respond_json(c, ok ? 200 : 502, ok ? "OK" : "Bad Gateway", json_dumps(o, JSON_COMPACT));
	json_decref(o);
}

/* %XX escapes of a path segment decoded in place; -1 on a bad escape or
 * a NUL. */
static int pct_decode(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (*s != '%') {
			*o++ = *s;
			continue;
		}
		int v = 0;
		for (int i = 1; i <= 2; i++) {
			char h = s[i];
			int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 :
				h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
			if (d < 0)
				return -1;
			v = v * 16 + d;
		}
		if (v == 0)
			return -1;
		*o++ = (char)v;
		s += 2;
	}
	*o = '\0';
	return 0;
}

/* The link key names ("consumer/name -> target", or "consumer/name" when
 * only one link has it); NULL with *why set otherwise. */
static struct pvx_link *find_link(const char *key, const char **why)
{
	struct pvx_link *whole = NULL, *part = NULL;
	size_t parts = 0;
	for (struct pvx_link *l = mesh_first(); l; l = l->next) {
		int m = link_key_match(l, key);
		if (m == 2)
			whole = l;
		else if (m == 1 && !parts++)
			part = l;
	}
	if (whole)
		return whole;
	if (parts == 1)
		return part;
	*why = parts ? "several links have this consumer/name; give the whole key 'consumer/name -> target'"
		     : "no such link";
	return NULL;
}

static void respond_text(struct client *c, int status, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void respond_text(struct client *c, int status, const char *reason, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(msg) - 2)
		n = (int)sizeof(msg) - 2;
	msg[n++] = '\n';
	respond(c, status, reason, "text/plain", msg, (size_t)n);
}

/* GET /links/KEY: that link's object.  POST /links/KEY/retry: a BACKOFF
 * link retried now (link_retry_now); POST /links/retry: every BACKOFF
 * link.  KEY is percent-encoded. */
static void route_link(struct client *c, bool get, bool post, char *rest)
{
	if (strcmp(rest, "retry") == 0) {
		if (!post)
			return respond(c, 405, "Method Not Allowed", "text/plain", "method not allowed\n", 19);
		json_t *a = json_array();
		for (struct pvx_link *l = mesh_first(); l; l = l->next)
			if (l->state == LS_BACKOFF && !l->zombie) {
				json_array_append_new(a, json_string(link_key(l)));
				link_retry_now(l);
			}
		json_t *o = json_pack("{s:o}", "retried", a);
		char *text = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		return respond_json(c, 200, "OK", text);
	}
	size_t len = strlen(rest);
	bool retry = len > 6 && strcmp(rest + len - 6, "/retry") == 0;
	if (retry)
		rest[len - 6] = '\0';
	if ((retry && !post) || (!retry && !get))
		return respond(c, 405, "Method Not Allowed", "text/plain", "method not allowed\n", 19);
	if (pct_decode(rest) < 0)
		return respond_text(c, 400, "Bad Request", "bad %%-escape in the link key");
	const char *why = NULL;
	struct pvx_link *l = find_link(rest, &why);
	if (!l)
		return respond_text(c, 404, "Not Found", "link '%s': %s", rest, why);
	if (!retry) {
		json_t *o = link_json(l);
		char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		return respond_json(c, 200, "OK", text);
	}
	enum link_state was = l->state;
	if (link_retry_now(l) < 0)
		return respond_text(c, 409, "Conflict", "link '%s' is %s: only a BACKOFF link can be retried%s",
				    link_key(l), link_state_name(was),
				    was == LS_FAILED ? " (a FAILED link waits for a graph change)" : "");
	json_t *o = json_pack("{s:[s]}", "retried", link_key(l));
	char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	respond_json(c, 200, "OK", text);
}

static void route(struct client *c, const char *method, const char *path)
{
	bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
	char *q = strchr(path, '?');
	if (q)
		*q = '\0';
	/* The TCP listener is read-only: the metrics and nothing else. */
	if (c->metrics_only && strcmp(path, "/metrics") != 0)
		return respond(c, 404, "Not Found", "text/plain", "no such endpoint\n", 17);
	if (c->metrics_only && !get)
		return respond(c, 405, "Method Not Allowed", "text/plain", "method not allowed\n", 19);

	if (strcmp(path, "/links") == 0 && get)
		return respond_links(c);
	if (strcmp(path, "/fsm") == 0 && get)
		return respond_json(c, 200, "OK", control_fsm_json());
	if (strncmp(path, "/links/", 7) == 0)
		return route_link(c, get, post, (char *)path + 7);
	if (strcmp(path, "/status") == 0 && get) {
		/* Links removed are TORN_DOWN until freed: the counts of
		 * ACTIVE and FAILED ones are the mesh's. */
		size_t active = fsm_state_count[LS_ACTIVE], failed = fsm_state_count[LS_FAILED];
		json_t *o = json_pack("{s:s, s:I, s:I, s:I}", "graph", source_settled() ? "settled" : "pending",
				      "links", (json_int_t)mesh_count(), "active", (json_int_t)active,
				      "failed", (json_int_t)failed);
		char *text = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		return respond_json(c, 200, "OK", text);
	}
	if (strcmp(path, "/ipam") == 0 && get) {
		json_t *o = ipam_json();
		json_object_set_new(o, "events", json_pack("{s:I, s:I, s:I}", "queued", (json_int_t)events_queued(),
							  "sent", (json_int_t)events_sent(), "dropped",
							  (json_int_t)events_dropped()));
		char *text = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		return respond_json(c, 200, "OK", text);
	}
	if (strcmp(path, "/metrics") == 0 && get) {
		char *m = control_metrics();
		if (!m)
			return respond(c, 500, "Internal Server Error", "text/plain", "", 0);
		respond(c, 200, "OK", "text/plain; version=0.0.4", m, strlen(m));
		free(m);
		return;
	}
	if (strcmp(path, "/problems") == 0 && get)
		return respond_json(c, 200, "OK", source_problems_json());
	if (strcmp(path, "/denials") == 0 && get) {
		/* dbus links: each distinct (link, missing rule), counted */
#ifdef ENABLE_DBUS
		json_t *a = dbus_denials_json();
#else
		json_t *a = json_array();
#endif
		char *text = a ? json_dumps(a, JSON_COMPACT) : NULL;
		json_decref(a);
		return respond_json(c, 200, "OK", text);
	}
	if (strcmp(path, "/graph") == 0 && get) {
		size_t len;
		const char *g = source_last_graph(&len);
		return respond(c, 200, "OK", "application/json", g, len);
	}
	if (strcmp(path, "/reconcile") == 0 && post) {
		if (n_waiting >= MAX_WAITING)
			return respond(c, 503, "Service Unavailable", "text/plain",
				       "too many reconcile requests waiting\n", 36);
		c->waiting = true;
		n_waiting++;
		deadline(c, RECONCILE_TIMEOUT);
		ev_io_stop(pvx_loop, &c->io);
		source_fetch_now(reconcile_done, c);
		return;
	}
	if (!strcmp(path, "/links") || !strcmp(path, "/fsm") || !strcmp(path, "/metrics") || !strcmp(path, "/ipam") ||
	    !strcmp(path, "/graph") || !strcmp(path, "/reconcile") || !strcmp(path, "/status") ||
	    !strcmp(path, "/problems") ||
	    !strcmp(path, "/denials"))
		return respond(c, 405, "Method Not Allowed", "text/plain", "method not allowed\n", 19);
	respond(c, 404, "Not Found", "text/plain", "no such endpoint\n", 17);
}

static void client_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct client *c = w->data;

	if (c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			return client_free(c);
		c->out_off += (size_t)n;
		if (c->out_off == c->out.len) {
			if (!c->links)
				return client_free(c);
			pvx_buf_reset(&c->out);
			c->out_off = 0;
			if (links_piece(c) < 0)
				return client_free(c); /* cut short: the client sees no "]" */
		}
		deadline(c, WRITE_TIMEOUT); /* a large answer: 2 s without progress */
		return;
	}
	ssize_t n = recv(c->fd, c->head + c->head_len, sizeof(c->head) - c->head_len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0)
		return client_free(c);
	c->head_len += (size_t)n;
	int r = control_head_read(&c->req, c->head, c->head_len);
	if (r == 0)
		return;
	if (r == -E2BIG)
		return respond(c, 431, "Request Header Fields Too Large", "text/plain",
			       "request head too large\n", 23);
	if (r < 0)
		return respond(c, 400, "Bad Request", "text/plain", "bad request\n", 12);
	route(c, c->req.method, c->req.path);
}

static void client_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct client *c = w->data;
	if (!c->waiting)
		return client_free(c);
	/* The fetch is still out: this client is told so and forgotten. */
	source_forget(c);
	c->waiting = false;
	n_waiting--;
	respond(c, 503, "Service Unavailable", "text/plain", "reconcile still running\n", 24);
}

/* The client accepted longest ago that is still reading its head (the
 * list is newest first). */
static struct client *oldest_silent(void)
{
	struct client *found = NULL;
	for (struct client *c = clients; c; c = c->next)
		if (!c->waiting && !c->out.len)
			found = c;
	return found;
}

/* Both listeners: the control socket, and --metrics-listen's (w->data
 * non-NULL), whose clients are metrics_only and capped apart. */
static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	bool metrics = w->data != NULL;
	/* At most 64 per wake-up: a flood of connects (from the network, for
	 * the metrics) does not hold the loop; the watcher fires again. */
	for (unsigned n = 0; n < 64; n++) {
		int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (metrics && (n_metrics_clients >= MAX_METRICS_CLIENTS || n_clients >= MAX_CLIENTS)) {
			close(fd);
			continue;
		}
		if (n_clients >= MAX_CLIENTS) {
			struct client *idle = oldest_silent();
			if (!idle) {
				static const char busy[] =
					"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 5\r\n"
					"Connection: close\r\n\r\nbusy\n";
				(void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
				close(fd);
				continue;
			}
			client_free(idle);
		}
		struct client *c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		c->fd = fd;
		c->metrics_only = metrics;
		n_metrics_clients += metrics;
		control_head_init(&c->req);
		ev_io_init(&c->io, client_io_cb, fd, EV_READ);
		c->io.data = c;
		ev_timer_init(&c->timeout, client_timeout_cb, HEAD_TIMEOUT, 0.);
		c->timeout.data = c;
		ev_io_start(loop, &c->io);
		ev_timer_start(loop, &c->timeout);
		PVX_LIST_PUSH(clients, c);
		n_clients++;
	}
}

gid_t control_group = (gid_t)-1;

/* The socket's directory must be there: a typo in --control creates
 * nothing (and leaves nothing behind). */
static int parent_exists(const char *path)
{
	char buf[sizeof(((struct sockaddr_un *)0)->sun_path)];
	snprintf(buf, sizeof(buf), "%s", path);
	char *slash = strrchr(buf, '/');
	if (!slash)
		return 0; /* relative to the working directory */
	if (slash == buf)
		slash++; /* "/x.sock": the root */
	*slash = '\0';
	struct stat st;
	if (stat(buf, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int control_start(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int r = parent_exists(path);
	if (r < 0)
		return r;
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		/* Refuse to steal the socket of a daemon that is still running. */
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(probe);
			return -EADDRINUSE;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);
	}
	/* Listening under a temporary name first, then renamed into place:
	 * whoever sees the path can connect (pvxctl wait right after start). */
	struct sockaddr_un tmp = sa;
	bool staged = strlen(path) + 4 < sizeof(tmp.sun_path);
	if (staged) {
		snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%s.new", path);
		unlink(tmp.sun_path);
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* 0600: only root may steer the daemon; with --control-group, that
	 * group too (0660, the group set before the name is in place). */
	bool grouped = control_group != (gid_t)-1;
	mode_t old = umask(grouped ? 0117 : 0177);
	r = bind(fd, (struct sockaddr *)&tmp, sizeof(tmp));
	umask(old);
	if (r < 0 || (grouped && lchown(tmp.sun_path, (uid_t)-1, control_group) < 0) ||
	    listen(fd, 64) < 0 || (staged && rename(tmp.sun_path, path) < 0)) {
		r = -errno;
		if (staged)
			unlink(tmp.sun_path);
		close(fd);
		return r;
	}
	listen_fd = fd;
	socket_path = strdup(path);
	ev_io_init(&accept_watcher, accept_cb, fd, EV_READ);
	accept_watcher.data = NULL;
	ev_io_start(pvx_loop, &accept_watcher);
	return 0;
}

int control_parse_listen(const char *arg, struct sockaddr_storage *sa, socklen_t *len)
{
	char host[64];
	const char *colon = strrchr(arg, ':');
	if (!colon || colon == arg || !colon[1])
		return -EINVAL;
	size_t hlen = (size_t)(colon - arg);
	const char *h = arg;
	if (arg[0] == '[') { /* [v6]:port */
		if (hlen < 3 || arg[hlen - 1] != ']')
			return -EINVAL;
		h++;
		hlen -= 2;
	}
	if (hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	char *end;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (*end || colon[1] == '-' || colon[1] == '+' || port == 0 || port > 65535)
		return -EINVAL;
	/* Numeric only: a name lookup could block, and says less. */
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM }, *res;
	if ((arg[0] == '[') != (strchr(host, ':') != NULL))
		return -EINVAL; /* brackets for IPv6 and only for it */
	if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
		return -EINVAL;
	memcpy(sa, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int control_metrics_listen(const char *addr)
{
	struct sockaddr_storage sa;
	socklen_t len;
	int r = control_parse_listen(addr, &sa, &len);
	if (r < 0)
		return r;
	int fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 16) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	metrics_fd = fd;
	ev_io_init(&metrics_watcher, accept_cb, fd, EV_READ);
	metrics_watcher.data = &metrics_fd; /* non-NULL: metrics only */
	ev_io_start(pvx_loop, &metrics_watcher);
	return 0;
}

void control_stop(void)
{
	while (clients)
		client_free(clients);
	if (metrics_fd >= 0) {
		ev_io_stop(pvx_loop, &metrics_watcher);
		metrics_fd = safe_close(metrics_fd);
	}
	if (listen_fd >= 0) {
		ev_io_stop(pvx_loop, &accept_watcher);
		listen_fd = safe_close(listen_fd);
	}
	if (socket_path) {
		unlink(socket_path);
		free(socket_path);
		socket_path = NULL;
	}
}
