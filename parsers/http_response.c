
#line 1 "parsers/http_response.rl"
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


#line 78 "parsers/http_response.rl"



#line 31 "parsers/http_response.c"
static const int http_response_start = 1;
static const int http_response_error = 0;

static const int http_response_en_main = 1;
static const int http_response_en_chunked = 33;
static const int http_response_en_trailer = 27;


#line 81 "parsers/http_response.rl"

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
	
#line 91 "parsers/http_response.c"
	{
	 r->cs = http_response_start;
	}

#line 135 "parsers/http_response.rl"
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
	
#line 106 "parsers/http_response.c"
	{
	if ( p == pe )
		goto _test_eof;
	switch (  r->cs )
	{
case 1:
	if ( (*p) == 72 )
		goto st2;
	goto st0;
st0:
 r->cs = 0;
	goto _out;
st2:
	if ( ++p == pe )
		goto _test_eof2;
case 2:
	if ( (*p) == 84 )
		goto st3;
	goto st0;
st3:
	if ( ++p == pe )
		goto _test_eof3;
case 3:
	if ( (*p) == 84 )
		goto st4;
	goto st0;
st4:
	if ( ++p == pe )
		goto _test_eof4;
case 4:
	if ( (*p) == 80 )
		goto st5;
	goto st0;
st5:
	if ( ++p == pe )
		goto _test_eof5;
case 5:
	if ( (*p) == 47 )
		goto st6;
	goto st0;
st6:
	if ( ++p == pe )
		goto _test_eof6;
case 6:
	if ( 48 <= (*p) && (*p) <= 57 )
		goto st7;
	goto st0;
st7:
	if ( ++p == pe )
		goto _test_eof7;
case 7:
	if ( (*p) == 46 )
		goto st8;
	goto st0;
st8:
	if ( ++p == pe )
		goto _test_eof8;
case 8:
	if ( 48 <= (*p) && (*p) <= 57 )
		goto st9;
	goto st0;
st9:
	if ( ++p == pe )
		goto _test_eof9;
case 9:
	if ( (*p) == 32 )
		goto st10;
	goto st0;
st10:
	if ( ++p == pe )
		goto _test_eof10;
case 10:
	if ( 48 <= (*p) && (*p) <= 57 )
		goto tr10;
	goto st0;
tr10:
#line 44 "parsers/http_response.rl"
	{ r->status = r->status * 10 + ((*p) - '0'); }
	goto st11;
st11:
	if ( ++p == pe )
		goto _test_eof11;
case 11:
#line 188 "parsers/http_response.c"
	if ( 48 <= (*p) && (*p) <= 57 )
		goto tr11;
	goto st0;
tr11:
#line 44 "parsers/http_response.rl"
	{ r->status = r->status * 10 + ((*p) - '0'); }
	goto st12;
st12:
	if ( ++p == pe )
		goto _test_eof12;
case 12:
#line 198 "parsers/http_response.c"
	if ( 48 <= (*p) && (*p) <= 57 )
		goto tr12;
	goto st0;
tr12:
#line 44 "parsers/http_response.rl"
	{ r->status = r->status * 10 + ((*p) - '0'); }
	goto st13;
st13:
	if ( ++p == pe )
		goto _test_eof13;
case 13:
#line 208 "parsers/http_response.c"
	switch( (*p) ) {
		case 10: goto st14;
		case 13: goto st20;
		case 32: goto st21;
	}
	goto st0;
tr22:
#line 43 "parsers/http_response.rl"
	{ if (field_done(r) < 0) {p++;  r->cs = 14; goto _out;} }
	goto st14;
st14:
	if ( ++p == pe )
		goto _test_eof14;
case 14:
#line 221 "parsers/http_response.c"
	switch( (*p) ) {
		case 10: goto tr16;
		case 13: goto st15;
		case 33: goto tr18;
		case 124: goto tr18;
		case 126: goto tr18;
	}
	if ( (*p) < 45 ) {
		if ( (*p) > 39 ) {
			if ( 42 <= (*p) && (*p) <= 43 )
				goto tr18;
		} else if ( (*p) >= 35 )
			goto tr18;
	} else if ( (*p) > 46 ) {
		if ( (*p) < 65 ) {
			if ( 48 <= (*p) && (*p) <= 57 )
				goto tr18;
		} else if ( (*p) > 90 ) {
			if ( 94 <= (*p) && (*p) <= 122 )
				goto tr18;
		} else
			goto tr18;
	} else
		goto tr18;
	goto st0;
tr16:
#line 45 "parsers/http_response.rl"
	{ r->head_done = true; {p++;  r->cs = 32; goto _out;} }
	goto st32;
st32:
	if ( ++p == pe )
		goto _test_eof32;
case 32:
#line 253 "parsers/http_response.c"
	goto st0;
st15:
	if ( ++p == pe )
		goto _test_eof15;
case 15:
	if ( (*p) == 10 )
		goto tr16;
	goto st0;
tr18:
#line 32 "parsers/http_response.rl"
	{ r->name_len = 0; r->value_len = 0; r->value_truncated = false; }
#line 33 "parsers/http_response.rl"
	{
		if (r->name_len < sizeof(r->name))
			r->name[r->name_len++] = (char)tolower((*p));
	}
	goto st16;
tr19:
#line 33 "parsers/http_response.rl"
	{
		if (r->name_len < sizeof(r->name))
			r->name[r->name_len++] = (char)tolower((*p));
	}
	goto st16;
st16:
	if ( ++p == pe )
		goto _test_eof16;
case 16:
#line 278 "parsers/http_response.c"
	switch( (*p) ) {
		case 33: goto tr19;
		case 58: goto st17;
		case 124: goto tr19;
		case 126: goto tr19;
	}
	if ( (*p) < 45 ) {
		if ( (*p) > 39 ) {
			if ( 42 <= (*p) && (*p) <= 43 )
				goto tr19;
		} else if ( (*p) >= 35 )
			goto tr19;
	} else if ( (*p) > 46 ) {
		if ( (*p) < 65 ) {
			if ( 48 <= (*p) && (*p) <= 57 )
				goto tr19;
		} else if ( (*p) > 90 ) {
			if ( 94 <= (*p) && (*p) <= 122 )
				goto tr19;
		} else
			goto tr19;
	} else
		goto tr19;
	goto st0;
st17:
	if ( ++p == pe )
		goto _test_eof17;
case 17:
	switch( (*p) ) {
		case 9: goto st17;
		case 10: goto tr22;
		case 13: goto st19;
		case 32: goto st17;
		case 127: goto st0;
	}
	if ( 0 <= (*p) && (*p) <= 31 )
		goto st0;
	goto tr21;
tr21:
#line 37 "parsers/http_response.rl"
	{
		if (r->value_len < sizeof(r->value))
			r->value[r->value_len++] = (char)(*p);
		else
			r->value_truncated = true;
	}
	goto st18;
st18:
	if ( ++p == pe )
		goto _test_eof18;
case 18:
#line 328 "parsers/http_response.c"
	switch( (*p) ) {
		case 10: goto tr22;
		case 13: goto st19;
		case 127: goto st0;
	}
	if ( (*p) > 8 ) {
		if ( 11 <= (*p) && (*p) <= 31 )
			goto st0;
	} else if ( (*p) >= 0 )
		goto st0;
	goto tr21;
st19:
	if ( ++p == pe )
		goto _test_eof19;
case 19:
	if ( (*p) == 10 )
		goto tr22;
	goto st0;
st20:
	if ( ++p == pe )
		goto _test_eof20;
case 20:
	if ( (*p) == 10 )
		goto st14;
	goto st0;
st21:
	if ( ++p == pe )
		goto _test_eof21;
case 21:
	switch( (*p) ) {
		case 10: goto st14;
		case 13: goto st20;
		case 127: goto st0;
	}
	if ( (*p) > 8 ) {
		if ( 11 <= (*p) && (*p) <= 31 )
			goto st0;
	} else if ( (*p) >= 0 )
		goto st0;
	goto st21;
st27:
	if ( ++p == pe )
		goto _test_eof27;
case 27:
	switch( (*p) ) {
		case 10: goto tr30;
		case 13: goto st28;
		case 33: goto st29;
		case 124: goto st29;
		case 126: goto st29;
	}
	if ( (*p) < 45 ) {
		if ( (*p) > 39 ) {
			if ( 42 <= (*p) && (*p) <= 43 )
				goto st29;
		} else if ( (*p) >= 35 )
			goto st29;
	} else if ( (*p) > 46 ) {
		if ( (*p) < 65 ) {
			if ( 48 <= (*p) && (*p) <= 57 )
				goto st29;
		} else if ( (*p) > 90 ) {
			if ( 94 <= (*p) && (*p) <= 122 )
				goto st29;
		} else
			goto st29;
	} else
		goto st29;
	goto st0;
tr30:
#line 58 "parsers/http_response.rl"
	{ r->done = true; {p++;  r->cs = 34; goto _out;} }
	goto st34;
st34:
	if ( ++p == pe )
		goto _test_eof34;
case 34:
#line 404 "parsers/http_response.c"
	goto st0;
st28:
	if ( ++p == pe )
		goto _test_eof28;
case 28:
	if ( (*p) == 10 )
		goto tr30;
	goto st0;
st29:
	if ( ++p == pe )
		goto _test_eof29;
case 29:
	switch( (*p) ) {
		case 33: goto st29;
		case 58: goto st30;
		case 124: goto st29;
		case 126: goto st29;
	}
	if ( (*p) < 45 ) {
		if ( (*p) > 39 ) {
			if ( 42 <= (*p) && (*p) <= 43 )
				goto st29;
		} else if ( (*p) >= 35 )
			goto st29;
	} else if ( (*p) > 46 ) {
		if ( (*p) < 65 ) {
			if ( 48 <= (*p) && (*p) <= 57 )
				goto st29;
		} else if ( (*p) > 90 ) {
			if ( 94 <= (*p) && (*p) <= 122 )
				goto st29;
		} else
			goto st29;
	} else
		goto st29;
	goto st0;
st30:
	if ( ++p == pe )
		goto _test_eof30;
case 30:
	switch( (*p) ) {
		case 10: goto st27;
		case 13: goto st31;
		case 127: goto st0;
	}
	if ( (*p) > 8 ) {
		if ( 11 <= (*p) && (*p) <= 31 )
			goto st0;
	} else if ( (*p) >= 0 )
		goto st0;
	goto st30;
st31:
	if ( ++p == pe )
		goto _test_eof31;
case 31:
	if ( (*p) == 10 )
		goto st27;
	goto st0;
st33:
	if ( ++p == pe )
		goto _test_eof33;
case 33:
	if ( (*p) < 65 ) {
		if ( 48 <= (*p) && (*p) <= 57 )
			goto tr36;
	} else if ( (*p) > 70 ) {
		if ( 97 <= (*p) && (*p) <= 102 )
			goto tr36;
	} else
		goto tr36;
	goto st0;
tr26:
#line 48 "parsers/http_response.rl"
	{
		if (++r->name_len > 15) { r->error = "chunk size too large"; {p++;  r->cs = 22; goto _out;} }
		r->number = r->number * 16 + (uint64_t)hexval((*p));
	}
	goto st22;
tr36:
#line 47 "parsers/http_response.rl"
	{ r->number = 0; r->name_len = 0; }
#line 48 "parsers/http_response.rl"
	{
		if (++r->name_len > 15) { r->error = "chunk size too large"; {p++;  r->cs = 22; goto _out;} }
		r->number = r->number * 16 + (uint64_t)hexval((*p));
	}
	goto st22;
st22:
	if ( ++p == pe )
		goto _test_eof22;
case 22:
#line 492 "parsers/http_response.c"
	switch( (*p) ) {
		case 10: goto tr24;
		case 13: goto st25;
		case 59: goto st26;
	}
	if ( (*p) < 65 ) {
		if ( 48 <= (*p) && (*p) <= 57 )
			goto tr26;
	} else if ( (*p) > 70 ) {
		if ( 97 <= (*p) && (*p) <= 102 )
			goto tr26;
	} else
		goto tr26;
	goto st0;
tr24:
#line 52 "parsers/http_response.rl"
	{
		r->chunk_left = r->number;
		if (r->number == 0)
			{goto st27;}
		{p++;  r->cs = 23; goto _out;}
	}
	goto st23;
st23:
	if ( ++p == pe )
		goto _test_eof23;
case 23:
#line 518 "parsers/http_response.c"
	switch( (*p) ) {
		case 10: goto st33;
		case 13: goto st24;
	}
	goto st0;
st24:
	if ( ++p == pe )
		goto _test_eof24;
case 24:
	if ( (*p) == 10 )
		goto st33;
	goto st0;
st25:
	if ( ++p == pe )
		goto _test_eof25;
case 25:
	if ( (*p) == 10 )
		goto tr24;
	goto st0;
st26:
	if ( ++p == pe )
		goto _test_eof26;
case 26:
	switch( (*p) ) {
		case 10: goto tr24;
		case 13: goto st25;
		case 127: goto st0;
	}
	if ( (*p) > 8 ) {
		if ( 11 <= (*p) && (*p) <= 31 )
			goto st0;
	} else if ( (*p) >= 0 )
		goto st0;
	goto st26;
	}
	_test_eof2:  r->cs = 2; goto _test_eof; 
	_test_eof3:  r->cs = 3; goto _test_eof; 
	_test_eof4:  r->cs = 4; goto _test_eof; 
	_test_eof5:  r->cs = 5; goto _test_eof; 
	_test_eof6:  r->cs = 6; goto _test_eof; 
	_test_eof7:  r->cs = 7; goto _test_eof; 
	_test_eof8:  r->cs = 8; goto _test_eof; 
	_test_eof9:  r->cs = 9; goto _test_eof; 
	_test_eof10:  r->cs = 10; goto _test_eof; 
	_test_eof11:  r->cs = 11; goto _test_eof; 
	_test_eof12:  r->cs = 12; goto _test_eof; 
	_test_eof13:  r->cs = 13; goto _test_eof; 
	_test_eof14:  r->cs = 14; goto _test_eof; 
	_test_eof32:  r->cs = 32; goto _test_eof; 
	_test_eof15:  r->cs = 15; goto _test_eof; 
	_test_eof16:  r->cs = 16; goto _test_eof; 
	_test_eof17:  r->cs = 17; goto _test_eof; 
	_test_eof18:  r->cs = 18; goto _test_eof; 
	_test_eof19:  r->cs = 19; goto _test_eof; 
	_test_eof20:  r->cs = 20; goto _test_eof; 
	_test_eof21:  r->cs = 21; goto _test_eof; 
	_test_eof27:  r->cs = 27; goto _test_eof; 
	_test_eof34:  r->cs = 34; goto _test_eof; 
	_test_eof28:  r->cs = 28; goto _test_eof; 
	_test_eof29:  r->cs = 29; goto _test_eof; 
	_test_eof30:  r->cs = 30; goto _test_eof; 
	_test_eof31:  r->cs = 31; goto _test_eof; 
	_test_eof33:  r->cs = 33; goto _test_eof; 
	_test_eof22:  r->cs = 22; goto _test_eof; 
	_test_eof23:  r->cs = 23; goto _test_eof; 
	_test_eof24:  r->cs = 24; goto _test_eof; 
	_test_eof25:  r->cs = 25; goto _test_eof; 
	_test_eof26:  r->cs = 26; goto _test_eof; 

	_test_eof: {}
	_out: {}
	}

#line 148 "parsers/http_response.rl"
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
