/* The reference reading of a graph for the differential fuzz target:
 * jansson parses the whole body into a tree, then each link object is
 * checked field by field, as the daemon's graph reader did before it
 * became a stream (parsers/graph.c).  Free the result with
 * graph_ref_free. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/util.h"
#include "model/validate.h"
#include "t/graph-ref.h"

/* Reads an optional string field.  Returns 1 if present, 0 if absent (or
 * null), -EINVAL if present with another type or empty. */
static int get_string(json_t *obj, const char *key, const char **out)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return -EINVAL;
	*out = json_string_value(v);
	return 1;
}

/* Reads an optional pid: a non-negative integer that fits pid_t. */
static int get_pid(json_t *obj, const char *key, pid_t *out)
{
	json_t *v = json_object_get(obj, key);
	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 4194304)
		return -EINVAL;
	*out = (pid_t)json_integer_value(v);
	return 1;
}

/* Fills spec from one graph element; on failure writes the reason. */
static int read_link(json_t *o, struct pvx_link_spec *s, char *why, size_t whylen)
{
	const char *type, *name, *consumer, *provider, *role, *iface, *target, *sock, *ip, *mac, *globals;

	if (!json_is_object(o))
		return snprintf(why, whylen, "not an object"), -EINVAL;

	/* Name the link in every reason, as far as it can be named. */
	char label[160];
	const char *n0 = json_string_value(json_object_get(o, "name"));
	const char *c0 = json_string_value(json_object_get(o, "consumer"));
	if (n0 && !pvx_field_ok(PVX_FIELD_NAME, n0, strlen(n0)))
		n0 = NULL;
	if (c0 && !pvx_field_ok(PVX_FIELD_CONSUMER, c0, strlen(c0)))
		c0 = NULL;
	if (n0 && c0)
		snprintf(label, sizeof(label), "link '%.64s' of consumer '%.64s': ", n0, c0);
	else if (n0 || c0)
		snprintf(label, sizeof(label), "link %s '%.64s': ", n0 ? "named" : "of consumer",
			 n0 ? n0 : c0);
	else
		label[0] = '\0';

#define STR(key, var, required)                                                            \
	do {                                                                               \
		int r_ = get_string(o, key, &var);                                         \
		if (r_ < 0)                                                                \
			return snprintf(why, whylen, "%sfield '%.20s' must be a non-empty string without NUL", \
					label, key), -EINVAL;                             \
		if (r_ == 0 && (required))                                                 \
			return snprintf(why, whylen, "%smissing required field '%s'", label, \
					key), -EINVAL;                                    \
	} while (0)

	STR("type", type, true);
	STR("name", name, true);
	STR("consumer", consumer, true);
	int t = pvx_link_type_from_name(type);
	if (t < 0)
		return snprintf(why, whylen, "%sunknown type '%.32s'", label, type), -EINVAL;
	STR("provider", provider, false);
	STR("role", role, false);
	STR("interface", iface, false);
	STR("target", target, false);
	STR("socket", sock, t != LINK_NETWORK);
	STR("ipv4_address", ip, false);
	STR("mac_address", mac, false);
	STR("globals", globals, false);
#undef STR

	/* The one field rule (model/validate.h), in the graph's key order. */
	const char *vals[] = { name, consumer, provider, role, iface, target, sock, ip, mac, globals };
	const enum pvx_field fields[] = { PVX_FIELD_NAME, PVX_FIELD_CONSUMER, PVX_FIELD_PROVIDER,
					  PVX_FIELD_ROLE, PVX_FIELD_INTERFACE, PVX_FIELD_TARGET,
					  PVX_FIELD_SOCKET, PVX_FIELD_IPV4, PVX_FIELD_MAC,
					  PVX_FIELD_GLOBALS };
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		const char *bad = vals[i] ? pvx_field_problem(fields[i], vals[i], strlen(vals[i])) : NULL;
		if (bad)
			return snprintf(why, whylen, "%sfield '%s' %s", label, pvx_field_key(fields[i]),
					bad), -EINVAL;
	}

	pid_t cpid, ppid;
	if (get_pid(o, "consumer_pid", &cpid) < 0 || get_pid(o, "provider_pid", &ppid) < 0)
		return snprintf(why, whylen, "%spids must be integers >= 0", label), -EINVAL;

	json_t *uid = json_object_get(o, "uid");
	bool has_uid = uid && !json_is_null(uid);
	if (has_uid && (!json_is_integer(uid) || json_integer_value(uid) < 0 ||
			json_integer_value(uid) > 0xfffffffeLL))
		return snprintf(why, whylen, "%suid must be an integer >= 0", label), -EINVAL;

	char deftarget[512];
	if (!target && iface) {
		target = iface;
	} else if (!target) {
		snprintf(deftarget, sizeof(deftarget), "/tmp/pvx_%s_%s.sock", consumer, name);
		target = deftarget;
	}

	*s = (struct pvx_link_spec){
		.type = (enum pvx_link_type)t,
		.consumer_pid = cpid,
		.provider_pid = ppid,
		.has_uid = has_uid,
		.uid = has_uid ? (unsigned)json_integer_value(uid) : 0,
	};
	s->name = strdup(name);
	s->consumer = strdup(consumer);
	s->provider = pvx_strdup0(provider);
	s->role = strdup(role ? role : "any");
	s->interface = strdup(iface ? iface : type);
	s->target = strdup(target);
	s->socket = pvx_strdup0(sock);
	s->ipv4_address = pvx_strdup0(ip);
	s->mac_address = pvx_strdup0(mac);
	s->globals = pvx_strdup0(globals);
	if (!s->name || !s->consumer || !s->role || !s->interface || !s->target ||
	    (provider && !s->provider) || (sock && !s->socket) || (ip && !s->ipv4_address) ||
	    (mac && !s->mac_address) || (globals && !s->globals)) {
		pvx_link_spec_free(s);
		return snprintf(why, whylen, "out of memory"), -ENOMEM;
	}
	return 0;
}

