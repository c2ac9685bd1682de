/* The hosted system bus (pv-xconnect --hosted-bus): a real bus daemon
 * (dbus-daemon) that pv-xconnect starts, watches and restarts with
 * backoff, with a configuration generated from the containers' claims
 * (policy/bus_config.h) and a private passwd/group naming one user per
 * role.  Roles get stable uids from 90000 up, kept in a file of the state
 * directory.  Consumers reach the bus through ordinary dbus links
 * (provider "_pv_", provider_pid 0, the role's uid), built by
 * sources/statedir.c.
 *
 * Threads: hosted_bus_role_uid and hosted_bus_prepare run on the graph
 * worker (files are written there); everything else runs on the loop.
 * The daemon is started by a lib/worker.h job (fork, exec, wait until its
 * socket answers) and watched through a pidfd on the loop. */
#ifndef PVX_HOSTED_BUS_H
#define PVX_HOSTED_BUS_H

#include <stdbool.h>
#include <stddef.h>

#include "sources/statedir.h"

#define HOSTED_BUS_DEFAULT_DIR "/run/pantavisor/pv/xconnect-bus"
#define HOSTED_BUS_DEFAULT_DAEMON "dbus-daemon"

struct hosted_bus_config {
	const char *dir;      /* bus.conf, passwd, group and system_bus_socket */
	const char *uid_file; /* role uids, kept across restarts */
	const char *daemon;   /* the bus daemon program (dbus-daemon) */
	double activation_timeout; /* how long a call waits for its name's
				    * owner to start; 0: the default */
};

/* Loop, at start: makes dir, reads the uid file, writes a first
 * configuration and starts the daemon.  0, or -1 with err set. */
int hosted_bus_init(const struct hosted_bus_config *c, char *err, size_t n);
bool hosted_bus_enabled(void);
/* The socket consumers' links reach ("DIR/system_bus_socket"). */
const char *hosted_bus_socket(void);
/* Any thread: the uid of role, assigned and saved when new.  0 or -1
 * (no uid left, or the file cannot be written). */
int hosted_bus_role_uid(void *ctx, const char *role, unsigned *uid);

/* What one --state build means for the bus: its claims (from
 * statedir_build), then, after hosted_bus_prepare (worker), the refusals
 * and whether the files changed. */
struct hosted_bus_build {
	struct statedir_bus bus;
	char **who, **why; /* refused containers and why */
	size_t n_refused;
	char **claimed;    /* the names granted (claims not refused) */
	size_t n_claimed;
	bool changed;      /* bus.conf or passwd/group were rewritten */
	char err[200];     /* set when they could not be */
};

void hosted_bus_prepare(struct hosted_bus_build *b);
/* Loop: refusals to the dbus plugin, a rollback event for each new one,
 * the daemon told to reload what changed. */
void hosted_bus_apply(struct hosted_bus_build *b);
void hosted_bus_build_free(struct hosted_bus_build *b);

/* Pid of the running daemon (0: none) and how often it was started. */
int hosted_bus_pid(void);
unsigned hosted_bus_starts(void);
/* Loop, at exit: stops the daemon. */
void hosted_bus_stop(void);

#endif
