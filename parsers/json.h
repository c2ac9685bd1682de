/* A streaming JSON reader (json.rl): bytes in, tokens out to a sink that
 * gives them meaning.  The manifests and the xconnect graph are read with
 * it, so neither builds a tree it would throw away. */
#ifndef PVX_JSON_H
#define PVX_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_STRING 4096 /* bytes of one decoded string, key or number */
#define JSON_MAX_DEPTH 32    /* objects and arrays inside each other */

enum jr_scalar { JR_STRING, JR_NUMBER, JR_TRUE, JR_FALSE, JR_NULL };

/* Each callback returns 0, or -1 to stop the reader; the reader then
 * reports error() at the token that was refused.  s is NUL-terminated
 * (strings may hold NUL bytes too: trust n).  s is NULL when a string or
 * number ran over JSON_MAX_STRING and the reader was made with long_ok. */
struct json_sink {
	int (*begin)(void *ctx, bool object);
	int (*end)(void *ctx);
	int (*key)(void *ctx, const char *s, size_t n);
	int (*scalar)(void *ctx, enum jr_scalar t, const char *s, size_t n);
	const char *(*error)(void *ctx);
};

struct json_reader;

/* file names the input in errors ("file:line:column: ..."); NULL gives
 * "line L column C: ...".  Input over max_size bytes is refused. */
struct json_reader *json_reader_new(const struct json_sink *sink, void *ctx, const char *file,
				    size_t max_size, bool long_ok);
void json_reader_free(struct json_reader *r);
/* Feeds the next piece (pieces may be cut anywhere); 0 or -1. */
int json_reader_feed(struct json_reader *r, const char *data, size_t len);
/* Ends the input: -1 unless exactly one complete value was read. */
int json_reader_finish(struct json_reader *r);
const char *json_reader_error(const struct json_reader *r);
/* Byte offsets of the token being handed to the sink: where it starts
 * (for an end, its '}' or ']') and just past where it ends. */
size_t json_reader_token_start(const struct json_reader *r);
size_t json_reader_token_end(const struct json_reader *r);
/* Where the token being handed to the sink starts, as errors name it
 * ("file:line:column", or "line L column C"), for warnings. */
void json_reader_where(const struct json_reader *r, char *buf, size_t len);
/* Fails the reader at the current token with msg (for checks made after
 * json_reader_finish). */
void json_reader_fail(struct json_reader *r, const char *msg);

#endif
