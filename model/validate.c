/* One validator for every link field: see validate.h for the table. */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include "model/validate.h"

enum charset { CS_NAME, CS_PRINTABLE, CS_NO_CONTROL, CS_IPV4, CS_MAC, CS_IDENT_LIST };

/* One row per field: its key, its charset and its lengths. */
static const struct rule {
	const char *key;
	enum charset cs;
	size_t min, max;
	const char *text; /* the rule as the reason states it */
} rules[PVX_FIELD__COUNT] = {
	[PVX_FIELD_NAME] = { "name", CS_NAME, 1, PVX_NAME_MAX, "must match [A-Za-z0-9._-]{1,64}" },
	[PVX_FIELD_CONSUMER] = { "consumer", CS_NAME, 1, PVX_CONSUMER_MAX,
				 "must match [A-Za-z0-9._-]{1,64}" },
	[PVX_FIELD_PROVIDER] = { "provider", CS_NAME, 1, PVX_NAME_MAX,
				 "must match [A-Za-z0-9._-]{1,64}" },
	[PVX_FIELD_ROLE] = { "role", CS_NAME, 1, PVX_ROLE_MAX, "must match [A-Za-z0-9._-]{1,64}" },
	[PVX_FIELD_INTERFACE] = { "interface", CS_PRINTABLE, 1, PVX_INTERFACE_MAX,
				  "must be 1-255 printable ASCII characters" },
	[PVX_FIELD_TARGET] = { "target", CS_NO_CONTROL, 1, PVX_PATH_MAX,
			       "must be 1-4095 bytes without control characters" },
	[PVX_FIELD_SOCKET] = { "socket", CS_NO_CONTROL, 1, PVX_PATH_MAX,
			       "must be 1-4095 bytes without control characters" },
	[PVX_FIELD_IPV4] = { "ipv4_address", CS_IPV4, 7, 15, "must match [0-9.]{7,15}" },
	[PVX_FIELD_MAC] = { "mac_address", CS_MAC, 17, 17, "must match [0-9A-Fa-f:]{17}" },
	[PVX_FIELD_GLOBALS] = { "globals", CS_IDENT_LIST, 1, 1023, "must match [A-Za-z0-9_,]{1,1023}" },
};
_Static_assert(sizeof(rules) / sizeof(rules[0]) == PVX_FIELD__COUNT, "one rule per field");

static bool in_charset(enum charset cs, unsigned char c)
{
	bool digit = c >= '0' && c <= '9';
	bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
	switch (cs) {
	case CS_NAME:
		return digit || alpha || c == '.' || c == '_' || c == '-';
	case CS_PRINTABLE:
		return c >= 0x20 && c <= 0x7e;
	case CS_NO_CONTROL:
		return c >= 0x20 && c != 0x7f;
	case CS_IPV4:
		return digit || c == '.';
	case CS_MAC:
		return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':';
	case CS_IDENT_LIST:
		return digit || alpha || c == '_' || c == ',';
	}
	return false;
}

const char *pvx_field_key(enum pvx_field f)
{
	return (unsigned)f < PVX_FIELD__COUNT ? rules[f].key : "?";
}

const char *pvx_field_problem(enum pvx_field f, const char *s, size_t n)
{
	if ((unsigned)f >= PVX_FIELD__COUNT)
		return "is not a link field";
	const struct rule *r = &rules[f];
	if (!s || n < r->min || n > r->max)
		return r->text;
	for (size_t i = 0; i < n; i++)
		if (!in_charset(r->cs, (unsigned char)s[i]))
			return r->text;
	return NULL;
}

