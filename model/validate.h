/* The one rule for every field of a link, whoever builds the link: the
 * graph reader, the manifest builder (and through it the state-dir
 * builder).  Each field has one charset and one length; none admits a
 * control byte, so no field can break a protocol it is written into (an
 * HTTP head, a SASL line, a log line, JSON, a dot graph).
 *
 *   name, consumer, provider, role  [A-Za-z0-9._-]{1,64}
 *   interface                       printable ASCII (0x20-0x7e), 1-255 bytes
 *   target, socket                  no byte below 0x20 and no 0x7f, 1-4095 bytes
 *   ipv4_address                    [0-9.]{7,15}
 *   mac_address                     [0-9A-Fa-f:]{17}
 *   globals                         [A-Za-z0-9_,]{1,1023}
 *
 * The meaning of a value (a D-Bus name, an absolute path, an address that
 * parses) is checked where it is used; the charset and the length are
 * checked here, once. */
#ifndef PVX_MODEL_VALIDATE_H
#define PVX_MODEL_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

enum pvx_field {
	PVX_FIELD_NAME,
	PVX_FIELD_CONSUMER,
	PVX_FIELD_PROVIDER,
	PVX_FIELD_ROLE,
	PVX_FIELD_INTERFACE,
	PVX_FIELD_TARGET,
	PVX_FIELD_SOCKET,
	PVX_FIELD_IPV4,
	PVX_FIELD_MAC,
	PVX_FIELD_GLOBALS,
	PVX_FIELD__COUNT
};

/* Longest value of each identity field; the rest proxy sizes the identity
 * fields it adds from these. */
#define PVX_NAME_MAX 64
#define PVX_CONSUMER_MAX PVX_NAME_MAX
#define PVX_ROLE_MAX PVX_NAME_MAX
#define PVX_INTERFACE_MAX 255
#define PVX_PATH_MAX 4095

/* The field's key in graphs and manifests ("consumer", "ipv4_address"). */
const char *pvx_field_key(enum pvx_field f);

/* NULL when the n bytes at s are a good value for f, else a short reason
 * that names the rule ("must match [A-Za-z0-9._-]{1,64}"). */
const char *pvx_field_problem(enum pvx_field f, const char *s, size_t n);

static inline bool pvx_field_ok(enum pvx_field f, const char *s, size_t n)
{
	return pvx_field_problem(f, s, n) == NULL;
}

/* An absolute path without "." or ".." components (the manifests' rule for
 * sockets and targets); socket paths must also fit sun_path.  NULL when
 * good, else the reason. */
const char *pvx_abs_path_problem(const char *s, size_t n, bool socket);

#endif
