/* libFuzzer: the SASL grammar.  Byte 0: direction and piece size.  The same
 * lines must come out whether the input is whole or cut in pieces. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "parsers/sasl.h"

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
	return 0;
}
