/* D-Bus message framing and header fields (parsers/dbus_msg.c) on messages
 * libdbus builds, on hand-made ones libdbus would never send, and hostile
 * ones; the name filter and its outstanding calls (policy/dbus.c);
 * and the role-to-credentials mapping (policy/identity.c). */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dbus/dbus.h>

#include "policy/identity.h"
#include "parsers/dbus_msg.h"
#include "policy/dbus.h"
#include "t/tap.h"

/* A message marshalled by libdbus (native endianness). */
static size_t marshal(DBusMessage *m, unsigned char *out, size_t cap)
{
	char *wire;
	int len;
	dbus_message_set_serial(m, 7);
	if (!dbus_message_marshal(m, &wire, &len) || (size_t)len > cap)
		abort();
	memcpy(out, wire, (size_t)len);
	dbus_free(wire);
	dbus_message_unref(m);
	return (size_t)len;
}

static const char *parse(const unsigned char *p, size_t len, struct dbus_frame *f,
			 struct dbus_fields *h)
{
	if (len < DBUS_FIXED_HEADER)
		return "short";
	const char *why = dbus_frame_read(p, f);
	if (why)
		return why;
	if (f->header_len > len)
		return "short";
	return dbus_fields_read(p, f, h);
}

static void libdbus_messages(void)
{
	unsigned char buf[4096];
	struct dbus_frame f;
	struct dbus_fields h;

	DBusMessage *m = dbus_message_new_method_call("org.pantavisor.Example", "/org/pantavisor/Example",
						      "org.pantavisor.Example", "ReadFd");
	int fds[2];
	if (pipe(fds) < 0)
		abort();
	const char *s = "hello";
	dbus_message_append_args(m, DBUS_TYPE_STRING, &s, DBUS_TYPE_UNIX_FD, &fds[0], DBUS_TYPE_UNIX_FD,
				 &fds[1], DBUS_TYPE_INVALID);
	close(fds[0]);
	close(fds[1]);
	size_t len = marshal(m, buf, sizeof(buf));
	tap_ok(!parse(buf, len, &f, &h), "method call with two fds (libdbus) parses");
	tap_ok(f.total == len && f.type == DBUS_MSG_METHOD_CALL && f.serial == 7,
	       "framing: total %u of %zu bytes, type, serial", f.total, len);
	tap_ok(h.unix_fds == 2, "UNIX_FDS field read: %u", h.unix_fds);
	tap_ok(h.destination && !strcmp(h.destination, "org.pantavisor.Example") && h.member &&
		       !strcmp(h.member, "ReadFd") && h.interface && h.path && h.signature &&
		       !strcmp(h.signature, "shh"),
	       "destination, member, interface, path, signature read");
	const char *args[3];
	int n = dbus_body_strings(buf + f.header_len, &f, &h, args, 3);
	tap_ok(n == 1 && !strcmp(args[0], "hello"), "leading string arguments: only the first is a string");

	m = dbus_message_new_signal("/org/freedesktop/DBus", "org.freedesktop.DBus", "NameOwnerChanged");
	const char *a = "org.pantavisor.Example", *b = "", *c = ":1.4";
	dbus_message_append_args(m, DBUS_TYPE_STRING, &a, DBUS_TYPE_STRING, &b, DBUS_TYPE_STRING, &c,
				 DBUS_TYPE_INVALID);
	dbus_message_set_sender(m, "org.freedesktop.DBus");
	len = marshal(m, buf, sizeof(buf));
	tap_ok(!parse(buf, len, &f, &h) && f.type == DBUS_MSG_SIGNAL && h.sender &&
		       !strcmp(h.sender, "org.freedesktop.DBus"),
	       "signal with sender parses");
	n = dbus_body_strings(buf + f.header_len, &f, &h, args, 3);
	tap_ok(n == 3 && !strcmp(args[0], a) && !strcmp(args[1], "") && !strcmp(args[2], c),
	       "NameOwnerChanged: three strings");

	m = dbus_message_new(DBUS_MESSAGE_TYPE_ERROR);
	dbus_message_set_error_name(m, DBUS_ERROR_ACCESS_DENIED);
	dbus_message_set_reply_serial(m, 41);
	len = marshal(m, buf, sizeof(buf));
	tap_ok(!parse(buf, len, &f, &h) && h.has_reply_serial && h.reply_serial == 41 && h.error_name,
	       "error with reply serial parses");

	m = dbus_message_new(DBUS_MESSAGE_TYPE_METHOD_RETURN);
	len = marshal(m, buf, sizeof(buf));
	tap_ok(parse(buf, len, &f, &h) != NULL, "method return without reply serial refused");

	/* A big body: framing from the fixed header alone. */
	m = dbus_message_new_method_call("a.b", "/", "a.b", "Big");
	static char big[100000];
	memset(big, 'x', sizeof(big) - 1);
	const char *bp = big;
	dbus_message_append_args(m, DBUS_TYPE_STRING, &bp, DBUS_TYPE_INVALID);
	char *wire;
	int wl;
	dbus_message_set_serial(m, 9);
	dbus_message_marshal(m, &wire, &wl);
	tap_ok(!dbus_frame_read((unsigned char *)wire, &f) && f.total == (uint32_t)wl,
	       "a 100 kB message is framed from its first 16 bytes (%u)", f.total);
	dbus_free(wire);
	dbus_message_unref(m);
}

