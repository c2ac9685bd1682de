/* Matching as Pantavisor does it: every requirement whose name some
 * container exports becomes a link.  The type comes from the requirement,
 * else from the export (they must agree when both are given); role defaults
 * to "any" and interface to the type.  A name exported twice is an error
 * naming both exporters; a required service nobody exports is the error
 * Pantavisor logs; an optional one is a note. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "parsers/dbus_rules.h"
#include "parsers/graph.h"
#include "parsers/manifest.h"
#include "sources/statedir.h"
#include "ipam/ipam.h"

struct container {
	char *name;
	pid_t pid;
	struct pvx_manifest services; /* kind MANIFEST_SERVICES when present */
	bool has_services;
	struct pvx_manifest wants;    /* run.json, else args.json */
	bool has_wants;
};

static bool is_file(const char *dir, const char *name, const char *file, char *path, size_t len)
{
	struct stat st;
	snprintf(path, len, "%s/%s/%s", dir, name, file);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static pid_t read_pid_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	long v = 0;
	if (fscanf(f, "%ld", &v) != 1 || v < 0 || v > 4194304)
		v = 0;
	fclose(f);
	return (pid_t)v;
}

/* While LXC sets a container up, its init already exists but still runs
 * in the host's root; planting then would land on the host.  It counts as
 * started once its root differs from its monitor's (after pivot_root, with
 * the container's mounts in place). */
static bool lxc_started(int monitor_dir, int init_dir)
{
	struct stat sa, sb;
	if (fstatat(monitor_dir, "root", &sa, 0) < 0 || fstatat(init_dir, "root", &sb, 0) < 0)
		return false;
	return sa.st_dev != sb.st_dev || sa.st_ino != sb.st_ino;
}

static bool same_file(int dir, const char *path, const char *ours)
{
	struct stat a, b;
	return fstatat(dir, path, &a, 0) == 0 && stat(ours, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* A "Name:\tv1\tv2..." line of /proc/<pid>/status: the field-th value. */
static bool status_field(int dir, const char *name, int field, long *out)
{
	int fd = openat(dir, "status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	size_t nl = strlen(name);
	for (char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, name, nl) != 0 || p[nl] != ':')
			continue;
		char *q = p + nl + 1, *end;
		for (int i = 0; i <= field; i++) {
			*out = strtol(q, &end, 10);
			if (end == q)
				return false;
			q = end;
		}
		return true;
	}
	return false;
}

/* Only LXC's own monitor may name a container's init: any process can call
 * itself "[lxc monitor] PATH NAME", so a process in a container could
 * claim a stopped (or any) container's links.  The monitor must be one of
 * ours: our pid, mount and user namespaces, our root, euid 0.  These are
 * checked before its cmdline is read, which also keeps the scan from
 * reading the cmdline (and taking the mmap lock) of container processes. */
static bool host_monitor(int dir)
{
	static const char *const ns[] = { "pid", "mnt", "user" };
	char mine[32], theirs[32];
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		snprintf(mine, sizeof(mine), "/proc/self/ns/%s", ns[i]);
		snprintf(theirs, sizeof(theirs), "ns/%s", ns[i]);
		if (!same_file(dir, theirs, mine))
			return false;
	}
	long euid;
	return same_file(dir, "root", "/") && status_field(dir, "Uid", 1, &euid) && euid == 0;
}

pid_t statedir_lxc_pid(const char *lxcpath, const char *name)
{
	char want[512];
	int wl = snprintf(want, sizeof(want), "[lxc monitor] %s %s", lxcpath, name);
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	pid_t found = 0;
	struct dirent *e;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		/* Everything through this directory: should the pid be reused
		 * meanwhile, reads fail instead of reading another process. */
		int md = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (md < 0)
			continue;
		char path[600], cmd[600];
		int fd = host_monitor(md) ? openat(md, "cmdline", O_RDONLY | O_CLOEXEC) : -1;
		ssize_t n = fd < 0 ? -1 : read(fd, cmd, sizeof(cmd) - 1);
		if (fd >= 0)
			close(fd);
		if (n <= wl || memcmp(cmd, want, (size_t)wl) != 0 || (cmd[wl] != '\0' && cmd[wl] != ' ')) {
			close(md);
			continue;
		}
		/* The monitor's direct child is the container's init. */
		snprintf(path, sizeof(path), "task/%s/children", e->d_name);
		fd = openat(md, path, O_RDONLY | O_CLOEXEC);
		FILE *f = fd < 0 ? NULL : fdopen(fd, "r");
		if (!f && fd >= 0)
			close(fd);
		long child = 0, ppid = 0;
		if (f && fscanf(f, "%ld", &child) == 1 && child > 0 && child <= 4194304) {
			snprintf(path, sizeof(path), "/proc/%ld", child);
			int cd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (cd >= 0 && status_field(cd, "PPid", 0, &ppid) &&
			    ppid == strtol(e->d_name, NULL, 10) && lxc_started(md, cd))
				found = (pid_t)child;
			if (cd >= 0)
				close(cd);
		}
		if (f)
			fclose(f);
		close(md);
	}
	closedir(d);
	return found;
}

