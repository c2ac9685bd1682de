/* policy/bus_config.h: uids for new roles, names claimed twice, the
 * generated bus configuration and passwd/group. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "policy/bus_config.h"
#include "t/tap.h"

static const char *held_by_b(void *ctx, const char *owns)
{
	(void)ctx;
	return strcmp(owns, "org.example.Foo") == 0 ? "b" : NULL;
}

int main(void)
{
	unsigned none[1] = { 0 };
	ok(bus_uid_next(none, 0) == 90000, "the first role gets 90000");
	unsigned used[] = { 90000, 90002, 90001 };
	ok(bus_uid_next(used, 3) == 90003, "the next free uid, whatever the order");
	unsigned gap[] = { 90000, 90002 };
	ok(bus_uid_next(gap, 2) == 90001, "a gap is used");
	unsigned *full = malloc(sizeof(unsigned) * (BUS_UID_LAST - BUS_UID_FIRST + 1));
	for (unsigned i = 0; i <= BUS_UID_LAST - BUS_UID_FIRST; i++)
		full[i] = BUS_UID_FIRST + i;
	ok(bus_uid_next(full, BUS_UID_LAST - BUS_UID_FIRST + 1) == 0, "a full range gives 0");
	free(full);

	const char *ops[] = { "operator", "monitor" };
	struct bus_claim c[] = {
		{ .container = "a", .owns = "org.example.Foo", .role = "foo", .allow = ops, .n_allow = 2 },
		{ .container = "b", .owns = "org.example.Foo", .role = "foo2" },
		{ .container = "b", .owns = "org.example.Bar", .role = "bar" },
		{ .container = "c", .owns = "org.example.Foo", .role = "foo3" },
	};
	ok(bus_claims_resolve(c, 4, NULL, NULL) == 2, "two claims of a taken name refused");
	ok(!c[0].refused && !c[2].refused, "the first claim and an unrelated one are kept");
	ok(c[1].refused && strcmp(c[1].refused, "bus name 'org.example.Foo' is already claimed by 'a'") == 0,
	   "the reason names the keeper: %s", c[1].refused ? c[1].refused : "(none)");
	ok(c[3].refused != NULL, "a third claim is refused too");
	bus_claims_clear(c, 4);
	ok(bus_claims_resolve(c, 4, held_by_b, NULL) == 2, "with a holder: still two refused");
	ok(c[0].refused && !c[1].refused && c[3].refused, "the holder keeps its name over an earlier claim");
	ok(c[0].refused && strstr(c[0].refused, "claimed by 'b'"), "the reason names the holder");

	char *x = bus_config_xml("/run/a&b/bus", c, 4);
	ok(x != NULL, "config generated");
	ok(x && strstr(x, "<listen>unix:path=/run/a&amp;b/bus</listen>"), "the socket path is escaped");
	ok(x && strstr(x, "<deny own=\"*\"/>") && strstr(x, "<deny send_type=\"method_call\"/>"),
	   "default deny: own and method calls");
	ok(x && strstr(x, "<policy user=\"foo2\">\n    <allow own=\"org.example.Foo\"/>"),
	   "the keeper's role may own the name");
	ok(x && !strstr(x, "<policy user=\"foo\">"), "a refused claim grants nothing");
	ok(x && strstr(x, "<policy user=\"bar\">\n    <allow own=\"org.example.Bar\"/>"),
	   "an unrelated claim is granted");
	ok(x && !strstr(x, "user=\"operator\""), "the refused claim's callers get nothing");
	free(x);
	bus_claims_clear(c, 4);
	x = bus_config_xml("/s", c, 1);
	ok(x && strstr(x, "<policy user=\"operator\">\n    <allow send_destination=\"org.example.Foo\"/>") &&
		   strstr(x, "<policy user=\"monitor\">\n    <allow send_destination=\"org.example.Foo\"/>"),
	   "every allowed role may send to the name");
	free(x);

	struct bus_user u[] = { { "operator", 90000 }, { "foo-service", 90001 } };
	char *p = bus_passwd_text(u, 2), *g = bus_group_text(u, 2);
	ok(p && strstr(p, "\noperator:x:90000:90000:") && strstr(p, "\nfoo-service:x:90001:90001:") &&
		   strncmp(p, "root:x:0:0:", 11) == 0,
	   "passwd: root, then one user per role");
	ok(g && strstr(g, "\noperator:x:90000:\n"), "group: one group per role");
	free(p);
	free(g);
	return tap_done();
}
