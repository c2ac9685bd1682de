/* The D-Bus authentication dialogue of a dbus link (policy/sasl.h says
 * what it answers and what it refuses).  Lines come from the Ragel grammar
 * of parsers/sasl.rl; this file only decides. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "policy/sasl.h"

/* Where each side stands: the client waits for AUTH, for its DATA, for
 * BEGIN after our OK; the bus owes OK, then its answer on fd passing. */
enum sasl_client_stage { SASL_C_AUTH, SASL_C_DATA, SASL_C_OK_SENT, SASL_C_DONE };
enum sasl_bus_stage { SASL_B_AUTH, SASL_B_FD_ANSWER, SASL_B_DONE };

struct sasl_dialogue {
	unsigned uid;            /* the uid the bus sees (the link's) */
	enum sasl_client_stage cstage;
	enum sasl_bus_stage bstage;
	struct sasl_parser *client, *bus; /* freed once each side is done */
	unsigned lines;          /* client lines so far */
	bool bus_fds;            /* the bus agreed to fd passing */
	bool refused;
	char guid[40];
	struct pvx_buf held;     /* client bytes waiting for the bus */
	struct pvx_buf early;    /* bus bytes after its answers, before the
				  * client's BEGIN */
	struct pvx_buf answer;   /* this call's answers to the client */
	char why[120];
};

/* The proxy's whole authentication, pipelined: the bus takes the uid of
 * the socket, so the EXTERNAL response is empty. */
static const char proxy_auth[] = "\0AUTH EXTERNAL\r\nDATA\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\n";

struct sasl_dialogue *sasl_dialogue_new(unsigned uid)
{
	struct sasl_dialogue *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->client = malloc(sizeof(*d->client));
	d->bus = malloc(sizeof(*d->bus));
	if (!d->client || !d->bus)
		return sasl_dialogue_free(d);
	sasl_parser_init(d->client, true);
	sasl_parser_init(d->bus, false);
	d->uid = uid;
	return d;
}

struct sasl_dialogue *sasl_dialogue_free(struct sasl_dialogue *d)
{
	if (!d)
		return NULL;
	free(d->client);
	free(d->bus);
	pvx_buf_free(&d->held);
	pvx_buf_free(&d->early);
	pvx_buf_free(&d->answer);
	free(d);
	return NULL;
}

bool sasl_dialogue_bus_done(const struct sasl_dialogue *d)
{
	return d->bstage == SASL_B_DONE;
}

/* A fresh step; the answers of the last call are dropped, and so are the
 * held client bytes once the bus has answered (the last call read them). */
static void step_begin(struct sasl_dialogue *d, struct sasl_step *st)
{
	*st = (struct sasl_step){ .verdict = SASL_MORE, .claimed_uid = -1 };
	pvx_buf_reset(&d->answer);
	if (d->bstage == SASL_B_DONE)
		pvx_buf_free(&d->held);
}

/* Hands the answers over, whatever the verdict. */
static enum sasl_verdict step_end(struct sasl_dialogue *d, struct sasl_step *st)
{
	st->to_client = d->answer.data;
	st->n_to_client = d->answer.len;
	st->hold_client = d->bstage != SASL_B_DONE && d->held.len > 0;
	return st->verdict;
}

__attribute__((format(printf, 3, 4)))
static bool refuse(struct sasl_dialogue *d, struct sasl_step *st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
	d->refused = true;
	st->verdict = SASL_REFUSED;
	st->why = d->why;
	return false;
}

static bool answer(struct sasl_dialogue *d, struct sasl_step *st, const char *line)
{
	return pvx_buf_append(&d->answer, line, strlen(line)) == 0 || refuse(d, st, "out of memory");
}

/* Bytes one side sends while the other is not done, capped. */
static bool hold(struct sasl_dialogue *d, struct sasl_step *st, struct pvx_buf *b, const char *in,
		 size_t n)
{
	if (b->len + n > SASL_DIALOGUE_MAX_HELD)
		return refuse(d, st, "too much data before authentication finished");
	return pvx_buf_append(b, in, n) == 0 || refuse(d, st, "out of memory");
}

/* The uid an EXTERNAL identity names: hex of the decimal uid in ASCII
 * ("30" is uid 0); -1 when it is not one. */
static long claimed_uid(const struct sasl_line *ln)
{
	if (ln->arg_len == 0 || ln->arg_len % 2 || ln->arg_len > 20)
		return -1;
	unsigned long uid = 0;
	for (size_t i = 0; i < ln->arg_len; i += 2) {
		char pair[3] = { ln->arg[i], ln->arg[i + 1], '\0' };
		unsigned long c = strtoul(pair, NULL, 16);
		if (c < '0' || c > '9')
			return -1;
		uid = uid * 10 + (c - '0');
	}
	return uid <= 0xffffffffUL ? (long)uid : -1;
}

