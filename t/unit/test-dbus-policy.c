/* The policy of dbus links: the "policy" object compiled and validated
 * (parsers/dbus_rules.c, model/validate.c), and every decision of the
 * filter (policy/dbus_filter.c) on messages libdbus builds: levels, call
 * rules with paths and arguments, each bus driver method, replies,
 * signals, and the rule text a denial names.  No root, no sockets. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbus/dbus.h>

#include "model/validate.h"
#include "parsers/dbus_msg.h"
#include "parsers/dbus_rules.h"
#include "parsers/graph.h"
#include "policy/dbus_filter.h"
#include "t/tap.h"

/* One message, marshalled by libdbus and parsed. */
struct msg {
	unsigned char buf[8192];
	size_t len;
	struct dbus_frame f;
	struct dbus_fields h;
};

static uint32_t next_serial = 1;

static struct msg *msg_of(DBusMessage *m)
{
	static struct msg ms[4];
	static int k;
	struct msg *x = &ms[k++ % 4];
	char *wire;
	int len;
	if (!dbus_message_get_serial(m))
		dbus_message_set_serial(m, next_serial++);
	if (!dbus_message_marshal(m, &wire, &len) || (size_t)len > sizeof(x->buf))
		abort();
	memcpy(x->buf, wire, (size_t)len);
	x->len = (size_t)len;
	dbus_free(wire);
	dbus_message_unref(m);
	if (dbus_frame_read(x->buf, &x->f) || dbus_fields_read(x->buf, &x->f, &x->h))
		abort();
	return x;
}

static DBusMessage *call(const char *dest, const char *path, const char *iface, const char *member)
{
	return dbus_message_new_method_call(dest, path, iface, member);
}

static DBusMessage *with_str(DBusMessage *m, const char *s)
{
	dbus_message_append_args(m, DBUS_TYPE_STRING, &s, DBUS_TYPE_INVALID);
	return m;
}

static struct dbus_filter filt;
static struct df_decision dec;

static enum df_verdict up(DBusMessage *m)
{
	struct msg *x = msg_of(m);
	return dbus_filter_call(&filt, &x->f, &x->h, x->buf, &dec);
}

static enum df_verdict down_msg(struct msg *x)
{
	return dbus_filter_bus(&filt, &x->f, &x->h, x->buf, &dec);
}

static enum df_verdict down(DBusMessage *m)
{
	return down_msg(msg_of(m));
}

/* A reply to serial from sender. */
static DBusMessage *reply(uint32_t serial, const char *sender, const char *str)
{
	DBusMessage *m = dbus_message_new(DBUS_MESSAGE_TYPE_METHOD_RETURN);
	dbus_message_set_reply_serial(m, serial);
	dbus_message_set_sender(m, sender);
	dbus_message_set_destination(m, ":1.1");
	if (str)
		with_str(m, str);
	return m;
}

static DBusMessage *signal_from(const char *sender, const char *iface, const char *member,
				const char *dest)
{
	DBusMessage *m = dbus_message_new_signal("/org/x/Obj", iface, member);
	dbus_message_set_sender(m, sender);
	if (dest)
		dbus_message_set_destination(m, dest);
	return m;
}

static DBusMessage *owner_changed(const char *name, const char *old, const char *neu)
{
	DBusMessage *m = signal_from(DF_DRIVER, DF_DRIVER, "NameOwnerChanged", NULL);
	dbus_message_append_args(m, DBUS_TYPE_STRING, &name, DBUS_TYPE_STRING, &old, DBUS_TYPE_STRING,
				 &neu, DBUS_TYPE_INVALID);
	return m;
}

static struct dbus_rules *compile(const char *json, const char *iface)
{
	struct dbus_rules *r;
	char why[300];
	if (dbus_rules_compile_text(json, json ? strlen(json) : 0, iface, &r, why, sizeof(why)) < 0) {
		tap_diag("compile: %s", why);
		return NULL;
	}
	return r;
}

