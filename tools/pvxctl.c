/* pvxctl: the operator's view of a running pv-xconnect, through its
 * control socket. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "pvctrl/http_client.h"
#include "tools/check.h"
#include "tools/table.h"

#define DEFAULT_CONTROL "/run/pantavisor/pv/xconnect.sock"

static const char *control = DEFAULT_CONTROL;
static bool raw_json, dot;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pvxctl [OPTION]... COMMAND\n"
		"Inspect and steer a running pv-xconnect.\n"
		"\n"
		"Commands:\n"
		"  links             the link state table: key, type, state, since, pids,\n"
		"                    connections (open/total), connections refused (over a\n"
		"                    cap or the fd reserve), bytes parked in the daemon,\n"
		"                    bytes each way, per-type detail (fds passed; HTTP\n"
		"                    requests and proxy 4xx; D-Bus uid, messages each way,\n"
		"                    denied; Wayland path, messages each way, globals\n"
		"                    hidden, binds refused; drm node major:minor, kind, driver and cgroup\n"
		"                    grant), last error\n"
		"  fsm               the link state machine's transition table\n"
		"  ipam              IP pools (subnet, gateway, bridge, used/free), leases\n"
		"                    (container, ip, mac, static/dynamic, since) and the\n"
		"                    events queued for pv-ctrl\n"
		"  graph             the graph as the daemon last read it\n"
		"  metrics           the Prometheus metrics text\n"
		"  reconcile         fetch the graph now and wait until it is applied\n"
		"  problems          what went wrong with the graph: the last read's failure,\n"
		"                    skipped entries, unknown keys, manifest errors\n"
		"                    (file:line:column), and the links waiting for a\n"
		"                    container to run; exit 1 if any is an error or waits\n"
		"                    (`links` shows them too, under and in its table)\n"
		"  check [STATE_DIR|GRAPH]  validate container manifests (a state directory)\n"
		"                    or a graph file offline, with the daemon's readers:\n"
		"                    every error and warning, exit 1 if any; without an\n"
		"                    argument, the running daemon's problems\n"
		"  denials [LINK]    what the policy of dbus links refused: each distinct\n"
		"                    (link, missing rule) with its count and an example;\n"
		"                    LINK (a key or a link name) shows only that link\n"
		"  wait [--timeout S] [--link KEY] [--allow-empty]\n"
		"                    wait until the graph is applied and every link is\n"
		"                    ACTIVE (default 30 s; a daemon not answering yet\n"
		"                    counts as not ready; no links at all is not ready\n"
		"                    unless --allow-empty); exit 1 at once when a link is\n"
		"                    FAILED (it waits for a graph change), saying which and\n"
		"                    why, and on timeout, listing the links that are not\n"
		"                    ACTIVE; --link KEY waits for that link alone (exit 1\n"
		"                    at once when it is FAILED or not in the applied graph)\n"
		"  retry KEY|--all   retry a link in BACKOFF now (or every one) instead of at\n"
		"                    the end of its backoff; exit 1 when KEY is unknown or\n"
		"                    not in BACKOFF\n"
		"\n"
		"A link KEY is 'consumer/name -> target' as links shows it, or\n"
		"'consumer/name' when only one link has that consumer and name.\n"
		"\n"
		"Options:\n"
		"  -s, --control PATH  the daemon's control socket (default: $PVXCTL_SOCKET if\n"
		"                    set, else " DEFAULT_CONTROL ")\n"
		"      --json        print the raw JSON answer\n"
		"      --hosted-bus, --no-hosted-bus\n"
		"                    check: read a state directory with the hosted system\n"
		"                    bus (the default, as pv-xconnect's) or without it\n"
		"      --dot         links: Graphviz of the mesh; fsm: Graphviz of the table\n"
		"                    (other commands have no drawing: exit 2)\n"
		"  -h, --help        show this help and exit\n"
		"  -V, --version     show the version and exit\n"
		"\n"
		"\n"
		"Environment: PVXCTL_SOCKET, the control socket when --control is not given.\n"
		"Exit status: 0 success, 1 failure (daemon unreachable, timeout, a FAILED\n"
		"link), 2 bad usage.\n");
}

static bool quiet_connect; /* wait: an unreachable daemon is "not yet" */

