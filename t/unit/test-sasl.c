/* The SASL line grammar: well-formed exchanges of stock clients and buses,
 * and hostile input (for dbus links the proxy answers the client itself, so
 * nothing the client says may be misread).  Every case is fed whole and
 * byte by byte, with the same outcome. */
#include "config.h"

#include <string.h>

#include "parsers/sasl.h"
#include "t/tap.h"

struct expect {
	int result;              /* of the first complete line: 1 or -1 */
	enum sasl_cmd cmd;
	const char *mech, *arg;  /* NULL: not checked */
	size_t used;             /* bytes taken by that line (0: not checked) */
};

/* Feeds in pieces of step bytes until a line completes or fails. */
static int run(bool client, const char *in, size_t len, size_t step, struct sasl_parser *p,
	       size_t *used_total)
{
	sasl_parser_init(p, client);
	size_t off = 0;
	int r = 0;
	while (off < len && r == 0) {
		size_t n = len - off < step ? len - off : step, used;
		r = sasl_feed(p, in + off, n, &used);
		off += used;
		if (r == 0 && used < n)
			return -2; /* stopped without a reason */
	}
	*used_total = off;
	return r;
}

static void check(const char *name, bool client, const char *in, size_t len, struct expect e)
{
	for (size_t step = len; step >= 1; step = step == len ? 1 : 0) {
		struct sasl_parser p;
		size_t used;
		int r = run(client, in, len, step, &p, &used);
		bool good = r == e.result &&
			    (r != 1 || (p.line.cmd == e.cmd && (!e.mech || !strcmp(p.line.mech, e.mech)) &&
					(!e.arg || !strcmp(p.line.arg, e.arg)) && (!e.used || used == e.used)));
		ok(good, "%s (%s)", name, step == 1 ? "byte by byte" : "whole");
		if (!good)
			tap_diag("result %d cmd %s mech '%s' arg '%.40s' used %zu error %s", r,
				 sasl_cmd_name(p.line.cmd), p.line.mech, p.line.arg, used,
				 p.error ? p.error : "-");
		if (step == 1)
			break;
	}
}

#define C(name, lit, res, ...) \
	check(name, true, lit, sizeof(lit) - 1, (struct expect){ .result = (res), __VA_ARGS__ })
#define S(name, lit, res, ...) \
	check(name, false, lit, sizeof(lit) - 1, (struct expect){ .result = (res), __VA_ARGS__ })

