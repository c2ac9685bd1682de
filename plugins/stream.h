/* Socket link types: a listening socket planted at the link's target in
 * the consumer, each accepted connection relayed to the provider socket.
 * The functions are the hooks of fsm/plugin.h, shared by unix, rest,
 * wayland and dbus. */
#ifndef PVX_STREAM_H
#define PVX_STREAM_H

#include "fsm/plugin.h"

int stream_plant(const struct pvx_link_spec *spec, struct pvx_planted *p, char *why, size_t n);
int stream_adopt(struct pvx_link *l, char *why, size_t n);
void stream_release(struct pvx_link *l);
void stream_remove(struct pvx_planted *p);
int stream_probe(const struct pvx_link_spec *spec, char *why, size_t n);
/* Worker: a connection to the provider socket as ourselves (non-blocking,
 * its connect made or refused), or -errno with why set. */
int stream_provider_connect(const struct pvx_link_spec *spec, char *why, size_t n);

/* The hooks of a socket type, filter apart. */
#define STREAM_HOOKS                 \
	.plant = stream_plant,       \
	.adopt = stream_adopt,       \
	.release = stream_release,   \
	.remove = stream_remove,     \
	.probe = stream_probe

#endif
