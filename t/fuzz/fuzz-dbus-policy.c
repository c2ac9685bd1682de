/* libFuzzer: the policy of dbus links, compiled (parsers/dbus_rules.c) and
 * decided (policy/dbus_filter.c).  The input is a policy as JSON up to the
 * first NUL, then a stream of messages read as a dbus link reads them;
 * each goes through the filter with the whole message, from the consumer
 * when its serial is odd, from the bus when even, with one filter state
 * for the stream; a rewritten reply must parse and be no longer than the
 * original.  Without a NUL, the input is only a policy to compile. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "parsers/dbus_msg.h"
#include "parsers/dbus_rules.h"
#include "policy/dbus_filter.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void messages(struct dbus_filter *p, const unsigned char *in, size_t n)
{
	while (n >= DBUS_FIXED_HEADER) {
		struct dbus_frame f;
		struct dbus_fields h;
		if (dbus_frame_read(in, &f) || f.total > n)
			return;
		/* A copy of exactly the message: reads past it are caught. */
		unsigned char *m = malloc(f.total);
		memcpy(m, in, f.total);
		if (dbus_fields_read(m, &f, &h)) {
			free(m);
			return;
		}
		struct df_decision d;
		enum df_verdict v = f.serial & 1 ? dbus_filter_call(p, &f, &h, NULL, &d)
						 : dbus_filter_bus(p, &f, &h, NULL, &d);
		if (v == DF_NEED_BODY)
			v = f.serial & 1 ? dbus_filter_call(p, &f, &h, m, &d)
					 : dbus_filter_bus(p, &f, &h, m, &d);
		if (v == DF_NEED_BODY || !memchr(d.rule, '\0', sizeof(d.rule)))
			abort();
		if (v == DF_REWRITE) {
			unsigned char *out = malloc(f.total);
			size_t k = dbus_filter_rewrite(p, &f, &h, m, out);
			struct dbus_frame f2;
			struct dbus_fields h2;
			if (k > f.total || (k && (dbus_frame_read(out, &f2) || f2.total != k ||
						  dbus_fields_read(out, &f2, &h2))))
				abort();
			free(out);
		}
		if (p->npending > DF_MAX_PENDING || p->nincoming > DF_MAX_PENDING ||
		    p->nowners > DF_MAX_OWNERS || !memchr(p->self, '\0', sizeof(p->self)))
			abort();
		free(m);
		in += f.total;
		n -= f.total;
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const unsigned char *nul = memchr(data, '\0', size);
	size_t plen = nul ? (size_t)(nul - data) : size;
	struct dbus_rules *r;
	char why[300];
	if (dbus_rules_compile_text((const char *)data, plen, "org.pantavisor.Example", &r, why,
				    sizeof(why)) < 0) {
		if (!memchr(why, '\0', sizeof(why)))
			abort();
		return 0;
	}
	if (nul) {
		static struct dbus_filter p;
		dbus_filter_init(&p, r);
		messages(&p, nul + 1, size - plen - 1);
	}
	dbus_rules_free(r);
	return 0;
}
