/* The Wayland wire format (wayland.freedesktop.org, "Wire Format"), for
 * wayland links that mediate the protocol.
 *
 * A message is an 8-byte header, two native-endian 32-bit words: the
 * object id, then size << 16 | opcode; size counts the header, is a
 * multiple of 4 and at most WL_MAX_MESSAGE (what libwayland sends and
 * accepts).  Arguments follow, each 32-bit aligned: int, uint, fixed,
 * object and new_id take one word; string and array a length word then
 * the bytes padded to 4 (a string's length counts its NUL, 0 is a null
 * string).  File descriptors (type 'h') take no bytes: they travel with
 * SCM_RIGHTS and the receiver queues them per connection, consumed in
 * order by the messages whose signature has an 'h'.
 *
 * Nothing in a message says which interface its object has: both ends
 * know it from the message that created the object.  This module knows
 * the signatures of the interfaces the proxy must follow (wl_display,
 * wl_registry, wl_callback) and of every core and stable interface that
 * carries fds or creates objects that do, and keeps a map of object id ->
 * interface from registry binds, typed new_id arguments and
 * wl_display.delete_id.  An object of another interface is "unknown": its
 * messages are framed, never parsed, and how many fds they take is not
 * known (plugins/wayland.c says what the relay does about that). */
#ifndef PVX_WAYLAND_WIRE_H
#define PVX_WAYLAND_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WL_HEADER_SIZE 8
#define WL_MAX_MESSAGE 4096
#define WL_DISPLAY_ID 1u
#define WL_SERVER_ID_START 0xff000000u
/* Arguments of the longest signature this module knows. */
#define WL_MAX_ARGS 10
/* Objects of known interfaces one connection may have at once (a real
 * client has tens: registries, shm, seats, keyboards, data devices,
 * dmabuf params; the table costs at most 16384 x 2 x 5 bytes). */
#define WL_MAX_TRACKED 16384

/* wl_display.error codes (wayland.xml). */
#define WL_DISPLAY_ERROR_INVALID_OBJECT 0
#define WL_DISPLAY_ERROR_INVALID_METHOD 1
#define WL_DISPLAY_ERROR_IMPLEMENTATION 3

/* The interfaces whose messages are parsed; WL_IF_UNKNOWN is any other. */
enum wl_iface {
	WL_IF_UNKNOWN,
	WL_IF_DISPLAY,
	WL_IF_REGISTRY,
	WL_IF_CALLBACK,
	WL_IF_SHM,
	WL_IF_SEAT,
	WL_IF_KEYBOARD,
	WL_IF_DATA_DEVICE_MANAGER,
	WL_IF_DATA_DEVICE,
	WL_IF_DATA_SOURCE,
	WL_IF_DATA_OFFER,
	WL_IF_DMABUF,
	WL_IF_DMABUF_PARAMS,
	WL_IF_DMABUF_FEEDBACK,
	WL_IF_EXPLICIT_SYNC,
	WL_IF_SURFACE_SYNC,
	WL_IF_BUFFER_RELEASE,
	WL_IF_PRIMARY_MANAGER,
	WL_IF_PRIMARY_DEVICE,
	WL_IF_PRIMARY_SOURCE,
	WL_IF_PRIMARY_OFFER,
	WL_IF_SECCTX_MANAGER,
	WL_IF_SECCTX,
	WL_IF_SYNCOBJ_MANAGER,
	WL_IF_VKBD_MANAGER,
	WL_IF_VKBD,
	WL_IF_GAMMA_MANAGER,
	WL_IF_GAMMA,
	WL_IF_DATACTL_MANAGER,
	WL_IF_DATACTL_DEVICE,
	WL_IF_DATACTL_SOURCE,
	WL_IF_DATACTL_OFFER,
	WL_IF_EXPORT_DMABUF_MANAGER,
	WL_IF_EXPORT_DMABUF_FRAME,
	WL_IF__COUNT
};

struct wl_header {
	uint32_t object;
	uint16_t opcode;
	uint16_t size;
};

/* Reads the header at p (WL_HEADER_SIZE bytes).  NULL, or a static reason
 * the message is malformed (size under 8, not a multiple of 4, over the
 * limit, object 0). */
const char *wl_header_read(const unsigned char *p, struct wl_header *h);
/* Writes a header at p. */
void wl_header_write(unsigned char *p, uint32_t object, uint16_t opcode, uint16_t size);

/* The interface's protocol name, and back (WL_IF_UNKNOWN when not one of
 * those above). */
const char *wl_iface_name(enum wl_iface i);
enum wl_iface wl_iface_from_name(const char *name);

/* One argument as read. */
struct wl_arg {
	char type;        /* i u f o n s a h */
	uint32_t u;       /* i u f o n: the word */
	const char *s;    /* s a: into the message; NULL for a null string */
	uint32_t len;     /* s: strlen; a: bytes */
};

/* A message of a known interface, read. */
struct wl_msg {
	enum wl_iface iface;   /* of the object it is sent on */
	bool known;            /* iface and opcode are in the table */
	const char *name;      /* "bind", "global", ... */
	unsigned nfds;         /* fds it takes from the connection's queue */
	int nargs;
	struct wl_arg args[WL_MAX_ARGS];
};

/* Object id -> interface of one connection: only objects of known
 * interfaces are kept.  An open-addressing table, zero-initialized. */
struct wl_objects {
	uint32_t *ids;
	uint8_t *ifs;
	size_t cap, n;
};

void wl_objects_init(struct wl_objects *o);
void wl_objects_free(struct wl_objects *o);
enum wl_iface wl_objects_get(const struct wl_objects *o, uint32_t id);
/* 0, -ENOMEM, or -ENOSPC over WL_MAX_TRACKED. */
int wl_objects_set(struct wl_objects *o, uint32_t id, enum wl_iface iface);
void wl_objects_del(struct wl_objects *o, uint32_t id);

/* Reads one whole message (h read from its first bytes, h->size bytes at
 * p) sent as a request (client -> compositor) or an event, and follows the
 * objects it creates or deletes in o: typed new_id arguments, binds of
 * known interfaces (untyped new_id), wl_display.delete_id.  A message on
 * an unknown object or with an opcode past the table is m->known = false
 * and read no further.  Returns NULL or a static reason: arguments past
 * the message's end, a string without its NUL, a new_id of 0 or on the
 * wrong side of WL_SERVER_ID_START, a new_id already in use, too many
 * objects. */
const char *wl_msg_read(struct wl_objects *o, bool request, const unsigned char *p,
			const struct wl_header *h, struct wl_msg *m);

/* Builds wl_display.error(object, code, message) into buf (at least
 * WL_HEADER_SIZE + 12 + strlen(message) + 4 bytes; message is cut at 255
 * bytes); returns its size. */
size_t wl_display_error(unsigned char *buf, size_t cap, uint32_t object, uint32_t code,
			const char *message);

#endif
