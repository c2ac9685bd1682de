/* The Wayland wire format: see wayland_wire.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/wayland_wire.h"

/* A new_id whose interface is the string argument before it
 * (wl_registry.bind). */
#define DYNAMIC WL_IF__COUNT

/* One message of an interface: its signature as in libwayland ('?'
 * marks a nullable string or object) and, for a typed new_id argument,
 * the interface it creates when that one is known. */
struct sig {
	const char *name;
	const char *args;
	enum wl_iface creates;
};

struct iface_def {
	const char *name;
	const struct sig *req, *ev;
	unsigned nreq, nev;
};

#define N(a) (unsigned)(sizeof(a) / sizeof((a)[0]))
#define IFACE(n, r, e) { n, r, e, N(r), N(e) }
#define NONE_ { { "", "", WL_IF_UNKNOWN } }

/* The signatures, from wayland.xml and wayland-protocols (stable and the
 * staging/unstable ones that carry fds), requests then events, in opcode
 * order.  Only what matters here: arguments up to the last new_id or fd;
 * a message whose signature is listed with fewer arguments than it has is
 * still read right, as nothing after is looked at. */
static const struct sig display_req[] = { { "sync", "n", WL_IF_CALLBACK },
					  { "get_registry", "n", WL_IF_REGISTRY } },
			display_ev[] = { { "error", "ous", 0 }, { "delete_id", "u", 0 } },
			registry_req[] = { { "bind", "usun", DYNAMIC } },
			registry_ev[] = { { "global", "usu", 0 }, { "global_remove", "u", 0 } },
			callback_ev[] = { { "done", "u", 0 } },
			shm_req[] = { { "create_pool", "nhi", 0 }, { "release", "", 0 } },
			shm_ev[] = { { "format", "u", 0 } },
			seat_req[] = { { "get_pointer", "n", 0 }, { "get_keyboard", "n", WL_IF_KEYBOARD },
				       { "get_touch", "n", 0 }, { "release", "", 0 } },
			seat_ev[] = { { "capabilities", "u", 0 }, { "name", "s", 0 } },
			keyboard_req[] = { { "release", "", 0 } },
			keyboard_ev[] = { { "keymap", "uhu", 0 }, { "enter", "uoa", 0 }, { "leave", "uo", 0 },
					  { "key", "uuuu", 0 }, { "modifiers", "uuuuu", 0 },
					  { "repeat_info", "ii", 0 } },
			ddm_req[] = { { "create_data_source", "n", WL_IF_DATA_SOURCE },
				      { "get_data_device", "no", WL_IF_DATA_DEVICE } },
			dd_req[] = { { "start_drag", "?oo?ou", 0 }, { "set_selection", "?ou", 0 },
				     { "release", "", 0 } },
			dd_ev[] = { { "data_offer", "n", WL_IF_DATA_OFFER }, { "enter", "uoff?o", 0 },
				    { "leave", "", 0 }, { "motion", "uff", 0 }, { "drop", "", 0 },
				    { "selection", "?o", 0 } },
			ds_req[] = { { "offer", "s", 0 }, { "destroy", "", 0 }, { "set_actions", "u", 0 } },
			ds_ev[] = { { "target", "?s", 0 }, { "send", "sh", 0 }, { "cancelled", "", 0 },
				    { "dnd_drop_performed", "", 0 }, { "dnd_finished", "", 0 },
				    { "action", "u", 0 } },
			doff_req[] = { { "accept", "u?s", 0 }, { "receive", "sh", 0 }, { "destroy", "", 0 },
				       { "finish", "", 0 }, { "set_actions", "uu", 0 } },
			doff_ev[] = { { "offer", "s", 0 }, { "source_actions", "u", 0 }, { "action", "u", 0 } },
			dmabuf_req[] = { { "destroy", "", 0 }, { "create_params", "n", WL_IF_DMABUF_PARAMS },
					 { "get_default_feedback", "n", WL_IF_DMABUF_FEEDBACK },
					 { "get_surface_feedback", "no", WL_IF_DMABUF_FEEDBACK } },
			dmabuf_ev[] = { { "format", "u", 0 }, { "modifier", "uuu", 0 } },
			params_req[] = { { "destroy", "", 0 }, { "add", "huuuuu", 0 }, { "create", "iiuu", 0 },
					 { "create_immed", "niiuu", 0 } },
			params_ev[] = { { "created", "n", 0 }, { "failed", "", 0 } },
			feedback_req[] = { { "destroy", "", 0 } },
			feedback_ev[] = { { "done", "", 0 }, { "format_table", "hu", 0 } },
			esync_req[] = { { "destroy", "", 0 },
					{ "get_synchronization", "no", WL_IF_SURFACE_SYNC } },
			ssync_req[] = { { "destroy", "", 0 }, { "set_acquire_fence", "h", 0 },
					{ "get_release", "n", WL_IF_BUFFER_RELEASE } },
			release_ev[] = { { "fenced_release", "h", 0 }, { "immediate_release", "", 0 } },
			psm_req[] = { { "create_source", "n", WL_IF_PRIMARY_SOURCE },
				      { "get_device", "no", WL_IF_PRIMARY_DEVICE }, { "destroy", "", 0 } },
			psd_req[] = { { "set_selection", "?ou", 0 }, { "destroy", "", 0 } },
			psd_ev[] = { { "data_offer", "n", WL_IF_PRIMARY_OFFER }, { "selection", "?o", 0 } },
			pso_req[] = { { "receive", "sh", 0 }, { "destroy", "", 0 } },
			pso_ev[] = { { "offer", "s", 0 } },
			pss_req[] = { { "offer", "s", 0 }, { "destroy", "", 0 } },
			pss_ev[] = { { "send", "sh", 0 }, { "cancelled", "", 0 } },
			secm_req[] = { { "destroy", "", 0 }, { "create_listener", "nhh", WL_IF_SECCTX } },
			sec_req[] = { { "destroy", "", 0 }, { "set_sandbox_engine", "s", 0 },
				      { "set_app_id", "s", 0 }, { "set_instance_id", "s", 0 },
				      { "commit", "", 0 } },
			syncobj_req[] = { { "destroy", "", 0 }, { "get_surface", "no", 0 },
					  { "import_timeline", "nh", 0 } },
			vkbdm_req[] = { { "create_virtual_keyboard", "on", WL_IF_VKBD } },
			vkbd_req[] = { { "keymap", "uhu", 0 }, { "key", "uuu", 0 },
				       { "modifiers", "uuuu", 0 }, { "destroy", "", 0 } },
			gammam_req[] = { { "get_gamma_control", "no", WL_IF_GAMMA }, { "destroy", "", 0 } },
			gamma_req[] = { { "set_gamma", "h", 0 }, { "destroy", "", 0 } },
			gamma_ev[] = { { "gamma_size", "u", 0 }, { "failed", "", 0 } },
			dcm_req[] = { { "create_data_source", "n", WL_IF_DATACTL_SOURCE },
				      { "get_data_device", "no", WL_IF_DATACTL_DEVICE }, { "destroy", "", 0 } },
			dcd_req[] = { { "set_selection", "?o", 0 }, { "destroy", "", 0 },
				      { "set_primary_selection", "?o", 0 } },
			dcd_ev[] = { { "data_offer", "n", WL_IF_DATACTL_OFFER }, { "selection", "?o", 0 },
				     { "finished", "", 0 }, { "primary_selection", "?o", 0 } },
			dcs_req[] = { { "offer", "s", 0 }, { "destroy", "", 0 } },
			dcs_ev[] = { { "send", "sh", 0 }, { "cancelled", "", 0 } },
			dco_req[] = { { "receive", "sh", 0 }, { "destroy", "", 0 } },
			dco_ev[] = { { "offer", "s", 0 } },
			edm_req[] = { { "capture_output", "nio", WL_IF_EXPORT_DMABUF_FRAME },
				      { "destroy", "", 0 } },
			edf_req[] = { { "destroy", "", 0 } },
			edf_ev[] = { { "frame", "uuuuuuuuu", 0 }, { "object", "uhuuuu", 0 },
				     { "ready", "uuu", 0 }, { "cancel", "u", 0 } },
			none[] = NONE_;

