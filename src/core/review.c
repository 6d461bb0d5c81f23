#include <stdlib.h>

#include "core/review.h"
#include "util/time.h"
#include "util/banned.h"

static char *dump_or_null(const json_t *v)
{
	return v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

int review_park(struct mlc_store *s, int64_t tenant_id, const char *flow, const char *entity,
		const char *source_ref, const char *reason, const json_t *candidates,
		const json_t *payload, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	char *c = dump_or_null(candidates), *p = dump_or_null(payload);
	int64_t now = time_now_ms();
	int rc;

	rc = store_prepare(
	    s,
	    "INSERT INTO review (tenant_id, flow, entity, source_ref, reason, candidates, "
	    "payload, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', "
	    "?, ?) ON CONFLICT (tenant_id, entity, source_ref) DO UPDATE SET "
	    "flow = excluded.flow, reason = excluded.reason, candidates = "
	    "excluded.candidates, payload = excluded.payload, state = 'open', "
	    "updated_at = excluded.updated_at",
	    &st, err);
	if (rc == MLC_OK) {
		stmt_bind_i64(st, 1, tenant_id);
		stmt_bind_text(st, 2, flow);
		stmt_bind_text(st, 3, entity);
		stmt_bind_text(st, 4, source_ref);
		stmt_bind_text(st, 5, reason);
		stmt_bind_text(st, 6, c);
		stmt_bind_text(st, 7, p);
		stmt_bind_i64(st, 8, now);
		stmt_bind_i64(st, 9, now);
		rc = stmt_step(st, err);
		stmt_free(st);
	}
	free(c);
	free(p);
	return rc < 0 ? rc : MLC_OK;
}

int review_resolve(struct mlc_store *s, int64_t tenant_id, const char *entity,
		   const char *source_ref, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc = store_prepare(s,
			       "UPDATE review SET state = 'resolved', updated_at = ? WHERE "
			       "tenant_id = ? AND entity = ? AND source_ref = ? AND state = 'open'",
			       &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, time_now_ms());
	stmt_bind_i64(st, 2, tenant_id);
	stmt_bind_text(st, 3, entity);
	stmt_bind_text(st, 4, source_ref);
	rc = stmt_step(st, err);
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

#define ITEM_COLS                                                                                  \
	"SELECT r.id, r.flow, r.entity, r.source_ref, r.reason, r.candidates, r.state, "           \
	"r.updated_at, r.payload, d.action, d.arg, d.decided_by, d.why, d.state, d.created_at, "   \
	"d.applied_at FROM review r LEFT JOIN review_decision d ON d.tenant_id = r.tenant_id "     \
	"AND d.entity = r.entity AND d.source_ref = r.source_ref "

static void set_json_col(json_t *o, const char *name, struct mlc_stmt *st, int col)
{
	json_error_t jerr;
	json_t *v;

	if (stmt_col_is_null(st, col))
		return;
	v = json_loads(stmt_col_text(st, col), 0, &jerr);
	if (v)
		json_object_set_new(o, name, v);
}

/* One row of ITEM_COLS as the item JSON review_list documents. */
static json_t *item_of_row(struct mlc_stmt *st)
{
	char when[MLC_TIME_FMT_MAX];
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id",
			      (json_int_t)stmt_col_i64(st, 0), "flow", stmt_col_text(st, 1),
			      "entity", stmt_col_text(st, 2), "source_ref", stmt_col_text(st, 3),
			      "reason", stmt_col_text(st, 4), "state", stmt_col_text(st, 6));

	set_json_col(o, "candidates", st, 5);
	set_json_col(o, "payload", st, 8);
	time_format_rfc3339(stmt_col_i64(st, 7), when);
	json_object_set_new(o, "updated_at", json_string(when));
	if (!stmt_col_is_null(st, 9)) {
		struct review_decision d = {
		    .action = (char *)stmt_col_text(st, 9),
		    .arg = stmt_col_is_null(st, 10) ? NULL : (char *)stmt_col_text(st, 10),
		    .by = (char *)stmt_col_text(st, 11),
		    .why = (char *)stmt_col_text(st, 12),
		    .state = (char *)stmt_col_text(st, 13),
		    .created_at = stmt_col_i64(st, 14),
		    .applied_at = stmt_col_is_null(st, 15) ? 0 : stmt_col_i64(st, 15),
		};
		json_object_set_new(o, "decision", review_decision_json(&d));
	}
	return o;
}

int review_list(struct mlc_store *s, int64_t tenant_id, const char *state, json_t **items,
		struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	*items = NULL;
	rc = store_prepare(s,
			   ITEM_COLS "WHERE r.tenant_id = ? AND (? IS NULL OR r.state = ?) "
				     "ORDER BY r.updated_at DESC, r.id DESC",
			   &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, state);
	stmt_bind_text(st, 3, state);
	*items = json_array();
	while ((rc = stmt_step(st, err)) == 1)
		json_array_append_new(*items, item_of_row(st));
	stmt_free(st);
	if (rc < 0) {
		json_decref(*items);
		*items = NULL;
		return rc;
	}
	return MLC_OK;
}

int review_get(struct mlc_store *s, int64_t tenant_id, int64_t id, json_t **item,
	       struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	*item = NULL;
	rc = store_prepare(s, ITEM_COLS "WHERE r.tenant_id = ? AND r.id = ?", &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_i64(st, 2, id);
	rc = stmt_step(st, err);
	if (rc == 1)
		*item = item_of_row(st);
	stmt_free(st);
	if (rc == 0)
		return error_set(err, MLC_ENOTFOUND, "no review item %lld", (long long)id);
	return rc < 0 ? rc : MLC_OK;
}
