/* libFuzzer: the pv-ctrl response reader.  The input is fed whole and in
 * pieces of (byte 0) bytes; both must agree, and nothing may crash. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "parsers/http_response.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int feed(const char *in, size_t len, size_t step, size_t *body_len, int *status)
{
	struct httpresp r;
	httpresp_init(&r, 1 << 20);
	int res = HTTPRESP_MORE;
	for (size_t off = 0; off < len && res == HTTPRESP_MORE; off += step)
		res = httpresp_feed(&r, in + off, len - off < step ? len - off : step);
	if (res == HTTPRESP_MORE)
		res = httpresp_eof(&r);
	*body_len = r.body.len;
	*status = r.status;
	httpresp_free(&r);
	return res;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t step = data[0] ? data[0] : 1;
	size_t b1, b2;
	int s1, s2;
	int r1 = feed((const char *)data + 1, size - 1, size, &b1, &s1);
	int r2 = feed((const char *)data + 1, size - 1, step, &b2, &s2);
	if (r1 != r2 || (r1 == HTTPRESP_DONE && (b1 != b2 || s1 != s2)))
		abort();
	return 0;
}
