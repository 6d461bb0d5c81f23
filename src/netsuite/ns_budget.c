/*
 * NetSuite budgets as typed records (netsuite/ns_budget.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netsuite/ns_budget.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/str.h"
#include "util/banned.h"

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

int ns_fiscal_years(struct mlc_netsuite *ns, struct ns_fiscal_year **v, size_t *n,
		    struct mlc_error *err)
{
	json_t *rows = NULL, *row;
	size_t i;
	int rc;

	*v = NULL;
	*n = 0;
	rc = netsuite_suiteql_all(ns,
				  "SELECT id, periodname, TO_CHAR(startdate, 'YYYY-MM-DD') AS s, "
				  "TO_CHAR(enddate, 'YYYY-MM-DD') AS e FROM accountingperiod WHERE "
				  "isyear = 'T' ORDER BY startdate",
				  &rows, err);
	if (rc < 0)
		return rc;
	*v = xcalloc(json_array_size(rows) + 1, sizeof(**v));
	json_array_foreach (rows, i, row) {
		struct ns_fiscal_year *y = &(*v)[*n];
		if (jsonx_id(row, "id", &y->id) < 0 || !y->id)
			continue;
		str_copy(y->name, sizeof(y->name), or_empty(jsonx_str(row, "periodname")));
		str_copy(y->start, sizeof(y->start), or_empty(jsonx_str(row, "s")));
		str_copy(y->end, sizeof(y->end), or_empty(jsonx_str(row, "e")));
		(*n)++;
	}
	json_decref(rows);
	return MLC_OK;
}

static bool read_line(const json_t *v, struct ns_budget_line *l)
{
	struct mlc_error e = {0};

	memset(l, 0, sizeof(*l));
	if (jsonx_id(v, "id", &l->id) < 0 || jsonx_id(v, "account", &l->account) < 0 ||
	    jsonx_id(v, "seg", &l->segment) < 0 || jsonx_id(v, "subsidiary", &l->subsidiary) < 0 ||
	    jsonx_id(v, "department", &l->department) < 0 ||
	    jsonx_id(v, "class", &l->class_id) < 0 || jsonx_id(v, "location", &l->location) < 0 ||
	    jsonx_id(v, "category", &l->category) < 0)
		return false;
	l->total_ok = jsonx_money_get(v, "total", false, &l->total, &e) == 0;
	if (!l->total_ok)
		str_copy(l->why, sizeof(l->why), e.msg);
	return true;
}

int ns_budget_lines(struct mlc_netsuite *ns, const char *seg_field, int64_t customer, int64_t year,
		    struct ns_budget_line **v, size_t *n, struct mlc_error *err)
{
	struct mlc_buf q = MLC_BUF_INIT;
	json_t *rows = NULL, *row;
	size_t i;
	int rc;

	*v = NULL;
	*n = 0;
	buf_addf(&q,
		 "SELECT id, account, total, %s%s subsidiary, department, "
		 "class, location, category FROM budgets WHERE customer = %lld AND year = %lld "
		 "ORDER BY id",
		 seg_field ? seg_field : "", seg_field ? " AS seg," : "", (long long)customer,
		 (long long)year);
	rc = netsuite_suiteql_all(ns, q.data, &rows, err);
	buf_release(&q);
	if (rc < 0)
		return rc;
	*v = xcalloc(json_array_size(rows) + 1, sizeof(**v));
	json_array_foreach (rows, i, row) {
		if (read_line(row, &(*v)[*n]))
			(*n)++;
	}
	json_decref(rows);
	return MLC_OK;
}

void ns_budget_spread(int64_t cents, int64_t out[NS_BUDGET_PERIODS])
{
	int64_t each = cents / NS_BUDGET_PERIODS;

	for (int i = 0; i < NS_BUDGET_PERIODS - 1; i++)
		out[i] = each;
	out[NS_BUDGET_PERIODS - 1] = cents - each * (NS_BUDGET_PERIODS - 1);
}

static void ref(json_t *body, const char *field, int64_t id)
{
	char k[24];

	snprintf(k, sizeof(k), "%lld", (long long)id);
	json_object_set_new(body, field, json_pack("{s:s}", "id", k));
}

int ns_budget_import(struct mlc_netsuite *ns, const struct ns_budget_criteria *c, int64_t cents,
		     int64_t *id_out, struct mlc_error *err)
{
	json_t *body = json_object();
	char code[NS_CODE_MAX];
	int64_t per[NS_BUDGET_PERIODS];

	ref(body, "account", c->account);
	ref(body, "year", c->year);
	ref(body, "customer", c->customer);
	if (c->subsidiary)
		ref(body, "subsidiary", c->subsidiary);
	if (c->department)
		ref(body, "department", c->department);
	if (c->class_id)
		ref(body, "class", c->class_id);
	if (c->location)
		ref(body, "location", c->location);
	if (c->category)
		ref(body, "category", c->category);
	if (c->seg_field)
		ref(body, c->seg_field, c->segment);
	json_object_set_new(body, "amount", jsonx_money(cents));
	ns_budget_spread(cents, per);
	for (int i = 0; i < NS_BUDGET_PERIODS; i++) {
		char f[24];
		snprintf(f, sizeof(f), "periodamount%d", i + 1);
		json_object_set_new(body, f, jsonx_money(per[i]));
	}
	return netsuite_create(ns, "budgetImport", body, id_out, code, err);
}
