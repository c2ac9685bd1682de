/* D-Bus SASL lines (the D-Bus specification, "Authentication Protocol").
 *
 * The client's side starts with one NUL byte (it carries credentials on
 * some systems), then both sides exchange CRLF-terminated ASCII lines:
 * AUTH, CANCEL, BEGIN, DATA, ERROR and NEGOTIATE_UNIX_FD from the client;
 * REJECTED, OK, DATA, ERROR and AGREE_UNIX_FD from the server.  Hex
 * arguments (initial responses, DATA) must be hex; an OK guid is 32 hex
 * digits.  After BEGIN the line protocol is over: the machine stops right
 * after that line so the binary messages that may follow in the same read
 * are left to the caller.
 *
 * Refused: a client side that does not start with NUL, a line longer than
 * SASL_MAX_LINE, control bytes, a bare CR or LF, malformed arguments of
 * known commands.  An unknown command on a well-formed line is reported as
 * SASL_UNKNOWN (the spec wants an ERROR reply, not a disconnect). */
#include "config.h"

/* Generated code: Ragel's tables and gotos trip these warnings. */
#pragma GCC diagnostic ignored "-Wunused-const-variable"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wunused-label"
#pragma GCC diagnostic ignored "-Wsign-compare"

#include <string.h>

#include "parsers/sasl.h"

%%{
	machine sasl;
	alphtype unsigned char;
	access sp->;

	action start {
		sp->line.cmd = SASL_NONE;
		sp->line.mech[0] = '\0';
		sp->line.arg_len = 0;
		sp->mech_len = 0;
	}
	action mech_char {
		if (sp->mech_len < sizeof(sp->line.mech) - 1) {
			sp->line.mech[sp->mech_len++] = (char)fc;
			sp->line.mech[sp->mech_len] = '\0';
		}
	}
	action arg_char { sp->line.arg[sp->line.arg_len++] = (char)fc; }
	action auth { sp->line.cmd = SASL_AUTH; }
	action cancel { sp->line.cmd = SASL_CANCEL; }
	action begin { sp->line.cmd = SASL_BEGIN; }
	action data { sp->line.cmd = SASL_DATA; }
	action error { sp->line.cmd = SASL_ERROR; }
	action negotiate { sp->line.cmd = SASL_NEGOTIATE_UNIX_FD; }
	action rejected { sp->line.cmd = SASL_REJECTED; }
	action ok { sp->line.cmd = SASL_OK; }
	action agree { sp->line.cmd = SASL_AGREE_UNIX_FD; }
	action unknown { sp->line.cmd = SASL_UNKNOWN; }
	action done { done = true; fbreak; }

	crlf = "\r\n";
	text = (0x20..0x7e);
	hex = xdigit+ $arg_char;
	mechname = [A-Z0-9_\-]+ $mech_char;

	client_line = (
		  "AUTH" @auth ( " " mechname ( " " hex )? )?
		| "CANCEL" @cancel
		| "BEGIN" @begin
		| "DATA" @data ( " " hex? )?
		| "ERROR" @error ( " " text* $arg_char )?
		| "NEGOTIATE_UNIX_FD" @negotiate
		| ( [A-Z_]+ - ( "AUTH" | "CANCEL" | "BEGIN" | "DATA" | "ERROR" | "NEGOTIATE_UNIX_FD" ) )
			@unknown ( " " text* )?
		) >start crlf @done;

	server_line = (
		  "REJECTED" @rejected ( " " ( text* ) $arg_char )?
		| "OK" @ok " " ( xdigit{32} ) $arg_char
		| "DATA" @data ( " " hex? )?
		| "ERROR" @error ( " " text* $arg_char )?
		| "AGREE_UNIX_FD" @agree
		| ( [A-Z_]+ - ( "REJECTED" | "OK" | "DATA" | "ERROR" | "AGREE_UNIX_FD" ) )
			@unknown ( " " text* )?
		) >start crlf @done;

	client := client_line*;
	server := server_line*;
}%%

%% write data;

void sasl_parser_init(struct sasl_parser *sp, bool client)
{
	memset(sp, 0, sizeof(*sp));
	sp->client = client;
	sp->nul_done = !client;
	sp->cs = client ? sasl_en_client : sasl_en_server;
}

int sasl_feed(struct sasl_parser *sp, const char *data, size_t len, size_t *used)
{
	const unsigned char *s = (const unsigned char *)data;
	size_t off = 0;
	*used = 0;
	if (sp->error)
		return -1;
	if (sp->begun) {
		sp->error = "SASL is over after BEGIN";
		return -1;
	}
	if (!sp->nul_done) {
		if (len == 0)
			return 0;
		if (s[0] != '\0') {
			sp->error = "the client did not start with a NUL byte";
			return -1;
		}
		sp->nul_done = true;
		off = 1;
	}
	/* Never read past the line cap: the machine sees at most what is left
	 * of it. */
	size_t room = SASL_MAX_LINE - sp->line_len;
	size_t n = len - off < room ? len - off : room;
	const unsigned char *p = s + off, *pe = p + n, *eof = NULL;
	const unsigned char *start = p;
	bool done = false;
	(void)eof;

	%% write exec;

	size_t taken = (size_t)(p - start);
	*used = off + taken;
	if (sp->cs == sasl_error) {
		sp->error = "malformed SASL line";
		return -1;
	}
	if (done) {
		sp->line_len = 0;
		sp->line.arg[sp->line.arg_len] = '\0';
		if (sp->line.cmd == SASL_BEGIN)
			sp->begun = true;
		return 1;
	}
	sp->line_len += taken;
	if (sp->line_len >= SASL_MAX_LINE) {
		sp->error = "SASL line longer than 16 KiB";
		return -1;
	}
	return 0;
}

const char *sasl_cmd_name(enum sasl_cmd cmd)
{
	static const char *const names[] = {
		[SASL_NONE] = "none", [SASL_AUTH] = "AUTH", [SASL_CANCEL] = "CANCEL",
		[SASL_BEGIN] = "BEGIN", [SASL_DATA] = "DATA", [SASL_ERROR] = "ERROR",
		[SASL_NEGOTIATE_UNIX_FD] = "NEGOTIATE_UNIX_FD", [SASL_REJECTED] = "REJECTED",
		[SASL_OK] = "OK", [SASL_AGREE_UNIX_FD] = "AGREE_UNIX_FD", [SASL_UNKNOWN] = "unknown",
	};
	return (unsigned)cmd < sizeof(names) / sizeof(names[0]) ? names[cmd] : "?";
}
