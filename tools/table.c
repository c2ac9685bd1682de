/* Text tables for pvxctl (tools/table.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tools/table.h"

void table_init(struct table *t, size_t ncols, const char *const *headers, unsigned right)
{
	*t = (struct table){ .ncols = ncols < TABLE_MAX_COLS ? ncols : TABLE_MAX_COLS, .right = right };
	table_row(t, headers);
}

void table_row(struct table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		char **c = realloc(t->cells, cap * t->ncols * sizeof(*c));
		if (!c) {
			t->failed = true;
			return;
		}
		t->cells = c;
		t->cap = cap;
	}
	char **row = t->cells + t->nrows * t->ncols;
	for (size_t c = 0; c < t->ncols; c++) {
		row[c] = strdup(cells[c] ? cells[c] : "-");
		if (!row[c]) {
			while (c--)
				free(row[c]);
			t->failed = true;
			return;
		}
	}
	t->nrows++;
}

void table_print(const struct table *t, FILE *f)
{
	size_t width[TABLE_MAX_COLS] = { 0 };
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		if (strlen(t->cells[i]) > width[i % t->ncols])
			width[i % t->ncols] = strlen(t->cells[i]);
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			bool last = c + 1 == t->ncols;
			if (t->right & (1u << c))
				fprintf(f, "%*s%s", (int)width[c], cell, last ? "\n" : "  ");
			else if (last)
				fprintf(f, "%s\n", cell);
			else
				fprintf(f, "%-*s  ", (int)width[c], cell);
		}
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	*t = (struct table){ 0 };
}
