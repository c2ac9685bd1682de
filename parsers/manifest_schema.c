/* What the manifests mean: a builder driven by JSON events (begin/end of
 * objects and arrays, keys, scalars) that knows where each field lives,
 * checks it, and fills struct pvx_manifest.  The Ragel grammar
 * (json.rl) drives it; so does a jansson walker in the tests, which is
 * how the two readings are compared.
 *
 * Unknown keys are skipped whatever their value, with a warning naming the
 * closest known key (mf_builder_warning): in the objects that are ours
 * alone every unknown key, in the documents' top levels (run.json and
 * args.json hold much else) only a key close to one of ours or a
 * PV_SERVICES_ / PV_NETWORK_ one.  Known keys must have the documented
 * type and may appear once per object. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/suggest.h"
#include "lib/util.h"
#include "model/validate.h"
#include "parsers/manifest.h"

enum ctx {
	C_ROOT, C_SKIP,
	C_SVC_DOC, C_SVC_LIST, C_SVC,
	C_RUN_DOC, C_RUN_SERVICES, C_REQ_LIST, C_REQ,
	C_ARGS_DOC, C_NET, C_IFACE_LIST, C_IFACE,
};

enum field {
	F_NONE = -1,
	F_SPEC, F_SERVICES, F_NAME, F_TYPE, F_SOCKET, F_ROLE, F_INTERFACE, F_TARGET,
	F_REQUIRED, F_OPTIONAL, F_NETWORK, F_MODE, F_POOL, F_HOSTNAME, F_STATIC_IP,
	F_INTERFACES, F_IPV4, F_MAC, F_PV_REQUIRED, F_PV_OPTIONAL, F_PV_POOL, F_PV_IP,
	F_PV_MAC, F_PV_HOSTNAME, F_GLOBALS,
};

struct key_def {
	const char *name;
	enum field field;
	enum ctx child; /* for objects and arrays; C_ROOT: a string field */
};

/* Known keys of each object, and what their value must be. */
static const struct key_def svc_doc_keys[] = {
	{ "#spec", F_SPEC, C_ROOT }, { "services", F_SERVICES, C_SVC_LIST }, { NULL, F_NONE, C_ROOT },
};
static const struct key_def svc_keys[] = {
	{ "name", F_NAME, C_ROOT }, { "type", F_TYPE, C_ROOT }, { "socket", F_SOCKET, C_ROOT },
	{ NULL, F_NONE, C_ROOT },
};
static const struct key_def run_doc_keys[] = {
	{ "#spec", F_SPEC, C_ROOT }, { "name", F_NAME, C_ROOT }, { "type", F_TYPE, C_ROOT },
	{ "services", F_SERVICES, C_RUN_SERVICES }, { "network", F_NETWORK, C_NET },
	{ NULL, F_NONE, C_ROOT },
};
static const struct key_def run_services_keys[] = {
	{ "required", F_REQUIRED, C_REQ_LIST }, { "optional", F_OPTIONAL, C_REQ_LIST },
	{ NULL, F_NONE, C_ROOT },
};
static const struct key_def req_keys[] = {
	{ "name", F_NAME, C_ROOT }, { "type", F_TYPE, C_ROOT }, { "role", F_ROLE, C_ROOT },
	{ "interface", F_INTERFACE, C_ROOT }, { "target", F_TARGET, C_ROOT },
	{ "globals", F_GLOBALS, C_ROOT }, { NULL, F_NONE, C_ROOT },
};
static const struct key_def args_doc_keys[] = {
	{ "PV_SERVICES_REQUIRED", F_PV_REQUIRED, C_REQ_LIST },
	{ "PV_SERVICES_OPTIONAL", F_PV_OPTIONAL, C_REQ_LIST },
	{ "network", F_NETWORK, C_NET },
	{ "PV_NETWORK_POOL", F_PV_POOL, C_ROOT }, { "PV_NETWORK_IP", F_PV_IP, C_ROOT },
	{ "PV_NETWORK_MAC", F_PV_MAC, C_ROOT }, { "PV_NETWORK_HOSTNAME", F_PV_HOSTNAME, C_ROOT },
	{ NULL, F_NONE, C_ROOT },
};
static const struct key_def net_keys[] = {
	{ "mode", F_MODE, C_ROOT }, { "pool", F_POOL, C_ROOT }, { "hostname", F_HOSTNAME, C_ROOT },
	{ "static_ip", F_STATIC_IP, C_ROOT }, { "interfaces", F_INTERFACES, C_IFACE_LIST },
	{ NULL, F_NONE, C_ROOT },
};
static const struct key_def iface_keys[] = {
	{ "name", F_NAME, C_ROOT }, { "pool", F_POOL, C_ROOT }, { "ipv4_address", F_IPV4, C_ROOT },
	{ "mac_address", F_MAC, C_ROOT }, { NULL, F_NONE, C_ROOT },
};

