/* The daemon's control socket: HTTP/1.0 on a Unix socket (DESIGN.md
 * section 5).  GET /links, /links/KEY, /status, /fsm, /graph, /ipam,
 * /metrics; POST /reconcile, /links/KEY/retry, /links/retry. */
#ifndef PVX_CONTROL_H
#define PVX_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>

#include "parsers/http_request.h"
#include "fsm/reconcile.h"
#include "lib/util.h"

/* The socket's group (--control-group): mode 0660 and that group, so an
 * operator group can use pvxctl; (gid_t)-1 (the default): 0600, root only. */
extern gid_t control_group;

/* Listens at path, whose directory must exist (-ENOTDIR if it is not a
 * directory, -ENOENT if missing: nothing is created).  Returns 0 or -errno. */
int control_start(const char *path);
/* --metrics-listen ADDR:PORT: a TCP listener (numeric IPv4 "127.0.0.1:9101"
 * or IPv6 "[::1]:9101") that answers GET /metrics and nothing else (404,
 * 405), with the control socket's bounds (head size and timeouts) and at
 * most 8 clients at once.  0, -EINVAL for a malformed address, or -errno. */
int control_metrics_listen(const char *addr);
/* The address of ADDR:PORT, numeric only (no name lookup).  Pure. */
int control_parse_listen(const char *arg, struct sockaddr_storage *sa, socklen_t *len);

/* Stops listening, closes every connection and removes the socket. */
void control_stop(void);

/* The request head reader, exposed for tests and fuzzing.  Heads are read
 * with the grammar rest links use (parsers/http_request.rl), under the
 * control socket's caps: the head up to its empty line in CONTROL_MAX_HEAD
 * bytes (else -E2BIG: 431), a method of at most CONTROL_MAX_METHOD bytes
 * and an origin-form target ("/...") of at most CONTROL_MAX_PATH bytes
 * (else -EBADMSG: 400, as for anything the grammar refuses).  Header fields
 * are checked by the grammar and otherwise ignored; bytes after the head
 * are not read. */
#define CONTROL_MAX_HEAD 8192
#define CONTROL_MAX_METHOD 15
#define CONTROL_MAX_PATH 255

struct control_head {
	struct httpreq http;
	size_t walked; /* bytes of the head buffer the grammar has read */
	char method[CONTROL_MAX_METHOD + 1];
	char path[CONTROL_MAX_PATH + 1];
};

void control_head_init(struct control_head *h);
/* buf holds the len bytes received so far (the bytes of earlier calls
 * unchanged, at most CONTROL_MAX_HEAD); only the new ones are read.
 * Returns 1 when the head is complete (method and path filled), 0 when
 * more bytes are needed, -EBADMSG or -E2BIG; call no more after a
 * non-zero answer. */
int control_head_read(struct control_head *h, const char *buf, size_t len);

/* Response bodies, exposed for tests. */
char *control_links_json(void);

/* GET /links written a piece at a time as the socket drains, so that
 * 10,000 links (several MiB of JSON, ~200 ms to build at once) never hold
 * the loop: the same bytes as control_links_json() for the links alive at
 * each step (a link removed before its turn is left out, one added at the
 * end is in).  Open, call more() until done, close (also before). */
struct control_links_stream {
	struct mesh_cursor cur;
	bool started, items, done;
};
void control_links_open(struct control_links_stream *s);
/* Appends "[" at first, then links (at least one) until b holds max bytes
 * or pvx_now() passes until, and "]" at the end (done set).  Returns 0 or
 * -ENOMEM. */
int control_links_more(struct control_links_stream *s, struct pvx_buf *b, size_t max,
		       double until);
void control_links_close(struct control_links_stream *s);
char *control_fsm_json(void);
char *control_metrics(void);

#endif