static const char *refused(const char *json)
{
	static char why[300];
	struct dbus_rules *r;
	why[0] = '\0';
	if (dbus_rules_compile_text(json, strlen(json), NULL, &r, why, sizeof(why)) == 0) {
		dbus_rules_free(r);
		return NULL;
	}
	return why;
}

static void validator(void)
{
	ok(!pvx_dbus_bus_name_problem("org.x", 5, 0), "bus name org.x");
	ok(pvx_dbus_bus_name_problem("org", 3, 0), "one element is not a bus name");
	ok(pvx_dbus_bus_name_problem("org..x", 6, 0), "empty element refused");
	ok(pvx_dbus_bus_name_problem("org.9x", 6, 0), "element starting with a digit refused");
	ok(!pvx_dbus_bus_name_problem("org.x-y", 7, 0), "dash allowed in bus names");
	ok(pvx_dbus_bus_name_problem("org.x.*", 7, 0), "wildcard only in patterns");
	ok(!pvx_dbus_bus_name_problem("org.x.*", 7, PVX_DBUS_PATTERN), "org.x.* is a pattern");
	ok(!pvx_dbus_bus_name_problem("org.*", 5, PVX_DBUS_PATTERN), "org.* is a pattern");
	ok(pvx_dbus_bus_name_problem(":1.4", 4, 0) && !pvx_dbus_bus_name_problem(":1.4", 4, PVX_DBUS_UNIQUE),
	   "unique names only where asked for");
	ok(pvx_dbus_interface_problem("org.x-y", 7, 0), "no dash in interfaces");
	ok(!pvx_dbus_interface_problem("*", 1, PVX_DBUS_PATTERN) && pvx_dbus_interface_problem("*", 1, 0),
	   "interface * only as a pattern");
	ok(!pvx_dbus_member_problem("Get_2", 5, 0) && pvx_dbus_member_problem("2Get", 4, 0) &&
		   pvx_dbus_member_problem("a.b", 3, 0),
	   "member syntax");
	ok(!pvx_dbus_path_problem("/", 1, 0) && !pvx_dbus_path_problem("/a/b_9", 6, 0) &&
		   pvx_dbus_path_problem("/a/", 3, 0) && pvx_dbus_path_problem("a", 1, 0) &&
		   pvx_dbus_path_problem("/a//b", 5, 0) && pvx_dbus_path_problem("/a-b", 4, 0),
	   "path syntax");
	ok(!pvx_dbus_path_problem("/a/*", 4, PVX_DBUS_PATTERN) && pvx_dbus_path_problem("/a/*", 4, 0) &&
		   !pvx_dbus_path_problem("/*", 2, PVX_DBUS_PATTERN),
	   "path subtree patterns");
	char big[300];
	memset(big, 'a', sizeof(big));
	memcpy(big, "org.", 4);
	ok(pvx_dbus_bus_name_problem(big, 256, 0), "bus names over 255 bytes refused");
}

