/* The rest rewrite as a function: consumer bytes and the link's identity
 * in, provider bytes and a verdict out (plugins/rest.c through its
 * relay_filter), no socket.  Every refusal is checked for what it must not
 * do: let any byte of the refused request (or of the refused chunk-size
 * line) through. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "fsm/link.h"
#include "fsm/plugin.h"
#include "plugins/registry.h"
#include "relay/relay.h"
#include "t/tap.h"

static struct pvx_link lk;
static const struct relay_filter *f;

struct run {
	void *st;
	struct pvx_buf out;
	enum relay_verdict v;
};

static void start(struct run *r, const char *consumer, const char *role)
{
	lk.spec.consumer = (char *)consumer;
	lk.spec.role = (char *)role;
	lk.spec.name = "api";
	lk.spec.target = "/t";
	*r = (struct run){ .st = f->open(&lk) };
}

static enum relay_verdict feed(struct run *r, const char *in)
{
	return r->v = f->to_provider(r->st, in, strlen(in), &r->out);
}

static enum relay_verdict answer(struct run *r, const char *in)
{
	return r->v = f->from_provider(r->st, in, strlen(in));
}

static void stop(struct run *r)
{
	f->close(r->st);
	pvx_buf_free(&r->out);
}

static bool out_is(const struct run *r, const char *want)
{
	bool same = r->out.len == strlen(want) && memcmp(r->out.data, want, r->out.len) == 0;
	if (!same)
		tap_diag("got %zu bytes: %.*s", r->out.len, (int)r->out.len, r->out.data ? r->out.data : "");
	return same;
}

#define ID "X-PV-Client: app\r\nX-PV-Role: operator\r\n"

/* Client-sent identity in every spelling WSGI/CGI/PHP would fold into
 * HTTP_X_PV_*: removed. */