/* The HTTP status of method path (its body in *body, NUL-terminated), or
 * -2 when the daemon cannot be reached (said on stderr unless
 * quiet_connect). */
static int fetch(const char *method, const char *path, char **body, size_t *len)
{
	char err[300];
	*body = NULL;
	int status = http_fetch(control, method, path, NULL, 30.0, body, len, err, sizeof(err));
	if (status < 0) {
		if (!quiet_connect)
			fprintf(stderr, "pvxctl: %s\n", err);
		return -2;
	}
	return status;
}

/* GETs (or POSTs) path and parses the JSON answer; on failure prints why. */
static int request(const char *method, const char *path, char **body, json_t **json)
{
	size_t len;
	int status = fetch(method, path, body, &len);
	if (status < 0)
		return -2;
	if (status != 200) {
		fprintf(stderr, "pvxctl: %s %s: HTTP %d: %s\n", method, path, status, *body);
		free(*body);
		*body = NULL;
		return -1;
	}
	if (json) {
		json_error_t jerr;
		*json = json_loadb(*body, len, 0, &jerr);
		if (!*json) {
			fprintf(stderr, "pvxctl: %s: not JSON: %s\n", path, jerr.text);
			free(*body);
			*body = NULL;
			return -1;
		}
	}
	return 0;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "-";
}

static long long num(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);
	if (b)
		v = json_object_get(v, b);
	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

static void human_bytes(char *buf, size_t len, long long n)
{
	const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%lldB", n);
	else
		snprintf(buf, len, "%.1f%s", v, units[u]);
}

/* The counters of a link type pvxctl has no layout for (its plugin's
 * describe(), fsm/plugin.h): group.key=value of each, or "-". */
static void other_counters(json_t *l, char *buf, size_t len)
{
	static const char *const shown[] = { "connections", "bytes", "fds", NULL };
	size_t at = 0;
	const char *group;
	json_t *g;
	buf[0] = '\0';
	json_object_foreach(l, group, g) {
		bool known = false;
		for (int i = 0; shown[i] && !known; i++)
			known = !strcmp(group, shown[i]);
		const char *k;
		json_t *v;
		if (known || !json_is_object(g))
			continue;
		json_object_foreach(g, k, v) {
			int n = snprintf(buf + at, len - at, "%s%s.%s=%lld", at ? " " : "", group, k,
					 (long long)json_integer_value(v));
			if (n < 0 || (size_t)n >= len - at)
				return;
			at += (size_t)n;
		}
	}
	if (!at)
		snprintf(buf, len, "-");
}

/* Columns of the links table. */
enum { C_KEY, C_TYPE, C_STATE, C_SINCE, C_PIDS, C_CONNS, C_REFUSED, C_PARKED, C_BYTES, C_EXTRA,
       C_ERROR, C__N };
static const char *const headers[C__N] = { "KEY", "TYPE", "STATE", "SINCE", "PIDS(C/P)",
					    "CONNS", "REFUSED", "PARKED", "BYTES(TO_P/TO_C)",
					    "DETAIL", "LAST ERROR" };

