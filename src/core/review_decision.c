/*
 * Decisions on review items (core/review.h): stored per tenant, entity
 * and source record, with who and why, and applied by the flow that
 * parked the record.
 */
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/review.h"
#include "util/buf.h"
#include "util/time.h"
#include "util/banned.h"

void review_decision_release(struct review_decision *d)
{
	if (!d)
		return;
	free(d->flow);
	free(d->entity);
	free(d->source_ref);
	free(d->action);
	free(d->arg);
	free(d->by);
	free(d->why);
	free(d->state);
	memset(d, 0, sizeof(*d));
}

json_t *review_decision_json(const struct review_decision *d)
{
	char when[MLC_TIME_FMT_MAX];
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "action", d->action, "by", d->by, "why",
			      d->why, "state", d->state);

	if (d->arg)
		json_object_set_new(o, "arg", json_string(d->arg));
	time_format_rfc3339(d->created_at, when);
	json_object_set_new(o, "decided_at", json_string(when));
	if (d->applied_at) {
		time_format_rfc3339(d->applied_at, when);
		json_object_set_new(o, "applied_at", json_string(when));
	}
	return o;
}

static int store_decision(struct mlc_store *s, int64_t tenant_id, const json_t *item,
			  const char *action, const char *arg, const char *by, const char *why,
			  struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc = store_prepare(
	    s,
	    "INSERT INTO review_decision (tenant_id, review_id, flow, entity, source_ref, action, "
	    "arg, decided_by, why, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "'pending', ?) ON CONFLICT (tenant_id, entity, source_ref) DO UPDATE SET "
	    "review_id = excluded.review_id, flow = excluded.flow, action = excluded.action, "
	    "arg = excluded.arg, decided_by = excluded.decided_by, why = excluded.why, "
	    "state = 'pending', created_at = excluded.created_at, applied_at = NULL",
	    &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_i64(st, 2, json_integer_value(json_object_get(item, "id")));
	stmt_bind_text(st, 3, json_string_value(json_object_get(item, "flow")));
	stmt_bind_text(st, 4, json_string_value(json_object_get(item, "entity")));
	stmt_bind_text(st, 5, json_string_value(json_object_get(item, "source_ref")));
	stmt_bind_text(st, 6, action);
	stmt_bind_text(st, 7, arg);
	stmt_bind_text(st, 8, by);
	stmt_bind_text(st, 9, why);
	stmt_bind_i64(st, 10, time_now_ms());
	rc = stmt_step(st, err);
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

static int audit_decision(struct mlc_store *s, int64_t tenant_id, const json_t *item,
			  const char *action, const char *arg, const char *by, const char *why,
			  struct mlc_error *err)
{
	struct mlc_buf summary = MLC_BUF_INIT;
	json_t *payload = json_pack("{s:s, s:s, s:s}", "action", action, "by", by, "why", why);
	int rc;

	if (arg)
		json_object_set_new(payload, "arg", json_string(arg));
	buf_addf(&summary, "review resolve %lld --%s%s%s by %s",
		 (long long)json_integer_value(json_object_get(item, "id")), action, arg ? " " : "",
		 arg ? arg : "", by);
	struct mlc_audit_rec rec = {
	    .tenant_id = tenant_id,
	    .flow = json_string_value(json_object_get(item, "flow")),
	    .entity = json_string_value(json_object_get(item, "entity")),
	    .action = "resolve",
	    .source_ref = json_string_value(json_object_get(item, "source_ref")),
	    .request_summary = summary.data,
	    .result = "ok",
	    .attempt = 1,
	    .payload = payload,
	};
	rc = audit_write(s, &rec, err);
	buf_release(&summary);
	json_decref(payload);
	return rc;
}

int review_decide(struct mlc_store *s, int64_t tenant_id, const json_t *item, const char *action,
		  const char *arg, const char *by, const char *why, struct mlc_error *err)
{
	const char *entity = json_string_value(json_object_get(item, "entity"));
	const char *src = json_string_value(json_object_get(item, "source_ref"));
	int rc;

	if (!by || !*by || !why || !*why)
		return error_set(err, MLC_EINVAL, "a decision needs who (--by) and why (--why)");
	if (!entity || !src || !json_string_value(json_object_get(item, "flow")))
		return error_set(err, MLC_EINVAL, "not a review item");
	rc = store_begin(s, err);
	if (rc < 0)
		return rc;
	rc = store_decision(s, tenant_id, item, action, arg, by, why, err);
	if (rc == MLC_OK)
		rc = review_resolve(s, tenant_id, entity, src, err);
	if (rc == MLC_OK)
		rc = audit_decision(s, tenant_id, item, action, arg, by, why, err);
	if (rc < 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, err);
}

int review_decision_get(struct mlc_store *s, int64_t tenant_id, const char *entity,
			const char *source_ref, struct review_decision *d, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	memset(d, 0, sizeof(*d));
	rc = store_prepare(
	    s,
	    "SELECT id, review_id, flow, entity, source_ref, action, arg, decided_by, "
	    "why, state, created_at, applied_at FROM review_decision WHERE "
	    "tenant_id = ? AND entity = ? AND source_ref = ?",
	    &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, entity);
	stmt_bind_text(st, 3, source_ref);
	rc = stmt_step(st, err);
	if (rc == 1) {
		d->id = stmt_col_i64(st, 0);
		d->review_id = stmt_col_i64(st, 1);
		d->flow = xstrdup(stmt_col_text(st, 2));
		d->entity = xstrdup(stmt_col_text(st, 3));
		d->source_ref = xstrdup(stmt_col_text(st, 4));
		d->action = xstrdup(stmt_col_text(st, 5));
		d->arg = stmt_col_is_null(st, 6) ? NULL : xstrdup(stmt_col_text(st, 6));
		d->by = xstrdup(stmt_col_text(st, 7));
		d->why = xstrdup(stmt_col_text(st, 8));
		d->state = xstrdup(stmt_col_text(st, 9));
		d->created_at = stmt_col_i64(st, 10);
		d->applied_at = stmt_col_is_null(st, 11) ? 0 : stmt_col_i64(st, 11);
	}
	stmt_free(st);
	if (rc == 0)
		return MLC_ENOTFOUND;
	return rc < 0 ? rc : MLC_OK;
}

int review_decision_mark(struct mlc_store *s, int64_t tenant_id, const char *entity,
			 const char *source_ref, const char *state, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc =
	    store_prepare(s,
			  "UPDATE review_decision SET state = ?, applied_at = ? WHERE "
			  "tenant_id = ? AND entity = ? AND source_ref = ? AND state = 'pending'",
			  &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_text(st, 1, state);
	stmt_bind_i64(st, 2, time_now_ms());
	stmt_bind_i64(st, 3, tenant_id);
	stmt_bind_text(st, 4, entity);
	stmt_bind_text(st, 5, source_ref);
	rc = stmt_step(st, err);
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

int review_decisions_pending(struct mlc_store *s, int64_t tenant_id, const char *flow, int64_t *n,
			     struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc = store_prepare(s,
			       "SELECT COUNT(*) FROM review_decision WHERE tenant_id = ? AND "
			       "flow = ? AND state = 'pending'",
			       &st, err);

	*n = 0;
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, flow);
	rc = stmt_step(st, err);
	if (rc == 1)
		*n = stmt_col_i64(st, 0);
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

int review_open_refs(struct mlc_store *s, int64_t tenant_id, json_t **refs, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	struct mlc_buf key = MLC_BUF_INIT;
	int rc =
	    store_prepare(s,
			  "SELECT entity, source_ref FROM review WHERE tenant_id = ? AND "
			  "state = 'open' UNION SELECT entity, source_ref FROM review_decision "
			  "WHERE tenant_id = ? AND state = 'pending'",
			  &st, err);

	*refs = NULL;
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_i64(st, 2, tenant_id);
	*refs = json_object();
	while ((rc = stmt_step(st, err)) == 1) {
		buf_reset(&key);
		buf_addf(&key, "%s %s", stmt_col_text(st, 0), stmt_col_text(st, 1));
		json_object_set_new(*refs, key.data, json_true());
	}
	stmt_free(st);
	buf_release(&key);
	if (rc < 0) {
		json_decref(*refs);
		*refs = NULL;
		return rc;
	}
	return MLC_OK;
}
