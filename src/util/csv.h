#ifndef MLC_CSV_H
#define MLC_CSV_H

#include <stddef.h>

#include "util/buf.h"
#include "util/compat.h"
#include "util/error.h"

/*
 * RFC 4180 CSV: fields separated by ',', optionally quoted with '"' (a
 * quote inside a quoted field is doubled), records ending in LF or CRLF;
 * quoted fields may span lines.  A UTF-8 byte-order mark at the start is
 * skipped.  The text must be well-formed UTF-8 (no overlong forms or
 * surrogates) without NUL bytes, else nothing is parsed.  Errors name the
 * line where the bad record starts (the bad byte's line for bad text).
 */
struct mlc_csv_row {
	char **fields;
	size_t nfields;
	int line; /* 1-based line where the record starts */
};

/*
 * Parses text into rows.  Blank lines are skipped.  Caller frees with
 * csv_rows_free().
 */
int csv_parse(const char *text, size_t len, struct mlc_csv_row **rows, size_t *nrows,
	      struct mlc_error *err) MLC_MUST_CHECK;
void csv_rows_free(struct mlc_csv_row *rows, size_t nrows);
/* Appends one field, quoted when it needs to be. */
void csv_add_field(struct mlc_buf *out, const char *field, int first);

#endif
