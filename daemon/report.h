/* What the daemon tells the world when links change: the link states to
 * pv-ctrl (pvctrl/status.h) and systemd's readiness and STATUS= line
 * (lib/notify.h).  One ev_prepare watcher compares pvx_link_generation
 * once per loop iteration; a change is reported after the debounce. */
#ifndef PVX_REPORT_H
#define PVX_REPORT_H

#include <stddef.h>

/* ctrl_path NULL: no pv-ctrl to report to. */
void report_start(const char *ctrl_path);
/* Sends STOPPING=1 and stops. */
void report_stop(void);

/* The body of POST /xconnect-status, exposed for tests. */
char *report_status_json(void);
/* The STATUS= text ("3 links: 2 ACTIVE, 1 BACKOFF"), into buf. */
void report_status_line(char *buf, size_t len);

#endif
