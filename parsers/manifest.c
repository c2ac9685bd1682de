
#line 1 "parsers/manifest.rl"
/* JSON for container manifests (RFC 8259), as one Ragel machine.
 *
 * Objects and arrays nest through fcall/fret (depth capped at
 * MANIFEST_MAX_DEPTH by the schema builder before each call); strings are
 * checked as UTF-8 byte by byte, escapes decoded, \uXXXX surrogate pairs
 * joined and lone surrogates refused; numbers follow the RFC grammar.  The
 * actions only collect bytes, remember where a token started and hand
 * complete tokens to the schema builder (manifest_schema.c), which decides
 * what they mean.  The machine keeps its state between feeds, so input may
 * be cut anywhere.
 *
 * Limits: input 1 MiB, strings 4 KiB, nesting 32.  Errors carry
 * file:line:column (columns count bytes from 1). */
#include "config.h"

/* Generated code: Ragel's tables and gotos trip these warnings. */
#pragma GCC diagnostic ignored "-Wunused-const-variable"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wunused-label"
#pragma GCC diagnostic ignored "-Wsign-compare"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/util.h"
#include "parsers/manifest.h"

struct manifest_parser {
	int cs, top;
	int stack[MANIFEST_MAX_DEPTH + 2];
	struct mf_builder *b;
	char *file;
	size_t offset;     /* bytes fed before the current piece */
	size_t line_start; /* offset of the first byte of the current line */
	unsigned line;
	size_t tok;        /* offset where the current token started */
	unsigned tok_line;
	uint32_t u;        /* \uXXXX being read */
	uint32_t high;     /* pending high surrogate, 0 if none */
	size_t slen;
	char sbuf[MANIFEST_MAX_STRING + 8];
	/* For "expected ..." in syntax errors: where the machine stands. */
	enum { L_NONE, L_OPEN, L_KEY, L_COLON, L_VALUE, L_COMMA } last;
	enum { IN_NONE, IN_STRING, IN_ESCAPE, IN_UNICODE, IN_NUMBER, IN_LITERAL } in;
	int depth;
	uint64_t objmask; /* bit d set: level d is an object */
	bool failed;
	char err[512];
};

