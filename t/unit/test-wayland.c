/* Wayland framing and object tracking (parsers/wayland_wire.c) and the
 * globals a link shows (policy/wayland.c), on hand-built messages: no
 * sockets, no compositor. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/wayland_wire.h"
#include "policy/wayland.h"
#include "t/tap.h"

/* A message builder: header then words and strings. */
struct msg {
	unsigned char b[WL_MAX_MESSAGE + 64];
	size_t n;
};

static void m_begin(struct msg *m, uint32_t object, uint16_t opcode)
{
	memset(m, 0, sizeof(*m));
	m->n = WL_HEADER_SIZE;
	wl_header_write(m->b, object, opcode, 0);
}

static void m_u(struct msg *m, uint32_t w)
{
	memcpy(m->b + m->n, &w, 4);
	m->n += 4;
}

static void m_s(struct msg *m, const char *s)
{
	uint32_t len = (uint32_t)strlen(s) + 1;
	m_u(m, len);
	memcpy(m->b + m->n, s, len);
	m->n += (len + 3) & ~3u;
}

static void m_end(struct msg *m)
{
	uint32_t object;
	uint16_t opcode;
	memcpy(&object, m->b, 4);
	memcpy(&opcode, m->b + 4, 2);
	wl_header_write(m->b, object, opcode, (uint16_t)m->n);
}

/* Reads m as a request or event; returns the reason or NULL. */
static const char *rd(struct wl_objects *o, bool request, struct msg *m, struct wl_msg *out)
{
	struct wl_header h;
	const char *why = wl_header_read(m->b, &h);
	return why ? why : wl_msg_read(o, request, m->b, &h, out);
}

static void test_header(void)
{
	unsigned char b[8];
	struct wl_header h;
	wl_header_write(b, 5, 3, 12);
	ok(!wl_header_read(b, &h) && h.object == 5 && h.opcode == 3 && h.size == 12,
	   "header: object, opcode and size read back");
	wl_header_write(b, 5, 3, 4);
	ok(wl_header_read(b, &h) != NULL, "header: size under 8 refused");
	wl_header_write(b, 5, 3, 10);
	ok(wl_header_read(b, &h) != NULL, "header: size not a multiple of 4 refused");
	wl_header_write(b, 5, 3, 4100);
	ok(wl_header_read(b, &h) != NULL, "header: size over 4096 refused");
	wl_header_write(b, 0, 0, 8);
	ok(wl_header_read(b, &h) != NULL, "header: object 0 refused");
	wl_header_write(b, 5, 3, 4096);
	ok(!wl_header_read(b, &h), "header: 4096 bytes is allowed");
}

static void test_objects(void)
{
	struct wl_objects o;
	wl_objects_init(&o);
	for (uint32_t id = 2; id < 5000; id++)
		wl_objects_set(&o, id, (enum wl_iface)(1 + id % (WL_IF__COUNT - 1)));
	bool all = true;
	for (uint32_t id = 2; id < 5000; id++)
		all &= wl_objects_get(&o, id) == (enum wl_iface)(1 + id % (WL_IF__COUNT - 1));
	ok(all, "objects: 4998 ids set and read back");
	for (uint32_t id = 2; id < 5000; id += 2)
		wl_objects_del(&o, id);
	all = true;
	for (uint32_t id = 2; id < 5000; id++)
		all &= wl_objects_get(&o, id) ==
		       (id % 2 ? (enum wl_iface)(1 + id % (WL_IF__COUNT - 1)) : WL_IF_UNKNOWN);
	ok(all && o.n == 2499, "objects: every other one deleted, the rest still found");
	wl_objects_free(&o);
}

