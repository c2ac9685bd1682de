/* HTTP/1.0 over a Unix socket: an asynchronous request on the daemon's
 * libev loop (pv-ctrl graph fetches and events) and a blocking one for the
 * command-line tools.  Both send a Host header, which pv-ctrl requires. */
#ifndef PVX_HTTP_CLIENT_H
#define PVX_HTTP_CLIENT_H

#include <stddef.h>
#include <ev.h>

/* Called once per request.  err is 0 with a status and body, or -errno
 * with msg saying what went wrong (connect, timeout, malformed response). */
typedef void (*http_done_fn)(void *ctx, int err, int status, const char *body, size_t len,
			     const char *msg);

struct http_request;

/* Starts method path on the socket; done is called later, never from
 * inside this call.  Returns NULL only when out of memory. */
struct http_request *http_request_start(struct ev_loop *loop, const char *socket_path,
					const char *method, const char *path, const char *body,
					size_t body_len, double timeout, size_t max_body,
					http_done_fn done, void *ctx);
/* Inside a done callback with err 0: takes the body's buffer (malloc'd,
 * NUL-terminated, *len bytes in *cap), so that a large body is handed on
 * without a copy; the body pointer done got stays valid until it returns.
 * NULL when there is none. */
char *http_take_body(size_t *len, size_t *cap);
/* Abandons a request without calling done. */
void http_request_cancel(struct http_request *r);

/* Blocking request for the CLIs.  Returns the status (>= 100) with the body
 * in *body (malloc'd, NUL-terminated), or -errno with a message in err. */
int http_fetch(const char *socket_path, const char *method, const char *path,
	       const char *body, double timeout, char **out, size_t *out_len, char *err,
	       size_t errlen);

#endif