/* Indexed by enum wl_iface; an interface without requests or events
 * points at none with a count of 0. */
#define IFACE0R(n, e) { n, none, e, 0, N(e) }
#define IFACE0E(n, r) { n, r, none, N(r), 0 }
static const struct iface_def ifaces[WL_IF__COUNT] = {
	[WL_IF_UNKNOWN] = { "", none, none, 0, 0 },
	[WL_IF_DISPLAY] = IFACE("wl_display", display_req, display_ev),
	[WL_IF_REGISTRY] = IFACE("wl_registry", registry_req, registry_ev),
	[WL_IF_CALLBACK] = IFACE0R("wl_callback", callback_ev),
	[WL_IF_SHM] = IFACE("wl_shm", shm_req, shm_ev),
	[WL_IF_SEAT] = IFACE("wl_seat", seat_req, seat_ev),
	[WL_IF_KEYBOARD] = IFACE("wl_keyboard", keyboard_req, keyboard_ev),
	[WL_IF_DATA_DEVICE_MANAGER] = IFACE0E("wl_data_device_manager", ddm_req),
	[WL_IF_DATA_DEVICE] = IFACE("wl_data_device", dd_req, dd_ev),
	[WL_IF_DATA_SOURCE] = IFACE("wl_data_source", ds_req, ds_ev),
	[WL_IF_DATA_OFFER] = IFACE("wl_data_offer", doff_req, doff_ev),
	[WL_IF_DMABUF] = IFACE("zwp_linux_dmabuf_v1", dmabuf_req, dmabuf_ev),
	[WL_IF_DMABUF_PARAMS] = IFACE("zwp_linux_buffer_params_v1", params_req, params_ev),
	[WL_IF_DMABUF_FEEDBACK] = IFACE("zwp_linux_dmabuf_feedback_v1", feedback_req, feedback_ev),
	[WL_IF_EXPLICIT_SYNC] = IFACE0E("zwp_linux_explicit_synchronization_v1", esync_req),
	[WL_IF_SURFACE_SYNC] = IFACE0E("zwp_linux_surface_synchronization_v1", ssync_req),
	[WL_IF_BUFFER_RELEASE] = IFACE0R("zwp_linux_buffer_release_v1", release_ev),
	[WL_IF_PRIMARY_MANAGER] = IFACE0E("zwp_primary_selection_device_manager_v1", psm_req),
	[WL_IF_PRIMARY_DEVICE] = IFACE("zwp_primary_selection_device_v1", psd_req, psd_ev),
	[WL_IF_PRIMARY_SOURCE] = IFACE("zwp_primary_selection_source_v1", pss_req, pss_ev),
	[WL_IF_PRIMARY_OFFER] = IFACE("zwp_primary_selection_offer_v1", pso_req, pso_ev),
	[WL_IF_SECCTX_MANAGER] = IFACE0E("wp_security_context_manager_v1", secm_req),
	[WL_IF_SECCTX] = IFACE0E("wp_security_context_v1", sec_req),
	[WL_IF_SYNCOBJ_MANAGER] = IFACE0E("wp_linux_drm_syncobj_manager_v1", syncobj_req),
	[WL_IF_VKBD_MANAGER] = IFACE0E("zwp_virtual_keyboard_manager_v1", vkbdm_req),
	[WL_IF_VKBD] = IFACE0E("zwp_virtual_keyboard_v1", vkbd_req),
	[WL_IF_GAMMA_MANAGER] = IFACE0E("zwlr_gamma_control_manager_v1", gammam_req),
	[WL_IF_GAMMA] = IFACE("zwlr_gamma_control_v1", gamma_req, gamma_ev),
	[WL_IF_DATACTL_MANAGER] = IFACE0E("zwlr_data_control_manager_v1", dcm_req),
	[WL_IF_DATACTL_DEVICE] = IFACE("zwlr_data_control_device_v1", dcd_req, dcd_ev),
	[WL_IF_DATACTL_SOURCE] = IFACE("zwlr_data_control_source_v1", dcs_req, dcs_ev),
	[WL_IF_DATACTL_OFFER] = IFACE("zwlr_data_control_offer_v1", dco_req, dco_ev),
	[WL_IF_EXPORT_DMABUF_MANAGER] = IFACE0E("zwlr_export_dmabuf_manager_v1", edm_req),
	[WL_IF_EXPORT_DMABUF_FRAME] = IFACE("zwlr_export_dmabuf_frame_v1", edf_req, edf_ev),
};
_Static_assert(N(ifaces) == WL_IF__COUNT, "one row per interface");
_Static_assert(WL_IF__COUNT < 256, "interfaces fit the map's bytes");