int graph_ref_parse(const char *body, size_t len, struct pvx_graph *g, char *err, size_t errlen,
		    pvx_graph_skip_fn skip, void *ctx)
{
	json_error_t jerr;
	*g = (struct pvx_graph){0};

	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (!root) {
		snprintf(err, errlen, "graph is not valid JSON: %s at line %d column %d", jerr.text,
			 jerr.line, jerr.column);
		return -EBADMSG;
	}
	json_t *links = root;
	if (json_is_object(root)) {
		g->pools = json_object_get(root, "pools");
		if (g->pools)
			json_incref(g->pools);
		links = json_object_get(root, "links");
		if (!links) {
			snprintf(err, errlen, "graph object has no \"links\" array");
			json_decref(g->pools);
			g->pools = NULL;
			json_decref(root);
			return -EBADMSG;
		}
		json_incref(links);
	} else {
		json_incref(links);
	}
	if (!json_is_array(links)) {
		snprintf(err, errlen, "graph must be an array of links or an object with \"links\"");
		json_decref(g->pools);
		g->pools = NULL;
		json_decref(links);
		json_decref(root);
		return -EBADMSG;
	}

	size_t n = json_array_size(links);
	g->links = calloc(n ? n : 1, sizeof(*g->links));
	if (!g->links) {
		json_decref(g->pools);
		g->pools = NULL;
		json_decref(links);
		json_decref(root);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		char why[320];
		struct pvx_link_spec *s = &g->links[g->n_links];
		if (read_link(json_array_get(links, i), s, why, sizeof(why)) < 0) {
			skip(ctx, i, why);
			g->n_skipped++;
			continue;
		}
		g->n_links++;
	}
	json_decref(links);
	json_decref(root);
	return 0;
}


void graph_ref_free(struct pvx_graph *g)
{
	for (size_t i = 0; i < g->n_links; i++)
		pvx_link_spec_free(&g->links[i]);
	free(g->links);
	json_decref(g->pools);
	*g = (struct pvx_graph){0};
}
