#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/console_queries.h"
#include "util/buf.h"
#include "util/banned.h"

/* One "haystack LIKE ?" term: the text fields a person searches by. */
#define AUDIT_HAYSTACK                                                                             \
	"LOWER(COALESCE(source_ref,'') || ' ' || COALESCE(target_ref,'') || ' ' || "               \
	"COALESCE(request_summary,'') || ' ' || COALESCE(payload,'')) LIKE ?"

/* "%text%" lower-cased, with LIKE's wildcards taken literally. */
static void like_pattern(const char *text, struct mlc_buf *out)
{
	buf_addch(out, '%');
	for (const char *p = text; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			buf_addch(out, '\\');
		buf_addch(out, (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p);
	}
	buf_addch(out, '%');
}

int console_audit_search(struct mlc_store *st, int64_t tenant_id,
			 const struct console_audit_query *q, json_t **rows, struct mlc_error *err)
{
	struct mlc_buf sql = MLC_BUF_INIT, pat[3] = {MLC_BUF_INIT, MLC_BUF_INIT, MLC_BUF_INIT};
	const char *terms[3] = {q->doc, q->vendor, q->project};
	struct mlc_stmt *s = NULL;
	int rc, idx = 1, limit = q->limit > 0 ? q->limit : 200;

	*rows = json_array();
	if (limit > 5000)
		limit = 5000;
	buf_addstr(&sql, "SELECT id FROM audit WHERE tenant_id = ?");
	for (int i = 0; i < 3; i++)
		if (terms[i] && *terms[i])
			buf_addstr(&sql, " AND " AUDIT_HAYSTACK " ESCAPE '\\'");
	if (q->result && *q->result)
		buf_addstr(&sql, " AND result = ?");
	if (q->flow && *q->flow)
		buf_addstr(&sql, " AND flow = ?");
	if (q->run_id)
		buf_addstr(&sql, " AND run_id = ?");
	if (q->since_ms)
		buf_addstr(&sql, " AND created_at >= ?");
	if (q->until_ms)
		buf_addstr(&sql, " AND created_at < ?");
	buf_addstr(&sql, " ORDER BY id DESC LIMIT ?");
	rc = store_prepare(st, sql.data, &s, err);
	if (rc < 0)
		goto out;
	stmt_bind_i64(s, idx++, tenant_id);
	for (int i = 0; i < 3; i++)
		if (terms[i] && *terms[i]) {
			like_pattern(terms[i], &pat[i]);
			stmt_bind_text(s, idx++, pat[i].data);
		}
	if (q->result && *q->result)
		stmt_bind_text(s, idx++, q->result);
	if (q->flow && *q->flow)
		stmt_bind_text(s, idx++, q->flow);
	if (q->run_id)
		stmt_bind_i64(s, idx++, q->run_id);
	if (q->since_ms)
		stmt_bind_i64(s, idx++, q->since_ms);
	if (q->until_ms)
		stmt_bind_i64(s, idx++, q->until_ms);
	stmt_bind_i64(s, idx, limit);
	while ((rc = stmt_step(s, err)) == 1) {
		json_t *row = NULL;
		rc = audit_get(st, stmt_col_i64(s, 0), &row, err);
		if (rc < 0)
			break;
		json_array_append_new(*rows, row);
	}
out:
	stmt_free(s);
	buf_release(&sql);
	for (int i = 0; i < 3; i++)
		buf_release(&pat[i]);
	if (rc < 0) {
		json_decref(*rows);
		*rows = NULL;
		return rc;
	}
	return MLC_OK;
}

/* Runs a two-column (text, count) query with one id bound into *out as
 * {text: count}, or {outer: {inner: count}} with a three-column one. */
static int counts(struct mlc_store *st, const char *sql, int64_t id, bool nested, json_t **out,
		  struct mlc_error *err)
{
	struct mlc_stmt *s = NULL;
	int rc = store_prepare(st, sql, &s, err);

	*out = json_object();
	if (rc == MLC_OK)
		stmt_bind_i64(s, 1, id);
	while (rc >= 0 && (rc = stmt_step(s, err)) == 1) {
		json_t *into = *out;
		int col = 0;
		if (nested) {
			const char *outer = stmt_col_text(s, 0);
			into = json_object_get(*out, outer);
			if (!into) {
				into = json_object();
				json_object_set_new(*out, outer, into);
			}
			col = 1;
		}
		json_object_set_new(into, stmt_col_text(s, col),
				    json_integer(stmt_col_i64(s, col + 1)));
	}
	stmt_free(s);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	return MLC_OK;
}

int console_run_counts(struct mlc_store *st, int64_t run_id, json_t **out, struct mlc_error *err)
{
	return counts(st, "SELECT result, COUNT(*) FROM audit WHERE run_id = ? GROUP BY result",
		      run_id, false, out, err);
}

int console_inbox_counts(struct mlc_store *st, int64_t tenant_id, json_t **out,
			 struct mlc_error *err)
{
	return counts(st,
		      "SELECT source, state, COUNT(*) FROM inbox WHERE tenant_id = ? "
		      "GROUP BY source, state",
		      tenant_id, true, out, err);
}

int console_catalog(struct mlc_store *st, int64_t tenant_id, json_t **catalog,
		    struct mlc_error *err)
{
	struct mlc_stmt *s = NULL;
	int rc = store_prepare(st,
			       "SELECT account_id, number, name, type, inactive, summary "
			       "FROM account_catalog WHERE tenant_id = ?",
			       &s, err);

	*catalog = json_object();
	if (rc == MLC_OK)
		stmt_bind_i64(s, 1, tenant_id);
	while (rc >= 0 && (rc = stmt_step(s, err)) == 1) {
		char key[32];
		snprintf(key, sizeof(key), "%lld", (long long)stmt_col_i64(s, 0));
		json_object_set_new(
		    *catalog, key,
		    json_pack("{s:I, s:s?, s:s, s:s, s:b, s:b}", "id",
			      (json_int_t)stmt_col_i64(s, 0), "number", stmt_col_text(s, 1), "name",
			      stmt_col_text(s, 2), "type", stmt_col_text(s, 3), "inactive",
			      stmt_col_i64(s, 4) != 0, "summary", stmt_col_i64(s, 5) != 0));
	}
	stmt_free(s);
	if (rc < 0) {
		json_decref(*catalog);
		*catalog = NULL;
		return rc;
	}
	return MLC_OK;
}

int console_posted_by_period(struct mlc_store *st, int64_t tenant_id, json_t **series,
			     struct mlc_error *err)
{
	struct mlc_stmt *s = NULL;
	int rc = store_prepare(st,
			       "SELECT period, SUM(amount) FROM postings WHERE tenant_id = ? AND "
			       "COALESCE(doc_type, '') <> 'payment_application' "
			       "GROUP BY period ORDER BY period",
			       &s, err);

	*series = json_array();
	if (rc == MLC_OK)
		stmt_bind_i64(s, 1, tenant_id);
	while (rc >= 0 && (rc = stmt_step(s, err)) == 1)
		json_array_append_new(*series,
				      json_pack("{s:s, s:I}", "period", stmt_col_text(s, 0),
						"cents", (json_int_t)stmt_col_i64(s, 1)));
	stmt_free(s);
	if (rc < 0) {
		json_decref(*series);
		*series = NULL;
		return rc;
	}
	return MLC_OK;
}
