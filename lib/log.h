/* Logging: one line per event on stderr, filtered by level.
 *
 * Error rule of this project (see STYLE.md): functions return a negative
 * errno on failure and pass it up unchanged; a positive return is a
 * documented result the caller must handle.  An error is logged once, where
 * it starts, with the key of the link it concerns. */
#ifndef PVX_LOG_H
#define PVX_LOG_H

#include <stdbool.h>

enum pvx_log_level { PVX_LOG_ERROR, PVX_LOG_WARN, PVX_LOG_INFO, PVX_LOG_DEBUG };

extern enum pvx_log_level pvx_log_threshold;
/* Every message is one line: control bytes in it (a newline from a
 * container's text) are written as '?'.
 * Lines go to the journal: "<N>level: message", N the syslog priority
 * (3 error, 4 warn, 6 info, 7 debug), no timestamp (the journal keeps
 * its own).  Set by pvx_log_detect_journal(). */
extern bool pvx_log_journal;

/* Whether $JOURNAL_STREAM ("DEV:INO", as systemd sets it for a service
 * whose stderr is the journal) names the file stderr is (dev, ino): only
 * then is it the journal, not a redirection a child inherited.  Pure. */
bool pvx_log_journal_matches(const char *value, unsigned long long dev, unsigned long long ino);
/* Sets pvx_log_journal from $JOURNAL_STREAM and stderr. */
void pvx_log_detect_journal(void);

int pvx_log_parse_level(const char *name);
void pvx_log(enum pvx_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) pvx_log(PVX_LOG_ERROR, __VA_ARGS__)
#define log_warn(...) pvx_log(PVX_LOG_WARN, __VA_ARGS__)
#define log_info(...) pvx_log(PVX_LOG_INFO, __VA_ARGS__)
#define log_debug(...) \
	do { if (pvx_log_threshold >= PVX_LOG_DEBUG) pvx_log(PVX_LOG_DEBUG, __VA_ARGS__); } while (0)

/* Remembers the last message of one recurring source (e.g. the graph
 * fetch) so that a failure that repeats every poll is logged once. */
struct pvx_log_once {
	char last[400];
};

/* Logs msg at level unless it equals the previous one; returns whether it
 * was logged. */
bool pvx_log_once(struct pvx_log_once *once, enum pvx_log_level level, const char *msg);
/* Forgets the last message: the next failure is logged again.  Returns true
 * if there was one (so the caller can log the recovery once). */
bool pvx_log_once_clear(struct pvx_log_once *once);

#endif
