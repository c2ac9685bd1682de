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
		"                    denied; drm node major:minor, kind, driver and cgroup\n"
		"                    grant), last error\n"
		"  fsm               the link state machine's transition table\n"
		"  ipam              IP pools (subnet, gateway, bridge, used/free), leases\n"
		"                    (container, ip, mac, static/dynamic, since) and the\n"
		"                    events queued for pv-ctrl\n"
		"  graph             the graph as the daemon last read it\n"
		"  metrics           the Prometheus metrics text\n"
		"  reconcile         fetch the graph now and wait until it is applied\n"
		"  denials [LINK]    what the policy of dbus links refused: each distinct\n"
		"                    (link, missing rule) with its count and an example;\n"
		"                    LINK (a key or a link name) shows only that link\n"
		"  wait [--timeout S]  wait until every link is ACTIVE (default 30 s; a daemon\n"
		"                    not answering yet counts as not ready); exit 1 on\n"
		"                    timeout, listing the links that are not\n"
		"\n"
		"Options:\n"
		"  -s, --control PATH  the daemon's control socket (default " DEFAULT_CONTROL ")\n"
		"      --json        print the raw JSON answer\n"
		"      --dot         links: Graphviz of the mesh; fsm: Graphviz of the table\n"
		"  -h, --help        show this help and exit\n"
		"  -V, --version     show the version and exit\n"
		"\n"
		"Exit status: 0 success, 1 failure (daemon unreachable, timeout), 2 bad usage.\n");
}

static bool quiet_connect; /* wait: an unreachable daemon is "not yet" */

/* GETs (or POSTs) path and parses the JSON answer; on failure prints why. */
static int request(const char *method, const char *path, char **body, json_t **json)
{
	char err[300];
	size_t len;
	*body = NULL;
	int status = http_fetch(control, method, path, NULL, 30.0, body, &len, err, sizeof(err));
	if (status < 0) {
		if (!quiet_connect)
			fprintf(stderr, "pvxctl: %s\n", err);
		return -2;
	}
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

static void dot_id(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
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
		printf(" [label=");
		char label[600];
		snprintf(label, sizeof(label), "%s (%s)\\n%s", str(l, "name"), str(l, "type"),
			 str(l, "state"));
		printf("\"%s\"", label);
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

static void print_fsm(json_t *o, bool as_dot)
{
	json_t *rows = json_object_get(o, "transitions");
	size_t i;
	json_t *t;
	if (as_dot) {
		printf("digraph link_fsm {\n  rankdir=LR;\n");
		json_array_foreach(rows, i, t) {
			printf("  ");
			dot_id(str(t, "from"));
			printf(" -> ");
			dot_id(str(t, "to"));
			printf(" [label=");
			dot_id(str(t, "event"));
			printf("];\n");
		}
		printf("}\n");
		return;
	}
	printf("%-10s  %-17s  %-10s  %s\n", "FROM", "EVENT", "TO", "ACTION");
	json_array_foreach(rows, i, t)
		printf("%-10s  %-17s  %-10s  %s\n", str(t, "from"), str(t, "event"), str(t, "to"),
		       str(t, "action"));
}

static int cmd_wait(double timeout)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		char *body;
		json_t *a;
		clock_gettime(CLOCK_MONOTONIC, &now);
		double spent = (double)(now.tv_sec - start.tv_sec) +
			       (double)(now.tv_nsec - start.tv_nsec) / 1e9;
		/* A daemon that is still starting is not ready yet, not an error,
		 * until the timeout. */
		quiet_connect = spent < timeout;
		/* A graph still being read or applied (a large one goes in
		 * steps): the links listed are not yet what it says.  /status
		 * also counts the ACTIVE links, so the whole table (megabytes
		 * for 10,000 links, built on the daemon's loop) is fetched only
		 * to name the links that are not. */
		json_t *st = NULL;
		char *stbody = NULL;
		int r = request("GET", "/status", &stbody, &st);
		bool have_status = r >= 0 && json_is_object(st);
		bool pending = have_status && !strcmp(str(st, "graph"), "pending");
		bool all_active = have_status && !pending &&
				  json_integer_value(json_object_get(st, "active")) ==
					  json_integer_value(json_object_get(st, "links"));
		json_decref(st);
		free(stbody);
		if (r == -2 && quiet_connect) {
			usleep(100 * 1000);
			continue;
		}
		if (all_active)
			return 0;
		if (have_status && spent < timeout) {
			usleep(100 * 1000);
			continue;
		}
		if (pending) {
			fprintf(stderr, "pvxctl: the graph is still being read or applied after %.0f s\n",
				timeout);
			return 1;
		}
		r = request("GET", "/links", &body, &a);
		if (r == -2 && quiet_connect) {
			usleep(100 * 1000);
			continue;
		}
		if (r < 0)
			return 1;
		size_t i, waiting = 0;
		json_t *l;
		json_array_foreach(a, i, l)
			if (strcmp(str(l, "state"), "ACTIVE") != 0)
				waiting++;
		clock_gettime(CLOCK_MONOTONIC, &now);
		double elapsed = (double)(now.tv_sec - start.tv_sec) +
				 (double)(now.tv_nsec - start.tv_nsec) / 1e9;
		if (waiting == 0 || elapsed >= timeout) {
			if (waiting) {
				fprintf(stderr, "pvxctl: %zu of %zu links not ACTIVE after %.0f s:\n",
					waiting, json_array_size(a), timeout);
				json_array_foreach(a, i, l)
					if (strcmp(str(l, "state"), "ACTIVE") != 0)
						fprintf(stderr, "  %s/%s -> %s: %s%s%s\n", str(l, "consumer"),
							str(l, "name"), str(l, "target"), str(l, "state"),
							json_is_string(json_object_get(l, "last_error")) ? ": " : "",
							json_is_string(json_object_get(l, "last_error"))
								? str(l, "last_error") : "");
			}
			json_decref(a);
			free(body);
			return waiting ? 1 : 0;
		}
		json_decref(a);
		free(body);
		usleep(100 * 1000);
	}
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
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	double timeout = 30.0;
	int c;
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
	const char *cmd = optind < argc ? argv[optind] : "";
	bool denials = !strcmp(cmd, "denials");
	if (optind != argc - 1 && !(denials && optind == argc - 2)) {
		usage(stderr);
		return 2;
	}
	char *body = NULL;
	json_t *j = NULL;
	int rc = 0;

	if (!strcmp(cmd, "wait"))
		return cmd_wait(timeout);
	if (!strcmp(cmd, "links") || !strcmp(cmd, "fsm")) {
		bool links = cmd[0] == 'l';
		if (request("GET", links ? "/links" : "/fsm", &body, raw_json ? NULL : &j) < 0)
			return 1;
		if (raw_json)
			printf("%s\n", body);
		else if (links && dot)
			print_links_dot(j);
		else if (links)
			print_links(j);
		else
			print_fsm(j, dot);
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