static int hexval(unsigned char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static void fail_at(struct manifest_parser *r, size_t off, unsigned line, const char *msg)
{
	if (r->failed)
		return;
	r->failed = true;
	snprintf(r->err, sizeof(r->err), "%s:%u:%zu: %s", r->file, line,
		 off >= r->line_start ? off - r->line_start + 1 : 1, msg);
}

/* A builder refusal, reported at the token that caused it. */
static void builder_failed(struct manifest_parser *r)
{
	fail_at(r, r->tok, r->tok_line, mf_builder_error(r->b));
}

static int put_byte(struct manifest_parser *r, unsigned char c)
{
	if (r->high) {
		fail_at(r, r->tok, r->tok_line, "invalid \\u escape: high surrogate without its low half");
		return -1;
	}
	if (r->slen >= MANIFEST_MAX_STRING) {
		char msg[64];
		snprintf(msg, sizeof(msg), "string longer than %d bytes", MANIFEST_MAX_STRING);
		fail_at(r, r->tok, r->tok_line, msg);
		return -1;
	}
	r->sbuf[r->slen++] = (char)c;
	return 0;
}

/* The code point of a \uXXXX escape, joined with a pending high half. */
static int put_unicode(struct manifest_parser *r)
{
	uint32_t c = r->u;
	if (c >= 0xd800 && c <= 0xdbff) {
		if (r->high) {
			fail_at(r, r->tok, r->tok_line, "invalid \\u escape: two high surrogates in a row");
			return -1;
		}
		r->high = c;
		return 0;
	}
	if (c >= 0xdc00 && c <= 0xdfff) {
		if (!r->high) {
			fail_at(r, r->tok, r->tok_line, "invalid \\u escape: low surrogate without a high one");
			return -1;
		}
		c = 0x10000 + ((r->high - 0xd800) << 10) + (c - 0xdc00);
		r->high = 0;
	} else if (r->high) {
		fail_at(r, r->tok, r->tok_line, "invalid \\u escape: high surrogate without its low half");
		return -1;
	}
	unsigned char out[4];
	int n;
	if (c < 0x80) {
		out[0] = (unsigned char)c;
		n = 1;
	} else if (c < 0x800) {
		out[0] = (unsigned char)(0xc0 | (c >> 6));
		out[1] = (unsigned char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		out[0] = (unsigned char)(0xe0 | (c >> 12));
		out[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (unsigned char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		out[0] = (unsigned char)(0xf0 | (c >> 18));
		out[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
		out[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		out[3] = (unsigned char)(0x80 | (c & 0x3f));
		n = 4;
	}
	for (int i = 0; i < n; i++)
		if (put_byte(r, out[i]) < 0)
			return -1;
	return 0;
}

static int string_end(struct manifest_parser *r)
{
	if (r->high) {
		fail_at(r, r->tok, r->tok_line, "invalid \\u escape: high surrogate without its low half");
		return -1;
	}
	r->sbuf[r->slen] = '\0';
	return 0;
}


#line 269 "parsers/manifest.rl"



#line 156 "parsers/manifest.c"
static const int manifest_start = 1;
static const int manifest_first_final = 112;
static const int manifest_error = 0;

static const int manifest_en_object = 29;
static const int manifest_en_array = 78;
static const int manifest_en_main = 1;


#line 272 "parsers/manifest.rl"

struct manifest_parser *manifest_parser_new(enum manifest_kind kind, const char *file)
{
	struct manifest_parser *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->b = mf_builder_new(kind);
	r->file = strdup(file ? file : "-");
	if (!r->b || !r->file) {
		manifest_parser_free(r);
		return NULL;
	}
	r->line = 1;
	
#line 177 "parsers/manifest.c"
	{
	 r->cs = manifest_start;
	 r->top = 0;
	}

#line 286 "parsers/manifest.rl"
	return r;
}

void manifest_parser_free(struct manifest_parser *r)
{
	if (!r)
		return;
	mf_builder_free(r->b);
	free(r->file);
	free(r);
}

const char *manifest_parser_error(const struct manifest_parser *r)
{
	return r->err;
}

/* What the machine would have taken where it stopped. */
static const char *expected(const struct manifest_parser *r)
{
	switch (r->in) {
	case IN_STRING: return "a string character, '\\' or '\"' (control bytes and invalid UTF-8 are refused)";
	case IN_ESCAPE: return "an escape: \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX";
	case IN_UNICODE: return "4 hex digits after \\u";
	case IN_NUMBER: return "a number as RFC 8259 writes it";
	case IN_LITERAL: return "true, false or null";
	case IN_NONE: break;
	}
	bool object = r->depth > 0 && (r->objmask & (1ull << r->depth));
	if (r->depth == 0)
		return r->last == L_VALUE ? "end of input" : "a value";
	switch (r->last) {
	case L_OPEN: return object ? "a key string or '}'" : "a value or ']'";
	case L_KEY: return "':'";
	case L_COLON: return "a value";
	case L_VALUE: return object ? "',' or '}'" : "',' or ']'";
	case L_COMMA: return object ? "a key string" : "a value";
	default: return "a value";
	}
}

static void describe(char *buf, size_t len, const unsigned char *p, const unsigned char *pe)
{
	if (p >= pe)
		snprintf(buf, len, "end of input");
	else if (*p >= 0x21 && *p < 0x7f)
		snprintf(buf, len, "'%c'", *p);
	else
		snprintf(buf, len, "byte 0x%02x", *p);
}

/* Runs the machine over one piece (data may be empty with eof set). */
static int run(struct manifest_parser *r, const unsigned char *data, size_t len, bool at_eof)
{
	const unsigned char *p = data, *pe = data + len;
	const unsigned char *eof = at_eof ? pe : NULL;

	
#line 238 "parsers/manifest.c"
	{
	if ( ( p) == ( pe) )
		goto _test_eof;
	goto _resume;

_again:
	switch (  r->cs ) {
		case 1: goto st1;
		case 0: goto st0;
		case 2: goto st2;
		case 112: goto st112;
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
		case 113: goto st113;
		case 16: goto st16;
		case 114: goto st114;
		case 17: goto st17;
		case 18: goto st18;
		case 115: goto st115;
		case 116: goto st116;
		case 19: goto st19;
		case 20: goto st20;
		case 21: goto st21;
		case 22: goto st22;
		case 23: goto st23;
		case 24: goto st24;
		case 25: goto st25;
		case 26: goto st26;
		case 27: goto st27;
		case 28: goto st28;
		case 29: goto st29;
		case 30: goto st30;
		case 31: goto st31;
		case 32: goto st32;
		case 33: goto st33;
		case 34: goto st34;
		case 35: goto st35;
		case 117: goto st117;
		case 36: goto st36;
		case 37: goto st37;
		case 38: goto st38;
		case 39: goto st39;
		case 40: goto st40;
		case 41: goto st41;
		case 42: goto st42;
		case 43: goto st43;
		case 44: goto st44;
		case 45: goto st45;
		case 46: goto st46;
		case 47: goto st47;
		case 48: goto st48;
		case 49: goto st49;
		case 50: goto st50;
		case 51: goto st51;
		case 52: goto st52;
		case 53: goto st53;
		case 54: goto st54;
		case 55: goto st55;
		case 56: goto st56;
		case 57: goto st57;
		case 58: goto st58;
		case 59: goto st59;
		case 60: goto st60;
		case 61: goto st61;
		case 62: goto st62;
		case 63: goto st63;
		case 64: goto st64;
		case 65: goto st65;
		case 66: goto st66;
		case 67: goto st67;
		case 68: goto st68;
		case 69: goto st69;
		case 70: goto st70;
		case 71: goto st71;
		case 72: goto st72;
		case 73: goto st73;
		case 74: goto st74;
		case 75: goto st75;
		case 76: goto st76;
		case 77: goto st77;
		case 78: goto st78;
		case 79: goto st79;
		case 80: goto st80;
		case 81: goto st81;
		case 82: goto st82;
		case 83: goto st83;
		case 84: goto st84;
		case 85: goto st85;
		case 86: goto st86;
		case 87: goto st87;
		case 88: goto st88;
		case 118: goto st118;
		case 89: goto st89;
		case 90: goto st90;
		case 91: goto st91;
		case 92: goto st92;
		case 93: goto st93;
		case 94: goto st94;
		case 95: goto st95;
		case 96: goto st96;
		case 97: goto st97;
		case 98: goto st98;
		case 99: goto st99;
		case 100: goto st100;
		case 101: goto st101;
		case 102: goto st102;
		case 103: goto st103;
		case 104: goto st104;
		case 105: goto st105;
		case 106: goto st106;
		case 107: goto st107;
		case 108: goto st108;
		case 109: goto st109;
		case 110: goto st110;
		case 111: goto st111;
	default: break;
	}

	if ( ++( p) == ( pe) )
		goto _test_eof;
_resume:
	switch (  r->cs )
	{
tr2:
#line 164 "parsers/manifest.rl"
	{ r->line++; r->line_start = r->offset + (size_t)(p - data) + 1; }
	goto st1;
st1:
	if ( ++( p) == ( pe) )
		goto _test_eof1;
case 1:
#line 379 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto st1;
		case 10u: goto tr2;
		case 13u: goto st1;
		case 32u: goto st1;
		case 34u: goto tr3;
		case 45u: goto tr4;
		case 48u: goto tr5;
		case 91u: goto tr7;
		case 102u: goto tr8;
		case 110u: goto tr9;
		case 116u: goto tr10;
		case 123u: goto tr11;
	}
	if ( 49u <= (*( p)) && (*( p)) <= 57u )
		goto tr6;
	goto st0;
st0:
 r->cs = 0;
	goto _out;
tr3:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 167 "parsers/manifest.rl"
	{ r->slen = 0; r->high = 0; r->in = IN_STRING; }
	goto st2;
tr12:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 2; goto _out;} }
	goto st2;
tr22:
#line 175 "parsers/manifest.rl"
	{
		unsigned char c = (*( p));
		switch (c) {
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		}
		if (put_byte(r, c) < 0) {( p)++;  r->cs = 2; goto _out;}
	}
#line 170 "parsers/manifest.rl"
	{ r->in = IN_STRING; }
	goto st2;
tr27:
#line 187 "parsers/manifest.rl"
	{ r->u = r->u * 16 + (uint32_t)hexval((*( p))); }
#line 188 "parsers/manifest.rl"
	{ if (put_unicode(r) < 0) {( p)++;  r->cs = 2; goto _out;} }
#line 170 "parsers/manifest.rl"
	{ r->in = IN_STRING; }
	goto st2;
st2:
	if ( ++( p) == ( pe) )
		goto _test_eof2;
case 2:
#line 429 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 34u: goto tr13;
		case 92u: goto tr14;
		case 224u: goto tr16;
		case 237u: goto tr18;
		case 240u: goto tr19;
		case 244u: goto tr21;
	}
	if ( (*( p)) < 194u ) {
		if ( 32u <= (*( p)) && (*( p)) <= 127u )
			goto tr12;
	} else if ( (*( p)) > 223u ) {
		if ( (*( p)) > 239u ) {
			if ( 241u <= (*( p)) && (*( p)) <= 243u )
				goto tr20;
		} else if ( (*( p)) >= 225u )
			goto tr17;
	} else
		goto tr15;
	goto st0;
tr174:
#line 164 "parsers/manifest.rl"
	{ r->line++; r->line_start = r->offset + (size_t)(p - data) + 1; }
	goto st112;
tr7:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 220 "parsers/manifest.rl"
	{
		if (mf_begin(r->b, false) < 0) { builder_failed(r); {( p)++;  r->cs = 112; goto _out;} }
		r->depth++;
		r->objmask &= ~(1ull << r->depth);
		r->last = L_OPEN;
		{ { r->stack[ r->top++] = 112;goto st78;}}
	}
	goto st112;
tr11:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 213 "parsers/manifest.rl"
	{
		if (mf_begin(r->b, true) < 0) { builder_failed(r); {( p)++;  r->cs = 112; goto _out;} }
		r->depth++;
		r->objmask |= 1ull << r->depth;
		r->last = L_OPEN;
		{ { r->stack[ r->top++] = 112;goto st29;}}
	}
	goto st112;
tr13:
#line 196 "parsers/manifest.rl"
	{
		r->in = IN_NONE;
		r->last = L_VALUE;
		if (string_end(r) < 0) {( p)++;  r->cs = 112; goto _out;}
		if (mf_scalar(r->b, MF_STRING, r->sbuf, r->slen) < 0) { builder_failed(r); {( p)++;  r->cs = 112; goto _out;} }
	}
	goto st112;
tr36:
#line 208 "parsers/manifest.rl"
	{ r->in = IN_NONE; r->last = L_VALUE; }
#line 210 "parsers/manifest.rl"
	{ if (mf_scalar(r->b, MF_FALSE, "false", 5) < 0) { builder_failed(r); {( p)++;  r->cs = 112; goto _out;} } }
	goto st112;
tr39:
#line 208 "parsers/manifest.rl"
	{ r->in = IN_NONE; r->last = L_VALUE; }
#line 211 "parsers/manifest.rl"
	{ if (mf_scalar(r->b, MF_NULL, "null", 4) < 0) { builder_failed(r); {( p)++;  r->cs = 112; goto _out;} } }
	goto st112;
tr42:
#line 208 "parsers/manifest.rl"
	{ r->in = IN_NONE; r->last = L_VALUE; }
#line 209 "parsers/manifest.rl"
	{ if (mf_scalar(r->b, MF_TRUE, "true", 4) < 0) { builder_failed(r); {( p)++;  r->cs = 112; goto _out;} } }
	goto st112;
tr175:
#line 202 "parsers/manifest.rl"
	{
		r->in = IN_NONE;
		r->last = L_VALUE;
		r->sbuf[r->slen] = '\0';
		if (mf_scalar(r->b, MF_NUMBER, r->sbuf, r->slen) < 0) { builder_failed(r); {( p)++;  r->cs = 112; goto _out;} }
	}
	goto st112;
tr176:
#line 202 "parsers/manifest.rl"
	{
		r->in = IN_NONE;
		r->last = L_VALUE;
		r->sbuf[r->slen] = '\0';
		if (mf_scalar(r->b, MF_NUMBER, r->sbuf, r->slen) < 0) { builder_failed(r); {( p)++;  r->cs = 112; goto _out;} }
	}
#line 164 "parsers/manifest.rl"
	{ r->line++; r->line_start = r->offset + (size_t)(p - data) + 1; }
	goto st112;
st112:
	if ( ++( p) == ( pe) )
		goto _test_eof112;
case 112:
#line 513 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto st112;
		case 10u: goto tr174;
		case 13u: goto st112;
		case 32u: goto st112;
	}
	goto st0;
tr14:
#line 169 "parsers/manifest.rl"
	{ r->in = IN_ESCAPE; }
	goto st3;
st3:
	if ( ++( p) == ( pe) )
		goto _test_eof3;
case 3:
#line 527 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 34u: goto tr22;
		case 47u: goto tr22;
		case 92u: goto tr22;
		case 98u: goto tr22;
		case 102u: goto tr22;
		case 110u: goto tr22;
		case 114u: goto tr22;
		case 116u: goto tr22;
		case 117u: goto st4;
	}
	goto st0;
st4:
	if ( ++( p) == ( pe) )
		goto _test_eof4;
case 4:
	if ( (*( p)) < 65u ) {
		if ( 48u <= (*( p)) && (*( p)) <= 57u )
			goto tr24;
	} else if ( (*( p)) > 70u ) {
		if ( 97u <= (*( p)) && (*( p)) <= 102u )
			goto tr24;
	} else
		goto tr24;
	goto st0;
tr24:
#line 186 "parsers/manifest.rl"
	{ r->u = 0; r->in = IN_UNICODE; }
#line 187 "parsers/manifest.rl"
	{ r->u = r->u * 16 + (uint32_t)hexval((*( p))); }
	goto st5;
st5:
	if ( ++( p) == ( pe) )
		goto _test_eof5;
case 5:
#line 560 "parsers/manifest.c"
	if ( (*( p)) < 65u ) {
		if ( 48u <= (*( p)) && (*( p)) <= 57u )
			goto tr25;
	} else if ( (*( p)) > 70u ) {
		if ( 97u <= (*( p)) && (*( p)) <= 102u )
			goto tr25;
	} else
		goto tr25;
	goto st0;
tr25:
#line 187 "parsers/manifest.rl"
	{ r->u = r->u * 16 + (uint32_t)hexval((*( p))); }
	goto st6;
st6:
	if ( ++( p) == ( pe) )
		goto _test_eof6;
case 6:
#line 576 "parsers/manifest.c"
	if ( (*( p)) < 65u ) {
		if ( 48u <= (*( p)) && (*( p)) <= 57u )
			goto tr26;
	} else if ( (*( p)) > 70u ) {
		if ( 97u <= (*( p)) && (*( p)) <= 102u )
			goto tr26;
	} else
		goto tr26;
	goto st0;
tr26:
#line 187 "parsers/manifest.rl"
	{ r->u = r->u * 16 + (uint32_t)hexval((*( p))); }
	goto st7;
st7:
	if ( ++( p) == ( pe) )
		goto _test_eof7;
case 7:
#line 592 "parsers/manifest.c"
	if ( (*( p)) < 65u ) {
		if ( 48u <= (*( p)) && (*( p)) <= 57u )
			goto tr27;
	} else if ( (*( p)) > 70u ) {
		if ( 97u <= (*( p)) && (*( p)) <= 102u )
			goto tr27;
	} else
		goto tr27;
	goto st0;
tr15:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 8; goto _out;} }
	goto st8;
st8:
	if ( ++( p) == ( pe) )
		goto _test_eof8;
case 8:
#line 608 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 191u )
		goto tr12;
	goto st0;
tr16:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 9; goto _out;} }
	goto st9;
st9:
	if ( ++( p) == ( pe) )
		goto _test_eof9;
case 9:
#line 618 "parsers/manifest.c"
	if ( 160u <= (*( p)) && (*( p)) <= 191u )
		goto tr15;
	goto st0;
tr17:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 10; goto _out;} }
	goto st10;
st10:
	if ( ++( p) == ( pe) )
		goto _test_eof10;
case 10:
#line 628 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 191u )
		goto tr15;
	goto st0;
tr18:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 11; goto _out;} }
	goto st11;
st11:
	if ( ++( p) == ( pe) )
		goto _test_eof11;
