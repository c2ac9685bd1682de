/* The pure parts of the daemon's system conventions: the sd_notify
 * address ($NOTIFY_SOCKET, paths and @abstract names), the journal check
 * ($JOURNAL_STREAM against stderr's dev:ino) and --metrics-listen's
 * ADDR:PORT. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

#include "lib/log.h"
#include "lib/notify.h"
#include "daemon/control.h"
#include "t/tap.h"

static void check_notify_addr(void)
{
	struct sockaddr_un sa;
	socklen_t len;
	const socklen_t base = offsetof(struct sockaddr_un, sun_path);

	tap_ok(pvx_notify_addr("/run/systemd/notify", &sa, &len) == 0 &&
		       !strcmp(sa.sun_path, "/run/systemd/notify") &&
		       len == base + strlen("/run/systemd/notify") + 1,
	       "a path: NUL-terminated, its length with the NUL");
	tap_ok(pvx_notify_addr("@sd-notify/x", &sa, &len) == 0 && sa.sun_path[0] == '\0' &&
		       !memcmp(sa.sun_path + 1, "sd-notify/x", 11) && len == base + 12,
	       "@name: abstract (leading NUL), the length ends the name");
	tap_ok(pvx_notify_addr("relative/sock", &sa, &len) == -EINVAL, "a relative path is refused");
	tap_ok(pvx_notify_addr("", &sa, &len) == -EINVAL && pvx_notify_addr("@", &sa, &len) == -EINVAL &&
		       pvx_notify_addr(NULL, &sa, &len) == -EINVAL,
	       "empty, a bare @ and unset are refused");
	char longp[200];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	tap_ok(pvx_notify_addr(longp, &sa, &len) == -ENAMETOOLONG, "a path longer than sun_path");
	char fit[sizeof(sa.sun_path) + 1];
	memset(fit, 'b', sizeof(sa.sun_path));
	fit[0] = '@';
	fit[sizeof(sa.sun_path)] = '\0';
	tap_ok(pvx_notify_addr(fit, &sa, &len) == 0 && len == sizeof(sa),
	       "an abstract name may fill sun_path (no NUL needed)");
	fit[0] = '/';
	tap_ok(pvx_notify_addr(fit, &sa, &len) == -ENAMETOOLONG,
	       "a path filling sun_path has no room for its NUL");
}

static void check_journal(void)
{
	tap_ok(pvx_log_journal_matches("2049:123456", 2049, 123456), "dev:ino of stderr: the journal");
	tap_ok(!pvx_log_journal_matches("2049:123457", 2049, 123456), "another inode: not the journal");
	tap_ok(!pvx_log_journal_matches("2050:123456", 2049, 123456), "another device: not the journal");
	tap_ok(!pvx_log_journal_matches(NULL, 2049, 123456) && !pvx_log_journal_matches("", 2049, 123456),
	       "unset or empty: not the journal");
	tap_ok(!pvx_log_journal_matches("2049", 2049, 123456) &&
		       !pvx_log_journal_matches("2049:", 2049, 123456) &&
		       !pvx_log_journal_matches(":123456", 2049, 123456) &&
		       !pvx_log_journal_matches("2049:123456x", 2049, 123456),
	       "malformed values: not the journal");
}

static void check_listen(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	const struct sockaddr_in *in4 = (const struct sockaddr_in *)&ss;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;

	tap_ok(control_parse_listen("127.0.0.1:9101", &ss, &len) == 0 && ss.ss_family == AF_INET &&
		       ntohs(in4->sin_port) == 9101 && in4->sin_addr.s_addr == htonl(0x7f000001),
	       "127.0.0.1:9101");
	tap_ok(control_parse_listen("0.0.0.0:80", &ss, &len) == 0 && in4->sin_addr.s_addr == 0,
	       "0.0.0.0:80 (every address, when asked)");
	tap_ok(control_parse_listen("[::1]:9101", &ss, &len) == 0 && ss.ss_family == AF_INET6 &&
		       ntohs(in6->sin6_port) == 9101 && IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr),
	       "[::1]:9101");
	static const char *const bad[] = { "localhost:9101", "9101", ":9101", "127.0.0.1:", "127.0.0.1:0",
					   "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:+80",
					   "127.0.0.1:80x", "::1:9101", "[127.0.0.1]:80", "[::1:80",
					   "[]:80", "1.2.3.4.5:80" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		tap_ok(control_parse_listen(bad[i], &ss, &len) == -EINVAL, "refused: '%s'", bad[i]);
}

int main(void)
{
	check_notify_addr();
	check_journal();
	check_listen();
	return tap_done();
}
