/* SPDX-License-Identifier: GPL-2.0 */
/* Text tables: rows first, then column widths, then print (reports that line up). */
#ifndef ST_TABLE_H
#define ST_TABLE_H

#include <stdio.h>

struct st_table;

/* @ncols columns; @right is a bitmask of right-aligned (numeric) columns. */
struct st_table *st_table__new(int ncols, unsigned right);
/* Copies the strings. Missing trailing cells print empty. Returns 0 or -ENOMEM. */
int st_table__row(struct st_table *t, const char *const *cells);
int st_table__rowf(struct st_table *t, const char *fmt, ...); /* cells separated by '\t' */
int st_table__rows(const struct st_table *t);
/* Prints with @indent spaces, two spaces between columns, no trailing blanks. */
void st_table__print(const struct st_table *t, FILE *out, int indent);
void st_table__free(struct st_table *t);

#endif
