/*
 * reconcile --scope billed: the report's three formats (cli_reconcile_billed.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_reconcile_billed.h"
#include "util/buf.h"
#include "util/csv.h"
#include "util/jsonx.h"
#include "util/banned.h"

static const char *const csv_cols[] = {
    "project_id", "line",   "line_item_id", "netsuite",     "procore",
    "variance",   "parked", "cause",        "parked_bills",
};

static const char *str_of(const json_t *row, const char *key)
{
	return jsonx_str(row, key) ? jsonx_str(row, key) : "";
}

static int cmp_rows(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	int64_t px = json_integer_value(json_object_get(x, "project_id"));
	int64_t py = json_integer_value(json_object_get(y, "project_id"));

	if (px != py)
		return px < py ? -1 : 1;
	return strcmp(str_of(x, "line"), str_of(y, "line"));
}

/* The row's parked bills as one text ("ns:bill:1 ns:bill:2"), "" when none. */
static void bills_text(const json_t *row, struct mlc_buf *out)
{
	const json_t *v;
	size_t i;

	json_array_foreach (json_object_get(row, "parked_bills"), i, v)
		buf_addf(out, "%s%s", i ? " " : "", json_string_value(v));
}

static void print_csv(json_t *const *rows, size_t n)
{
	struct mlc_buf out = MLC_BUF_INIT, t = MLC_BUF_INIT;
	size_t i, k;

	for (k = 0; k < sizeof(csv_cols) / sizeof(*csv_cols); k++)
		csv_add_field(&out, csv_cols[k], k == 0);
	buf_addch(&out, '\n');
	for (i = 0; i < n; i++) {
		for (k = 0; k < sizeof(csv_cols) / sizeof(*csv_cols); k++) {
			const json_t *v = json_object_get(rows[i], csv_cols[k]);
			char num[32];
			buf_reset(&t);
			if (json_is_integer(v)) {
				snprintf(num, sizeof(num), "%lld",
					 (long long)json_integer_value(v));
				buf_addstr(&t, num);
			} else if (json_is_array(v)) {
				bills_text(rows[i], &t);
			} else {
				buf_addstr(&t, str_of(rows[i], csv_cols[k]));
			}
			csv_add_field(&out, t.data ? t.data : "", k == 0);
		}
		buf_addch(&out, '\n');
	}
	fputs(out.data, stdout);
	buf_release(&out);
	buf_release(&t);
}

static void print_table(const json_t *report, json_t *const *rows, size_t n)
{
	struct mlc_buf t = MLC_BUF_INIT;
	const json_t *v;
	size_t i;

	printf("Billed to date per commitment line: NetSuite bills on the PO line against the "
	       "work completed on Procore's requisitions\n");
	printf("%-10s %-24s %16s %16s %14s %14s  %s\n", "PROJECT", "LINE", "NETSUITE BILLS",
	       "PROCORE", "VARIANCE", "PARKED", "CAUSE");
	for (i = 0; i < n; i++) {
		buf_reset(&t);
		bills_text(rows[i], &t);
		printf("%-10s %-24s %16s %16s %14s %14s  %s%s%s\n", str_of(rows[i], "project"),
		       str_of(rows[i], "line"), str_of(rows[i], "netsuite"),
		       str_of(rows[i], "procore"), str_of(rows[i], "variance"),
		       str_of(rows[i], "parked"),
		       jsonx_str(rows[i], "cause") ? jsonx_str(rows[i], "cause")
		       : t.len                     ? "explained: parked "
						   : "ties out",
		       jsonx_str(rows[i], "cause") && t.len ? "; parked " : "",
		       t.len ? t.data : "");
	}
	printf("%zu of %zu commitment lines tie out\n",
	       n - (size_t)json_integer_value(json_object_get(report, "differences")), n);
	json_array_foreach (json_object_get(report, "parked_bills"), i, v)
		printf("parked %s: %s\n", str_of(v, "bill"), str_of(v, "reason"));
	json_array_foreach (json_object_get(report, "skipped_commitments"), i, v)
		printf("not compared: commitment %lld (no purchase order schedule in Procore)\n",
		       (long long)json_integer_value(v));
	buf_release(&t);
}

void reconcile_billed_print(const json_t *report, const char *format)
{
	const json_t *rows = json_object_get(report, "rows");
	size_t n = json_array_size(rows), i;
	json_t **sorted = xcalloc(n + 1, sizeof(*sorted));

	for (i = 0; i < n; i++)
		sorted[i] = json_array_get(rows, i);
	qsort(sorted, n, sizeof(*sorted), cmp_rows);
	if (!strcmp(format, "json"))
		cli_print_json(json_deep_copy(report));
	else if (!strcmp(format, "csv"))
		print_csv(sorted, n);
	else
		print_table(report, sorted, n);
	free(sorted);
}
