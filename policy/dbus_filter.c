/* The policy of a filtered dbus link; see policy/dbus_filter.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/validate.h"
#include "policy/dbus_filter.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* What an outstanding call of the consumer was. */
enum call_kind {
	K_PEER_UNIQUE,  /* a call to a unique name: answered by it */
	K_PEER_NAME,    /* to a well-known name: answered by its owner */
	K_DRIVER,       /* to the bus driver: answered by it */
	K_OWNER_QUERY,  /* GetNameOwner(name): the answer sets owners[] */
	K_LIST,         /* ListNames, ListActivatableNames: reply rewritten */
	K_HELLO,        /* Hello: the answer is the consumer's unique name */
};

static bool is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static bool unique(const char *name)
{
	return name && name[0] == ':';
}

/* A name or interface pattern; sep '.', or '/' for paths. */
static bool pattern_match(const struct dbus_pattern *p, const char *s, char sep)
{
	if (!p->text)
		return true;
	if (!s)
		return false;
	size_t n = p->len;
	if (strncmp(s, p->text, n) != 0)
		return false;
	return s[n] == '\0' || (p->subtree && (s[n] == sep || (n == 0 && s[0] == sep)));
}

/* ---- names and levels --------------------------------------------- */

static bool named_by_rules(const struct dbus_msg_rule *r, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (pattern_match(&r[i].name, name, '.'))
			return true;
	return false;
}

static enum dbus_level wellknown_level(const struct dbus_rules *r, const char *name)
{
	enum dbus_level best = DBUS_LEVEL_NONE;
	for (unsigned i = 0; i < r->nnames; i++)
		if (r->names[i].level > best && pattern_match(&r->names[i].name, name, '.'))
			best = (enum dbus_level)r->names[i].level;
	if (best == DBUS_LEVEL_NONE && (named_by_rules(r->calls, r->ncalls, name) ||
					named_by_rules(r->broadcasts, r->nbroadcasts, name)))
		best = DBUS_LEVEL_SEE;
	return best;
}