const char *pvx_abs_path_problem(const char *s, size_t n, bool socket)
{
	if (n == 0 || s[0] != '/')
		return "is not an absolute path";
	for (size_t i = 0; i < n;) {
		while (i < n && s[i] == '/')
			i++;
		size_t j = i;
		while (j < n && s[j] != '/')
			j++;
		if ((j - i == 1 && s[i] == '.') || (j - i == 2 && s[i] == '.' && s[i + 1] == '.'))
			return "contains a '.' or '..' component";
		i = j;
	}
	if (socket && n >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return "is too long for a socket address (at most 107 bytes)";
	return NULL;
}

/* ---- D-Bus names ---------------------------------------------------- */

#define DBUS_NAME_MAX 255

static bool dbus_elem_char(unsigned char c, bool dash, bool first)
{
	bool digit = c >= '0' && c <= '9';
	bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
	return alpha || c == '_' || (dash && c == '-') || (!first && digit);
}

/* Dot-separated elements: at least min_elems, each non-empty, made of
 * [A-Za-z0-9_] (and '-' when dash), not starting with a digit unless
 * digit_first. */
static bool dotted_ok(const char *s, size_t n, unsigned min_elems, bool dash, bool digit_first)
{
	unsigned elems = 0;
	size_t i = 0;
	while (i <= n) {
		size_t j = i;
		while (j < n && s[j] != '.') {
			if (!dbus_elem_char((unsigned char)s[j], dash, j == i && !digit_first))
				return false;
			j++;
		}
		if (j == i)
			return false;
		elems++;
		i = j + 1;
	}
	return elems >= min_elems;
}

/* A trailing ".*" of a pattern: the prefix length, or n. */
static size_t strip_subtree(const char *s, size_t n, int flags, char sep)
{
	if ((flags & PVX_DBUS_PATTERN) && n >= 2 && s[n - 1] == '*' && s[n - 2] == sep)
		return n - 2;
	return n;
}

const char *pvx_dbus_bus_name_problem(const char *s, size_t n, int flags)
{
	static const char rule[] = "must be a D-Bus bus name (two or more dot-separated elements of "
				   "[A-Za-z0-9_-], not starting with a digit, at most 255 bytes)";
	static const char rule_pattern[] = "must be a D-Bus bus name, or one followed by \".*\"";
	const char *why = flags & PVX_DBUS_PATTERN ? rule_pattern : rule;
	if (!s || n == 0 || n > DBUS_NAME_MAX)
		return why;
	if (s[0] == ':')
		return (flags & PVX_DBUS_UNIQUE) && dotted_ok(s + 1, n - 1, 2, true, true)
			       ? NULL : why;
	size_t k = strip_subtree(s, n, flags, '.');
	return dotted_ok(s, k, k < n ? 1 : 2, true, false) ? NULL : why;
}

const char *pvx_dbus_interface_problem(const char *s, size_t n, int flags)
{
	static const char rule[] = "must be a D-Bus interface name (two or more dot-separated elements "
				   "of [A-Za-z0-9_], not starting with a digit, at most 255 bytes)";
	static const char rule_pattern[] = "must be a D-Bus interface name, one followed by \".*\", "
					   "or \"*\"";
	const char *why = flags & PVX_DBUS_PATTERN ? rule_pattern : rule;
	if (!s || n == 0 || n > DBUS_NAME_MAX)
		return why;
	if ((flags & PVX_DBUS_PATTERN) && n == 1 && s[0] == '*')
		return NULL;
	size_t k = strip_subtree(s, n, flags, '.');
	return dotted_ok(s, k, k < n ? 1 : 2, false, false) ? NULL : why;
}

const char *pvx_dbus_member_problem(const char *s, size_t n, int flags)
{
	static const char rule[] = "must be a D-Bus member name ([A-Za-z_][A-Za-z0-9_]*, at most "
				   "255 bytes)";
	static const char rule_pattern[] = "must be a D-Bus member name or \"*\"";
	const char *why = flags & PVX_DBUS_PATTERN ? rule_pattern : rule;
	if (!s || n == 0 || n > DBUS_NAME_MAX)
		return why;
	if ((flags & PVX_DBUS_PATTERN) && n == 1 && s[0] == '*')
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!dbus_elem_char((unsigned char)s[i], false, i == 0))
			return why;
	return NULL;
}

const char *pvx_dbus_path_problem(const char *s, size_t n, int flags)
{
	static const char rule[] = "must be a D-Bus object path (\"/\" or /-separated elements of "
				   "[A-Za-z0-9_])";
	static const char rule_pattern[] = "must be a D-Bus object path, or one followed by \"/*\"";
	const char *why = flags & PVX_DBUS_PATTERN ? rule_pattern : rule;
	if (!s || n == 0 || s[0] != '/')
		return why;
	size_t k = strip_subtree(s, n, flags, '/');
	if (k == 0 || (k == 1 && k == n)) /* subtree of the root, or the root */
		return NULL;
	for (size_t i = 1; i <= k; i++) {
		size_t j = i;
		while (j < k && s[j] != '/') {
			if (!dbus_elem_char((unsigned char)s[j], false, false) &&
			    !(s[j] >= '0' && s[j] <= '9'))
				return why;
			j++;
		}
		if (j == i)
			return why;
		i = j;
	}
	return NULL;
}
