/* libFuzzer: Wayland framing and object tracking (parsers/wayland_wire.c)
 * and the registry filter (policy/wayland.c), as a wayland link runs
 * them.  Byte 0 picks the link's globals list (bit 0: default or
 * "wl_shm,weston_screenshooter"); then a stream of records, each one byte
 * (bit 0: request, else event) and one message, its size from its header.
 * Each message is copied to a buffer of exactly its size (reads past it
 * are caught), read with one object map for the stream, and registry
 * messages go through the policy as the link sends them.  Checked: a bind
 * the policy lets pass names a global it showed with that interface. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "parsers/wayland_wire.h"
#include "policy/wayland.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (size < 1)
		return 0;
	struct wl_objects o;
	struct wl_policy_registry r;
	wl_objects_init(&o);
	wl_policy_registry_init(&r, data[0] & 1 ? "wl_shm,weston_screenshooter" : NULL);
	size_t off = 1;
	while (size - off > WL_HEADER_SIZE) {
		bool request = data[off++] & 1;
		struct wl_header h;
		if (wl_header_read(data + off, &h) || h.size > size - off)
			break;
		unsigned char *m = malloc(h.size);
		memcpy(m, data + off, h.size);
		off += h.size;
		struct wl_msg msg;
		const char *why = wl_msg_read(&o, request, m, &h, &msg);
		if (!why && msg.known && msg.iface == WL_IF_REGISTRY) {
			char text[300];
			if (request) {
				if (!wl_policy_bind(&r, msg.args[0].u, msg.args[1].s, msg.args[2].u, text,
						    sizeof(text))) {
					bool seen = false;
					for (size_t i = 0; i < r.n; i++)
						seen |= r.g[i].name == msg.args[0].u && r.g[i].shown &&
							strcmp(r.g[i].iface, msg.args[1].s) == 0 &&
							wl_policy_allows(r.globals, msg.args[1].s);
					if (!seen)
						abort();
				}
			} else if (h.opcode == 0 && msg.args[1].s) {
				wl_policy_global(&r, msg.args[0].u, msg.args[1].s, msg.args[2].u);
			} else if (h.opcode == 1) {
				wl_policy_global_remove(&r, msg.args[0].u);
			}
		}
		free(m);
	}
	wl_objects_free(&o);
	wl_policy_registry_free(&r);
	return 0;
}