/* One line of the client's exchange, answered by the proxy. */
static bool client_line(struct sasl_dialogue *d, struct sasl_step *st, const struct sasl_line *ln)
{
	if (++d->lines > SASL_DIALOGUE_MAX_LINES)
		return refuse(d, st, "too many authentication lines");
	switch (ln->cmd) {
	case SASL_AUTH:
		if (d->cstage != SASL_C_AUTH)
			return answer(d, st, "ERROR \"already authenticated\"\r\n");
		if (strcmp(ln->mech, "EXTERNAL") != 0)
			return answer(d, st, "REJECTED EXTERNAL\r\n");
		if (ln->arg_len == 0) {
			d->cstage = SASL_C_DATA;
			return answer(d, st, "DATA\r\n");
		}
		break; /* whatever identity it names: the link decides */
	case SASL_DATA:
		if (d->cstage != SASL_C_DATA)
			return answer(d, st, "ERROR \"unexpected DATA\"\r\n");
		break;
	case SASL_CANCEL:
	case SASL_ERROR:
		d->cstage = SASL_C_AUTH;
		return answer(d, st, "REJECTED EXTERNAL\r\n");
	case SASL_NEGOTIATE_UNIX_FD:
		if (d->cstage != SASL_C_OK_SENT)
			return answer(d, st, "ERROR \"not authenticated\"\r\n");
		return answer(d, st, d->bus_fds ? "AGREE_UNIX_FD\r\n"
						 : "ERROR \"the bus does not pass file descriptors\"\r\n");
	case SASL_BEGIN:
		if (d->cstage != SASL_C_OK_SENT)
			return refuse(d, st, "BEGIN before authentication");
		d->cstage = SASL_C_DONE;
		return true;
	default:
		return answer(d, st, "ERROR \"unknown command\"\r\n");
	}
	/* EXTERNAL accepted, with the bus's guid. */
	st->claimed_uid = claimed_uid(ln);
	char line[64];
	snprintf(line, sizeof(line), "OK %s\r\n", d->guid);
	d->cstage = SASL_C_OK_SENT;
	return answer(d, st, line);
}

/* Reads the client's lines (the bus has answered); at BEGIN the dialogue
 * is done and the rest of in is message bytes. */
static void client_read(struct sasl_dialogue *d, struct sasl_step *st, const char *in, size_t n)
{
	while (d->cstage != SASL_C_DONE) {
		size_t used;
		int r = sasl_feed(d->client, in, n, &used);
		in += used;
		n -= used;
		if (r < 0) {
			refuse(d, st, "%s", d->client->error);
			return;
		}
		if (r == 0 || !client_line(d, st, &d->client->line))
			return;
	}
	free(d->client);
	d->client = NULL;
	st->verdict = SASL_DONE;
	st->client_msgs = in;
	st->n_client_msgs = n;
	st->bus_msgs = d->early.data;
	st->n_bus_msgs = d->early.len;
}

/* One line of the bus's answers to the proxy's own authentication. */
static bool bus_line(struct sasl_dialogue *d, struct sasl_step *st, const struct sasl_line *ln)
{
	switch (ln->cmd) {
	case SASL_DATA:
		return d->bstage == SASL_B_AUTH || refuse(d, st, "unexpected DATA from the bus");
	case SASL_OK:
		if (d->bstage != SASL_B_AUTH || ln->arg_len >= sizeof(d->guid))
			return refuse(d, st, "unexpected OK from the bus");
		memcpy(d->guid, ln->arg, ln->arg_len + 1);
		d->bstage = SASL_B_FD_ANSWER;
		return true;
	case SASL_AGREE_UNIX_FD:
	case SASL_ERROR:
		if (d->bstage != SASL_B_FD_ANSWER)
			break;
		d->bus_fds = ln->cmd == SASL_AGREE_UNIX_FD;
		d->bstage = SASL_B_DONE;
		return true;
	case SASL_REJECTED:
		return refuse(d, st, "the bus refused uid %u (REJECTED)", d->uid);
	default:
		break;
	}
	return refuse(d, st, "unexpected answer from the bus during authentication");
}

void sasl_dialogue_start(struct sasl_dialogue *d, struct sasl_step *st)
{
	step_begin(d, st);
	st->to_bus = proxy_auth;
	st->n_to_bus = sizeof(proxy_auth) - 1;
	step_end(d, st);
}

/* A call after the end is the caller's mistake: refuse it. */
static bool over(struct sasl_dialogue *d, struct sasl_step *st)
{
	if (d->refused || d->cstage == SASL_C_DONE) {
		st->verdict = SASL_REFUSED;
		st->why = d->refused ? d->why : "SASL is over after BEGIN";
		return true;
	}
	return false;
}

enum sasl_verdict sasl_dialogue_client(struct sasl_dialogue *d, const char *in, size_t n,
				       struct sasl_step *st)
{
	step_begin(d, st);
	if (over(d, st))
		return step_end(d, st);
	if (d->bstage != SASL_B_DONE)
		hold(d, st, &d->held, in, n);
	else
		client_read(d, st, in, n);
	return step_end(d, st);
}

enum sasl_verdict sasl_dialogue_bus(struct sasl_dialogue *d, const char *in, size_t n,
				    struct sasl_step *st)
{
	step_begin(d, st);
	if (over(d, st))
		return step_end(d, st);
	if (d->bstage == SASL_B_DONE) {
		/* the client has not begun yet */
		hold(d, st, &d->early, in, n);
		return step_end(d, st);
	}
	while (d->bstage != SASL_B_DONE) {
		size_t used;
		int r = sasl_feed(d->bus, in, n, &used);
		in += used;
		n -= used;
		if (r < 0) {
			refuse(d, st, "%s", d->bus->error);
			return step_end(d, st);
		}
		if (r == 0 || !bus_line(d, st, &d->bus->line))
			return step_end(d, st);
	}
	free(d->bus);
	d->bus = NULL;
	if (n && !hold(d, st, &d->early, in, n))
		return step_end(d, st);
	/* Now the client's waiting lines can be answered; held stays until
	 * the next call, client_msgs may point into it. */
	client_read(d, st, d->held.data ? d->held.data : "", d->held.len);
	return step_end(d, st);
}
