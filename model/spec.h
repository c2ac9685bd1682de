/* The link model: what one wanted link is, whatever source describes it
 * (the pv-ctrl graph, the manifests of a state directory, the control
 * socket).  It knows nothing of how a link is read, planted or relayed;
 * everything above it (parsers, policies, the fsm, the plugins) shares
 * these types. */
#ifndef PVX_MODEL_SPEC_H
#define PVX_MODEL_SPEC_H

#include <stdbool.h>
#include <sys/types.h>

enum pvx_link_type {
	LINK_UNIX,
	LINK_REST,
	LINK_DBUS,
	LINK_DRM,
	LINK_WAYLAND,
	LINK_NETWORK,
	LINK_TYPE__COUNT
};

extern const char *const pvx_link_type_names[LINK_TYPE__COUNT];
int pvx_link_type_from_name(const char *name);

/* One wanted link, as the graph describes it, with defaults applied.  Its
 * identity is (consumer, name, target). */
struct pvx_link_spec {
	enum pvx_link_type type;
	char *name;
	char *consumer;
	char *provider;     /* NULL when the graph gives none */
	pid_t consumer_pid; /* 0: host side or unknown */
	pid_t provider_pid;
	char *role;
	char *interface;
	char *target;
	char *socket;       /* NULL only for network links */
	bool has_uid;
	unsigned uid;
	char *ipv4_address; /* network links */
	char *mac_address;
	char *globals;      /* wayland links: interfaces shown, NULL: the default list */
};

void pvx_link_spec_free(struct pvx_link_spec *s);
int pvx_link_spec_copy(struct pvx_link_spec *dst, const struct pvx_link_spec *src);
/* Same identity (consumer, name, target)? */
bool pvx_link_spec_same_key(const struct pvx_link_spec *a, const struct pvx_link_spec *b);

#endif
