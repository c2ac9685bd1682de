/* HTTP/1.x request framing (RFC 9112) for the rest proxy.
 *
 * Three entry points: a request head (request line, header fields, empty
 * line), a chunk-size line (with extensions) and, after the last chunk, the
 * trailer section.  The machine stops (fbreak) at each field end, head end,
 * chunk size and body end so the proxy can act with exact byte positions;
 * chunk data is skipped by the caller, not scanned here.
 *
 * Refused: obs-fold (a field line starting with space or tab), bare CR or
 * LF line ends, control bytes in fields, a request target with spaces or
 * control bytes, versions other than HTTP/1.0 and 1.1, chunk sizes of more
 * than 15 significant hex digits (leading zeros are not counted).  Sizes are
 * capped by the caller: rest links cap heads at 64 KiB and chunk-size lines
 * at 4 KiB, the control socket heads at 8 KiB and its request target at 255
 * bytes.  The request target is not copied: its offset and length in the
 * head are recorded for a caller that keeps the whole head (the control
 * socket). */
#include "config.h"

/* Generated code: Ragel's tables and gotos trip these warnings. */
#pragma GCC diagnostic ignored "-Wunused-const-variable"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wunused-label"
#pragma GCC diagnostic ignored "-Wsign-compare"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "parsers/http_request.h"

/* Trailing blanks belong to the optional whitespace, not to the value. */
static void trim_value(struct httpreq *r)
{
	while (r->value_len > 0 && (r->value[r->value_len - 1] == ' ' || r->value[r->value_len - 1] == '\t'))
		r->value_len--;
}

%%{
	machine http_request;
	alphtype unsigned char;
	access r->;

	action method_start { r->method_len = 0; }
	action method_char { if (r->method_len < sizeof(r->method)) r->method[r->method_len++] = (char)fc; }
	action minor { r->minor = fc - '0'; }
	action target_start { r->target_off = r->head_off + (size_t)(p - start); }
	action target_end { r->target_len = r->head_off + (size_t)(p - start) - r->target_off; }
	action name_start { r->name_len = 0; r->value_len = 0; r->value_long = false; }
	action name_char { if (r->name_len < sizeof(r->name)) r->name[r->name_len] = (char)tolower(fc); r->name_len++; }
	action value_char {
		if (r->value_len < sizeof(r->value)) r->value[r->value_len++] = (char)fc;
		else r->value_long = true;
	}
	action field_end { trim_value(r); ev = HTTPREQ_FIELD; fbreak; }
	action head_end { ev = HTTPREQ_HEAD; fbreak; }
	action size_start { r->chunk_size = 0; r->digits = 0; r->size_overflow = false; }
	action size_digit {
		/* Leading zeros are free (RFC 9112 sets no digit count); past
		 * 15 significant digits the size could overflow: refused. */
		if (r->chunk_size != 0 || fc != '0') {
			if (++r->digits > 15) r->size_overflow = true;
			else r->chunk_size = r->chunk_size * 16 + (uint64_t)(fc <= '9' ? fc - '0' : (fc | 0x20) - 'a' + 10);
		}
	}
	action size_end {
		if (r->size_overflow) { ev = HTTPREQ_ERROR; fbreak; }
		ev = HTTPREQ_CHUNK;
		if (r->chunk_size == 0)
			fnext trailer;
		fbreak;
	}
	action trailer_end { trim_value(r); ev = HTTPREQ_TRAILER; fbreak; }
	action body_end { ev = HTTPREQ_BODY_END; fbreak; }

	crlf = "\r\n";
	ows = [ \t]*;
	tchar = alnum | [!#$%&'*+\-.^_`|~];
	vchar = 0x21..0x7e | 0x80..0xff;
	fchar = vchar | [ \t];

	method = tchar+ >method_start $method_char;
	target = vchar+ >target_start %target_end;
	request_line = method " " target " HTTP/1." [01] @minor crlf;
	field_value = (vchar (fchar* vchar)?)?;
	field = tchar+ >name_start $name_char ":" ows (field_value $value_char) ows crlf;

	head := request_line (field @field_end)* crlf @head_end;

	chunk_ext = ";" fchar*;
	chunk_line = xdigit+ >size_start $size_digit chunk_ext? crlf @size_end;
	chunked := (chunk_line crlf)*;

	trailer := (field @trailer_end)* crlf @body_end;
}%%

%% write data;

void httpreq_init(struct httpreq *r)
{
	memset(r, 0, sizeof(*r));
	httpreq_start_head(r);
}

void httpreq_start_head(struct httpreq *r)
{
	r->cs = http_request_en_head;
	r->method_len = 0;
	r->minor = 1;
	r->head_off = 0;
	r->target_off = 0;
	r->target_len = 0;
}

void httpreq_start_chunked(struct httpreq *r)
{
	r->cs = http_request_en_chunked;
}

enum httpreq_event httpreq_run(struct httpreq *r, const char *data, size_t len, size_t *used)
{
	const unsigned char *start = (const unsigned char *)data, *p = start, *pe = p + len;
	const unsigned char *eof = NULL;
	enum httpreq_event ev = HTTPREQ_NONE;
	(void)eof;

	%% write exec;

	*used = (size_t)((const char *)p - data);
	r->head_off += *used;
	if (ev == HTTPREQ_NONE && r->cs == http_request_error)
		ev = HTTPREQ_ERROR;
	return ev;
}

enum httpreq_method httpreq_method(const struct httpreq *r)
{
	if (r->method_len == 4 && memcmp(r->method, "HEAD", 4) == 0)
		return METHOD_HEAD;
	if (r->method_len == 7 && memcmp(r->method, "CONNECT", 7) == 0)
		return METHOD_CONNECT;
	return METHOD_OTHER;
}

bool httpreq_field_is(const struct httpreq *r, const char *name)
{
	size_t n = strlen(name);
	return r->name_len == n && n <= sizeof(r->name) && memcmp(r->name, name, n) == 0;
}

bool httpreq_value_has_token(const struct httpreq *r, const char *token)
{
	size_t n = strlen(token);
	const char *v = r->value, *end = r->value + r->value_len;
	while (v < end) {
		while (v < end && (*v == ' ' || *v == '\t' || *v == ','))
			v++;
		const char *t = v;
		while (v < end && *v != ',' && *v != ' ' && *v != '\t')
			v++;
		if ((size_t)(v - t) == n && strncasecmp(t, token, n) == 0)
			return true;
	}
	return false;
}

bool httpreq_field_has_prefix(const struct httpreq *r, const char *prefix)
{
	size_t n = strlen(prefix);
	return r->name_len >= n && memcmp(r->name, prefix, n) == 0;
}
