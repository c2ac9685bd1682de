/* libFuzzer: D-Bus message framing after BEGIN (parsers/dbus_msg.c), the
 * filter of a link whose interface names a bus name (policy/dbus_filter.c,
 * the seed's shorthand) and the passwd/group reader (policy/identity.c).
 * Byte 0 even: the rest is a stream of messages, read as a dbus link reads
 * it: fixed header, then the whole header when it fits, then the leading
 * string arguments; each message goes through the filter, from the
 * consumer when its serial is odd, from the bus when even, with one filter
 * state for the whole stream.  Byte 0 odd: role NUL passwd NUL group. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "policy/identity.h"
#include "parsers/dbus_msg.h"
#include "parsers/dbus_rules.h"
#include "policy/dbus_filter.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void messages(const unsigned char *p, size_t n)
{
	static struct dbus_filter pol;
	static struct dbus_rules *rules;
	char why[200];
	if (!rules && dbus_rules_compile_text(NULL, 0, "org.pantavisor.Example", &rules, why,
					      sizeof(why)) < 0)
		abort();
	dbus_filter_init(&pol, rules);
	struct df_decision d;
	while (n >= DBUS_FIXED_HEADER) {
		struct dbus_frame f;
		struct dbus_fields h;
		if (dbus_frame_read(p, &f))
			return;
		if (f.header_len > n)
			return;
		/* A copy of exactly the header: reads past it are caught. */
		unsigned char *head = malloc(f.header_len);
		memcpy(head, p, f.header_len);
		const char *why = dbus_fields_read(head, &f, &h);
		free(head);
		if (why || f.total > n)
			return;
		unsigned char *msg = malloc(f.total);
		memcpy(msg, p, f.total);
		const unsigned char *body = msg + f.header_len;
		/* Field pointers point into the freed head copy: read again. */
		dbus_fields_read(p, &f, &h);
		const char *args[3];
		int k = dbus_body_strings(body, &f, &h, args, 3);
		for (int i = 0; i < k; i++)
			if (strlen(args[i]) >= f.body_len)
				abort();
		/* The filter asks for the body first, then decides with it. */
		dbus_fields_read(msg, &f, &h);
		if (f.serial & 1) {
			if (dbus_filter_call(&pol, &f, &h, NULL, &d) == DF_NEED_BODY)
				dbus_filter_call(&pol, &f, &h, msg, &d);
		} else if (dbus_filter_bus(&pol, &f, &h, NULL, &d) == DF_NEED_BODY) {
			dbus_filter_bus(&pol, &f, &h, msg, &d);
		}
		for (unsigned i = 0; i < pol.nowners; i++)
			if (pol.owners[i].owner[0] && pol.owners[i].owner[0] != ':')
				abort();
		if (pol.npending > DF_MAX_PENDING)
			abort();
		free(msg);
		p += f.total;
		n -= f.total;
	}
}

static void identity(const unsigned char *p, size_t n)
{
	char *s = malloc(n + 3);
	memcpy(s, p, n);
	s[n] = s[n + 1] = s[n + 2] = '\0';
	const char *role = s;
	const char *passwd = role + strlen(role) + 1;
	if (passwd > s + n)
		passwd = s + n + 1;
	const char *group = passwd + strlen(passwd) + 1;
	if (group > s + n + 1)
		group = s + n + 2;
	struct pvx_cred c;
	pvx_identity_from_files(role, false, 0, passwd, group, &c);
	if (c.ngroups > PVX_MAX_GROUPS)
		abort();
	free(s);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		identity(data + 1, size - 1);
	else
		messages(data + 1, size - 1);
	return 0;
}