/* Hand-made little-endian messages: fixed header plus a field array. */
struct mk {
	unsigned char b[4096];
	size_t len;
};

static void put(struct mk *m, const void *p, size_t n)
{
	memcpy(m->b + m->len, p, n);
	m->len += n;
}
static void align_to(struct mk *m, size_t a)
{
	while (m->len % a)
		m->b[m->len++] = 0;
}
static void u32(struct mk *m, uint32_t v)
{
	align_to(m, 4);
	unsigned char x[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };
	put(m, x, 4);
}
static void str(struct mk *m, const char *s)
{
	u32(m, (uint32_t)strlen(s));
	put(m, s, strlen(s) + 1);
}
static void field(struct mk *m, uint8_t code, const char *sig)
{
	align_to(m, 8);
	m->b[m->len++] = code;
	m->b[m->len++] = (unsigned char)strlen(sig);
	put(m, sig, strlen(sig) + 1);
}
static void start(struct mk *m, uint8_t type)
{
	memset(m, 0, sizeof(*m));
	const unsigned char fixed[16] = { 'l', type, 0, 1, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0 };
	put(m, fixed, 16);
}
static void call_fields(struct mk *m)
{
	field(m, 1, "o");
	str(m, "/x");
	field(m, 3, "s");
	str(m, "M");
}
static void finish(struct mk *m)
{
	uint32_t fl = (uint32_t)m->len - 16;
	memcpy(m->b + 12, &fl, 4);
	align_to(m, 8);
}

