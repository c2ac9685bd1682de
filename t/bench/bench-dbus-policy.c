/* make bench, dbus-policy part: the cost of the policy decision alone
 * (policy/dbus_filter.c), no sockets.
 *   bench-dbus-policy POLICY.json N
 * compiles the policy, then decides N times on an Echo call to
 * org.pvx.Bench at "/" (the last of its call rules, the worst case: every
 * rule before it is tried) and on the reply that answers it; prints the
 * nanoseconds per message (the pair's time over two), timed over the
 * whole loop, not per message (a clock read costs as much as a decision). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dbus/dbus.h>

#include "parsers/dbus_msg.h"
#include "parsers/dbus_rules.h"
#include "policy/dbus_filter.h"

struct msg {
	unsigned char *p;
	struct dbus_frame f;
	struct dbus_fields h;
};

static void marshal(DBusMessage *m, struct msg *out)
{
	char *wire;
	int len;
	if (!dbus_message_marshal(m, &wire, &len))
		exit(1);
	out->p = malloc((size_t)len);
	memcpy(out->p, wire, (size_t)len);
	dbus_free(wire);
	dbus_message_unref(m);
	if (dbus_frame_read(out->p, &out->f) || dbus_fields_read(out->p, &out->f, &out->h))
		exit(1);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bench-dbus-policy POLICY.json N\n");
		return 2;
	}
	FILE *fp = fopen(argv[1], "r");
	static char text[DBUS_RULES_MAX_TEXT + 1];
	size_t n = fp ? fread(text, 1, sizeof(text) - 1, fp) : 0;
	if (fp)
		fclose(fp);
	struct dbus_rules *r;
	char why[300];
	if (dbus_rules_compile_text(text, n, NULL, &r, why, sizeof(why)) < 0) {
		fprintf(stderr, "bench-dbus-policy: %s\n", why);
		return 1;
	}
	long iters = atol(argv[2]);
	const char *payload = "0123456789abcdef0123456789abcdef";
	DBusMessage *m = dbus_message_new_method_call("org.pvx.Bench", "/", "org.pvx.Bench", "Echo");
	dbus_message_append_args(m, DBUS_TYPE_STRING, &payload, DBUS_TYPE_INVALID);
	dbus_message_set_serial(m, 7);
	struct msg call, reply;
	marshal(m, &call);
	m = dbus_message_new(DBUS_MESSAGE_TYPE_METHOD_RETURN);
	dbus_message_set_reply_serial(m, 7);
	dbus_message_set_sender(m, ":1.2");
	dbus_message_set_destination(m, ":1.3");
	dbus_message_append_args(m, DBUS_TYPE_STRING, &payload, DBUS_TYPE_INVALID);
	dbus_message_set_serial(m, 9);
	marshal(m, &reply);

	static struct dbus_filter p;
	dbus_filter_init(&p, r);
	struct df_decision d;
	double t0 = now();
	for (long i = 0; i < iters; i++) {
		enum df_verdict v = dbus_filter_call(&p, &call.f, &call.h, NULL, &d);
		enum df_verdict w = dbus_filter_bus(&p, &reply.f, &reply.h, NULL, &d);
		if (v != DF_ALLOW || w != DF_ALLOW) {
			fprintf(stderr, "bench-dbus-policy: not allowed (%d %d): %s\n", v, w, d.rule);
			return 1;
		}
	}
	double t = now() - t0;
	printf("%.0f\n", t / (double)iters / 2);
	free(call.p);
	free(reply.p);
	dbus_rules_free(r);
	return 0;
}
