/* The one field validator (model/validate.c): every field's charset and
 * length, and no control byte in any of them. */
#include "config.h"

#include <string.h>

#include "model/validate.h"
#include "t/tap.h"

#define GOOD(f, s) ok(pvx_field_ok(f, s, strlen(s)), "%s '%s' accepted", pvx_field_key(f), s)
#define BAD(f, s, what) ok(!pvx_field_ok(f, s, strlen(s)), "%s %s refused", pvx_field_key(f), what)

static const enum pvx_field all[] = {
	PVX_FIELD_NAME, PVX_FIELD_CONSUMER, PVX_FIELD_PROVIDER, PVX_FIELD_ROLE, PVX_FIELD_INTERFACE,
	PVX_FIELD_TARGET, PVX_FIELD_SOCKET, PVX_FIELD_IPV4, PVX_FIELD_MAC, PVX_FIELD_GLOBALS,
};

/* No field takes a control byte, wherever it sits. */
static void no_control(void)
{
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		int taken = 0;
		for (int c = 0; c < 0x80; c++) {
			if (c >= 0x20 && c != 0x7f)
				continue;
			char v[20] = "/0.0.0.0a"; /* 9 bytes, c in the middle */
			v[4] = (char)c;
			if (pvx_field_ok(all[i], v, 9))
				taken++;
		}
		ok(taken == 0, "%s: no control byte accepted (%d were)", pvx_field_key(all[i]), taken);
	}
}

static void lengths(void)
{
	char v[PVX_PATH_MAX + 2];
	memset(v, 'a', sizeof(v));
	ok(pvx_field_ok(PVX_FIELD_ROLE, v, PVX_ROLE_MAX), "role of %d bytes accepted", PVX_ROLE_MAX);
	ok(!pvx_field_ok(PVX_FIELD_ROLE, v, PVX_ROLE_MAX + 1), "role of %d bytes refused", PVX_ROLE_MAX + 1);
	ok(!pvx_field_ok(PVX_FIELD_CONSUMER, v, PVX_CONSUMER_MAX + 1), "consumer over %d bytes refused",
	   PVX_CONSUMER_MAX);
	ok(pvx_field_ok(PVX_FIELD_INTERFACE, v, PVX_INTERFACE_MAX), "interface of 255 bytes accepted");
	ok(!pvx_field_ok(PVX_FIELD_INTERFACE, v, PVX_INTERFACE_MAX + 1), "interface of 256 bytes refused");
	ok(pvx_field_ok(PVX_FIELD_TARGET, v, PVX_PATH_MAX), "target of 4095 bytes accepted");
	ok(!pvx_field_ok(PVX_FIELD_SOCKET, v, PVX_PATH_MAX + 1), "socket of 4096 bytes refused");
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		ok(!pvx_field_ok(all[i], "", 0), "%s: empty refused", pvx_field_key(all[i]));
}

int main(void)
{
	GOOD(PVX_FIELD_NAME, "pv-example_unix.1");
	GOOD(PVX_FIELD_PROVIDER, "_pv_");
	GOOD(PVX_FIELD_ROLE, "operator");
	GOOD(PVX_FIELD_ROLE, "1000");
	BAD(PVX_FIELD_ROLE, "operator\r\nX-PV-Role: admin", "with CR LF");
	BAD(PVX_FIELD_ROLE, "../root", "with a slash");
	BAD(PVX_FIELD_ROLE, "a b", "with a space");
	BAD(PVX_FIELD_CONSUMER, "app\n", "with LF");
	BAD(PVX_FIELD_CONSUMER, "app\xc3\xa9", "with UTF-8");
	BAD(PVX_FIELD_NAME, "a/b", "with a slash");
	GOOD(PVX_FIELD_INTERFACE, "org.pantavisor.Example");
	GOOD(PVX_FIELD_INTERFACE, "not a bus name");
	GOOD(PVX_FIELD_INTERFACE, "/dev/dri/card0");
	BAD(PVX_FIELD_INTERFACE, "org.x\r\nAUTH", "with CR LF");
	BAD(PVX_FIELD_INTERFACE, "org.\x7f", "with DEL");
	GOOD(PVX_FIELD_TARGET, "/run/pv/services/api.sock");
	GOOD(PVX_FIELD_TARGET, "eth0");
	GOOD(PVX_FIELD_SOCKET, "/run/caf\xc3\xa9.sock");
	BAD(PVX_FIELD_TARGET, "/run/a\tb", "with a tab");
	GOOD(PVX_FIELD_IPV4, "10.0.3.50");
	BAD(PVX_FIELD_IPV4, "10.0.3.50/24", "with a prefix");
	BAD(PVX_FIELD_IPV4, "1.2.3", "too short");
	GOOD(PVX_FIELD_MAC, "02:00:0a:00:03:3C");
	BAD(PVX_FIELD_MAC, "02:00:0a:00:03", "too short");
	BAD(PVX_FIELD_MAC, "02-00-0a-00-03-3c", "with dashes");
	GOOD(PVX_FIELD_GLOBALS, "default,weston_screenshooter");
	BAD(PVX_FIELD_GLOBALS, "wl_shm, wl_seat", "with a space");
	BAD(PVX_FIELD_GLOBALS, "", "empty");
	no_control();
	lengths();
	ok(pvx_abs_path_problem("/a/b", 4, true) == NULL, "absolute path good");
	ok(pvx_abs_path_problem("a/b", 3, false) != NULL, "relative path refused");
	ok(pvx_abs_path_problem("/a/../b", 7, false) != NULL, "'..' component refused");
	return tap_done();
}