static int owner_find(const struct dbus_filter *p, const char *name)
{
	for (unsigned i = 0; i < p->nowners; i++)
		if (strcmp(p->owners[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Remembers (or forgets, owner "") who owns a name the rules speak of. */
static void owner_set(struct dbus_filter *p, const char *name, const char *owner)
{
	if (!name || unique(name) || !owner || strlen(name) >= sizeof(p->owners[0].name) ||
	    strlen(owner) >= DF_UNIQUE_MAX || (owner[0] && !unique(owner)))
		return;
	int i = owner_find(p, name);
	if (i >= 0 && strcmp(p->owners[i].owner, owner) == 0)
		return; /* known already: the common case, a reply from the owner */
	if (i < 0) {
		/* Only names the rules speak of are worth a place. */
		if (!owner[0] || wellknown_level(p->rules, name) == DBUS_LEVEL_NONE)
			return;
		if (p->nowners < DF_MAX_OWNERS) {
			i = (int)p->nowners++;
		} else { /* full: the oldest entry goes */
			i = (int)p->next_owner;
			p->next_owner = (p->next_owner + 1) % DF_MAX_OWNERS;
		}
		strcpy(p->owners[i].name, name);
	}
	strcpy(p->owners[i].owner, owner);
}

enum dbus_level dbus_filter_level(const struct dbus_filter *p, const char *name)
{
	if (!name)
		return DBUS_LEVEL_NONE;
	if (!unique(name))
		return wellknown_level(p->rules, name);
	enum dbus_level best = DBUS_LEVEL_NONE;
	for (unsigned i = 0; i < p->nowners; i++)
		if (strcmp(p->owners[i].owner, name) == 0) {
			enum dbus_level l = wellknown_level(p->rules, p->owners[i].name);
			best = l > best ? l : best;
		}
	return best;
}

/* A well-known name the unique name owns (the first known), or NULL. */
static const char *owned_name(const struct dbus_filter *p, const char *uname)
{
	for (unsigned i = 0; i < p->nowners; i++)
		if (strcmp(p->owners[i].owner, uname) == 0)
			return p->owners[i].name;
	return NULL;
}

/* Does a rule's name pattern match name, or for a unique name one of the
 * names it owns? */
static bool rule_names(const struct dbus_filter *p, const struct dbus_pattern *pat,
		       const char *name)
{
	if (!unique(name))
		return pattern_match(pat, name, '.');
	for (unsigned i = 0; i < p->nowners; i++)
		if (strcmp(p->owners[i].owner, name) == 0 &&
		    pattern_match(pat, p->owners[i].name, '.'))
			return true;
	return false;
}

static bool has_rules(const struct dbus_filter *p, const struct dbus_msg_rule *r, unsigned n,
		      const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (rule_names(p, &r[i].name, name))
			return true;
	return false;
}

/* ---- the missing rule ---------------------------------------------- */

static void say(struct df_decision *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct df_decision *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->rule, sizeof(d->rule), fmt, ap);
	va_end(ap);
}

/* "add to "policy": {"call"|"broadcast": [{...}]}" for a message. */
static void say_msg_rule(struct df_decision *d, const char *list, const char *name,
			 const struct dbus_fields *h)
{
	char iface[300] = "", path[300] = "";
	if (h->interface)
		snprintf(iface, sizeof(iface), ", \"interface\": \"%s\"", h->interface);
	if (h->path)
		snprintf(path, sizeof(path), ", \"path\": \"%.250s\"", h->path);
	say(d, "add to \"policy\": {\"%s\": [{\"name\": \"%s\"%s, \"member\": \"%s\"%s}]}", list,
	    name, iface, h->member ? h->member : "*", path);
}

static void say_level(struct df_decision *d, const char *level, const char *name)
{
	say(d, "add to \"policy\": {\"%s\": [\"%s\"]}", level, name);
}

/* ---- outstanding calls --------------------------------------------- */

static int call_find(const struct df_call *c, unsigned n, uint32_t serial)
{
	for (unsigned i = 0; i < n; i++)
		if (c[i].serial == serial)
			return (int)i;
	return -1;
}

static void call_forget(struct df_call *c, unsigned *n, int i)
{
	c[i] = c[--*n];
}

/* ---- match rules (AddMatch) ---------------------------------------- */

/* Walks a match rule "key='value',key=value": calls on(ctx, key, value)
 * for each pair; false when the text is malformed or on says no.
 * Quoting as the specification's match rules: inside '' everything is
 * literal; outside, \' is an apostrophe. */
static bool match_rule_walk(const char *s, bool (*on)(void *ctx, const char *k, const char *v),
			    void *ctx)
{
	while (*s) {
		while (*s == ' ' || *s == ',')
			s++;
		if (!*s)
			break;
		char key[64], val[256];
		size_t k = 0, v = 0;
		while (*s && *s != '=') {
			if (k + 1 >= sizeof(key))
				return false;
			key[k++] = *s++;
		}
		if (*s != '=')
			return false;
		s++;
		key[k] = '\0';
		bool quoted = false;
		for (; *s && (quoted || *s != ','); s++) {
			char c = *s;
			if (c == '\'') {
				quoted = !quoted;
				continue;
			}
			if (!quoted && c == '\\' && s[1] == '\'') {
				c = '\'';
				s++;
			}
			if (v + 1 >= sizeof(val))
				return false;
			val[v++] = c;
		}
		if (quoted)
			return false;
		val[v] = '\0';
		while (k > 0 && key[k - 1] == ' ')
			key[--k] = '\0';
		if (!on(ctx, key, val))
			return false;
	}
	return true;
}

struct match_check {
	const struct dbus_filter *p;
	struct df_decision *d;
};

static bool match_pair(void *ctx, const char *k, const char *v)
{
	struct match_check *m = ctx;
	if (strcmp(k, "eavesdrop") == 0 && strcmp(v, "false") != 0) {
		say(m->d, "none: eavesdropping (AddMatch eavesdrop=true) is never allowed through a "
			  "filtered link");
		return false;
	}
	if (strcmp(k, "sender") == 0 && !is(v, DF_DRIVER) && !is(v, m->p->self) &&
	    dbus_filter_level(m->p, v) < DBUS_LEVEL_SEE) {
		if (unique(v))
			say(m->d, "none: %.64s owns no name this link may see", v);
		else
			say_level(m->d, "see", v);
		return false;
	}
	return true;
}

/* ---- consumer -> bus ----------------------------------------------- */

/* The bus driver's methods, and what each needs. */
enum drv_rule {
	D_ALLOW,
	D_SEE_ARG0,   /* about a name: only one the link may see */
	D_OWNER,      /* GetNameOwner: D_SEE_ARG0, and the answer is watched */
	D_LIST,       /* the reply is cut to the names the link may see */
	D_MATCH,      /* AddMatch, RemoveMatch */
	D_TALK_ARG0,  /* StartServiceByName */
	D_OWN_ARG0,   /* RequestName, ReleaseName */
	D_HELLO,
};

/* Every driver method a filtered link may call; the rest are denied. */
static const struct {
	const char *iface, *member;
	enum drv_rule rule;
} driver_methods[] = {
	{ DF_DRIVER, "Hello", D_HELLO },
	{ DF_DRIVER, "GetId", D_ALLOW },
	{ DF_DRIVER, "AddMatch", D_MATCH },
	{ DF_DRIVER, "RemoveMatch", D_MATCH },
	{ DF_DRIVER, "GetNameOwner", D_OWNER },
	{ DF_DRIVER, "NameHasOwner", D_SEE_ARG0 },
	{ DF_DRIVER, "ListQueuedOwners", D_SEE_ARG0 },
	{ DF_DRIVER, "GetConnectionUnixUser", D_SEE_ARG0 },
	{ DF_DRIVER, "GetConnectionUnixProcessID", D_SEE_ARG0 },
	{ DF_DRIVER, "GetConnectionCredentials", D_SEE_ARG0 },
	{ DF_DRIVER, "GetConnectionSELinuxSecurityContext", D_SEE_ARG0 },
	{ DF_DRIVER, "GetAdtAuditSessionData", D_SEE_ARG0 },
	{ DF_DRIVER, "ListNames", D_LIST },
	{ DF_DRIVER, "ListActivatableNames", D_LIST },
	{ DF_DRIVER, "StartServiceByName", D_TALK_ARG0 },
	{ DF_DRIVER, "RequestName", D_OWN_ARG0 },
	{ DF_DRIVER, "ReleaseName", D_OWN_ARG0 },
	{ "org.freedesktop.DBus.Introspectable", "Introspect", D_ALLOW },
	{ "org.freedesktop.DBus.Peer", "Ping", D_ALLOW },
	{ "org.freedesktop.DBus.Peer", "GetMachineId", D_ALLOW },
	{ "org.freedesktop.DBus.Properties", "Get", D_ALLOW },
	{ "org.freedesktop.DBus.Properties", "GetAll", D_ALLOW },
};

/* Reads argument 0 as a string; DF_ALLOW with *arg set, or another
 * verdict. */
static enum df_verdict arg0(const struct dbus_frame *f, const struct dbus_fields *h,
			    const unsigned char *msg, const char **arg, struct df_decision *d)
{
	if (!msg)
		return f->body_len <= DF_MAX_BODY ? DF_NEED_BODY : DF_DENY;
	char type;
	if (dbus_body_arg(msg + f->header_len, f, h, 0, arg, &type) != 1 || type != 's') {
		say(d, "none: %s.%s needs a string argument", h->interface ? h->interface : DF_DRIVER,
		    h->member);
		return DF_DENY;
	}
	return DF_ALLOW;
}

static enum df_verdict driver_call(struct dbus_filter *p, const struct dbus_frame *f,
				   const struct dbus_fields *h, const unsigned char *msg,
				   struct df_decision *d, enum call_kind *kind)
{
	*kind = K_DRIVER;
	int row = -1;
	for (size_t i = 0; i < N_ELEMS(driver_methods); i++)
		if (is(h->member, driver_methods[i].member) &&
		    (!h->interface || is(h->interface, driver_methods[i].iface))) {
			row = (int)i;
			break;
		}
	if (row < 0) {
		say(d, "none: %s.%s of the bus driver is never allowed through a filtered link",
		    h->interface ? h->interface : DF_DRIVER, h->member);
		return DF_DENY;
	}
	enum drv_rule rule = driver_methods[row].rule;
	const char *a = NULL;
	enum df_verdict v;
	switch (rule) {
	case D_ALLOW:
		return DF_ALLOW;
	case D_HELLO:
		*kind = K_HELLO;
		return DF_ALLOW;
	case D_LIST:
		*kind = K_LIST;
		return DF_ALLOW;
	case D_MATCH: {
		if ((v = arg0(f, h, msg, &a, d)) != DF_ALLOW)
			return v;
		struct match_check m = { p, d };
		if (match_rule_walk(a, match_pair, &m))
			return DF_ALLOW;
		if (!d->rule[0])
			say(d, "none: the match rule cannot be read");
		return DF_DENY;
	}
	case D_SEE_ARG0:
	case D_OWNER:
		if ((v = arg0(f, h, msg, &a, d)) != DF_ALLOW)
			return v;
		if (is(a, DF_DRIVER) || is(a, p->self) || dbus_filter_level(p, a) >= DBUS_LEVEL_SEE) {
			if (rule == D_OWNER && !unique(a)) {
				if (f->flags & DBUS_FLAG_NO_REPLY_EXPECTED)
					return DF_DENY; /* nothing to learn, nothing to do */
				*kind = K_OWNER_QUERY;
			}
			return DF_ALLOW;
		}
		if (unique(a))
			say(d, "none: %.64s owns no name this link may see", a);
		else
			say_level(d, "see", a);
		return DF_NO_OWNER;
	case D_TALK_ARG0:
	case D_OWN_ARG0: {
		if ((v = arg0(f, h, msg, &a, d)) != DF_ALLOW)
			return v;
		enum dbus_level need = rule == D_TALK_ARG0 ? DBUS_LEVEL_TALK : DBUS_LEVEL_OWN;
		if (!unique(a) && wellknown_level(p->rules, a) >= need)
			return DF_ALLOW;
		say_level(d, rule == D_TALK_ARG0 ? "talk" : "own", a);
		return DF_DENY;
	}
	}
	return DF_DENY;
}

/* Does argument rule a hold for the call's body? -1: malformed body. */
static int arg_match(const struct dbus_frame *f, const struct dbus_fields *h,
		     const unsigned char *body, const struct dbus_arg_rule *a)
{
	const char *s;
	char type;
	int r = dbus_body_arg(body, f, h, a->index, &s, &type);
	if (r <= 0)
		return r;
	size_t n = strlen(a->value), m = strlen(s);
	switch (a->kind) {
	case DBUS_ARG_EQ:
		return type == 's' && strcmp(s, a->value) == 0;
	case DBUS_ARG_PATH:
		/* Equal, or one is a prefix of the other that ends in '/'. */
		if (type != 's' && type != 'o')
			return 0;
		if (strcmp(s, a->value) == 0)
			return 1;
		if (n < m && a->value[n - 1] == '/' && strncmp(s, a->value, n) == 0)
			return 1;
		return m < n && s[m - 1] == '/' && strncmp(s, a->value, m) == 0;
	case DBUS_ARG_NAMESPACE:
		return type == 's' && strncmp(s, a->value, n) == 0 && (s[n] == '\0' || s[n] == '.');
	}
	return 0;
}

/* A call to a peer name with call rules: DF_ALLOW when one matches. */
static enum df_verdict call_rules(struct dbus_filter *p, const struct dbus_frame *f,
				  const struct dbus_fields *h, const unsigned char *msg)
{
	bool need_body = false;
	for (unsigned i = 0; i < p->rules->ncalls; i++) {
		const struct dbus_msg_rule *r = &p->rules->calls[i];
		if (!rule_names(p, &r->name, h->destination) ||
		    (r->interface.text && !pattern_match(&r->interface, h->interface, '.')) ||
		    (r->member && !is(r->member, h->member)) ||
		    !pattern_match(&r->path, h->path, '/'))
			continue;
		if (r->nargs == 0)
			return DF_ALLOW;
		if (!msg) {
			need_body = true;
			continue;
		}
		bool all = true;
		for (unsigned k = 0; all && k < r->nargs; k++)
			all = arg_match(f, h, msg + f->header_len, &r->args[k]) == 1;
		if (all)
			return DF_ALLOW;
	}
	if (need_body)
		return f->body_len <= DF_MAX_BODY ? DF_NEED_BODY : DF_DENY;
	return DF_DENY;
}

static enum df_verdict peer_call(struct dbus_filter *p, const struct dbus_frame *f,
				 const struct dbus_fields *h, const unsigned char *msg,
				 struct df_decision *d)
{
	const char *dest = h->destination;
	const char *known = unique(dest) ? owned_name(p, dest) : dest;
	if (has_rules(p, p->rules->calls, p->rules->ncalls, dest)) {
		enum df_verdict v = call_rules(p, f, h, msg);
		if (v == DF_DENY)
			say_msg_rule(d, "call", known, h);
		return v;
	}
	if (dbus_filter_level(p, dest) >= DBUS_LEVEL_TALK)
		return DF_ALLOW;
	if (known)
		say_level(d, "talk", known);
	else
		say(d, "none: %.64s owns no name this link knows; call it by a well-known name", dest);
	return DF_DENY;
}

/* The header fields a decision reads must be valid names: the rule text
 * quotes them, and the bus would refuse the message anyway. */
static bool header_ok(const struct dbus_fields *h)
{
	return (!h->destination ||
		!pvx_dbus_bus_name_problem(h->destination, strlen(h->destination), PVX_DBUS_UNIQUE)) &&
	       (!h->interface || !pvx_dbus_interface_problem(h->interface, strlen(h->interface), 0)) &&
	       (!h->member || !pvx_dbus_member_problem(h->member, strlen(h->member), 0)) &&
	       (!h->path || !pvx_dbus_path_problem(h->path, strlen(h->path), 0));
}

enum df_verdict dbus_filter_call(struct dbus_filter *p, const struct dbus_frame *f,
				 const struct dbus_fields *h, const unsigned char *msg,
				 struct df_decision *d)
{
	d->rule[0] = '\0';
	if (!header_ok(h)) {
		say(d, "none: the message's header names are not valid D-Bus names");
		return f->type == DBUS_MSG_METHOD_CALL ? DF_DENY : DF_DROP;
	}
	switch (f->type) {
	case DBUS_MSG_METHOD_RETURN:
	case DBUS_MSG_ERROR: {
		/* The one answer to a call the bus delivered. */
		int i = h->has_reply_serial ? call_find(p->incoming, p->nincoming, h->reply_serial)
					    : -1;
		if (i < 0 || !is(h->destination, p->incoming[i].peer))
			return DF_DROP;
		call_forget(p->incoming, &p->nincoming, i);
		return DF_ALLOW;
	}
	case DBUS_MSG_SIGNAL:
		say(d, "none: signals from the consumer are dropped on a filtered link");
		return DF_DROP;
	case DBUS_MSG_METHOD_CALL:
		break;
	default:
		return DF_DROP;
	}
	/* Reuse first: whatever the call is, its reply could be taken for
	 * the outstanding one's. */
	if (call_find(p->pending, p->npending, f->serial) >= 0)
		return DF_REUSED;
	if (!h->destination) {
		say(d, "none: a call without destination goes nowhere on a bus");
		return DF_DENY;
	}
	enum call_kind kind = unique(h->destination) ? K_PEER_UNIQUE : K_PEER_NAME;
	enum df_verdict v = is(h->destination, DF_DRIVER)
				    ? driver_call(p, f, h, msg, d, &kind)
				    : peer_call(p, f, h, msg, d);
	if (v != DF_ALLOW || (f->flags & DBUS_FLAG_NO_REPLY_EXPECTED))
		return v;
	if (p->npending >= DF_MAX_PENDING)
		return DF_FULL;
	if (kind == K_PEER_UNIQUE && strlen(h->destination) >= DF_UNIQUE_MAX) {
		say(d, "none: unique name too long to track");
		return DF_DENY;
	}
	struct df_call *c = &p->pending[p->npending++];
	c->serial = f->serial;
	c->kind = (uint8_t)kind;
	c->owner = -1;
	c->peer[0] = '\0';
	if (kind == K_PEER_UNIQUE)
		strcpy(c->peer, h->destination);
	if (kind == K_OWNER_QUERY || kind == K_PEER_NAME) {
		const char *name = h->destination;
		if (kind == K_OWNER_QUERY)
			dbus_body_arg(msg + f->header_len, f, h, 0, &name, &(char){ 0 });
		if (strlen(name) < sizeof(c->peer))
			strcpy(c->peer, name);
	}
	return DF_ALLOW;
}

/* ---- bus -> consumer ----------------------------------------------- */

static bool from_driver(const struct dbus_fields *h)
{
	return is(h->sender, DF_DRIVER);
}

static enum df_verdict answer(struct dbus_filter *p, const struct dbus_frame *f,
			      const struct dbus_fields *h, const unsigned char *msg)
{
	int i = h->has_reply_serial ? call_find(p->pending, p->npending, h->reply_serial) : -1;
	if (i < 0)
		return DF_DROP; /* a reply nobody asked for */
	struct df_call *c = &p->pending[i];
	switch (c->kind) {
	case K_PEER_UNIQUE:
		if (!is(h->sender, c->peer) && !from_driver(h))
			return DF_DROP;
		break;
	case K_PEER_NAME:
		if (!unique(h->sender) && !from_driver(h))
			return DF_DROP;
		if (unique(h->sender) && c->peer[0])
			owner_set(p, c->peer, h->sender); /* the bus routed it there */
		break;
	default:
		if (!from_driver(h))
			return DF_DROP;
		break;
	}
	bool ret = f->type == DBUS_MSG_METHOD_RETURN;
	if (ret && (c->kind == K_OWNER_QUERY || c->kind == K_HELLO || c->kind == K_LIST)) {
		if (!msg)
			return f->body_len <= DF_MAX_BODY ? DF_NEED_BODY : DF_DROP;
		const char *s;
		char type;
		if (c->kind == K_LIST) {
			call_forget(p->pending, &p->npending, i);
			return DF_REWRITE;
		}
		if (dbus_body_arg(msg + f->header_len, f, h, 0, &s, &type) == 1 && type == 's') {
			if (c->kind == K_HELLO && strlen(s) < sizeof(p->self))
				strcpy(p->self, s);
			else if (c->kind == K_OWNER_QUERY)
				owner_set(p, c->peer, s);
		}
	}
	call_forget(p->pending, &p->npending, i);
	return DF_ALLOW;
}

static enum df_verdict driver_signal(struct dbus_filter *p, const struct dbus_frame *f,
				     const struct dbus_fields *h, const unsigned char *msg)
{
	if (!is(h->member, "NameOwnerChanged"))
		return DF_ALLOW; /* NameAcquired, NameLost: about the consumer */
	if (!msg)
		return f->body_len <= DF_MAX_BODY ? DF_NEED_BODY : DF_DROP;
	const char *name, *neu;
	char t1, t3;
	if (dbus_body_arg(msg + f->header_len, f, h, 0, &name, &t1) != 1 ||
	    dbus_body_arg(msg + f->header_len, f, h, 2, &neu, &t3) != 1)
		return DF_DROP;
	owner_set(p, name, neu);
	return is(name, p->self) || dbus_filter_level(p, name) >= DBUS_LEVEL_SEE ? DF_ALLOW : DF_DROP;
}

static bool broadcast_match(const struct dbus_filter *p, const struct dbus_fields *h)
{
	for (unsigned i = 0; i < p->rules->nbroadcasts; i++) {
		const struct dbus_msg_rule *r = &p->rules->broadcasts[i];
		if (rule_names(p, &r->name, h->sender) &&
		    pattern_match(&r->interface, h->interface, '.') &&
		    (!r->member || is(r->member, h->member)) && pattern_match(&r->path, h->path, '/'))
			return true;
	}
	return false;
}

enum df_verdict dbus_filter_bus(struct dbus_filter *p, const struct dbus_frame *f,
				const struct dbus_fields *h, const unsigned char *msg,
				struct df_decision *d)
{
	d->rule[0] = '\0';
	switch (f->type) {
	case DBUS_MSG_METHOD_RETURN:
	case DBUS_MSG_ERROR:
		return answer(p, f, h, msg);
	case DBUS_MSG_SIGNAL:
		if (from_driver(h))
			return driver_signal(p, f, h, msg);
		if (broadcast_match(p, h))
			return DF_ALLOW;
		if (h->destination && dbus_filter_level(p, h->sender) >= DBUS_LEVEL_TALK)
			return DF_ALLOW; /* a signal to the consumer alone */
		if (!header_ok(h))
			return DF_DROP;
		const char *known = h->sender ? (unique(h->sender) ? owned_name(p, h->sender) : h->sender)
					      : NULL;
		if (known)
			say_msg_rule(d, "broadcast", known, h);
		else
			say(d, "none: a signal from %.64s, which owns no name this link knows",
			    h->sender ? h->sender : "(no sender)");
		return DF_DROP;
	case DBUS_MSG_METHOD_CALL:
		/* A call to the consumer: it may answer once. */
		if (f->flags & DBUS_FLAG_NO_REPLY_EXPECTED)
			return DF_ALLOW;
		if (!h->sender || strlen(h->sender) >= DF_UNIQUE_MAX || p->nincoming >= DF_MAX_PENDING)
			return DF_DROP;
		int i = call_find(p->incoming, p->nincoming, f->serial);
		struct df_call *c = i >= 0 && is(p->incoming[i].peer, h->sender)
					    ? &p->incoming[i] : &p->incoming[p->nincoming++];
		c->serial = f->serial;
		strcpy(c->peer, h->sender);
		return DF_ALLOW;
	default:
		return DF_DROP;
	}
}

struct keep_ctx {
	const struct dbus_filter *p;
};

static bool keep_name(void *ctx, const char *s)
{
	const struct dbus_filter *p = ((struct keep_ctx *)ctx)->p;
	return is(s, DF_DRIVER) || is(s, p->self) || dbus_filter_level(p, s) >= DBUS_LEVEL_SEE;
}

size_t dbus_filter_rewrite(const struct dbus_filter *p, const struct dbus_frame *f,
			   const struct dbus_fields *h, const unsigned char *msg,
			   unsigned char *out)
{
	struct keep_ctx k = { p };
	return dbus_body_filter_strings(msg, f, h, out, keep_name, &k);
}

void dbus_filter_init(struct dbus_filter *p, const struct dbus_rules *rules)
{
	memset(p, 0, sizeof(*p));
	p->rules = rules;
}
