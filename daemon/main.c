/* pv-xconnect: options, signals, and the one libev loop everything runs on. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <ev.h>

#include "daemon/control.h"
#include "daemon/report.h"
#include "pvctrl/events.h"
#include "lib/log.h"
#include "lib/looptrace.h"
#include "lib/worker.h"
#include "ipam/ipam.h"
#include "sources/source.h"
#include "sources/hosted_bus.h"
#include "fsm/link.h"
#include "fsm/reconcile.h"
#include "relay/relay.h"
#include "plugins/registry.h"

#define DEFAULT_CTRL "/run/pantavisor/pv/pv-ctrl"
#define DEFAULT_CONTROL "/run/pantavisor/pv/xconnect.sock"
#define DEFAULT_STATE_DIR "/var/lib/pv-xconnect"
/* Threads for work in containers: a container whose filesystem stalls
 * holds at most a few of them (fsm/link.c, plugins/stream.c). */
#define WORKER_THREADS 128
/* At exit, how long the removal of planted sockets and nodes may take. */
#define SHUTDOWN_DRAIN 5.0

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pv-xconnect [OPTION]...\n"
		"Service-mesh daemon for Pantavisor containers: reads the xconnect graph and\n"
		"plants and mediates one resource per link inside each consumer container.\n"
		"\n"
		"Graph source (one of):\n"
		"  -c, --ctrl PATH        pv-ctrl socket to poll for GET /xconnect-graph\n"
		"                         (default " DEFAULT_CTRL ")\n"
		"  -g, --graph FILE       local graph file, re-read when it changes\n"
		"  -S, --state DIR        embedded mode: build the graph from the container\n"
		"                         manifests in DIR/<container>/ (as pvx-graph does),\n"
		"                         rebuilt every interval and on SIGHUP\n"
		"      --lxc[=LXCPATH]    with --state: take container pids from running LXC\n"
		"                         containers (default LXCPATH /var/lib/lxc)\n"
		"  With --state, --ctrl names the pv-ctrl that events (rollback) go to.\n"
		"\n"
		"Hosted system bus (with --state):\n"
		"      --hosted-bus, --no-hosted-bus  run the device's system bus (on by\n"
		"                         default with --state, off otherwise)\n"
		"      --bus-dir DIR      its configuration, passwd/group and socket\n"
		"                         (default " HOSTED_BUS_DEFAULT_DIR ")\n"
		"      --bus-daemon PROG  the bus daemon (default " HOSTED_BUS_DEFAULT_DAEMON ")\n"
		"      --activation-timeout SECONDS  how long a call to a claimed name\n"
		"                         nobody owns waits for its owner (default 10)\n"
		"\n"
		"Options:\n"
		"  -s, --control PATH     this daemon's control socket, used by pvxctl\n"
		"                         (default " DEFAULT_CONTROL ");\n"
		"                         its directory must exist\n"
		"      --control-group GROUP  the control socket's group, mode 0660, so\n"
		"                         members of GROUP can use pvxctl (default: root\n"
		"                         only, 0600)\n"
		"      --metrics-listen ADDR:PORT  also serve GET /metrics (and nothing\n"
		"                         else) over TCP, e.g. 127.0.0.1:9101 or [::1]:9101,\n"
		"                         so a scraper need not be root (default: off)\n"
		"  -i, --interval SECONDS graph poll period (default 5)\n"
		"      --graph-max-bytes BYTES  largest graph body read; a larger one is\n"
		"                         refused whole, the links kept (default 64M;\n"
		"                         k, M and G suffixes)\n"
		"      --linger SECONDS   reclaim half-closed idle connections after this\n"
		"                         long (default 30)\n"
		"      --max-conns-per-link N  connections one link relays at once; more\n"
		"                         are accepted and closed at once, and counted\n"
		"                         (default 1024)\n"
		"      --max-conns-per-consumer N  the same across a consumer's links\n"
		"                         (default 4096)\n"
		"      --fd-reserve N     fds kept free for the control socket and pv-ctrl:\n"
		"                         a connection that would use them is refused\n"
		"                         (default 64; 0: none)\n"
		"      --sock-buf BYTES   SO_SNDBUF/SO_RCVBUF of relayed sockets (default\n"
		"                         131072; the kernel doubles it)\n"
		"      --max-parked-per-link BYTES  bytes a link's connections may keep\n"
		"                         in the daemon; a connection going over is closed\n"
		"                         (default 67108864)\n"
		"      --backoff-max SECONDS  cap of the retry backoff of failed links\n"
		"                         (default 30; retries start at 0.25 s and double)\n"
		"      --work-timeout SECONDS  how long planting or probing a link may take\n"
		"                         inside a container before the link stops waiting\n"
		"                         for it and backs off (default 10)\n"
		"      --device-json FILE IP pools of network links (device.json's\n"
		"                         network.pools); a graph object's \"pools\" win\n"
		"      --state-dir DIR    where IP leases are kept across restarts\n"
		"                         (default " DEFAULT_STATE_DIR ")\n"
		"  -l, --log-level LEVEL  error, warn, info (default) or debug\n"
		"  -h, --help             show this help and exit\n"
		"  -V, --version          show the version and exit\n"
		"\n"
		"Under systemd: Type=notify readiness (READY=1 once the first graph read\n"
		"is over, STATUS= with the link counts), and syslog priorities instead of\n"
		"timestamps when stderr is the journal.\n"
		"Signals: SIGHUP fetches the graph at once; SIGTERM and SIGINT tear every\n"
		"link down (planted sockets removed) and exit 0.\n"
		"Exit status: 0 after a clean shutdown, 1 on a start-up error, 2 on bad usage.\n");
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	if (w->signum == SIGHUP) {
		log_info("SIGHUP: fetching the graph");
		source_fetch_now(NULL, NULL);
		return;
	}
	log_info("signal %d: shutting down", w->signum);
	ev_break(loop, EVBREAK_ALL);
}

