/* The D-Bus authentication dialogue of a dbus link, both of its sides, as
 * a function from bytes to bytes and a decision: no sockets, no fds, no
 * event loop (the relay moves bytes, plugins/dbus.c calls this), unit-tested
 * in t/unit/test-sasl-dialogue.c and fuzzed by t/fuzz/fuzz-sasl.c.
 *
 * Two exchanges run at once on one connection:
 *
 * The proxy and the bus.  The bus believes the kernel (SO_PEERCRED) and the
 * connection to it was made as the uid the link's role maps to, so the
 * proxy authenticates at once, pipelined (sasl_dialogue_start): AUTH
 * EXTERNAL with an empty response, DATA, NEGOTIATE_UNIX_FD, BEGIN.  The
 * bus may answer DATA (asking for the empty response), then must answer OK
 * <guid>, then AGREE_UNIX_FD or ERROR (fd passing refused).  REJECTED means
 * the bus does not take that uid; anything else is refused.
 *
 * The client and the proxy.  The proxy answers the client itself, never
 * the bus: after the client's first NUL byte, AUTH EXTERNAL gets OK with
 * the bus's guid whatever uid the client names (the uid the bus sees is
 * the link's, not the client's; the claim is reported, never believed);
 * AUTH EXTERNAL with no response gets DATA and the next DATA line gets OK;
 * any other mechanism, or AUTH alone, gets REJECTED EXTERNAL; CANCEL and
 * ERROR start over (REJECTED EXTERNAL); NEGOTIATE_UNIX_FD after OK gets
 * AGREE_UNIX_FD only when the bus agreed; an unknown command gets ERROR.
 * The client's lines are answered only once the bus has answered the proxy
 * (its guid goes into the OK, its fd verdict into AGREE_UNIX_FD): until
 * then they are held, and the caller should stop reading the client.
 *
 * Refused (the connection is closed): a line the grammar refuses
 * (parsers/sasl.rl: no NUL first, a line over SASL_MAX_LINE, control
 * bytes, malformed arguments), more than SASL_DIALOGUE_MAX_LINES client
 * lines, BEGIN before OK, more than SASL_DIALOGUE_MAX_HELD bytes held on
 * either side, any unexpected answer of the bus.
 *
 * Done: once the bus has answered and the client has sent BEGIN.  What
 * followed BEGIN in the client's bytes is its first message bytes, for the
 * bus; what followed the bus's last answer (before the client's BEGIN) is
 * message bytes for the client, to be sent before anything else from the
 * bus.  Nothing of the client's authentication ever reaches the bus. */
#ifndef PVX_POLICY_SASL_H
#define PVX_POLICY_SASL_H

#include <stdbool.h>
#include <stddef.h>

#include "parsers/sasl.h"

/* Lines a client may send before BEGIN; stock clients need four. */
#define SASL_DIALOGUE_MAX_LINES 32
/* Bytes held back on one side while the other has not finished. */
#define SASL_DIALOGUE_MAX_HELD (64 * 1024)

enum sasl_verdict {
	SASL_MORE,      /* more bytes are needed from either side */
	SASL_DONE,      /* both sides authenticated: messages from now on */
	SASL_REFUSED,   /* close the connection, step->why says why */
};

/* What one call decided.  The pointers are valid until the next call on
 * the dialogue (or its free) and, for client_msgs, while the caller's
 * input is. */
struct sasl_step {
	enum sasl_verdict verdict;
	const char *to_client;   /* SASL answers to the client, in order: send
				  * them first, whatever the verdict */
	size_t n_to_client;
	const char *to_bus;      /* SASL lines for the bus (the proxy's own) */
	size_t n_to_bus;
	/* SASL_DONE: where the message streams start. */
	const char *client_msgs; /* the client's bytes after its BEGIN: for the bus */
	size_t n_client_msgs;
	const char *bus_msgs;    /* the bus's bytes after its answers: for the
				  * client, before anything else the bus sends */
	size_t n_bus_msgs;
	bool hold_client;        /* the client's lines wait for the bus: stop
				  * reading the client until this turns false */
	long claimed_uid;        /* the uid an AUTH EXTERNAL or DATA line of
				  * this call named, -1 when none */
	const char *why;         /* SASL_REFUSED: the reason */
};

struct sasl_dialogue;

/* A new dialogue for a connection the bus sees as uid; NULL when out of
 * memory. */
struct sasl_dialogue *sasl_dialogue_new(unsigned uid);
/* Frees it; returns NULL. */
struct sasl_dialogue *sasl_dialogue_free(struct sasl_dialogue *d);

/* The proxy's own authentication: step->to_bus, to be sent as soon as the
 * bus is connected. */
void sasl_dialogue_start(struct sasl_dialogue *d, struct sasl_step *step);

/* Bytes read from the client, or from the bus, before SASL_DONE.  Returns
 * step->verdict.  After SASL_DONE or SASL_REFUSED the dialogue takes
 * nothing more (SASL_REFUSED again). */
enum sasl_verdict sasl_dialogue_client(struct sasl_dialogue *d, const char *in, size_t n,
				       struct sasl_step *step);
enum sasl_verdict sasl_dialogue_bus(struct sasl_dialogue *d, const char *in, size_t n,
				    struct sasl_step *step);

/* The bus has answered the proxy (its guid and fd verdict are known). */
bool sasl_dialogue_bus_done(const struct sasl_dialogue *d);

#endif