static const struct key_def *const keys_of[] = {
	[C_SVC_DOC] = svc_doc_keys, [C_SVC] = svc_keys, [C_RUN_DOC] = run_doc_keys,
	[C_RUN_SERVICES] = run_services_keys, [C_REQ] = req_keys, [C_ARGS_DOC] = args_doc_keys,
	[C_NET] = net_keys, [C_IFACE] = iface_keys,
};

/* What each list holds. */
static const enum ctx item_of[] = {
	[C_SVC_LIST] = C_SVC, [C_REQ_LIST] = C_REQ, [C_IFACE_LIST] = C_IFACE,
};

struct frame {
	enum ctx ctx;
	bool object;
	const struct key_def *key; /* the key whose value comes next */
	uint32_t seen;             /* known keys already read, by index in the table */
	bool required;             /* C_REQ_LIST: required or optional */
};

struct mf_builder {
	enum manifest_kind kind;
	struct frame stack[MANIFEST_MAX_DEPTH + 1];
	int depth; /* frames in use */
	bool root_done;
	struct pvx_manifest m;
	struct pvx_service svc;
	bool svc_has_type;
	struct pvx_requirement req;
	struct pvx_net_iface iface;
	char err[320];
	char warn[200];      /* the last key's warning, "" if none */
	unsigned n_warnings; /* given so far; past MF_MAX_WARNINGS, none */
};

/* A manifest full of unknown keys warns this many times, then once more. */
#define MF_MAX_WARNINGS 20

static const char *const spec_for[] = {
	[MANIFEST_SERVICES] = "service-manifest-xconnect@1",
	[MANIFEST_RUN] = "service-manifest-run@1",
	[MANIFEST_ARGS] = NULL,
};

static int fail(struct mf_builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct mf_builder *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->err, sizeof(b->err), fmt, ap);
	va_end(ap);
	return -1;
}

struct mf_builder *mf_builder_new(enum manifest_kind kind)
{
	struct mf_builder *b = calloc(1, sizeof(*b));
	if (b) {
		b->kind = kind;
		b->m.kind = kind;
		b->req.type = -1;
	}
	return b;
}

static void service_clear(struct pvx_service *s)
{
	free(s->name);
	free(s->socket);
	*s = (struct pvx_service){0};
}

static void req_clear(struct pvx_requirement *r)
{
	free(r->name);
	free(r->role);
	free(r->interface);
	free(r->target);
	free(r->globals);
	*r = (struct pvx_requirement){ .type = -1 };
}

static void iface_clear(struct pvx_net_iface *i)
{
	free(i->name);
	free(i->pool);
	free(i->ipv4_address);
	free(i->mac_address);
	*i = (struct pvx_net_iface){0};
}