static pid_t pid_of(const char *dir, const char *name, const struct statedir_opts *o)
{
	for (size_t i = 0; i < o->n_pids; i++)
		if (strcmp(o->pids[i].name, name) == 0)
			return o->pids[i].pid;
	char path[4096];
	if (is_file(dir, name, "pid", path, sizeof(path)))
		return read_pid_file(path);
	if (o->lxcpath)
		return statedir_lxc_pid(o->lxcpath, name);
	return 0;
}

static void containers_free(struct container *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].name);
		manifest_free(&c[i].services);
		manifest_free(&c[i].wants);
	}
	free(c);
}

/* A manifest's warnings (unknown keys), one "warning: " line each. */
static void warnings(struct pvx_buf *msgs, const char *w)
{
	for (const char *p = w, *nl; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);
		pvx_buf_printf(msgs, "warning: %.*s\n", len, p);
	}
}

static int load(const char *dir, const struct statedir_opts *o, struct container **out, size_t *n,
		struct pvx_buf *msgs)
{
	struct dirent **ents;
	*out = NULL;
	*n = 0;
	int count = scandir(dir, &ents, NULL, alphasort);
	if (count < 0) {
		pvx_buf_printf(msgs, "error: cannot read %s: %s\n", dir, strerror(errno));
		return -1;
	}
	struct container *cs = calloc((size_t)count + 1, sizeof(*cs));
	size_t k = 0;
	int rc = 0;
	for (int i = 0; i < count; i++) {
		const char *name = ents[i]->d_name;
		char path[4096], err[600];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (name[0] == '.' || stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		struct container *c = &cs[k];
		bool any = false;
		if (is_file(dir, name, "services.json", path, sizeof(path))) {
			any = true;
			if (manifest_read_file(path, &c->services, err, sizeof(err)) < 0) {
				warnings(msgs, c->services.warnings);
				pvx_buf_printf(msgs, "error: %s\n", err);
				rc = -1;
			} else {
				c->has_services = true;
				warnings(msgs, c->services.warnings);
			}
		}
		if (is_file(dir, name, "run.json", path, sizeof(path)) ||
		    is_file(dir, name, "args.json", path, sizeof(path))) {
			any = true;
			if (manifest_read_file(path, &c->wants, err, sizeof(err)) < 0) {
				warnings(msgs, c->wants.warnings);
				pvx_buf_printf(msgs, "error: %s\n", err);
				rc = -1;
			} else {
				c->has_wants = true;
				warnings(msgs, c->wants.warnings);
			}
		}
		if (!any) {
			/* Said, not skipped silently: a run.json misnamed or not
			 * yet written leaves the container out of the mesh. */
			pvx_buf_printf(msgs, "warning: %s/%s has no run.json, args.json or "
				       "services.json: not a container, skipped\n", dir, name);
			continue;
		}
		c->name = strdup(name);
		c->pid = pid_of(dir, name, o);
		k++;
	}
	for (int i = 0; i < count; i++)
		free(ents[i]);
	free(ents);
	*out = cs;
	*n = k;
	return rc;
}

/* device.json's network.pools (NULL when there is no device.json); -1
 * when the file is there but unusable. */
static int read_pools(const char *dir, const struct statedir_opts *o, json_t **pools,
		      struct pvx_buf *msgs)
{
	char path[4096];
	*pools = NULL;
	if (o->device_json)
		snprintf(path, sizeof(path), "%s", o->device_json);
	else
		snprintf(path, sizeof(path), "%s/device.json", dir);
	if (!o->device_json && access(path, F_OK) != 0)
		return 0; /* no pools: no device.json is fine */
	struct stat st;
	errno = 0;
	if (stat(path, &st) < 0 || st.st_size > MANIFEST_MAX_SIZE) {
		pvx_buf_printf(msgs, "error: %s: %s\n", path,
			       errno ? strerror(errno) : "larger than 1 MiB");
		return -1;
	}
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		pvx_buf_printf(msgs, "error: %s:%d:%d: %s\n", path, je.line, je.column, je.text);
		return -1;
	}
	json_t *p = json_object_get(json_object_get(root, "network"), "pools");
	int rc = 0;
	if (p && !json_is_object(p)) {
		pvx_buf_printf(msgs, "error: %s: network.pools must be an object\n", path);
		rc = -1;
	} else if (p) {
		const char *name;
		json_t *v;
		json_object_foreach(p, name, v) {
			const char *why = ipam_pool_check(name, v);
			if (why) {
				pvx_buf_printf(msgs, "error: %s: pool '%s': %s\n", path, name, why);
				rc = -1;
			}
		}
		*pools = json_incref(p);
	}
	json_decref(root);
	return rc;
}

