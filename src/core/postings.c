#include <stdlib.h>
#include <string.h>

#include "core/postings.h"
#include "util/jsonx.h"
#include "util/money.h"
#include "util/time.h"
#include "util/banned.h"

int postings_for_doc(struct mlc_store *s, int64_t tenant_id, const char *doc_ref, json_t **rows,
		     struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	*rows = NULL;
	rc = store_prepare(
	    s,
	    "SELECT source_ref, je_external_id, period, project_id, doc_type, "
	    "cost_code, cost_type, account, amount, doc_id FROM postings WHERE tenant_id = ? "
	    "AND doc_ref = ? ORDER BY posted_at, je_external_id, source_ref",
	    &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, doc_ref);
	*rows = json_array();
	while ((rc = stmt_step(st, err)) == 1) {
		json_t *o = json_pack(
		    "{s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "source_ref", stmt_col_text(st, 0),
		    "doc_ref", doc_ref, "je", stmt_col_text(st, 1), "period", stmt_col_text(st, 2),
		    "project_id", (json_int_t)stmt_col_i64(st, 3), "account",
		    (json_int_t)stmt_col_i64(st, 7), "amount", (json_int_t)stmt_col_i64(st, 8));
		json_object_set_new(o, "doc_type", json_string(stmt_col_text(st, 4)));
		json_object_set_new(o, "cost_code", json_string(stmt_col_text(st, 5)));
		json_object_set_new(o, "cost_type", json_string(stmt_col_text(st, 6)));
		json_object_set_new(o, "doc_id", json_integer(stmt_col_i64(st, 9)));
		json_array_append_new(*rows, o);
	}
	stmt_free(st);
	if (rc < 0) {
		json_decref(*rows);
		*rows = NULL;
		return rc;
	}
	return MLC_OK;
}

/*
 * Rows of one entry with the same source_ref are summed by the upsert,
 * and SQLite turns an integer sum that overflows into a REAL: the sums
 * are checked here first, and an entry whose sum does not fit is refused
 * whole, naming the amount.
 */
static int sums_fit(const char *je, const json_t *rows, struct mlc_error *err)
{
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *r = json_array_get(rows, i);
		const char *ref = jsonx_str(r, "source_ref") ? jsonx_str(r, "source_ref") : "";
		int64_t sum = 0;
		for (size_t k = 0; k <= i; k++) {
			const json_t *o = json_array_get(rows, k);
			int64_t a = json_integer_value(json_object_get(o, "amount"));
			const char *oref = jsonx_str(o, "source_ref");
			if (k < i && strcmp(oref ? oref : "", ref) != 0)
				continue;
			if (money_add(sum, a, &sum) < 0) {
				char t[MONEY_FMT_MAX];
				money_format(a, t);
				return error_set(
				    err, MLC_ERANGE,
				    "journal entry %s: amount %s of %s overflows its sum", je, t,
				    ref);
			}
		}
	}
	return MLC_OK;
}

