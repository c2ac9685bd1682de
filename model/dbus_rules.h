/* The policy of a dbus link, compiled: which bus names the consumer may
 * see, talk to and own, and the call and broadcast rules (the graph's
 * "policy" object, pv-xconnect-graph(5)).  Data only: parsers/dbus_rules.c
 * builds it from JSON, policy/dbus_filter.c decides on messages with it.
 *
 * Name patterns are a bus name, or a prefix followed by ".*" (subtree:
 * "a.b.*" matches "a.b" and every name below it).  Interfaces take the
 * same form or "*"; members are a name or "*"; paths are an object path or
 * a prefix followed by a trailing slash-star (subtree).  NULL in a rule means any. */
#ifndef PVX_MODEL_DBUS_RULES_H
#define PVX_MODEL_DBUS_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds the validator enforces (model/validate.h). */
#define DBUS_RULES_MAX_NAMES 64      /* entries of each of see, talk, own */
#define DBUS_RULES_MAX_CALLS 128
#define DBUS_RULES_MAX_BROADCASTS 64
#define DBUS_RULES_MAX_ARGS 8        /* per rule */
#define DBUS_RULES_MAX_ARG 255       /* bytes of one argument value */
#define DBUS_RULES_MAX_PATH 1024     /* bytes of a path (pattern) */
#define DBUS_RULES_MAX_TEXT 65536    /* bytes of the policy as JSON */

enum dbus_level { DBUS_LEVEL_NONE, DBUS_LEVEL_SEE, DBUS_LEVEL_TALK, DBUS_LEVEL_OWN };

/* A name, interface or path: exact, or a subtree (the text without the
 * trailing ".*" or a trailing slash-star). */
struct dbus_pattern {
	char *text; /* NULL: any */
	size_t len; /* of text */
	bool subtree;
};

enum dbus_arg_kind { DBUS_ARG_EQ, DBUS_ARG_PATH, DBUS_ARG_NAMESPACE };

/* "args": {"0": "wifi", "1path": "/a/", "0namespace": "org.x"} */
struct dbus_arg_rule {
	uint8_t index;
	uint8_t kind; /* enum dbus_arg_kind */
	char *value;
};

/* A call or broadcast rule. */
struct dbus_msg_rule {
	struct dbus_pattern name, interface, path;
	char *member; /* NULL: any */
	unsigned nargs;
	struct dbus_arg_rule args[DBUS_RULES_MAX_ARGS];
};

struct dbus_name_rule {
	struct dbus_pattern name;
	uint8_t level; /* enum dbus_level */
};

struct dbus_rules {
	unsigned nnames, ncalls, nbroadcasts;
	struct dbus_name_rule names[3 * DBUS_RULES_MAX_NAMES + 1]; /* +1: interface shorthand */
	struct dbus_msg_rule calls[DBUS_RULES_MAX_CALLS];
	struct dbus_msg_rule broadcasts[DBUS_RULES_MAX_BROADCASTS];
};

#endif