/* Network links of one container: run.json's interfaces (or its pool),
 * args.json's {"pool", "static_ip"}, or PV_NETWORK_*; one per interface. */
static int network_links(const struct container *c, json_t *pools, struct pvx_graph *g,
			 struct pvx_buf *msgs)
{
	const struct pvx_network *net = &c->wants.net;
	if (!net->present || (net->mode && strcmp(net->mode, "pool") != 0))
		return 0;
	struct pvx_net_iface one = { .name = "eth0", .pool = net->pool, .ipv4_address = net->static_ip,
				     .mac_address = net->mac };
	const struct pvx_net_iface *ifs = net->n_ifaces ? net->ifaces : &one;
	size_t n = net->n_ifaces ? net->n_ifaces : 1;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		const char *pool = ifs[i].pool ? ifs[i].pool : net->pool;
		if (!pool) {
			pvx_buf_printf(msgs, "error: network interface '%s' of platform '%s' names no pool\n",
				       ifs[i].name ? ifs[i].name : "eth0", c->name);
			rc = -1;
			continue;
		}
		if (!json_object_get(pools, pool)) {
			/* Still a link: the daemon refuses it and Pantavisor rolls
			 * the update back, as for any bad address. */
			pvx_buf_printf(msgs, "error: network pool '%s' of platform '%s' is not defined in device.json\n",
				       pool, c->name);
			rc = STATEDIR_MISSING_REQUIRED;
		}
		struct pvx_link_spec l = {
			.type = LINK_NETWORK, .name = (char *)pool, .consumer = c->name,
			.consumer_pid = c->pid, .provider = (char *)"_pv_", .provider_pid = 0,
			.target = (char *)(ifs[i].name ? ifs[i].name : "eth0"),
			.ipv4_address = ifs[i].ipv4_address, .mac_address = ifs[i].mac_address,
		};
		if (pvx_graph_add_raw(g, &l) < 0) {
			pvx_buf_printf(msgs, "error: out of memory\n");
			return -1;
		}
	}
	return rc;
}

void statedir_bus_free(struct statedir_bus *b)
{
	for (size_t i = 0; i < b->n_claims; i++) {
		struct statedir_claim *c = &b->claims[i];
		free(c->container);
		free(c->owns);
		free(c->role);
		for (size_t a = 0; a < c->n_allow; a++)
			free(c->allow[a]);
		free(c->allow);
	}
	free(b->claims);
	for (size_t i = 0; i < b->n_roles; i++)
		free(b->roles[i]);
	free(b->roles);
	*b = (struct statedir_bus){0};
}

static int bus_role(struct statedir_bus *b, const char *role)
{
	for (size_t i = 0; i < b->n_roles; i++)
		if (strcmp(b->roles[i], role) == 0)
			return 0;
	char **v = realloc(b->roles, (b->n_roles + 1) * sizeof(*v));
	if (!v)
		return -1;
	b->roles = v;
	if (!(v[b->n_roles] = strdup(role)))
		return -1;
	b->n_roles++;
	return 0;
}