int postings_replace_je(struct mlc_store *s, int64_t tenant_id, const char *je, const json_t *rows,
			struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	size_t i;
	json_t *r;
	int rc;

	rc = sums_fit(je, rows, err);
	if (rc >= 0)
		rc = store_begin(s, err);
	if (rc < 0)
		return rc;
	rc = store_prepare(s, "DELETE FROM postings WHERE tenant_id = ? AND je_external_id = ?",
			   &st, err);
	if (rc == MLC_OK) {
		stmt_bind_i64(st, 1, tenant_id);
		stmt_bind_text(st, 2, je);
		rc = stmt_step(st, err);
		stmt_free(st);
		st = NULL;
	}
	if (rc >= 0)
		rc = store_prepare(
		    s,
		    "INSERT INTO postings (tenant_id, source_ref, doc_ref, je_external_id, "
		    "period, project_id, doc_type, cost_code, cost_type, account, amount, "
		    "posted_at, doc_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
		    "ON CONFLICT (tenant_id, source_ref, je_external_id) DO UPDATE SET "
		    "amount = postings.amount + excluded.amount",
		    &st, err);
	json_array_foreach (rows, i, r) {
		if (rc < 0)
			break;
		stmt_reset(st);
		stmt_bind_i64(st, 1, tenant_id);
		stmt_bind_text(st, 2, jsonx_str(r, "source_ref"));
		stmt_bind_text(st, 3, jsonx_str(r, "doc_ref"));
		stmt_bind_text(st, 4, je);
		stmt_bind_text(st, 5, jsonx_str(r, "period"));
		stmt_bind_i64(st, 6, json_integer_value(json_object_get(r, "project_id")));
		stmt_bind_text(st, 7, jsonx_str(r, "doc_type"));
		stmt_bind_text(st, 8, jsonx_str(r, "cost_code"));
		stmt_bind_text(st, 9, jsonx_str(r, "cost_type"));
		stmt_bind_i64(st, 10, json_integer_value(json_object_get(r, "account")));
		stmt_bind_i64(st, 11, json_integer_value(json_object_get(r, "amount")));
		stmt_bind_i64(st, 12, time_now_ms());
		stmt_bind_opt_id(st, 13, json_integer_value(json_object_get(r, "doc_id")));
		rc = stmt_step(st, err);
	}
	stmt_free(st);
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}

int postings_totals(struct mlc_store *s, int64_t tenant_id, json_t **totals, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc = store_prepare(s,
			       "SELECT project_id, COALESCE(cost_code, ''), account, SUM(amount) "
			       "FROM postings WHERE tenant_id = ? AND COALESCE(doc_type, '') <> "
			       "'payment_application' GROUP BY project_id, cost_code, account",
			       &st, err);

	*totals = NULL;
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	*totals = json_array();
	while ((rc = stmt_step(st, err)) == 1)
		json_array_append_new(*totals,
				      json_pack("{s:I, s:s, s:I, s:I}", "project_id",
						(json_int_t)stmt_col_i64(st, 0), "cost_code",
						stmt_col_text(st, 1), "account",
						(json_int_t)stmt_col_i64(st, 2), "amount",
						(json_int_t)stmt_col_i64(st, 3)));
	stmt_free(st);
	if (rc < 0) {
		json_decref(*totals);
		*totals = NULL;
		return rc;
	}
	return MLC_OK;
}

int postings_doc_posted_since(struct mlc_store *s, int64_t tenant_id, const char *doc_ref,
			      int64_t since_ms, bool *yes, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	*yes = false;
	rc = store_prepare(s,
			   "SELECT 1 FROM postings WHERE tenant_id = ? AND doc_ref = ? AND "
			   "posted_at >= ? LIMIT 1",
			   &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, doc_ref);
	stmt_bind_i64(st, 3, since_ms);
	rc = stmt_step(st, err);
	stmt_free(st);
	if (rc < 0)
		return rc;
	*yes = rc == 1;
	return MLC_OK;
}

int postings_open_docs(struct mlc_store *s, int64_t tenant_id, int64_t project_id, json_t **docs,
		       struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc = store_prepare(s,
			       "SELECT doc_id, doc_ref FROM postings WHERE tenant_id = ? AND "
			       "project_id = ? AND doc_id IS NOT NULL GROUP BY doc_id, doc_ref "
			       "HAVING SUM(amount) <> 0",
			       &st, err);

	*docs = NULL;
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_i64(st, 2, project_id);
	*docs = json_array();
	while ((rc = stmt_step(st, err)) == 1)
		json_array_append_new(*docs, json_pack("{s:I, s:s}", "doc_id",
						       (json_int_t)stmt_col_i64(st, 0), "doc_ref",
						       stmt_col_text(st, 1)));
	stmt_free(st);
	if (rc < 0) {
		json_decref(*docs);
		*docs = NULL;
		return rc;
	}
	return MLC_OK;
}