static void compiling(void)
{
	struct dbus_rules *r = compile("{\"see\":[\"org.a.*\"],\"talk\":[\"org.b\"],\"own\":[\"org.c\"],"
				       "\"call\":[{\"name\":\"org.d\",\"interface\":\"org.d.I\",\"member\":\"M\","
				       "\"path\":\"/d/*\",\"args\":{\"0\":\"wifi\",\"1path\":\"/p/\","
				       "\"0namespace\":\"org.e\"}}],"
				       "\"broadcast\":[{\"name\":\"org.b\",\"member\":\"*\"}]}",
				       "org.f");
	ok(r && r->nnames == 4 && r->ncalls == 1 && r->nbroadcasts == 1, "full policy compiles");
	ok(r && r->calls[0].nargs == 3 && r->calls[0].path.subtree && !strcmp(r->calls[0].path.text, "/d"),
	   "call rule: args and path subtree");
	ok(r && r->names[0].level == DBUS_LEVEL_TALK && !strcmp(r->names[0].name.text, "org.f"),
	   "interface shorthand is talk");
	dbus_rules_free(r);
	const char *w;
	w = refused("{\"talk\":[\"org..x\"]}");
	ok(w && strstr(w, "policy.talk[0]"), "bad name: %s", w ? w : "-");
	w = refused("{\"tlak\":[\"org.x\"]}");
	ok(w && strstr(w, "policy.tlak"), "unknown key: %s", w ? w : "-");
	w = refused("{\"call\":[{\"interface\":\"org.x\"}]}");
	ok(w && strstr(w, "no \"name\""),
	   "call rule without name: %s", w ? w : "-");
	w = refused("{\"call\":[{\"name\":\"org.x\",\"member\":\"a.b\"}]}");
	ok(w && strstr(w, "member"),
	   "bad member: %s", w ? w : "-");
	w = refused("{\"call\":[{\"name\":\"org.x\",\"path\":\"x\"}]}");
	ok(w && strstr(w, "path"),
	   "bad path: %s", w ? w : "-");
	w = refused("{\"call\":[{\"name\":\"org.x\",\"args\":{\"64\":\"a\"}}]}");
	ok(w && strstr(w, "args"),
	   "arg index over 63: %s", w ? w : "-");
	ok(refused("{\"call\":[{\"name\":\"org.x\",\"args\":{\"1namespace\":\"a.b\"}}]}"),
	   "namespace only for arg 0");
	ok(refused("{\"broadcast\":[{\"name\":\"org.x\",\"args\":{\"0\":\"a\"}}]}"), "no args in broadcast rules");
	ok(refused("{\"see\":\"org.x\"}") && refused("[]") && refused("{\"see\":[1]}"), "wrong JSON types refused");
	char many[8192] = "{\"see\":[";
	for (int i = 0; i < 65; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%s\"org.n%d\"", i ? "," : "", i);
	strcat(many, "]}");
	w = refused(many);
	ok(w && strstr(w, "more than 64"), "bounded counts: %s", w ? w : "-");
	ok(refused("{\"see\":[\"org.x\"],\"see\":[\"org.y\"]}"), "duplicate keys refused");
	char why[200];
	const char *in = "{ \"talk\" : [\"org.b\"], \"see\":[\"org.a\"] }";
	char *c = dbus_rules_canonical(in, strlen(in), why, sizeof(why));
	ok(c && !strcmp(c, "{\"see\":[\"org.a\"],\"talk\":[\"org.b\"]}"), "canonical text: %s", c ? c : why);
	free(c);

	/* The graph reads it, and refuses it on a link of another type. */
	const char *g = "[{\"type\":\"dbus\",\"name\":\"a\",\"consumer\":\"c\",\"socket\":\"/run/s\","
			"\"policy\":{\"talk\":[\"org.x\"]}},"
			"{\"type\":\"unix\",\"name\":\"b\",\"consumer\":\"c\",\"socket\":\"/run/s\",\"policy\":{}},"
			"{\"type\":\"dbus\",\"name\":\"d\",\"consumer\":\"c\",\"socket\":\"/run/s\","
			"\"policy\":{\"talk\":[\"org..x\"]}},"
			"{\"type\":\"dbus\",\"name\":\"e\",\"consumer\":\"c\",\"socket\":\"/run/s\",\"policy\":[1]}]";
	struct pvx_graph gr;
	char err[200];
	int rc = pvx_graph_parse(g, strlen(g), &gr, err, sizeof(err), NULL, NULL);
	ok(rc == 0 && gr.n_links == 1 && gr.n_skipped == 3 && gr.links[0].policy &&
		   !strcmp(gr.links[0].policy, "{\"talk\":[\"org.x\"]}"),
	   "graph: policy read on a dbus link; other type, bad name, not an object skipped");
	if (rc == 0)
		pvx_graph_free(&gr);
}

static void setup(struct dbus_rules **r, const char *json, const char *iface)
{
	*r = dbus_rules_free(*r);
	*r = compile(json, iface);
	if (!*r)
		abort();
	dbus_filter_init(&filt, *r);
}