/* The hosted bus's claims of every container, and the roles they name. */
static int bus_claims(const struct container *cs, size_t n, struct statedir_bus *b,
		      struct pvx_buf *msgs)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; cs[i].has_services && k < cs[i].services.n_claims; k++) {
			const struct pvx_service *s = &cs[i].services.claims[k];
			if (strcmp(s->bus, STATEDIR_HOSTED_BUS) != 0) {
				pvx_buf_printf(msgs, "note: bus '%s' of platform '%s' is not hosted here; its claim of '%s' is ignored\n",
					       s->bus, cs[i].name, s->owns);
				continue;
			}
			struct statedir_claim *v = realloc(b->claims, (b->n_claims + 1) * sizeof(*v));
			if (!v)
				return -1;
			b->claims = v;
			struct statedir_claim *c = &v[b->n_claims++];
			*c = (struct statedir_claim){ .container = strdup(cs[i].name), .owns = strdup(s->owns),
						      .role = strdup(s->role),
						      .allow = calloc(s->n_allow + 1, sizeof(char *)) };
			if (!c->container || !c->owns || !c->role || !c->allow || bus_role(b, s->role) < 0)
				return -1;
			for (size_t a = 0; a < s->n_allow; a++) {
				if (!(c->allow[a] = strdup(s->allow[a].role)) || bus_role(b, s->allow[a].role) < 0)
					return -1;
				c->n_allow++;
			}
		}
	}
	return 0;
}

/* The network links of a container that is not running, one per
 * interface, for statedir_opts.waiting. */
static int network_waiting(const struct container *c, struct pvx_graph *w)
{
	const struct pvx_network *net = &c->wants.net;
	if (net->mode && strcmp(net->mode, "pool") != 0)
		return 0;
	size_t n = net->n_ifaces ? net->n_ifaces : 1;
	for (size_t i = 0; i < n; i++) {
		const struct pvx_net_iface *f = net->n_ifaces ? &net->ifaces[i] : NULL;
		const char *pool = f && f->pool ? f->pool : net->pool;
		struct pvx_link_spec l = {
			.type = LINK_NETWORK, .name = (char *)(pool ? pool : "-"), .consumer = c->name,
			.provider = (char *)"_pv_", .target = (char *)(f && f->name ? f->name : "eth0"),
		};
		if (pvx_graph_add_raw(w, &l) < 0)
			return -1;
	}
	return 0;
}

/* Appends the rules of a claim's allow object (JSON text of an array) to
 * into; a rule is for the claimed name ("name" absent or that name): a
 * container grants calls to what it owns, never to another's name. */
static int add_rules(json_t *into, const char *text, const char *owns)
{
	json_t *a = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	size_t i;
	json_t *r;
	if (!json_is_array(a)) {
		json_decref(a);
		return -1;
	}
	json_array_foreach(a, i, r) {
		json_t *c = json_copy(r);
		const char *name = json_string_value(json_object_get(c, "name"));
		if (!json_is_object(c) || (json_object_get(c, "name") && (!name || strcmp(name, owns) != 0)) ||
		    (!name && json_object_set_new(c, "name", json_string(owns)) < 0) ||
		    json_array_append_new(into, c) < 0) {
			json_decref(c);
			json_decref(a);
			return -1;
		}
	}
	json_decref(a);
	return 0;
}

/* The dbus policy of a role's link to the hosted bus, as canonical text in
 * *out: NULL (unfiltered, the bus's own configuration decides) unless an
 * "allow" object gives the role call or broadcast rules.  Then the link
 * is filtered: it may own what the role claims, talk to the names that
 * allow the role without rules, and reach the others through their rules
 * alone. */
