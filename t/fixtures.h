/* Reading fixture files for the table-driven tests. */
#ifndef PVX_T_FIXTURES_H
#define PVX_T_FIXTURES_H

#include <stdio.h>

#include "daemon/util.h"

/* The whole file, NUL-terminated, or NULL if it cannot be opened. */
static inline char *fixture_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct pvx_buf b = {0};
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		pvx_buf_append(&b, buf, n);
	fclose(f);
	pvx_buf_append(&b, "", 0);
	*len = b.len;
	return b.data;
}

#endif