void manifest_free(struct pvx_manifest *m)
{
	free(m->spec);
	free(m->name);
	free(m->type);
	free(m->warnings);
	for (size_t i = 0; i < m->n_services; i++)
		service_clear(&m->services[i]);
	free(m->services);
	for (size_t i = 0; i < m->n_reqs; i++)
		req_clear(&m->reqs[i]);
	free(m->reqs);
	struct pvx_network *n = &m->net;
	free(n->mode);
	free(n->pool);
	free(n->hostname);
	free(n->static_ip);
	free(n->mac);
	for (size_t i = 0; i < n->n_ifaces; i++)
		iface_clear(&n->ifaces[i]);
	free(n->ifaces);
	*m = (struct pvx_manifest){0};
}

void mf_builder_free(struct mf_builder *b)
{
	if (!b)
		return;
	manifest_free(&b->m);
	service_clear(&b->svc);
	req_clear(&b->req);
	iface_clear(&b->iface);
	free(b);
}

const char *mf_builder_error(const struct mf_builder *b)
{
	return b->err;
}

/* A refused value is quoted in the reason unless it holds control bytes:
 * the reason goes to the log. */
static const char *shown(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "(with control characters)";
	return s;
}

/* A link field's own rule (model/validate.h), then the manifests' path
 * rule for sockets and targets. */
static const char *path_problem(enum pvx_field f, const char *s, size_t n)
{
	const char *why = pvx_field_problem(f, s, n);
	return why ? why : pvx_abs_path_problem(s, n, false);
}

/* Checks s against field f's rule; on failure says so naming what. */
static int check_field(struct mf_builder *b, enum pvx_field f, const char *what, const char *s,
		       size_t n)
{
	const char *why = pvx_field_problem(f, s, n);
	if (why)
		return fail(b, "%s '%.80s' %s", what, shown(s, n), why);
	return 0;
}

static bool socket_type(int t)
{
	return t == LINK_UNIX || t == LINK_REST || t == LINK_DBUS || t == LINK_WAYLAND;
}

static int service_type(struct mf_builder *b, const char *s)
{
	int t = pvx_link_type_from_name(s);
	if (t < 0 || t == LINK_NETWORK)
		return fail(b, "unknown type '%.40s' (expected unix, rest, dbus, drm or wayland)", s);
	return t;
}

static int set_string(struct mf_builder *b, char **dst, const char *s, size_t n)
{
	char *v = malloc(n + 1);
	if (!v)
		return fail(b, "out of memory");
	memcpy(v, s, n);
	v[n] = '\0';
	free(*dst);
	*dst = v;
	return 0;
}

