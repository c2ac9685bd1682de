/* Activation on first call on the hosted bus (policy/activation.h
 * decides): the names containers claim, the names the bus has owners for
 * (a watcher thread on its own connection to the bus, following
 * NameOwnerChanged), and the calls held meanwhile, each released when
 * its name gets an owner or at its time limit.  pv-ctrl is asked to start
 * the claimer: POST /xconnect/dbus/activate {"name": ...}.  Loop only,
 * but for the watcher thread, which talks to the loop through an
 * ev_async. */
#ifndef PVX_PLUGINS_DBUS_ACTIVATE_H
#define PVX_PLUGINS_DBUS_ACTIVATE_H

#include <stdbool.h>
#include <stddef.h>

struct pvx_link;
struct dbus_hold;

#define DBUS_ACTIVATE_DEFAULT_TIMEOUT 10.0

/* Starts watching the bus at socket_path (a thread, reconnecting when the
 * bus restarts); held calls wait at most timeout seconds. */
int dbus_activate_start(const char *socket_path, double timeout);
void dbus_activate_stop(void);
/* The names claimed on the bus now (copied). */
void dbus_activate_set_claims(const char *const *names, size_t n);

/* Is l a link to the watched bus? */
bool dbus_activate_link(const struct pvx_link *l);
bool dbus_activate_claimed(const char *name);
bool dbus_activate_known(void);
bool dbus_activate_owned(const char *name);
unsigned dbus_activate_held(const struct pvx_link *l);

/* Holds a call of link l to dest: done(ctx, true) when dest gets an owner,
 * done(ctx, false) at the time limit; never from inside this call. */
typedef void (*dbus_hold_fn)(void *ctx, bool owner);
struct dbus_hold *dbus_activate_hold(struct pvx_link *l, const char *dest, dbus_hold_fn done,
				     void *ctx);
/* Forgets a hold whose done has not run (its session is closing). */
void dbus_activate_cancel(struct dbus_hold *h);

#endif
