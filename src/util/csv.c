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
	struct mlc_csv_row row = { NULL, 0, 1 };
	int line = 1, quoted = 0, was_quoted = 0, rc = MLC_OK;

	*out = NULL;
	*nout = 0;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
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
			rc = error_set(err, MLC_EINVAL, "line %d: text after a closing quote", line);
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