/* Learn that uname owns name, as GetNameOwner's answer says. */
static void learn(const char *name, const char *uname)
{
	DBusMessage *m = with_str(call(DF_DRIVER, "/org/freedesktop/DBus", DF_DRIVER, "GetNameOwner"), name);
	uint32_t s = next_serial;
	if (up(m) != DF_ALLOW)
		tap_diag("GetNameOwner(%s) not allowed: %s", name, dec.rule);
	down(reply(s, DF_DRIVER, uname));
}

static void levels(void)
{
	struct dbus_rules *r = NULL;
	setup(&r, "{\"see\":[\"org.s\"],\"talk\":[\"org.t.*\"],\"own\":[\"org.o\"]}", NULL);
	ok(dbus_filter_level(&filt, "org.t") == DBUS_LEVEL_TALK &&
		   dbus_filter_level(&filt, "org.t.x.y") == DBUS_LEVEL_TALK &&
		   dbus_filter_level(&filt, "org.tx") == DBUS_LEVEL_NONE,
	   "a.b.* matches a.b and below, not a.bc");
	ok(up(call("org.t.x", "/", "org.t.I", "M")) == DF_ALLOW, "talk: call passes");
	ok(up(call("org.o", "/", "org.o.I", "M")) == DF_ALLOW, "own implies talk");
	ok(up(call("org.s", "/", "org.s.I", "M")) == DF_DENY && strstr(dec.rule, "{\"talk\": [\"org.s\"]}"),
	   "see only: call denied, rule says talk: %s", dec.rule);
	ok(up(call("org.n", "/", "org.n.I", "M")) == DF_DENY, "unknown name: denied");
	ok(up(call(":1.9", "/", "org.t.I", "M")) == DF_DENY && strstr(dec.rule, "well-known"),
	   "unique name of nothing known: denied (%s)", dec.rule);
	learn("org.t.x", ":1.9");
	ok(dbus_filter_level(&filt, ":1.9") == DBUS_LEVEL_TALK, "unique name inherits its name's level");
	ok(up(call(":1.9", "/", "org.t.I", "M")) == DF_ALLOW, "call by unique name once its owner is known");
	learn("org.s", ":1.8");
	ok(up(call(":1.8", "/", "org.s.I", "M")) == DF_DENY && strstr(dec.rule, "\"org.s\""),
	   "unique name of a see-only name: denied, rule names the well-known name: %s", dec.rule);
	down(owner_changed("org.t.x", ":1.9", ""));
	ok(up(call(":1.9", "/", "org.t.I", "M")) == DF_DENY, "NameOwnerChanged: lost name, lost level");
	/* Learning from the sender of a reply to a well-known name. */
	uint32_t s = next_serial;
	up(call("org.t.y", "/", "org.t.I", "M"));
	down(reply(s, ":1.7", NULL));
	ok(dbus_filter_level(&filt, ":1.7") == DBUS_LEVEL_TALK, "owner learnt from the reply's sender");
	dbus_rules_free(r);
}

static DBusMessage *call_s(const char *dest, const char *path, const char *iface, const char *member,
			   const char *a0, const char *a1)
{
	DBusMessage *m = call(dest, path, iface, member);
	if (a1)
		dbus_message_append_args(m, DBUS_TYPE_STRING, &a0, DBUS_TYPE_OBJECT_PATH, &a1, DBUS_TYPE_INVALID);
	else if (a0)
		with_str(m, a0);
	return m;
}

