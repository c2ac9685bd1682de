/* The SASL dialogue of dbus links (policy/sasl.h), every branch, with no
 * socket: the client's bytes and the bus's answers go in, the answers to
 * the client, the verdict and where the message streams start come out.
 * Every case runs with the bus answering first and last, with the client's
 * bytes whole, byte by byte and cut at every byte with the bus's answer
 * arriving at the cut, and with the bus's answer cut at every byte: the
 * outcome must be the same each time. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "policy/sasl.h"
#include "t/tap.h"

#define GUID "0123456789abcdef0123456789abcdef"
#define OK_LINE "OK " GUID "\r\n"
/* What dbus-daemon answers the proxy's pipelined authentication. */
#define BUS_AGREES OK_LINE "AGREE_UNIX_FD\r\n"
#define BUS_NO_FDS OK_LINE "ERROR \"fd passing is off\"\r\n"
#define LINK_UID 1000u

struct bytes {
	const char *p;
	size_t n;
};
#define B(lit) ((struct bytes){ lit, sizeof(lit) - 1 })

/* What a run saw, as the proxy would act on it. */
struct outcome {
	enum sasl_verdict v;
	struct pvx_buf answers;     /* every answer to the client, in order */
	struct pvx_buf to_bus;      /* the client's bytes once done (its messages) */
	struct pvx_buf to_client;   /* the bus's bytes once done */
	char why[160];
	long claimed;               /* the last uid claimed, -1 */
	bool held;                  /* was the client ever held */
	bool hold;                  /* is it held now */
	bool mismatch;              /* the step broke its own contract */
};

static void outcome_free(struct outcome *o)
{
	pvx_buf_free(&o->answers);
	pvx_buf_free(&o->to_bus);
	pvx_buf_free(&o->to_client);
}

/* One call, acted on the way plugins/dbus.c acts: once done, every byte
 * goes straight through. */
static void feed(struct sasl_dialogue *d, bool from_client, const char *in, size_t n, struct outcome *o)
{
	if (o->v == SASL_REFUSED)
		return;
	if (o->v == SASL_DONE) {
		pvx_buf_append(from_client ? &o->to_bus : &o->to_client, in, n);
		return;
	}
	struct sasl_step st;
	enum sasl_verdict v = from_client ? sasl_dialogue_client(d, in, n, &st)
					  : sasl_dialogue_bus(d, in, n, &st);
	if (v != st.verdict || st.n_to_bus)
		o->mismatch = true; /* only start() speaks to the bus */
	o->v = v;
	pvx_buf_append(&o->answers, st.to_client, st.n_to_client);
	if (st.claimed_uid >= 0)
		o->claimed = st.claimed_uid;
	o->hold = st.hold_client;
	o->held |= st.hold_client;
	if (v == SASL_DONE) {
		pvx_buf_append(&o->to_client, st.bus_msgs, st.n_bus_msgs);
		pvx_buf_append(&o->to_bus, st.client_msgs, st.n_client_msgs);
		if (st.hold_client)
			o->mismatch = true;
	} else if (v == SASL_REFUSED) {
		snprintf(o->why, sizeof(o->why), "%s", st.why ? st.why : "(none)");
	} else if (st.n_client_msgs || st.n_bus_msgs) {
		o->mismatch = true;
	}
}

static void feed_pieces(struct sasl_dialogue *d, bool from_client, struct bytes b, size_t from,
			size_t to, size_t step, struct outcome *o)
{
	for (size_t off = from; off < to; off += step)
		feed(d, from_client, b.p + off, to - off < step ? to - off : step, o);
}

/* The client's bytes in pieces of cstep, the bus's answer (in pieces of
 * bstep) arriving after bus_at bytes of the client's, then the bus's
 * late bytes. */