static void hand_made(void)
{
	struct mk m;
	struct dbus_frame f;
	struct dbus_fields h;

	start(&m, 1);
	call_fields(&m);
	finish(&m);
	tap_ok(!parse(m.b, m.len, &f, &h), "minimal hand-made call parses");

	start(&m, 1);
	call_fields(&m);
	field(&m, 42, "a{sv}"); /* unknown field: skipped, whatever its type */
	u32(&m, 0);
	align_to(&m, 8);
	finish(&m);
	tap_ok(!parse(m.b, m.len, &f, &h), "unknown field a{sv} (empty) skipped");

	start(&m, 1);
	call_fields(&m);
	field(&m, 43, "v");
	m.b[m.len++] = 2;
	put(&m, "as", 3);
	u32(&m, 0);
	size_t at = m.len - 4, from = m.len;
	str(&m, "ab");
	str(&m, "c");
	uint32_t alen = (uint32_t)(m.len - from);
	memcpy(m.b + at, &alen, 4);
	finish(&m);
	tap_ok(!parse(m.b, m.len, &f, &h), "unknown field variant of as skipped");

	start(&m, 1);
	call_fields(&m);
	field(&m, 6, "s");
	str(&m, "org.a");
	field(&m, 6, "s");
	str(&m, "org.b");
	finish(&m);
	tap_ok(parse(m.b, m.len, &f, &h) != NULL, "DESTINATION twice refused (two readings possible)");

	start(&m, 1);
	call_fields(&m);
	field(&m, 6, "o");
	str(&m, "/org/a");
	finish(&m);
	tap_ok(parse(m.b, m.len, &f, &h) != NULL, "DESTINATION of type o refused");

	start(&m, 1);
	field(&m, 1, "o");
	str(&m, "/x");
	finish(&m);
	tap_ok(parse(m.b, m.len, &f, &h) != NULL, "method call without member refused");

	start(&m, 4);
	call_fields(&m);
	finish(&m);
	tap_ok(parse(m.b, m.len, &f, &h) != NULL, "signal without interface refused");

	start(&m, 1);
	call_fields(&m);
	finish(&m);
	m.b[17] = 'x'; /* the first field's signature length: now past the array */
	tap_ok(parse(m.b, m.len, &f, &h) != NULL, "corrupt field signature refused");

	start(&m, 1);
	call_fields(&m);
	m.b[m.len++] = 0;
	m.b[m.len++] = 0;
	finish(&m);
	tap_ok(parse(m.b, m.len, &f, &h) != NULL, "trailing bytes in the field array refused");

	start(&m, 1);
	call_fields(&m);
	field(&m, 3, "s"); /* member twice */
	str(&m, "N");
	finish(&m);
	tap_ok(parse(m.b, m.len, &f, &h) != NULL, "MEMBER twice refused");

	start(&m, 1);
	call_fields(&m);
	field(&m, 0, "u");
	u32(&m, 1);
	finish(&m);
	tap_ok(parse(m.b, m.len, &f, &h) != NULL, "field code 0 refused");

	start(&m, 1);
	call_fields(&m);
	field(&m, 2, "s");
	u32(&m, 3);
	put(&m, "a\0b", 4);
	finish(&m);
	tap_ok(parse(m.b, m.len, &f, &h) != NULL, "NUL inside a string refused");

	start(&m, 1);
	call_fields(&m);
	field(&m, 2, "s");
	u32(&m, 1000);
	put(&m, "abc", 4);
	finish(&m);
	tap_ok(parse(m.b, m.len, &f, &h) != NULL, "string longer than the array refused");

	/* Deep nesting in an unknown field: refused, not a stack overflow. */
	start(&m, 1);
	call_fields(&m);
	char sig[256];
	memset(sig, 'a', 200);
	sig[200] = 'y';
	sig[201] = 0;
	field(&m, 44, sig + 1); /* 199 nested arrays: over the nesting cap */
	for (int i = 0; i < 199; i++)
		u32(&m, 4);
	finish(&m);
	tap_ok(parse(m.b, m.len, &f, &h) != NULL, "199 nested arrays refused");

	start(&m, 1);
	call_fields(&m);
	field(&m, 45, "(");
	finish(&m);
	tap_ok(parse(m.b, m.len, &f, &h) != NULL, "unbalanced struct signature refused");

	/* Fixed header checks. */
	unsigned char fx[16] = { 'l', 1, 0, 1, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0 };
	tap_ok(!dbus_frame_read(fx, &f), "fixed header: little endian ok");
	fx[0] = 'B';
	tap_ok(!dbus_frame_read(fx, &f) && f.serial == 0x05000000, "fixed header: big endian read as such");
	fx[0] = 'x';
	tap_ok(dbus_frame_read(fx, &f) != NULL, "bad endianness refused");
	fx[0] = 'l';
	fx[3] = 2;
	tap_ok(dbus_frame_read(fx, &f) != NULL, "protocol version 2 refused");
	fx[3] = 1;
	fx[8] = 0;
	tap_ok(dbus_frame_read(fx, &f) != NULL, "serial 0 refused");
	fx[8] = 5;
	uint32_t big = DBUS_MAX_MESSAGE;
	memcpy(fx + 4, &big, 4);
	tap_ok(dbus_frame_read(fx, &f) != NULL, "body of 128 MiB plus a header refused");
	big = 0;
	memcpy(fx + 4, &big, 4);
	big = DBUS_MAX_ARRAY + 1;
	memcpy(fx + 12, &big, 4);
	tap_ok(dbus_frame_read(fx, &f) != NULL, "field array over 64 MiB refused");
	big = 0xffffffff;
	memcpy(fx + 4, &big, 4);
	memcpy(fx + 12, &big, 4);
	tap_ok(dbus_frame_read(fx, &f) != NULL, "lengths that overflow 32 bits refused");
	fx[1] = 0;
	memset(fx + 4, 0, 4);
	memset(fx + 12, 0, 4);
	tap_ok(dbus_frame_read(fx, &f) != NULL, "message type 0 refused");
}

