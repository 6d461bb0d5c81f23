#include <stdlib.h>
#include <string.h>

#include "core/processes.h"
#include "util/time.h"
#include "util/banned.h"

int process_beat(struct mlc_store *s, const struct mlc_process *p, int64_t now_ms,
		 struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc = store_prepare(
	    s,
	    "INSERT INTO processes (owner, host, pid, started_at, heartbeat_at, jobs_running, "
	    "scheduler) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (owner) DO UPDATE SET "
	    "heartbeat_at = excluded.heartbeat_at, jobs_running = excluded.jobs_running, "
	    "scheduler = excluded.scheduler",
	    &st, err);

	if (rc < 0)
		return rc;
	stmt_bind_text(st, 1, p->id);
	stmt_bind_text(st, 2, p->host);
	stmt_bind_i64(st, 3, p->pid);
	stmt_bind_i64(st, 4, p->started_ms);
	stmt_bind_i64(st, 5, now_ms);
	stmt_bind_i64(st, 6, p->jobs_running);
	stmt_bind_i64(st, 7, p->scheduler ? 1 : 0);
	rc = stmt_step(st, err);
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

int process_remove(struct mlc_store *s, const char *id, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc = store_prepare(s, "DELETE FROM processes WHERE owner = ?", &st, err);

	if (rc < 0)
		return rc;
	stmt_bind_text(st, 1, id);
	rc = stmt_step(st, err);
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

int process_reap(struct mlc_store *s, int64_t now_ms, int64_t stale_ms, int64_t *gone,
		 struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc = store_prepare(s, "DELETE FROM processes WHERE heartbeat_at < ?", &st, err);

	if (gone)
		*gone = 0;
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, now_ms - stale_ms);
	rc = stmt_step(st, err);
	stmt_free(st);
	if (rc < 0)
		return rc;
	if (gone)
		*gone = store_changes(s);
	return MLC_OK;
}

int process_list_live(struct mlc_store *s, int64_t now_ms, int64_t stale_ms, json_t **out,
		      struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc = store_prepare(s,
			       "SELECT owner, host, pid, started_at, heartbeat_at, jobs_running, "
			       "scheduler FROM processes WHERE heartbeat_at >= ? "
			       "ORDER BY started_at, owner",
			       &st, err);

	*out = NULL;
	if (rc < 0)
		return rc;
	*out = json_array();
	stmt_bind_i64(st, 1, now_ms - stale_ms);
	while ((rc = stmt_step(st, err)) == 1) {
		char started[MLC_TIME_FMT_MAX];
		time_format_rfc3339(stmt_col_i64(st, 3), started);
		json_array_append_new(
		    *out, json_pack("{s:s, s:s, s:I, s:s, s:I, s:I, s:b}", "owner",
				    stmt_col_text(st, 0), "host", stmt_col_text(st, 1), "pid",
				    (json_int_t)stmt_col_i64(st, 2), "started_at", started,
				    "heartbeat_age_ms", (json_int_t)(now_ms - stmt_col_i64(st, 4)),
				    "jobs_running", (json_int_t)stmt_col_i64(st, 5), "scheduler",
				    stmt_col_i64(st, 6) != 0));
	}
	stmt_free(st);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return rc;
	}
	return MLC_OK;
}