static int hosted_policy(const struct container *cs, size_t n, const char *role, char **out,
			 struct pvx_buf *msgs)
{
	json_t *talk = json_array(), *own = json_array(), *call = json_array(), *bc = json_array();
	bool rules = false;
	int rc = talk && own && call && bc ? 0 : -ENOMEM;
	*out = NULL;
	for (size_t i = 0; i < n && rc == 0; i++) {
		for (size_t k = 0; cs[i].has_services && k < cs[i].services.n_claims && rc == 0; k++) {
			const struct pvx_service *c = &cs[i].services.claims[k];
			if (strcmp(c->bus, STATEDIR_HOSTED_BUS) != 0)
				continue;
			if (!strcmp(c->role, role) && json_array_append_new(own, json_string(c->owns)) < 0)
				rc = -ENOMEM;
			for (size_t a = 0; a < c->n_allow && rc == 0; a++) {
				const struct pvx_bus_allow *al = &c->allow[a];
				if (strcmp(al->role, role) != 0)
					continue;
				if (!al->call && !al->broadcast) {
					if (json_array_append_new(talk, json_string(c->owns)) < 0)
						rc = -ENOMEM;
					continue;
				}
				rules = true;
				if ((al->call && add_rules(call, al->call, c->owns) < 0) ||
				    (al->broadcast && add_rules(bc, al->broadcast, c->owns) < 0)) {
					pvx_buf_printf(msgs, "error: the rules allowing role '%s' on '%s' of platform '%s' are not usable (each is for the claimed name)\n",
						       role, c->owns, cs[i].name);
					rc = -1;
				}
			}
		}
	}
	if (rc == 0 && rules) {
		json_t *p = json_pack("{s:O, s:O, s:O, s:O}", "talk", talk, "own", own, "call", call,
				      "broadcast", bc);
		char *text = p ? json_dumps(p, JSON_COMPACT) : NULL;
		char why[256] = "";
		*out = text ? dbus_rules_canonical(text, strlen(text), why, sizeof(why)) : NULL;
		if (!*out) {
			pvx_buf_printf(msgs, "error: the hosted bus's policy for role '%s': %s\n", role,
				       why[0] ? why : "out of memory");
			rc = -1;
		}
		free(text);
		json_decref(p);
	}
	json_decref(talk);
	json_decref(own);
	json_decref(call);
	json_decref(bc);
	return rc;
}

/* A requirement of the hosted bus: a link to it, as the uid of its role. */
static int hosted_link(const struct container *c, const struct pvx_requirement *q,
		       const struct statedir_opts *o, struct pvx_graph *g, struct pvx_buf *msgs,
		       const struct container *cs, size_t n)
{
	const char *role = q->role ? q->role : "any";
	unsigned uid = 0;
	if (q->type >= 0 && q->type != LINK_DBUS) {
		pvx_buf_printf(msgs, "error: '%s' of platform '%s' asks for type %s but the hosted bus is dbus\n",
			       q->name, c->name, pvx_link_type_names[q->type]);
		return -1;
	}
	if (bus_role(o->bus, role) < 0)
		return -ENOMEM;
	if (o->role_uid && o->role_uid(o->role_uid_ctx, role, &uid) < 0) {
		pvx_buf_printf(msgs, "error: no uid left for role '%s' of platform '%s' on the hosted bus\n",
			       role, c->name);
		return -1;
	}
	char *policy = NULL;
	if (!q->policy) {
		int pr = hosted_policy(cs, n, role, &policy, msgs);
		if (pr < 0)
			return pr;
	}
	struct pvx_link_spec l = {
		.type = LINK_DBUS, .name = q->name, .consumer = c->name, .consumer_pid = c->pid,
		.provider = (char *)"_pv_", .provider_pid = 0, .role = (char *)role,
		.interface = (char *)(q->interface ? q->interface : "dbus"), .target = q->target,
		.socket = (char *)o->hosted_bus, .has_uid = o->role_uid != NULL, .uid = uid,
		.policy = q->policy ? q->policy : policy,
	};
	int r = pvx_graph_add_raw(g, &l) < 0 ? -ENOMEM : 0;
	free(policy);
	return r;
}

static bool socket_type(int t)
{
	return t == LINK_UNIX || t == LINK_REST || t == LINK_DBUS || t == LINK_WAYLAND;
}

int statedir_build(const char *dir, const struct statedir_opts *o, struct pvx_graph *g,
		   struct pvx_buf *msgs)
{
	struct container *cs;
	size_t n;
	*g = (struct pvx_graph){0};
	int rc = load(dir, o, &cs, &n, msgs);
	if (rc < 0) {
		containers_free(cs, n);
		return -1;
	}
	if (n == 0) {
		/* A wrong directory would otherwise read as an empty mesh. */
		pvx_buf_printf(msgs, "error: no container in %s (no %s/<name>/ with run.json, "
			       "args.json or services.json)\n", dir, dir);
		rc = STATEDIR_NO_CONTAINER;
	}

