/* The "policy" object of a dbus link (pv-xconnect-graph(5)), from JSON to
 * the compiled rules of model/dbus_rules.h.  Every value is checked by the
 * validator (model/validate.h); unknown keys are refused, so a misspelt
 * rule never silently allows less, or more, than written. */
#ifndef PVX_PARSERS_DBUS_RULES_H
#define PVX_PARSERS_DBUS_RULES_H

#include <stddef.h>

#include "model/dbus_rules.h"

struct json_t;

/* Compiles policy (a JSON object, or NULL) and the seed's shorthand
 * interface (a bus name: talk to it; NULL or "dbus": none) into a new
 * struct dbus_rules.  Returns 0, or -EINVAL with the reason in why
 * ("policy.call[2].member must be ..."), or -ENOMEM. */
int dbus_rules_compile(const struct json_t *policy, const char *interface,
		       struct dbus_rules **out, char *why, size_t whylen);
/* The same from JSON text (n bytes). */
int dbus_rules_compile_text(const char *text, size_t n, const char *interface,
			    struct dbus_rules **out, char *why, size_t whylen);
/* Frees r and its strings; returns NULL. */
struct dbus_rules *dbus_rules_free(struct dbus_rules *r);

/* The canonical text of a policy object (compact, keys sorted), checked
 * by dbus_rules_compile first; NULL with the reason in why.  Caller
 * frees. */
char *dbus_rules_canonical(const char *text, size_t n, char *why, size_t whylen);

#endif
