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
