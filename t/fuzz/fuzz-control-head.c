/* libFuzzer: the control socket's request-head reader. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "daemon/control.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char method[16], path[256];
	if (size > CONTROL_MAX_HEAD)
		size = CONTROL_MAX_HEAD;
	int r = control_parse_head((const char *)data, size, method, sizeof(method), path, sizeof(path));
	if (r == 1 && (strlen(method) == 0 || path[0] != '/'))
		abort();
	return 0;
}