case 11:
#line 638 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 159u )
		goto tr15;
	goto st0;
tr19:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 12; goto _out;} }
	goto st12;
st12:
	if ( ++( p) == ( pe) )
		goto _test_eof12;
case 12:
#line 648 "parsers/manifest.c"
	if ( 144u <= (*( p)) && (*( p)) <= 191u )
		goto tr17;
	goto st0;
tr20:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 13; goto _out;} }
	goto st13;
st13:
	if ( ++( p) == ( pe) )
		goto _test_eof13;
case 13:
#line 658 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 191u )
		goto tr17;
	goto st0;
tr21:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 14; goto _out;} }
	goto st14;
st14:
	if ( ++( p) == ( pe) )
		goto _test_eof14;
case 14:
#line 668 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 143u )
		goto tr17;
	goto st0;
tr4:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 168 "parsers/manifest.rl"
	{ r->slen = 0; r->high = 0; r->in = IN_NUMBER; }
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 15; goto _out;} }
	goto st15;
st15:
	if ( ++( p) == ( pe) )
		goto _test_eof15;
case 15:
#line 680 "parsers/manifest.c"
	if ( (*( p)) == 48u )
		goto tr28;
	if ( 49u <= (*( p)) && (*( p)) <= 57u )
		goto tr29;
	goto st0;
tr5:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 168 "parsers/manifest.rl"
	{ r->slen = 0; r->high = 0; r->in = IN_NUMBER; }
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 113; goto _out;} }
	goto st113;
tr28:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 113; goto _out;} }
	goto st113;
st113:
	if ( ++( p) == ( pe) )
		goto _test_eof113;
case 113:
#line 697 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto tr175;
		case 10u: goto tr176;
		case 13u: goto tr175;
		case 32u: goto tr175;
		case 46u: goto tr177;
		case 69u: goto tr178;
		case 101u: goto tr178;
	}
	goto st0;
tr177:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 16; goto _out;} }
	goto st16;
st16:
	if ( ++( p) == ( pe) )
		goto _test_eof16;
case 16:
#line 714 "parsers/manifest.c"
	if ( 48u <= (*( p)) && (*( p)) <= 57u )
		goto tr30;
	goto st0;
tr30:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 114; goto _out;} }
	goto st114;
st114:
	if ( ++( p) == ( pe) )
		goto _test_eof114;
case 114:
#line 724 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto tr175;
		case 10u: goto tr176;
		case 13u: goto tr175;
		case 32u: goto tr175;
		case 69u: goto tr178;
		case 101u: goto tr178;
	}
	if ( 48u <= (*( p)) && (*( p)) <= 57u )
		goto tr30;
	goto st0;
tr178:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 17; goto _out;} }
	goto st17;
st17:
	if ( ++( p) == ( pe) )
		goto _test_eof17;
case 17:
#line 742 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 43u: goto tr31;
		case 45u: goto tr31;
	}
	if ( 48u <= (*( p)) && (*( p)) <= 57u )
		goto tr32;
	goto st0;
tr31:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 18; goto _out;} }
	goto st18;
st18:
	if ( ++( p) == ( pe) )
		goto _test_eof18;
case 18:
#line 756 "parsers/manifest.c"
	if ( 48u <= (*( p)) && (*( p)) <= 57u )
		goto tr32;
	goto st0;
tr32:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 115; goto _out;} }
	goto st115;
st115:
	if ( ++( p) == ( pe) )
		goto _test_eof115;
case 115:
#line 766 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto tr175;
		case 10u: goto tr176;
		case 13u: goto tr175;
		case 32u: goto tr175;
	}
	if ( 48u <= (*( p)) && (*( p)) <= 57u )
		goto tr32;
	goto st0;
tr6:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 168 "parsers/manifest.rl"
	{ r->slen = 0; r->high = 0; r->in = IN_NUMBER; }
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 116; goto _out;} }
	goto st116;
tr29:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 116; goto _out;} }
	goto st116;
st116:
	if ( ++( p) == ( pe) )
		goto _test_eof116;
case 116:
#line 787 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto tr175;
		case 10u: goto tr176;
		case 13u: goto tr175;
		case 32u: goto tr175;
		case 46u: goto tr177;
		case 69u: goto tr178;
		case 101u: goto tr178;
	}
	if ( 48u <= (*( p)) && (*( p)) <= 57u )
		goto tr29;
	goto st0;
tr8:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 171 "parsers/manifest.rl"
	{ r->in = IN_LITERAL; }
	goto st19;
st19:
	if ( ++( p) == ( pe) )
		goto _test_eof19;
case 19:
#line 807 "parsers/manifest.c"
	if ( (*( p)) == 97u )
		goto st20;
	goto st0;
st20:
	if ( ++( p) == ( pe) )
		goto _test_eof20;
case 20:
	if ( (*( p)) == 108u )
		goto st21;
	goto st0;
st21:
	if ( ++( p) == ( pe) )
		goto _test_eof21;
case 21:
	if ( (*( p)) == 115u )
		goto st22;
	goto st0;
st22:
	if ( ++( p) == ( pe) )
		goto _test_eof22;
case 22:
	if ( (*( p)) == 101u )
		goto tr36;
	goto st0;
tr9:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 171 "parsers/manifest.rl"
	{ r->in = IN_LITERAL; }
	goto st23;
st23:
	if ( ++( p) == ( pe) )
		goto _test_eof23;
case 23:
#line 839 "parsers/manifest.c"
	if ( (*( p)) == 117u )
		goto st24;
	goto st0;
st24:
	if ( ++( p) == ( pe) )
		goto _test_eof24;
case 24:
	if ( (*( p)) == 108u )
		goto st25;
	goto st0;
st25:
	if ( ++( p) == ( pe) )
		goto _test_eof25;
case 25:
	if ( (*( p)) == 108u )
		goto tr39;
	goto st0;
tr10:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 171 "parsers/manifest.rl"
	{ r->in = IN_LITERAL; }
	goto st26;
st26:
	if ( ++( p) == ( pe) )
		goto _test_eof26;
case 26:
#line 864 "parsers/manifest.c"
	if ( (*( p)) == 114u )
		goto st27;
	goto st0;
st27:
	if ( ++( p) == ( pe) )
		goto _test_eof27;
case 27:
	if ( (*( p)) == 117u )
		goto st28;
	goto st0;
st28:
	if ( ++( p) == ( pe) )
		goto _test_eof28;
case 28:
	if ( (*( p)) == 101u )
		goto tr42;
	goto st0;
tr44:
#line 164 "parsers/manifest.rl"
	{ r->line++; r->line_start = r->offset + (size_t)(p - data) + 1; }
	goto st29;
st29:
	if ( ++( p) == ( pe) )
		goto _test_eof29;
case 29:
#line 888 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto st29;
		case 10u: goto tr44;
		case 13u: goto st29;
		case 32u: goto st29;
		case 34u: goto tr45;
		case 125u: goto tr46;
	}
	goto st0;
tr45:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 167 "parsers/manifest.rl"
	{ r->slen = 0; r->high = 0; r->in = IN_STRING; }
	goto st30;
tr47:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 30; goto _out;} }
	goto st30;
tr113:
#line 175 "parsers/manifest.rl"
	{
		unsigned char c = (*( p));
		switch (c) {
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		}
		if (put_byte(r, c) < 0) {( p)++;  r->cs = 30; goto _out;}
	}
#line 170 "parsers/manifest.rl"
	{ r->in = IN_STRING; }
	goto st30;
tr118:
#line 187 "parsers/manifest.rl"
	{ r->u = r->u * 16 + (uint32_t)hexval((*( p))); }
#line 188 "parsers/manifest.rl"
	{ if (put_unicode(r) < 0) {( p)++;  r->cs = 30; goto _out;} }
#line 170 "parsers/manifest.rl"
	{ r->in = IN_STRING; }
	goto st30;
st30:
	if ( ++( p) == ( pe) )
		goto _test_eof30;
case 30:
#line 927 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 34u: goto tr48;
		case 92u: goto tr49;
		case 224u: goto tr51;
		case 237u: goto tr53;
		case 240u: goto tr54;
		case 244u: goto tr56;
	}
	if ( (*( p)) < 194u ) {
		if ( 32u <= (*( p)) && (*( p)) <= 127u )
			goto tr47;
	} else if ( (*( p)) > 223u ) {
		if ( (*( p)) > 239u ) {
			if ( 241u <= (*( p)) && (*( p)) <= 243u )
				goto tr55;
		} else if ( (*( p)) >= 225u )
			goto tr52;
	} else
		goto tr50;
	goto st0;
tr58:
#line 164 "parsers/manifest.rl"
	{ r->line++; r->line_start = r->offset + (size_t)(p - data) + 1; }
	goto st31;
tr48:
#line 190 "parsers/manifest.rl"
	{
		r->in = IN_NONE;
		r->last = L_KEY;
		if (string_end(r) < 0) {( p)++;  r->cs = 31; goto _out;}
		if (mf_key(r->b, r->sbuf, r->slen) < 0) { builder_failed(r); {( p)++;  r->cs = 31; goto _out;} }
	}
	goto st31;
st31:
	if ( ++( p) == ( pe) )
		goto _test_eof31;
case 31:
#line 962 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto st31;
		case 10u: goto tr58;
		case 13u: goto st31;
		case 32u: goto st31;
		case 58u: goto tr59;
	}
	goto st0;
tr61:
#line 164 "parsers/manifest.rl"
	{ r->line++; r->line_start = r->offset + (size_t)(p - data) + 1; }
	goto st32;
tr59:
#line 172 "parsers/manifest.rl"
	{ r->last = L_COLON; }
	goto st32;
st32:
	if ( ++( p) == ( pe) )
		goto _test_eof32;
case 32:
#line 980 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto st32;
		case 10u: goto tr61;
		case 13u: goto st32;
		case 32u: goto st32;
		case 34u: goto tr62;
		case 45u: goto tr63;
		case 48u: goto tr64;
		case 91u: goto tr66;
		case 102u: goto tr67;
		case 110u: goto tr68;
		case 116u: goto tr69;
		case 123u: goto tr70;
	}
	if ( 49u <= (*( p)) && (*( p)) <= 57u )
		goto tr65;
	goto st0;
tr62:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 167 "parsers/manifest.rl"
	{ r->slen = 0; r->high = 0; r->in = IN_STRING; }
	goto st33;