	/* Who exports what; a name may have one exporter only. */
	for (size_t i = 0; i < n; i++)
		for (size_t s = 0; cs[i].has_services && s < cs[i].services.n_services; s++)
			for (size_t j = 0; j < i; j++)
				for (size_t t = 0; cs[j].has_services && t < cs[j].services.n_services; t++)
					if (strcmp(cs[i].services.services[s].name,
						   cs[j].services.services[t].name) == 0) {
						pvx_buf_printf(msgs,
							       "error: service '%s' is exported by both '%s' and '%s'\n",
							       cs[i].services.services[s].name, cs[j].name,
							       cs[i].name);
						rc = -1;
					}
	if (o->hosted_bus) {
		for (size_t i = 0; i < n; i++)
			for (size_t s = 0; cs[i].has_services && s < cs[i].services.n_services; s++)
				if (strcmp(cs[i].services.services[s].name, STATEDIR_HOSTED_BUS) == 0) {
					pvx_buf_printf(msgs,
						       "error: platform '%s' exports '%s', which shadows the hosted system bus\n",
						       cs[i].name, STATEDIR_HOSTED_BUS);
					rc = -1;
				}
		if (rc == 0 && bus_claims(cs, n, o->bus, msgs) < 0) {
			pvx_buf_printf(msgs, "error: out of memory\n");
			rc = -1;
		}
	}
	if (rc < 0) {
		containers_free(cs, n);
		if (o->hosted_bus)
			statedir_bus_free(o->bus);
		return -1;
	}

	json_t *pools;
	if (read_pools(dir, o, &pools, msgs) < 0) {
		containers_free(cs, n);
		json_decref(pools);
		return -1;
	}
	g->pools = pools;
	for (size_t i = 0; i < n; i++) {
		if (cs[i].has_wants && cs[i].wants.net.present) {
			if (o->lxcpath && !cs[i].pid) {
				pvx_buf_printf(msgs, "note: the network of platform '%s' waits for it to run\n",
					       cs[i].name);
				if (o->waiting && network_waiting(&cs[i], o->waiting) < 0) {
					pvx_buf_printf(msgs, "error: out of memory\n");
					rc = -1;
				}
			} else {
				int r = network_links(&cs[i], pools, g, msgs);
				if (r && rc != -1)
					rc = r;
			}
		}
		for (size_t r = 0; cs[i].has_wants && r < cs[i].wants.n_reqs; r++) {
			const struct pvx_requirement *q = &cs[i].wants.reqs[r];
			if (o->hosted_bus && strcmp(q->name, STATEDIR_HOSTED_BUS) == 0) {
				if (o->lxcpath && !cs[i].pid) {
					pvx_buf_printf(msgs, "note: '%s' of platform '%s' waits for it to run\n",
						       q->name, cs[i].name);
					struct pvx_link_spec w = {
						.type = LINK_DBUS, .name = q->name, .consumer = cs[i].name,
						.provider = (char *)"_pv_", .target = q->target,
						.socket = (char *)o->hosted_bus,
					};
					if (o->waiting && pvx_graph_add_raw(o->waiting, &w) < 0) {
						pvx_buf_printf(msgs, "error: out of memory\n");
						rc = -1;
					}
					continue;
				}
				int hr = hosted_link(&cs[i], q, o, g, msgs, cs, n);
				if (hr == -ENOMEM) {
					pvx_buf_printf(msgs, "error: out of memory\n");
					rc = -1;
				} else if (hr < 0 && rc != -1) {
					rc = -1;
				}
				continue;
			}
			const struct container *prov = NULL;
			const struct pvx_service *svc = NULL;
			for (size_t j = 0; j < n && !svc; j++)
				for (size_t s = 0; cs[j].has_services && s < cs[j].services.n_services; s++)
					if (strcmp(cs[j].services.services[s].name, q->name) == 0) {
						prov = &cs[j];
						svc = &cs[j].services.services[s];
						break;
					}
			if (!svc) {
				if (q->required) {
					pvx_buf_printf(msgs,
						       "error: required service '%s' for platform '%s' not found\n",
						       q->name, cs[i].name);
					rc = STATEDIR_MISSING_REQUIRED;
				} else {
					pvx_buf_printf(msgs,
						       "note: optional service '%s' for platform '%s' not found, no link\n",
						       q->name, cs[i].name);
				}
				continue;
			}
			/* With LXC, pid 0 means "not running", not "host side": a
			 * link waits until both of its containers run. */
			int type = q->type >= 0 ? q->type : (int)svc->type;
			if (o->lxcpath && (!cs[i].pid || !prov->pid)) {
				pvx_buf_printf(msgs, "note: '%s' of platform '%s' waits for '%s' to run\n",
					       q->name, cs[i].name, !cs[i].pid ? cs[i].name : prov->name);
				struct pvx_link_spec w = {
					.type = (enum pvx_link_type)type, .name = q->name,
					.consumer = cs[i].name, .consumer_pid = cs[i].pid,
					.provider = prov->name, .provider_pid = prov->pid,
					.target = q->target, .socket = svc->socket,
				};
				if (o->waiting && pvx_graph_add_raw(o->waiting, &w) < 0) {
					pvx_buf_printf(msgs, "error: out of memory\n");
					rc = -1;
				}
				continue;
			}
			if (q->type >= 0 && q->type != (int)svc->type) {
				pvx_buf_printf(msgs,
					       "error: '%s' of platform '%s' asks for type %s but '%s' exports it as %s\n",
					       q->name, cs[i].name, pvx_link_type_names[q->type], prov->name,
					       pvx_link_type_names[svc->type]);
				rc = rc ? rc : -1;
				continue;
			}
			if (q->target && socket_type(type) &&
			    strlen(q->target) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
				pvx_buf_printf(msgs,
					       "error: target '%s' of '%s' for platform '%s' is too long for a socket address\n",
					       q->target, q->name, cs[i].name);
				rc = rc ? rc : -1;
				continue;
			}
			const char *tname = pvx_link_type_names[type];
			struct pvx_link_spec l = {
				.type = (enum pvx_link_type)type, .name = q->name, .consumer = cs[i].name,
				.consumer_pid = cs[i].pid, .provider = prov->name,
				.provider_pid = prov->pid, .role = (char *)(q->role ? q->role : "any"),
				.interface = (char *)(q->interface ? q->interface : tname),
				.target = q->target, .socket = svc->socket, .globals = q->globals,
				.policy = q->policy,
			};
			if (pvx_graph_add_raw(g, &l) < 0) {
				pvx_buf_printf(msgs, "error: out of memory\n");
				rc = -1;
			}
		}
	}
	containers_free(cs, n);
	if (rc == -1) {
		pvx_graph_free(g);
		if (o->hosted_bus)
			statedir_bus_free(o->bus);
	}
	return rc;
}