static void test_tracking(void)
{
	struct wl_objects o;
	struct wl_msg r;
	struct msg m;
	wl_objects_init(&o);

	m_begin(&m, 1, 1); /* wl_display.get_registry(2) */
	m_u(&m, 2);
	m_end(&m);
	ok(!rd(&o, true, &m, &r) && r.known && wl_objects_get(&o, 2) == WL_IF_REGISTRY,
	   "get_registry: object 2 is a wl_registry");

	m_begin(&m, 2, 0); /* global(7, "wl_shm", 1) */
	m_u(&m, 7);
	m_s(&m, "wl_shm");
	m_u(&m, 1);
	m_end(&m);
	ok(!rd(&o, false, &m, &r) && r.known && strcmp(r.name, "global") == 0 &&
		   strcmp(r.args[1].s, "wl_shm") == 0 && r.args[2].u == 1,
	   "global event: name, interface and version read");

	m_begin(&m, 2, 0); /* bind(7, "wl_shm", 1, 3) */
	m_u(&m, 7);
	m_s(&m, "wl_shm");
	m_u(&m, 1);
	m_u(&m, 3);
	m_end(&m);
	ok(!rd(&o, true, &m, &r) && wl_objects_get(&o, 3) == WL_IF_SHM, "bind of wl_shm: object 3 is a wl_shm");

	m_begin(&m, 3, 0); /* wl_shm.create_pool(4, fd, 4096) */
	m_u(&m, 4);
	m_u(&m, 4096);
	m_end(&m);
	ok(!rd(&o, true, &m, &r) && r.known && r.nfds == 1, "create_pool takes 1 fd");

	m_begin(&m, 2, 0); /* bind of a seat, then get_keyboard: keymap takes 1 fd */
	m_u(&m, 9);
	m_s(&m, "wl_seat");
	m_u(&m, 7);
	m_u(&m, 5);
	m_end(&m);
	rd(&o, true, &m, &r);
	m_begin(&m, 5, 1);
	m_u(&m, 6);
	m_end(&m);
	rd(&o, true, &m, &r);
	m_begin(&m, 6, 0);
	m_u(&m, 1);
	m_u(&m, 4000);
	m_end(&m);
	ok(!rd(&o, false, &m, &r) && r.known && r.nfds == 1 && strcmp(r.name, "keymap") == 0,
	   "wl_keyboard.keymap event takes 1 fd");

	m_begin(&m, 40, 0); /* an object nobody created */
	m_u(&m, 1);
	m_end(&m);
	ok(!rd(&o, true, &m, &r) && !r.known, "a message on an unknown object: framed, not read");

	m_begin(&m, 2, 0); /* a fake new_id: one that exists */
	m_u(&m, 7);
	m_s(&m, "wl_shm");
	m_u(&m, 1);
	m_u(&m, 3);
	m_end(&m);
	ok(rd(&o, true, &m, &r) != NULL, "bind with the new_id of an existing object refused");

	m_begin(&m, 2, 0); /* a new_id in the compositor's range */
	m_u(&m, 7);
	m_s(&m, "wl_shm");
	m_u(&m, 1);
	m_u(&m, 0xff000010);
	m_end(&m);
	ok(rd(&o, true, &m, &r) != NULL, "a client new_id in the compositor's range refused");

	m_begin(&m, 2, 0); /* string longer than the message */
	m_u(&m, 7);
	m_u(&m, 400);
	m_end(&m);
	ok(rd(&o, true, &m, &r) != NULL, "a string past the message's end refused");

	m_begin(&m, 2, 0); /* string without its NUL */
	m_u(&m, 7);
	m_u(&m, 4);
	memcpy(m.b + m.n, "abcd", 4);
	m.n += 4;
	m_u(&m, 1);
	m_u(&m, 30);
	m_end(&m);
	ok(rd(&o, true, &m, &r) != NULL, "a string without its NUL refused");

	m_begin(&m, 2, 0); /* arguments missing */
	m_u(&m, 7);
	m_end(&m);
	ok(rd(&o, true, &m, &r) != NULL, "a bind without its arguments refused");

	m_begin(&m, 1, 1); /* delete_id(6): the keyboard is gone */
	m_u(&m, 6);
	m_end(&m);
	ok(!rd(&o, false, &m, &r) && wl_objects_get(&o, 6) == WL_IF_UNKNOWN,
	   "delete_id forgets the object");
	wl_objects_free(&o);

	unsigned char eb[300];
	size_t n = wl_display_error(eb, sizeof(eb), 2, 0, "invalid global x (7)");
	struct wl_header h;
	wl_objects_init(&o);
	ok(n == WL_HEADER_SIZE + 12 + 24 && !wl_header_read(eb, &h) && h.object == 1 && h.opcode == 0 &&
		   !wl_msg_read(&o, false, eb, &h, &r) && r.args[0].u == 2 &&
		   strcmp(r.args[2].s, "invalid global x (7)") == 0,
	   "wl_display.error built and read back");
	wl_objects_free(&o);
}