/* ---- the name filter (policy/dbus.c) ----------------------- */

#define ALLOWED "org.pantavisor.Example"

/* One message as the filter sees it: marshalled by libdbus, parsed back. */
struct pmsg {
	unsigned char b[2048];
	struct dbus_frame f;
	struct dbus_fields h;
	const unsigned char *body;
};

static void pmsg_make(struct pmsg *p, DBusMessage *m, uint32_t serial)
{
	char *wire;
	int len;
	dbus_message_set_serial(m, serial);
	if (!dbus_message_marshal(m, &wire, &len) || (size_t)len > sizeof(p->b))
		abort();
	memcpy(p->b, wire, (size_t)len);
	dbus_free(wire);
	dbus_message_unref(m);
	if (parse(p->b, (size_t)len, &p->f, &p->h))
		abort();
	p->body = p->b + p->f.header_len;
}

/* A call from the client: dest, member (interface org.freedesktop.DBus
 * for the bus driver), one string argument or none. */
static enum dbus_verdict call(struct dbus_policy *pol, uint32_t serial, const char *dest,
			      const char *member, const char *arg, bool no_reply)
{
	bool driver = !strcmp(dest, DBUS_DRIVER_NAME);
	DBusMessage *m = dbus_message_new_method_call(dest, driver ? "/org/freedesktop/DBus" : "/x",
						      driver ? DBUS_DRIVER_NAME : "org.pantavisor.Example",
						      member);
	if (arg)
		dbus_message_append_args(m, DBUS_TYPE_STRING, &arg, DBUS_TYPE_INVALID);
	dbus_message_set_no_reply(m, no_reply);
	struct pmsg p;
	pmsg_make(&p, m, serial);
	return dbus_policy_call(pol, &p.f, &p.h, p.body);
}

static enum dbus_verdict owner_query(struct dbus_policy *pol, uint32_t serial, const char *name)
{
	return call(pol, serial, DBUS_DRIVER_NAME, "GetNameOwner", name, false);
}

/* A method return (or error, when arg is NULL and error) from the bus. */
static enum dbus_verdict bus_reply(struct dbus_policy *pol, uint32_t reply_serial, const char *sender,
				   const char *arg, bool error)
{
	DBusMessage *m = dbus_message_new(error ? DBUS_MESSAGE_TYPE_ERROR : DBUS_MESSAGE_TYPE_METHOD_RETURN);
	if (error)
		dbus_message_set_error_name(m, "org.freedesktop.DBus.Error.NameHasNoOwner");
	dbus_message_set_reply_serial(m, reply_serial);
	dbus_message_set_sender(m, sender);
	if (arg)
		dbus_message_append_args(m, DBUS_TYPE_STRING, &arg, DBUS_TYPE_INVALID);
	struct pmsg p;
	pmsg_make(&p, m, 1000 + reply_serial);
	return dbus_policy_bus(pol, &p.f, &p.h, p.body);
}

static void owner_changed(struct dbus_policy *pol, const char *name, const char *new_owner)
{
	DBusMessage *m = dbus_message_new_signal("/org/freedesktop/DBus", DBUS_DRIVER_NAME, "NameOwnerChanged");
	const char *old = "";
	dbus_message_append_args(m, DBUS_TYPE_STRING, &name, DBUS_TYPE_STRING, &old, DBUS_TYPE_STRING,
				 &new_owner, DBUS_TYPE_INVALID);
	dbus_message_set_sender(m, DBUS_DRIVER_NAME);
	struct pmsg p;
	pmsg_make(&p, m, 77);
	dbus_policy_bus(pol, &p.f, &p.h, p.body);
}

