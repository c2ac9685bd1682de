/* libFuzzer: the rest filter (request grammar and rewriting).  Byte 0 sets
 * the piece size.  The rewritten stream must be the same whether the input
 * comes whole or in pieces, and rewriting it again must change nothing
 * (our pair is the only X-PV- pair left, always at the end of each head). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "fsm/link.h"
#include "fsm/plugin.h"
#include "relay/relay.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static enum relay_verdict run(struct pvx_link *l, const char *in, size_t n, size_t step,
			      struct pvx_buf *out)
{
	const struct relay_filter *f = pvx_plugin_rest.filter;
	void *st = f->open(l);
	enum relay_verdict v = RELAY_PASS;
	for (size_t off = 0; off < n && (v == RELAY_PASS); off += step)
		v = f->to_provider(st, in + off, n - off < step ? n - off : step, out);
	f->close(st);
	return v;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (size < 1)
		return 0;
	static struct pvx_link link;
	link.spec.consumer = "app";
	link.spec.role = "operator";
	link.spec.consumer_pid = 0;
	link.spec.target = "/t";
	link.spec.name = "api";
	size_t step = data[0] ? data[0] : size;
	const char *in = (const char *)data + 1;
	size_t n = size - 1;

	struct pvx_buf a = {0}, b = {0}, c = {0};
	enum relay_verdict va = run(&link, in, n, n ? n : 1, &a);
	enum relay_verdict vb = run(&link, in, n, step, &b);
	if (va != vb || a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0)) {
		fprintf(stderr, "whole and split differ (verdicts %d %d, %zu vs %zu bytes)\n", va, vb, a.len, b.len);
		abort();
	}
	if (va == RELAY_PASS && a.len) {
		enum relay_verdict vc = run(&link, a.data, a.len, a.len, &c);
		if (vc != RELAY_PASS || c.len != a.len || memcmp(a.data, c.data, a.len) != 0) {
			fprintf(stderr, "rewriting twice changed the stream\n");
			abort();
		}
	}
	pvx_buf_free(&a);
	pvx_buf_free(&b);
	pvx_buf_free(&c);
	return 0;
}
