/* HTTP/1.x response reader (RFC 9112) for the pv-ctrl client and pvxctl.
 *
 * The head (status line, header fields) and the chunked framing lines are
 * Ragel machines; the actions only collect characters and mark where things
 * end.  Chunk data and Content-Length bodies are copied by plain C between
 * machine runs, so a body of any size costs one memcpy per byte.
 *
 * Limits and refusals: a head over HTTPRESP_MAX_HEAD, a body over max_body,
 * a Content-Length over 2^53 or two that disagree, a chunk size of more than
 * 15 hex digits, obs-fold continuation lines, and bytes that are not allowed
 * in a field.  Transfer-Encoding other than a final "chunked" means the
 * body runs to the end of the stream (RFC 9112 section 6.3). */
#include "config.h"

/* Generated code: Ragel's tables and gotos trip these warnings. */
#pragma GCC diagnostic ignored "-Wunused-const-variable"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wunused-label"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "parsers/http_response.h"

%%{
	machine http_response;
	access r->;

	action name_start { r->name_len = 0; r->value_len = 0; r->value_truncated = false; }
	action name_char {
		if (r->name_len < sizeof(r->name))
			r->name[r->name_len++] = (char)tolower(fc);
	}
	action value_char {
		if (r->value_len < sizeof(r->value))
			r->value[r->value_len++] = (char)fc;
		else
			r->value_truncated = true;
	}
	action field_done { if (field_done(r) < 0) fbreak; }
	action status_digit { r->status = r->status * 10 + (fc - '0'); }
	action head_done { r->head_done = true; fbreak; }

	action size_start { r->number = 0; r->name_len = 0; }
	action size_digit {
		if (++r->name_len > 15) { r->error = "chunk size too large"; fbreak; }
		r->number = r->number * 16 + (uint64_t)hexval(fc);
	}
	action size_done {
		r->chunk_left = r->number;
		if (r->number == 0)
			fgoto trailer;
		fbreak;
	}
	action trailer_done { r->done = true; fbreak; }

	crlf = "\r"? "\n";
	ows = [ \t]*;
	tchar = alnum | [!#$%&'*+\-.^_`|~];
	vchar = (any - cntrl - 127) | "\t";

	status_line = "HTTP/" digit "." digit " " digit{3} $status_digit
		(" " (vchar | " ")*)? crlf;
	field_value = (vchar - [ \t]) (vchar* (vchar - [ \t]))?;
	field = tchar+ >name_start $name_char ":" ows (field_value $value_char)? ows crlf @field_done;

	main := status_line field* crlf @head_done;

	chunk_ext = ";" (vchar | " ")*;
	chunk_line = xdigit+ >size_start $size_digit chunk_ext? crlf @size_done;
	chunked := (chunk_line crlf)*;

	trailer_field = tchar+ ":" (vchar | " ")* crlf;
	trailer := trailer_field* crlf @trailer_done;
}%%

%% write data nofinal;

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return (c | 0x20) - 'a' + 10;
}

/* Called at the end of each header field: records the framing fields. */
static int field_done(struct httpresp *r)
{
	/* Trailing blanks belong to the optional whitespace, not the value. */
	while (r->value_len > 0 && !r->value_truncated &&
	       (r->value[r->value_len - 1] == ' ' || r->value[r->value_len - 1] == '\t'))
		r->value_len--;
	if (r->name_len == 14 && memcmp(r->name, "content-length", 14) == 0) {
		uint64_t n = 0;
		if (r->value_len == 0 || r->value_truncated || r->value_len > 16) {
			r->error = "bad Content-Length";
			return -1;
		}
		for (size_t i = 0; i < r->value_len; i++) {
			if (!isdigit((unsigned char)r->value[i])) {
				r->error = "bad Content-Length";
				return -1;
			}
			n = n * 10 + (uint64_t)(r->value[i] - '0');
		}
		if (r->content_length >= 0 && (uint64_t)r->content_length != n) {
			r->error = "conflicting Content-Length fields";
			return -1;
		}
		r->content_length = (int64_t)n;
	} else if (r->name_len == 17 && memcmp(r->name, "transfer-encoding", 17) == 0) {
		/* Only the last coding matters; "chunked" must be it. */
		size_t n = r->value_len;
		r->framing = (!r->value_truncated && n >= 7 &&
			      strncasecmp(r->value + n - 7, "chunked", 7) == 0 &&
			      (n == 7 || r->value[n - 8] == ' ' || r->value[n - 8] == ',' ||
			       r->value[n - 8] == '\t'))
				     ? FRAMING_CHUNKED
				     : FRAMING_EOF;
		r->content_length = -2; /* Transfer-Encoding overrides Content-Length */
	}
	return 0;
}

