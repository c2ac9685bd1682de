#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/log.h"

enum pvx_log_level pvx_log_threshold = PVX_LOG_INFO;

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

void pvx_log(enum pvx_log_level level, const char *fmt, ...)
{
	if (level > pvx_log_threshold)
		return;

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);

	/* One buffer, one write: lines from one process never interleave. */
	char line[1024];
	int n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ pv-xconnect %s: ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, ts.tv_nsec / 1000000, level_names[level]);
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
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