static void policy(void)
{
	struct dbus_policy pol;

	/* The attack of issue 15 item 3: one serial, a forbidden name first. */
	dbus_policy_init(&pol, ALLOWED);
	tap_ok(owner_query(&pol, 9, "org.forbidden.Service") == DBUS_ALLOW,
	       "GetNameOwner of any name may be asked");
	tap_ok(owner_query(&pol, 9, ALLOWED) == DBUS_REUSED,
	       "GetNameOwner(allowed) with the serial of an outstanding call: refused (reused)");
	bus_reply(&pol, 9, DBUS_DRIVER_NAME, ":1.66", false);
	tap_ok(pol.owner[0] == '\0', "the forbidden name's owner is not taken for the allowed one's");
	tap_ok(call(&pol, 10, ":1.66", "Secret", NULL, false) == DBUS_DENY,
	       "a call to the forbidden name's owner is denied");
	tap_ok(pol.npending == 0, "the answered call is forgotten (%u outstanding)", pol.npending);

	/* The same two calls the other way round. */
	dbus_policy_init(&pol, ALLOWED);
	tap_ok(owner_query(&pol, 9, ALLOWED) == DBUS_ALLOW && owner_query(&pol, 9, "org.forbidden.Service") ==
										     DBUS_REUSED,
	       "allowed first, forbidden second with the same serial: refused");
	bus_reply(&pol, 9, DBUS_DRIVER_NAME, ":1.5", false);
	tap_ok(!strcmp(pol.owner, ":1.5"), "the answer to GetNameOwner(allowed) sets the owner (%s)", pol.owner);
	tap_ok(call(&pol, 11, ":1.5", "GetInfo", NULL, false) == DBUS_ALLOW, "calls to the owner pass");
	bus_reply(&pol, 9, DBUS_DRIVER_NAME, ":1.66", false);
	tap_ok(!strcmp(pol.owner, ":1.5"), "a second reply to the same call changes nothing (%s)", pol.owner);

	/* Only the bus driver answers a call to the bus driver. */
	dbus_policy_init(&pol, ALLOWED);
	owner_query(&pol, 3, ALLOWED);
	bus_reply(&pol, 3, ":1.66", ":1.66", false);
	tap_ok(pol.owner[0] == '\0' && pol.npending == 1,
	       "a reply to GetNameOwner from a peer (not the driver) neither sets the owner nor answers the call");
	bus_reply(&pol, 3, DBUS_DRIVER_NAME, "org.not.unique", false);
	tap_ok(pol.owner[0] == '\0' && pol.npending == 0, "an answer that is not a unique name is not taken");
	owner_query(&pol, 4, ALLOWED);
	bus_reply(&pol, 4, DBUS_DRIVER_NAME, NULL, true);
	tap_ok(pol.owner[0] == '\0' && pol.npending == 0, "an error answers the call, no owner");
	owner_query(&pol, 5, ALLOWED);
	tap_ok(owner_query(&pol, 5, ALLOWED) == DBUS_REUSED, "the same query twice with one serial: refused");
	bus_reply(&pol, 5, DBUS_DRIVER_NAME, ":1.7", false);
	tap_ok(!strcmp(pol.owner, ":1.7"), "the driver's answer sets the owner (%s)", pol.owner);
	tap_ok(owner_query(&pol, 5, ALLOWED) == DBUS_ALLOW, "once answered, a serial may be used again");

	/* Serials shared with other calls, flags, refused calls. */
	dbus_policy_init(&pol, ALLOWED);
	tap_ok(call(&pol, 20, ALLOWED, "Slow", NULL, false) == DBUS_ALLOW, "a call to the allowed name passes");
	tap_ok(call(&pol, 20, DBUS_DRIVER_NAME, "AddMatch", "type='signal'", false) == DBUS_REUSED,
	       "a driver call reusing a peer call's serial: refused");
	tap_ok(call(&pol, 20, DBUS_DRIVER_NAME, "AddMatch", "type='signal'", true) == DBUS_REUSED,
	       "... also with NO_REPLY_EXPECTED");
	tap_ok(call(&pol, 21, DBUS_DRIVER_NAME, "GetNameOwner", ALLOWED, true) == DBUS_DENY,
	       "GetNameOwner with NO_REPLY_EXPECTED: refused");
	tap_ok(call(&pol, 22, ALLOWED, "Fire", NULL, true) == DBUS_ALLOW && pol.npending == 1,
	       "a call without reply passes and is not remembered");
	tap_ok(call(&pol, 23, "org.forbidden.Service", "X", NULL, false) == DBUS_DENY && pol.npending == 1,
	       "a denied call is not remembered");
	tap_ok(call(&pol, 23, ALLOWED, "X", NULL, false) == DBUS_ALLOW, "... so its serial is free");
	bus_reply(&pol, 20, ":1.5", NULL, false);
	tap_ok(pol.npending == 1, "a peer's reply answers the call to the peer (%u outstanding)", pol.npending);
	bus_reply(&pol, 999, DBUS_DRIVER_NAME, ":1.9", false);
	tap_ok(pol.npending == 1 && pol.owner[0] == '\0', "a reply to no outstanding call passes, changes nothing");

	/* The body arrives later: nothing is remembered before it. */
	dbus_policy_init(&pol, ALLOWED);
	DBusMessage *m = dbus_message_new_method_call(DBUS_DRIVER_NAME, "/org/freedesktop/DBus",
						      DBUS_DRIVER_NAME, "GetNameOwner");
	const char *a = ALLOWED;
	dbus_message_append_args(m, DBUS_TYPE_STRING, &a, DBUS_TYPE_INVALID);
	struct pmsg p;
	pmsg_make(&p, m, 31);
	tap_ok(dbus_policy_call(&pol, &p.f, &p.h, NULL) == DBUS_NEED_BODY && pol.npending == 0,
	       "GetNameOwner without its body: asks for it, remembers nothing");
	tap_ok(dbus_policy_call(&pol, &p.f, &p.h, p.body) == DBUS_ALLOW && pol.npending == 1,
	       "with its body: allowed, remembered once");

	/* The cap. */
	dbus_policy_init(&pol, ALLOWED);
	bool all = true;
	for (uint32_t i = 1; i <= DBUS_MAX_PENDING; i++)
		all &= call(&pol, i, ALLOWED, "Slow", NULL, false) == DBUS_ALLOW;
	tap_ok(all, "%d outstanding calls pass", DBUS_MAX_PENDING);
	tap_ok(call(&pol, 1000, ALLOWED, "Slow", NULL, false) == DBUS_FULL, "one more: refused (limits exceeded)");
	tap_ok(call(&pol, 1001, ALLOWED, "Fire", NULL, true) == DBUS_ALLOW,
	       "a call without reply still passes when full");
	bus_reply(&pol, 64, ":1.5", NULL, true);
	tap_ok(call(&pol, 1002, ALLOWED, "Slow", NULL, false) == DBUS_ALLOW, "an answer frees a place");
	tap_ok(call(&pol, 128, ALLOWED, "Slow", NULL, false) == DBUS_REUSED, "the last remembered serial is still known");

	/* NameOwnerChanged from the driver. */
	dbus_policy_init(&pol, ALLOWED);
	owner_changed(&pol, "org.forbidden.Service", ":1.66");
	tap_ok(pol.owner[0] == '\0', "NameOwnerChanged about another name: no owner");
	owner_changed(&pol, ALLOWED, ":1.8");
	tap_ok(!strcmp(pol.owner, ":1.8"), "NameOwnerChanged about the allowed name sets the owner");
	owner_changed(&pol, ALLOWED, "");
	tap_ok(pol.owner[0] == '\0' && call(&pol, 40, ":1.8", "X", NULL, false) == DBUS_DENY,
	       "... and clears it when the name loses its owner");
}

