/*
 * reconcile --scope committed: the report's three formats
 * (cli_reconcile_committed.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_reconcile_committed.h"
#include "util/buf.h"
#include "util/csv.h"
#include "util/jsonx.h"
#include "util/banned.h"

static const char *const csv_cols[] = {
    "project_id", "po_id",    "po",      "commitment_id", "commitment", "status",   "netsuite",
    "original",   "approved", "pending", "revised",       "procore",    "variance", "cause",
};

static int64_t int_of(const json_t *row, const char *key)
{
	return json_integer_value(json_object_get(row, key));
}

static const char *str_of(const json_t *row, const char *key)
{
	return jsonx_str(row, key) ? jsonx_str(row, key) : "";
}

static int cmp_rows(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;

	if (int_of(x, "project_id") != int_of(y, "project_id"))
		return int_of(x, "project_id") < int_of(y, "project_id") ? -1 : 1;
	if (int_of(x, "po_id") != int_of(y, "po_id"))
		return int_of(x, "po_id") < int_of(y, "po_id") ? -1 : 1;
	return int_of(x, "commitment_id") < int_of(y, "commitment_id")
		   ? -1
		   : int_of(x, "commitment_id") > int_of(y, "commitment_id");
}

static void print_csv(json_t *const *rows, size_t n)
{
	struct mlc_buf out = MLC_BUF_INIT;
	size_t i, k;

	for (k = 0; k < sizeof(csv_cols) / sizeof(*csv_cols); k++)
		csv_add_field(&out, csv_cols[k], k == 0);
	buf_addch(&out, '\n');
	for (i = 0; i < n; i++) {
		for (k = 0; k < sizeof(csv_cols) / sizeof(*csv_cols); k++) {
			const json_t *v = json_object_get(rows[i], csv_cols[k]);
			char num[32];
			if (json_is_integer(v)) {
				snprintf(num, sizeof(num), "%lld",
					 (long long)json_integer_value(v));
				csv_add_field(&out, num, k == 0);
			} else {
				csv_add_field(&out, str_of(rows[i], csv_cols[k]), k == 0);
			}
		}
		buf_addch(&out, '\n');
	}
	fputs(out.data, stdout);
	buf_release(&out);
}

static void print_table(const json_t *report, json_t *const *rows, size_t n)
{
	size_t i, parked = (size_t)int_of(report, "parked");

	printf("Compared per NetSuite purchase order: its total against its Procore commitment's "
	       "original + approved + pending change orders\n(a PO edited while its change order "
	       "is still draft is already in the NetSuite total)\n");
	printf("%-14s %-10s %-12s %-10s %14s %14s %12s %12s %14s %12s  %s\n", "PROJECT", "PO",
	       "COMMITMENT", "STATUS", "NETSUITE", "ORIGINAL", "APPROVED", "PENDING", "PROCORE",
	       "VARIANCE", "CAUSE");
	for (i = 0; i < n; i++) {
		const json_t *r = rows[i];
		printf("%-14s %-10s %-12s %-10s %14s %14s %12s %12s %14s %12s  %s\n",
		       str_of(r, "project"), *str_of(r, "po") ? str_of(r, "po") : "-",
		       *str_of(r, "commitment") ? str_of(r, "commitment") : "-",
		       *str_of(r, "status") ? str_of(r, "status") : "-", str_of(r, "netsuite"),
		       str_of(r, "original"), str_of(r, "approved"), str_of(r, "pending"),
		       str_of(r, "procore"), str_of(r, "variance"),
		       json_is_true(json_object_get(r, "parked")) ? "not compared: parked"
		       : jsonx_str(r, "cause")                    ? jsonx_str(r, "cause")
								  : "ties out");
	}
	printf("%zu of %zu purchase orders tie out",
	       n - parked - (size_t)int_of(report, "differences"), n - parked);
	if (parked)
		printf("; %zu parked before reaching Procore, not compared (see the review list)",
		       parked);
	printf("\n");
}

void reconcile_committed_print(const json_t *report, const char *format)
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