/* Frees what callbacks closed, once they have all returned. */
static void reap_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	relay_reap();
	mesh_reap();
}

static int parse_count(const char *opt, const char *arg, unsigned long long min,
		       unsigned long long max, unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < min || v > max) {
		fprintf(stderr, "pv-xconnect: %s wants a whole number from %llu to %llu, not '%s'\n",
			opt, min, max, arg);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_seconds(const char *opt, const char *arg, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (errno || *end || !(v > 0) || v > 86400) {
		fprintf(stderr, "pv-xconnect: %s wants a number of seconds > 0, not '%s'\n", opt, arg);
		return -1;
	}
	*out = v;
	return 0;
}

/* A size in bytes, with an optional k, M or G suffix (powers of 1024). */
static int parse_bytes(const char *opt, const char *arg, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	unsigned shift = 0;
	if (end != arg && (*end == 'k' || *end == 'K'))
		shift = 10, end++;
	else if (end != arg && *end == 'M')
		shift = 20, end++;
	else if (end != arg && *end == 'G')
		shift = 30, end++;
	if (errno || end == arg || *end || arg[0] == '-' || v == 0 || v > (SIZE_MAX >> 1 >> shift)) {
		fprintf(stderr, "pv-xconnect: %s wants a number of bytes > 0 (k, M, G), not '%s'\n",
			opt, arg);
		return -1;
	}
	*out = (size_t)(v << shift);
	return 0;
}

/* A group name, or a number. */
static int parse_group(const char *arg, gid_t *out)
{
	const struct group *g = getgrnam(arg);
	if (g) {
		*out = g->gr_gid;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long v = strtoul(arg, &end, 10);
	if (!errno && end != arg && !*end && arg[0] != '-' && v < (gid_t)-1) {
		*out = (gid_t)v;
		return 0;
	}
	fprintf(stderr, "pv-xconnect: --control-group: no group '%s'\n", arg);
	return -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ctrl", required_argument, NULL, 'c' },
		{ "graph", required_argument, NULL, 'g' },
		{ "state", required_argument, NULL, 'S' },
		{ "lxc", optional_argument, NULL, 'X' },
		{ "control", required_argument, NULL, 's' },
		{ "control-group", required_argument, NULL, 'G' },
		{ "metrics-listen", required_argument, NULL, 'Z' },
		{ "interval", required_argument, NULL, 'i' },
		{ "graph-max-bytes", required_argument, NULL, 'm' },
		{ "linger", required_argument, NULL, 'L' },
		{ "backoff-max", required_argument, NULL, 'B' },
		{ "max-conns-per-link", required_argument, NULL, 'M' },
		{ "max-conns-per-consumer", required_argument, NULL, 'C' },
		{ "fd-reserve", required_argument, NULL, 'R' },
		{ "sock-buf", required_argument, NULL, 'b' },
		{ "max-parked-per-link", required_argument, NULL, 'P' },
		{ "work-timeout", required_argument, NULL, 'W' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "device-json", required_argument, NULL, 'D' },
		{ "state-dir", required_argument, NULL, 'T' },
		{ "hosted-bus", no_argument, NULL, 0x1001 },
		{ "no-hosted-bus", no_argument, NULL, 0x1002 },
		{ "bus-dir", required_argument, NULL, 0x1003 },
		{ "bus-daemon", required_argument, NULL, 0x1004 },
		{ "activation-timeout", required_argument, NULL, 0x1005 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct source_config src = { .ctrl_path = DEFAULT_CTRL, .interval = 5.0 };
	const char *control_path = DEFAULT_CONTROL;
	const char *metrics_listen = NULL;
	const char *device_json = NULL, *lease_dir = DEFAULT_STATE_DIR;
	bool ctrl_given = false;
	int hosted = -1; /* -1: the default (on with --state) */
	double activation_timeout = 0;
	const char *bus_dir = HOSTED_BUS_DEFAULT_DIR, *bus_daemon = HOSTED_BUS_DEFAULT_DAEMON;
	int c;
	unsigned long long n;

	/* Under systemd with stderr on the journal: priorities, no timestamps. */
	pvx_log_detect_journal();

	while ((c = getopt_long(argc, argv, "c:g:S:s:i:l:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			src.ctrl_path = optarg;
			ctrl_given = true;
			break;
		case 'g':
			src.graph_file = optarg;
			break;
		case 'S':
			src.state_dir = optarg;
			break;
		case 'X':
			src.lxcpath = optarg ? optarg : "/var/lib/lxc";
			break;
		case 's':
			control_path = optarg;
			break;
		case 'G':
			if (parse_group(optarg, &control_group) < 0)
				return 2;
			break;
		case 'Z': {
			struct sockaddr_storage sa;
			socklen_t salen;
			if (control_parse_listen(optarg, &sa, &salen) < 0) {
				fprintf(stderr, "pv-xconnect: --metrics-listen wants a numeric ADDR:PORT "
						"(127.0.0.1:9101, [::1]:9101), not '%s'\n", optarg);
				return 2;
			}
			metrics_listen = optarg;
			break;
		}
		case 'i':
			if (parse_seconds("--interval", optarg, &src.interval) < 0)
				return 2;
			break;
		case 'm':
			if (parse_bytes("--graph-max-bytes", optarg, &src.max_bytes) < 0)
				return 2;
			break;
		case 'L':
			if (parse_seconds("--linger", optarg, &relay_linger) < 0)
				return 2;
			break;
		case 'B':
			if (parse_seconds("--backoff-max", optarg, &pvx_backoff_cap) < 0)
				return 2;
			break;
		case 'M':
			if (parse_count("--max-conns-per-link", optarg, 1, 1u << 20, &n) < 0)
				return 2;
			relay_max_conns_per_link = (unsigned)n;
			break;
		case 'C':
			if (parse_count("--max-conns-per-consumer", optarg, 1, 1u << 20, &n) < 0)
				return 2;
			relay_max_conns_per_consumer = (unsigned)n;
			break;
		case 'R':
			if (parse_count("--fd-reserve", optarg, 0, 1u << 16, &n) < 0)
				return 2;
			relay_fd_reserve = (unsigned)n;
			break;
		case 'b':
			if (parse_count("--sock-buf", optarg, 4096, 64u << 20, &n) < 0)
				return 2;
			relay_sock_buf = (unsigned)n;
			break;
		case 'P':
			if (parse_count("--max-parked-per-link", optarg, 1u << 20, 1ULL << 40, &n) < 0)
				return 2;
			relay_max_parked_per_link = n;
			break;
		case 'W':
			if (parse_seconds("--work-timeout", optarg, &pvx_step_timeout) < 0)
				return 2;
			break;
		case 'D':
			device_json = optarg;
			src.device_json = optarg;
			break;
		case 'T':
			lease_dir = optarg;
			break;
		case 0x1001:
			hosted = 1;
			break;
		case 0x1002:
			hosted = 0;
			break;
		case 0x1003:
			bus_dir = optarg;
			break;
		case 0x1004:
			bus_daemon = optarg;
			break;
		case 0x1005:
			if (parse_seconds("--activation-timeout", optarg, &activation_timeout) < 0)
				return 2;
			break;
		case 'l': {
			int lvl = pvx_log_parse_level(optarg);
			if (lvl < 0) {
				fprintf(stderr, "pv-xconnect: unknown log level '%s' (error, warn, info, debug)\n",
					optarg);
				return 2;
			}
			pvx_log_threshold = (enum pvx_log_level)lvl;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("pv-xconnect %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pv-xconnect: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if ((ctrl_given && src.graph_file) || (src.graph_file && src.state_dir)) {
		fprintf(stderr, "pv-xconnect: --ctrl, --graph and --state exclude each other\n"
				"(but --ctrl with --state names where events go)\n");
		return 2;
	}
	if (hosted < 0)
		hosted = src.state_dir != NULL;
	if (hosted && !src.state_dir) {
		fprintf(stderr, "pv-xconnect: --hosted-bus goes with --state\n");
		return 2;
	}
	if (src.lxcpath && !src.state_dir) {
		fprintf(stderr, "pv-xconnect: --lxc goes with --state\n");
		return 2;
	}

	signal(SIGPIPE, SIG_IGN);
	/* One listener per link and two fds per connection: 1024 is too few
	 * for a device with many links.  Use what the hard limit allows. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	pvx_loop = EV_DEFAULT;
	if (!pvx_loop) {
		fprintf(stderr, "pv-xconnect: cannot initialise the event loop\n");
		return 1;
	}

	pvx_plugins_install(&pvx_plugins_builtin);
	/* Work that touches containers runs off the loop (lib/worker.h); a
	 * container that stalls one holds a thread, not the daemon. */
	if (pvx_worker_init(pvx_loop, WORKER_THREADS) < 0) {
		fprintf(stderr, "pv-xconnect: cannot start the worker pool\n");
		return 1;
	}

	char err[300];
	if (device_json && ipam_load_device_json(device_json, err, sizeof(err)) < 0) {
		log_error("--device-json: %s", err);
		return 1;
	}
	if (ipam_open_store(lease_dir, err, sizeof(err)) < 0) {
		log_error("--state-dir: %s", err);
		return 1;
	}
	/* Events go to pv-ctrl when it is the graph source. */
	events_init(src.graph_file || (src.state_dir && !ctrl_given) ? NULL : src.ctrl_path);
	if (hosted) {
		char uids[4200];
		snprintf(uids, sizeof(uids), "%s/bus-uids", lease_dir);
		struct hosted_bus_config hb = { .dir = bus_dir, .uid_file = uids, .daemon = bus_daemon,
					       .activation_timeout = activation_timeout };
		if (hosted_bus_init(&hb, err, sizeof(err)) < 0) {
			log_error("hosted bus: %s", err);
			return 1;
		}
	}
	/* Link states too (POST /xconnect-status), and readiness to systemd. */
	report_start(src.graph_file || src.state_dir ? NULL : src.ctrl_path);

	int r = control_start(control_path);
	if (r == -ENOENT || r == -ENOTDIR) {
		log_error("cannot serve the control socket %s: its directory %s "
			  "(pv-xconnect creates no directory)",
			  control_path, r == -ENOENT ? "does not exist" : "is not a directory");
		return 1;
	}
	if (r < 0) {
		log_error("cannot serve the control socket %s: %s", control_path, strerror(-r));
		return 1;
	}

	if (metrics_listen) {
		r = control_metrics_listen(metrics_listen);
		if (r < 0) {
			log_error("--metrics-listen %s: %s", metrics_listen, strerror(-r));
			control_stop();
			return 1;
		}
		log_info("metrics on http://%s/metrics (GET /metrics only)", metrics_listen);
	}

	ev_signal sigs[3];
	const int signums[3] = { SIGHUP, SIGTERM, SIGINT };
	for (int i = 0; i < 3; i++) {
		ev_signal_init(&sigs[i], signal_cb, signums[i]);
		ev_signal_start(pvx_loop, &sigs[i]);
	}
	ev_check reaper;
	ev_check_init(&reaper, reap_cb);
	ev_check_start(pvx_loop, &reaper);
	ev_unref(pvx_loop); /* the reaper alone must not keep the loop alive */
	pvx_looptrace_start(pvx_loop);

	log_info("pv-xconnect %s: graph from %s%s, control socket %s", PACKAGE_VERSION,
		 src.state_dir ? "manifests in " : "",
		 src.state_dir ? src.state_dir : src.graph_file ? src.graph_file : src.ctrl_path,
		 control_path);
	source_start(&src);

	ev_run(pvx_loop, 0);

	report_stop();

	bool source_stuck = source_stop();
	mesh_shutdown();
	hosted_bus_stop();
	control_stop();
	/* What was planted is removed by workers: give them a moment. */
	unsigned left = pvx_worker_drain(SHUTDOWN_DRAIN);
	if (left)
		log_warn("%u job(s) in containers did not finish within %.0f s; leaving them", left,
			 SHUTDOWN_DRAIN);
	unsigned stuck = pvx_worker_shutdown();
	relay_cleanup();
	events_cleanup();
	ipam_reset();
	pvx_looptrace_stop(pvx_loop);
	ev_ref(pvx_loop);
	ev_check_stop(pvx_loop, &reaper);
	for (int i = 0; i < 3; i++)
		ev_signal_stop(pvx_loop, &sigs[i]);
	ev_loop_destroy(pvx_loop);
	log_info("stopped");
	if (stuck || source_stuck) {
		/* Threads stuck in a container's filesystem cannot be joined,
		 * and exit handlers that stop every thread (a leak checker)
		 * would wait for them for ever: leave without them. */
		log_warn("%u thread(s) still stuck in a container; exiting without them",
			 stuck + (source_stuck ? 1 : 0));
		fflush(NULL);
		_exit(0);
	}
	return 0;
}
