/* The control socket's request heads: read with the shared HTTP request
 * grammar (parsers/http_request.rl) under the control socket's caps (head
 * 8 KiB, method 15 bytes, target 255 bytes).  Every case is fed whole and
 * one byte at a time, with the same outcome, the way recv() may cut it. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "daemon/control.h"
#include "t/tap.h"

/* Feeds len bytes of in (at most CONTROL_MAX_HEAD, as the socket reads),
 * step bytes at a time, until an answer. */
static int feed(struct control_head *h, const char *in, size_t len, size_t step)
{
	control_head_init(h);
	size_t have = 0;
	int r = 0;
	if (len > CONTROL_MAX_HEAD)
		len = CONTROL_MAX_HEAD;
	while (r == 0 && have < len) {
		have = have + step < len ? have + step : len;
		r = control_head_read(h, in, have);
	}
	return r;
}

static void check(const char *name, const char *in, size_t len, int want, const char *method,
		  const char *path)
{
	struct control_head whole, bytes;
	int r = feed(&whole, in, len, len ? len : 1), rb = feed(&bytes, in, len, 1);
	is_int(r, want, "%s", name);
	is_int(rb, want, "%s (one byte at a time)", name);
	if (want == 1 && r == 1 && rb == 1) {
		ok(strcmp(whole.method, method) == 0 && strcmp(bytes.method, method) == 0,
		   "%s: method %s", name, method);
		ok(strcmp(whole.path, path) == 0 && strcmp(bytes.path, path) == 0, "%s: path %.40s",
		   name, path);
	}
}

#define CASE(name, in, want, m, p) check(name, in, sizeof(in) - 1, want, m, p)

int main(void)
{
	CASE("GET HTTP/1.0", "GET /links HTTP/1.0\r\n\r\n", 1, "GET", "/links");
	CASE("POST HTTP/1.1 with fields (pvxctl's head)",
	     "POST /reconcile HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n", 1, "POST",
	     "/reconcile");
	CASE("the query stays in the path", "GET /metrics?x=1 HTTP/1.0\r\n\r\n", 1, "GET",
	     "/metrics?x=1");
	CASE("a method the socket does not serve is still a request",
	     "DELETE /links HTTP/1.0\r\n\r\n", 1, "DELETE", "/links");
	CASE("head not complete yet", "GET /links HTTP/1.0\r\nHost: x\r\n", 0, "", "");

	CASE("garbage", "hello\r\n\r\n", -EBADMSG, "", "");
	CASE("bare LF line ends", "GET /links HTTP/1.0\n\n", -EBADMSG, "", "");
	CASE("bare LF after a field", "GET /links HTTP/1.0\r\nHost: x\n\r\n", -EBADMSG, "", "");
	CASE("HTTP/2.0", "GET /links HTTP/2.0\r\n\r\n", -EBADMSG, "", "");
	CASE("HTTP/1.2", "GET /links HTTP/1.2\r\n\r\n", -EBADMSG, "", "");
	CASE("no version", "GET /links\r\n\r\n", -EBADMSG, "", "");
	CASE("two spaces after the method", "GET  /links HTTP/1.0\r\n\r\n", -EBADMSG, "", "");
	CASE("a tab in the target", "GET /li\tnks HTTP/1.0\r\n\r\n", -EBADMSG, "", "");
	CASE("obs-fold", "GET /links HTTP/1.0\r\nA: b\r\n c\r\n\r\n", -EBADMSG, "", "");
	CASE("a control byte in a field", "GET /links HTTP/1.0\r\nA: b\x01\r\n\r\n", -EBADMSG, "",
	     "");
	CASE("a field without a colon", "GET /links HTTP/1.0\r\nnonsense\r\n\r\n", -EBADMSG, "",
	     "");
	CASE("asterisk-form target", "OPTIONS * HTTP/1.1\r\n\r\n", -EBADMSG, "", "");
	CASE("absolute-form target", "GET http://x/links HTTP/1.1\r\n\r\n", -EBADMSG, "", "");

	/* Bytes after the head (a body) are not read. */
	{
		static const char in[] = "POST /reconcile HTTP/1.0\r\nContent-Length: 4\r\n\r\nab\ncd";
		struct control_head h;
		is_int(feed(&h, in, sizeof(in) - 1, sizeof(in) - 1), 1, "a head followed by a body");
		is_int(h.walked, strlen("POST /reconcile HTTP/1.0\r\nContent-Length: 4\r\n\r\n"),
		       "... the body was not read");
	}

	/* The caps: method, target, head. */
	char buf[CONTROL_MAX_HEAD + 64], want[CONTROL_MAX_PATH + 2];
	want[0] = '/';
	memset(want + 1, 'p', CONTROL_MAX_PATH);
	want[CONTROL_MAX_PATH] = '\0';
	snprintf(buf, sizeof(buf), "GET %s HTTP/1.0\r\n\r\n", want);
	check("a target of 255 bytes", buf, strlen(buf), 1, "GET", want);
	want[CONTROL_MAX_PATH] = 'p';
	want[CONTROL_MAX_PATH + 1] = '\0';
	snprintf(buf, sizeof(buf), "GET %s HTTP/1.0\r\n\r\n", want);
	check("a target of 256 bytes: refused", buf, strlen(buf), -EBADMSG, "", "");

	CASE("a method of 15 bytes", "ABCDEFGHIJKLMNO /links HTTP/1.0\r\n\r\n", 1, "ABCDEFGHIJKLMNO",
	     "/links");
	CASE("a method of 16 bytes: refused", "ABCDEFGHIJKLMNOP /links HTTP/1.0\r\n\r\n", -EBADMSG,
	     "", "");

	/* A head of exactly CONTROL_MAX_HEAD bytes, padded with one field. */
	static const char line[] = "GET /links HTTP/1.0\r\nX-Pad: ";
	size_t pad = CONTROL_MAX_HEAD - (sizeof(line) - 1) - 4;
	memcpy(buf, line, sizeof(line) - 1);
	memset(buf + sizeof(line) - 1, 'a', pad);
	memcpy(buf + sizeof(line) - 1 + pad, "\r\n\r\n", 4);
	check("a head of exactly 8 KiB", buf, CONTROL_MAX_HEAD, 1, "GET", "/links");
	/* One byte more: the empty line ends past the cap. */
	memset(buf + sizeof(line) - 1, 'a', pad + 1);
	memcpy(buf + sizeof(line) - 1 + pad + 1, "\r\n\r\n", 4);
	check("a head of 8 KiB + 1: too large", buf, CONTROL_MAX_HEAD + 1, -E2BIG, "", "");
	/* Many short fields add up the same way. */
	size_t n = 0;
	n += (size_t)snprintf(buf, sizeof(buf), "GET /links HTTP/1.0\r\n");
	while (n + 8 < sizeof(buf))
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "A: b\r\n");
	check("8 KiB of short fields and no end: too large", buf, n, -E2BIG, "", "");

	return tap_done();
}
