/* The daemon's control socket: HTTP/1.0 on a Unix socket (DESIGN.md
 * section 5).  GET /links, /fsm, /graph, /metrics; POST /reconcile. */
#ifndef PVX_CONTROL_H
#define PVX_CONTROL_H

#include <stddef.h>

/* Listens at path (parent directories created).  Returns 0 or -errno. */
int control_start(const char *path);
/* Stops listening, closes every connection and removes the socket. */
void control_stop(void);

/* Request-line reader, exposed for tests and fuzzing.  Returns 1 with
 * method and path copied out when the head (up to the empty line) is
 * complete, 0 when more bytes are needed, -EBADMSG or -E2BIG. */
#define CONTROL_MAX_HEAD 8192
int control_parse_head(const char *buf, size_t len, char *method, size_t mlen, char *path,
		       size_t plen);

/* Response bodies, exposed for tests. */
char *control_links_json(void);
char *control_fsm_json(void);
char *control_metrics(void);

#endif
