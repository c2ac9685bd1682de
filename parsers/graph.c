/* Graph reader: the streaming JSON reader (json.rl) hands its tokens to the
 * sink below, which collects the fields of one link object at a time,
 * validates them and applies the defaults of DESIGN.md section 3.1.  No
 * tree is built: a 10,000-link graph costs one spec per link and the
 * strings in a few arena blocks.  A bad entry is skipped with its index
 * and reason; the rest of the graph still applies, unless no entry is
 * left (pvx_graph_usable: then the whole graph is refused).  What is not a
 * graph at all (an object without "links" included) fails the parse. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/log.h"
#include "lib/suggest.h"
#include "lib/util.h"
#include "parsers/graph.h"
#include "parsers/json.h"
#include "model/validate.h"

/* Strings of one graph's specs live in blocks freed with the graph, not
 * one allocation each. */
struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	char data[];
};

#define ARENA_BLOCK (64 * 1024)

static char *arena_copy(struct arena_block **arena, const char *s, size_t n)
{
	struct arena_block *b = *arena;
	if (!b || b->cap - b->used < n + 1) {
		size_t cap = n + 1 > ARENA_BLOCK ? n + 1 : ARENA_BLOCK;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->next = *arena;
		b->used = 0;
		b->cap = cap;
		*arena = b;
	}
	char *out = b->data + b->used;
	memcpy(out, s, n);
	out[n] = '\0';
	b->used += n + 1;
	return out;
}

static void arena_free(struct arena_block *b)
{
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
}

/* The fields of a link object the reader knows; anything else is skipped. */
enum field {
	F_TYPE, F_NAME, F_CONSUMER, F_PROVIDER, F_ROLE, F_INTERFACE, F_TARGET, F_SOCKET,
	F_IPV4, F_MAC, F_CONSUMER_PID, F_PROVIDER_PID, F_UID, F_GLOBALS, F__COUNT, F_OTHER = F__COUNT
};

static const char *const field_names[F__COUNT] = {
	[F_TYPE] = "type", [F_NAME] = "name", [F_CONSUMER] = "consumer",
	[F_PROVIDER] = "provider", [F_ROLE] = "role", [F_INTERFACE] = "interface",
	[F_TARGET] = "target", [F_SOCKET] = "socket", [F_IPV4] = "ipv4_address",
	[F_MAC] = "mac_address", [F_CONSUMER_PID] = "consumer_pid",
	[F_PROVIDER_PID] = "provider_pid", [F_UID] = "uid", [F_GLOBALS] = "globals",
};

/* What one field of the link being read held. */
enum value_kind { V_ABSENT, V_NULL, V_STRING, V_INTEGER, V_OTHER, V_TOO_LONG };

struct field_value {
	enum value_kind kind;
	const char *s; /* V_STRING: in the arena */
	size_t n;
	long long i;   /* V_INTEGER */
};

/* What an open object or array is to the graph. */
enum frame { FR_ROOT_OBJECT, FR_LINKS, FR_LINK, FR_SKIP };
enum top_key { K_OTHER, K_LINKS, K_POOLS };

struct graph_sink {
	struct json_reader *json;
	struct pvx_graph *g;
	size_t cap;              /* of g->links */
	struct arena_block *arena;
	pvx_graph_skip_fn skip;
	pvx_graph_warn_fn warn; /* NULL: unknown keys not reported */
	void *skip_ctx;
	enum frame stack[JSON_MAX_DEPTH + 1];
	int depth;
	bool root_object, saw_links, saw_pools;
	enum top_key top_key;    /* pending key of the root object */
	int pools_depth;         /* depth of the pools value while inside it */
	size_t pools_start, pools_end;
	size_t index;            /* of the next element of links */
	int field;               /* pending key of the link object */
	bool link_dup;           /* a known field came twice */
	int dup_field;
	struct field_value v[F__COUNT];
	char err[200];
};

static int sink_fail(struct graph_sink *k, const char *msg)
{
	snprintf(k->err, sizeof(k->err), "%s", msg);
	return -1;
}

static const char *on_error(void *ctx)
{
	struct graph_sink *k = ctx;
	return k->err;
}

static const char not_a_graph[] = "graph must be an array of links or an object with \"links\"";
/* An object without "links" is refused, not read as an empty graph: a
 * renamed or misspelt key would otherwise remove every link. */