static void identity(void)
{
	const char *passwd = "root:x:0:0:root:/root:/bin/sh\n"
			     "# a comment\n"
			     "broken line\n"
			     "operator:x:1001:1002:op:/home/op:/bin/sh\n"
			     "big:x:99999999999:1:b:/:/bin/sh\n"
			     "nobody:x:65534:65534:nobody:/:/bin/false";
	const char *group = "video:x:44:operator,other\n"
			    "audio:x:29:other\n"
			    "render:x:105:operator\n"
			    "opgroup:x:1002:operator\n"
			    "bad:x:notanumber:operator\n";
	struct pvx_cred c;

	pvx_identity_from_files("root", false, 0, passwd, group, &c);
	tap_ok(c.uid == 0 && c.gid == 0 && c.known && c.ngroups == 0, "root -> 0:0, no groups");
	pvx_identity_from_files("operator", false, 0, passwd, group, &c);
	tap_ok(c.uid == 1001 && c.gid == 1002 && c.ngroups == 2 && c.groups[0] == 44 && c.groups[1] == 105,
	       "operator -> 1001:1002 plus video and render (own primary group not repeated)");
	pvx_identity_from_files("any", false, 0, passwd, group, &c);
	tap_ok(c.uid == PVX_NOBODY && c.gid == PVX_NOBODY && !c.known, "unknown role (any) -> nobody");
	pvx_identity_from_files("4242", false, 0, passwd, group, &c);
	tap_ok(c.uid == 4242 && c.gid == 4242, "numeric role not in passwd -> that uid and gid");
	pvx_identity_from_files("1001", false, 0, passwd, group, &c);
	tap_ok(c.uid == 1001 && c.gid == 1002 && c.ngroups == 2, "numeric role in passwd -> its gid and groups");
	pvx_identity_from_files("root", true, 1001, passwd, group, &c);
	tap_ok(c.uid == 1001, "the link's uid field wins over the role");
	pvx_identity_from_files("big", false, 0, passwd, group, &c);
	tap_ok(c.uid == PVX_NOBODY, "a passwd line with an id over 32 bits is skipped");
	pvx_identity_from_files("4294967295", false, 0, passwd, group, &c);
	tap_ok(c.uid == PVX_NOBODY, "role -1 (4294967295) is not a uid");
	pvx_identity_from_files("broken line", false, 0, passwd, group, &c);
	tap_ok(c.uid == PVX_NOBODY, "malformed lines never match");
	pvx_identity_from_files("operator", false, 0, NULL, NULL, &c);
	tap_ok(c.uid == PVX_NOBODY, "no passwd in the provider -> nobody");
	pvx_identity_from_files("nobody", false, 0, passwd, group, &c);
	tap_ok(c.uid == 65534 && c.known, "last line without newline read");
}

