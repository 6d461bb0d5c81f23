#include <stdio.h>
#include <string.h>

#include "sandbox/nssim_rec.h"
#include "util/money.h"
#include "util/banned.h"

/*
 * Budgets: the REST record type budgetImport and the SuiteQL tables
 * budgets / budgetsmachine (nssim_db.c).
 *
 * "Each budget import record represents a single account line on the
 * Budget record in the UI": a line is identified by its criteria (year,
 * subsidiary, category, customer, department, class, location, item,
 * currency, account, accounting book and the cost-code segment).  This is
 * our model of NetSuite's behaviour, not a documented API contract:
 * importing a line whose criteria already exist replaces that line's
 * amounts (the Import Assistant's overwrite mode), so POST creates or
 * replaces.  The amounts are "amount" (the total) and/or periodamount1..12
 * for the year's twelve months; when both are sent they must agree; an
 * amount alone goes to the first month.  Amounts are kept as cents.
 */

#define BUDGET_PERIODS 12

/* REST field -> column and referenced table, for the criteria. */
static const struct {
	const char *rest, *col, *table;
} criteria[] = {
    {"account", "account", "account"},
    {"accountingBook", "accountingbook", NULL},
    {"category", "category", NULL},
    {"class", "class", "classification"},
    {"currency", "currency", "currency"},
    {"customer", "customer", "entity"},
    {"department", "department", "department"},
    {"item", "item", "item"},
    {"location", "location", "location"},
    {"subsidiary", "subsidiary", "subsidiary"},
    {"year", "year", "accountingperiod"},
    {nsdb_seg_field, nsdb_seg_field, nsdb_seg_table},
};

static bool known_field(const char *k)
{
	char pa[32];

	if (strcmp(k, "amount") == 0 || strcmp(k, "budgettype") == 0 ||
	    strcmp(k, "budgetType") == 0)
		return true;
	for (size_t i = 0; i < MLC_ARRAY_LEN(criteria); i++)
		if (strcmp(k, criteria[i].rest) == 0)
			return criteria[i].rest != nsdb_seg_field || nsdb_seg_present;
	for (int p = 1; p <= BUDGET_PERIODS; p++) {
		snprintf(pa, sizeof(pa), "periodamount%d", p);
		if (strcmp(k, pa) == 0)
			return true;
	}
	return false;
}

static bool cents_of(struct ns_write_ctx *w, const json_t *v, const char *path, int64_t *out)
{
	struct mlc_error err;

	if (!json_is_number(v) || money_from_json(v, out, &err) < 0) {
		ns_result_error(w->r, 400, "INVALID_CONTENT", path,
				"Error while accessing a resource. Invalid value for field '%s': "
				"expected an amount with at most two decimals.",
				path);
		return false;
	}
	return true;
}

/* The year's twelve posting months in order; false when year is not a
 * fiscal year. */
