/* Reading fixture files for the table-driven tests. */
#ifndef PVX_T_FIXTURES_H
#define PVX_T_FIXTURES_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

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

static inline int fixture_cmp_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Runs fn on every case directory under base, in name order.  Returns the
 * number of cases, or -1 when base cannot be read. */
static inline int fixture_each_case(const char *base, bool valid,
				    void (*fn)(const char *base, const char *name, bool valid))
{
	struct dirent **ents;
	int n = scandir(base, &ents, NULL, fixture_cmp_name), cases = 0;
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			fn(base, ents[i]->d_name, valid);
			cases++;
		}
		free(ents[i]);
	}
	free(ents);
	return cases;
}

#endif
