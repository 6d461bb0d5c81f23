#include <stdio.h>
#include <string.h>

#include "sandbox/nssim.h"
#include "util/num.h"
#include "util/banned.h"

/*
 * Asynchronous record writes (docs/reference/netsuite.md "Async"): `Prefer: respond-async`
 * answers 202 with Location /services/rest/async/v1/job/<id>; the header
 * X-NetSuite-Idempotency-Key makes a retried request safe: a key seen
 * before is refused with 400 IDEMPOTENCY_ERROR instead of writing twice.
 * The simulator runs the write at once and keeps its outcome in the
 * private _asyncjob table, so the job is always complete when asked.
 */

int nsasync_create_table(sqlite3 *db, struct mlc_error *err)
{
	return nsdb_exec(db,
			 "CREATE TABLE IF NOT EXISTS _asyncjob (id INTEGER PRIMARY KEY, "
			 "idem_key TEXT UNIQUE, status INTEGER, location TEXT, body TEXT, "
			 "created TEXT, completed TEXT)",
			 err);
}

/* Returns true when the key was already used (and fills r with the error). */
bool nsasync_key_used(struct nssim *ns, const char *key, struct ns_result *r)
{
	int64_t n;

	if (!key || !*key)
		return false;
	pthread_mutex_lock(&ns->db_lock);
	n = nsdb_int(ns->db, "SELECT COUNT(*) FROM _asyncjob WHERE idem_key = ?", key, 0);
	pthread_mutex_unlock(&ns->db_lock);
	if (n == 0)
		return false;
	ns_result_error(r, 400, "IDEMPOTENCY_ERROR", NULL,
			"A request with the idempotency key '%s' has already been processed.", key);
	return true;
}

int64_t nsasync_record(struct nssim *ns, const char *key, const struct ns_result *done)
{
	sqlite3_stmt *st = NULL;
	char now[32], *body = done->body ? json_dumps(done->body, JSON_COMPACT) : NULL;
	int64_t id = 0;

	nsdb_ts(nssim_now_ms(ns), now);
	pthread_mutex_lock(&ns->db_lock);
	if (sqlite3_prepare_v2(ns->db,
			       "INSERT INTO _asyncjob (idem_key, status, location, body, created, "
			       "completed) VALUES (?, ?, ?, ?, ?, ?)",
			       -1, &st, NULL) == SQLITE_OK) {
		if (key && *key)
			sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, done->status);
		sqlite3_bind_text(st, 3, done->location, -1, SQLITE_STATIC);
		if (body)
			sqlite3_bind_text(st, 4, body, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_DONE)
			id = sqlite3_last_insert_rowid(ns->db);
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&ns->db_lock);
	free(body);
	return id;
}

/*
 * GET /async/v1/job/{id}                    the job (always completed)
 * GET /async/v1/job/{id}/task/{task}/result the write's own response
 */
void nsasync_get(struct nssim *ns, const char *job, const char *task, bool result, const char *base,
		 struct ns_result *r, char *location, size_t location_n)
{
	struct mlc_error err;
	sqlite3_stmt *st = NULL;
	int64_t id = 0;
	char href[512];

	memset(r, 0, sizeof(*r));
	location[0] = '\0';
	if (num_parse_id(job, &id, &err) < 0 || (task && strcmp(task, job) != 0))
		id = 0;
	pthread_mutex_lock(&ns->db_lock);
	if (id && sqlite3_prepare_v2(ns->db,
				     "SELECT status, location, body, created, completed FROM "
				     "_asyncjob WHERE id = ?",
				     -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) != SQLITE_ROW)
			id = 0;
	}
	if (!id) {
		ns_result_error(r, 404, "NONEXISTENT_ID", NULL, "The async job %s does not exist.",
				job);
		goto out;
	}
	if (result) {
		const char *body = (const char *)sqlite3_column_text(st, 2);
		r->status = sqlite3_column_int(st, 0);
		r->body = body ? json_loads(body, 0, NULL) : NULL;
		snprintf(location, location_n, "%s",
			 sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1)
						    : "");
		goto out;
	}
	snprintf(href, sizeof(href), "%s/services/rest/async/v1/job/%lld/task", base,
		 (long long)id);
	r->status = 200;
	r->body = json_pack("{s:[{s:s,s:s}],s:b,s:s,s:s,s:s,s:s,s:{s:[{s:s,s:s}]}}", "links", "rel",
			    "self", "href", href, "completed", 1, "createdTime",
			    (const char *)sqlite3_column_text(st, 3), "completedTime",
			    (const char *)sqlite3_column_text(st, 4), "id", job, "progress",
			    sqlite3_column_int(st, 0) < 300 ? "succeeded" : "failed", "task",
			    "links", "rel", "related", "href", href);
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&ns->db_lock);
}
