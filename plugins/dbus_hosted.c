/* Refusals on the hosted system bus (plugins/dbus_hosted.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "fsm/link.h"
#include "fsm/plugin.h"
#include "plugins/dbus_hosted.h"

static char *bus_socket;
static char **who, **why;
static size_t n_refused;

void dbus_hosted_reset(void)
{
	for (size_t i = 0; i < n_refused; i++) {
		free(who[i]);
		free(why[i]);
	}
	free(who);
	free(why);
	free(bus_socket);
	who = why = NULL;
	bus_socket = NULL;
	n_refused = 0;
}

int dbus_hosted_set(const char *socket, const char *const *containers,
		    const char *const *reasons, size_t n)
{
	dbus_hosted_reset();
	bus_socket = socket ? strdup(socket) : NULL;
	who = calloc(n + 1, sizeof(char *));
	why = calloc(n + 1, sizeof(char *));
	if ((socket && !bus_socket) || !who || !why)
		return -1;
	for (size_t i = 0; i < n; i++) {
		who[i] = strdup(containers[i]);
		why[i] = strdup(reasons[i]);
		n_refused++;
		if (!who[i] || !why[i])
			return -1;
	}
	return 0;
}

const char *dbus_hosted_refusal(const char *consumer)
{
	for (size_t i = 0; i < n_refused; i++)
		if (strcmp(who[i], consumer) == 0)
			return why[i];
	return NULL;
}

int dbus_hosted_prepare(struct pvx_link *l)
{
	const struct pvx_link_spec *s = &l->spec;
	if (!bus_socket || !s->provider || strcmp(s->provider, "_pv_") != 0 || !s->socket ||
	    strcmp(s->socket, bus_socket) != 0)
		return 0;
	const char *r = dbus_hosted_refusal(s->consumer);
	if (!r)
		return 0;
	link_error(l, 0, "hosted bus: %s", r);
	return PVX_REFUSED;
}
