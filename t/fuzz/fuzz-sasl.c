/* libFuzzer: the SASL grammar and the dialogue of dbus links.
 *
 * Byte 0: direction and piece size.  The rest:
 * - the grammar (parsers/sasl.h): the same lines must come out whether the
 *   input is whole or cut in pieces;
 * - the dialogue (policy/sasl.h): the input is the client's bytes, up to
 *   a 0xff 0xff pair (a byte no SASL line holds), then the bus's bytes (a
 *   stock bus's answer when there is no pair).  The outcome must not
 *   depend on how the bytes are cut or on when the bus answers; the
 *   answers to the client are only the proxy's own fixed lines (never an
 *   echo of the client); what reaches the bus is only what followed the
 *   client's BEGIN. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "parsers/sasl.h"
#include "policy/sasl.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* Hash of every line read, and where reading stopped. */
static unsigned long run(bool client, const char *in, size_t n, size_t step, size_t *stop)
{
	static struct sasl_parser p;
	sasl_parser_init(&p, client);
	unsigned long h = 5381;
	size_t off = 0;
	while (off < n) {
		size_t k = n - off < step ? n - off : step, used;
		int r = sasl_feed(&p, in + off, k, &used);
		off += used;
		if (r < 0) {
			h = h * 33 + 7;
			break;
		}
		if (r == 1) {
			h = h * 33 + (unsigned)p.line.cmd;
			for (size_t i = 0; i < p.line.arg_len; i++)
				h = h * 33 + (unsigned char)p.line.arg[i];
			for (const char *m = p.line.mech; *m; m++)
				h = h * 33 + (unsigned char)*m;
			if (p.line.cmd == SASL_BEGIN)
				break;
		} else if (used < k) {
			abort(); /* stopped without a reason */
		}
	}
	*stop = off;
	return h;
}

#define GUID "0123456789abcdef0123456789abcdef"
static const char stock_bus[] = "OK " GUID "\r\nAGREE_UNIX_FD\r\n";

/* What the proxy would do with a dialogue's steps. */
struct outcome {
	enum sasl_verdict v;
	struct pvx_buf answers, to_bus, to_client;
	char why[160];
};

static void step(struct sasl_dialogue *d, bool from_client, const char *in, size_t n, struct outcome *o)
{
	if (o->v == SASL_REFUSED)
		return;
	if (o->v == SASL_DONE) {
		pvx_buf_append(from_client ? &o->to_bus : &o->to_client, in, n);
		return;
	}
	struct sasl_step st;
	o->v = from_client ? sasl_dialogue_client(d, in, n, &st) : sasl_dialogue_bus(d, in, n, &st);
	if (o->v != st.verdict || st.n_to_bus || (o->v == SASL_REFUSED && !st.why))
		abort();
	pvx_buf_append(&o->answers, st.to_client, st.n_to_client);
	if (o->v == SASL_DONE) {
		pvx_buf_append(&o->to_bus, st.client_msgs, st.n_client_msgs);
		pvx_buf_append(&o->to_client, st.bus_msgs, st.n_bus_msgs);
	} else if (o->v == SASL_REFUSED) {
		strncpy(o->why, st.why, sizeof(o->why) - 1);
	}
}

/* The client's bytes in pieces of cstep with the bus's (in pieces of
 * bstep) after bus_at of them. */
static void dialogue(const char *c, size_t nc, const char *b, size_t nb, size_t cstep, size_t bstep,
		     size_t bus_at, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->v = SASL_MORE;
	struct sasl_dialogue *d = sasl_dialogue_new(1000);
	if (!d)
		abort();
	struct sasl_step st;
	sasl_dialogue_start(d, &st);
	bus_at = bus_at < nc ? bus_at : nc;
	for (size_t off = 0; off < bus_at; off += cstep)
		step(d, true, c + off, bus_at - off < cstep ? bus_at - off : cstep, o);
	for (size_t off = 0; off < nb; off += bstep)
		step(d, false, b + off, nb - off < bstep ? nb - off : bstep, o);
	for (size_t off = bus_at; off < nc; off += cstep)
		step(d, true, c + off, nc - off < cstep ? nc - off : cstep, o);
	sasl_dialogue_free(d);
}