tr71:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 33; goto _out;} }
	goto st33;
tr86:
#line 175 "parsers/manifest.rl"
	{
		unsigned char c = (*( p));
		switch (c) {
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		}
		if (put_byte(r, c) < 0) {( p)++;  r->cs = 33; goto _out;}
	}
#line 170 "parsers/manifest.rl"
	{ r->in = IN_STRING; }
	goto st33;
tr91:
#line 187 "parsers/manifest.rl"
	{ r->u = r->u * 16 + (uint32_t)hexval((*( p))); }
#line 188 "parsers/manifest.rl"
	{ if (put_unicode(r) < 0) {( p)++;  r->cs = 33; goto _out;} }
#line 170 "parsers/manifest.rl"
	{ r->in = IN_STRING; }
	goto st33;
st33:
	if ( ++( p) == ( pe) )
		goto _test_eof33;
case 33:
#line 1027 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 34u: goto tr72;
		case 92u: goto tr73;
		case 224u: goto tr75;
		case 237u: goto tr77;
		case 240u: goto tr78;
		case 244u: goto tr80;
	}
	if ( (*( p)) < 194u ) {
		if ( 32u <= (*( p)) && (*( p)) <= 127u )
			goto tr71;
	} else if ( (*( p)) > 223u ) {
		if ( (*( p)) > 239u ) {
			if ( 241u <= (*( p)) && (*( p)) <= 243u )
				goto tr79;
		} else if ( (*( p)) >= 225u )
			goto tr76;
	} else
		goto tr74;
	goto st0;
tr82:
#line 164 "parsers/manifest.rl"
	{ r->line++; r->line_start = r->offset + (size_t)(p - data) + 1; }
	goto st34;
tr66:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 220 "parsers/manifest.rl"
	{
		if (mf_begin(r->b, false) < 0) { builder_failed(r); {( p)++;  r->cs = 34; goto _out;} }
		r->depth++;
		r->objmask &= ~(1ull << r->depth);
		r->last = L_OPEN;
		{ { r->stack[ r->top++] = 34;goto st78;}}
	}
	goto st34;
tr70:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 213 "parsers/manifest.rl"
	{
		if (mf_begin(r->b, true) < 0) { builder_failed(r); {( p)++;  r->cs = 34; goto _out;} }
		r->depth++;
		r->objmask |= 1ull << r->depth;
		r->last = L_OPEN;
		{ { r->stack[ r->top++] = 34;goto st29;}}
	}
	goto st34;
tr72:
#line 196 "parsers/manifest.rl"
	{
		r->in = IN_NONE;
		r->last = L_VALUE;
		if (string_end(r) < 0) {( p)++;  r->cs = 34; goto _out;}
		if (mf_scalar(r->b, MF_STRING, r->sbuf, r->slen) < 0) { builder_failed(r); {( p)++;  r->cs = 34; goto _out;} }
	}
	goto st34;
tr106:
#line 208 "parsers/manifest.rl"
	{ r->in = IN_NONE; r->last = L_VALUE; }
#line 210 "parsers/manifest.rl"
	{ if (mf_scalar(r->b, MF_FALSE, "false", 5) < 0) { builder_failed(r); {( p)++;  r->cs = 34; goto _out;} } }
	goto st34;
tr109:
#line 208 "parsers/manifest.rl"
	{ r->in = IN_NONE; r->last = L_VALUE; }
#line 211 "parsers/manifest.rl"
	{ if (mf_scalar(r->b, MF_NULL, "null", 4) < 0) { builder_failed(r); {( p)++;  r->cs = 34; goto _out;} } }
	goto st34;
tr112:
#line 208 "parsers/manifest.rl"
	{ r->in = IN_NONE; r->last = L_VALUE; }
#line 209 "parsers/manifest.rl"
	{ if (mf_scalar(r->b, MF_TRUE, "true", 4) < 0) { builder_failed(r); {( p)++;  r->cs = 34; goto _out;} } }
	goto st34;
tr94:
#line 202 "parsers/manifest.rl"
	{
		r->in = IN_NONE;
		r->last = L_VALUE;
		r->sbuf[r->slen] = '\0';
		if (mf_scalar(r->b, MF_NUMBER, r->sbuf, r->slen) < 0) { builder_failed(r); {( p)++;  r->cs = 34; goto _out;} }
	}
	goto st34;
tr95:
#line 202 "parsers/manifest.rl"
	{
		r->in = IN_NONE;
		r->last = L_VALUE;
		r->sbuf[r->slen] = '\0';
		if (mf_scalar(r->b, MF_NUMBER, r->sbuf, r->slen) < 0) { builder_failed(r); {( p)++;  r->cs = 34; goto _out;} }
	}
#line 164 "parsers/manifest.rl"
	{ r->line++; r->line_start = r->offset + (size_t)(p - data) + 1; }
	goto st34;
st34:
	if ( ++( p) == ( pe) )
		goto _test_eof34;
case 34:
#line 1111 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto st34;
		case 10u: goto tr82;
		case 13u: goto st34;
		case 32u: goto st34;
		case 44u: goto tr83;
		case 125u: goto tr46;
	}
	goto st0;
tr85:
#line 164 "parsers/manifest.rl"
	{ r->line++; r->line_start = r->offset + (size_t)(p - data) + 1; }
	goto st35;
tr83:
#line 173 "parsers/manifest.rl"
	{ r->last = L_COMMA; }
	goto st35;
tr96:
#line 202 "parsers/manifest.rl"
	{
		r->in = IN_NONE;
		r->last = L_VALUE;
		r->sbuf[r->slen] = '\0';
		if (mf_scalar(r->b, MF_NUMBER, r->sbuf, r->slen) < 0) { builder_failed(r); {( p)++;  r->cs = 35; goto _out;} }
	}
#line 173 "parsers/manifest.rl"
	{ r->last = L_COMMA; }
	goto st35;
st35:
	if ( ++( p) == ( pe) )
		goto _test_eof35;
case 35:
#line 1139 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto st35;
		case 10u: goto tr85;
		case 13u: goto st35;
		case 32u: goto st35;
		case 34u: goto tr45;
	}
	goto st0;
tr46:
#line 227 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 228 "parsers/manifest.rl"
	{
		if (mf_end(r->b) < 0) { builder_failed(r); {( p)++;  r->cs = 117; goto _out;} }
		r->depth--;
		r->last = L_VALUE;
		{ r->cs =  r->stack[-- r->top];{ }goto _again;}
	}
	goto st117;
tr99:
#line 202 "parsers/manifest.rl"
	{
		r->in = IN_NONE;
		r->last = L_VALUE;
		r->sbuf[r->slen] = '\0';
		if (mf_scalar(r->b, MF_NUMBER, r->sbuf, r->slen) < 0) { builder_failed(r); {( p)++;  r->cs = 117; goto _out;} }
	}
#line 227 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 228 "parsers/manifest.rl"
	{
		if (mf_end(r->b) < 0) { builder_failed(r); {( p)++;  r->cs = 117; goto _out;} }
		r->depth--;
		r->last = L_VALUE;
		{ r->cs =  r->stack[-- r->top];{ }goto _again;}
	}
	goto st117;
st117:
	if ( ++( p) == ( pe) )
		goto _test_eof117;
case 117:
#line 1175 "parsers/manifest.c"
	goto st0;
tr73:
#line 169 "parsers/manifest.rl"
	{ r->in = IN_ESCAPE; }
	goto st36;
st36:
	if ( ++( p) == ( pe) )
		goto _test_eof36;
case 36:
#line 1183 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 34u: goto tr86;
		case 47u: goto tr86;
		case 92u: goto tr86;
		case 98u: goto tr86;
		case 102u: goto tr86;
		case 110u: goto tr86;
		case 114u: goto tr86;
		case 116u: goto tr86;
		case 117u: goto st37;
	}
	goto st0;
st37:
	if ( ++( p) == ( pe) )
		goto _test_eof37;
case 37:
	if ( (*( p)) < 65u ) {
		if ( 48u <= (*( p)) && (*( p)) <= 57u )
			goto tr88;
	} else if ( (*( p)) > 70u ) {
		if ( 97u <= (*( p)) && (*( p)) <= 102u )
			goto tr88;
	} else
		goto tr88;
	goto st0;
tr88:
#line 186 "parsers/manifest.rl"
	{ r->u = 0; r->in = IN_UNICODE; }
#line 187 "parsers/manifest.rl"
	{ r->u = r->u * 16 + (uint32_t)hexval((*( p))); }
	goto st38;
st38:
	if ( ++( p) == ( pe) )
		goto _test_eof38;
case 38:
#line 1216 "parsers/manifest.c"
	if ( (*( p)) < 65u ) {
		if ( 48u <= (*( p)) && (*( p)) <= 57u )
			goto tr89;
	} else if ( (*( p)) > 70u ) {
		if ( 97u <= (*( p)) && (*( p)) <= 102u )
			goto tr89;
	} else
		goto tr89;
	goto st0;
tr89:
#line 187 "parsers/manifest.rl"
	{ r->u = r->u * 16 + (uint32_t)hexval((*( p))); }
	goto st39;
st39:
	if ( ++( p) == ( pe) )
		goto _test_eof39;
case 39:
#line 1232 "parsers/manifest.c"
	if ( (*( p)) < 65u ) {
		if ( 48u <= (*( p)) && (*( p)) <= 57u )
			goto tr90;
	} else if ( (*( p)) > 70u ) {
		if ( 97u <= (*( p)) && (*( p)) <= 102u )
			goto tr90;
	} else
		goto tr90;
	goto st0;
tr90:
#line 187 "parsers/manifest.rl"
	{ r->u = r->u * 16 + (uint32_t)hexval((*( p))); }
	goto st40;
st40:
	if ( ++( p) == ( pe) )
		goto _test_eof40;
case 40:
#line 1248 "parsers/manifest.c"
	if ( (*( p)) < 65u ) {
		if ( 48u <= (*( p)) && (*( p)) <= 57u )
			goto tr91;
	} else if ( (*( p)) > 70u ) {
		if ( 97u <= (*( p)) && (*( p)) <= 102u )
			goto tr91;
	} else
		goto tr91;
	goto st0;
tr74:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 41; goto _out;} }
	goto st41;
st41:
	if ( ++( p) == ( pe) )
		goto _test_eof41;
