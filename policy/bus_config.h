/* The hosted system bus, decided: which container keeps a bus name two
 * claim, the uid a new role gets, and the bus daemon's configuration and
 * private passwd/group generated from the claims.  Pure functions: text
 * in memory, no files, no processes (sources/hosted_bus.c writes and runs
 * what these return). */
#ifndef PVX_POLICY_BUS_CONFIG_H
#define PVX_POLICY_BUS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define BUS_UID_FIRST 90000u
#define BUS_UID_LAST 99999u

/* One owned name, from a provider's services.json. */
struct bus_claim {
	const char *container; /* who declared it */
	const char *owns;      /* the well-known name */
	const char *role;      /* the owner's role */
	const char *const *allow; /* caller roles */
	size_t n_allow;
	/* Set by bus_claims_resolve: NULL, or why this claim is refused. */
	char *refused;
};

/* A role and the uid the bus sees for it. */
struct bus_user {
	const char *role;
	unsigned uid;
};

/* The smallest uid from BUS_UID_FIRST up that no entry of used has; 0
 * when the range is full. */
unsigned bus_uid_next(const unsigned *used, size_t n);

/* Decides every name claimed more than once: the container that held it
 * (held(ctx, name) returns that container, or NULL) keeps it, else the
 * first claim in order; every other claim of that name gets refused
 * ("bus name 'N' is already claimed by 'C'").  Returns how many were
 * refused, -1 when out of memory. */
typedef const char *(*bus_held_fn)(void *ctx, const char *owns);
int bus_claims_resolve(struct bus_claim *c, size_t n, bus_held_fn held, void *ctx);
void bus_claims_clear(struct bus_claim *c, size_t n);

/* The bus daemon's configuration (dbus-daemon's XML, which dbus-broker
 * reads too): listens on socket_path, EXTERNAL authentication only,
 * default deny (no name may be owned, no method call sent but the bus
 * driver's), then per claim not refused: its owner role may own the name
 * and every allowed role may send to it.  NULL when out of memory. */
char *bus_config_xml(const char *socket_path, const struct bus_claim *c, size_t n);

/* The private /etc/passwd and /etc/group of the bus daemon: root, then
 * one user (and its group, same number) per role. */
char *bus_passwd_text(const struct bus_user *u, size_t n);
char *bus_group_text(const struct bus_user *u, size_t n);

#endif