static void outcome_free(struct outcome *o)
{
	pvx_buf_free(&o->answers);
	pvx_buf_free(&o->to_bus);
	pvx_buf_free(&o->to_client);
}

static bool same_buf(const struct pvx_buf *a, const struct pvx_buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* Every answer is one of the proxy's own lines. */
static void check_answers(const struct pvx_buf *a)
{
	static const char *const lines[] = {
		"DATA\r\n", "REJECTED EXTERNAL\r\n", "AGREE_UNIX_FD\r\n",
		"ERROR \"already authenticated\"\r\n", "ERROR \"unexpected DATA\"\r\n",
		"ERROR \"not authenticated\"\r\n", "ERROR \"the bus does not pass file descriptors\"\r\n",
		"ERROR \"unknown command\"\r\n",
	};
	size_t off = 0;
	while (off < a->len) {
		size_t i, k = 0;
		if (a->len - off >= 37 && !memcmp(a->data + off, "OK ", 3) &&
		    strspn(a->data + off + 3, "0123456789abcdefABCDEF") >= 32 &&
		    !memcmp(a->data + off + 35, "\r\n", 2)) {
			off += 37;
			continue;
		}
		for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
			k = strlen(lines[i]);
			if (a->len - off >= k && memcmp(a->data + off, lines[i], k) == 0)
				break;
		}
		if (i == sizeof(lines) / sizeof(lines[0]))
			abort();
		off += k;
	}
}

static void fuzz_dialogue(const unsigned char *data, size_t size, size_t cut)
{
	const char *c = (const char *)data, *b = stock_bus;
	size_t nc = size, nb = sizeof(stock_bus) - 1;
	for (size_t i = 0; i + 1 < size; i++)
		if (data[i] == 0xff && data[i + 1] == 0xff) {
			nc = i;
			b = (const char *)data + i + 2;
			nb = size - i - 2;
			break;
		}
	/* over the held caps the order does decide (that is the cap) */
	if (nc > SASL_DIALOGUE_MAX_HELD || nb > SASL_DIALOGUE_MAX_HELD)
		return;
	struct outcome whole, cutup, late;
	dialogue(c, nc, b, nb, nc + 1, nb + 1, 0, &whole);
	dialogue(c, nc, b, nb, cut, cut, cut * 3, &cutup);
	dialogue(c, nc, b, nb, nc + 1, nb + 1, nc, &late);
	if (whole.v != cutup.v || whole.v != late.v || strcmp(whole.why, cutup.why) ||
	    strcmp(whole.why, late.why) || !same_buf(&whole.answers, &cutup.answers) ||
	    !same_buf(&whole.answers, &late.answers) || !same_buf(&whole.to_bus, &cutup.to_bus) ||
	    !same_buf(&whole.to_bus, &late.to_bus) || !same_buf(&whole.to_client, &cutup.to_client) ||
	    !same_buf(&whole.to_client, &late.to_client))
		abort();
	check_answers(&whole.answers);
	/* only what followed BEGIN reaches the bus: a tail of the client's bytes */
	if (whole.to_bus.len > nc || memcmp(whole.to_bus.data ? whole.to_bus.data : "",
					    c + nc - whole.to_bus.len, whole.to_bus.len))
		abort();
	if (whole.v == SASL_DONE && (!whole.answers.data || !strstr(whole.answers.data, "OK ")))
		abort();
	outcome_free(&whole);
	outcome_free(&cutup);
	outcome_free(&late);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (size < 1)
		return 0;
	bool client = data[0] & 1;
	size_t step = (data[0] >> 1) ? (data[0] >> 1) : 1;
	size_t s1, s2;
	unsigned long a = run(client, (const char *)data + 1, size - 1, size, &s1);
	unsigned long b = run(client, (const char *)data + 1, size - 1, step, &s2);
	if (a != b || s1 != s2)
		abort();
	fuzz_dialogue(data + 1, size - 1, step);
	return 0;
}