static void call_rules(void)
{
	struct dbus_rules *r = NULL;
	setup(&r, "{\"talk\":[\"org.t\"],\"call\":["
		  "{\"name\":\"org.p\",\"interface\":\"org.p.I\",\"member\":\"Get\",\"path\":\"/p/*\"},"
		  "{\"name\":\"org.p\",\"interface\":\"org.p.*\",\"member\":\"Set\",\"args\":{\"0\":\"wifi\"}},"
		  "{\"name\":\"org.p\",\"member\":\"Open\",\"args\":{\"1path\":\"/dev/\"}},"
		  "{\"name\":\"org.p\",\"member\":\"Ns\",\"args\":{\"0namespace\":\"org.q\"}},"
		  "{\"name\":\"org.t\",\"member\":\"Only\"}]}",
	      NULL);
	ok(up(call("org.p", "/p", "org.p.I", "Get")) == DF_ALLOW, "call rule: path subtree root");
	ok(up(call("org.p", "/p/a/b", "org.p.I", "Get")) == DF_ALLOW, "call rule: path below");
	ok(up(call("org.p", "/px", "org.p.I", "Get")) == DF_DENY, "call rule: /px is not under /p");
	ok(strstr(dec.rule, "{\"call\": [{\"name\": \"org.p\", \"interface\": \"org.p.I\", \"member\": "
			    "\"Get\", \"path\": \"/px\"}]}") != NULL,
	   "denial names the call rule: %s", dec.rule);
	ok(up(call("org.p", "/p", "org.p.J", "Get")) == DF_DENY, "call rule: other interface");
	ok(up(call("org.p", "/p", NULL, "Get")) == DF_DENY, "call rule with interface: call without one denied");
	ok(up(call("org.p", "/p", "org.p.I", "Put")) == DF_DENY, "call rule: other member");
	ok(up(call_s("org.p", "/", "org.p.Sub", "Set", "wifi", NULL)) == DF_ALLOW, "arg0 equal, interface org.p.*");
	ok(up(call_s("org.p", "/", "org.p.Sub", "Set", "wifi2", NULL)) == DF_DENY, "arg0 different");
	ok(up(call("org.p", "/", "org.p.Sub", "Set")) == DF_DENY, "arg0 missing");
	ok(up(call_s("org.p", "/", "org.x.I", "Open", "a", "/dev/tty")) == DF_ALLOW, "arg1path prefix ending in /");
	ok(up(call_s("org.p", "/", "org.x.I", "Open", "a", "/devx")) == DF_DENY, "arg1path: /devx is not under /dev/");
	ok(up(call_s("org.p", "/", "org.x.I", "Open", "a", "/")) == DF_ALLOW, "arg1path: / is a prefix of the rule ending in /");
	ok(up(call_s("org.p", "/", "org.x.I", "Ns", "org.q.r", NULL)) == DF_ALLOW, "arg0namespace below");
	ok(up(call_s("org.p", "/", "org.x.I", "Ns", "org.qr", NULL)) == DF_DENY, "arg0namespace: org.qr is not org.q");
	ok(up(call("org.t", "/", "org.t.I", "Other")) == DF_DENY, "a talk name with call rules is reachable only through them");
	ok(up(call("org.t", "/", "org.t.I", "Only")) == DF_ALLOW, "... and through them");
	/* The body is asked for only when an args rule needs it. */
	struct msg *x = msg_of(call_s("org.p", "/", "org.p.Sub", "Set", "wifi", NULL));
	ok(dbus_filter_call(&filt, &x->f, &x->h, NULL, &dec) == DF_NEED_BODY, "args rule: body asked for");
	x = msg_of(call("org.p", "/p", "org.p.I", "Get"));
	ok(dbus_filter_call(&filt, &x->f, &x->h, NULL, &dec) == DF_ALLOW, "no args rule: no body needed");
	dbus_rules_free(r);
}

static DBusMessage *drv(const char *iface, const char *member, const char *arg)
{
	DBusMessage *m = call(DF_DRIVER, "/org/freedesktop/DBus", iface, member);
	return arg ? with_str(m, arg) : m;
}

