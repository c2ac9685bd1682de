/* HTTP/1.0 and 1.1 request framing, the one request grammar of the
 * daemon: rest links and the control socket read requests with it.  A
 * Ragel machine (http_request.rl) that walks request heads, chunk-size
 * lines and trailers, and stops at every event its caller acts on.  It
 * copies nothing but short prefixes: the caller owns the bytes and learns
 * positions from the events. */
#ifndef PVX_HTTP_REQUEST_H
#define PVX_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum httpreq_event {
	HTTPREQ_NONE,        /* input used up, more needed */
	HTTPREQ_FIELD,       /* a header field ended (its line included) */
	HTTPREQ_HEAD,        /* the empty line ending the head was read */
	HTTPREQ_CHUNK,       /* a chunk-size line was read: chunk_size bytes follow */
	HTTPREQ_TRAILER,     /* a trailer field ended */
	HTTPREQ_BODY_END,    /* the empty line after the trailers was read */
	HTTPREQ_ERROR,       /* not HTTP/1.x as RFC 9112 writes it */
};

enum httpreq_method { METHOD_OTHER, METHOD_HEAD, METHOD_CONNECT };

struct httpreq {
	int cs;
	/* request line */
	char method[8];
	size_t method_len;
	int minor; /* HTTP/1.<minor> */
	/* Positions counted from httpreq_start_head(): bytes of this head read
	 * so far, and where the request target lies in it (length set once
	 * the space after it was read). */
	size_t head_off;
	size_t target_off, target_len;
	/* the field being read: lower-cased name prefix, value prefix */
	char name[24];   /* the first 24 bytes, lower-cased */
	size_t name_len; /* the whole name's length */
	char value[80];
	size_t value_len;
	bool value_long;
	/* chunk size being read */
	uint64_t chunk_size;
	unsigned digits;
	bool size_overflow;
};

void httpreq_init(struct httpreq *r);
/* Expect a new request head. */
void httpreq_start_head(struct httpreq *r);
/* Expect a chunked body (after a head that announced one). */
void httpreq_start_chunked(struct httpreq *r);
/* Runs from data until the next event; *used says how many bytes that
 * took (the event's last byte included). */
enum httpreq_event httpreq_run(struct httpreq *r, const char *data, size_t len, size_t *used);

enum httpreq_method httpreq_method(const struct httpreq *r);
/* The field just ended: is its name this (lower case)? starts with this? */
bool httpreq_field_is(const struct httpreq *r, const char *lower_name);
bool httpreq_field_has_prefix(const struct httpreq *r, const char *lower_prefix);
/* Does the value just read hold this token (comma-separated list, any case)? */
bool httpreq_value_has_token(const struct httpreq *r, const char *token);

#endif