case 41:
#line 1264 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 191u )
		goto tr71;
	goto st0;
tr75:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 42; goto _out;} }
	goto st42;
st42:
	if ( ++( p) == ( pe) )
		goto _test_eof42;
case 42:
#line 1274 "parsers/manifest.c"
	if ( 160u <= (*( p)) && (*( p)) <= 191u )
		goto tr74;
	goto st0;
tr76:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 43; goto _out;} }
	goto st43;
st43:
	if ( ++( p) == ( pe) )
		goto _test_eof43;
case 43:
#line 1284 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 191u )
		goto tr74;
	goto st0;
tr77:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 44; goto _out;} }
	goto st44;
st44:
	if ( ++( p) == ( pe) )
		goto _test_eof44;
case 44:
#line 1294 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 159u )
		goto tr74;
	goto st0;
tr78:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 45; goto _out;} }
	goto st45;
st45:
	if ( ++( p) == ( pe) )
		goto _test_eof45;
case 45:
#line 1304 "parsers/manifest.c"
	if ( 144u <= (*( p)) && (*( p)) <= 191u )
		goto tr76;
	goto st0;
tr79:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 46; goto _out;} }
	goto st46;
st46:
	if ( ++( p) == ( pe) )
		goto _test_eof46;
case 46:
#line 1314 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 191u )
		goto tr76;
	goto st0;
tr80:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 47; goto _out;} }
	goto st47;
st47:
	if ( ++( p) == ( pe) )
		goto _test_eof47;
case 47:
#line 1324 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 143u )
		goto tr76;
	goto st0;
tr63:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 168 "parsers/manifest.rl"
	{ r->slen = 0; r->high = 0; r->in = IN_NUMBER; }
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 48; goto _out;} }
	goto st48;
st48:
	if ( ++( p) == ( pe) )
		goto _test_eof48;
case 48:
#line 1336 "parsers/manifest.c"
	if ( (*( p)) == 48u )
		goto tr92;
	if ( 49u <= (*( p)) && (*( p)) <= 57u )
		goto tr93;
	goto st0;
tr64:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 168 "parsers/manifest.rl"
	{ r->slen = 0; r->high = 0; r->in = IN_NUMBER; }
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 49; goto _out;} }
	goto st49;
tr92:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 49; goto _out;} }
	goto st49;
st49:
	if ( ++( p) == ( pe) )
		goto _test_eof49;
case 49:
#line 1353 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto tr94;
		case 10u: goto tr95;
		case 13u: goto tr94;
		case 32u: goto tr94;
		case 44u: goto tr96;
		case 46u: goto tr97;
		case 69u: goto tr98;
		case 101u: goto tr98;
		case 125u: goto tr99;
	}
	goto st0;
tr97:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 50; goto _out;} }
	goto st50;
st50:
	if ( ++( p) == ( pe) )
		goto _test_eof50;
case 50:
#line 1372 "parsers/manifest.c"
	if ( 48u <= (*( p)) && (*( p)) <= 57u )
		goto tr100;
	goto st0;
tr100:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 51; goto _out;} }
	goto st51;
st51:
	if ( ++( p) == ( pe) )
		goto _test_eof51;
case 51:
#line 1382 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto tr94;
		case 10u: goto tr95;
		case 13u: goto tr94;
		case 32u: goto tr94;
		case 44u: goto tr96;
		case 69u: goto tr98;
		case 101u: goto tr98;
		case 125u: goto tr99;
	}
	if ( 48u <= (*( p)) && (*( p)) <= 57u )
		goto tr100;
	goto st0;
tr98:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 52; goto _out;} }
	goto st52;
st52:
	if ( ++( p) == ( pe) )
		goto _test_eof52;
case 52:
#line 1402 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 43u: goto tr101;
		case 45u: goto tr101;
	}
	if ( 48u <= (*( p)) && (*( p)) <= 57u )
		goto tr102;
	goto st0;
tr101:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 53; goto _out;} }
	goto st53;
st53:
	if ( ++( p) == ( pe) )
		goto _test_eof53;
case 53:
#line 1416 "parsers/manifest.c"
	if ( 48u <= (*( p)) && (*( p)) <= 57u )
		goto tr102;
	goto st0;
tr102:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 54; goto _out;} }
	goto st54;
st54:
	if ( ++( p) == ( pe) )
		goto _test_eof54;
case 54:
#line 1426 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto tr94;
		case 10u: goto tr95;
		case 13u: goto tr94;
		case 32u: goto tr94;
		case 44u: goto tr96;
		case 125u: goto tr99;
	}
	if ( 48u <= (*( p)) && (*( p)) <= 57u )
		goto tr102;
	goto st0;
tr65:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 168 "parsers/manifest.rl"
	{ r->slen = 0; r->high = 0; r->in = IN_NUMBER; }
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 55; goto _out;} }
	goto st55;
tr93:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 55; goto _out;} }
	goto st55;
st55:
	if ( ++( p) == ( pe) )
		goto _test_eof55;
case 55:
#line 1449 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto tr94;
		case 10u: goto tr95;
		case 13u: goto tr94;
		case 32u: goto tr94;
		case 44u: goto tr96;
		case 46u: goto tr97;
		case 69u: goto tr98;
		case 101u: goto tr98;
		case 125u: goto tr99;
	}
	if ( 48u <= (*( p)) && (*( p)) <= 57u )
		goto tr93;
	goto st0;
tr67:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 171 "parsers/manifest.rl"
	{ r->in = IN_LITERAL; }
	goto st56;
st56:
	if ( ++( p) == ( pe) )
		goto _test_eof56;
case 56:
#line 1471 "parsers/manifest.c"
	if ( (*( p)) == 97u )
		goto st57;
	goto st0;
st57:
	if ( ++( p) == ( pe) )
		goto _test_eof57;
case 57:
	if ( (*( p)) == 108u )
		goto st58;
	goto st0;
st58:
	if ( ++( p) == ( pe) )
		goto _test_eof58;
case 58:
	if ( (*( p)) == 115u )
		goto st59;
	goto st0;
st59:
	if ( ++( p) == ( pe) )
		goto _test_eof59;
case 59:
	if ( (*( p)) == 101u )
		goto tr106;
	goto st0;
tr68:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 171 "parsers/manifest.rl"
	{ r->in = IN_LITERAL; }
	goto st60;
st60:
	if ( ++( p) == ( pe) )
		goto _test_eof60;
case 60:
#line 1503 "parsers/manifest.c"
	if ( (*( p)) == 117u )
		goto st61;
	goto st0;
st61:
	if ( ++( p) == ( pe) )
		goto _test_eof61;
case 61:
	if ( (*( p)) == 108u )
		goto st62;
	goto st0;
st62:
	if ( ++( p) == ( pe) )
		goto _test_eof62;
case 62:
	if ( (*( p)) == 108u )
		goto tr109;
	goto st0;
tr69:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 171 "parsers/manifest.rl"
	{ r->in = IN_LITERAL; }
	goto st63;
st63:
	if ( ++( p) == ( pe) )
		goto _test_eof63;
case 63:
#line 1528 "parsers/manifest.c"
	if ( (*( p)) == 114u )
		goto st64;
	goto st0;
st64:
	if ( ++( p) == ( pe) )
		goto _test_eof64;
case 64:
	if ( (*( p)) == 117u )
		goto st65;
	goto st0;
st65:
	if ( ++( p) == ( pe) )
		goto _test_eof65;
case 65:
	if ( (*( p)) == 101u )
		goto tr112;
	goto st0;
tr49:
#line 169 "parsers/manifest.rl"
	{ r->in = IN_ESCAPE; }
	goto st66;
st66:
	if ( ++( p) == ( pe) )
		goto _test_eof66;
case 66:
#line 1552 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 34u: goto tr113;
		case 47u: goto tr113;
		case 92u: goto tr113;
		case 98u: goto tr113;
		case 102u: goto tr113;
		case 110u: goto tr113;
		case 114u: goto tr113;
		case 116u: goto tr113;
		case 117u: goto st67;
	}
	goto st0;
st67:
	if ( ++( p) == ( pe) )
		goto _test_eof67;
case 67:
	if ( (*( p)) < 65u ) {
		if ( 48u <= (*( p)) && (*( p)) <= 57u )
			goto tr115;
	} else if ( (*( p)) > 70u ) {
		if ( 97u <= (*( p)) && (*( p)) <= 102u )
			goto tr115;
	} else
		goto tr115;
	goto st0;
tr115:
#line 186 "parsers/manifest.rl"
	{ r->u = 0; r->in = IN_UNICODE; }
#line 187 "parsers/manifest.rl"
	{ r->u = r->u * 16 + (uint32_t)hexval((*( p))); }
	goto st68;
st68:
	if ( ++( p) == ( pe) )
		goto _test_eof68;
case 68:
#line 1585 "parsers/manifest.c"
	if ( (*( p)) < 65u ) {
		if ( 48u <= (*( p)) && (*( p)) <= 57u )
			goto tr116;
	} else if ( (*( p)) > 70u ) {
		if ( 97u <= (*( p)) && (*( p)) <= 102u )
			goto tr116;
	} else
		goto tr116;
	goto st0;
tr116:
#line 187 "parsers/manifest.rl"
	{ r->u = r->u * 16 + (uint32_t)hexval((*( p))); }
	goto st69;
st69:
	if ( ++( p) == ( pe) )
		goto _test_eof69;
case 69:
#line 1601 "parsers/manifest.c"
	if ( (*( p)) < 65u ) {
		if ( 48u <= (*( p)) && (*( p)) <= 57u )
			goto tr117;
	} else if ( (*( p)) > 70u ) {
		if ( 97u <= (*( p)) && (*( p)) <= 102u )
			goto tr117;
	} else
		goto tr117;
	goto st0;
tr117:
#line 187 "parsers/manifest.rl"
	{ r->u = r->u * 16 + (uint32_t)hexval((*( p))); }
	goto st70;
st70:
	if ( ++( p) == ( pe) )
		goto _test_eof70;
case 70:
#line 1617 "parsers/manifest.c"
	if ( (*( p)) < 65u ) {
		if ( 48u <= (*( p)) && (*( p)) <= 57u )
			goto tr118;
	} else if ( (*( p)) > 70u ) {
		if ( 97u <= (*( p)) && (*( p)) <= 102u )
			goto tr118;
	} else
		goto tr118;
	goto st0;
