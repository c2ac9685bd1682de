/* dbus links to the hosted system bus (sources/hosted_bus.h runs the
 * bus): which containers are refused on it and why (a bus name another
 * container already holds).  Loop only.  The dbus plugin asks before
 * planting (prepare), so a refused container's links FAIL with the
 * reason; the per-message relay is not involved. */
#ifndef PVX_PLUGINS_DBUS_HOSTED_H
#define PVX_PLUGINS_DBUS_HOSTED_H

#include <stddef.h>

struct pvx_link;

/* Sets the bus's socket (links with provider "_pv_" to it are hosted-bus
 * links) and the refused containers with their reasons (copied). */
int dbus_hosted_set(const char *socket, const char *const *containers,
		    const char *const *reasons, size_t n);
/* The reason consumer is refused on the hosted bus, or NULL. */
const char *dbus_hosted_refusal(const char *consumer);
/* prepare() of dbus links: PVX_REFUSED with the link's error set for a
 * refused container's hosted-bus link, else 0. */
int dbus_hosted_prepare(struct pvx_link *l);
void dbus_hosted_reset(void);

#endif