static const char no_links[] = "graph object has no \"links\" array";

static int note_skip(struct graph_sink *k, const char *why)
{
	k->skip(k->skip_ctx, k->index++, why);
	k->g->n_skipped++;
	return 0;
}

/* A value starts (an object, an array or a scalar) inside the frame on
 * top; returns the frame it opens when it is an object or an array. */
static int value_start(struct graph_sink *k, bool container, bool object, enum frame *opens)
{
	*opens = FR_SKIP;
	if (k->depth == 0) {
		if (!container)
			return sink_fail(k, not_a_graph);
		*opens = object ? FR_ROOT_OBJECT : FR_LINKS;
		k->root_object = object;
		return 0;
	}
	switch (k->stack[k->depth - 1]) {
	case FR_ROOT_OBJECT:
		if (k->top_key == K_LINKS) {
			if (!container || object)
				return sink_fail(k, not_a_graph);
			*opens = FR_LINKS;
		} else if (k->top_key == K_POOLS) {
			k->pools_start = json_reader_token_start(k->json);
			k->pools_end = 0;
			k->pools_depth = k->depth + 1;
		}
		k->top_key = K_OTHER;
		return 0;
	case FR_LINKS:
		if (!object)
			return note_skip(k, "not an object");
		*opens = FR_LINK;
		memset(k->v, 0, sizeof(k->v));
		k->link_dup = false;
		k->field = F_OTHER;
		return 0;
	case FR_LINK:
		if (k->field != F_OTHER)
			k->v[k->field].kind = V_OTHER;
		k->field = F_OTHER;
		return 0;
	case FR_SKIP:
		return 0;
	}
	return 0;
}

static int on_begin(void *ctx, bool object)
{
	struct graph_sink *k = ctx;
	enum frame f;
	if (value_start(k, true, object, &f) < 0)
		return -1;
	k->stack[k->depth++] = f;
	return 0;
}

static int read_link(struct graph_sink *k, struct pvx_link_spec *s, char *why, size_t whylen);

static int on_end(void *ctx)
{
	struct graph_sink *k = ctx;
	enum frame f = k->stack[--k->depth];
	if (k->pools_depth && k->depth + 1 == k->pools_depth) {
		k->pools_end = json_reader_token_end(k->json);
		k->pools_depth = 0;
	}
	if (f != FR_LINK)
		return 0;
	char why[320];
	struct pvx_graph *g = k->g;
	if (g->n_links == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 64;
		struct pvx_link_spec *links = realloc(g->links, cap * sizeof(*links));
		if (!links)
			return sink_fail(k, "out of memory");
		g->links = links;
		k->cap = cap;
	}
	if (read_link(k, &g->links[g->n_links], why, sizeof(why)) < 0)
		return note_skip(k, why);
	g->n_links++;
	k->index++;
	return 0;
}

/* An unknown key of a link object (index: the link's) or of the root
 * object (index SIZE_MAX), with the closest known key.  Kept: the rest of
 * the entry still counts. */
static void unknown_key(struct graph_sink *k, size_t index, const char *s, size_t n,
			const char *const *known, size_t n_known)
{
	if (!k->warn || !s)
		return;
	char key[PVX_KEY_TEXT_MAX], where[64], what[PVX_KEY_TEXT_MAX + 160];
	pvx_key_text(key, sizeof(key), s, n);
	json_reader_where(k->json, where, sizeof(where));
	const char *near = pvx_suggest(s, n, known, n_known);
	if (near)
		snprintf(what, sizeof(what), "%s: unknown key '%s', did you mean '%s'? (ignored)",
			 where, key, near);
	else
		snprintf(what, sizeof(what), "%s: unknown key '%s' (ignored)", where, key);
	k->warn(k->skip_ctx, index, what);
}