/* A string value for the pending key of the top frame. */
static int string_field(struct mf_builder *b, struct frame *f, const struct key_def *k,
			const char *s, size_t n)
{
	const char *key = k->name;
	if (memchr(s, '\0', n))
		return fail(b, "\"%s\" contains a NUL byte", key);
	if (n == 0)
		return fail(b, "\"%s\" is empty", key);

	switch (f->ctx) {
	case C_SVC_DOC:
	case C_RUN_DOC:
		if (k->field == F_SPEC) {
			const char *want = spec_for[b->kind];
			if (strcmp(s, want) != 0)
				return fail(b, "unsupported \"#spec\" '%.60s' (expected \"%s\")", s, want);
			return set_string(b, &b->m.spec, s, n);
		}
		return set_string(b, k->field == F_NAME ? &b->m.name : &b->m.type, s, n);
	case C_SVC:
		if (k->field == F_NAME) {
			if (!pvx_field_ok(PVX_FIELD_NAME, s, n))
				return fail(b, "service name '%.80s' does not match [A-Za-z0-9._-]{1,64}",
					    shown(s, n));
			return set_string(b, &b->svc.name, s, n);
		}
		if (k->field == F_TYPE) {
			int t = service_type(b, s);
			if (t < 0)
				return t;
			b->svc.type = (enum pvx_link_type)t;
			b->svc_has_type = true;
			return 0;
		}
		{
			const char *why = path_problem(PVX_FIELD_SOCKET, s, n);
			if (why)
				return fail(b, "socket '%.80s' %s", shown(s, n), why);
		}
		return set_string(b, &b->svc.socket, s, n);
	case C_REQ:
		switch (k->field) {
		case F_NAME:
			if (!pvx_field_ok(PVX_FIELD_NAME, s, n))
				return fail(b, "service name '%.80s' does not match [A-Za-z0-9._-]{1,64}",
					    shown(s, n));
			return set_string(b, &b->req.name, s, n);
		case F_TYPE: {
			int t = service_type(b, s);
			if (t < 0)
				return t;
			b->req.type = t;
			return 0;
		}
		case F_ROLE:
			if (!pvx_field_ok(PVX_FIELD_ROLE, s, n))
				return fail(b, "role '%.80s' does not match [A-Za-z0-9._-]{1,64}", shown(s, n));
			return set_string(b, &b->req.role, s, n);
		case F_INTERFACE:
			return check_field(b, PVX_FIELD_INTERFACE, "interface", s, n) < 0
				       ? -EINVAL : set_string(b, &b->req.interface, s, n);
		case F_GLOBALS:
			return check_field(b, PVX_FIELD_GLOBALS, "globals", s, n) < 0
				       ? -EINVAL : set_string(b, &b->req.globals, s, n);
		default: {
			const char *why = path_problem(PVX_FIELD_TARGET, s, n);
			if (why)
				return fail(b, "target '%.80s' %s", shown(s, n), why);
			return set_string(b, &b->req.target, s, n);
		}
		}
	case C_ARGS_DOC:
		b->m.net.present = true;
		switch (k->field) {
		case F_PV_POOL: return set_string(b, &b->m.net.pool, s, n);
		case F_PV_IP:
			return check_field(b, PVX_FIELD_IPV4, "PV_NETWORK_IP", s, n) < 0
				       ? -EINVAL : set_string(b, &b->m.net.static_ip, s, n);
		case F_PV_MAC:
			return check_field(b, PVX_FIELD_MAC, "PV_NETWORK_MAC", s, n) < 0
				       ? -EINVAL : set_string(b, &b->m.net.mac, s, n);
		default: return set_string(b, &b->m.net.hostname, s, n);
		}
	case C_NET:
		switch (k->field) {
		case F_MODE: return set_string(b, &b->m.net.mode, s, n);
		case F_POOL: return set_string(b, &b->m.net.pool, s, n);
		case F_HOSTNAME: return set_string(b, &b->m.net.hostname, s, n);
		default:
			return check_field(b, PVX_FIELD_IPV4, "static_ip", s, n) < 0
				       ? -EINVAL : set_string(b, &b->m.net.static_ip, s, n);
		}
	case C_IFACE:
		switch (k->field) {
		case F_NAME:
			return check_field(b, PVX_FIELD_TARGET, "interface name", s, n) < 0
				       ? -EINVAL : set_string(b, &b->iface.name, s, n);
		case F_POOL: return set_string(b, &b->iface.pool, s, n);
		case F_IPV4:
			return check_field(b, PVX_FIELD_IPV4, "ipv4_address", s, n) < 0
				       ? -EINVAL : set_string(b, &b->iface.ipv4_address, s, n);
		default:
			return check_field(b, PVX_FIELD_MAC, "mac_address", s, n) < 0
				       ? -EINVAL : set_string(b, &b->iface.mac_address, s, n);
		}
	default:
		return fail(b, "internal: string for \"%s\" in context %d", key, f->ctx);
	}
}

static const char *kind_word(bool object)
{
	return object ? "an object" : "an array";
}