static void driver(void)
{
	struct dbus_rules *r = NULL;
	setup(&r, "{\"see\":[\"org.s\"],\"talk\":[\"org.t\"],\"own\":[\"org.o\"]}", NULL);
	uint32_t s = next_serial;
	ok(up(drv(DF_DRIVER, "Hello", NULL)) == DF_ALLOW, "Hello");
	down(reply(s, DF_DRIVER, ":1.1"));
	ok(!strcmp(filt.self, ":1.1"), "the consumer's unique name learnt from Hello");
	ok(up(drv(DF_DRIVER, "GetId", NULL)) == DF_ALLOW, "GetId");
	ok(up(drv("org.freedesktop.DBus.Introspectable", "Introspect", NULL)) == DF_ALLOW, "Introspect");
	ok(up(drv("org.freedesktop.DBus.Peer", "Ping", NULL)) == DF_ALLOW, "Peer.Ping");
	ok(up(drv("org.freedesktop.DBus.Properties", "GetAll", "org.freedesktop.DBus")) == DF_ALLOW, "Properties.GetAll");
	ok(up(drv("org.freedesktop.DBus.Properties", "Set", NULL)) == DF_DENY, "Properties.Set denied");
	ok(up(drv(DF_DRIVER, "AddMatch", "type='signal',sender='org.t',member='X'")) == DF_ALLOW, "AddMatch for a visible sender");
	ok(up(drv(DF_DRIVER, "AddMatch", "type='signal'")) == DF_ALLOW, "AddMatch without sender");
	ok(up(drv(DF_DRIVER, "AddMatch", "type='signal',sender='org.n'")) == DF_DENY &&
		   strstr(dec.rule, "\"see\": [\"org.n\"]"),
	   "AddMatch for an invisible sender denied: %s", dec.rule);
	ok(up(drv(DF_DRIVER, "AddMatch", "eavesdrop='true',type='method_call'")) == DF_DENY &&
		   strstr(dec.rule, "eavesdrop"),
	   "AddMatch eavesdrop=true denied");
	ok(up(drv(DF_DRIVER, "AddMatch", "type='signal',eavesdrop=true")) == DF_DENY, "eavesdrop=true unquoted denied");
	ok(up(drv(DF_DRIVER, "AddMatch", "sender='org.t',sender='org.n'")) == DF_DENY, "a second sender is checked too");
	ok(up(drv(DF_DRIVER, "AddMatch", "sender='org.t")) == DF_DENY, "unterminated quote denied");
	ok(up(drv(DF_DRIVER, "RemoveMatch", "sender='org.n'")) == DF_DENY, "RemoveMatch checked like AddMatch");
	ok(up(drv(DF_DRIVER, "BecomeMonitor", NULL)) == DF_DENY && strstr(dec.rule, "never"), "BecomeMonitor denied: %s", dec.rule);
	ok(up(drv("org.freedesktop.DBus.Monitoring", "BecomeMonitor", NULL)) == DF_DENY, "Monitoring.BecomeMonitor denied");
	ok(up(drv(NULL, "BecomeMonitor", NULL)) == DF_DENY, "BecomeMonitor without interface denied");
	ok(up(drv(DF_DRIVER, "UpdateActivationEnvironment", NULL)) == DF_DENY, "UpdateActivationEnvironment denied");
	ok(up(drv(DF_DRIVER, "ReloadConfig", NULL)) == DF_DENY, "ReloadConfig denied");
	ok(up(drv("org.freedesktop.DBus.Debug.Stats", "GetStats", NULL)) == DF_DENY, "Debug.Stats denied");
	ok(up(drv(DF_DRIVER, "GetNameOwner", "org.s")) == DF_ALLOW, "GetNameOwner of a seen name");
	ok(up(drv(DF_DRIVER, "GetNameOwner", "org.n")) == DF_NO_OWNER && strstr(dec.rule, "see"),
	   "GetNameOwner of an invisible name: answered as no owner");
	ok(up(drv(DF_DRIVER, "NameHasOwner", "org.t")) == DF_ALLOW, "NameHasOwner of a seen name");
	ok(up(drv(DF_DRIVER, "NameHasOwner", "org.n")) == DF_NO_OWNER, "NameHasOwner of an invisible name: no owner");
	ok(up(drv(DF_DRIVER, "GetConnectionUnixUser", ":1.55")) == DF_NO_OWNER, "GetConnectionUnixUser of an unknown unique name");
	ok(up(drv(DF_DRIVER, "GetConnectionUnixUser", ":1.1")) == DF_ALLOW, "GetConnectionUnixUser of itself");
	ok(up(drv(DF_DRIVER, "StartServiceByName", "org.t")) == DF_ALLOW, "StartServiceByName of a talk name");
	ok(up(drv(DF_DRIVER, "StartServiceByName", "org.s")) == DF_DENY && strstr(dec.rule, "\"talk\": [\"org.s\"]"),
	   "StartServiceByName of a see name denied: %s", dec.rule);
	ok(up(drv(DF_DRIVER, "RequestName", "org.o")) == DF_ALLOW, "RequestName of an own name");
	ok(up(drv(DF_DRIVER, "RequestName", "org.t")) == DF_DENY && strstr(dec.rule, "\"own\": [\"org.t\"]"),
	   "RequestName of a talk name denied: %s", dec.rule);
	ok(up(drv(DF_DRIVER, "ReleaseName", "org.n")) == DF_DENY, "ReleaseName of another name denied");
	ok(up(drv(DF_DRIVER, "RequestName", NULL)) == DF_DENY, "RequestName without argument denied");
	/* ListNames: the reply is cut to what the link may see. */
	s = next_serial;
	ok(up(drv(DF_DRIVER, "ListNames", NULL)) == DF_ALLOW, "ListNames passes");
	DBusMessage *m = reply(s, DF_DRIVER, NULL);
	const char *names[] = { DF_DRIVER, "org.s", "org.secret", ":1.1", ":1.2", "org.t" };
	const char **pn = names;
	dbus_message_append_args(m, DBUS_TYPE_ARRAY, DBUS_TYPE_STRING, &pn, 6, DBUS_TYPE_INVALID);
	struct msg *x = msg_of(m);
	ok(down_msg(x) == DF_REWRITE, "ListNames reply: rewritten");
	unsigned char out[8192];
	size_t n = dbus_filter_rewrite(&filt, &x->f, &x->h, x->buf, out);
	DBusError e;
	dbus_error_init(&e);
	DBusMessage *back = n ? dbus_message_demarshal((const char *)out, (int)n, &e) : NULL;
	char **got = NULL;
	int ngot = 0;
	if (back)
		dbus_message_get_args(back, &e, DBUS_TYPE_ARRAY, DBUS_TYPE_STRING, &got, &ngot, DBUS_TYPE_INVALID);
	ok(ngot == 4 && !strcmp(got[0], DF_DRIVER) && !strcmp(got[1], "org.s") && !strcmp(got[2], ":1.1") &&
		   !strcmp(got[3], "org.t"),
	   "ListNames reply holds only the driver, itself and visible names (%d)", ngot);
	dbus_free_string_array(got);
	if (back)
		dbus_message_unref(back);
	dbus_error_free(&e);
	dbus_rules_free(r);
}

