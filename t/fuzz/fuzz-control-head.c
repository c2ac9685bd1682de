/* libFuzzer: the control socket's request-head reader, which runs the
 * shared HTTP request grammar (parsers/http_request.rl) under the control
 * socket's caps.  The input is read once whole and once in two pieces cut
 * where its first byte says: both readings must agree, and an accepted
 * head must name a method and an origin-form path within the caps. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "daemon/control.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct control_head whole, cut;
	if (size > CONTROL_MAX_HEAD)
		size = CONTROL_MAX_HEAD;
	const char *buf = (const char *)data;

	control_head_init(&whole);
	int r = control_head_read(&whole, buf, size);

	control_head_init(&cut);
	size_t at = size ? data[0] % (size + 1) : 0;
	int r2 = control_head_read(&cut, buf, at);
	if (r2 == 0)
		r2 = control_head_read(&cut, buf, size);

	if (r != r2)
		abort();
	if (r == 1) {
		size_t ml = strlen(whole.method), pl = strlen(whole.path);
		if (ml == 0 || ml > CONTROL_MAX_METHOD || pl > CONTROL_MAX_PATH || whole.path[0] != '/')
			abort();
		if (strcmp(whole.method, cut.method) != 0 || strcmp(whole.path, cut.path) != 0)
			abort();
		if (memcmp(buf, whole.method, ml) != 0 || buf[ml] != ' ' ||
		    memcmp(buf + ml + 1, whole.path, pl) != 0 || buf[ml + 1 + pl] != ' ')
			abort();
	}
	return 0;
}
