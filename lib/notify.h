/* The systemd readiness protocol (sd_notify(3)), without libsystemd: one
 * datagram of "KEY=value" lines to the AF_UNIX socket named by
 * $NOTIFY_SOCKET (a path, or an abstract name written with a leading
 * '@').  Without $NOTIFY_SOCKET nothing is sent.  Never blocks: a full
 * socket drops the message (systemd reads them at once). */
#ifndef PVX_NOTIFY_H
#define PVX_NOTIFY_H

#include <sys/socket.h>
#include <sys/un.h>

/* The address $NOTIFY_SOCKET names: 0, or -EINVAL for a value that is
 * neither an absolute path nor '@'name, -ENAMETOOLONG.  Pure. */
int pvx_notify_addr(const char *value, struct sockaddr_un *sa, socklen_t *len);

/* Reads $NOTIFY_SOCKET once; 0 (also when unset) or -errno. */
int pvx_notify_init(void);
/* Whether there is a socket to tell. */
int pvx_notify_enabled(void);
/* Sends msg ("READY=1\nSTATUS=..."); 0 or -errno. */
int pvx_notify(const char *msg);
void pvx_notify_cleanup(void);

#endif
