/* JSON (RFC 8259) as one Ragel machine that hands tokens to a sink: the
 * manifest reader (manifest.c) and the graph reader (graph.c) are sinks.
 *
 * Objects and arrays nest through fcall/fret (depth capped at
 * JSON_MAX_DEPTH); strings are checked as UTF-8 byte by byte, escapes
 * decoded, \uXXXX surrogate pairs joined and lone surrogates refused;
 * numbers follow the RFC grammar.  The actions only collect bytes, remember
 * where a token started and hand complete tokens to the sink, which decides
 * what they mean.  The machine keeps its state between feeds, so input may
 * be cut anywhere.
 *
 * Limits: the input size the caller gives, strings JSON_MAX_STRING bytes
 * (longer ones are an error, or handed on as NULL when the caller asks, so
 * one hostile value can be refused alone), nesting JSON_MAX_DEPTH.  Errors
 * carry file:line:column (columns count bytes from 1). */
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

#include "lib/util.h"
#include "parsers/json.h"

struct json_reader {
	int cs, top;
	int stack[JSON_MAX_DEPTH + 2];
	const struct json_sink *sink;
	void *ctx;
	char *file;        /* NULL: errors say "line L column C" */
	size_t max_size;
	bool long_ok;      /* hand over-long strings on as NULL */
	bool too_long;     /* the current string or number is over the cap */
	size_t offset;     /* bytes fed before the current piece */
	size_t line_start; /* offset of the first byte of the current line */
	unsigned line;
	size_t tok;        /* offset where the current token started */
	unsigned tok_line;
	uint32_t u;        /* \uXXXX being read */
	uint32_t high;     /* pending high surrogate, 0 if none */
	size_t tok_end;    /* offset just past the last token handed on */
	size_t slen;
	char sbuf[JSON_MAX_STRING + 8];
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

static void fail_at(struct json_reader *r, size_t off, unsigned line, const char *msg)
{
	if (r->failed)
		return;
	r->failed = true;
	size_t col = off >= r->line_start ? off - r->line_start + 1 : 1;
	if (r->file)
		snprintf(r->err, sizeof(r->err), "%s:%u:%zu: %s", r->file, line, col, msg);
	else
		snprintf(r->err, sizeof(r->err), "line %u column %zu: %s", line, col, msg);
}

/* A sink refusal, reported at the token that caused it. */
static void sink_failed(struct json_reader *r)
{
	fail_at(r, r->tok, r->tok_line, r->sink->error(r->ctx));
}

static int put_byte(struct json_reader *r, unsigned char c)
{
	if (r->high) {
		fail_at(r, r->tok, r->tok_line, "invalid \\u escape: high surrogate without its low half");
		return -1;
	}
	if (r->slen >= JSON_MAX_STRING) {
		if (r->long_ok) {
			r->too_long = true;
			return 0;
		}
		char msg[64];
		snprintf(msg, sizeof(msg), "string longer than %d bytes", JSON_MAX_STRING);
		fail_at(r, r->tok, r->tok_line, msg);
		return -1;
	}
	r->sbuf[r->slen++] = (char)c;
	return 0;
}

/* The code point of a \uXXXX escape, joined with a pending high half. */
static int put_unicode(struct json_reader *r)
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

/* The token collected, or NULL when it ran over JSON_MAX_STRING. */
static const char *token(const struct json_reader *r)
{
	return r->too_long ? NULL : r->sbuf;
}

static void nesting_too_deep(struct json_reader *r)
{
	char msg[64];
	snprintf(msg, sizeof(msg), "nesting deeper than %d levels", JSON_MAX_DEPTH);
	fail_at(r, r->tok, r->tok_line, msg);
}

static int string_end(struct json_reader *r)
{
	if (r->high) {
		fail_at(r, r->tok, r->tok_line, "invalid \\u escape: high surrogate without its low half");
		return -1;
	}
	r->sbuf[r->slen] = '\0';
	return 0;
}

%%{
	machine json;
	alphtype unsigned char;
	access r->;
	variable p p;
	variable pe pe;
	variable eof eof;

	prepush { }
	postpop { }

	action nl { r->line++; r->line_start = r->offset + (size_t)(p - data) + 1; }
	action tok { r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }

	action str_start { r->slen = 0; r->high = 0; r->too_long = false; r->in = IN_STRING; }
	action num_start { r->slen = 0; r->high = 0; r->too_long = false; r->in = IN_NUMBER; }
	action in_escape { r->in = IN_ESCAPE; }
	action in_string { r->in = IN_STRING; }
	action in_literal { r->in = IN_LITERAL; }
	action colon { r->last = L_COLON; }
	action comma { r->last = L_COMMA; }
	action str_char { if (put_byte(r, fc) < 0) fbreak; }
	action esc_char {
		unsigned char c = fc;
		switch (c) {
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		}
		if (put_byte(r, c) < 0) fbreak;
	}
	action u_start { r->u = 0; r->in = IN_UNICODE; }
	action u_digit { r->u = r->u * 16 + (uint32_t)hexval(fc); }
	action u_done { if (put_unicode(r) < 0) fbreak; }

	action key_done {
		r->in = IN_NONE;
		r->last = L_KEY;
		r->tok_end = r->offset + (size_t)(p - data) + 1;
		if (string_end(r) < 0) fbreak;
		if (r->sink->key(r->ctx, token(r), r->slen) < 0) { sink_failed(r); fbreak; }
	}
	action string_done {
		r->in = IN_NONE;
		r->last = L_VALUE;
		r->tok_end = r->offset + (size_t)(p - data) + 1;
		if (string_end(r) < 0) fbreak;
		if (r->sink->scalar(r->ctx, JR_STRING, token(r), r->slen) < 0) { sink_failed(r); fbreak; }
	}
	action num_done {
		r->in = IN_NONE;
		r->last = L_VALUE;
		r->tok_end = r->offset + (size_t)(p - data);
		r->sbuf[r->slen] = '\0';
		if (r->sink->scalar(r->ctx, JR_NUMBER, token(r), r->slen) < 0) { sink_failed(r); fbreak; }
	}
	action lit_done { r->in = IN_NONE; r->last = L_VALUE; r->tok_end = r->offset + (size_t)(p - data) + 1; }
	action lit_true { if (r->sink->scalar(r->ctx, JR_TRUE, "true", 4) < 0) { sink_failed(r); fbreak; } }
	action lit_false { if (r->sink->scalar(r->ctx, JR_FALSE, "false", 5) < 0) { sink_failed(r); fbreak; } }
	action lit_null { if (r->sink->scalar(r->ctx, JR_NULL, "null", 4) < 0) { sink_failed(r); fbreak; } }

	action obj_begin {
		if (r->depth >= JSON_MAX_DEPTH) { nesting_too_deep(r); fbreak; }
		if (r->sink->begin(r->ctx, true) < 0) { sink_failed(r); fbreak; }
		r->depth++;
		r->objmask |= 1ull << r->depth;
		r->last = L_OPEN;
		fcall object;
	}
	action arr_begin {
		if (r->depth >= JSON_MAX_DEPTH) { nesting_too_deep(r); fbreak; }
		if (r->sink->begin(r->ctx, false) < 0) { sink_failed(r); fbreak; }
		r->depth++;
		r->objmask &= ~(1ull << r->depth);
		r->last = L_OPEN;
		fcall array;
	}
	action end_tok { r->tok = r->offset + (size_t)(p - data); r->tok_line = r->line; }
	action obj_end {
		r->tok_end = r->offset + (size_t)(p - data) + 1;
		if (r->sink->end(r->ctx) < 0) { sink_failed(r); fbreak; }
		r->depth--;
		r->last = L_VALUE;
		fret;
	}

	ws = [ \t\r] | '\n' @nl;

	utf8_tail = 0x80..0xbf;
	utf8 = 0xc2..0xdf utf8_tail
	     | 0xe0 0xa0..0xbf utf8_tail
	     | (0xe1..0xec | 0xee..0xef) utf8_tail utf8_tail
	     | 0xed 0x80..0x9f utf8_tail
	     | 0xf0 0x90..0xbf utf8_tail utf8_tail
	     | 0xf1..0xf3 utf8_tail utf8_tail utf8_tail
	     | 0xf4 0x80..0x8f utf8_tail utf8_tail;
	plain = (0x20..0x7f - ["\\]) | utf8;
	escape = '\\' >in_escape ( ["\\/bfnrt] @esc_char | 'u' (xdigit{4} >u_start $u_digit @u_done) ) @in_string;
	string_body = '"' >str_start ( plain $str_char | escape )* '"';

	number = ( '-'? ('0' | [1-9] digit*) ('.' digit+)? ([eE] [+\-]? digit+)? )
		>num_start $str_char %num_done;

	value = ( string_body @string_done
		| number
		| 'true' >in_literal @lit_done @lit_true
		| 'false' >in_literal @lit_done @lit_false
		| 'null' >in_literal @lit_done @lit_null
		| '{' @obj_begin
		| '[' @arr_begin ) >tok;

	key = string_body >tok @key_done;
	member = key ws* ':' @colon ws* value;

	object := ws* ( '}' >end_tok @obj_end
		| member ws* ( ',' @comma ws* member ws* )* '}' >end_tok @obj_end );
	array := ws* ( ']' >end_tok @obj_end
		| value ws* ( ',' @comma ws* value ws* )* ']' >end_tok @obj_end );

	main := ws* value ws*;
}%%

%% write data;

struct json_reader *json_reader_new(const struct json_sink *sink, void *ctx, const char *file,
				    size_t max_size, bool long_ok)
{
	struct json_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	if (file && !(r->file = strdup(file))) {
		free(r);
		return NULL;
	}
	r->sink = sink;
	r->ctx = ctx;
	r->max_size = max_size;
	r->long_ok = long_ok;
	r->line = 1;
	%% write init;
	return r;
}

void json_reader_free(struct json_reader *r)
{
	if (!r)
		return;
	free(r->file);
	free(r);
}

const char *json_reader_error(const struct json_reader *r)
{
	return r->err;
}

void json_reader_where(const struct json_reader *r, char *buf, size_t len)
{
	size_t col = r->tok >= r->line_start ? r->tok - r->line_start + 1 : 1;
	if (r->file)
		snprintf(buf, len, "%s:%u:%zu", r->file, r->tok_line, col);
	else
		snprintf(buf, len, "line %u column %zu", r->tok_line, col);
}

size_t json_reader_token_start(const struct json_reader *r)
{
	return r->tok;
}

size_t json_reader_token_end(const struct json_reader *r)
{
	return r->tok_end;
}

void json_reader_fail(struct json_reader *r, const char *msg)
{
	fail_at(r, r->tok, r->tok_line, msg);
}

/* What the machine would have taken where it stopped. */
static const char *expected(const struct json_reader *r)
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
static int run(struct json_reader *r, const unsigned char *data, size_t len, bool at_eof)
{
	const unsigned char *p = data, *pe = data + len;
	const unsigned char *eof = at_eof ? pe : NULL;

	%% write exec;

	if (r->failed)
		return -1;
	if (r->cs == json_error) {
		char what[32], msg[200];
		describe(what, sizeof(what), p, pe);
		snprintf(msg, sizeof(msg), "invalid JSON: unexpected %s, expected %s", what, expected(r));
		fail_at(r, r->offset + (size_t)(p - data), r->line, msg);
		return -1;
	}
	r->offset += len;
	return 0;
}

int json_reader_feed(struct json_reader *r, const char *data, size_t len)
{
	if (r->failed)
		return -1;
	if (r->offset + len > r->max_size) {
		char msg[64];
		snprintf(msg, sizeof(msg), "%s larger than %zu bytes", r->file ? "file" : "input",
			 r->max_size);
		fail_at(r, r->offset, r->line, msg);
		return -1;
	}
	return run(r, (const unsigned char *)data, len, false);
}

int json_reader_finish(struct json_reader *r)
{
	if (r->failed)
		return -1;
	if (run(r, (const unsigned char *)"", 0, true) < 0)
		return -1;
	if (r->cs < json_first_final || r->top != 0) {
		char msg[200];
		snprintf(msg, sizeof(msg), "invalid JSON: unexpected end of input, expected %s", expected(r));
		fail_at(r, r->offset, r->line, msg);
		return -1;
	}
	r->tok = r->offset;
	r->tok_line = r->line;
	return 0;
}