int mf_begin(struct mf_builder *b, bool object)
{
	enum ctx child;
	bool required = false;

	if (b->depth == 0) {
		if (b->root_done)
			return fail(b, "more than one value at the top level");
		switch (b->kind) {
		case MANIFEST_SERVICES:
			child = object ? C_SVC_DOC : C_SVC_LIST;
			b->m.legacy = !object;
			break;
		case MANIFEST_RUN:
			if (!object)
				return fail(b, "expected an object at the top level");
			child = C_RUN_DOC;
			break;
		default:
			if (!object)
				return fail(b, "expected an object at the top level");
			child = C_ARGS_DOC;
			break;
		}
	} else {
		/* The JSON reader stops nesting deeper than this; jansson's
		 * walk in the tests does not. */
		if (b->depth >= MANIFEST_MAX_DEPTH)
			return fail(b, "nesting deeper than %d levels", MANIFEST_MAX_DEPTH);
		struct frame *p = &b->stack[b->depth - 1];
		if (p->ctx == C_SKIP) {
			child = C_SKIP;
		} else if (p->object) {
			const struct key_def *k = p->key;
			p->key = NULL;
			if (!k) {
				child = C_SKIP;
			} else {
				child = k->child;
				bool want_object = child == C_RUN_SERVICES || child == C_NET;
				if (child == C_ROOT || want_object != object)
					return fail(b, "expected %s for \"%s\"",
						    child == C_ROOT ? "a string" : kind_word(want_object),
						    k->name);
				required = k->field == F_REQUIRED || k->field == F_PV_REQUIRED;
				if (k->field == F_NETWORK)
					b->m.net.present = true;
			}
		} else {
			child = item_of[p->ctx];
			if (!object)
				return fail(b, "expected an object in the list");
			required = p->required;
		}
	}
	struct frame *f = &b->stack[b->depth++];
	*f = (struct frame){ .ctx = child, .object = object, .required = required };
	if (child == C_REQ)
		b->req.required = required;
	if (child == C_SVC)
		b->svc_has_type = false;
	return 0;
}

static bool same0(const char *a, const char *b)
{
	return pvx_streq0(a, b);
}

/* An object of a list is complete: check it and keep it. */
static int close_item(struct mf_builder *b, enum ctx ctx)
{
	if (ctx == C_SVC) {
		struct pvx_service *s = &b->svc;
		const char *missing = !s->name ? "name" : !b->svc_has_type ? "type"
							: !s->socket ? "socket" : NULL;
		if (missing)
			return fail(b, "service%s%s%s: missing \"%s\"", s->name ? " '" : "",
				    s->name ? s->name : "", s->name ? "'" : "", missing);
		if (socket_type((int)s->type) && pvx_abs_path_problem(s->socket, strlen(s->socket), true))
			return fail(b, "service '%s': socket '%.80s' %s", s->name, s->socket,
				    pvx_abs_path_problem(s->socket, strlen(s->socket), true));
		for (size_t i = 0; i < b->m.n_services; i++)
			if (strcmp(b->m.services[i].name, s->name) == 0)
				return fail(b, "service '%s' is listed twice", s->name);
		struct pvx_service *v = realloc(b->m.services, (b->m.n_services + 1) * sizeof(*v));
		if (!v)
			return fail(b, "out of memory");
		b->m.services = v;
		v[b->m.n_services++] = *s;
		*s = (struct pvx_service){0};
		b->svc_has_type = false;
	} else if (ctx == C_REQ) {
		struct pvx_requirement *r = &b->req;
		if (!r->name)
			return fail(b, "requirement: missing \"name\"");
		if (r->target && socket_type(r->type) &&
		    pvx_abs_path_problem(r->target, strlen(r->target), true))
			return fail(b, "requirement '%s': target '%.80s' %s", r->name, r->target,
				    pvx_abs_path_problem(r->target, strlen(r->target), true));
		for (size_t i = 0; i < b->m.n_reqs; i++)
			if (strcmp(b->m.reqs[i].name, r->name) == 0 &&
			    same0(b->m.reqs[i].target, r->target))
				return fail(b, "requirement '%s' with target '%s' is listed twice",
					    r->name, r->target ? r->target : "(default)");
		struct pvx_requirement *v = realloc(b->m.reqs, (b->m.n_reqs + 1) * sizeof(*v));
		if (!v)
			return fail(b, "out of memory");
		b->m.reqs = v;
		v[b->m.n_reqs++] = *r;
		*r = (struct pvx_requirement){ .type = -1 };
	} else if (ctx == C_IFACE) {
		struct pvx_net_iface *v =
			realloc(b->m.net.ifaces, (b->m.net.n_ifaces + 1) * sizeof(*v));
		if (!v)
			return fail(b, "out of memory");
		b->m.net.ifaces = v;
		v[b->m.net.n_ifaces++] = b->iface;
		b->iface = (struct pvx_net_iface){0};
	}
	return 0;
}