static void run(struct bytes client, struct bytes bus, struct bytes bus_late, size_t cstep,
		size_t bstep, size_t bus_at, struct outcome *o)
{
	*o = (struct outcome){ .v = SASL_MORE, .claimed = -1 };
	struct sasl_dialogue *d = sasl_dialogue_new(LINK_UID);
	struct sasl_step st;
	sasl_dialogue_start(d, &st);
	static const char proxy_auth[] = "\0AUTH EXTERNAL\r\nDATA\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\n";
	if (st.verdict != SASL_MORE || st.n_to_bus != sizeof(proxy_auth) - 1 ||
	    memcmp(st.to_bus, proxy_auth, st.n_to_bus) || st.n_to_client)
		o->mismatch = true;
	if (bus_at > client.n)
		bus_at = client.n;
	feed_pieces(d, true, client, 0, bus_at, cstep, o);
	feed_pieces(d, false, bus, 0, bus.n, bstep, o);
	feed_pieces(d, true, client, bus_at, client.n, cstep, o);
	if (bus_late.n)
		feed(d, false, bus_late.p, bus_late.n, o);
	sasl_dialogue_free(d);
}

struct expect {
	enum sasl_verdict v;
	const char *answers;     /* exactly */
	const char *why;         /* SASL_REFUSED: a part of the reason */
	struct bytes to_bus;     /* done: the client's message bytes */
	struct bytes to_client;  /* done: the bus's message bytes */
	bool has_claim;          /* a uid was claimed ... */
	long claimed;            /* ... this one */
	bool hold;               /* the client is still held at the end */
};

static bool same(const struct pvx_buf *b, struct bytes e)
{
	return b->len == e.n && (e.n == 0 || memcmp(b->data, e.p, e.n) == 0);
}

static bool matches(const struct outcome *o, const struct expect *e)
{
	return !o->mismatch && o->v == e->v && !strcmp(o->answers.data ? o->answers.data : "", e->answers) &&
	       (e->v != SASL_REFUSED || strstr(o->why, e->why)) &&
	       (e->v != SASL_DONE || (same(&o->to_bus, e->to_bus) && same(&o->to_client, e->to_client))) &&
	       o->claimed == (e->has_claim ? e->claimed : -1) && (e->v == SASL_REFUSED || o->hold == e->hold);
}

static void show(const struct outcome *o)
{
	tap_diag("verdict %d answers '%s' why '%s' to_bus %zu to_client %zu claimed %ld hold %d mismatch %d",
		 (int)o->v, o->answers.data ? o->answers.data : "", o->why, o->to_bus.len, o->to_client.len,
		 o->claimed, o->hold, o->mismatch);
}

/* The bus answers at once (whole, then byte by byte), after the client
 * (whole, then byte by byte), and at every cut of the client's bytes;
 * the bus's answer cut at every byte. */
static void check(const char *name, struct bytes client, struct bytes bus, struct bytes late, struct expect e)
{
	struct outcome o;
	static const struct {
		const char *how;
		size_t cstep, bstep, bus_at;
	} modes[] = {
		{ "bus first, whole", 0, 0, 0 },
		{ "bus first, byte by byte", 1, 1, 0 },
		{ "bus last, whole", 0, 0, (size_t)-1 },
		{ "bus last, byte by byte", 1, 1, (size_t)-1 },
	};
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		size_t cs = modes[m].cstep ? modes[m].cstep : client.n + 1;
		size_t bs = modes[m].bstep ? modes[m].bstep : bus.n + 1;
		run(client, bus, late, cs, bs, modes[m].bus_at, &o);
		bool good = matches(&o, &e);
		ok(good, "%s (%s)", name, modes[m].how);
		if (!good)
			show(&o);
		outcome_free(&o);
	}
	if (client.n > 4096)
		return;
	/* every cut of the client's bytes, the bus answering at the cut */
	size_t bad = (size_t)-1;
	for (size_t cut = 0; cut <= client.n && bad == (size_t)-1; cut++) {
		run(client, bus, late, client.n + 1, bus.n + 1, cut, &o);
		if (!matches(&o, &e)) {
			bad = cut;
			show(&o);
		}
		outcome_free(&o);
	}
	ok(bad == (size_t)-1, "%s (client cut at every byte, bus at the cut)%s", name,
	   bad == (size_t)-1 ? "" : " failed at a cut");
	/* every cut of the bus's answer, two pieces */
	bad = (size_t)-1;
	for (size_t cut = 1; cut <= bus.n && bad == (size_t)-1; cut++) {
		run(client, bus, late, client.n + 1, cut, 0, &o);
		if (!matches(&o, &e)) {
			bad = cut;
			show(&o);
		}
		outcome_free(&o);
	}
	ok(bad == (size_t)-1, "%s (bus cut at every byte)", name);
}

