/* Which globals a wayland link's clients see: see wayland.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/wayland.h"

/* What an application needs, and nothing that reads other clients, the
 * screen or the input of others, or injects input (stable, staging and
 * the unstable protocols toolkits use; wl_drm for older Mesa EGL;
 * ivi_application for weston's ivi-shell). */
const char *const wl_policy_default_globals[] = {
	"wl_compositor", "wl_subcompositor", "wl_shm", "wl_seat", "wl_output",
	"wl_data_device_manager", "wl_shell", "wl_drm", "xdg_wm_base",
	"zxdg_decoration_manager_v1", "zxdg_output_manager_v1", "xdg_activation_v1",
	"xdg_wm_dialog_v1", "xdg_toplevel_icon_manager_v1", "wp_viewporter", "wp_presentation",
	"zwp_linux_dmabuf_v1", "zwp_linux_explicit_synchronization_v1",
	"wp_linux_drm_syncobj_manager_v1", "wp_fractional_scale_manager_v1",
	"wp_cursor_shape_manager_v1", "wp_single_pixel_buffer_manager_v1",
	"wp_content_type_manager_v1", "wp_tearing_control_manager_v1", "wp_alpha_modifier_v1",
	"wp_fifo_manager_v1", "wp_commit_timing_manager_v1", "zwp_text_input_manager_v3",
	"zwp_text_input_manager_v1", "zwp_input_timestamps_manager_v1",
	"zwp_relative_pointer_manager_v1", "zwp_pointer_constraints_v1", "zwp_pointer_gestures_v1",
	"zwp_idle_inhibit_manager_v1", "zwp_primary_selection_device_manager_v1",
	"zwp_tablet_manager_v2", "ivi_application", NULL,
};

static bool in_default(const char *interface, size_t len)
{
	for (const char *const *d = wl_policy_default_globals; *d; d++)
		if (strlen(*d) == len && memcmp(*d, interface, len) == 0)
			return true;
	return false;
}

bool wl_policy_allows(const char *globals, const char *interface)
{
	size_t ilen = strlen(interface);
	if (!globals)
		return in_default(interface, ilen);
	for (const char *p = globals; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if ((len == ilen && memcmp(p, interface, len) == 0) ||
		    (len == 7 && memcmp(p, "default", 7) == 0 && in_default(interface, ilen)))
			return true;
		p += len + (e != NULL);
	}
	return false;
}

const char *wl_policy_list_problem(const char *globals)
{
	for (const char *p = globals;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == 0 || len >= WL_POLICY_MAX_IFACE)
			return "must be a comma-separated list of interface names (or \"default\")";
		if (!((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z') || p[0] == '_'))
			return "names an interface that does not start with a letter or '_'";
		for (size_t i = 0; i < len; i++)
			if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z') ||
			      (p[i] >= '0' && p[i] <= '9') || p[i] == '_'))
				return "must be a comma-separated list of interface names (or \"default\")";
		if (!e)
			return NULL;
		p = e + 1;
	}
}

void wl_policy_registry_init(struct wl_policy_registry *r, const char *globals)
{
	*r = (struct wl_policy_registry){ .globals = globals };
}

void wl_policy_registry_free(struct wl_policy_registry *r)
{
	free(r->g);
	wl_policy_registry_init(r, r->globals);
}

static struct wl_policy_global *find(const struct wl_policy_registry *r, uint32_t name)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->g[i].name == name)
			return &r->g[i];
	return NULL;
}

bool wl_policy_global(struct wl_policy_registry *r, uint32_t name, const char *interface,
		      uint32_t version)
{
	size_t ilen = strlen(interface);
	bool shown = ilen < WL_POLICY_MAX_IFACE && wl_policy_allows(r->globals, interface);
	struct wl_policy_global *g = find(r, name);
	if (!g) {
		if (r->n == r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 32;
			struct wl_policy_global *ng =
				cap <= WL_POLICY_MAX_GLOBALS ? realloc(r->g, cap * sizeof(*ng)) : NULL;
			if (!ng) {
				r->hidden++; /* not remembered: not shown, not bindable */
				return false;
			}
			r->g = ng;
			r->cap = cap;
		}
		g = &r->g[r->n++];
	}
	/* Each registry of the connection hears every global: the same
	 * name again is the same global (names are not reused while it
	 * lives), a new one once it was removed. */
	*g = (struct wl_policy_global){ .name = name, .version = version, .shown = shown };
	if (shown)
		memcpy(g->iface, interface, ilen + 1);
	else
		r->hidden++;
	return shown;
}

bool wl_policy_global_remove(struct wl_policy_registry *r, uint32_t name)
{
	struct wl_policy_global *g = find(r, name);
	if (!g)
		return false;
	g->removed = true; /* a bind racing the removal still passes */
	return g->shown;
}

const char *wl_policy_bind(const struct wl_policy_registry *r, uint32_t name, const char *interface,
			   uint32_t version, char *why, size_t n)
{
	const struct wl_policy_global *g = find(r, name);
	if (!g || !g->shown)
		snprintf(why, n, "invalid global %s (%u)", interface ? interface : "(null)",
			 (unsigned)name);
	else if (!interface || strcmp(interface, g->iface) != 0)
		snprintf(why, n, "invalid interface for global %u: have %s, wanted %s", (unsigned)name,
			 g->iface, interface ? interface : "(null)");
	else if (version == 0 || version > g->version)
		snprintf(why, n, "invalid version for global %s (%u): have %u, wanted %u", g->iface,
			 (unsigned)name, (unsigned)g->version, (unsigned)version);
	else
		return NULL;
	return why;
}
