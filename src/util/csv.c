#include <stdlib.h>
#include <string.h>

#include "util/csv.h"
#include "util/banned.h"

static void push_field(struct mlc_csv_row *row, size_t *cap, struct mlc_buf *f)
{
	if (row->nfields == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		row->fields = xrealloc(row->fields, *cap * sizeof(char *));
	}
	row->fields[row->nfields++] = buf_detach(f, NULL);
}

/*
 * Length of the well-formed UTF-8 sequence at p (RFC 3629 section 4: no
 * overlong forms, no surrogates, nothing past U+10FFFF), or 0 if there is none.
 */
static size_t utf8_seq_len(const unsigned char *p, size_t avail)
{
	unsigned char c = p[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (avail < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t k = 2; k < n; k++)
		if (p[k] < 0x80 || p[k] > 0xBF)
			return 0;
	return n;
}

/* The text must be UTF-8 without NUL (a field is a C string). */
static int check_text(const char *text, size_t len, size_t i, struct mlc_error *err)
{
	int line = 1;

	while (i < len) {
		size_t n;
		if (text[i] == '\0')
			return error_set(err, MLC_EINVAL, "line %d: a NUL byte", line);
		if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == len || text[i + 1] != '\n')))
			line++;
		n = utf8_seq_len((const unsigned char *)text + i, len - i);
		if (!n)
			return error_set(err, MLC_EINVAL, "line %d: invalid UTF-8", line);
		i += n;
	}
	return MLC_OK;
}

void csv_rows_free(struct mlc_csv_row *rows, size_t nrows)
{
	for (size_t i = 0; i < nrows; i++) {
		for (size_t j = 0; j < rows[i].nfields; j++)
			free(rows[i].fields[j]);
		free(rows[i].fields);
	}
	free(rows);
}

int csv_parse(const char *text, size_t len, struct mlc_csv_row **out, size_t *nout,
	      struct mlc_error *err)
{
	struct mlc_csv_row *rows = NULL;
	size_t nrows = 0, rcap = 0, fcap = 0, i = 0;
	struct mlc_buf field = MLC_BUF_INIT;
	struct mlc_csv_row row = {NULL, 0, 1};
	int line = 1, quoted = 0, was_quoted = 0, rc = MLC_OK;

	*out = NULL;
	*nout = 0;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	rc = check_text(text, len, i, err);
	if (rc < 0)
		return rc;
	for (; i <= len; i++) {
		char c = i < len ? text[i] : '\n';
		int at_end = i == len;

		if (quoted) {
			if (at_end) {
				rc = error_set(err, MLC_EINVAL,
					       "line %d: a quoted field is never closed", row.line);
				goto fail;
			}
			if (c == '"') {
				if (i + 1 < len && text[i + 1] == '"') {
					buf_addch(&field, '"');
					i++;
				} else {
					quoted = 0;
				}
			} else {
				if (c == '\n')
					line++;
				buf_addch(&field, c);
			}
			continue;
		}
		if (c == '"') {
			if (field.len || was_quoted) {
				rc = error_set(err, MLC_EINVAL,
					       "line %d: a quote may only open a field", line);
				goto fail;
			}
			quoted = was_quoted = 1;
			continue;
		}
		if (c == ',') {
			push_field(&row, &fcap, &field);
			was_quoted = 0;
			continue;
		}
		if (c == '\r' && i + 1 < len && text[i + 1] == '\n')
			continue;
		if (c == '\n' || c == '\r') {
			int blank = row.nfields == 0 && field.len == 0 && !was_quoted;
			if (!blank) {
				push_field(&row, &fcap, &field);
				if (nrows == rcap) {
					rcap = rcap ? rcap * 2 : 16;
					rows = xrealloc(rows, rcap * sizeof(*rows));
				}
				rows[nrows++] = row;
			} else {
				free(row.fields);
			}
			line++;
			memset(&row, 0, sizeof(row));
			row.line = line;
			fcap = 0;
			was_quoted = 0;
			if (at_end)
				break;
			continue;
		}
		if (was_quoted) {
			rc =
			    error_set(err, MLC_EINVAL, "line %d: text after a closing quote", line);
			goto fail;
		}
		buf_addch(&field, c);
	}
	*out = rows;
	*nout = nrows;
	buf_release(&field);
	return MLC_OK;
fail:
	for (size_t j = 0; j < row.nfields; j++)
		free(row.fields[j]);
	free(row.fields);
	buf_release(&field);
	csv_rows_free(rows, nrows);
	return rc;
}

void csv_add_field(struct mlc_buf *out, const char *field, int first)
{
	if (!first)
		buf_addch(out, ',');
	if (!strpbrk(field, ",\"\r\n") && field[0] != ' ' &&
	    (!*field || field[strlen(field) - 1] != ' ')) {
		buf_addstr(out, field);
		return;
	}
	buf_addch(out, '"');
	for (const char *p = field; *p; p++) {
		if (*p == '"')
			buf_addch(out, '"');
		buf_addch(out, *p);
	}
	buf_addch(out, '"');
}