static uint32_t word(const unsigned char *p)
{
	uint32_t w;
	memcpy(&w, p, 4);
	return w;
}

const char *wl_header_read(const unsigned char *p, struct wl_header *h)
{
	uint32_t w = word(p + 4);
	h->object = word(p);
	h->opcode = (uint16_t)(w & 0xffff);
	h->size = (uint16_t)(w >> 16);
	if (h->size < WL_HEADER_SIZE)
		return "message shorter than its header";
	if (h->size % 4)
		return "message size not a multiple of 4";
	if (h->size > WL_MAX_MESSAGE)
		return "message over 4096 bytes";
	if (h->object == 0)
		return "message to object 0";
	return NULL;
}

void wl_header_write(unsigned char *p, uint32_t object, uint16_t opcode, uint16_t size)
{
	uint32_t w = (uint32_t)size << 16 | opcode;
	memcpy(p, &object, 4);
	memcpy(p + 4, &w, 4);
}

const char *wl_iface_name(enum wl_iface i)
{
	return (unsigned)i < WL_IF__COUNT ? ifaces[i].name : "";
}

enum wl_iface wl_iface_from_name(const char *name)
{
	for (int i = 1; i < WL_IF__COUNT; i++)
		if (strcmp(ifaces[i].name, name) == 0)
			return (enum wl_iface)i;
	return WL_IF_UNKNOWN;
}