int mf_end(struct mf_builder *b)
{
	if (b->depth == 0)
		return fail(b, "internal: end without begin");
	enum ctx ctx = b->stack[--b->depth].ctx;
	if (b->depth == 0)
		b->root_done = true;
	return close_item(b, ctx);
}

/* Keys of the documents' top levels that are ours however far from a
 * known one. */
static bool our_prefix(const char *s, size_t n)
{
	static const char *const prefixes[] = { "PV_SERVICES_", "PV_NETWORK_" };
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		size_t pl = strlen(prefixes[i]);
		if (n >= pl && memcmp(s, prefixes[i], pl) == 0)
			return true;
	}
	return false;
}

/* An unknown key of an object of context ctx: the warning it deserves,
 * if any, in b->warn (see the header comment for which). */
static void unknown_key(struct mf_builder *b, enum ctx ctx, const struct key_def *defs,
			const char *s, size_t n)
{
	const char *names[16];
	size_t nn = 0;
	for (int i = 0; defs && defs[i].name && nn < ARRAY_SIZE(names); i++)
		names[nn++] = defs[i].name;
	const char *near = pvx_suggest(s, n, names, nn);
	bool open_doc = ctx == C_RUN_DOC || ctx == C_ARGS_DOC;
	if (open_doc && !near && !our_prefix(s, n))
		return;
	if (b->n_warnings++ > MF_MAX_WARNINGS)
		return;
	if (b->n_warnings > MF_MAX_WARNINGS) {
		snprintf(b->warn, sizeof(b->warn), "more unknown keys, not reported one by one");
		return;
	}
	char key[PVX_KEY_TEXT_MAX];
	pvx_key_text(key, sizeof(key), s, n);
	if (near)
		snprintf(b->warn, sizeof(b->warn), "unknown key '%.100s', did you mean '%s'? (ignored)",
			 key, near);
	else
		snprintf(b->warn, sizeof(b->warn), "unknown key '%.100s' (ignored)", key);
}

int mf_key(struct mf_builder *b, const char *s, size_t n)
{
	struct frame *f = &b->stack[b->depth - 1];
	f->key = NULL;
	/* Even in a skipped object: a C string would read such a key short. */
	if (memchr(s, '\0', n))
		return fail(b, "an object key contains a NUL byte (\\u0000)");
	if (f->ctx == C_SKIP)
		return 0;
	const struct key_def *defs = keys_of[f->ctx];
	for (int i = 0; defs && defs[i].name; i++) {
		if (strlen(defs[i].name) != n || memcmp(defs[i].name, s, n) != 0)
			continue;
		if (f->seen & (1u << i))
			return fail(b, "duplicate key \"%s\"", defs[i].name);
		f->seen |= 1u << i;
		f->key = &defs[i];
		return 0;
	}
	unknown_key(b, f->ctx, defs, s, n);
	return 0; /* unknown key: its value is skipped */
}

const char *mf_builder_warning(struct mf_builder *b)
{
	if (!b->warn[0])
		return NULL;
	return b->warn;
}

void mf_builder_warning_clear(struct mf_builder *b)
{
	b->warn[0] = '\0';
}

