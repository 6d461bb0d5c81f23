#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/run_owner.h"
#include "net/http_note.h"
#include "util/buf.h"
#include "util/time.h"
#include "util/banned.h"

int audit_write(struct mlc_store *s, const struct mlc_audit_rec *r, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	char *payload = r->payload ? json_dumps(r->payload, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int rc;

	rc = store_prepare(
	    s,
	    "INSERT INTO audit (tenant_id, run_id, flow, entity, action, source_ref, "
	    "target_ref, request_summary, result, error, attempt, payload, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    &st, err);
	if (rc == MLC_OK) {
		stmt_bind_i64(st, 1, r->tenant_id);
		stmt_bind_opt_id(st, 2, r->run_id);
		stmt_bind_text(st, 3, r->flow);
		stmt_bind_text(st, 4, r->entity);
		stmt_bind_text(st, 5, r->action);
		stmt_bind_text(st, 6, r->source_ref);
		stmt_bind_text(st, 7, r->target_ref);
		stmt_bind_text(st, 8, r->request_summary);
		stmt_bind_text(st, 9, r->result);
		stmt_bind_text(st, 10, r->error);
		stmt_bind_i64(st, 11, r->attempt > 0 ? r->attempt : 1);
		stmt_bind_text(st, 12, payload);
		stmt_bind_i64(st, 13, time_now_ms());
		rc = stmt_step(st, err);
		stmt_free(st);
	}
	free(payload);
	/* a run that writes shows life (core/run_owner.h); best effort: the
	 * row is written either way */
	if (rc >= 0 && r->run_id) {
		struct mlc_error herr = {0};
		if (run_heartbeat(s, r->run_id, &herr) < 0)
			rc = MLC_OK;
	}
	return rc < 0 ? rc : MLC_OK;
}

static void set_text(json_t *o, const char *key, struct mlc_stmt *st, int col)
{
	if (!stmt_col_is_null(st, col))
		json_object_set_new(o, key, json_string(stmt_col_text(st, col)));
}

#define AUDIT_COLS                                                                                 \
	"id, run_id, flow, entity, action, source_ref, target_ref, request_summary, result, "      \
	"error, attempt, payload, created_at, tenant_id"

static json_t *audit_row(struct mlc_stmt *st)
{
	json_t *o = json_object();
	char when[MLC_TIME_FMT_MAX];
	json_error_t jerr;

	json_object_set_new(o, "id", json_integer(stmt_col_i64(st, 0)));
	if (!stmt_col_is_null(st, 1))
		json_object_set_new(o, "run_id", json_integer(stmt_col_i64(st, 1)));
	set_text(o, "flow", st, 2);
	set_text(o, "entity", st, 3);
	set_text(o, "action", st, 4);
	set_text(o, "source_ref", st, 5);
	set_text(o, "target_ref", st, 6);
	set_text(o, "request_summary", st, 7);
	set_text(o, "result", st, 8);
	set_text(o, "error", st, 9);
	json_object_set_new(o, "attempt", json_integer(stmt_col_i64(st, 10)));
	if (!stmt_col_is_null(st, 11)) {
		json_t *p = json_loads(stmt_col_text(st, 11), 0, &jerr);
		if (p)
			json_object_set_new(o, "payload", p);
	}
	time_format_rfc3339(stmt_col_i64(st, 12), when);
	json_object_set_new(o, "created_at", json_string(when));
	json_object_set_new(o, "tenant_id", json_integer(stmt_col_i64(st, 13)));
	return o;
}

int audit_get(struct mlc_store *s, int64_t id, json_t **row, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc = store_prepare(s, "SELECT " AUDIT_COLS " FROM audit WHERE id = ?", &st, err);

	*row = NULL;
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, id);
	rc = stmt_step(st, err);
	if (rc == 1) {
		*row = audit_row(st);
		rc = MLC_OK;
	} else if (rc == 0) {
		rc = error_set(err, MLC_ENOTFOUND, "no audit row %lld", (long long)id);
	}
	stmt_free(st);
	return rc;
}

int run_list(struct mlc_store *s, int64_t tenant_id, int limit, json_t **runs,
	     struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	json_error_t jerr;
	int rc = store_prepare(s,
			       "SELECT id, flow, trigger, status, stats, started_at, finished_at "
			       "FROM runs WHERE tenant_id = ? ORDER BY id DESC LIMIT ?",
			       &st, err);

	*runs = NULL;
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_i64(st, 2, limit > 0 ? limit : 50);
	*runs = json_array();
	while ((rc = stmt_step(st, err)) == 1) {
		char a[MLC_TIME_FMT_MAX], b[MLC_TIME_FMT_MAX];
		json_t *stats = json_loads(stmt_col_text(st, 4), 0, &jerr);
		time_format_rfc3339(stmt_col_i64(st, 5), a);
		json_t *o = json_pack(
		    "{s:I, s:s, s:s, s:s, s:o, s:s}", "id", (json_int_t)stmt_col_i64(st, 0), "flow",
		    stmt_col_text(st, 1), "trigger", stmt_col_text(st, 2), "status",
		    stmt_col_text(st, 3), "stats", stats ? stats : json_object(), "started_at", a);
		if (!stmt_col_is_null(st, 6)) {
			time_format_rfc3339(stmt_col_i64(st, 6), b);
			json_object_set_new(o, "finished_at", json_string(b));
		}
		json_array_append_new(*runs, o);
	}
	stmt_free(st);
	if (rc < 0) {
		json_decref(*runs);
		*runs = NULL;
		return rc;
	}
	return MLC_OK;
}

int audit_query(struct mlc_store *s, int64_t tenant_id, const struct mlc_audit_filter *f,
		json_t **rows, struct mlc_error *err)
{
	struct mlc_buf sql = MLC_BUF_INIT;
	struct mlc_stmt *st = NULL;
	const char *texts[4] = {f->flow, f->entity, f->source_ref, f->result};
	const char *cols[4] = {"flow", "entity", "source_ref", "result"};
	int rc, idx = 2;

	*rows = NULL;
	buf_addstr(&sql, "SELECT " AUDIT_COLS " FROM audit WHERE tenant_id = ?");
	for (int i = 0; i < 4; i++)
		if (texts[i])
			buf_addf(&sql, " AND %s = ?", cols[i]);
	if (f->since_ms)
		buf_addstr(&sql, " AND created_at >= ?");
	buf_addstr(&sql, " ORDER BY id DESC LIMIT ?");
	rc = store_prepare(s, sql.data, &st, err);
	buf_release(&sql);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	for (int i = 0; i < 4; i++)
		if (texts[i])
			stmt_bind_text(st, idx++, texts[i]);
	if (f->since_ms)
		stmt_bind_i64(st, idx++, f->since_ms);
	stmt_bind_i64(st, idx, f->limit > 0 ? f->limit : 100);
	*rows = json_array();
	while ((rc = stmt_step(st, err)) == 1)
		json_array_append_new(*rows, audit_row(st));
	stmt_free(st);
	if (rc < 0) {
		json_decref(*rows);
		*rows = NULL;
		return rc;
	}
	return MLC_OK;
}

int run_start(struct mlc_store *s, int64_t tenant_id, const char *flow, const char *trigger,
	      int64_t *run_id, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	char host[RUN_HOST_MAX];
	int64_t pid, now = time_now_ms();
	int rc;

	/* no write an earlier run of this thread sent goes into this run's audit */
	http_write_note_clear();
	run_owner_self(host, &pid);
	rc = store_prepare(s,
			   "INSERT INTO runs (tenant_id, flow, trigger, started_at, owner_host, "
			   "owner_pid, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
			   &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, flow);
	stmt_bind_text(st, 3, trigger);
	stmt_bind_i64(st, 4, now);
	stmt_bind_text(st, 5, host);
	stmt_bind_i64(st, 6, pid);
	stmt_bind_i64(st, 7, now);
	rc = stmt_step(st, err);
	if (rc == 1) {
		*run_id = stmt_col_i64(st, 0);
		rc = MLC_OK;
	} else if (rc == 0) {
		rc = error_set(err, MLC_ESTORE, "run insert returned no id");
	}
	stmt_free(st);
	return rc;
}

int run_finish(struct mlc_store *s, int64_t run_id, const char *status, const json_t *stats,
	       struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	char *text = stats ? json_dumps(stats, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int rc;

	rc = store_prepare(s, "UPDATE runs SET status = ?, stats = ?, finished_at = ? WHERE id = ?",
			   &st, err);
	if (rc == MLC_OK) {
		stmt_bind_text(st, 1, status);
		stmt_bind_text(st, 2, text ? text : "{}");
		stmt_bind_i64(st, 3, time_now_ms());
		stmt_bind_i64(st, 4, run_id);
		rc = stmt_step(st, err);
		stmt_free(st);
	}
	free(text);
	return rc < 0 ? rc : MLC_OK;
}

int audit_prune(struct mlc_store *s, int64_t before_ms, int64_t *deleted, struct mlc_error *err)
{
	int64_t batches = 0;

	return audit_prune_batched(s, before_ms, AUDIT_PRUNE_BATCH, deleted, &batches, err);
}

int audit_prune_batched(struct mlc_store *s, int64_t before_ms, int64_t batch_rows,
			int64_t *deleted, int64_t *batches, struct mlc_error *err)
{
	/* each statement deletes at most ?2 rows, found by the index on the
	 * column it filters on (migration 7) */
	static const char *const sql[] = {
	    "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE created_at < ?1 LIMIT ?2)",
	    "DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE finished_at IS NOT NULL AND "
	    "finished_at < ?1 LIMIT ?2)",
	    "DELETE FROM inbox WHERE id IN (SELECT id FROM inbox WHERE received_at < ?1 AND "
	    "state <> 'new' LIMIT ?2)",
	};
	int rc = MLC_OK;

	*deleted = 0;
	*batches = 0;
	if (batch_rows <= 0)
		batch_rows = AUDIT_PRUNE_BATCH;
	for (size_t i = 0; i < MLC_ARRAY_LEN(sql); i++) {
		int64_t gone;
		do {
			/* one short transaction per batch: webhooks and workers
			 * write in between instead of waiting for the whole prune */
			struct mlc_stmt *st = NULL;
			rc = store_begin(s, err);
			if (rc < 0)
				return rc;
			rc = store_prepare(s, sql[i], &st, err);
			if (rc == MLC_OK) {
				stmt_bind_i64(st, 1, before_ms);
				stmt_bind_i64(st, 2, batch_rows);
				rc = stmt_step(st, err);
				stmt_free(st);
			}
			if (rc < 0) {
				store_rollback(s);
				return rc;
			}
			gone = store_changes(s);
			rc = store_commit(s, err);
			if (rc < 0)
				return rc;
			*deleted += gone;
			(*batches)++;
		} while (gone >= batch_rows);
	}
	return MLC_OK;
}

bool audit_rec_take_write(struct mlc_audit_rec *rec, struct mlc_buf *summary)
{
	struct mlc_http_write_note note;

	if (!http_write_note_take(&note))
		return false;
	buf_reset(summary);
	buf_addstr(summary, note.summary);
	if (note.retried[0])
		buf_addf(summary, "; retried %s", note.retried);
	rec->attempt = note.attempts;
	rec->request_summary = summary->data;
	return true;
}