/* writes a file under dir, or aborts */
static void put_file(const char *dir, const char *name, const char *text, size_t pad)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		abort();
	for (size_t i = 0; i < pad; i += 64)
		fputs("#..............................................................\n", f);
	fputs(text, f);
	fclose(f);
}

/* The provider's files as the daemon reads them (README: symlinks refused,
 * 1 MiB cap): a provider root made in a temporary directory. */
static void identity_files(void)
{
	char dir[] = "/tmp/pvx-identity.XXXXXX", etc[64], path[128];
	if (!mkdtemp(dir))
		abort();
	snprintf(etc, sizeof(etc), "%s/etc", dir);
	mkdir(etc, 0755);
	const char *line = "operator:x:1001:1002:op:/home/op:/bin/sh\n";
	struct pvx_link_spec spec = { .role = "operator" };
	struct pvx_cred c;
	int root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	put_file(etc, "passwd", line, 0);
	pvx_identity_resolve_in(root, &spec, &c);
	tap_ok(c.known && c.uid == 1001 && c.gid == 1002, "provider root: /etc/passwd read (operator 1001:1002)");

	snprintf(path, sizeof(path), "%s/passwd", etc);
	put_file(dir, "real-passwd", line, 0);
	unlink(path);
	if (symlink("../real-passwd", path) < 0)
		abort();
	pvx_identity_resolve_in(root, &spec, &c);
	tap_ok(!c.known && c.uid == PVX_NOBODY, "/etc/passwd a symlink (even inside the root): not read, nobody");

	unlink(path);
	put_file(etc, "passwd", line, PVX_IDENTITY_MAX_FILE);
	pvx_identity_resolve_in(root, &spec, &c);
	tap_ok(!c.known && c.uid == PVX_NOBODY, "a user line after the 1 MiB cap is not read");
	put_file(etc, "passwd", line, PVX_IDENTITY_MAX_FILE - 4096);
	pvx_identity_resolve_in(root, &spec, &c);
	tap_ok(c.known && c.uid == 1001, "control: the same line just within the cap is read");

	unlink(path);
	if (mkfifo(path, 0644) < 0)
		abort();
	pvx_identity_resolve_in(root, &spec, &c);
	tap_ok(!c.known && c.uid == PVX_NOBODY, "/etc/passwd a FIFO: not read (and no hang), nobody");

	close(root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/real-passwd", dir);
	unlink(path);
	rmdir(etc);
	rmdir(dir);
}

int main(void)
{
	libdbus_messages();
	hand_made();
	policy();
	identity();
	identity_files();
	return tap_done();
}
