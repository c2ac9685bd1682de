/* Incremental HTTP/1.x response reader: status line and header fields
 * (Ragel grammar in http_response.rl), then the body framed by
 * Content-Length, chunked transfer coding, or the end of the stream. */
#ifndef PVX_HTTP_RESPONSE_H
#define PVX_HTTP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"

/* Limits: a head larger than this is refused (no legitimate pv-ctrl or
 * pv-xconnect response comes close). */
#define HTTPRESP_MAX_HEAD (64 * 1024)
/* Default body cap; a graph of 10,000 links is about 2.5 MiB. */
#define HTTPRESP_DEFAULT_MAX_BODY (64u * 1024 * 1024)

enum httpresp_result {
	HTTPRESP_MORE = 0, /* feed more bytes (or call httpresp_eof) */
	HTTPRESP_DONE = 1, /* the response is complete: status and body are set */
};

enum httpresp_framing { FRAMING_EOF, FRAMING_LENGTH, FRAMING_CHUNKED };

struct httpresp {
	int cs;                 /* Ragel state, kept between calls */
	bool head_done;
	bool done;
	int status;
	enum httpresp_framing framing;
	int64_t content_length; /* -1 until a Content-Length field is seen */
	uint64_t chunk_left;    /* bytes of chunk data still to copy */
	size_t head_len;
	size_t max_body;
	/* The field being read: only its lower-cased name and a prefix of its
	 * value are kept, enough to recognise the framing fields. */
	char name[32];
	size_t name_len;
	char value[64];
	size_t value_len;
	bool value_truncated;
	uint64_t number;        /* Content-Length or chunk size being read */
	const char *error;      /* static text when feed returned < 0 */
	struct pvx_buf body;
	/* Framing-only use (a proxy watching responses go by): */
	bool discard_body;      /* count body bytes, do not keep them */
	bool head_request;      /* the request was HEAD: no body follows */
	bool connect_request;   /* the request was CONNECT: a 2xx ends with its head */
	uint64_t body_seen;     /* body bytes, kept or not */
	size_t consumed;        /* bytes of the last feed that belong to this response */
};

void httpresp_init(struct httpresp *r, size_t max_body);
void httpresp_free(struct httpresp *r);

/* Consumes len bytes.  Returns HTTPRESP_MORE, HTTPRESP_DONE, or -EBADMSG
 * (malformed) / -E2BIG (over a limit) / -ENOMEM with r->error set.  Bytes
 * after the end of the response are not consumed: r->consumed says how many
 * were.  1xx, 204 and 304 responses and answers to HEAD have no body. */
int httpresp_feed(struct httpresp *r, const char *data, size_t len);

/* The peer closed the stream: completes an EOF-framed body; anything else
 * unfinished is -EBADMSG ("truncated response"). */
int httpresp_eof(struct httpresp *r);

#endif
