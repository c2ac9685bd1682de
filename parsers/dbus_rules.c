/* The "policy" object of a dbus link, compiled; see dbus_rules.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "model/validate.h"
#include "parsers/dbus_rules.h"

struct compile {
	struct dbus_rules *r;
	char *why;
	size_t whylen;
};

static int bad(struct compile *c, const char *where, const char *what)
{
	snprintf(c->why, c->whylen, "policy%s %s", where, what);
	return -EINVAL;
}

static int dup_into(struct compile *c, char **dst, const char *s, size_t n)
{
	*dst = strndup(s, n);
	if (!*dst)
		return snprintf(c->why, c->whylen, "out of memory"), -ENOMEM;
	return 0;
}

/* A pattern: sep is the subtree separator ('.' or '/'); "*" means any. */
static int pattern_set(struct compile *c, struct dbus_pattern *p, const char *s, char sep)
{
	size_t n = strlen(s);
	p->subtree = false;
	p->text = NULL;
	if (n == 1 && s[0] == '*')
		return 0;
	if (n >= 2 && s[n - 1] == '*' && s[n - 2] == sep) {
		p->subtree = true;
		n -= 2;
	}
	p->len = n;
	return dup_into(c, &p->text, s, n);
}

typedef const char *(*check_fn)(const char *s, size_t n, int flags);

/* A string value at where, checked by check. */
static int get_str(struct compile *c, const json_t *v, const char *where, check_fn check,
		   const char **out)
{
	if (!json_is_string(v))
		return bad(c, where, "must be a string");
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (strlen(s) != n)
		return bad(c, where, "must not hold a NUL");
	const char *why = check ? check(s, n, PVX_DBUS_PATTERN) : NULL;
	if (why)
		return bad(c, where, why);
	*out = s;
	return 0;
}

static int add_name(struct compile *c, const char *s, enum dbus_level level)
{
	struct dbus_name_rule *nr = &c->r->names[c->r->nnames++];
	nr->level = (uint8_t)level;
	return pattern_set(c, &nr->name, s, '.');
}

static int names_list(struct compile *c, const json_t *v, const char *key, enum dbus_level level)
{
	char where[64];
	snprintf(where, sizeof(where), ".%s", key);
	if (!json_is_array(v))
		return bad(c, where, "must be an array of bus names");
	if (json_array_size(v) > DBUS_RULES_MAX_NAMES) {
		char t[64];
		snprintf(t, sizeof(t), "has more than %d names", DBUS_RULES_MAX_NAMES);
		return bad(c, where, t);
	}
	size_t i;
	const json_t *e;
	json_array_foreach(v, i, e) {
		const char *s;
		snprintf(where, sizeof(where), ".%s[%zu]", key, i);
		int r = get_str(c, e, where, pvx_dbus_bus_name_problem, &s);
		if (r < 0 || (r = add_name(c, s, level)) < 0)
			return r;
	}
	return 0;
}

/* "args": {"N": "v", "Npath": "/p/", "0namespace": "a.b"} */
static int args_read(struct compile *c, struct dbus_msg_rule *m, const json_t *v,
		     const char *at)
{
	char where[96];
	snprintf(where, sizeof(where), "%s.args", at);
	if (!json_is_object(v))
		return bad(c, where, "must be an object");
	if (json_object_size(v) > DBUS_RULES_MAX_ARGS) {
		char t[64];
		snprintf(t, sizeof(t), "has more than %d entries", DBUS_RULES_MAX_ARGS);
		return bad(c, where, t);
	}
	const char *key;
	const json_t *e;
	json_object_foreach((json_t *)v, key, e) {
		snprintf(where, sizeof(where), "%s.args.%.16s", at, key);
		char *end;
		if (key[0] < '0' || key[0] > '9')
			return bad(c, where, "is not \"N\", \"Npath\" or \"0namespace\" (N 0-63)");
		unsigned long idx = strtoul(key, &end, 10);
		enum dbus_arg_kind kind = DBUS_ARG_EQ;
		if (strcmp(end, "path") == 0)
			kind = DBUS_ARG_PATH;
		else if (strcmp(end, "namespace") == 0 && idx == 0)
			kind = DBUS_ARG_NAMESPACE;
		else if (*end)
			return bad(c, where, "is not \"N\", \"Npath\" or \"0namespace\" (N 0-63)");
		if (idx > 63 || (key[0] == '0' && end != key + 1))
			return bad(c, where, "is not \"N\", \"Npath\" or \"0namespace\" (N 0-63)");
		const char *s;
		int r = get_str(c, e, where, NULL, &s);
		if (r < 0)
			return r;
		if (strlen(s) > DBUS_RULES_MAX_ARG)
			return bad(c, where, "is longer than 255 bytes");
		if (kind == DBUS_ARG_NAMESPACE &&
		    pvx_dbus_bus_name_problem(s, strlen(s), 0) &&
		    pvx_dbus_interface_problem(s, strlen(s), 0) &&
		    !(strchr(s, '.') == NULL && !pvx_dbus_member_problem(s, strlen(s), 0)))
			return bad(c, where, "must be a bus or interface name (namespace)");
		struct dbus_arg_rule *a = &m->args[m->nargs++];
		a->index = (uint8_t)idx;
		a->kind = (uint8_t)kind;
		if ((r = dup_into(c, &a->value, s, strlen(s))) < 0)
			return r;
	}
	return 0;
}

