/* libFuzzer: the rest filter (request grammar and rewriting).  Byte 0 sets
 * the piece size.  The rewritten stream must be the same whether the input
 * comes whole or in pieces, and rewriting it again must change nothing
 * (our pair is the only X-PV- pair left, always at the end of each head).
 * When the filter refuses, no byte of the refused element (a request head,
 * a chunk-size line, a trailer field) may have gone out: the input cut
 * where that element began must give exactly the same output. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "fsm/link.h"
#include "fsm/plugin.h"
#include "plugins/registry.h"
#include "relay/relay.h"
#include "plugins/rest.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static enum relay_verdict run(struct pvx_link *l, const char *in, size_t n, size_t step,
			      struct pvx_buf *out, uint64_t *refused_at)
{
	const struct relay_filter *f = pvx_plugin_rest.filter;
	void *st = f->open(l);
	enum relay_verdict v = RELAY_PASS;
	for (size_t off = 0; off < n && (v == RELAY_PASS); off += step)
		v = f->to_provider(st, in + off, n - off < step ? n - off : step, out);
	if (refused_at)
		*refused_at = rest_refused_at(st);
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

	struct pvx_buf a = {0}, b = {0}, c = {0}, d = {0};
	uint64_t at = UINT64_MAX;
	enum relay_verdict va = run(&link, in, n, n ? n : 1, &a, &at);
	enum relay_verdict vb = run(&link, in, n, step, &b, NULL);
	if (va != vb || a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0)) {
		fprintf(stderr, "whole and split differ (verdicts %d %d, %zu vs %zu bytes)\n", va, vb, a.len, b.len);
		abort();
	}
	if (va == RELAY_PASS && a.len) {
		enum relay_verdict vc = run(&link, a.data, a.len, a.len, &c, NULL);
		if (vc != RELAY_PASS || c.len != a.len || memcmp(a.data, c.data, a.len) != 0) {
			fprintf(stderr, "rewriting twice changed the stream\n");
			abort();
		}
	}
	if (at != UINT64_MAX) {
		if (at > n) {
			fprintf(stderr, "refused element starts at %llu, past the input (%zu)\n",
				(unsigned long long)at, n);
			abort();
		}
		run(&link, in, (size_t)at, at ? (size_t)at : 1, &d, NULL);
		if (d.len != a.len || (a.len && memcmp(a.data, d.data, a.len) != 0)) {
			fprintf(stderr, "bytes of the refused element went out (%zu bytes, %zu without it)\n",
				a.len, d.len);
			abort();
		}
	}
	pvx_buf_free(&d);
	pvx_buf_free(&a);
	pvx_buf_free(&b);
	pvx_buf_free(&c);
	return 0;
}