static void replies_and_signals(void)
{
	struct dbus_rules *r = NULL;
	setup(&r, "{\"talk\":[\"org.t\"],\"see\":[\"org.s\"],\"broadcast\":[{\"name\":\"org.b\","
		  "\"interface\":\"org.b.I\",\"member\":\"Changed\"}]}", NULL);
	ok(down(reply(999, ":1.5", NULL)) == DF_DROP, "a reply nobody asked for is dropped");
	uint32_t s = next_serial;
	up(call(":1.5", "/", "org.t.I", "M"));
	learn("org.t", ":1.5");
	s = next_serial;
	ok(up(call(":1.5", "/", "org.t.I", "M")) == DF_ALLOW, "call to the owner");
	ok(down(reply(s, ":1.6", NULL)) == DF_DROP, "its reply from another peer is dropped");
	ok(down(reply(s, ":1.5", NULL)) == DF_ALLOW, "its reply from the callee passes");
	ok(down(reply(s, ":1.5", NULL)) == DF_DROP, "a second reply is dropped: exactly one");
	s = next_serial;
	up(drv(DF_DRIVER, "GetNameOwner", "org.t"));
	ok(down(reply(s, ":1.5", ":1.66")) == DF_DROP, "a driver call's reply from a peer is dropped");
	ok(dbus_filter_level(&filt, ":1.66") == DBUS_LEVEL_NONE, "... and teaches nothing");
	/* Reused serials and the limit. */
	DBusMessage *m = call("org.t", "/", "org.t.I", "M");
	dbus_message_set_serial(m, 5000);
	ok(up(m) == DF_ALLOW, "call with serial 5000");
	m = call("org.t", "/", "org.t.I", "M");
	dbus_message_set_serial(m, 5000);
	ok(up(m) == DF_REUSED, "another call with the outstanding serial refused");
	while (filt.npending < DF_MAX_PENDING)
		up(call("org.t", "/", "org.t.I", "M"));
	ok(up(call("org.t", "/", "org.t.I", "M")) == DF_FULL, "one call over the limit: LimitsExceeded");
	dbus_filter_init(&filt, r);
	/* Signals. */
	ok(up(signal_from(NULL, "org.x.I", "S", NULL)) == DF_DROP && strstr(dec.rule, "signals from the consumer"),
	   "a signal the consumer emits is dropped");
	ok(down(signal_from(":1.7", "org.b.I", "Changed", NULL)) == DF_DROP && strstr(dec.rule, ":1.7"),
	   "broadcast from a sender of unknown names dropped");
	down(owner_changed("org.b", "", ":1.7"));
	ok(down(signal_from(":1.7", "org.b.I", "Changed", NULL)) == DF_ALLOW, "broadcast allowed by a rule");
	ok(down(signal_from(":1.7", "org.b.I", "Other", NULL)) == DF_DROP &&
		   strstr(dec.rule, "{\"broadcast\": [{\"name\": \"org.b\", \"interface\": \"org.b.I\", \"member\": \"Other\""),
	   "broadcast of another member dropped, rule named: %s", dec.rule);
	learn("org.t", ":1.5");
	ok(down(signal_from(":1.5", "org.t.I", "Changed", NULL)) == DF_DROP, "broadcast from a talk name without rule dropped");
	ok(down(signal_from(":1.5", "org.t.I", "Changed", ":1.1")) == DF_ALLOW, "unicast signal from a talk name passes");
	ok(down(owner_changed("org.s", "", ":1.9")) == DF_ALLOW, "NameOwnerChanged of a seen name passes");
	ok(down(owner_changed("org.secret", "", ":1.9")) == DF_DROP, "NameOwnerChanged of an invisible name dropped");
	/* Calls to the consumer: one answer each. */
	m = call(":1.1", "/", "org.c.I", "Ask");
	dbus_message_set_sender(m, ":1.5");
	dbus_message_set_serial(m, 77);
	ok(down(m) == DF_ALLOW, "a call to the consumer passes");
	m = dbus_message_new(DBUS_MESSAGE_TYPE_METHOD_RETURN);
	dbus_message_set_reply_serial(m, 77);
	dbus_message_set_destination(m, ":1.6");
	ok(up(m) == DF_DROP, "the consumer's answer to someone else is dropped");
	m = dbus_message_new(DBUS_MESSAGE_TYPE_METHOD_RETURN);
	dbus_message_set_reply_serial(m, 77);
	dbus_message_set_destination(m, ":1.5");
	ok(up(m) == DF_ALLOW, "the consumer answers the caller");
	m = dbus_message_new(DBUS_MESSAGE_TYPE_METHOD_RETURN);
	dbus_message_set_reply_serial(m, 77);
	dbus_message_set_destination(m, ":1.5");
	ok(up(m) == DF_DROP, "a second answer is dropped");
	dbus_rules_free(r);
}

int main(void)
{
	validator();
	compiling();
	levels();
	call_rules();
	driver();
	replies_and_signals();
	return tap_done();
}