/* One call or broadcast rule. */
static int msg_rule(struct compile *c, struct dbus_msg_rule *m, const json_t *v, const char *at,
		    bool call)
{
	if (!json_is_object(v))
		return bad(c, at, "must be an object");
	const char *key;
	const json_t *e;
	bool has_name = false;
	json_object_foreach((json_t *)v, key, e) {
		char where[96];
		snprintf(where, sizeof(where), "%s.%.16s", at, key);
		const char *s;
		int r;
		if (strcmp(key, "name") == 0) {
			if ((r = get_str(c, e, where, pvx_dbus_bus_name_problem, &s)) < 0 ||
			    (r = pattern_set(c, &m->name, s, '.')) < 0)
				return r;
			has_name = true;
		} else if (strcmp(key, "interface") == 0) {
			if ((r = get_str(c, e, where, pvx_dbus_interface_problem, &s)) < 0 ||
			    (r = pattern_set(c, &m->interface, s, '.')) < 0)
				return r;
		} else if (strcmp(key, "member") == 0) {
			if ((r = get_str(c, e, where, pvx_dbus_member_problem, &s)) < 0)
				return r;
			if (strcmp(s, "*") != 0 && (r = dup_into(c, &m->member, s, strlen(s))) < 0)
				return r;
		} else if (strcmp(key, "path") == 0) {
			if ((r = get_str(c, e, where, pvx_dbus_path_problem, &s)) < 0)
				return r;
			if (strlen(s) > DBUS_RULES_MAX_PATH)
				return bad(c, where, "is longer than 1024 bytes");
			if ((r = pattern_set(c, &m->path, s, '/')) < 0)
				return r;
			if (m->path.subtree && m->path.text[0] == '\0') { /* slash-star alone: any */
				free(m->path.text);
				m->path = (struct dbus_pattern){ 0 };
			}
		} else if (strcmp(key, "args") == 0 && call) {
			if ((r = args_read(c, m, e, at)) < 0)
				return r;
		} else {
			return bad(c, where, call ? "is not one of name, interface, member, path, args"
						  : "is not one of name, interface, member, path");
		}
	}
	if (!has_name)
		return bad(c, at, "has no \"name\"");
	return 0;
}

static int rules_list(struct compile *c, const json_t *v, bool call)
{
	const char *key = call ? "call" : "broadcast";
	unsigned max = call ? DBUS_RULES_MAX_CALLS : DBUS_RULES_MAX_BROADCASTS;
	char where[64];
	snprintf(where, sizeof(where), ".%s", key);
	if (!json_is_array(v))
		return bad(c, where, "must be an array of rules");
	if (json_array_size(v) > max) {
		char t[64];
		snprintf(t, sizeof(t), "has more than %u rules", max);
		return bad(c, where, t);
	}
	size_t i;
	const json_t *e;
	json_array_foreach(v, i, e) {
		snprintf(where, sizeof(where), ".%s[%zu]", key, i);
		struct dbus_msg_rule *m = call ? &c->r->calls[c->r->ncalls++]
					       : &c->r->broadcasts[c->r->nbroadcasts++];
		int r = msg_rule(c, m, e, where, call);
		if (r < 0)
			return r;
	}
	return 0;
}

