/* The pure parts of the daemon's system conventions: the sd_notify
 * address ($NOTIFY_SOCKET, paths and @abstract names), the journal check
 * ($JOURNAL_STREAM against stderr's dev:ino) and --metrics-listen's
 * ADDR:PORT. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

/* What pvx_log writes, read back from a file standing in for stderr. */
static void check_log_lines(void)
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	if (!f || saved < 0 || dup2(fileno(f), STDERR_FILENO) < 0) {
		tap_ok(0, "log lines: cannot redirect stderr");
		return;
	}
	pvx_log_journal = true;
	log_warn("name %s", "x\n<0>forged emergency\r\x7f");
	log_error("plain");
	pvx_log_journal = false;
	log_info("stamped");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	char buf[512] = { 0 };
	rewind(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	static const char journal[] = "<4>warn: name x?<0>forged emergency??\n<3>error: plain\n";
	tap_ok(!strncmp(buf, journal, sizeof(journal) - 1),
	       "journal: <4> and <3> prefixes, no timestamp; a newline from the text cannot start a forged line");
	const char *third = buf + sizeof(journal) - 1;
	tap_ok(strlen(third) > 20 && third[4] == '-' && strstr(third, "Z pv-xconnect info: stamped\n"),
	       "not the journal: a timestamp, no priority");
	if (tap_failed)
		tap_diag("got: %s", buf);
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
	check_log_lines();
	check_listen();
	return tap_done();
}
