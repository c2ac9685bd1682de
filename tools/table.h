/* Text tables for pvxctl: every column as wide as its widest cell, so
 * long names widen their column instead of shifting the ones after it. */
#ifndef PVX_TABLE_H
#define PVX_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define TABLE_MAX_COLS 16

struct table {
	size_t ncols, nrows, cap;
	unsigned right;   /* bit c: column c is right-aligned (numbers) */
	char **cells;     /* nrows x ncols, row 0 the headers */
	bool failed;      /* out of memory: rows were lost */
};

/* headers: ncols names (at most TABLE_MAX_COLS). */
void table_init(struct table *t, size_t ncols, const char *const *headers, unsigned right);
/* Appends a row of ncols cells (copied; NULL shows as "-"). */
void table_row(struct table *t, const char *const *cells);
/* Prints the rows, columns two spaces apart; the last column is not
 * padded, so no line ends in blanks. */
void table_print(const struct table *t, FILE *f);
void table_free(struct table *t);

#endif