tr50:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 71; goto _out;} }
	goto st71;
st71:
	if ( ++( p) == ( pe) )
		goto _test_eof71;
case 71:
#line 1633 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 191u )
		goto tr47;
	goto st0;
tr51:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 72; goto _out;} }
	goto st72;
st72:
	if ( ++( p) == ( pe) )
		goto _test_eof72;
case 72:
#line 1643 "parsers/manifest.c"
	if ( 160u <= (*( p)) && (*( p)) <= 191u )
		goto tr50;
	goto st0;
tr52:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 73; goto _out;} }
	goto st73;
st73:
	if ( ++( p) == ( pe) )
		goto _test_eof73;
case 73:
#line 1653 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 191u )
		goto tr50;
	goto st0;
tr53:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 74; goto _out;} }
	goto st74;
st74:
	if ( ++( p) == ( pe) )
		goto _test_eof74;
case 74:
#line 1663 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 159u )
		goto tr50;
	goto st0;
tr54:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 75; goto _out;} }
	goto st75;
st75:
	if ( ++( p) == ( pe) )
		goto _test_eof75;
case 75:
#line 1673 "parsers/manifest.c"
	if ( 144u <= (*( p)) && (*( p)) <= 191u )
		goto tr52;
	goto st0;
tr55:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 76; goto _out;} }
	goto st76;
st76:
	if ( ++( p) == ( pe) )
		goto _test_eof76;
case 76:
#line 1683 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 191u )
		goto tr52;
	goto st0;
tr56:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 77; goto _out;} }
	goto st77;
st77:
	if ( ++( p) == ( pe) )
		goto _test_eof77;
case 77:
#line 1693 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 143u )
		goto tr52;
	goto st0;
tr120:
#line 164 "parsers/manifest.rl"
	{ r->line++; r->line_start = r->offset + (size_t)(p - data) + 1; }
	goto st78;
st78:
	if ( ++( p) == ( pe) )
		goto _test_eof78;
case 78:
#line 1703 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto st78;
		case 10u: goto tr120;
		case 13u: goto st78;
		case 32u: goto st78;
		case 34u: goto tr121;
		case 45u: goto tr122;
		case 48u: goto tr123;
		case 91u: goto tr125;
		case 93u: goto tr126;
		case 102u: goto tr127;
		case 110u: goto tr128;
		case 116u: goto tr129;
		case 123u: goto tr130;
	}
	if ( 49u <= (*( p)) && (*( p)) <= 57u )
		goto tr124;
	goto st0;
tr121:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 167 "parsers/manifest.rl"
	{ r->slen = 0; r->high = 0; r->in = IN_STRING; }
	goto st79;
tr131:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 79; goto _out;} }
	goto st79;
tr167:
#line 175 "parsers/manifest.rl"
	{
		unsigned char c = (*( p));
		switch (c) {
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		}
		if (put_byte(r, c) < 0) {( p)++;  r->cs = 79; goto _out;}
	}
#line 170 "parsers/manifest.rl"
	{ r->in = IN_STRING; }
	goto st79;
tr172:
#line 187 "parsers/manifest.rl"
	{ r->u = r->u * 16 + (uint32_t)hexval((*( p))); }
#line 188 "parsers/manifest.rl"
	{ if (put_unicode(r) < 0) {( p)++;  r->cs = 79; goto _out;} }
#line 170 "parsers/manifest.rl"
	{ r->in = IN_STRING; }
	goto st79;
st79:
	if ( ++( p) == ( pe) )
		goto _test_eof79;
case 79:
#line 1751 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 34u: goto tr132;
		case 92u: goto tr133;
		case 224u: goto tr135;
		case 237u: goto tr137;
		case 240u: goto tr138;
		case 244u: goto tr140;
	}
	if ( (*( p)) < 194u ) {
		if ( 32u <= (*( p)) && (*( p)) <= 127u )
			goto tr131;
	} else if ( (*( p)) > 223u ) {
		if ( (*( p)) > 239u ) {
			if ( 241u <= (*( p)) && (*( p)) <= 243u )
				goto tr139;
		} else if ( (*( p)) >= 225u )
			goto tr136;
	} else
		goto tr134;
	goto st0;
tr142:
#line 164 "parsers/manifest.rl"
	{ r->line++; r->line_start = r->offset + (size_t)(p - data) + 1; }
	goto st80;
tr125:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 220 "parsers/manifest.rl"
	{
		if (mf_begin(r->b, false) < 0) { builder_failed(r); {( p)++;  r->cs = 80; goto _out;} }
		r->depth++;
		r->objmask &= ~(1ull << r->depth);
		r->last = L_OPEN;
		{ { r->stack[ r->top++] = 80;goto st78;}}
	}
	goto st80;
tr130:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 213 "parsers/manifest.rl"
	{
		if (mf_begin(r->b, true) < 0) { builder_failed(r); {( p)++;  r->cs = 80; goto _out;} }
		r->depth++;
		r->objmask |= 1ull << r->depth;
		r->last = L_OPEN;
		{ { r->stack[ r->top++] = 80;goto st29;}}
	}
	goto st80;
tr132:
#line 196 "parsers/manifest.rl"
	{
		r->in = IN_NONE;
		r->last = L_VALUE;
		if (string_end(r) < 0) {( p)++;  r->cs = 80; goto _out;}
		if (mf_scalar(r->b, MF_STRING, r->sbuf, r->slen) < 0) { builder_failed(r); {( p)++;  r->cs = 80; goto _out;} }
	}
	goto st80;
tr160:
#line 208 "parsers/manifest.rl"
	{ r->in = IN_NONE; r->last = L_VALUE; }
#line 210 "parsers/manifest.rl"
	{ if (mf_scalar(r->b, MF_FALSE, "false", 5) < 0) { builder_failed(r); {( p)++;  r->cs = 80; goto _out;} } }
	goto st80;
tr163:
#line 208 "parsers/manifest.rl"
	{ r->in = IN_NONE; r->last = L_VALUE; }
#line 211 "parsers/manifest.rl"
	{ if (mf_scalar(r->b, MF_NULL, "null", 4) < 0) { builder_failed(r); {( p)++;  r->cs = 80; goto _out;} } }
	goto st80;
tr166:
#line 208 "parsers/manifest.rl"
	{ r->in = IN_NONE; r->last = L_VALUE; }
#line 209 "parsers/manifest.rl"
	{ if (mf_scalar(r->b, MF_TRUE, "true", 4) < 0) { builder_failed(r); {( p)++;  r->cs = 80; goto _out;} } }
	goto st80;
tr148:
#line 202 "parsers/manifest.rl"
	{
		r->in = IN_NONE;
		r->last = L_VALUE;
		r->sbuf[r->slen] = '\0';
		if (mf_scalar(r->b, MF_NUMBER, r->sbuf, r->slen) < 0) { builder_failed(r); {( p)++;  r->cs = 80; goto _out;} }
	}
	goto st80;
tr149:
#line 202 "parsers/manifest.rl"
	{
		r->in = IN_NONE;
		r->last = L_VALUE;
		r->sbuf[r->slen] = '\0';
		if (mf_scalar(r->b, MF_NUMBER, r->sbuf, r->slen) < 0) { builder_failed(r); {( p)++;  r->cs = 80; goto _out;} }
	}
#line 164 "parsers/manifest.rl"
	{ r->line++; r->line_start = r->offset + (size_t)(p - data) + 1; }
	goto st80;
st80:
	if ( ++( p) == ( pe) )
		goto _test_eof80;
case 80:
#line 1835 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto st80;
		case 10u: goto tr142;
		case 13u: goto st80;
		case 32u: goto st80;
		case 44u: goto tr143;
		case 93u: goto tr126;
	}
	goto st0;
tr145:
#line 164 "parsers/manifest.rl"
	{ r->line++; r->line_start = r->offset + (size_t)(p - data) + 1; }
	goto st81;
tr143:
#line 173 "parsers/manifest.rl"
	{ r->last = L_COMMA; }
	goto st81;
tr150:
#line 202 "parsers/manifest.rl"
	{
		r->in = IN_NONE;
		r->last = L_VALUE;
		r->sbuf[r->slen] = '\0';
		if (mf_scalar(r->b, MF_NUMBER, r->sbuf, r->slen) < 0) { builder_failed(r); {( p)++;  r->cs = 81; goto _out;} }
	}
#line 173 "parsers/manifest.rl"
	{ r->last = L_COMMA; }
	goto st81;
st81:
	if ( ++( p) == ( pe) )
		goto _test_eof81;
case 81:
#line 1863 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto st81;
		case 10u: goto tr145;
		case 13u: goto st81;
		case 32u: goto st81;
		case 34u: goto tr121;
		case 45u: goto tr122;
		case 48u: goto tr123;
		case 91u: goto tr125;
		case 102u: goto tr127;
		case 110u: goto tr128;
		case 116u: goto tr129;
		case 123u: goto tr130;
	}
	if ( 49u <= (*( p)) && (*( p)) <= 57u )
		goto tr124;
	goto st0;
tr122:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 168 "parsers/manifest.rl"
	{ r->slen = 0; r->high = 0; r->in = IN_NUMBER; }
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 82; goto _out;} }
	goto st82;
st82:
	if ( ++( p) == ( pe) )
		goto _test_eof82;
case 82:
#line 1889 "parsers/manifest.c"
	if ( (*( p)) == 48u )
		goto tr146;
	if ( 49u <= (*( p)) && (*( p)) <= 57u )
		goto tr147;
	goto st0;
tr123:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 168 "parsers/manifest.rl"
	{ r->slen = 0; r->high = 0; r->in = IN_NUMBER; }
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 83; goto _out;} }
	goto st83;
tr146:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 83; goto _out;} }
	goto st83;
st83:
	if ( ++( p) == ( pe) )
		goto _test_eof83;
case 83:
#line 1906 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto tr148;
		case 10u: goto tr149;
		case 13u: goto tr148;
		case 32u: goto tr148;
		case 44u: goto tr150;
		case 46u: goto tr151;
		case 69u: goto tr152;
		case 93u: goto tr153;
		case 101u: goto tr152;
	}
	goto st0;
tr151:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 84; goto _out;} }
	goto st84;
st84:
	if ( ++( p) == ( pe) )
		goto _test_eof84;