/* ---- the object map ------------------------------------------------- */

static size_t slot_of(uint32_t id, size_t cap)
{
	return (size_t)(id * 2654435761u) & (cap - 1);
}

void wl_objects_init(struct wl_objects *o)
{
	*o = (struct wl_objects){ 0 };
}

void wl_objects_free(struct wl_objects *o)
{
	free(o->ids);
	free(o->ifs);
	wl_objects_init(o);
}

enum wl_iface wl_objects_get(const struct wl_objects *o, uint32_t id)
{
	if (!o->cap)
		return WL_IF_UNKNOWN;
	for (size_t i = slot_of(id, o->cap);; i = (i + 1) & (o->cap - 1)) {
		if (o->ids[i] == 0)
			return WL_IF_UNKNOWN;
		if (o->ids[i] == id)
			return (enum wl_iface)o->ifs[i];
	}
}

static void put(uint32_t *ids, uint8_t *ifs, size_t cap, uint32_t id, uint8_t iface)
{
	size_t i = slot_of(id, cap);
	while (ids[i] && ids[i] != id)
		i = (i + 1) & (cap - 1);
	ids[i] = id;
	ifs[i] = iface;
}

int wl_objects_set(struct wl_objects *o, uint32_t id, enum wl_iface iface)
{
	if (iface == WL_IF_UNKNOWN) {
		wl_objects_del(o, id);
		return 0;
	}
	if ((o->n + 1) * 2 > o->cap) {
		if (o->n >= WL_MAX_TRACKED)
			return -ENOSPC;
		size_t cap = o->cap ? o->cap * 2 : 16;
		uint32_t *ids = calloc(cap, sizeof(*ids));
		uint8_t *ifs = calloc(cap, 1);
		if (!ids || !ifs) {
			free(ids);
			free(ifs);
			return -ENOMEM;
		}
		for (size_t i = 0; i < o->cap; i++)
			if (o->ids[i])
				put(ids, ifs, cap, o->ids[i], o->ifs[i]);
		free(o->ids);
		free(o->ifs);
		o->ids = ids;
		o->ifs = ifs;
		o->cap = cap;
	}
	if (wl_objects_get(o, id) == WL_IF_UNKNOWN)
		o->n++;
	put(o->ids, o->ifs, o->cap, id, (uint8_t)iface);
	return 0;
}

/* Removal with backward shift: no tombstones, lookups stay short. */
void wl_objects_del(struct wl_objects *o, uint32_t id)
{
	if (!o->cap)
		return;
	size_t mask = o->cap - 1, i = slot_of(id, o->cap);
	while (o->ids[i] != id) {
		if (o->ids[i] == 0)
			return;
		i = (i + 1) & mask;
	}
	o->n--;
	for (size_t j = (i + 1) & mask; o->ids[j]; j = (j + 1) & mask) {
		size_t home = slot_of(o->ids[j], o->cap);
		/* j's entry may move to i when home is not in (i, j]. */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (stays)
			continue;
		o->ids[i] = o->ids[j];
		o->ifs[i] = o->ifs[j];
		i = j;
	}
	o->ids[i] = 0;
}