static int on_key(void *ctx, const char *s, size_t n)
{
	struct graph_sink *k = ctx;
	static const char *const top_names[] = { "links", "pools" };
	switch (k->stack[k->depth - 1]) {
	case FR_ROOT_OBJECT:
		k->top_key = K_OTHER;
		if (s && n == 5 && memcmp(s, "links", 5) == 0) {
			if (k->saw_links)
				return sink_fail(k, "duplicate key \"links\"");
			k->saw_links = true;
			k->top_key = K_LINKS;
		} else if (s && n == 5 && memcmp(s, "pools", 5) == 0) {
			if (k->saw_pools)
				return sink_fail(k, "duplicate key \"pools\"");
			k->saw_pools = true;
			k->top_key = K_POOLS;
		} else {
			unknown_key(k, SIZE_MAX, s, n, top_names, 2);
		}
		return 0;
	case FR_LINK:
		k->field = F_OTHER;
		for (int i = 0; s && i < F__COUNT; i++)
			if (strlen(field_names[i]) == n && memcmp(field_names[i], s, n) == 0) {
				if (k->v[i].kind != V_ABSENT && !k->link_dup) {
					k->link_dup = true;
					k->dup_field = i;
				}
				k->field = i;
				break;
			}
		if (k->field == F_OTHER)
			unknown_key(k, k->index, s, n, field_names, F__COUNT);
		return 0;
	default:
		return 0;
	}
}

/* A JSON number that is an integer (no fraction, no exponent) and fits. */
static bool integer_value(const char *s, long long *out)
{
	if (strpbrk(s, ".eE"))
		return false;
	errno = 0;
	char *end;
	*out = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

static int on_scalar(void *ctx, enum jr_scalar t, const char *s, size_t n)
{
	struct graph_sink *k = ctx;
	enum frame opens;
	if (k->depth > 0 && k->stack[k->depth - 1] == FR_LINK && k->field != F_OTHER) {
		struct field_value *v = &k->v[k->field];
		k->field = F_OTHER;
		if (!s)
			v->kind = V_TOO_LONG;
		else if (t == JR_NULL)
			v->kind = V_NULL;
		else if (t == JR_NUMBER && integer_value(s, &v->i))
			v->kind = V_INTEGER;
		else if (t != JR_STRING)
			v->kind = V_OTHER;
		else if (!(v->s = arena_copy(&k->arena, s, n)))
			return sink_fail(k, "out of memory");
		else
			v->kind = V_STRING, v->n = n;
		return 0;
	}
	if (value_start(k, false, false, &opens) < 0)
		return -1;
	if (k->pools_depth == k->depth + 1) { /* pools given as a scalar */
		k->pools_end = json_reader_token_end(k->json);
		k->pools_depth = 0;
	}
	return 0;
}

static const struct json_sink graph_json_sink = {
	.begin = on_begin, .end = on_end, .key = on_key, .scalar = on_scalar, .error = on_error,
};

/* A string field: 1 if present, 0 if absent or null, -EINVAL if of another
 * type, empty, holding a NUL or over the length cap. */
static int get_string(const struct graph_sink *k, enum field f, const char **out)
{
	const struct field_value *v = &k->v[f];
	*out = NULL;
	if (v->kind == V_ABSENT || v->kind == V_NULL)
		return 0;
	if (v->kind != V_STRING || v->n == 0 || memchr(v->s, '\0', v->n))
		return -EINVAL;
	*out = v->s;
	return 1;
}

/* An integer field within [0, max]: 1 if present, 0 if absent or null. */
static int get_integer(const struct graph_sink *k, enum field f, long long max, long long *out)
{
	const struct field_value *v = &k->v[f];
	*out = 0;
	if (v->kind == V_ABSENT || v->kind == V_NULL)
		return 0;
	if (v->kind != V_INTEGER || v->i < 0 || v->i > max)
		return -EINVAL;
	*out = v->i;
	return 1;
}

static void skip_default(void *ctx, size_t index, const char *why)
{
	log_warn("graph: link %zu skipped: %s", index, why);
}

/* "link 'N' of consumer 'C': ", as far as the link can be named by values
 * that are themselves good: a reason goes to the log. */
static void link_label(const char *n0, const char *c0, char *label, size_t len)
{
	if (n0 && !pvx_field_ok(PVX_FIELD_NAME, n0, strlen(n0)))
		n0 = NULL;
	if (c0 && !pvx_field_ok(PVX_FIELD_CONSUMER, c0, strlen(c0)))
		c0 = NULL;
	if (n0 && c0)
		snprintf(label, len, "link '%.64s' of consumer '%.64s': ", n0, c0);
	else if (n0 || c0)
		snprintf(label, len, "link %s '%.64s': ", n0 ? "named" : "of consumer", n0 ? n0 : c0);
	else
		label[0] = '\0';
}

/* The parts of reading a link that do not depend on where its values came
 * from: every field against its rule (model/validate.h), and the defaults
 * of the contract for role, interface and target (NULL: not given).  The
 * strings are the caller's; a default target is copied into the arena. */
static int link_check(const struct pvx_link_spec *s, const char *label, char *why, size_t whylen)
{
	const struct {
		enum pvx_field f;
		const char *v;
	} checks[] = {
		{ PVX_FIELD_NAME, s->name }, { PVX_FIELD_CONSUMER, s->consumer },
		{ PVX_FIELD_PROVIDER, s->provider }, { PVX_FIELD_ROLE, s->role },
		{ PVX_FIELD_INTERFACE, s->interface }, { PVX_FIELD_TARGET, s->target },
		{ PVX_FIELD_SOCKET, s->socket }, { PVX_FIELD_IPV4, s->ipv4_address },
		{ PVX_FIELD_MAC, s->mac_address }, { PVX_FIELD_GLOBALS, s->globals },
	};
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		const char *bad = checks[i].v ? pvx_field_problem(checks[i].f, checks[i].v,
								   strlen(checks[i].v))
					      : NULL;
		if (bad)
			return snprintf(why, whylen, "%sfield '%s' %s", label,
					pvx_field_key(checks[i].f), bad), -EINVAL;
	}
	return 0;
}