static void folded_spoofs(void)
{
	static const char *const spoofs[] = {
		"X_PV_Role: admin", "x_pv_client: evil", "X-PV_Role: admin", "X_PV-Role: admin",
		"X-Pv-Role: admin", "X_PV_ROLE:admin",
	};
	for (size_t i = 0; i < sizeof(spoofs) / sizeof(spoofs[0]); i++) {
		struct run r;
		start(&r, "app", "operator");
		char req[128];
		snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: x\r\n%s\r\n\r\n", spoofs[i]);
		feed(&r, req);
		ok(r.v == RELAY_PASS && out_is(&r, "GET / HTTP/1.1\r\nHost: x\r\n" ID "\r\n"),
		   "'%s' removed, the real pair added", spoofs[i]);
		stop(&r);
	}
	struct run r;
	start(&r, "app", "operator");
	feed(&r, "GET / HTTP/1.1\r\nX-PVRole: a\r\nXPV-Role: b\r\n\r\n");
	ok(out_is(&r, "GET / HTTP/1.1\r\nX-PVRole: a\r\nXPV-Role: b\r\n" ID "\r\n"),
	   "look-alikes that fold to no X-PV- name are kept");
	stop(&r);
	start(&r, "app", "operator");
	feed(&r, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX_PV_Role: t\r\nA: b\r\n\r\n");
	ok(out_is(&r, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n" ID "\r\n0\r\nA: b\r\n\r\n"),
	   "trailer X_PV_Role dropped");
	stop(&r);
}

/* An upgrade token anywhere in any Connection field. */
static void connection_tokens(void)
{
	char pad[300], req[512];
	memset(pad, 'a', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	struct run r;
	start(&r, "app", "operator");
	snprintf(req, sizeof(req), "GET /ws HTTP/1.1\r\nConnection: keep-alive, x-%s, Upgrade\r\nUpgrade: echo\r\n\r\n", pad);
	feed(&r, req);
	ok(r.v == RELAY_HOLD, "upgrade token after 300 bytes of Connection: the consumer is held (verdict %d)", r.v);
	ok(answer(&r, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\n\r\n") == RELAY_TUNNEL,
	   "and the 101 makes a tunnel");
	stop(&r);
	start(&r, "app", "operator");
	feed(&r, "GET /ws HTTP/1.1\r\nConnection: keep-alive\r\nUpgrade: echo\r\nConnection: upgrade\r\n\r\n");
	ok(r.v == RELAY_HOLD, "upgrade in a second Connection field seen");
	stop(&r);
	start(&r, "app", "operator");
	feed(&r, "GET / HTTP/1.1\r\nConnection: upgraded, noupgrade\r\nUpgrade: echo\r\n\r\n");
	ok(r.v == RELAY_PASS, "tokens that only contain 'upgrade' are not it");
	stop(&r);
}

/* Chunk sizes: leading zeros free, more than 15 significant digits and
 * over-long lines refused before the line goes out, the session closed. */
static void chunk_sizes(void)
{
	static const char head[] = "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
	static const char fwd[] = "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n" ID "\r\n";
	char want[512];
	struct run r;

	start(&r, "app", "operator");
	feed(&r, head);
	feed(&r, "ffffffffffffffff\r\n");
	ok(r.v == RELAY_REPLY_CLOSE && out_is(&r, fwd),
	   "16-hex-digit chunk size: 400 and close, the line not forwarded (verdict %d)", r.v);
	size_t n;
	const char *rep = f->reply(r.st, &n);
	ok(n > 12 && memcmp(rep, "HTTP/1.1 400", 12) == 0, "the answer is the proxy's 400");
	stop(&r);

	start(&r, "app", "operator");
	feed(&r, head);
	feed(&r, "5\r\nhello\r\n1000000000000000\r\n");
	snprintf(want, sizeof(want), "%s5\r\nhello", fwd);
	ok(r.v == RELAY_REPLY_CLOSE && out_is(&r, want), "a bad second chunk size: earlier chunks only");
	stop(&r);

	start(&r, "app", "operator");
	feed(&r, head);
	feed(&r, "00000000000000000000005\r\nhello\r\n0\r\n\r\n");
	snprintf(want, sizeof(want), "%s00000000000000000000005\r\nhello\r\n0\r\n\r\n", fwd);
	ok(r.v == RELAY_PASS && out_is(&r, want), "leading zeros do not count");
	stop(&r);

	start(&r, "app", "operator");
	feed(&r, head);
	feed(&r, "fffffffffffffff\r\n");
	ok(r.v == RELAY_PASS, "15 significant digits pass");
	stop(&r);

	start(&r, "app", "operator");
	feed(&r, head);
	feed(&r, "5;");
	char ext[5000];
	memset(ext, 'e', sizeof(ext) - 1);
	ext[sizeof(ext) - 1] = '\0';
	feed(&r, ext);
	ok(r.v == RELAY_REPLY_CLOSE && out_is(&r, fwd), "chunk-size line over 4 KiB refused, not forwarded");
	stop(&r);

	/* Behind a pipelined request: its answer first, then 400 and close. */
	start(&r, "app", "operator");
	feed(&r, "GET /a HTTP/1.1\r\n\r\n");
	feed(&r, head);
	feed(&r, "fffffffffffffffff\r\n");
	snprintf(want, sizeof(want), "GET /a HTTP/1.1\r\n" ID "\r\n%s", fwd);
	ok(r.v == RELAY_HOLD && out_is(&r, want), "bad chunk size behind a pipelined request: held");
	ok(answer(&r, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") == RELAY_REPLY_CLOSE,
	   "the earlier answer, then the 400 and close (the refused request is not awaited)");
	stop(&r);
}

/* A request never leaves without its identity. */
static void identity(void)
{
	char c[4097], ro[4097], want[9000];
	memset(c, 'c', sizeof(c) - 1);
	memset(ro, 'r', sizeof(ro) - 1);
	c[4096] = ro[4096] = '\0';
	struct run r;
	start(&r, c, ro);
	feed(&r, "GET / HTTP/1.1\r\n\r\n");
	ok(r.v == RELAY_REPLY_CLOSE && r.out.len == 0,
	   "4 KiB consumer and role (past the validator): refused, nothing forwarded");
	stop(&r);
	start(&r, "app", "op\r\nX-PV-Role: admin");
	feed(&r, "GET / HTTP/1.1\r\n\r\n");
	ok(r.v == RELAY_REPLY_CLOSE && r.out.len == 0, "role with CR LF (past the validator): refused");
	stop(&r);
	c[64] = ro[64] = '\0';
	start(&r, c, ro);
	feed(&r, "GET / HTTP/1.1\r\n\r\n");
	snprintf(want, sizeof(want), "GET / HTTP/1.1\r\nX-PV-Client: %s\r\nX-PV-Role: %s\r\n\r\n", c, ro);
	ok(r.v == RELAY_PASS && out_is(&r, want), "64-byte consumer and role: both sent whole");
	stop(&r);
}

/* Head-level refusals: no byte of the refused request goes out; a good
 * request before it goes out exactly. */
static void refusals(void)
{
	static const char *const bad[] = {
		"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
		"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
		"GET / HTTP/1.1\r\nX-A: b\r\n X-PV-Role: folded\r\n\r\n",
		"GET / HTTP/1.1\nHost: x\n\n",
		"GET / HTTP/2.0\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct run r;
		start(&r, "app", "operator");
		feed(&r, bad[i]);
		ok(r.v == RELAY_REPLY_CLOSE && r.out.len == 0, "refused request %zu: no byte forwarded", i);
		stop(&r);
		start(&r, "app", "operator");
		feed(&r, "GET /ok HTTP/1.1\r\n\r\n");
		feed(&r, bad[i]);
		ok(r.v == RELAY_HOLD && out_is(&r, "GET /ok HTTP/1.1\r\n" ID "\r\n"),
		   "refused request %zu behind a good one: only the good one forwarded", i);
		stop(&r);
	}
}

int main(void)
{
	f = pvx_plugin_rest.filter;
	folded_spoofs();
	connection_tokens();
	chunk_sizes();
	identity();
	refusals();
	return tap_done();
}