case 84:
#line 1925 "parsers/manifest.c"
	if ( 48u <= (*( p)) && (*( p)) <= 57u )
		goto tr154;
	goto st0;
tr154:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 85; goto _out;} }
	goto st85;
st85:
	if ( ++( p) == ( pe) )
		goto _test_eof85;
case 85:
#line 1935 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto tr148;
		case 10u: goto tr149;
		case 13u: goto tr148;
		case 32u: goto tr148;
		case 44u: goto tr150;
		case 69u: goto tr152;
		case 93u: goto tr153;
		case 101u: goto tr152;
	}
	if ( 48u <= (*( p)) && (*( p)) <= 57u )
		goto tr154;
	goto st0;
tr152:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 86; goto _out;} }
	goto st86;
st86:
	if ( ++( p) == ( pe) )
		goto _test_eof86;
case 86:
#line 1955 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 43u: goto tr155;
		case 45u: goto tr155;
	}
	if ( 48u <= (*( p)) && (*( p)) <= 57u )
		goto tr156;
	goto st0;
tr155:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 87; goto _out;} }
	goto st87;
st87:
	if ( ++( p) == ( pe) )
		goto _test_eof87;
case 87:
#line 1969 "parsers/manifest.c"
	if ( 48u <= (*( p)) && (*( p)) <= 57u )
		goto tr156;
	goto st0;
tr156:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 88; goto _out;} }
	goto st88;
st88:
	if ( ++( p) == ( pe) )
		goto _test_eof88;
case 88:
#line 1979 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto tr148;
		case 10u: goto tr149;
		case 13u: goto tr148;
		case 32u: goto tr148;
		case 44u: goto tr150;
		case 93u: goto tr153;
	}
	if ( 48u <= (*( p)) && (*( p)) <= 57u )
		goto tr156;
	goto st0;
tr126:
#line 227 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 228 "parsers/manifest.rl"
	{
		if (mf_end(r->b) < 0) { builder_failed(r); {( p)++;  r->cs = 118; goto _out;} }
		r->depth--;
		r->last = L_VALUE;
		{ r->cs =  r->stack[-- r->top];{ }goto _again;}
	}
	goto st118;
tr153:
#line 202 "parsers/manifest.rl"
	{
		r->in = IN_NONE;
		r->last = L_VALUE;
		r->sbuf[r->slen] = '\0';
		if (mf_scalar(r->b, MF_NUMBER, r->sbuf, r->slen) < 0) { builder_failed(r); {( p)++;  r->cs = 118; goto _out;} }
	}
#line 227 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 228 "parsers/manifest.rl"
	{
		if (mf_end(r->b) < 0) { builder_failed(r); {( p)++;  r->cs = 118; goto _out;} }
		r->depth--;
		r->last = L_VALUE;
		{ r->cs =  r->stack[-- r->top];{ }goto _again;}
	}
	goto st118;
st118:
	if ( ++( p) == ( pe) )
		goto _test_eof118;
case 118:
#line 2018 "parsers/manifest.c"
	goto st0;
tr124:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 168 "parsers/manifest.rl"
	{ r->slen = 0; r->high = 0; r->in = IN_NUMBER; }
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 89; goto _out;} }
	goto st89;
tr147:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 89; goto _out;} }
	goto st89;
st89:
	if ( ++( p) == ( pe) )
		goto _test_eof89;
case 89:
#line 2031 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 9u: goto tr148;
		case 10u: goto tr149;
		case 13u: goto tr148;
		case 32u: goto tr148;
		case 44u: goto tr150;
		case 46u: goto tr151;
		case 69u: goto tr152;
		case 93u: goto tr153;
		case 101u: goto tr152;
	}
	if ( 48u <= (*( p)) && (*( p)) <= 57u )
		goto tr147;
	goto st0;
tr127:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 171 "parsers/manifest.rl"
	{ r->in = IN_LITERAL; }
	goto st90;
st90:
	if ( ++( p) == ( pe) )
		goto _test_eof90;
case 90:
#line 2053 "parsers/manifest.c"
	if ( (*( p)) == 97u )
		goto st91;
	goto st0;
st91:
	if ( ++( p) == ( pe) )
		goto _test_eof91;
case 91:
	if ( (*( p)) == 108u )
		goto st92;
	goto st0;
st92:
	if ( ++( p) == ( pe) )
		goto _test_eof92;
case 92:
	if ( (*( p)) == 115u )
		goto st93;
	goto st0;
st93:
	if ( ++( p) == ( pe) )
		goto _test_eof93;
case 93:
	if ( (*( p)) == 101u )
		goto tr160;
	goto st0;
tr128:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 171 "parsers/manifest.rl"
	{ r->in = IN_LITERAL; }
	goto st94;
st94:
	if ( ++( p) == ( pe) )
		goto _test_eof94;
case 94:
#line 2085 "parsers/manifest.c"
	if ( (*( p)) == 117u )
		goto st95;
	goto st0;
st95:
	if ( ++( p) == ( pe) )
		goto _test_eof95;
case 95:
	if ( (*( p)) == 108u )
		goto st96;
	goto st0;
st96:
	if ( ++( p) == ( pe) )
		goto _test_eof96;
case 96:
	if ( (*( p)) == 108u )
		goto tr163;
	goto st0;
tr129:
#line 165 "parsers/manifest.rl"
	{ r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
#line 171 "parsers/manifest.rl"
	{ r->in = IN_LITERAL; }
	goto st97;
st97:
	if ( ++( p) == ( pe) )
		goto _test_eof97;
case 97:
#line 2110 "parsers/manifest.c"
	if ( (*( p)) == 114u )
		goto st98;
	goto st0;
st98:
	if ( ++( p) == ( pe) )
		goto _test_eof98;
case 98:
	if ( (*( p)) == 117u )
		goto st99;
	goto st0;
st99:
	if ( ++( p) == ( pe) )
		goto _test_eof99;
case 99:
	if ( (*( p)) == 101u )
		goto tr166;
	goto st0;
tr133:
#line 169 "parsers/manifest.rl"
	{ r->in = IN_ESCAPE; }
	goto st100;
st100:
	if ( ++( p) == ( pe) )
		goto _test_eof100;
case 100:
#line 2134 "parsers/manifest.c"
	switch( (*( p)) ) {
		case 34u: goto tr167;
		case 47u: goto tr167;
		case 92u: goto tr167;
		case 98u: goto tr167;
		case 102u: goto tr167;
		case 110u: goto tr167;
		case 114u: goto tr167;
		case 116u: goto tr167;
		case 117u: goto st101;
	}
	goto st0;
st101:
	if ( ++( p) == ( pe) )
		goto _test_eof101;
case 101:
	if ( (*( p)) < 65u ) {
		if ( 48u <= (*( p)) && (*( p)) <= 57u )
			goto tr169;
	} else if ( (*( p)) > 70u ) {
		if ( 97u <= (*( p)) && (*( p)) <= 102u )
			goto tr169;
	} else
		goto tr169;
	goto st0;
tr169:
#line 186 "parsers/manifest.rl"
	{ r->u = 0; r->in = IN_UNICODE; }
#line 187 "parsers/manifest.rl"
	{ r->u = r->u * 16 + (uint32_t)hexval((*( p))); }
	goto st102;
st102:
	if ( ++( p) == ( pe) )
		goto _test_eof102;
case 102:
#line 2167 "parsers/manifest.c"
	if ( (*( p)) < 65u ) {
		if ( 48u <= (*( p)) && (*( p)) <= 57u )
			goto tr170;
	} else if ( (*( p)) > 70u ) {
		if ( 97u <= (*( p)) && (*( p)) <= 102u )
			goto tr170;
	} else
		goto tr170;
	goto st0;
tr170:
#line 187 "parsers/manifest.rl"
	{ r->u = r->u * 16 + (uint32_t)hexval((*( p))); }
	goto st103;
st103:
	if ( ++( p) == ( pe) )
		goto _test_eof103;
case 103:
#line 2183 "parsers/manifest.c"
	if ( (*( p)) < 65u ) {
		if ( 48u <= (*( p)) && (*( p)) <= 57u )
			goto tr171;
	} else if ( (*( p)) > 70u ) {
		if ( 97u <= (*( p)) && (*( p)) <= 102u )
			goto tr171;
	} else
		goto tr171;
	goto st0;
tr171:
#line 187 "parsers/manifest.rl"
	{ r->u = r->u * 16 + (uint32_t)hexval((*( p))); }
	goto st104;
st104:
	if ( ++( p) == ( pe) )
		goto _test_eof104;
case 104:
#line 2199 "parsers/manifest.c"
	if ( (*( p)) < 65u ) {
		if ( 48u <= (*( p)) && (*( p)) <= 57u )
			goto tr172;
	} else if ( (*( p)) > 70u ) {
		if ( 97u <= (*( p)) && (*( p)) <= 102u )
			goto tr172;
	} else
		goto tr172;
	goto st0;
tr134:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 105; goto _out;} }
	goto st105;
st105:
	if ( ++( p) == ( pe) )
		goto _test_eof105;
case 105:
#line 2215 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 191u )
		goto tr131;
	goto st0;
tr135:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 106; goto _out;} }
	goto st106;
st106:
	if ( ++( p) == ( pe) )
		goto _test_eof106;
case 106:
#line 2225 "parsers/manifest.c"
	if ( 160u <= (*( p)) && (*( p)) <= 191u )
		goto tr134;
	goto st0;
tr136:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 107; goto _out;} }
	goto st107;
st107:
	if ( ++( p) == ( pe) )
		goto _test_eof107;
case 107:
#line 2235 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 191u )
		goto tr134;
	goto st0;
tr137:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 108; goto _out;} }
	goto st108;
st108:
	if ( ++( p) == ( pe) )
		goto _test_eof108;
case 108:
#line 2245 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 159u )
		goto tr134;
	goto st0;
tr138:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 109; goto _out;} }
	goto st109;
st109:
	if ( ++( p) == ( pe) )
		goto _test_eof109;
case 109:
#line 2255 "parsers/manifest.c"
	if ( 144u <= (*( p)) && (*( p)) <= 191u )
		goto tr136;
	goto st0;
tr139:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 110; goto _out;} }
	goto st110;
st110:
	if ( ++( p) == ( pe) )
		goto _test_eof110;
case 110:
#line 2265 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 191u )
		goto tr136;
	goto st0;
