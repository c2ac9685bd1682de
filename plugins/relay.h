/* Stream relay between a consumer's connection and the provider's socket,
 * shared by every socket link type (unix, wayland, later rest and dbus). */
#ifndef PVX_RELAY_H
#define PVX_RELAY_H

#include <ev.h>
#include "fsm/link.h"

/* Bytes read per recvmsg; also the size of a back-pressure buffer. */
#define RELAY_BUF (256 * 1024)
/* Send buffer of both sockets of a session. */
#define RELAY_SNDBUF (2048 * 1024)

/* Seconds a half-closed session may stay idle before it is reclaimed. */
extern double relay_linger;

/* Starts relaying between an accepted client fd and a provider fd whose
 * non-blocking connect was started.  Takes both fds. */
int relay_start(struct pvx_link *l, int client_fd, int provider_fd);

/* Closes every session of the link (teardown). */
void relay_close_all(struct pvx_link *l);

/* Frees sessions closed since the last call; run from an ev_check watcher
 * so no session is freed under its own callback. */
void relay_reap(void);

/* Releases cached buffers (at exit, for leak checkers). */
void relay_cleanup(void);

#endif
