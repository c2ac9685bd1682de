/* Which Wayland globals a wayland link's clients may see and bind: pure
 * decisions over what parsers/wayland_wire.h read, no sockets, unit-tested
 * in t/unit/test-wayland.c.
 *
 * The list.  A link's `globals` field is a comma-separated list of
 * interface names; the word "default" in it stands for the default list.
 * Without the field, the default list: the core and stable interfaces an
 * application needs to draw, take input and share buffers (wl_compositor,
 * wl_shm, wl_seat, xdg_wm_base, linux-dmabuf, viewporter, ...).  It names
 * nothing privileged: screen capture (weston_screenshooter,
 * zwlr_screencopy_manager_v1, zwlr_export_dmabuf_manager_v1,
 * ext_image_copy_capture), weston_debug_v1, input injection (virtual
 * keyboard and pointer, input method), shell roles (layer shell, session
 * lock, weston_desktop_shell), clipboard snooping (data control), other
 * clients' windows (foreign toplevel), gamma, output management, and
 * wp_security_context_manager_v1 itself.  Anything not listed is hidden,
 * so a compositor's new privileged global stays hidden too.
 *
 * The registry.  Per connection: every global the compositor announces is
 * remembered by name with its interface and version and whether it was
 * shown.  Hidden globals are never announced, their global_remove is not
 * forwarded either, and a bind is allowed only to a name that was shown,
 * with the interface it was shown with and a version from 1 to the one
 * announced; anything else (a hidden name, a guessed number) is refused,
 * and the link answers with wl_display.error and closes that client. */
#ifndef PVX_POLICY_WAYLAND_H
#define PVX_POLICY_WAYLAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Globals one connection remembers; the compositor's announcements past
 * this are hidden (a real compositor has fewer than 100). */
#define WL_POLICY_MAX_GLOBALS 1024
/* Longest interface name kept; longer ones are hidden. */
#define WL_POLICY_MAX_IFACE 128

/* The default list, NULL-terminated. */
extern const char *const wl_policy_default_globals[];

/* Whether the list (a link's `globals`, NULL for the default) lets
 * clients see interface. */
bool wl_policy_allows(const char *globals, const char *interface);

/* NULL when every name of the list is an interface name
 * ([A-Za-z_][A-Za-z0-9_]*, at most 127 bytes) or "default", else a
 * reason. */
const char *wl_policy_list_problem(const char *globals);

struct wl_policy_global {
	uint32_t name, version;
	bool shown, removed;
	char iface[WL_POLICY_MAX_IFACE];
};

/* One connection's view of the registry. */
struct wl_policy_registry {
	const char *globals; /* the link's list (not owned), NULL: default */
	struct wl_policy_global *g;
	size_t n, cap;
	uint64_t hidden;     /* announcements not forwarded */
};

void wl_policy_registry_init(struct wl_policy_registry *r, const char *globals);
void wl_policy_registry_free(struct wl_policy_registry *r);

/* wl_registry.global(name, interface, version) from the compositor:
 * true when the client may see it (forward the event). */
bool wl_policy_global(struct wl_policy_registry *r, uint32_t name, const char *interface,
		      uint32_t version);
/* wl_registry.global_remove(name): true when it is to be forwarded (the
 * client was shown that global). */
bool wl_policy_global_remove(struct wl_policy_registry *r, uint32_t name);
/* wl_registry.bind(name, interface, version, id) from the client: NULL
 * when it may pass, else the text of the error the client gets. */
const char *wl_policy_bind(const struct wl_policy_registry *r, uint32_t name, const char *interface,
			   uint32_t version, char *why, size_t n);

#endif