static void pattern_free(struct dbus_pattern *p)
{
	free(p->text);
}

static void msg_rule_free(struct dbus_msg_rule *m)
{
	pattern_free(&m->name);
	pattern_free(&m->interface);
	pattern_free(&m->path);
	free(m->member);
	for (unsigned i = 0; i < m->nargs; i++)
		free(m->args[i].value);
}

struct dbus_rules *dbus_rules_free(struct dbus_rules *r)
{
	if (!r)
		return NULL;
	for (unsigned i = 0; i < r->nnames; i++)
		pattern_free(&r->names[i].name);
	for (unsigned i = 0; i < r->ncalls; i++)
		msg_rule_free(&r->calls[i]);
	for (unsigned i = 0; i < r->nbroadcasts; i++)
		msg_rule_free(&r->broadcasts[i]);
	free(r);
	return NULL;
}

int dbus_rules_compile(const json_t *policy, const char *interface, struct dbus_rules **out,
		       char *why, size_t whylen)
{
	*out = NULL;
	struct compile c = { .r = calloc(1, sizeof(struct dbus_rules)), .why = why, .whylen = whylen };
	if (!c.r)
		return snprintf(why, whylen, "out of memory"), -ENOMEM;
	int r = 0;
	if (interface && strcmp(interface, "dbus") != 0) {
		const char *p = pvx_dbus_bus_name_problem(interface, strlen(interface), 0);
		r = p ? (snprintf(why, whylen, "interface '%.255s' is neither 'dbus' nor a D-Bus name",
				  interface), -EINVAL)
		      : add_name(&c, interface, DBUS_LEVEL_TALK);
	}
	if (r == 0 && policy && !json_is_object(policy))
		r = bad(&c, "", "must be an object");
	const char *key;
	const json_t *v;
	if (r == 0 && policy)
		json_object_foreach((json_t *)policy, key, v) {
			if (strcmp(key, "see") == 0)
				r = names_list(&c, v, key, DBUS_LEVEL_SEE);
			else if (strcmp(key, "talk") == 0)
				r = names_list(&c, v, key, DBUS_LEVEL_TALK);
			else if (strcmp(key, "own") == 0)
				r = names_list(&c, v, key, DBUS_LEVEL_OWN);
			else if (strcmp(key, "call") == 0)
				r = rules_list(&c, v, true);
			else if (strcmp(key, "broadcast") == 0)
				r = rules_list(&c, v, false);
			else {
				char where[64];
				snprintf(where, sizeof(where), ".%.32s", key);
				r = bad(&c, where, "is not one of see, talk, own, call, broadcast");
			}
			if (r < 0)
				break;
		}
	if (r < 0) {
		dbus_rules_free(c.r);
		return r;
	}
	*out = c.r;
	return 0;
}

static json_t *load(const char *text, size_t n, char *why, size_t whylen)
{
	if (n > DBUS_RULES_MAX_TEXT)
		return snprintf(why, whylen, "policy is longer than %d bytes", DBUS_RULES_MAX_TEXT), NULL;
	json_error_t e;
	json_t *j = json_loadb(text, n, JSON_REJECT_DUPLICATES, &e);
	if (!j)
		snprintf(why, whylen, "policy is not valid JSON: %s", e.text);
	return j;
}

int dbus_rules_compile_text(const char *text, size_t n, const char *interface,
			    struct dbus_rules **out, char *why, size_t whylen)
{
	*out = NULL;
	json_t *j = NULL;
	if (text && !(j = load(text, n, why, whylen)))
		return -EINVAL;
	int r = dbus_rules_compile(j, interface, out, why, whylen);
	json_decref(j);
	return r;
}

char *dbus_rules_canonical(const char *text, size_t n, char *why, size_t whylen)
{
	json_t *j = load(text, n, why, whylen);
	if (!j)
		return NULL;
	struct dbus_rules *r;
	char *out = NULL;
	if (dbus_rules_compile(j, NULL, &r, why, whylen) == 0) {
		dbus_rules_free(r);
		out = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		if (!out)
			snprintf(why, whylen, "out of memory");
	}
	json_decref(j);
	return out;
}
