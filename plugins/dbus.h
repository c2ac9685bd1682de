/* dbus links (plugins/dbus.c): what the daemon asks of them besides the
 * plugin interface. */
#ifndef PVX_PLUGINS_DBUS_H
#define PVX_PLUGINS_DBUS_H

#include <jansson.h>

/* The distinct denials of filtered dbus links since the daemon started,
 * as a JSON array of {"link", "rule", "example", "count"} (GET
 * /denials); NULL when out of memory. */
json_t *dbus_denials_json(void);

#endif