static void print_links(json_t *a)
{
	struct table t;
	table_init(&t, C__N, headers, 1u << C_REFUSED | 1u << C_PARKED);
	size_t i;
	json_t *l;
	json_array_foreach(a, i, l) {
		char key[600], since[16], pids[48], conns[48], refused[24], parked[32], bytes[72];
		char extra[200], b1[32], b2[32];
		snprintf(key, sizeof(key), "%s/%s -> %s", str(l, "consumer"), str(l, "name"),
			 str(l, "target"));
		time_t when = (time_t)json_real_value(json_object_get(l, "since"));
		struct tm tm;
		localtime_r(&when, &tm);
		strftime(since, sizeof(since), "%H:%M:%S", &tm);
		if (!json_object_get(l, "since")) /* a waiting link (GET /problems) */
			snprintf(since, sizeof(since), "-");
		snprintf(pids, sizeof(pids), "%lld/%lld", num(l, "consumer_pid", NULL),
			 num(l, "provider_pid", NULL));
		snprintf(conns, sizeof(conns), "%lld/%lld", num(l, "connections", "active"),
			 num(l, "connections", "total"));
		snprintf(refused, sizeof(refused), "%lld", num(l, "connections", "refused"));
		human_bytes(parked, sizeof(parked), num(l, "parked_bytes", NULL));
		human_bytes(b1, sizeof(b1), num(l, "bytes", "to_provider"));
		human_bytes(b2, sizeof(b2), num(l, "bytes", "to_consumer"));
		snprintf(bytes, sizeof(bytes), "%s/%s", b1, b2);
		/* Type-specific counters. */
		if (json_is_string(json_object_get(l, "detail")))
			snprintf(extra, sizeof(extra), "%s", str(l, "detail"));
		else if (json_object_get(l, "http"))
			snprintf(extra, sizeof(extra), "req=%lld 4xx=%lld", num(l, "http", "requests"),
				 num(l, "http", "proxy_4xx"));
		else if (json_object_get(l, "dbus"))
			snprintf(extra, sizeof(extra), "uid=%lld msg=%lld/%lld denied=%lld fds=%lld/%lld",
				 num(l, "dbus", "uid"), num(l, "dbus", "messages_to_provider"),
				 num(l, "dbus", "messages_to_consumer"), num(l, "dbus", "denied"),
				 num(l, "fds", "to_provider"), num(l, "fds", "to_consumer"));
		else if (json_object_get(l, "wayland"))
			snprintf(extra, sizeof(extra), "%s msg=%lld/%lld hidden=%lld refused=%lld fds=%lld/%lld",
				 str(l, "wayland_path"), num(l, "wayland", "messages_to_provider"),
				 num(l, "wayland", "messages_to_consumer"), num(l, "wayland", "globals_hidden"),
				 num(l, "wayland", "binds_refused"), num(l, "fds", "to_provider"),
				 num(l, "fds", "to_consumer"));
		else if (num(l, "fds", "to_provider") || num(l, "fds", "to_consumer"))
			snprintf(extra, sizeof(extra), "fds=%lld/%lld", num(l, "fds", "to_provider"),
				 num(l, "fds", "to_consumer"));
		else
			other_counters(l, extra, sizeof(extra));
		const char *row[C__N] = { key, str(l, "type"), str(l, "state"), since, pids, conns,
					  refused, parked, bytes, extra, str(l, "last_error") };
		table_row(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
}

/* GET /problems's waiting links (--lxc: a container not running) join
 * the table as rows of state WAITING, their reason as the last error:
 * otherwise such a link would be in no table at all. */
static void add_waiting(json_t *links, json_t *pr)
{
	size_t i;
	json_t *w;
	json_array_foreach(json_object_get(pr, "waiting"), i, w) {
		json_t *row = json_deep_copy(w);
		if (row && json_is_object(row)) {
			json_object_set(row, "last_error", json_object_get(w, "reason"));
			json_array_append(links, row);
		}
		json_decref(row);
	}
}

/* GET /problems's failure and problems, one "level: message" line each;
 * returns how many are errors. */
static size_t print_problems(json_t *pr, FILE *f, const char *indent)
{
	size_t errors = 0, i;
	json_t *p;
	const char *failure = json_string_value(json_object_get(pr, "failure"));
	if (failure) {
		fprintf(f, "%serror: %s\n", indent, failure);
		errors++;
	}
	json_array_foreach(json_object_get(pr, "problems"), i, p) {
		const char *level = str(p, "level");
		fprintf(f, "%s%s: %s\n", indent, level, str(p, "message"));
		errors += !strcmp(level, "error");
	}
	return errors;
}

static size_t count_problems(json_t *pr)
{
	return json_array_size(json_object_get(pr, "problems")) +
	       (json_is_string(json_object_get(pr, "failure")) ? 1 : 0);
}

/* pvxctl problems: the problems, then the waiting links; exit 1 when one
 * is an error or a link waits. */
static int cmd_problems(void)
{
	char *body;
	json_t *pr;
	if (request("GET", "/problems", &body, raw_json ? NULL : &pr) < 0)
		return 1;
	if (raw_json) {
		printf("%s\n", body);
		free(body);
		return 0;
	}
	size_t errors = print_problems(pr, stdout, "");
	size_t i;
	json_t *w;
	json_array_foreach(json_object_get(pr, "waiting"), i, w)
		printf("waiting: %s/%s (%s from %s): %s\n", str(w, "consumer"), str(w, "name"),
		       str(w, "type"), str(w, "provider"), str(w, "reason"));
	if (!count_problems(pr) && !json_array_size(json_object_get(pr, "waiting")))
		printf("no problems\n");
	int rc = errors || json_array_size(json_object_get(pr, "waiting")) ? 1 : 0;
	json_decref(pr);
	free(body);
	return rc;
}

/* s inside a Graphviz quoted string: quote and backslash escaped (a
 * backslash would start an escString sequence in a label), control bytes
 * shown as '?'. */
static void dot_text(const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
	}
}

static void dot_id(const char *s)
{
	putchar('"');
	dot_text(s);
	putchar('"');
}

static void print_links_dot(json_t *a)
{
	printf("digraph mesh {\n  rankdir=LR;\n  node [shape=box];\n");
	size_t i;
	json_t *l;
	json_array_foreach(a, i, l) {
		const char *prov = str(l, "provider");
		printf("  ");
		dot_id(prov);
		printf(" -> ");
		dot_id(str(l, "consumer"));
		printf(" [label=\"");
		dot_text(str(l, "name"));
		printf(" (");
		dot_text(str(l, "type"));
		printf(")\\n");
		dot_text(str(l, "state"));
		putchar('"');
		const char *st = str(l, "state");
		printf(", color=%s];\n", !strcmp(st, "ACTIVE") ? "darkgreen" :
					  !strcmp(st, "FAILED") ? "red" : "orange");
	}
	printf("}\n");
}

/* pvxctl ipam: the pools, then the leases. */
static void print_ipam(json_t *o)
{
	static const char *const pool_headers[] = { "POOL", "SUBNET", "GATEWAY", "BRIDGE", "NAT",
						    "USED", "FREE" };
	static const char *const lease_headers[] = { "CONTAINER", "POOL", "IP", "MAC", "KIND",
						     "SINCE" };
	struct table t;
	size_t i;
	json_t *p;
	table_init(&t, 7, pool_headers, 1u << 5 | 1u << 6);
	json_array_foreach(json_object_get(o, "pools"), i, p) {
		char used[24], avail[24];
		snprintf(used, sizeof(used), "%lld", num(p, "used", NULL));
		snprintf(avail, sizeof(avail), "%lld", num(p, "free", NULL));
		const char *row[] = { str(p, "name"), str(p, "subnet"), str(p, "gateway"),
				      str(p, "bridge"),
				      json_is_true(json_object_get(p, "nat")) ? "yes" : "no", used, avail };
		table_row(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);

	putchar('\n');
	table_init(&t, 6, lease_headers, 0);
	json_array_foreach(json_object_get(o, "leases"), i, p) {
		char since[32] = "-";
		time_t when = (time_t)json_number_value(json_object_get(p, "since"));
		struct tm tm;
		if (when && localtime_r(&when, &tm))
			strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S", &tm);
		const char *row[] = { str(p, "container"), str(p, "pool"), str(p, "ip"),
				      str(p, "mac"), str(p, "kind"), since };
		table_row(&t, row);
	}
	table_print(&t, stdout);
	table_free(&t);
	json_t *e = json_object_get(o, "events");
	printf("\nevents to pv-ctrl: %lld queued, %lld sent, %lld dropped\n", num(e, "queued", NULL),
	       num(e, "sent", NULL), num(e, "dropped", NULL));
}

/* The table as Graphviz: one edge per (from, to) pair, its events (and
 * the action a row runs) one per line of the label, so the rows every
 * state shares do not draw a bundle of parallel arrows. */
static void print_fsm_dot(json_t *rows)
{
	size_t n = json_array_size(rows), i, k;
	printf("digraph link_fsm {\n  rankdir=LR;\n  ranksep=1.0;\n  nodesep=0.6;\n  node [shape=box, style=rounded];\n"
	       "  edge [fontsize=10];\n");
	for (i = 0; i < n; i++) {
		json_t *t = json_array_get(rows, i);
		const char *from = str(t, "from"), *to = str(t, "to");
		bool seen = false;
		for (k = 0; k < i && !seen; k++) {
			json_t *u = json_array_get(rows, k);
			seen = !strcmp(str(u, "from"), from) && !strcmp(str(u, "to"), to);
		}
		if (seen)
			continue;
		printf("  ");
		dot_id(from);
		printf(" -> ");
		dot_id(to);
		printf(" [label=\"");
		for (k = i; k < n; k++) {
			json_t *u = json_array_get(rows, k);
			if (strcmp(str(u, "from"), from) != 0 || strcmp(str(u, "to"), to) != 0)
				continue;
			dot_text(str(u, "event"));
			if (json_is_string(json_object_get(u, "action"))) {
				printf(" / ");
				dot_text(str(u, "action"));
			}
			printf("\\l");
		}
		printf("\"%s];\n", !strcmp(to, "TORN_DOWN") ? ", color=gray50, fontcolor=gray40" :
				   !strcmp(to, "FAILED") ? ", color=red" :
				   !strcmp(to, "ACTIVE") ? ", color=darkgreen" : "");
	}
	printf("}\n");
}

static void print_fsm(json_t *o, bool as_dot)
{
	json_t *rows = json_object_get(o, "transitions");
	size_t i;
	json_t *t;
	if (as_dot) {
		print_fsm_dot(rows);
		return;
	}
	printf("%-10s  %-17s  %-10s  %s\n", "FROM", "EVENT", "TO", "ACTION");
	json_array_foreach(rows, i, t)
		printf("%-10s  %-17s  %-10s  %s\n", str(t, "from"), str(t, "event"), str(t, "to"),
		       str(t, "action"));
}

/* The link's key percent-encoded into buf as a path segment. */
static int key_path(char *buf, size_t len, const char *prefix, const char *key, const char *suffix)
{
	size_t at = (size_t)snprintf(buf, len, "%s", prefix);
	for (const unsigned char *k = (const unsigned char *)key; *k && at + 4 < len; k++) {
		if ((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') ||
		    *k == '-' || *k == '.' || *k == '_' || *k == '~')
			buf[at++] = (char)*k;
		else
			at += (size_t)snprintf(buf + at, len - at, "%%%02X", *k);
	}
	if (at + strlen(suffix) + 1 > len) {
		fprintf(stderr, "pvxctl: link key too long: %s\n", key);
		return -1;
	}
	snprintf(buf + at, len - at, "%s", suffix);
	return 0;
}

/* "consumer/name -> target: STATE: last error" on stderr. */
static void say_link(json_t *l, const char *prefix)
{
	json_t *e = json_object_get(l, "last_error");
	fprintf(stderr, "%s%s/%s -> %s: %s%s%s\n", prefix, str(l, "consumer"), str(l, "name"),
		str(l, "target"), str(l, "state"), json_is_string(e) ? ": " : "",
		json_is_string(e) ? json_string_value(e) : "");
}

/* A FAILED link: said on stderr with every link that is not ACTIVE, the
 * FAILED ones first; -1 when the table cannot be read. */
static int say_failed(void)
{
	char *body;
	json_t *a, *l;
	size_t i, failed = 0, other = 0;
	if (request("GET", "/links", &body, &a) < 0)
		return -1;
	json_array_foreach(a, i, l) {
		failed += !strcmp(str(l, "state"), "FAILED");
		other += strcmp(str(l, "state"), "FAILED") && strcmp(str(l, "state"), "ACTIVE");
	}
	fprintf(stderr, "pvxctl: %zu of %zu links FAILED (a FAILED link waits for a graph change):\n",
		failed, json_array_size(a));
	json_array_foreach(a, i, l)
		if (!strcmp(str(l, "state"), "FAILED"))
			say_link(l, "  ");
	if (other)
		fprintf(stderr, "pvxctl: and %zu not ACTIVE yet:\n", other);
	json_array_foreach(a, i, l)
		if (strcmp(str(l, "state"), "FAILED") && strcmp(str(l, "state"), "ACTIVE"))
			say_link(l, "  ");
	json_decref(a);
	free(body);
	return 0;
}

static double since_start(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* wait --link KEY, once the graph is settled: 0 ACTIVE, 1 FAILED or
 * unknown (said), -1 not yet (*last keeps what was seen, for the
 * timeout's message). */
static int wait_one(const char *key, char *last, size_t last_len)
{
	char path[1024], *body;
	size_t len;
	if (key_path(path, sizeof(path), "/links/", key, "") < 0)
		return 1;
	int status = fetch("GET", path, &body, &len);
	if (status == -2) {
		free(body);
		return -1;
	}
	if (status == 404) {
		fprintf(stderr, "pvxctl: %s", body ? body : "no such link\n");
		free(body);
		return 1;
	}
	json_t *l = status == 200 ? json_loadb(body, len, 0, NULL) : NULL;
	if (!l) {
		fprintf(stderr, "pvxctl: GET %s: HTTP %d: %s\n", path, status, body ? body : "");
		free(body);
		return 1;
	}
	free(body);
	const char *st = str(l, "state");
	int r = -1;
	if (!strcmp(st, "ACTIVE"))
		r = 0;
	else if (!strcmp(st, "FAILED")) {
		say_link(l, "pvxctl: FAILED (it waits for a graph change): ");
		r = 1;
	} else {
		json_t *e = json_object_get(l, "last_error");
		snprintf(last, last_len, "%s/%s -> %s: %s%s%s", str(l, "consumer"), str(l, "name"),
			 str(l, "target"), st, json_is_string(e) ? ": " : "",
			 json_is_string(e) ? json_string_value(e) : "");
	}
	json_decref(l);
	return r;
}

/* pvxctl wait: every link of the applied graph ACTIVE (or the one of
 * --link).  Exits 1 at once on a FAILED link (it waits for a graph
 * change) or on an unknown --link, and on timeout. */
static int cmd_wait(double timeout, const char *link, bool allow_empty)
{
	struct timespec start;
	char last[1024] = "";
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		double spent = since_start(&start);
		/* A daemon that is still starting is not ready yet, not an error,
		 * until the timeout. */
		quiet_connect = spent < timeout;
		/* A graph still being read or applied (a large one goes in
		 * steps): the links listed are not yet what it says.  /status
		 * also counts the ACTIVE and FAILED links, so the whole table
		 * (megabytes for 10,000 links, built on the daemon's loop) is
		 * fetched only to name the links that are not. */
		json_t *st = NULL;
		char *stbody = NULL;
		int r = request("GET", "/status", &stbody, &st);
		bool have_status = r >= 0 && json_is_object(st);
		bool pending = have_status && !strcmp(str(st, "graph"), "pending");
		json_int_t links = json_integer_value(json_object_get(st, "links")),
			   active = json_integer_value(json_object_get(st, "active")),
			   failed = json_integer_value(json_object_get(st, "failed"));
		json_decref(st);
		free(stbody);
		if (r == -2 && quiet_connect) {
			usleep(100 * 1000);
			continue;
		}
		if (!have_status)
			return 1;
		if (!pending && link) {
			int one = wait_one(link, last, sizeof(last));
			if (one >= 0)
				return one;
		} else if (!pending) {
			if (failed > 0) {
				say_failed();
				return 1;
			}
			if (links == 0 && allow_empty)
				return 0;
			if (links > 0 && active == links)
				return 0;
		}
		if (spent < timeout) {
			usleep(100 * 1000);
			continue;
		}
		if (pending) {
			fprintf(stderr, "pvxctl: the graph is still being read or applied after %g s\n",
				timeout);
			return 1;
		}
		if (link) {
			fprintf(stderr, "pvxctl: not ACTIVE after %g s: %s\n", timeout,
				last[0] ? last : link);
			return 1;
		}
		if (links == 0) {
			fprintf(stderr, "pvxctl: no links after %g s: the graph names none (or none it "
					"names could be used); --allow-empty accepts that\n", timeout);
			return 1;
		}
		char *body;
		json_t *a, *l;
		size_t i, waiting = 0;
		if (request("GET", "/links", &body, &a) < 0)
			return 1;
		json_array_foreach(a, i, l)
			waiting += strcmp(str(l, "state"), "ACTIVE") != 0;
		fprintf(stderr, "pvxctl: %zu of %zu links not ACTIVE after %g s:\n", waiting,
			json_array_size(a), timeout);
		json_array_foreach(a, i, l)
			if (strcmp(str(l, "state"), "ACTIVE") != 0)
				say_link(l, "  ");
		json_decref(a);
		free(body);
		return waiting ? 1 : 0;
	}
}

/* pvxctl retry KEY | --all: POST /links/KEY/retry or /links/retry. */
static int cmd_retry(const char *key)
{
	char path[1024], *body;
	size_t len;
	if (!key)
		snprintf(path, sizeof(path), "/links/retry");
	else if (key_path(path, sizeof(path), "/links/", key, "/retry") < 0)
		return 1;
	int status = fetch("POST", path, &body, &len);
	if (status < 0)
		return 1;
	json_t *o = status == 200 ? json_loadb(body, len, 0, NULL) : NULL;
	if (!o) {
		if (status == 404 || status == 409 || status == 400)
			fprintf(stderr, "pvxctl: retry: %s", body ? body : "\n");
		else
			fprintf(stderr, "pvxctl: POST %s: HTTP %d: %s\n", path, status, body ? body : "");
		free(body);
		return 1;
	}
	if (raw_json)
		printf("%s\n", body);
	else {
		json_t *a = json_object_get(o, "retried"), *k;
		size_t i;
		json_array_foreach(a, i, k)
			printf("retried %s\n", json_string_value(k));
		if (!json_array_size(a))
			printf("no link in BACKOFF\n");
	}
	json_decref(o);
	free(body);
	return 0;
}

/* Is key ("consumer/name -> target") that of the link named link (its
 * "consumer/name", or its name alone)? */
static bool link_named(const char *key, const char *link)
{
	const char *arrow = strstr(key, " -> ");
	size_t n = arrow ? (size_t)(arrow - key) : strlen(key);
	const char *slash = memchr(key, '/', n);
	size_t ln = strlen(link);
	return (ln == n && !strncmp(key, link, n)) ||
	       (slash && ln == n - (size_t)(slash + 1 - key) && !strncmp(slash + 1, link, ln));
}

/* The denials of dbus links, those of one link (its key, or its name: the
 * key's middle part) when link is given. */
static void print_denials(json_t *a, const char *link)
{
	size_t i;
	json_t *e;
	if (raw_json) {
		json_t *out = json_array();
		json_array_foreach(a, i, e) {
			const char *k = str(e, "link");
			if (!link || !strcmp(k, link) || link_named(k, link))
				json_array_append(out, e);
		}
		char *s = json_dumps(out, JSON_COMPACT);
		printf("%s\n", s ? s : "[]");
		free(s);
		json_decref(out);
		return;
	}
	json_array_foreach(a, i, e) {
		const char *k = str(e, "link");
		if (link && strcmp(k, link) && !link_named(k, link))
			continue;
		printf("%s\t%lld\t%s\t%s\n", k, (long long)json_integer_value(json_object_get(e, "count")),
		       str(e, "example"), str(e, "rule"));
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "control", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "dot", no_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 't' },
		{ "link", required_argument, NULL, 'k' },
		{ "allow-empty", no_argument, NULL, 'e' },
		{ "all", no_argument, NULL, 'a' },
		{ "hosted-bus", no_argument, NULL, 'B' },
		{ "no-hosted-bus", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	double timeout = 30.0;
	const char *link = NULL;
	bool allow_empty = false, all = false, hosted_bus = true;
	int c;
	/* --control wins over PVXCTL_SOCKET, which wins over the default. */
	const char *env = getenv("PVXCTL_SOCKET");
	if (env && *env)
		control = env;
	while ((c = getopt_long(argc, argv, "s:hV", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			control = optarg;
			break;
		case 'j':
			raw_json = true;
			break;
		case 'd':
			dot = true;
			break;
		case 'k':
			link = optarg;
			break;
		case 'e':
			allow_empty = true;
			break;
		case 'B':
		case 'b':
			hosted_bus = c == 'B';
			break;
		case 'a':
			all = true;
			break;
		case 't': {
			char *end;
			timeout = strtod(optarg, &end);
			if (*end || timeout < 0) {
				fprintf(stderr, "pvxctl: --timeout wants seconds, not '%s'\n", optarg);
				return 2;
			}
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("pvxctl %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind == 2 && !strcmp(argv[optind], "check"))
		return check_path(argv[optind + 1], hosted_bus, stdout);
	const char *cmd = optind < argc ? argv[optind] : NULL;
	bool retry = cmd && !strcmp(cmd, "retry");
	bool denials = cmd && !strcmp(cmd, "denials");
	if (!cmd || argc - optind > (retry || denials ? 2 : 1)) {
		usage(stderr);
		return 2;
	}
	if (dot && strcmp(cmd, "links") != 0 && strcmp(cmd, "fsm") != 0) {
		fprintf(stderr, "pvxctl: --dot: '%s' has no drawing (only links and fsm do)\n", cmd);
		return 2;
	}
	char *body = NULL;
	json_t *j = NULL;
	int rc = 0;

	if (!strcmp(cmd, "wait"))
		return cmd_wait(timeout, link, allow_empty);
	if (retry) {
		const char *key = argc - optind == 2 ? argv[optind + 1] : NULL;
		if (!key == !all) {
			fprintf(stderr, "pvxctl: retry wants a link key or --all\n");
			return 2;
		}
		return cmd_retry(key);
	}
	if (!strcmp(cmd, "problems") || !strcmp(cmd, "check"))
		return cmd_problems();
	if (!strcmp(cmd, "links") || !strcmp(cmd, "fsm")) {
		bool links = cmd[0] == 'l';
		if (request("GET", links ? "/links" : "/fsm", &body, raw_json ? NULL : &j) < 0)
			return 1;
		/* Waiting links and problems with the table (not with --json:
		 * that stays the /links answer; a daemon without /problems is
		 * fine). */
		json_t *pr = NULL;
		char *prbody = NULL;
		if (links && !raw_json && !dot &&
		    request("GET", "/problems", &prbody, &pr) == 0)
			add_waiting(j, pr);
		if (raw_json)
			printf("%s\n", body);
		else if (links && dot)
			print_links_dot(j);
		else if (links)
			print_links(j);
		else
			print_fsm(j, dot);
		if (pr && count_problems(pr)) {
			printf("\nproblems:\n");
			print_problems(pr, stdout, "  ");
		}
		json_decref(pr);
		free(prbody);
	} else if (!strcmp(cmd, "ipam")) {
		if (request("GET", "/ipam", &body, raw_json ? NULL : &j) < 0)
			return 1;
		if (raw_json)
			printf("%s\n", body);
		else
			print_ipam(j);
	} else if (!strcmp(cmd, "graph") || !strcmp(cmd, "metrics")) {
		if (request("GET", cmd[0] == 'g' ? "/graph" : "/metrics", &body, NULL) < 0)
			return 1;
		fputs(body, stdout);
		if (cmd[0] == 'g')
			putchar('\n');
	} else if (denials) {
		if (request("GET", "/denials", &body, &j) < 0)
			return 1;
		print_denials(j, optind + 1 < argc ? argv[optind + 1] : NULL);
	} else if (!strcmp(cmd, "reconcile")) {
		if (request("POST", "/reconcile", &body, &j) < 0)
			return 1;
		printf("%s\n", raw_json ? body : str(j, "message"));
		rc = json_is_true(json_object_get(j, "ok")) ? 0 : 1;
	} else {
		fprintf(stderr, "pvxctl: unknown command '%s'\n", cmd);
		usage(stderr);
		return 2;
	}
	json_decref(j);
	free(body);
	return rc;
}