/* ---- messages ------------------------------------------------------- */

/* A new object the peer names: clients pick ids below WL_SERVER_ID_START,
 * the compositor at or above. */
static const char *new_object(struct wl_objects *o, bool request, uint32_t id, enum wl_iface iface)
{
	if (id == 0)
		return "new_id 0";
	if (request != (id < WL_SERVER_ID_START))
		return request ? "client new_id in the compositor's range"
			       : "compositor new_id in the client's range";
	/* A client reuses an id only after wl_display.delete_id (which we
	 * follow); the compositor reuses its own at once, so an event's
	 * new_id replaces what we knew. */
	if (id == WL_DISPLAY_ID || (request && wl_objects_get(o, id) != WL_IF_UNKNOWN))
		return "new_id of an object that exists";
	int r = wl_objects_set(o, id, iface);
	return r == -ENOSPC ? "too many objects" : r < 0 ? "out of memory" : NULL;
}

const char *wl_msg_read(struct wl_objects *o, bool request, const unsigned char *p,
			const struct wl_header *h, struct wl_msg *m)
{
	m->iface = h->object == WL_DISPLAY_ID ? WL_IF_DISPLAY : wl_objects_get(o, h->object);
	m->known = false;
	m->name = NULL;
	m->nfds = 0;
	m->nargs = 0;
	const struct iface_def *d = &ifaces[m->iface];
	unsigned count = request ? d->nreq : d->nev;
	if (m->iface == WL_IF_UNKNOWN || h->opcode >= count)
		return NULL;
	const struct sig *sg = &(request ? d->req : d->ev)[h->opcode];
	m->known = true;
	m->name = sg->name;

	size_t off = WL_HEADER_SIZE, end = h->size;
	const char *last_string = NULL;
	for (const char *a = sg->args; *a; a++) {
		bool nullable = *a == '?';
		if (nullable)
			a++;
		struct wl_arg *arg = &m->args[m->nargs++];
		*arg = (struct wl_arg){ .type = *a };
		if (*a == 'h') {
			m->nfds++;
			continue;
		}
		if (end - off < 4)
			return "arguments past the end of the message";
		arg->u = word(p + off);
		off += 4;
		if (*a == 's' || *a == 'a') {
			uint32_t len = arg->u;
			if (len > end - off)
				return "arguments past the end of the message";
			size_t padded = ((size_t)len + 3) & ~(size_t)3;
			if (padded > end - off)
				return "arguments past the end of the message";
			arg->s = (const char *)p + off;
			arg->len = len;
			if (*a == 's') {
				if (len == 0) {
					if (!nullable)
						return "null string where one is required";
					arg->s = NULL;
				} else if (p[off + len - 1] != '\0' || memchr(p + off, 0, len) != p + off + len - 1) {
					return "string without its NUL or with one inside";
				} else {
					arg->len = len - 1;
				}
				last_string = arg->s;
			}
			off += padded;
		} else if (*a == 'o' && arg->u == 0 && !nullable) {
			return "null object where one is required";
		} else if (*a == 'n') {
			enum wl_iface made = sg->creates;
			if (made == DYNAMIC)
				made = last_string ? wl_iface_from_name(last_string) : WL_IF_UNKNOWN;
			const char *why = new_object(o, request, arg->u, made);
			if (why)
				return why;
		}
	}
	/* delete_id: the client may reuse the id for anything now. */
	if (!request && m->iface == WL_IF_DISPLAY && h->opcode == 1)
		wl_objects_del(o, m->args[0].u);
	return NULL;
}

size_t wl_display_error(unsigned char *buf, size_t cap, uint32_t object, uint32_t code,
			const char *message)
{
	size_t len = strnlen(message, 255);
	size_t padded = (len + 1 + 3) & ~(size_t)3;
	size_t size = WL_HEADER_SIZE + 12 + padded;
	if (size > cap)
		return 0;
	memset(buf, 0, size);
	wl_header_write(buf, WL_DISPLAY_ID, 0, (uint16_t)size);
	uint32_t slen = (uint32_t)len + 1;
	memcpy(buf + 8, &object, 4);
	memcpy(buf + 12, &code, 4);
	memcpy(buf + 16, &slen, 4);
	memcpy(buf + 20, message, len);
	return size;
}