static void test_policy(void)
{
	ok(wl_policy_allows(NULL, "wl_compositor") && wl_policy_allows(NULL, "xdg_wm_base") &&
		   wl_policy_allows(NULL, "zwp_linux_dmabuf_v1"),
	   "default list: compositor, xdg_wm_base, linux-dmabuf");
	const char *priv[] = { "weston_screenshooter", "weston_debug_v1", "zwlr_screencopy_manager_v1",
			       "zwlr_export_dmabuf_manager_v1", "zwp_virtual_keyboard_manager_v1",
			       "zwlr_virtual_pointer_manager_v1", "zwp_input_method_manager_v2",
			       "zwlr_layer_shell_v1", "ext_session_lock_manager_v1",
			       "zwlr_data_control_manager_v1", "zwlr_foreign_toplevel_manager_v1",
			       "wp_security_context_manager_v1", "weston_desktop_shell", "wl_compositorx",
			       "wl_composito" };
	bool none = true;
	for (size_t i = 0; i < sizeof(priv) / sizeof(priv[0]); i++)
		none &= !wl_policy_allows(NULL, priv[i]);
	ok(none, "default list: no privileged global, no prefix or extension of a name");
	ok(wl_policy_allows("default,weston_screenshooter", "weston_screenshooter") &&
		   wl_policy_allows("default,weston_screenshooter", "wl_shm") &&
		   !wl_policy_allows("default,weston_screenshooter", "weston_debug_v1"),
	   "\"default,weston_screenshooter\": the default list and the screenshooter");
	ok(wl_policy_allows("wl_compositor,wl_shm", "wl_shm") &&
		   !wl_policy_allows("wl_compositor,wl_shm", "wl_seat"),
	   "an explicit list is all there is");
	ok(!wl_policy_list_problem("default,weston_screenshooter") && wl_policy_list_problem("a,,b") &&
		   wl_policy_list_problem("9abc") && wl_policy_list_problem("a b") &&
		   wl_policy_list_problem(""),
	   "list check: names, \"default\"; empty names, digits first, spaces refused");

	struct wl_policy_registry r;
	char why[200];
	wl_policy_registry_init(&r, NULL);
	ok(wl_policy_global(&r, 1, "wl_compositor", 5) && !wl_policy_global(&r, 2, "weston_screenshooter", 1),
	   "registry: wl_compositor announced, weston_screenshooter not");
	ok(!wl_policy_bind(&r, 1, "wl_compositor", 4, why, sizeof(why)), "bind to a shown global passes");
	ok(wl_policy_bind(&r, 2, "weston_screenshooter", 1, why, sizeof(why)) != NULL,
	   "bind to a hidden global refused (%s)", why);
	ok(wl_policy_bind(&r, 99, "wl_compositor", 1, why, sizeof(why)) != NULL,
	   "bind to a guessed number refused (%s)", why);
	ok(wl_policy_bind(&r, 1, "wl_compositor", 6, why, sizeof(why)) != NULL &&
		   wl_policy_bind(&r, 1, "wl_compositor", 0, why, sizeof(why)) != NULL,
	   "bind with a version over the announced one, or 0, refused");
	ok(wl_policy_bind(&r, 1, "weston_screenshooter", 1, why, sizeof(why)) != NULL,
	   "bind of a shown name with another interface refused (%s)", why);
	ok(!wl_policy_global_remove(&r, 2) && wl_policy_global_remove(&r, 1) &&
		   !wl_policy_global_remove(&r, 77),
	   "global_remove: forwarded only for a shown global");
	ok(!wl_policy_bind(&r, 1, "wl_compositor", 1, why, sizeof(why)),
	   "a bind racing the removal still passes (the compositor makes it inert)");
	wl_policy_registry_free(&r);

	wl_policy_registry_init(&r, "default,weston_screenshooter");
	ok(wl_policy_global(&r, 2, "weston_screenshooter", 1) &&
		   !wl_policy_bind(&r, 2, "weston_screenshooter", 1, why, sizeof(why)),
	   "with the screenshooter listed, it is shown and bindable");
	wl_policy_registry_free(&r);

	wl_policy_registry_init(&r, NULL);
	unsigned shown = 0;
	for (uint32_t i = 0; i < 3 * WL_POLICY_MAX_GLOBALS; i++)
		shown += wl_policy_global(&r, i + 1, "wl_output", 4);
	ok(shown == WL_POLICY_MAX_GLOBALS && r.n == WL_POLICY_MAX_GLOBALS,
	   "a compositor announcing 3072 globals: 1024 remembered, the rest hidden");
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	wl_policy_registry_free(&r);
	wl_policy_registry_init(&r, longname);
	ok(!wl_policy_global(&r, 1, longname, 1), "an interface name over 127 bytes is hidden");
	wl_policy_registry_free(&r);
}

int main(void)
{
	test_header();
	test_objects();
	test_tracking();
	test_policy();
	return tap_done();
}
