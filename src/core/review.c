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

int review_list(struct mlc_store *s, int64_t tenant_id, const char *state, json_t **items,
		struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	json_error_t jerr;
	int rc;

	*items = NULL;
	rc =
	    store_prepare(s,
			  "SELECT flow, entity, source_ref, reason, candidates, state, updated_at, "
			  "payload "
			  "FROM review WHERE tenant_id = ? AND (? IS NULL OR state = ?) "
			  "ORDER BY updated_at DESC, id DESC",
			  &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, state);
	stmt_bind_text(st, 3, state);
	*items = json_array();
	while ((rc = stmt_step(st, err)) == 1) {
		char when[MLC_TIME_FMT_MAX];
		json_t *o =
		    json_pack("{s:s, s:s, s:s, s:s, s:s}", "flow", stmt_col_text(st, 0), "entity",
			      stmt_col_text(st, 1), "source_ref", stmt_col_text(st, 2), "reason",
			      stmt_col_text(st, 3), "state", stmt_col_text(st, 5));
		if (!stmt_col_is_null(st, 4)) {
			json_t *c = json_loads(stmt_col_text(st, 4), 0, &jerr);
			if (c)
				json_object_set_new(o, "candidates", c);
		}
		if (!stmt_col_is_null(st, 7)) {
			json_t *p = json_loads(stmt_col_text(st, 7), 0, &jerr);
			if (p)
				json_object_set_new(o, "payload", p);
		}
		time_format_rfc3339(stmt_col_i64(st, 6), when);
		json_object_set_new(o, "updated_at", json_string(when));
		json_array_append_new(*items, o);
	}
	stmt_free(st);
	if (rc < 0) {
		json_decref(*items);
		*items = NULL;
		return rc;
	}
	return MLC_OK;
}