/* The pv-ctrl format with a stable key order: the keys of a raw link in
 * the builder's order, each only when the link has it. */
char *statedir_json(const struct pvx_graph *g)
{
	json_t *links = json_array();
	for (size_t i = 0; links && i < g->n_links; i++) {
		const struct pvx_link_spec *s = &g->links[i];
		json_t *l = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I}", "type",
				      pvx_link_type_names[s->type], "name", s->name, "consumer",
				      s->consumer, "consumer_pid", (json_int_t)s->consumer_pid,
				      "provider", s->provider ? s->provider : "", "provider_pid",
				      (json_int_t)s->provider_pid);
		const struct {
			const char *key, *v;
		} opt[] = {
			{ "role", s->role }, { "interface", s->interface }, { "target", s->target },
			{ "socket", s->socket }, { "ipv4_address", s->ipv4_address },
			{ "mac_address", s->mac_address }, { "globals", s->globals },
		};
		for (size_t k = 0; l && k < sizeof(opt) / sizeof(opt[0]); k++)
			if (opt[k].v)
				json_object_set_new(l, opt[k].key, json_string(opt[k].v));
		if (l && s->has_uid)
			json_object_set_new(l, "uid", json_integer((json_int_t)s->uid));
		if (l && s->policy)
			json_object_set_new(l, "policy", json_loads(s->policy, 0, NULL));
		if (!l || json_array_append_new(links, l) < 0) {
			json_decref(links);
			return NULL;
		}
	}
	if (!links)
		return NULL;
	json_t *out = g->pools ? json_pack("{s:o, s:O}", "links", links, "pools", g->pools) : links;
	if (!out)
		return NULL;
	char *s = json_dumps(out, JSON_INDENT(2) | (g->pools ? JSON_PRESERVE_ORDER : 0));
	json_decref(out);
	if (!s)
		return NULL;
	size_t len = strlen(s);
	char *t = realloc(s, len + 2);
	if (!t) {
		free(s);
		return NULL;
	}
	t[len] = '\n';
	t[len + 1] = '\0';
	return t;
}