void httpresp_init(struct httpresp *r, size_t max_body)
{
	*r = (struct httpresp){
		.content_length = -1,
		.max_body = max_body ? max_body : HTTPRESP_DEFAULT_MAX_BODY,
	};
	%% write init;
}

void httpresp_free(struct httpresp *r)
{
	pvx_buf_free(&r->body);
}

/* Runs the machine from r->cs over [p, pe); returns where it stopped. */
static const char *run_machine(struct httpresp *r, const char *p, const char *pe)
{
	const char *eof = NULL;
	(void)eof;
	%% write exec;
	return p;
}

static int fail(struct httpresp *r, int err, const char *msg)
{
	if (!r->error)
		r->error = msg;
	return err;
}

/* Appends body bytes, enforcing the cap. */
static int body_take(struct httpresp *r, const char *p, size_t n)
{
	r->body_seen += n;
	if (r->discard_body)
		return 0;
	if (r->body.len + n > r->max_body)
		return fail(r, -E2BIG, "response body too large");
	if (pvx_buf_append(&r->body, p, n) < 0)
		return fail(r, -ENOMEM, "out of memory");
	return 0;
}

/* Called when the head has just been read. */
static int head_finished(struct httpresp *r)
{
	if (r->content_length == -2)
		r->content_length = -1;
	else if (r->content_length >= 0)
		r->framing = FRAMING_LENGTH;
	if (r->head_request || r->status / 100 == 1 || r->status == 204 || r->status == 304 ||
	    (r->connect_request && r->status / 100 == 2)) {
		r->done = true;
		return 0;
	}
	if (r->framing == FRAMING_LENGTH) {
		if ((uint64_t)r->content_length > r->max_body && !r->discard_body)
			return fail(r, -E2BIG, "response body too large");
		if (r->content_length == 0)
			r->done = true;
	}
	if (r->framing == FRAMING_CHUNKED)
		r->cs = http_response_en_chunked;
	return 0;
}

int httpresp_feed(struct httpresp *r, const char *data, size_t len)
{
	const char *p = data, *pe = data + len;

	r->consumed = 0;
	while (p < pe && !r->done) {
		if (!r->head_done) {
			const char *start = p;
			p = run_machine(r, p, pe);
			r->head_len += (size_t)(p - start);
			if (r->error)
				return -EBADMSG;
			if (r->cs == http_response_error)
				return fail(r, -EBADMSG, "malformed response head");
			if (r->head_len > HTTPRESP_MAX_HEAD)
				return fail(r, -E2BIG, "response head too large");
			if (!r->head_done)
				return HTTPRESP_MORE;
			int e = head_finished(r);
			if (e < 0)
				return e;
			continue;
		}
		switch (r->framing) {
		case FRAMING_EOF: {
			int e = body_take(r, p, (size_t)(pe - p));
			if (e < 0)
				return e;
			p = pe;
			break;
		}
		case FRAMING_LENGTH: {
			size_t want = (size_t)((uint64_t)r->content_length - r->body_seen);
			size_t n = (size_t)(pe - p) < want ? (size_t)(pe - p) : want;
			int e = body_take(r, p, n);
			if (e < 0)
				return e;
			p += n;
			if (r->body_seen == (uint64_t)r->content_length)
				r->done = true;
			break;
		}
		case FRAMING_CHUNKED:
			if (r->chunk_left > 0) {
				size_t n = (uint64_t)(pe - p) < r->chunk_left ? (size_t)(pe - p)
									       : (size_t)r->chunk_left;
				int e = body_take(r, p, n);
				if (e < 0)
					return e;
				p += n;
				r->chunk_left -= n;
				break;
			}
			p = run_machine(r, p, pe);
			if (r->error)
				return r->name_len > 15 ? -E2BIG : -EBADMSG;
			if (r->cs == http_response_error)
				return fail(r, -EBADMSG, "malformed chunked body");
			if (r->chunk_left > r->max_body && !r->discard_body)
				return fail(r, -E2BIG, "response body too large");
			break;
		}
	}
	r->consumed = (size_t)(p - data);
	return r->done ? HTTPRESP_DONE : HTTPRESP_MORE;
}

int httpresp_eof(struct httpresp *r)
{
	if (r->done)
		return HTTPRESP_DONE;
	if (r->head_done && r->framing == FRAMING_EOF) {
		r->done = true;
		return HTTPRESP_DONE;
	}
	return fail(r, -EBADMSG, "truncated response");
}
