/* The D-Bus authentication (SASL) line protocol, both directions, read
 * incrementally by a Ragel machine (sasl.rl).  For dbus links: the proxy
 * reads what the client says and answers it itself, and reads the bus's
 * answers to its own exchange. */
#ifndef PVX_SASL_H
#define PVX_SASL_H

#include <stdbool.h>
#include <stddef.h>

#define SASL_MAX_LINE (16 * 1024)

enum sasl_cmd {
	SASL_NONE,
	/* client to server */
	SASL_AUTH,              /* AUTH [mechanism [initial-response]] */
	SASL_CANCEL,
	SASL_BEGIN,             /* the binary message stream starts right after */
	SASL_DATA,              /* DATA [hex] (both directions) */
	SASL_ERROR,             /* ERROR [text] (both directions) */
	SASL_NEGOTIATE_UNIX_FD,
	/* server to client */
	SASL_REJECTED,          /* REJECTED mechanisms... */
	SASL_OK,                /* OK guid */
	SASL_AGREE_UNIX_FD,
	/* a well-formed line with a command this direction does not know */
	SASL_UNKNOWN,
};

struct sasl_line {
	enum sasl_cmd cmd;
	char mech[64];          /* AUTH: the mechanism, "" when none */
	char arg[SASL_MAX_LINE]; /* AUTH initial response, DATA, ERROR text,
				  * OK guid, REJECTED list: as sent */
	size_t arg_len;
};

struct sasl_parser {
	int cs;
	bool client;    /* reading the client's side (starts with one NUL byte) */
	bool nul_done;
	bool begun;     /* BEGIN was read: nothing more is SASL */
	size_t line_len;
	size_t mech_len;
	const char *error;
	struct sasl_line line;
};

void sasl_parser_init(struct sasl_parser *p, bool client);

/* Reads from data until one line is complete.  Returns 1 with p->line set,
 * 0 when more bytes are needed, -1 with p->error (a missing NUL, a line over
 * SASL_MAX_LINE, bad hex, a malformed command).  *used says how many bytes
 * were taken; after BEGIN the rest belongs to the message stream. */
int sasl_feed(struct sasl_parser *p, const char *data, size_t len, size_t *used);

const char *sasl_cmd_name(enum sasl_cmd cmd);

#endif