static bool year_months(struct nssim *ns, int64_t year, int64_t months[BUDGET_PERIODS])
{
	sqlite3_stmt *st = NULL;
	int n = 0;

	if (sqlite3_prepare_v2(ns->db,
			       "SELECT m.id FROM accountingperiod m JOIN accountingperiod q ON "
			       "m.parent = q.id JOIN accountingperiod y ON q.parent = y.id WHERE "
			       "y.id = ? AND y.isyear = 'T' AND m.isposting = 'T' ORDER BY "
			       "m.startdate",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_int64(st, 1, year);
	while (n < BUDGET_PERIODS && sqlite3_step(st) == SQLITE_ROW)
		months[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n == BUDGET_PERIODS;
}

void nsbudget_import(struct ns_write_ctx *w, const json_t *body)
{
	struct nssim *ns = w->ns;
	int64_t ids[MLC_ARRAY_LEN(criteria)] = {0}, months[BUDGET_PERIODS];
	int64_t per[BUDGET_PERIODS] = {0}, total = 0, sum = 0;
	bool have_per = false, have_total = false;
	struct mlc_buf sql = MLC_BUF_INIT;
	sqlite3_stmt *st = NULL;
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach ((json_t *)body, key, v) {
		if (!known_field(key)) {
			ns_result_error(w->r, 400, "INVALID_CONTENT", key,
					"Error while accessing a resource. Invalid field name '%s' "
					"for record type 'budgetImport'.",
					key);
			goto out;
		}
	}
	for (i = 0; i < MLC_ARRAY_LEN(criteria); i++) {
		v = json_object_get(body, criteria[i].rest);
		if (!v || json_is_null(v))
			continue;
		if (criteria[i].table) {
			ids[i] = nsrec_ref(w, criteria[i].table, v, criteria[i].rest);
			if (!ids[i])
				goto out;
		} else {
			ids[i] = nsrec_parse_id(json_is_object(v) ? json_object_get(v, "id") : v);
			if (!ids[i]) {
				ns_result_error(
				    w->r, 400, "INVALID_CONTENT", criteria[i].rest,
				    "Error while accessing a resource. Invalid value for the "
				    "resource or sub-resource field '%s'. Provide a valid value.",
				    criteria[i].rest);
				goto out;
			}
		}
	}
	if (!json_object_get(body, "account") || !json_object_get(body, "year")) {
		ns_result_error(w->r, 400, "USER_ERROR",
				!json_object_get(body, "account") ? "account" : "year",
				"Please enter value(s) for: %s",
				!json_object_get(body, "account") ? "Account" : "Year");
		goto out;
	}
	if (!year_months(ns, ids[10], months)) {
		ns_result_error(w->r, 400, "USER_ERROR", "year",
				"The budget year must be a fiscal year with twelve periods.");
		goto out;
	}
	for (int p = 0; p < BUDGET_PERIODS; p++) {
		char pa[32];
		snprintf(pa, sizeof(pa), "periodamount%d", p + 1);
		v = json_object_get(body, pa);
		if (v && !json_is_null(v)) {
			if (!cents_of(w, v, pa, &per[p]))
				goto out;
			have_per = true;
			sum += per[p];
		}
	}
	v = json_object_get(body, "amount");
	if (v && !json_is_null(v)) {
		if (!cents_of(w, v, "amount", &total))
			goto out;
		have_total = true;
	}
	if (!have_per && !have_total) {
		ns_result_error(w->r, 400, "USER_ERROR", "amount",
				"Please enter value(s) for: Amount");
		goto out;
	}
	if (have_per && have_total && sum != total) {
		ns_result_error(w->r, 400, "USER_ERROR", "amount",
				"The period amounts do not add up to the amount.");
		goto out;
	}
	if (!have_per)
		per[0] = total;
	else
		total = sum;

	/* Same criteria: the existing line is replaced (our overwrite model). */
	buf_addstr(&sql, "SELECT id FROM budgets WHERE ");
	for (i = 0; i < MLC_ARRAY_LEN(criteria); i++)
		buf_addf(&sql, "%s\"%s\" IS ?", i ? " AND " : "", criteria[i].col);
	if (sqlite3_prepare_v2(ns->db, sql.data, -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	for (i = 0; i < MLC_ARRAY_LEN(criteria); i++) {
		if (ids[i])
			sqlite3_bind_int64(st, (int)i + 1, ids[i]);
		else
			sqlite3_bind_null(st, (int)i + 1);
	}
	w->id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	st = NULL;
	w->creating = w->id == 0;
	if (w->creating) {
		w->id = nsdb_int(ns->db, "SELECT IFNULL(MAX(id), 0) + 1 FROM budgets", NULL, 1);
		buf_reset(&sql);
		buf_addstr(&sql, "INSERT INTO budgets (id, total, lastmodifieddate");
		for (i = 0; i < MLC_ARRAY_LEN(criteria); i++)
			buf_addf(&sql, ", \"%s\"", criteria[i].col);
		buf_addstr(&sql, ") VALUES (?, ?, ?");
		for (i = 0; i < MLC_ARRAY_LEN(criteria); i++)
			buf_addstr(&sql, ", ?");
		buf_addstr(&sql, ")");
		if (sqlite3_prepare_v2(ns->db, sql.data, -1, &st, NULL) != SQLITE_OK)
			goto dberr;
		for (i = 0; i < MLC_ARRAY_LEN(criteria); i++) {
			if (ids[i])
				sqlite3_bind_int64(st, (int)i + 4, ids[i]);
			else
				sqlite3_bind_null(st, (int)i + 4);
		}
	} else if (sqlite3_prepare_v2(ns->db,
				      "UPDATE budgets SET id = ?, total = ?, lastmodifieddate = ? "
				      "WHERE id = ?1",
				      -1, &st, NULL) != SQLITE_OK) {
		goto dberr;
	}
	sqlite3_bind_int64(st, 1, w->id);
	sqlite3_bind_int64(st, 2, total);
	sqlite3_bind_text(st, 3, w->now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(ns->db, "DELETE FROM budgetsmachine WHERE budget = ?", -1, &st,
			       NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_int64(st, 1, w->id);
	sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(ns->db, "INSERT INTO budgetsmachine VALUES (?, ?, ?)", -1, &st,
			       NULL) != SQLITE_OK)
		goto dberr;
	for (int p = 0; p < BUDGET_PERIODS; p++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, w->id);
		sqlite3_bind_int64(st, 2, months[p]);
		sqlite3_bind_int64(st, 3, per[p]);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto dberr;
	}
	w->r->status = 204;
	goto out;
dberr:
	ns_result_error(w->r, 500, "UNEXPECTED_ERROR", NULL, "%s", sqlite3_errmsg(ns->db));
out:
	sqlite3_finalize(st);
	buf_release(&sql);
}

json_t *nsbudget_get(struct nssim *ns, int64_t id, const char *base)
{
	sqlite3_stmt *st = NULL;
	json_t *o = NULL;
	struct mlc_buf sql = MLC_BUF_INIT;
	char amt[MONEY_FMT_MAX];

	buf_addstr(&sql, "SELECT total");
	for (size_t i = 0; i < MLC_ARRAY_LEN(criteria); i++)
		buf_addf(&sql, ", \"%s\"", criteria[i].col);
	buf_addstr(&sql, " FROM budgets WHERE id = ?");
	if (sqlite3_prepare_v2(ns->db, sql.data, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			o = nsrec_self_links(base, "budgetImport", id, "");
			json_object_set_new(o, "id", json_sprintf("%lld", (long long)id));
			money_format(sqlite3_column_int64(st, 0), amt);
			json_object_set_new(o, "amount", json_string(amt));
			for (size_t i = 0; i < MLC_ARRAY_LEN(criteria); i++)
				if (sqlite3_column_type(st, (int)i + 1) != SQLITE_NULL)
					json_object_set_new(
					    o, criteria[i].rest,
					    json_pack(
						"{s:s%}", "id",
						(const char *)sqlite3_column_text(st, (int)i + 1),
						(size_t)sqlite3_column_bytes(st, (int)i + 1)));
		}
	}
	sqlite3_finalize(st);
	buf_release(&sql);
	return o;
}