tr140:
#line 174 "parsers/manifest.rl"
	{ if (put_byte(r, (*( p))) < 0) {( p)++;  r->cs = 111; goto _out;} }
	goto st111;
st111:
	if ( ++( p) == ( pe) )
		goto _test_eof111;
case 111:
#line 2275 "parsers/manifest.c"
	if ( 128u <= (*( p)) && (*( p)) <= 143u )
		goto tr136;
	goto st0;
	}
	_test_eof1:  r->cs = 1; goto _test_eof; 
	_test_eof2:  r->cs = 2; goto _test_eof; 
	_test_eof112:  r->cs = 112; goto _test_eof; 
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
	_test_eof113:  r->cs = 113; goto _test_eof; 
	_test_eof16:  r->cs = 16; goto _test_eof; 
	_test_eof114:  r->cs = 114; goto _test_eof; 
	_test_eof17:  r->cs = 17; goto _test_eof; 
	_test_eof18:  r->cs = 18; goto _test_eof; 
	_test_eof115:  r->cs = 115; goto _test_eof; 
	_test_eof116:  r->cs = 116; goto _test_eof; 
	_test_eof19:  r->cs = 19; goto _test_eof; 
	_test_eof20:  r->cs = 20; goto _test_eof; 
	_test_eof21:  r->cs = 21; goto _test_eof; 
	_test_eof22:  r->cs = 22; goto _test_eof; 
	_test_eof23:  r->cs = 23; goto _test_eof; 
	_test_eof24:  r->cs = 24; goto _test_eof; 
	_test_eof25:  r->cs = 25; goto _test_eof; 
	_test_eof26:  r->cs = 26; goto _test_eof; 
	_test_eof27:  r->cs = 27; goto _test_eof; 
	_test_eof28:  r->cs = 28; goto _test_eof; 
	_test_eof29:  r->cs = 29; goto _test_eof; 
	_test_eof30:  r->cs = 30; goto _test_eof; 
	_test_eof31:  r->cs = 31; goto _test_eof; 
	_test_eof32:  r->cs = 32; goto _test_eof; 
	_test_eof33:  r->cs = 33; goto _test_eof; 
	_test_eof34:  r->cs = 34; goto _test_eof; 
	_test_eof35:  r->cs = 35; goto _test_eof; 
	_test_eof117:  r->cs = 117; goto _test_eof; 
	_test_eof36:  r->cs = 36; goto _test_eof; 
	_test_eof37:  r->cs = 37; goto _test_eof; 
	_test_eof38:  r->cs = 38; goto _test_eof; 
	_test_eof39:  r->cs = 39; goto _test_eof; 
	_test_eof40:  r->cs = 40; goto _test_eof; 
	_test_eof41:  r->cs = 41; goto _test_eof; 
	_test_eof42:  r->cs = 42; goto _test_eof; 
	_test_eof43:  r->cs = 43; goto _test_eof; 
	_test_eof44:  r->cs = 44; goto _test_eof; 
	_test_eof45:  r->cs = 45; goto _test_eof; 
	_test_eof46:  r->cs = 46; goto _test_eof; 
	_test_eof47:  r->cs = 47; goto _test_eof; 
	_test_eof48:  r->cs = 48; goto _test_eof; 
	_test_eof49:  r->cs = 49; goto _test_eof; 
	_test_eof50:  r->cs = 50; goto _test_eof; 
	_test_eof51:  r->cs = 51; goto _test_eof; 
	_test_eof52:  r->cs = 52; goto _test_eof; 
	_test_eof53:  r->cs = 53; goto _test_eof; 
	_test_eof54:  r->cs = 54; goto _test_eof; 
	_test_eof55:  r->cs = 55; goto _test_eof; 
	_test_eof56:  r->cs = 56; goto _test_eof; 
	_test_eof57:  r->cs = 57; goto _test_eof; 
	_test_eof58:  r->cs = 58; goto _test_eof; 
	_test_eof59:  r->cs = 59; goto _test_eof; 
	_test_eof60:  r->cs = 60; goto _test_eof; 
	_test_eof61:  r->cs = 61; goto _test_eof; 
	_test_eof62:  r->cs = 62; goto _test_eof; 
	_test_eof63:  r->cs = 63; goto _test_eof; 
	_test_eof64:  r->cs = 64; goto _test_eof; 
	_test_eof65:  r->cs = 65; goto _test_eof; 
	_test_eof66:  r->cs = 66; goto _test_eof; 
	_test_eof67:  r->cs = 67; goto _test_eof; 
	_test_eof68:  r->cs = 68; goto _test_eof; 
	_test_eof69:  r->cs = 69; goto _test_eof; 
	_test_eof70:  r->cs = 70; goto _test_eof; 
	_test_eof71:  r->cs = 71; goto _test_eof; 
	_test_eof72:  r->cs = 72; goto _test_eof; 
	_test_eof73:  r->cs = 73; goto _test_eof; 
	_test_eof74:  r->cs = 74; goto _test_eof; 
	_test_eof75:  r->cs = 75; goto _test_eof; 
	_test_eof76:  r->cs = 76; goto _test_eof; 
	_test_eof77:  r->cs = 77; goto _test_eof; 
	_test_eof78:  r->cs = 78; goto _test_eof; 
	_test_eof79:  r->cs = 79; goto _test_eof; 
	_test_eof80:  r->cs = 80; goto _test_eof; 
	_test_eof81:  r->cs = 81; goto _test_eof; 
	_test_eof82:  r->cs = 82; goto _test_eof; 
	_test_eof83:  r->cs = 83; goto _test_eof; 
	_test_eof84:  r->cs = 84; goto _test_eof; 
	_test_eof85:  r->cs = 85; goto _test_eof; 
	_test_eof86:  r->cs = 86; goto _test_eof; 
	_test_eof87:  r->cs = 87; goto _test_eof; 
	_test_eof88:  r->cs = 88; goto _test_eof; 
	_test_eof118:  r->cs = 118; goto _test_eof; 
	_test_eof89:  r->cs = 89; goto _test_eof; 
	_test_eof90:  r->cs = 90; goto _test_eof; 
	_test_eof91:  r->cs = 91; goto _test_eof; 
	_test_eof92:  r->cs = 92; goto _test_eof; 
	_test_eof93:  r->cs = 93; goto _test_eof; 
	_test_eof94:  r->cs = 94; goto _test_eof; 
	_test_eof95:  r->cs = 95; goto _test_eof; 
	_test_eof96:  r->cs = 96; goto _test_eof; 
	_test_eof97:  r->cs = 97; goto _test_eof; 
	_test_eof98:  r->cs = 98; goto _test_eof; 
	_test_eof99:  r->cs = 99; goto _test_eof; 
	_test_eof100:  r->cs = 100; goto _test_eof; 
	_test_eof101:  r->cs = 101; goto _test_eof; 
	_test_eof102:  r->cs = 102; goto _test_eof; 
	_test_eof103:  r->cs = 103; goto _test_eof; 
	_test_eof104:  r->cs = 104; goto _test_eof; 
	_test_eof105:  r->cs = 105; goto _test_eof; 
	_test_eof106:  r->cs = 106; goto _test_eof; 
	_test_eof107:  r->cs = 107; goto _test_eof; 
	_test_eof108:  r->cs = 108; goto _test_eof; 
	_test_eof109:  r->cs = 109; goto _test_eof; 
	_test_eof110:  r->cs = 110; goto _test_eof; 
	_test_eof111:  r->cs = 111; goto _test_eof; 

	_test_eof: {}
	if ( ( p) == ( eof) )
	{
	switch (  r->cs ) {
	case 113: 
	case 114: 
	case 115: 
	case 116: 
#line 202 "parsers/manifest.rl"
	{
		r->in = IN_NONE;
		r->last = L_VALUE;
		r->sbuf[r->slen] = '\0';
		if (mf_scalar(r->b, MF_NUMBER, r->sbuf, r->slen) < 0) { builder_failed(r); {( p)++;  r->cs = 0; goto _out;} }
	}
	break;
#line 2413 "parsers/manifest.c"
	}
	}

	_out: {}
	}

#line 344 "parsers/manifest.rl"

	if (r->failed)
		return -1;
	if (r->cs == manifest_error) {
		char what[32], msg[200];
		describe(what, sizeof(what), p, pe);
		snprintf(msg, sizeof(msg), "invalid JSON: unexpected %s, expected %s", what, expected(r));
		fail_at(r, r->offset + (size_t)(p - data), r->line, msg);
		return -1;
	}
	r->offset += len;
	return 0;
}

int manifest_parser_feed(struct manifest_parser *r, const char *data, size_t len)
{
	if (r->failed)
		return -1;
	if (r->offset + len > MANIFEST_MAX_SIZE) {
		char msg[64];
		snprintf(msg, sizeof(msg), "file larger than %d bytes", MANIFEST_MAX_SIZE);
		fail_at(r, r->offset, r->line, msg);
		return -1;
	}
	return run(r, (const unsigned char *)data, len, false);
}

int manifest_parser_finish(struct manifest_parser *r, struct pvx_manifest *out)
{
	if (r->failed)
		return -1;
	if (run(r, (const unsigned char *)"", 0, true) < 0)
		return -1;
	if (r->cs < manifest_first_final || r->top != 0) {
		char msg[200];
		snprintf(msg, sizeof(msg), "invalid JSON: unexpected end of input, expected %s", expected(r));
		fail_at(r, r->offset, r->line, msg);
		return -1;
	}
	if (mf_finish(r->b, out) < 0) {
		r->tok = r->offset;
		r->tok_line = r->line;
		builder_failed(r);
		return -1;
	}
	return 0;
}

int manifest_read_file(const char *path, struct pvx_manifest *out, char *err, size_t errlen)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	int kind = manifest_kind_from_name(base);
	if (kind < 0) {
		snprintf(err, errlen, "%s: not a manifest name (services.json, run.json, args.json)", path);
		return -1;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct manifest_parser *r = manifest_parser_new((enum manifest_kind)kind, path);
	if (!r) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	int rc = 0;
	char buf[16384];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			rc = -1;
			break;
		}
		if (n == 0) {
			rc = manifest_parser_finish(r, out);
			break;
		}
		if (manifest_parser_feed(r, buf, (size_t)n) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc < 0 && r->failed)
		snprintf(err, errlen, "%s", r->err);
	close(fd);
	manifest_parser_free(r);
	return rc;
}
