#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_reconcile_billed.h"
#include "cli/cli_reconcile_committed.h"
#include "flows/reconcile.h"
#include "util/csv.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/banned.h"

/* The row's key: its cost code, or its GL account without the segment. */
static const char *key_of(const json_t *row)
{
	const char *k = jsonx_str(row, "cost_code");
	return k ? k : jsonx_str(row, "account") ? jsonx_str(row, "account") : "";
}

static int cmp_rows(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	int64_t px = json_integer_value(json_object_get(x, "project_id"));
	int64_t py = json_integer_value(json_object_get(y, "project_id"));
	if (px != py)
		return px < py ? -1 : 1;
	int c = strcmp(key_of(x), key_of(y));
	if (c)
		return c;
	return strcmp(jsonx_str(x, "period") ? jsonx_str(x, "period") : "",
		      jsonx_str(y, "period") ? jsonx_str(y, "period") : "");
}

int cmd_reconcile(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *project = NULL, *period = NULL, *format = "table", *scope = "cost";
	const struct cli_opt opts[] = {
	    {"project", "ID", "one Procore project", &project, NULL},
	    {"period", "YYYY-MM", "one accounting period (by document date)", &period, NULL},
	    {"format", "FMT", "table, csv or json", &format, NULL},
	    {"scope", "SCOPE", "cost (default), committed or billed", &scope, NULL},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "reconcile TENANT [--scope cost|committed|billed] [--project ID] [--period YYYY-MM] "
	    "[--format table|csv|json]",
	    "Compares, per project x cost code, Procore's approved direct costs with the\n"
	    "NetSuite GL amounts the connector posted (read back from NetSuite).  When the GL\n"
	    "has no cost-code segment (costs.use_segment, netsuite.cost_code_segment) the\n"
	    "comparison is per project x GL account, and the first line says so.  Exit 0 when\n"
	    "everything ties out, 1 otherwise, listing each difference and its likely cause.\n"
	    "--scope committed compares each NetSuite PO total with its Procore commitment's\n"
	    "original + approved + pending change orders (approved and pending shown apart).\n"
	    "--scope billed compares, per commitment line, the NetSuite bills on its PO line\n"
	    "with the work completed on Procore's requisitions (parked bills explain theirs).",
	    opts,
	    1,
	    1,
	};
	const char *pos[1];
	int npos, rc;
	struct reconcile_opts ro = {0, NULL, RECONCILE_COST};
	struct mlc_vault *vault = NULL;
	struct mlc_session *s = NULL;
	struct mlc_error err = {0};
	json_t *report = NULL, *rows;
	json_t **sorted = NULL;
	size_t n, i;
	bool by_account;
	const char *dim;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc != CLI_OK)
		return rc;
	if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json")) {
		fprintf(stderr, "ml-connector reconcile: --format must be table, csv or json\n");
		return CLI_USAGE;
	}
	if (period && (strlen(period) != 7 || period[4] != '-')) {
		fprintf(stderr, "ml-connector reconcile: --period must look like 2026-11\n");
		return CLI_USAGE;
	}
	ro.period = period;
	if (!strcmp(scope, "billed")) {
		ro.scope = RECONCILE_BILLED;
	} else if (!strcmp(scope, "committed")) {
		ro.scope = RECONCILE_COMMITTED;
	} else if (strcmp(scope, "cost")) {
		fprintf(stderr,
			"ml-connector reconcile: --scope must be cost, committed or billed\n");
		return CLI_USAGE;
	}
	if (project && cli_parse_id("--project", project, &ro.project_id) != CLI_OK)
		return CLI_FAIL;
	rc = cli_open_store(ctx);
	if (rc == CLI_OK)
		rc = cli_open_vault(ctx, &vault);
	if (rc != CLI_OK)
		goto out;
	struct mlc_session_opts so = {.store = ctx->store,
				      .vault = vault,
				      .tenant = pos[0],
				      .need_netsuite = true,
				      .need_procore = true};
	if (session_open(&so, &s, &err) < 0 || reconcile_run(s, &ro, &report, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (ro.scope == RECONCILE_BILLED) {
		reconcile_billed_print(report, format);
		goto done;
	}
	if (ro.scope == RECONCILE_COMMITTED) {
		reconcile_committed_print(report, format);
		goto done;
	}
	rows = json_object_get(report, "rows");
	by_account = jsonx_str(report, "compared_by") &&
		     strcmp(jsonx_str(report, "compared_by"), "account") == 0;
	dim = by_account ? "GL account" : "cost code";
	n = json_array_size(rows);
	sorted = xcalloc(n + 1, sizeof(*sorted));
	for (i = 0; i < n; i++)
		sorted[i] = json_array_get(rows, i);
	qsort(sorted, n, sizeof(*sorted), cmp_rows);
	if (!strcmp(format, "json")) {
		cli_print_json(json_incref(report));
	} else if (!strcmp(format, "csv")) {
		struct mlc_buf out = MLC_BUF_INIT;
		buf_addf(&out, "project_id,%s,period,procore,netsuite,variance,cause\n",
			 by_account ? "account" : "cost_code");
		for (i = 0; i < n; i++) {
			char pid[32];
			snprintf(pid, sizeof(pid), "%lld",
				 (long long)json_integer_value(
				     json_object_get(sorted[i], "project_id")));
			csv_add_field(&out, pid, 1);
			csv_add_field(&out, key_of(sorted[i]), 0);
			csv_add_field(
			    &out,
			    jsonx_str(sorted[i], "period") ? jsonx_str(sorted[i], "period") : "",
			    0);
			csv_add_field(&out, jsonx_str(sorted[i], "procore"), 0);
			csv_add_field(&out, jsonx_str(sorted[i], "netsuite"), 0);
			csv_add_field(&out, jsonx_str(sorted[i], "variance"), 0);
			csv_add_field(
			    &out,
			    jsonx_str(sorted[i], "cause") ? jsonx_str(sorted[i], "cause") : "", 0);
			buf_addch(&out, '\n');
		}
		fputs(out.data, stdout);
		buf_release(&out);
	} else {
		printf("Compared per project x %s: %s\n", dim,
		       jsonx_str(report, "dimension") ? jsonx_str(report, "dimension") : "");
		printf("%-16s %-10s %-8s %16s %16s %14s  %s\n", "PROJECT",
		       by_account ? "GL ACCOUNT" : "COST CODE", "PERIOD", "PROCORE", "NETSUITE GL",
		       "VARIANCE", "CAUSE");
		for (i = 0; i < n; i++)
			printf("%-16s %-10s %-8s %16s %16s %14s  %s\n",
			       jsonx_str(sorted[i], "project"),
			       *key_of(sorted[i]) ? key_of(sorted[i]) : "-",
			       jsonx_str(sorted[i], "period") ? jsonx_str(sorted[i], "period")
							      : "all",
			       jsonx_str(sorted[i], "procore"), jsonx_str(sorted[i], "netsuite"),
			       jsonx_str(sorted[i], "variance"),
			       jsonx_str(sorted[i], "cause") ? jsonx_str(sorted[i], "cause")
							     : "ties out");
		printf("%zu of %zu project x %s rows tie out\n",
		       n - (size_t)json_integer_value(json_object_get(report, "differences")), n,
		       dim);
	}
done:
	rc = json_integer_value(json_object_get(report, "differences")) ? CLI_FAIL : CLI_OK;
out:
	free(sorted);
	json_decref(report);
	session_free(s);
	vault_free(vault);
	return rc;
}
