/* "Did you mean" (lib/suggest.c): the edit distance and the choice of the
 * closest known key, as the unknown-key warnings use them. */
#include "config.h"

#include <string.h>

#include "lib/suggest.h"
#include "t/tap.h"

static unsigned dist(const char *a, const char *b)
{
	return pvx_edit_distance(a, strlen(a), b, strlen(b));
}

static const char *suggest(const char *s, const char *const *known, size_t n)
{
	return pvx_suggest(s, strlen(s), known, n);
}

static int same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

int main(void)
{
	ok(dist("", "") == 0, "empty to empty: 0");
	ok(dist("type", "type") == 0, "equal: 0");
	ok(dist("", "type") == 4, "empty to type: 4 inserts");
	ok(dist("tpye", "type") == 1, "tpye: one swap");
	ok(dist("requried", "required") == 1, "requried: one swap");
	ok(dist("typ", "type") == 1, "typ: one insert");
	ok(dist("types", "type") == 1, "types: one delete");
	ok(dist("tyqe", "type") == 1, "tyqe: one substitution");
	ok(dist("kitten", "sitting") == 3, "kitten/sitting: 3");
	ok(dist("ca", "abc") == 3, "ca/abc: 3 (a swap is not edited again)");
	ok(dist("PV_SERVICES_REQUIRD", "PV_SERVICES_REQUIRED") == 1, "PV_SERVICES_REQUIRD: one insert");
	ok(dist("abc", "cba") == 2, "abc/cba: 2");

	char longkey[200];
	memset(longkey, 'a', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	ok(dist(longkey, "a") == PVX_SUGGEST_MAX_LEN + 1, "a name over the cap is far from everything");

	ok(pvx_suggest_max_distance(0) == 1 && pvx_suggest_max_distance(4) == 1 &&
		   pvx_suggest_max_distance(6) == 2 && pvx_suggest_max_distance(20) == 3,
	   "threshold: a third of the length, between 1 and 3");

	static const char *const svc[] = { "name", "type", "socket" };
	static const char *const req[] = { "name", "type", "role", "interface", "target" };
	static const char *const top[] = { "required", "optional" };
	static const char *const args[] = { "PV_SERVICES_REQUIRED", "PV_SERVICES_OPTIONAL",
					    "network", "PV_NETWORK_POOL" };
	ok(same(suggest("tpye", svc, 3), "type"), "tpye -> type");
	ok(same(suggest("sokcet", svc, 3), "socket"), "sokcet -> socket");
	ok(same(suggest("nmae", req, 5), "name"), "nmae -> name");
	ok(same(suggest("intreface", req, 5), "interface"), "intreface -> interface");
	ok(same(suggest("requried", top, 2), "required"), "requried -> required");
	ok(same(suggest("PV_SERVICES_REQUIRD", args, 4), "PV_SERVICES_REQUIRED"),
	   "PV_SERVICES_REQUIRD -> PV_SERVICES_REQUIRED");
	ok(same(suggest("PV_SERVICES_OPTIONAl", args, 4), "PV_SERVICES_OPTIONAL"),
	   "PV_SERVICES_OPTIONAl -> PV_SERVICES_OPTIONAL");
	ok(suggest("type", svc, 3) == NULL, "a known key: no suggestion");
	ok(suggest("storage", svc, 3) == NULL, "far from every key: no suggestion");
	ok(suggest("x", svc, 3) == NULL, "one letter: nothing within 1");
	ok(suggest("", svc, 3) == NULL, "empty key: no suggestion");
	ok(suggest(longkey, svc, 3) == NULL, "a 199-byte key: no suggestion");
	static const char *const tie[] = { "role", "rule" };
	ok(same(suggest("rale", tie, 2), "role"), "a tie goes to the first known key");
	ok(suggest("tpye", svc, 0) == NULL, "no known key: no suggestion");

	char text[PVX_KEY_TEXT_MAX];
	pvx_key_text(text, sizeof(text), "ty\npe'\\", 7);
	ok(strcmp(text, "ty\\x0ape\\x27\\x5c") == 0, "a key's control bytes, quote and backslash as \\xNN");
	pvx_key_text(text, sizeof(text), longkey, strlen(longkey));
	ok(strlen(text) == 67 && strcmp(text + 64, "...") == 0, "a long key cut at 64 bytes with ...");
	char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (char)(i ? i : 1);
	pvx_key_text(text, sizeof(text), all, 64);
	ok(strlen(text) < sizeof(text), "64 bytes that all need escaping fit");
	return tap_done();
}