int mf_scalar(struct mf_builder *b, enum jr_scalar t, const char *s, size_t n)
{
	if (b->depth == 0)
		return fail(b, b->kind == MANIFEST_SERVICES ? "expected an object or an array at the top level"
							     : "expected an object at the top level");
	struct frame *f = &b->stack[b->depth - 1];
	if (f->ctx == C_SKIP)
		return 0;
	if (!f->object)
		return fail(b, "expected an object in the list");
	const struct key_def *k = f->key;
	f->key = NULL;
	if (!k)
		return 0;
	if (k->child != C_ROOT) {
		bool want_object = k->child == C_RUN_SERVICES || k->child == C_NET;
		return fail(b, "expected %s for \"%s\"", kind_word(want_object), k->name);
	}
	if (t != JR_STRING)
		return fail(b, "expected a string for \"%s\"", k->name);
	return string_field(b, f, k, s, n);
}

int mf_finish(struct mf_builder *b, struct pvx_manifest *out)
{
	if (!b->root_done || b->depth)
		return fail(b, "unexpected end of input");
	const char *want = spec_for[b->kind];
	if (want && !b->m.legacy && !b->m.spec)
		return fail(b, "missing \"#spec\" (expected \"%s\")", want);
	*out = b->m;
	b->m = (struct pvx_manifest){0};
	return 0;
}

/* Dump: strings quoted only when they need it, bytes outside printable
 * ASCII as \xNN, so the text is one line per item whatever the input. */
static void put(struct pvx_buf *o, const char *k, const char *v)
{
	pvx_buf_printf(o, " %s=", k);
	if (!v) {
		pvx_buf_append(o, "-", 1);
		return;
	}
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p <= ' ' || *p >= 127 || *p == '\\')
			pvx_buf_printf(o, "\\x%02x", *p);
		else
			pvx_buf_append(o, p, 1);
	}
}

char *manifest_dump(const struct pvx_manifest *m)
{
	static const char *const kinds[] = { "services", "run", "args" };
	struct pvx_buf o = {0};
	pvx_buf_printf(&o, "%s%s", kinds[m->kind], m->legacy ? " legacy" : "");
	put(&o, "spec", m->spec);
	put(&o, "name", m->name);
	put(&o, "type", m->type);
	pvx_buf_append(&o, "\n", 1);
	for (size_t i = 0; i < m->n_services; i++) {
		pvx_buf_printf(&o, "service");
		put(&o, "name", m->services[i].name);
		put(&o, "type", pvx_link_type_names[m->services[i].type]);
		put(&o, "socket", m->services[i].socket);
		pvx_buf_append(&o, "\n", 1);
	}
	for (size_t i = 0; i < m->n_reqs; i++) {
		const struct pvx_requirement *r = &m->reqs[i];
		pvx_buf_printf(&o, "requirement %s", r->required ? "required" : "optional");
		put(&o, "name", r->name);
		put(&o, "type", r->type >= 0 ? pvx_link_type_names[r->type] : NULL);
		put(&o, "role", r->role);
		put(&o, "interface", r->interface);
		put(&o, "target", r->target);
		if (r->globals)
			put(&o, "globals", r->globals);
		pvx_buf_append(&o, "\n", 1);
	}
	if (m->net.present) {
		pvx_buf_printf(&o, "network");
		put(&o, "mode", m->net.mode);
		put(&o, "pool", m->net.pool);
		put(&o, "hostname", m->net.hostname);
		put(&o, "static_ip", m->net.static_ip);
		put(&o, "mac", m->net.mac);
		pvx_buf_append(&o, "\n", 1);
		for (size_t i = 0; i < m->net.n_ifaces; i++) {
			const struct pvx_net_iface *f = &m->net.ifaces[i];
			pvx_buf_printf(&o, "interface");
			put(&o, "name", f->name);
			put(&o, "pool", f->pool);
			put(&o, "ipv4_address", f->ipv4_address);
			put(&o, "mac_address", f->mac_address);
			pvx_buf_append(&o, "\n", 1);
		}
	}
	return o.data;
}

int manifest_kind_from_name(const char *base)
{
	if (strcmp(base, "services.json") == 0)
		return MANIFEST_SERVICES;
	if (strcmp(base, "run.json") == 0)
		return MANIFEST_RUN;
	if (strcmp(base, "args.json") == 0)
		return MANIFEST_ARGS;
	return -1;
}
