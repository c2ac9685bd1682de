/* pvx-graph: prints the xconnect graph for a directory of container
 * manifests, as pv-ctrl would serve it. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/statedir.h"

#define DEFAULT_LXCPATH "/var/lib/lxc"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pvx-graph [OPTION]... STATEDIR\n"
		"Print the xconnect graph (the JSON array pv-ctrl serves at\n"
		"GET /xconnect-graph) for the containers in STATEDIR/<container>/, each\n"
		"with services.json (what it provides) and run.json or args.json (what\n"
		"it needs), and network links from their network blocks.\n"
		"\n"
		"Container pids, first found wins:\n"
		"  -p, --pid NAME=PID     the init pid of container NAME (repeatable)\n"
		"                         STATEDIR/NAME/pid, a file holding the pid\n"
		"  -x, --lxc[=LXCPATH]    the running LXC container of that name\n"
		"                         (default LXCPATH " DEFAULT_LXCPATH ")\n"
		"                         otherwise 0 (host side / unknown)\n"
		"\n"
		"IP pools of network links:\n"
		"  -d, --device-json FILE device.json with network.pools (default\n"
		"                         STATEDIR/device.json when it exists); with pools\n"
		"                         the graph is the object {\"links\", \"pools\"}\n"
		"\n"
		"  -h, --help             show this help and exit\n"
		"  -V, --version          show the version and exit\n"
		"\n"
		"Errors, warnings (unknown keys, a container without run.json) and notes\n"
		"go to stderr.  Exit status: 0 graph printed; 1 a manifest is invalid, a\n"
		"service is exported twice, a type does not match, device.json is\n"
		"invalid, or STATEDIR holds no container; 2 bad usage; 3 a required service has no\n"
		"provider or a network pool is not in device.json (the graph is still\n"
		"printed).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "lxc", optional_argument, NULL, 'x' },
		{ "device-json", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct statedir_pid pids[256];
	struct statedir_opts o = { .pids = pids };
	int c;
	while ((c = getopt_long(argc, argv, "p:x::d:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'p': {
			char *eq = strchr(optarg, '=');
			char *end;
			long v = eq ? strtol(eq + 1, &end, 10) : -1;
			if (!eq || eq == optarg || *end || v < 0 || v > 4194304 || o.n_pids == 256) {
				fprintf(stderr, "pvx-graph: --pid wants NAME=PID, not '%s'\n", optarg);
				return 2;
			}
			*eq = '\0';
			pids[o.n_pids++] = (struct statedir_pid){ optarg, (pid_t)v };
			break;
		}
		case 'x':
			o.lxcpath = optarg ? optarg : DEFAULT_LXCPATH;
			break;
		case 'd':
			o.device_json = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("pvx-graph %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	char *dir = argv[optind];
	for (size_t len = strlen(dir); len > 1 && dir[len - 1] == '/'; len--)
		dir[len - 1] = '\0'; /* for tidy paths in messages */
	struct pvx_buf msgs = {0};
	struct pvx_graph g;
	int rc = statedir_build(dir, &o, &g, &msgs);
	char *json = rc < 0 || rc == STATEDIR_NO_CONTAINER ? NULL : statedir_json(&g);
	if (rc >= 0 && rc != STATEDIR_NO_CONTAINER && !json) {
		pvx_buf_printf(&msgs, "error: out of memory\n");
		rc = -1;
	}
	if (msgs.len)
		fputs(msgs.data, stderr);
	if (json)
		fputs(json, stdout);
	free(json);
	pvx_graph_free(&g);
	pvx_buf_free(&msgs);
	return rc == STATEDIR_OK ? 0 : rc == STATEDIR_MISSING_REQUIRED ? 3 : 1;
}
