/* The link model's few operations: type names, copying a spec out of a
 * graph's arena, and the identity (consumer, name, target). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/spec.h"

const char *const pvx_link_type_names[LINK_TYPE__COUNT] = {
	[LINK_UNIX] = "unix",
	[LINK_REST] = "rest",
	[LINK_DBUS] = "dbus",
	[LINK_DRM] = "drm",
	[LINK_WAYLAND] = "wayland",
	[LINK_NETWORK] = "network",
};

int pvx_link_type_from_name(const char *name)
{
	for (int i = 0; i < LINK_TYPE__COUNT; i++)
		if (strcmp(name, pvx_link_type_names[i]) == 0)
			return i;
	return -1;
}

void pvx_link_spec_free(struct pvx_link_spec *s)
{
	free(s->name);
	free(s->consumer);
	free(s->provider);
	free(s->role);
	free(s->interface);
	free(s->target);
	free(s->socket);
	free(s->ipv4_address);
	free(s->mac_address);
	free(s->globals);
	*s = (struct pvx_link_spec){0};
}

int pvx_link_spec_copy(struct pvx_link_spec *dst, const struct pvx_link_spec *src)
{
	*dst = *src;
	dst->name = pvx_strdup0(src->name);
	dst->consumer = pvx_strdup0(src->consumer);
	dst->provider = pvx_strdup0(src->provider);
	dst->role = pvx_strdup0(src->role);
	dst->interface = pvx_strdup0(src->interface);
	dst->target = pvx_strdup0(src->target);
	dst->socket = pvx_strdup0(src->socket);
	dst->ipv4_address = pvx_strdup0(src->ipv4_address);
	dst->mac_address = pvx_strdup0(src->mac_address);
	dst->globals = pvx_strdup0(src->globals);
	if ((src->name && !dst->name) || (src->consumer && !dst->consumer) ||
	    (src->provider && !dst->provider) || (src->role && !dst->role) ||
	    (src->interface && !dst->interface) || (src->target && !dst->target) ||
	    (src->socket && !dst->socket) || (src->ipv4_address && !dst->ipv4_address) ||
	    (src->mac_address && !dst->mac_address) || (src->globals && !dst->globals)) {
		pvx_link_spec_free(dst);
		return -ENOMEM;
	}
	return 0;
}

bool pvx_link_spec_same_key(const struct pvx_link_spec *a, const struct pvx_link_spec *b)
{
	return strcmp(a->consumer, b->consumer) == 0 && strcmp(a->name, b->name) == 0 &&
	       strcmp(a->target, b->target) == 0;
}
