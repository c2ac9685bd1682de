/* Link states to Pantavisor: POST /xconnect-status on pv-ctrl, as
 * Pantavisor's own xconnect does, with one JSON array of every link
 * ([{"consumer", "name", "established", "last_error", "state", "since"}];
 * the contract is in pv-xconnect(8), section PANTAVISOR).
 *
 * Unlike events, a status report replaces the previous one, so there is
 * no queue: one slot holds the latest body.  A report is sent
 * STATUS_DEBOUNCE seconds after the first change, built then, so every
 * change of that window is in it (a graph of 1,000 links coming up is a
 * few POSTs, not thousands); while a POST is out, a newer body
 * waits in the slot and goes out when it is answered.  A POST that fails
 * (pv-ctrl away, not 2xx) is retried with backoff (0.5 s doubling to
 * 30 s) with the latest body at that time.  Nothing here blocks the loop:
 * the POST is pvctrl/http_client.c's asynchronous request.  Without a
 * pv-ctrl socket (--graph, --state) nothing is sent. */
#ifndef PVX_STATUS_H
#define PVX_STATUS_H

#include <stdbool.h>

#define STATUS_DEBOUNCE 0.2

/* Builds the current report (malloc'd JSON text), or NULL when out of
 * memory (the next change tries again). */
typedef char *(*status_build_fn)(void);

/* NULL ctrl_path: no pv-ctrl to report to. */
void status_init(const char *ctrl_path, status_build_fn build);
/* The links changed: a report goes out after the debounce. */
void status_changed(void);
/* Reports delivered, and POSTs that failed. */
unsigned long status_sent(void);
unsigned long status_failed(void);
/* Stops sending; what was not delivered is dropped (logged). */
void status_cleanup(void);

#endif
