
#line 1 "parsers/http_request.rl"
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
 * control bytes, versions other than HTTP/1.0 and 1.1, chunk sizes over 15
 * hex digits.  Sizes are capped by the caller (heads 64 KiB). */
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


#line 85 "parsers/http_request.rl"



#line 38 "parsers/http_request.c"
static const int http_request_start = 1;
static const int http_request_first_final = 32;
static const int http_request_error = 0;

static const int http_request_en_head = 7;
static const int http_request_en_chunked = 34;
static const int http_request_en_trailer = 1;


#line 88 "parsers/http_request.rl"

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
}

void httpreq_start_chunked(struct httpreq *r)
{
	r->cs = http_request_en_chunked;
}

enum httpreq_event httpreq_run(struct httpreq *r, const char *data, size_t len, size_t *used)
{
	const unsigned char *p = (const unsigned char *)data, *pe = p + len;
	const unsigned char *eof = NULL;
	enum httpreq_event ev = HTTPREQ_NONE;
	(void)eof;

	
#line 72 "parsers/http_request.c"
	{
	if ( p == pe )
		goto _test_eof;
	goto _resume;

_again:
	switch (  r->cs ) {
		case 1: goto st1;
		case 0: goto st0;
		case 2: goto st2;
		case 32: goto st32;
		case 3: goto st3;
		case 4: goto st4;
		case 5: goto st5;
		case 6: goto st6;
		case 7: goto st7;
		case 8: goto st8;
		case 9: goto st9;
		case 10: goto st10;
		case 11: goto st11;
		case 12: goto st12;
		case 13: goto st13;
		case 14: goto st14;
		case 15: goto st15;
		case 16: goto st16;
		case 17: goto st17;
		case 18: goto st18;
		case 19: goto st19;
		case 20: goto st20;
		case 21: goto st21;
		case 22: goto st22;
		case 33: goto st33;
		case 23: goto st23;
		case 24: goto st24;
		case 25: goto st25;
		case 26: goto st26;
		case 34: goto st34;
		case 27: goto st27;
		case 28: goto st28;
		case 29: goto st29;
		case 30: goto st30;
		case 31: goto st31;
	default: break;
	}

	if ( ++p == pe )
		goto _test_eof;
_resume:
	switch (  r->cs )
	{
tr8:
#line 63 "parsers/http_request.rl"
	{ trim_value(r); ev = HTTPREQ_TRAILER; {p++;  r->cs = 1; goto _out;} }
	goto st1;
st1:
	if ( ++p == pe )
		goto _test_eof1;
case 1:
#line 129 "parsers/http_request.c"
	switch( (*p) ) {
		case 13u: goto st2;
		case 33u: goto tr2;
		case 124u: goto tr2;
		case 126u: goto tr2;
	}
	if ( (*p) < 45u ) {
		if ( (*p) > 39u ) {
			if ( 42u <= (*p) && (*p) <= 43u )
				goto tr2;
		} else if ( (*p) >= 35u )
			goto tr2;
	} else if ( (*p) > 46u ) {
		if ( (*p) < 65u ) {
			if ( 48u <= (*p) && (*p) <= 57u )
				goto tr2;
		} else if ( (*p) > 90u ) {
			if ( 94u <= (*p) && (*p) <= 122u )
				goto tr2;
		} else
			goto tr2;
	} else
		goto tr2;
	goto st0;
st0:
 r->cs = 0;
	goto _out;
st2:
	if ( ++p == pe )
		goto _test_eof2;
case 2:
	if ( (*p) == 10u )
		goto tr3;
	goto st0;
tr3:
#line 64 "parsers/http_request.rl"
	{ ev = HTTPREQ_BODY_END; {p++;  r->cs = 32; goto _out;} }
	goto st32;
st32:
	if ( ++p == pe )
		goto _test_eof32;
case 32:
#line 170 "parsers/http_request.c"
	goto st0;
tr2:
#line 43 "parsers/http_request.rl"
	{ r->name_len = 0; r->value_len = 0; r->value_long = false; }
#line 44 "parsers/http_request.rl"
	{ if (r->name_len < sizeof(r->name)) r->name[r->name_len] = (char)tolower((*p)); r->name_len++; }
	goto st3;
tr4:
#line 44 "parsers/http_request.rl"
	{ if (r->name_len < sizeof(r->name)) r->name[r->name_len] = (char)tolower((*p)); r->name_len++; }
	goto st3;
st3:
	if ( ++p == pe )
		goto _test_eof3;
case 3:
#line 182 "parsers/http_request.c"
	switch( (*p) ) {
		case 33u: goto tr4;
		case 58u: goto st4;
		case 124u: goto tr4;
		case 126u: goto tr4;
	}
	if ( (*p) < 45u ) {
		if ( (*p) > 39u ) {
			if ( 42u <= (*p) && (*p) <= 43u )
				goto tr4;
		} else if ( (*p) >= 35u )
			goto tr4;
	} else if ( (*p) > 46u ) {
		if ( (*p) < 65u ) {
			if ( 48u <= (*p) && (*p) <= 57u )
				goto tr4;
		} else if ( (*p) > 90u ) {
			if ( 94u <= (*p) && (*p) <= 122u )
				goto tr4;
		} else
			goto tr4;
	} else
		goto tr4;
	goto st0;
st4:
	if ( ++p == pe )
		goto _test_eof4;
case 4:
	switch( (*p) ) {
		case 9u: goto st4;
		case 13u: goto st5;
		case 32u: goto st4;
		case 127u: goto st0;
	}
	if ( (*p) <= 31u )
		goto st0;
	goto tr7;
st5:
	if ( ++p == pe )
		goto _test_eof5;
case 5:
	if ( (*p) == 10u )
		goto tr8;
	goto st0;
tr7:
#line 45 "parsers/http_request.rl"
	{
		if (r->value_len < sizeof(r->value)) r->value[r->value_len++] = (char)(*p);
		else r->value_long = true;
	}
	goto st6;
st6:
	if ( ++p == pe )
		goto _test_eof6;
case 6:
#line 236 "parsers/http_request.c"
	switch( (*p) ) {
		case 13u: goto st5;
		case 127u: goto st0;
	}
	if ( (*p) > 8u ) {
		if ( 10u <= (*p) && (*p) <= 31u )
			goto st0;
	} else
		goto st0;
	goto tr7;
st7:
	if ( ++p == pe )
		goto _test_eof7;
case 7:
	switch( (*p) ) {
		case 33u: goto tr9;
		case 124u: goto tr9;
		case 126u: goto tr9;
	}
	if ( (*p) < 45u ) {
		if ( (*p) > 39u ) {
			if ( 42u <= (*p) && (*p) <= 43u )
				goto tr9;
		} else if ( (*p) >= 35u )
			goto tr9;
	} else if ( (*p) > 46u ) {
		if ( (*p) < 65u ) {
			if ( 48u <= (*p) && (*p) <= 57u )
				goto tr9;
		} else if ( (*p) > 90u ) {
			if ( 94u <= (*p) && (*p) <= 122u )
				goto tr9;
		} else
			goto tr9;
	} else
		goto tr9;
	goto st0;
tr9:
#line 40 "parsers/http_request.rl"
	{ r->method_len = 0; }
#line 41 "parsers/http_request.rl"
	{ if (r->method_len < sizeof(r->method)) r->method[r->method_len++] = (char)(*p); }
	goto st8;
tr11:
#line 41 "parsers/http_request.rl"
	{ if (r->method_len < sizeof(r->method)) r->method[r->method_len++] = (char)(*p); }
	goto st8;
st8:
	if ( ++p == pe )
		goto _test_eof8;
case 8:
#line 284 "parsers/http_request.c"
	switch( (*p) ) {
		case 32u: goto st9;
		case 33u: goto tr11;
		case 124u: goto tr11;
		case 126u: goto tr11;
	}
	if ( (*p) < 45u ) {
		if ( (*p) > 39u ) {
			if ( 42u <= (*p) && (*p) <= 43u )
				goto tr11;
		} else if ( (*p) >= 35u )
			goto tr11;
	} else if ( (*p) > 46u ) {
		if ( (*p) < 65u ) {
			if ( 48u <= (*p) && (*p) <= 57u )
				goto tr11;
		} else if ( (*p) > 90u ) {
			if ( 94u <= (*p) && (*p) <= 122u )
				goto tr11;
		} else
			goto tr11;
	} else
		goto tr11;
	goto st0;
st9:
	if ( ++p == pe )
		goto _test_eof9;
case 9:
	if ( (*p) == 127u )
		goto st0;
	if ( (*p) <= 32u )
		goto st0;
	goto st10;
st10:
	if ( ++p == pe )
		goto _test_eof10;
case 10:
	switch( (*p) ) {
		case 32u: goto st11;
		case 127u: goto st0;
	}
	if ( (*p) <= 31u )
		goto st0;
	goto st10;
st11:
	if ( ++p == pe )
		goto _test_eof11;
case 11:
	if ( (*p) == 72u )
		goto st12;
	goto st0;
st12:
	if ( ++p == pe )
		goto _test_eof12;
case 12:
	if ( (*p) == 84u )
		goto st13;
	goto st0;
st13:
	if ( ++p == pe )
		goto _test_eof13;
case 13:
	if ( (*p) == 84u )
		goto st14;
	goto st0;
st14:
	if ( ++p == pe )
		goto _test_eof14;
case 14:
	if ( (*p) == 80u )
		goto st15;
	goto st0;
st15:
	if ( ++p == pe )
		goto _test_eof15;
case 15:
	if ( (*p) == 47u )
		goto st16;
	goto st0;
st16:
	if ( ++p == pe )
		goto _test_eof16;
case 16:
	if ( (*p) == 49u )
		goto st17;
	goto st0;
st17:
	if ( ++p == pe )
		goto _test_eof17;
case 17:
	if ( (*p) == 46u )
		goto st18;
	goto st0;
st18:
	if ( ++p == pe )
		goto _test_eof18;
case 18:
	if ( 48u <= (*p) && (*p) <= 49u )
		goto tr21;
	goto st0;
tr21:
#line 42 "parsers/http_request.rl"
	{ r->minor = (*p) - '0'; }
	goto st19;
st19:
	if ( ++p == pe )
		goto _test_eof19;
case 19:
#line 391 "parsers/http_request.c"
	if ( (*p) == 13u )
		goto st20;
	goto st0;
st20:
	if ( ++p == pe )
		goto _test_eof20;
case 20:
	if ( (*p) == 10u )
		goto st21;
	goto st0;
tr31:
#line 49 "parsers/http_request.rl"
	{ trim_value(r); ev = HTTPREQ_FIELD; {p++;  r->cs = 21; goto _out;} }
	goto st21;
st21:
	if ( ++p == pe )
		goto _test_eof21;
case 21:
#line 408 "parsers/http_request.c"
	switch( (*p) ) {
		case 13u: goto st22;
		case 33u: goto tr25;
		case 124u: goto tr25;
		case 126u: goto tr25;
	}
	if ( (*p) < 45u ) {
		if ( (*p) > 39u ) {
			if ( 42u <= (*p) && (*p) <= 43u )
				goto tr25;
		} else if ( (*p) >= 35u )
			goto tr25;
	} else if ( (*p) > 46u ) {
		if ( (*p) < 65u ) {
			if ( 48u <= (*p) && (*p) <= 57u )
				goto tr25;
		} else if ( (*p) > 90u ) {
			if ( 94u <= (*p) && (*p) <= 122u )
				goto tr25;
		} else
			goto tr25;
	} else
		goto tr25;
	goto st0;
st22:
	if ( ++p == pe )
		goto _test_eof22;
case 22:
	if ( (*p) == 10u )
		goto tr26;
	goto st0;
tr26:
#line 50 "parsers/http_request.rl"
	{ ev = HTTPREQ_HEAD; {p++;  r->cs = 33; goto _out;} }
	goto st33;
st33:
	if ( ++p == pe )
		goto _test_eof33;
case 33:
#line 446 "parsers/http_request.c"
	goto st0;
tr25:
#line 43 "parsers/http_request.rl"
	{ r->name_len = 0; r->value_len = 0; r->value_long = false; }
#line 44 "parsers/http_request.rl"
	{ if (r->name_len < sizeof(r->name)) r->name[r->name_len] = (char)tolower((*p)); r->name_len++; }
	goto st23;
tr27:
#line 44 "parsers/http_request.rl"
	{ if (r->name_len < sizeof(r->name)) r->name[r->name_len] = (char)tolower((*p)); r->name_len++; }
	goto st23;
st23:
	if ( ++p == pe )
		goto _test_eof23;
case 23:
#line 458 "parsers/http_request.c"
	switch( (*p) ) {
		case 33u: goto tr27;
		case 58u: goto st24;
		case 124u: goto tr27;
		case 126u: goto tr27;
	}
	if ( (*p) < 45u ) {
		if ( (*p) > 39u ) {
			if ( 42u <= (*p) && (*p) <= 43u )
				goto tr27;
		} else if ( (*p) >= 35u )
			goto tr27;
	} else if ( (*p) > 46u ) {
		if ( (*p) < 65u ) {
			if ( 48u <= (*p) && (*p) <= 57u )
				goto tr27;
		} else if ( (*p) > 90u ) {
			if ( 94u <= (*p) && (*p) <= 122u )
				goto tr27;
		} else
			goto tr27;
	} else
		goto tr27;
	goto st0;
st24:
	if ( ++p == pe )
		goto _test_eof24;
case 24:
	switch( (*p) ) {
		case 9u: goto st24;
		case 13u: goto st25;
		case 32u: goto st24;
		case 127u: goto st0;
	}
	if ( (*p) <= 31u )
		goto st0;
	goto tr30;
st25:
	if ( ++p == pe )
		goto _test_eof25;
case 25:
	if ( (*p) == 10u )
		goto tr31;
	goto st0;
tr30:
#line 45 "parsers/http_request.rl"
	{
		if (r->value_len < sizeof(r->value)) r->value[r->value_len++] = (char)(*p);
		else r->value_long = true;
	}
	goto st26;
st26:
	if ( ++p == pe )
		goto _test_eof26;
case 26:
#line 512 "parsers/http_request.c"
	switch( (*p) ) {
		case 13u: goto st25;
		case 127u: goto st0;
	}
	if ( (*p) > 8u ) {
		if ( 10u <= (*p) && (*p) <= 31u )
			goto st0;
	} else
		goto st0;
	goto tr30;
st34:
	if ( ++p == pe )
		goto _test_eof34;
case 34:
	if ( (*p) < 65u ) {
		if ( 48u <= (*p) && (*p) <= 57u )
			goto tr38;
	} else if ( (*p) > 70u ) {
		if ( 97u <= (*p) && (*p) <= 102u )
			goto tr38;
	} else
		goto tr38;
	goto st0;
tr33:
#line 52 "parsers/http_request.rl"
	{
		if (++r->digits > 15) r->size_overflow = true;
		r->chunk_size = r->chunk_size * 16 + (uint64_t)((*p) <= '9' ? (*p) - '0' : ((*p) | 0x20) - 'a' + 10);
	}
	goto st27;
tr38:
#line 51 "parsers/http_request.rl"
	{ r->chunk_size = 0; r->digits = 0; r->size_overflow = false; }
#line 52 "parsers/http_request.rl"
	{
		if (++r->digits > 15) r->size_overflow = true;
		r->chunk_size = r->chunk_size * 16 + (uint64_t)((*p) <= '9' ? (*p) - '0' : ((*p) | 0x20) - 'a' + 10);
	}
	goto st27;
st27:
	if ( ++p == pe )
		goto _test_eof27;
case 27:
#line 552 "parsers/http_request.c"
	switch( (*p) ) {
		case 13u: goto st28;
		case 59u: goto st31;
	}
	if ( (*p) < 65u ) {
		if ( 48u <= (*p) && (*p) <= 57u )
			goto tr33;
	} else if ( (*p) > 70u ) {
		if ( 97u <= (*p) && (*p) <= 102u )
			goto tr33;
	} else
		goto tr33;
	goto st0;
st28:
	if ( ++p == pe )
		goto _test_eof28;
case 28:
	if ( (*p) == 10u )
		goto tr35;
	goto st0;
tr35:
	 r->cs = 29;
#line 56 "parsers/http_request.rl"
	{
		if (r->size_overflow) { ev = HTTPREQ_ERROR; {p++; goto _out;} }
		ev = HTTPREQ_CHUNK;
		if (r->chunk_size == 0)
			 r->cs = 1;
		{p++; goto _out;}
	}
	goto _again;
st29:
	if ( ++p == pe )
		goto _test_eof29;
case 29:
#line 586 "parsers/http_request.c"
	if ( (*p) == 13u )
		goto st30;
	goto st0;
st30:
	if ( ++p == pe )
		goto _test_eof30;
case 30:
	if ( (*p) == 10u )
		goto st34;
	goto st0;
st31:
	if ( ++p == pe )
		goto _test_eof31;
case 31:
	switch( (*p) ) {
		case 13u: goto st28;
		case 127u: goto st0;
	}
	if ( (*p) > 8u ) {
		if ( 10u <= (*p) && (*p) <= 31u )
			goto st0;
	} else
		goto st0;
	goto st31;
	}
	_test_eof1:  r->cs = 1; goto _test_eof; 
	_test_eof2:  r->cs = 2; goto _test_eof; 
	_test_eof32:  r->cs = 32; goto _test_eof; 
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
	_test_eof15:  r->cs = 15; goto _test_eof; 
	_test_eof16:  r->cs = 16; goto _test_eof; 
	_test_eof17:  r->cs = 17; goto _test_eof; 
	_test_eof18:  r->cs = 18; goto _test_eof; 
	_test_eof19:  r->cs = 19; goto _test_eof; 
	_test_eof20:  r->cs = 20; goto _test_eof; 
	_test_eof21:  r->cs = 21; goto _test_eof; 
	_test_eof22:  r->cs = 22; goto _test_eof; 
	_test_eof33:  r->cs = 33; goto _test_eof; 
	_test_eof23:  r->cs = 23; goto _test_eof; 
	_test_eof24:  r->cs = 24; goto _test_eof; 
	_test_eof25:  r->cs = 25; goto _test_eof; 
	_test_eof26:  r->cs = 26; goto _test_eof; 
	_test_eof34:  r->cs = 34; goto _test_eof; 
	_test_eof27:  r->cs = 27; goto _test_eof; 
	_test_eof28:  r->cs = 28; goto _test_eof; 
	_test_eof29:  r->cs = 29; goto _test_eof; 
	_test_eof30:  r->cs = 30; goto _test_eof; 
	_test_eof31:  r->cs = 31; goto _test_eof; 

	_test_eof: {}
	_out: {}
	}

#line 115 "parsers/http_request.rl"

	*used = (size_t)((const char *)p - data);
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