int main(void)
{
	/* what stock clients send */
	C("AUTH EXTERNAL with uid 0", "\0AUTH EXTERNAL 30\r\n", 1, SASL_AUTH, "EXTERNAL", "30");
	C("AUTH EXTERNAL without response (GDBus, sd-bus)", "\0AUTH EXTERNAL\r\n", 1, SASL_AUTH, "EXTERNAL", "");
	C("AUTH alone asks for mechanisms", "\0AUTH\r\n", 1, SASL_AUTH, "", "");
	C("AUTH DBUS_COOKIE_SHA1", "\0AUTH DBUS_COOKIE_SHA1 726f6f74\r\n", 1, SASL_AUTH, "DBUS_COOKIE_SHA1", "726f6f74");
	C("AUTH ANONYMOUS", "\0AUTH ANONYMOUS 6c6962646275732031\r\n", 1, SASL_AUTH, "ANONYMOUS", NULL);
	C("NEGOTIATE_UNIX_FD", "\0NEGOTIATE_UNIX_FD\r\n", 1, SASL_NEGOTIATE_UNIX_FD);
	C("BEGIN stops at its line end, messages left over", "\0BEGIN\r\nl\1\0\1\0\0\0\0", 1, SASL_BEGIN, .used = 8);
	C("DATA with hex", "\0DATA 3130\r\n", 1, SASL_DATA, .arg = "3130");
	C("DATA empty", "\0DATA\r\n", 1, SASL_DATA, .arg = "");
	C("DATA with a space and nothing", "\0DATA \r\n", 1, SASL_DATA, .arg = "");
	C("CANCEL", "\0CANCEL\r\n", 1, SASL_CANCEL);
	C("ERROR with text", "\0ERROR no such thing\r\n", 1, SASL_ERROR, .arg = "no such thing");
	C("unknown command on a good line", "\0STARTTLS\r\n", 1, SASL_UNKNOWN);
	C("a prefix of a command is unknown", "\0AUTHX EXTERNAL\r\n", 1, SASL_UNKNOWN);
	/* servers */
	S("OK guid", "OK 1234567890abcdef1234567890abcdef\r\n", 1, SASL_OK, .arg = "1234567890abcdef1234567890abcdef");
	S("REJECTED list", "REJECTED EXTERNAL DBUS_COOKIE_SHA1 ANONYMOUS\r\n", 1, SASL_REJECTED, .arg = "EXTERNAL DBUS_COOKIE_SHA1 ANONYMOUS");
	S("AGREE_UNIX_FD", "AGREE_UNIX_FD\r\n", 1, SASL_AGREE_UNIX_FD);
	S("DATA challenge", "DATA 6162\r\n", 1, SASL_DATA, .arg = "6162");
	S("ERROR", "ERROR \"Unknown command\"\r\n", 1, SASL_ERROR);
	/* hostile client input */
	C("missing NUL", "AUTH EXTERNAL 30\r\n", -1);
	C("NUL twice", "\0\0AUTH EXTERNAL 30\r\n", -1);
	C("lower-case command", "\0auth EXTERNAL 30\r\n", -1);
	C("bare LF", "\0AUTH EXTERNAL 30\n", -1);
	C("bare CR", "\0AUTH EXTERNAL 30\rX\r\n", -1);
	C("initial response not hex", "\0AUTH EXTERNAL 3g\r\n", -1);
	C("initial response with a space", "\0AUTH EXTERNAL 30 31\r\n", -1);
	C("mechanism in lower case", "\0AUTH external 30\r\n", -1);
	C("two spaces", "\0AUTH  EXTERNAL 30\r\n", -1);
	C("DATA not hex", "\0DATA zz\r\n", -1);
	C("control byte in ERROR", "\0ERROR a\x01" "b\r\n", -1);
	C("byte over 0x7e", "\0ERROR caf\xc3\xa9\r\n", -1);
	C("NUL inside a line", "\0AUTH EXTERNAL 3\0000\r\n", -1);
	C("BEGIN with an argument", "\0BEGIN now\r\n", -1);
	C("CANCEL with an argument", "\0CANCEL x\r\n", -1);
	C("NEGOTIATE_UNIX_FD with an argument", "\0NEGOTIATE_UNIX_FD 1\r\n", -1);
	C("empty line", "\0\r\n", -1);
	C("space first", "\0 AUTH EXTERNAL\r\n", -1);
	/* hostile server input */
	S("OK with a short guid", "OK 1234\r\n", -1);
	S("OK without a guid", "OK\r\n", -1);
	S("OK with a non-hex guid", "OK 1234567890abcdef1234567890abcdeg\r\n", -1);
	C("a server line on the client side", "\0OK 1234567890abcdef1234567890abcdef\r\n", 1, SASL_UNKNOWN);

	/* a line over the cap */
	static char big[SASL_MAX_LINE + 64];
	big[0] = '\0';
	memcpy(big + 1, "ERROR ", 6);
	memset(big + 7, 'a', sizeof(big) - 9);
	memcpy(big + sizeof(big) - 2, "\r\n", 2);
	struct sasl_parser p;
	size_t used;
	is_int(run(true, big, sizeof(big), sizeof(big), &p, &used), -1, "line over 16 KiB refused");
	ok(p.error && strstr(p.error, "16 KiB"), "... saying so (%s)", p.error ? p.error : "-");

	/* a whole exchange, line after line */
	const char conv[] = "\0AUTH\r\nAUTH EXTERNAL 30\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\nMSG";
	sasl_parser_init(&p, true);
	size_t off = 0, n = sizeof(conv) - 1;
	enum sasl_cmd seen[8];
	int k = 0;
	while (k < 8) {
		int r = sasl_feed(&p, conv + off, n - off, &used);
		off += used;
		if (r != 1)
			break;
		seen[k++] = p.line.cmd;
		if (p.line.cmd == SASL_BEGIN)
			break;
	}
	ok(k == 4 && seen[0] == SASL_AUTH && seen[1] == SASL_AUTH && seen[2] == SASL_NEGOTIATE_UNIX_FD &&
	   seen[3] == SASL_BEGIN && off == n - 3,
	   "a client's whole exchange, BEGIN last, the message bytes left (%d lines)", k);
	is_int(sasl_feed(&p, conv + off, n - off, &used), -1, "nothing is SASL after BEGIN");
	return tap_done();
}
