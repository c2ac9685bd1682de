#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

enum pvx_log_level pvx_log_threshold = PVX_LOG_INFO;
bool pvx_log_journal;

/* syslog(3) priorities of the levels, for the journal. */
static const int level_priority[] = {
	[PVX_LOG_ERROR] = 3,
	[PVX_LOG_WARN] = 4,
	[PVX_LOG_INFO] = 6,
	[PVX_LOG_DEBUG] = 7,
};

static const char *const level_names[] = {
	[PVX_LOG_ERROR] = "error",
	[PVX_LOG_WARN] = "warn",
	[PVX_LOG_INFO] = "info",
	[PVX_LOG_DEBUG] = "debug",
};

int pvx_log_parse_level(const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcasecmp(name, level_names[i]) == 0)
			return (int)i;
	return -1;
}

bool pvx_log_journal_matches(const char *value, unsigned long long dev, unsigned long long ino)
{
	if (!value || !*value)
		return false;
	char *end;
	unsigned long long d = strtoull(value, &end, 10);
	if (end == value || *end != ':')
		return false;
	const char *i = end + 1;
	unsigned long long n = strtoull(i, &end, 10);
	return end != i && *end == '\0' && d == dev && n == ino;
}

void pvx_log_detect_journal(void)
{
	struct stat st;
	pvx_log_journal = fstat(STDERR_FILENO, &st) == 0 &&
			  pvx_log_journal_matches(getenv("JOURNAL_STREAM"), (unsigned long long)st.st_dev,
						  (unsigned long long)st.st_ino);
}

void pvx_log(enum pvx_log_level level, const char *fmt, ...)
{
	if (level > pvx_log_threshold)
		return;

	/* One buffer, one write: lines from one process never interleave. */
	char line[1024];
	int n;
	if (pvx_log_journal) {
		n = snprintf(line, sizeof(line), "<%d>%s: ", level_priority[level], level_names[level]);
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ pv-xconnect %s: ",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			     tm.tm_sec, ts.tv_nsec / 1000000, level_names[level]);
	}
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	/* One message, one line: a newline or other control byte that came
	 * from a container (a name, a manifest's text) could otherwise start
	 * a forged line, in the journal with a priority of its choosing. */
	for (size_t i = (size_t)n; i < len; i++)
		if ((unsigned char)line[i] < 0x20 ? line[i] != '\t' : line[i] == 0x7f)
			line[i] = '?';
	line[len++] = '\n';
	fwrite(line, 1, len, stderr);
	fflush(stderr);
}

bool pvx_log_once(struct pvx_log_once *once, enum pvx_log_level level, const char *msg)
{
	if (strncmp(once->last, msg, sizeof(once->last) - 1) == 0)
		return false;
	snprintf(once->last, sizeof(once->last), "%s", msg);
	pvx_log(level, "%s", msg);
	return true;
}

bool pvx_log_once_clear(struct pvx_log_once *once)
{
	bool had = once->last[0] != '\0';
	once->last[0] = '\0';
	return had;
}
