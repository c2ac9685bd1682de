/* The one event loop of the daemon.  Everything that waits on a file
 * descriptor or a timer registers here; nothing on it may block. */
#ifndef PVX_LOOP_H
#define PVX_LOOP_H

#include <ev.h>

/* Set once by the daemon (tests may use the default loop). */
extern struct ev_loop *pvx_loop;

#endif