static int link_defaults(struct arena_block **arena, struct pvx_link_spec *s, const char *label,
			 char *why, size_t whylen)
{
	if (!s->target && s->interface) {
		s->target = s->interface;
	} else if (!s->target) {
		char deftarget[512];
		int len = snprintf(deftarget, sizeof(deftarget), "/tmp/pvx_%s_%s.sock", s->consumer,
				   s->name);
		if (len >= (int)sizeof(deftarget))
			return snprintf(why, whylen, "%sname and consumer too long for the default target",
					label), -EINVAL;
		s->target = arena_copy(arena, deftarget, (size_t)len);
		if (!s->target)
			return snprintf(why, whylen, "out of memory"), -ENOMEM;
	}
	if (!s->role)
		s->role = (char *)"any";
	if (!s->interface)
		s->interface = (char *)pvx_link_type_names[s->type];
	return 0;
}

/* Fills spec from the fields of the link object just read; on failure
 * writes the reason. */
static int read_link(struct graph_sink *k, struct pvx_link_spec *s, char *why, size_t whylen)
{
	const char *type, *name, *consumer, *provider, *role, *iface, *target, *sock, *ip, *mac, *globals;

	/* Name the link in every reason. */
	char label[160];
	link_label(k->v[F_NAME].kind == V_STRING ? k->v[F_NAME].s : NULL,
		   k->v[F_CONSUMER].kind == V_STRING ? k->v[F_CONSUMER].s : NULL, label,
		   sizeof(label));

	if (k->link_dup)
		return snprintf(why, whylen, "%sfield '%s' given twice", label,
				field_names[k->dup_field]), -EINVAL;

#define STR(f, var, required)                                                              \
	do {                                                                               \
		int r_ = get_string(k, f, &var);                                           \
		if (r_ < 0 && k->v[f].kind == V_TOO_LONG)                                  \
			return snprintf(why, whylen, "%sfield '%s' longer than %d bytes", label, \
					field_names[f], JSON_MAX_STRING), -EINVAL;          \
		if (r_ < 0)                                                                \
			return snprintf(why, whylen, "%sfield '%s' must be a non-empty string without NUL", \
					label, field_names[f]), -EINVAL;                    \
		if (r_ == 0 && (required))                                                 \
			return snprintf(why, whylen, "%smissing required field '%s'", label, \
					field_names[f]), -EINVAL;                           \
	} while (0)

	STR(F_TYPE, type, true);
	STR(F_NAME, name, true);
	STR(F_CONSUMER, consumer, true);
	int t = pvx_link_type_from_name(type);
	if (t < 0)
		return snprintf(why, whylen, "%sunknown type '%.32s'", label, type), -EINVAL;
	STR(F_PROVIDER, provider, false);
	STR(F_ROLE, role, false);
	STR(F_INTERFACE, iface, false);
	STR(F_TARGET, target, false);
	STR(F_SOCKET, sock, t != LINK_NETWORK);
	STR(F_IPV4, ip, false);
	STR(F_MAC, mac, false);
	STR(F_GLOBALS, globals, false);
#undef STR

	*s = (struct pvx_link_spec){
		.type = (enum pvx_link_type)t,
		.name = (char *)name,
		.consumer = (char *)consumer,
		.provider = (char *)provider,
		.role = (char *)role,
		.interface = (char *)iface,
		.target = (char *)target,
		.socket = (char *)sock,
		.ipv4_address = (char *)ip,
		.mac_address = (char *)mac,
		.globals = (char *)globals,
	};
	/* One rule per field, the manifests' too (model/validate.h). */
	int r = link_check(s, label, why, whylen);
	if (r < 0)
		return r;

	long long cpid, ppid, uid;
	if (get_integer(k, F_CONSUMER_PID, 4194304, &cpid) < 0 ||
	    get_integer(k, F_PROVIDER_PID, 4194304, &ppid) < 0)
		return snprintf(why, whylen, "%spids must be integers >= 0", label), -EINVAL;
	int has_uid = get_integer(k, F_UID, 0xfffffffeLL, &uid);
	if (has_uid < 0)
		return snprintf(why, whylen, "%suid must be an integer >= 0", label), -EINVAL;
	s->consumer_pid = (pid_t)cpid;
	s->provider_pid = (pid_t)ppid;
	s->has_uid = has_uid > 0;
	s->uid = (unsigned)uid;
	return link_defaults(&k->arena, s, label, why, whylen);
}

