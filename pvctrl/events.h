/* Events to Pantavisor: POST /xconnect/events on pv-ctrl, one JSON object
 * per event ({"event", "consumer", "pool", "ip", "reason"}, DESIGN.md
 * section 6).  Events wait in a queue (EVENTS_MAX) and go out one at a
 * time, in order; a failed POST is retried with backoff, never dropped.
 * Only when the queue is full is the oldest event dropped, and that is
 * logged and counted.  Without a pv-ctrl socket (--graph, --state) events
 * are logged only. */
#ifndef PVX_EVENTS_H
#define PVX_EVENTS_H

#include <stddef.h>

#define EVENTS_MAX 1024

/* NULL: no pv-ctrl to send to. */
void events_init(const char *ctrl_path);
/* Queues an event; any field but event may be NULL. */
void events_post(const char *event, const char *consumer, const char *pool, const char *ip,
		 const char *reason);
/* Asks pv-ctrl to start the container that owns a D-Bus name (POST
 * /xconnect/dbus/activate {"name": name}): one request, not queued nor
 * retried (the caller's held call has its own time limit); logged when it
 * fails.  Without pv-ctrl only logged. */
void events_dbus_activate(const char *name);
unsigned long events_activations(void);
size_t events_queued(void);
unsigned long events_sent(void);
unsigned long events_dropped(void);
void events_cleanup(void);

#endif