#define DONE(ans, ...) ((struct expect){ .v = SASL_DONE, .answers = (ans), __VA_ARGS__ })
#define REFUSED(ans, w, ...) \
	((struct expect){ .v = SASL_REFUSED, .answers = (ans), .why = (w), __VA_ARGS__ })
#define MORE(ans, ...) ((struct expect){ .v = SASL_MORE, .answers = (ans), __VA_ARGS__ })
#define NONE B("")
#define CLAIMS(u) .has_claim = true, .claimed = (u)

/* A D-Bus message start (Hello), as a client pipelines it after BEGIN. */
#define HELLO "l\1\0\1\0\0\0\0\1\0\0\0m\0\0\0"

int main(void)
{
	/* EXTERNAL, with and without an identity */
	check("AUTH EXTERNAL naming the link's uid: OK with the bus's guid",
	      B("\0AUTH EXTERNAL 31303030\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\n"), B(BUS_AGREES), NONE,
	      DONE(OK_LINE "AGREE_UNIX_FD\r\n", CLAIMS(1000)));
	check("AUTH EXTERNAL without identity: DATA, then OK (GDBus, sd-bus)",
	      B("\0AUTH EXTERNAL\r\nDATA\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\n"), B(BUS_AGREES), NONE,
	      DONE("DATA\r\n" OK_LINE "AGREE_UNIX_FD\r\n"));
	check("AUTH EXTERNAL, then DATA naming a uid", B("\0AUTH EXTERNAL\r\nDATA 31303030\r\nBEGIN\r\n"),
	      B(BUS_AGREES), NONE, DONE("DATA\r\n" OK_LINE, CLAIMS(1000)));
	/* claims of another uid are reported, never believed: the same OK */
	check("AUTH EXTERNAL claiming uid 0: the same OK, the claim reported",
	      B("\0AUTH EXTERNAL 30\r\nBEGIN\r\n"), B(BUS_AGREES), NONE, DONE(OK_LINE, CLAIMS(0)));
	check("AUTH EXTERNAL claiming uid 4294967295", B("\0AUTH EXTERNAL 34323934393637323935\r\nBEGIN\r\n"),
	      B(BUS_AGREES), NONE, DONE(OK_LINE, CLAIMS(4294967295L)));
	check("AUTH EXTERNAL naming a uid over 32 bits: OK, no uid claimed",
	      B("\0AUTH EXTERNAL 3432393439363732393936\r\nBEGIN\r\n"), B(BUS_AGREES), NONE, DONE(OK_LINE));
	check("AUTH EXTERNAL naming a user name: OK, no uid claimed", B("\0AUTH EXTERNAL 726f6f74\r\nBEGIN\r\n"),
	      B(BUS_AGREES), NONE, DONE(OK_LINE));
	check("AUTH EXTERNAL with an odd hex response: OK, no uid claimed", B("\0AUTH EXTERNAL 303\r\nBEGIN\r\n"),
	      B(BUS_AGREES), NONE, DONE(OK_LINE));
	check("nothing of the client's authentication reaches the bus",
	      B("\0AUTH EXTERNAL 30\r\nDATA 30\r\nAUTH DBUS_COOKIE_SHA1 30\r\nBEGIN\r\n"), B(BUS_AGREES), NONE,
	      DONE(OK_LINE "ERROR \"unexpected DATA\"\r\nERROR \"already authenticated\"\r\n", CLAIMS(0)));
	/* other mechanisms */
	check("AUTH alone: REJECTED EXTERNAL", B("\0AUTH\r\nAUTH EXTERNAL\r\nDATA\r\nBEGIN\r\n"), B(BUS_AGREES),
	      NONE, DONE("REJECTED EXTERNAL\r\nDATA\r\n" OK_LINE));
	check("AUTH DBUS_COOKIE_SHA1: REJECTED EXTERNAL", B("\0AUTH DBUS_COOKIE_SHA1 726f6f74\r\n"),
	      B(BUS_AGREES), NONE, MORE("REJECTED EXTERNAL\r\n"));
	check("AUTH ANONYMOUS: REJECTED EXTERNAL", B("\0AUTH ANONYMOUS\r\n"), B(BUS_AGREES), NONE,
	      MORE("REJECTED EXTERNAL\r\n"));
	/* DATA */
	check("DATA before AUTH: ERROR", B("\0DATA 30\r\n"), B(BUS_AGREES), NONE,
	      MORE("ERROR \"unexpected DATA\"\r\n"));
	check("AUTH during the DATA stage: ERROR", B("\0AUTH EXTERNAL\r\nAUTH EXTERNAL 30\r\n"), B(BUS_AGREES),
	      NONE, MORE("DATA\r\nERROR \"already authenticated\"\r\n"));
	/* NEGOTIATE_UNIX_FD */
	check("NEGOTIATE_UNIX_FD before OK: ERROR", B("\0NEGOTIATE_UNIX_FD\r\n"), B(BUS_AGREES), NONE,
	      MORE("ERROR \"not authenticated\"\r\n"));
	check("NEGOTIATE_UNIX_FD when the bus refused fds: ERROR",
	      B("\0AUTH EXTERNAL 30\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\n"), B(BUS_NO_FDS), NONE,
	      DONE(OK_LINE "ERROR \"the bus does not pass file descriptors\"\r\n", CLAIMS(0)));
	/* BEGIN early */
	check("BEGIN first: refused", B("\0BEGIN\r\n"), B(BUS_AGREES), NONE,
	      REFUSED("", "BEGIN before authentication"));
	check("BEGIN in the DATA stage: refused", B("\0AUTH EXTERNAL\r\nBEGIN\r\n" HELLO), B(BUS_AGREES), NONE,
	      REFUSED("DATA\r\n", "BEGIN before authentication"));
	check("BEGIN after REJECTED: refused", B("\0AUTH ANONYMOUS\r\nBEGIN\r\n"), B(BUS_AGREES), NONE,
	      REFUSED("REJECTED EXTERNAL\r\n", "BEGIN before authentication"));
	/* CANCEL and ERROR start over */
	check("CANCEL after OK: REJECTED, BEGIN refused",
	      B("\0AUTH EXTERNAL 30\r\nCANCEL\r\nBEGIN\r\n"), B(BUS_AGREES), NONE,
	      REFUSED(OK_LINE "REJECTED EXTERNAL\r\n", "BEGIN before authentication", CLAIMS(0)));
	check("CANCEL in the DATA stage, then EXTERNAL again",
	      B("\0AUTH EXTERNAL\r\nCANCEL\r\nAUTH EXTERNAL 30\r\nBEGIN\r\n"), B(BUS_AGREES), NONE,
	      DONE("DATA\r\nREJECTED EXTERNAL\r\n" OK_LINE, CLAIMS(0)));
	check("ERROR from the client: REJECTED, start over",
	      B("\0ERROR \"no thanks\"\r\nAUTH EXTERNAL\r\nERROR\r\nAUTH EXTERNAL 30\r\nBEGIN\r\n"), B(BUS_AGREES),
	      NONE, DONE("REJECTED EXTERNAL\r\nDATA\r\nREJECTED EXTERNAL\r\n" OK_LINE, CLAIMS(0)));
	/* unknown commands */
	check("unknown command: ERROR, the dialogue goes on",
	      B("\0STARTTLS\r\nOK " GUID "\r\nAUTH EXTERNAL 30\r\nBEGIN\r\n"), B(BUS_AGREES), NONE,
	      DONE("ERROR \"unknown command\"\r\nERROR \"unknown command\"\r\n" OK_LINE, CLAIMS(0)));
	/* hostile bytes the grammar refuses */
	check("NUL byte missing first: refused", B("AUTH EXTERNAL 30\r\n"), B(BUS_AGREES), NONE,
	      REFUSED("", "did not start with a NUL byte"));
	check("a malformed line: refused, earlier answers kept",
	      B("\0AUTH\r\nauth EXTERNAL 30\r\n"), B(BUS_AGREES), NONE,
	      REFUSED("REJECTED EXTERNAL\r\n", "malformed SASL line"));
	check("a control byte: refused", B("\0ERROR a\x01" "b\r\n"), B(BUS_AGREES), NONE,
	      REFUSED("", "malformed SASL line"));
	static char big[SASL_MAX_LINE + 64];
	memcpy(big, "\0AUTH\r\nERROR ", 13);
	memset(big + 13, 'a', sizeof(big) - 15);
	memcpy(big + sizeof(big) - 2, "\r\n", 2);
	check("a line over 16 KiB: refused", (struct bytes){ big, sizeof(big) }, B(BUS_AGREES), NONE,
	      REFUSED("REJECTED EXTERNAL\r\n", "16 KiB"));
	/* too many lines: 32 answered, the 33rd refused */
	static char lines[8 + 33 * 6 + 64];
	struct pvx_buf many = { 0 }, ans32 = { 0 };
	pvx_buf_append(&many, "\0", 1);
	for (int i = 0; i < 33; i++)
		pvx_buf_append(&many, "AUTH\r\n", 6);
	for (int i = 0; i < 32; i++)
		pvx_buf_append(&ans32, "REJECTED EXTERNAL\r\n", 19);
	memcpy(lines, many.data, many.len);
	check("33 lines: 32 answered, then refused", (struct bytes){ lines, many.len }, B(BUS_AGREES), NONE,
	      REFUSED(ans32.data, "too many authentication lines"));
	check("32 lines are all answered",
	      (struct bytes){ lines, many.len - 6 + 0 }, B(BUS_AGREES), NONE, MORE(ans32.data));
	/* pipelining */
	check("BEGIN pipelined with the first message bytes",
	      B("\0AUTH EXTERNAL 30\r\nNEGOTIATE_UNIX_FD\r\nBEGIN\r\n" HELLO "more"), B(BUS_AGREES), NONE,
	      DONE(OK_LINE "AGREE_UNIX_FD\r\n", CLAIMS(0), .to_bus = B(HELLO "more")));
	check("message bytes that look like SASL after BEGIN go to the bus",
	      B("\0AUTH EXTERNAL 30\r\nBEGIN\r\nAUTH EXTERNAL 30\r\nBEGIN\r\n"), B(BUS_AGREES), NONE,
	      DONE(OK_LINE, CLAIMS(0), .to_bus = B("AUTH EXTERNAL 30\r\nBEGIN\r\n")));
	check("the bus's bytes after its answers wait for the client's BEGIN",
	      B("\0AUTH EXTERNAL 30\r\nBEGIN\r\n" HELLO), B(BUS_AGREES "l\2\1"), B("\1more"),
	      DONE(OK_LINE, CLAIMS(0), .to_bus = B(HELLO), .to_client = B("l\2\1\1more")));
	/* the client waits for the bus */
	check("before the bus answers nothing is answered, the client held", B("\0AUTH EXTERNAL 30\r\n"),
	      NONE, NONE, MORE("", .hold = true));
	/* the bus's side of the proxy's own authentication */
	check("the bus asks DATA first, then OK", B("\0AUTH EXTERNAL 30\r\nBEGIN\r\n"),
	      B("DATA\r\n" BUS_AGREES), NONE, DONE(OK_LINE, CLAIMS(0)));
	check("the bus REJECTED the link's uid", B("\0AUTH EXTERNAL 30\r\n"),
	      B("REJECTED EXTERNAL\r\n"), NONE, REFUSED("", "the bus refused uid 1000 (REJECTED)"));
	check("DATA from the bus after OK", B("\0AUTH EXTERNAL 30\r\n"), B(OK_LINE "DATA\r\n"), NONE,
	      REFUSED("", "unexpected DATA from the bus"));
	check("OK twice from the bus", B("\0AUTH EXTERNAL 30\r\n"), B(OK_LINE OK_LINE), NONE,
	      REFUSED("", "unexpected OK from the bus"));
	check("AGREE_UNIX_FD before OK", B("\0AUTH EXTERNAL 30\r\n"), B("AGREE_UNIX_FD\r\n"), NONE,
	      REFUSED("", "unexpected answer from the bus"));
	check("ERROR from the bus before OK", B("\0AUTH EXTERNAL 30\r\n"), B("ERROR\r\n"), NONE,
	      REFUSED("", "unexpected answer from the bus"));
	check("an unknown line from the bus", B("\0AUTH EXTERNAL 30\r\n"), B("HELLO\r\n"), NONE,
	      REFUSED("", "unexpected answer from the bus"));
	check("a malformed line from the bus", B("\0AUTH EXTERNAL 30\r\n"), B("OK 1234\r\n"), NONE,
	      REFUSED("", "malformed SASL line"));

	/* the caps on held bytes, and what the caller is told */
	struct sasl_dialogue *d = sasl_dialogue_new(LINK_UID);
	struct sasl_step st;
	static char junk[SASL_DIALOGUE_MAX_HELD];
	memset(junk, 'A', sizeof(junk));
	junk[0] = '\0';
	is_int(sasl_dialogue_client(d, junk, sizeof(junk), &st), SASL_MORE,
	       "64 KiB from the client before the bus answered are held");
	ok(st.hold_client && !st.n_to_client, "... the client is held, nothing answered");
	is_int(sasl_dialogue_client(d, "X", 1, &st), SASL_REFUSED, "one byte more is refused");
	ok(st.why && strstr(st.why, "too much data before authentication finished"), "... saying so (%s)",
	   st.why ? st.why : "-");
	is_int(sasl_dialogue_bus(d, BUS_AGREES, sizeof(BUS_AGREES) - 1, &st), SASL_REFUSED,
	       "a refused dialogue stays refused");
	d = sasl_dialogue_free(d);
	ok(d == NULL && sasl_dialogue_free(NULL) == NULL, "free returns NULL, freeing NULL is harmless");

	d = sasl_dialogue_new(LINK_UID);
	sasl_dialogue_client(d, "\0AUTH EXTERNAL 30\r\n", 19, &st);
	ok(st.hold_client && !sasl_dialogue_bus_done(d), "the client is held until the bus answers");
	sasl_dialogue_bus(d, OK_LINE, sizeof(OK_LINE) - 1, &st);
	ok(st.hold_client && !sasl_dialogue_bus_done(d), "... OK alone is not the whole answer");
	sasl_dialogue_bus(d, "AGREE_UNIX_FD\r\n", 15, &st);
	ok(!st.hold_client && sasl_dialogue_bus_done(d) && st.n_to_client == sizeof(OK_LINE) - 1 &&
	   !memcmp(st.to_client, OK_LINE, st.n_to_client) && st.claimed_uid == 0,
	   "... then released, its lines answered, the claim of uid 0 reported");
	is_int(sasl_dialogue_bus(d, junk, sizeof(junk), &st), SASL_MORE, "64 KiB of early bus bytes are held");
	is_int(sasl_dialogue_bus(d, "X", 1, &st), SASL_REFUSED, "one byte more is refused");
	ok(st.why && strstr(st.why, "too much data"), "... saying so");
	d = sasl_dialogue_free(d);

	d = sasl_dialogue_new(LINK_UID);
	sasl_dialogue_bus(d, BUS_AGREES, sizeof(BUS_AGREES) - 1, &st);
	is_int(sasl_dialogue_client(d, "\0AUTH EXTERNAL 30\r\nBEGIN\r\n", 26, &st), SASL_DONE, "done");
	is_int(sasl_dialogue_client(d, "\0BEGIN\r\n", 8, &st), SASL_REFUSED, "nothing is SASL after BEGIN");
	ok(st.why && strstr(st.why, "over after BEGIN"), "... saying so");
	is_int(sasl_dialogue_bus(d, "x", 1, &st), SASL_REFUSED, "... on the bus's side either");
	sasl_dialogue_free(d);

	pvx_buf_free(&many);
	pvx_buf_free(&ans32);
	return tap_done();
}
