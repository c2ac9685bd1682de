/* The pv-ctrl response reader fed whole, byte by byte and in random
 * splits: every way of cutting a response must give the same result. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/http_response.h"
#include "t/tap.h"

struct outcome {
	int result; /* HTTPRESP_DONE or -errno */
	int status;
	size_t body_len;
	char *body;
};

/* Feeds input cut at the given positions (split == 0: whole; 1: byte by
 * byte; 2: random cuts); eof says whether the stream closes after it. */
static struct outcome feed(const char *in, size_t len, int split, bool eof, size_t max_body)
{
	struct httpresp r;
	httpresp_init(&r, max_body);
	int res = HTTPRESP_MORE;
	size_t off = 0;
	while (off < len && res == HTTPRESP_MORE) {
		size_t n = len - off;
		if (split == 1)
			n = 1;
		else if (split == 2)
			n = 1 + (size_t)rand() % (n < 97 ? n : 97);
		res = httpresp_feed(&r, in + off, n);
		off += n;
	}
	if (res == HTTPRESP_MORE && eof)
		res = httpresp_eof(&r);
	struct outcome o = { res, r.status, r.body.len, NULL };
	o.body = malloc(r.body.len + 1);
	memcpy(o.body, r.body.data ? r.body.data : "", r.body.len);
	o.body[r.body.len] = '\0';
	httpresp_free(&r);
	return o;
}

/* Checks one response under every split. */
static void check(const char *name, const char *in, size_t len, bool eof, int want_result,
		  int want_status, const char *want_body, size_t want_len)
{
	for (int split = 0; split < 3; split++) {
		int runs = split == 2 ? 20 : 1;
		bool good = true;
		struct outcome o = {0};
		for (int i = 0; i < runs && good; i++) {
			o = feed(in, len, split, eof, 0);
			good = o.result == want_result &&
			       (want_result != HTTPRESP_DONE ||
				(o.status == want_status && o.body_len == want_len &&
				 memcmp(o.body, want_body, want_len) == 0));
			if (!good || i + 1 < runs)
				free(o.body);
		}
		static const char *const how[] = { "whole", "byte by byte", "random splits" };
		ok(good, "%s (%s)", name, how[split]);
		if (!good)
			tap_diag("result %d status %d body %zu bytes", o.result, o.status, o.body_len);
		if (good)
			free(o.body);
	}
}

#define CHECK(name, in, eof, res, status, body) \
	check(name, in, sizeof(in) - 1, eof, res, status, body, sizeof(body) - 1)

int main(void)
{
	srand(42);
	CHECK("Content-Length", "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello", false,
	      HTTPRESP_DONE, 200, "hello");
	CHECK("bytes after the body are ignored",
	      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiEXTRA", false, HTTPRESP_DONE, 200, "hi");
	CHECK("bare LF line ends", "HTTP/1.0 200 OK\nContent-Length: 2\n\nok", false, HTTPRESP_DONE,
	      200, "ok");
	CHECK("no reason phrase", "HTTP/1.0 204\r\nContent-Length: 0\r\n\r\n", false,
	      HTTPRESP_DONE, 204, "");
	CHECK("read to EOF", "HTTP/1.0 200 OK\r\nServer: x\r\n\r\n[1,2,3]", true, HTTPRESP_DONE,
	      200, "[1,2,3]");
	CHECK("chunked with extensions and trailers",
	      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "5;name=value\r\nhello\r\n1\r\n \r\n6\r\nworld!\r\n0\r\nX-Trailer: 1\r\n\r\n",
	      false, HTTPRESP_DONE, 200, "hello world!");
	CHECK("chunked beats Content-Length",
	      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
	      "4\r\nabcd\r\n0\r\n\r\n",
	      false, HTTPRESP_DONE, 200, "abcd");
	CHECK("field names are case-insensitive", "HTTP/1.0 200 OK\r\ncOnTeNt-LeNgTh:3\r\n\r\nabc",
	      false, HTTPRESP_DONE, 200, "abc");
	CHECK("non-200 status is reported", "HTTP/1.0 503 Busy\r\nContent-Length: 4\r\n\r\nbusy",
	      false, HTTPRESP_DONE, 503, "busy");
	CHECK("equal duplicate Content-Length",
	      "HTTP/1.0 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", false,
	      HTTPRESP_DONE, 200, "x");

	CHECK("conflicting Content-Length",
	      "HTTP/1.0 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx", false,
	      -EBADMSG, 0, "");
	CHECK("non-numeric Content-Length", "HTTP/1.0 200 OK\r\nContent-Length: 1x\r\n\r\nx",
	      false, -EBADMSG, 0, "");
	CHECK("not HTTP", "SSH-2.0-OpenSSH\r\n\r\n", false, -EBADMSG, 0, "");
	CHECK("obs-fold refused", "HTTP/1.0 200 OK\r\nA: b\r\n c\r\n\r\n", true, -EBADMSG, 0, "");
	CHECK("control byte in a field", "HTTP/1.0 200 OK\r\nA: b\001c\r\n\r\n", true, -EBADMSG, 0,
	      "");
	CHECK("truncated head", "HTTP/1.0 200 OK\r\nContent-Le", true, -EBADMSG, 0, "");
	CHECK("truncated Content-Length body", "HTTP/1.0 200 OK\r\nContent-Length: 9\r\n\r\nabc",
	      true, -EBADMSG, 0, "");
	CHECK("truncated chunked body",
	      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", true, -EBADMSG, 0, "");
	CHECK("chunk size overflow",
	      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", false,
	      -E2BIG, 0, "");
	CHECK("bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
	      false, -EBADMSG, 0, "");
	CHECK("missing CRLF after chunk data",
	      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n0\r\n\r\n", false,
	      -EBADMSG, 0, "");

	/* A head over the cap. */
	size_t big = HTTPRESP_MAX_HEAD + 100;
	char *head = malloc(big + 64);
	strcpy(head, "HTTP/1.0 200 OK\r\nX: ");
	size_t hl = strlen(head);
	memset(head + hl, 'a', big - hl);
	struct outcome o = feed(head, big, 0, true, 0);
	is_int(o.result, -E2BIG, "head over %d bytes refused", HTTPRESP_MAX_HEAD);
	free(o.body);
	free(head);

	/* A 3 MiB chunked body, and the body cap. */
	size_t n = 3u << 20, chunk = 65000;
	char *resp = malloc(n + n / chunk * 16 + 256);
	size_t off = (size_t)sprintf(resp, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
	char *want = malloc(n);
	for (size_t i = 0; i < n; i++)
		want[i] = (char)('a' + i % 26);
	for (size_t i = 0; i < n; i += chunk) {
		size_t k = n - i < chunk ? n - i : chunk;
		off += (size_t)sprintf(resp + off, "%zx\r\n", k);
		memcpy(resp + off, want + i, k);
		off += k;
		off += (size_t)sprintf(resp + off, "\r\n");
	}
	off += (size_t)sprintf(resp + off, "0\r\n\r\n");
	check("3 MiB chunked body", resp, off, false, HTTPRESP_DONE, 200, want, n);
	o = feed(resp, off, 2, false, 1u << 20);
	is_int(o.result, -E2BIG, "body over the cap refused");
	free(o.body);
	char cl[128];
	int cll = snprintf(cl, sizeof(cl), "HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n", 2 << 20);
	o = feed(cl, (size_t)cll, 0, false, 1u << 20);
	is_int(o.result, -E2BIG, "announced Content-Length over the cap refused at once");
	free(o.body);
	free(resp);
	free(want);
	return tap_done();
}