int pvx_graph_parse(const char *body, size_t len, struct pvx_graph *g, char *err, size_t errlen,
		    pvx_graph_skip_fn skip, void *ctx)
{
	return pvx_graph_parse_warn(body, len, g, err, errlen, skip, NULL, ctx);
}

int pvx_graph_parse_warn(const char *body, size_t len, struct pvx_graph *g, char *err,
			 size_t errlen, pvx_graph_skip_fn skip, pvx_graph_warn_fn warn, void *ctx)
{
	*g = (struct pvx_graph){0};
	struct graph_sink *k = calloc(1, sizeof(*k));
	if (k)
		k->json = json_reader_new(&graph_json_sink, k, NULL, SIZE_MAX, true);
	if (!k || !k->json) {
		free(k);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	k->g = g;
	k->skip = skip ? skip : skip_default;
	k->warn = warn;
	k->skip_ctx = ctx;

	int rc = 0;
	if (json_reader_feed(k->json, body, len) < 0 || json_reader_finish(k->json) < 0) {
		const char *why = json_reader_error(k->json);
		const char *syntax = strstr(why, "invalid JSON: ");
		if (strstr(why, not_a_graph))
			snprintf(err, errlen, "%s", not_a_graph);
		else if (syntax) /* "line L column C: " and what was wrong */
			snprintf(err, errlen, "graph is not valid JSON: %.*s%s", (int)(syntax - why),
				 why, syntax + strlen("invalid JSON: "));
		else
			snprintf(err, errlen, "graph is not valid JSON: %s", why);
		rc = strstr(why, "out of memory") ? -ENOMEM : -EBADMSG;
	} else if (k->root_object && !k->saw_links) {
		snprintf(err, errlen, "%s", no_links);
		rc = -EBADMSG;
	} else if (k->pools_end > k->pools_start) {
		/* Pools are few and small: jansson reads their bytes again for
		 * the IPAM code, which works on a tree. */
		json_error_t jerr;
		g->pools = json_loadb(body + k->pools_start, k->pools_end - k->pools_start,
				      JSON_REJECT_DUPLICATES, &jerr);
		if (!g->pools)
			log_warn("graph: \"pools\" ignored: %s", jerr.text);
	}
	json_reader_free(k->json);
	g->arena = k->arena;
	free(k);
	if (rc < 0)
		pvx_graph_free(g);
	return rc;
}

int pvx_graph_usable(const struct pvx_graph *g, char *err, size_t errlen)
{
	if (g->n_links > 0 || g->n_skipped == 0)
		return 0;
	snprintf(err, errlen, "no usable link: all %zu entries skipped", g->n_skipped);
	return -EBADMSG;
}

void pvx_graph_free(struct pvx_graph *g)
{
	free(g->links); /* the specs' strings are in the arena */
	json_decref(g->pools);
	arena_free(g->arena);
	*g = (struct pvx_graph){0};
}

/* Room for one more link: capacities are 64, 128, 256... */
static int grow(struct pvx_graph *g)
{
	size_t n = g->n_links;
	if (n != 0 && (n < 64 || (n & (n - 1)) != 0))
		return 0;
	size_t cap = n < 64 ? 64 : 2 * n;
	struct pvx_link_spec *links = realloc(g->links, cap * sizeof(*links));
	if (!links)
		return -ENOMEM;
	g->links = links;
	return 0;
}

static int copy_strings(struct arena_block **arena, struct pvx_link_spec *d,
			const struct pvx_link_spec *s)
{
	*d = *s;
	char *const *from[] = { &s->name, &s->consumer, &s->provider, &s->role, &s->interface,
				&s->target, &s->socket, &s->ipv4_address, &s->mac_address, &s->globals };
	char **to[] = { &d->name, &d->consumer, &d->provider, &d->role, &d->interface,
			&d->target, &d->socket, &d->ipv4_address, &d->mac_address, &d->globals };
	for (size_t i = 0; i < sizeof(to) / sizeof(to[0]); i++)
		if (*from[i] && !(*to[i] = arena_copy(arena, *from[i], strlen(*from[i]))))
			return -ENOMEM;
	return 0;
}

int pvx_graph_add_raw(struct pvx_graph *g, const struct pvx_link_spec *s)
{
	if (grow(g) < 0 || copy_strings(&g->arena, &g->links[g->n_links], s) < 0)
		return -ENOMEM;
	g->n_links++;
	return 0;
}

int pvx_graph_add(struct pvx_graph *g, const struct pvx_link_spec *s, char *why, size_t whylen)
{
	char label[160];
	link_label(s->name, s->consumer, label, sizeof(label));
	const char *missing = !s->name ? "name" : !s->consumer ? "consumer"
			    : !s->socket && s->type != LINK_NETWORK ? "socket" : NULL;
	if ((unsigned)s->type >= LINK_TYPE__COUNT)
		return snprintf(why, whylen, "%sunknown type", label), -EINVAL;
	if (missing)
		return snprintf(why, whylen, "%smissing required field '%s'", label, missing), -EINVAL;
	if (grow(g) < 0)
		return snprintf(why, whylen, "out of memory"), -ENOMEM;
	struct pvx_link_spec *d = &g->links[g->n_links];
	if (copy_strings(&g->arena, d, s) < 0)
		return snprintf(why, whylen, "out of memory"), -ENOMEM;
	int r = link_check(d, label, why, whylen);
	if (r == 0 && (s->consumer_pid < 0 || s->consumer_pid > 4194304 || s->provider_pid < 0 ||
		       s->provider_pid > 4194304)) {
		snprintf(why, whylen, "%spids must be integers >= 0", label);
		r = -EINVAL;
	}
	if (r == 0)
		r = link_defaults(&g->arena, d, label, why, whylen);
	if (r < 0)
		return r; /* its copied strings stay in the arena until the graph goes */
	g->n_links++;
	return 0;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

bool pvx_graph_same(const struct pvx_graph *a, const struct pvx_graph *b)
{
	if (a->n_links != b->n_links || a->n_skipped != b->n_skipped ||
	    !(a->pools == b->pools || (a->pools && b->pools && json_equal(a->pools, b->pools))))
		return false;
	for (size_t i = 0; i < a->n_links; i++) {
		const struct pvx_link_spec *x = &a->links[i], *y = &b->links[i];
		if (x->type != y->type || x->consumer_pid != y->consumer_pid ||
		    x->provider_pid != y->provider_pid || x->has_uid != y->has_uid ||
		    (x->has_uid && x->uid != y->uid) || !same_str(x->name, y->name) ||
		    !same_str(x->consumer, y->consumer) || !same_str(x->provider, y->provider) ||
		    !same_str(x->role, y->role) || !same_str(x->interface, y->interface) ||
		    !same_str(x->target, y->target) || !same_str(x->socket, y->socket) ||
		    !same_str(x->ipv4_address, y->ipv4_address) ||
		    !same_str(x->mac_address, y->mac_address) || !same_str(x->globals, y->globals))
			return false;
	}
	return true;
}
