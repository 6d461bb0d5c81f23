#include <stdlib.h>
#include <string.h>

#include "core/jobs.h"
#include "util/time.h"
#include "util/banned.h"

void job_release(struct mlc_job *j)
{
	if (!j)
		return;
	free(j->kind);
	json_decref(j->payload);
	memset(j, 0, sizeof(*j));
}

int job_enqueue(struct mlc_store *s, int64_t tenant_id, const char *kind, const json_t *payload,
		const char *dedupe_key, int64_t run_at_ms, int64_t *id, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	char *text = payload ? json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int64_t now = time_now_ms();
	int rc;

	*id = 0;
	rc = store_prepare(
	    s,
	    "INSERT INTO jobs (tenant_id, kind, payload, dedupe_key, run_at, "
	    "created_at, updated_at, serial_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?4) "
	    "ON CONFLICT (dedupe_key) DO UPDATE SET run_at = CASE WHEN excluded.run_at < "
	    "jobs.run_at THEN excluded.run_at ELSE jobs.run_at END RETURNING id",
	    &st, err);
	if (rc == MLC_OK) {
		stmt_bind_opt_id(st, 1, tenant_id);
		stmt_bind_text(st, 2, kind);
		stmt_bind_text(st, 3, text ? text : "{}");
		stmt_bind_text(st, 4, dedupe_key);
		stmt_bind_i64(st, 5, run_at_ms);
		stmt_bind_i64(st, 6, now);
		stmt_bind_i64(st, 7, now);
		rc = stmt_step(st, err);
		if (rc == 1) {
			*id = stmt_col_i64(st, 0);
			rc = MLC_OK;
		}
		stmt_free(st);
	}
	free(text);
	return rc < 0 ? rc : MLC_OK;
}

/* Fills job from a leasing statement's RETURNING row. */
static void lease_row(struct mlc_stmt *st, struct mlc_job *job)
{
	json_error_t jerr;

	job->id = stmt_col_i64(st, 0);
	job->tenant_id = stmt_col_i64(st, 1);
	job->kind = stmt_col_dup(st, 2);
	job->payload = json_loads(stmt_col_text(st, 3), 0, &jerr);
	if (!job->payload)
		job->payload = json_object();
	job->attempts = (int)stmt_col_i64(st, 4);
	job->max_attempts = (int)stmt_col_i64(st, 5);
	job->lease_until = stmt_col_i64(st, 6);
}

/* The ready condition of a job j at the time parameter N, for lease_pg. */
#define JOB_READY(N)                                                                               \
	"((j.state = 'queued' AND j.run_at <= " N ")"                                              \
	" OR (j.state = 'running' AND j.lease_until < " N "))"                                     \
	" AND (j.serial_key IS NULL OR NOT EXISTS (SELECT 1 FROM jobs r WHERE"                     \
	"  r.serial_key = j.serial_key AND r.id <> j.id AND r.state = 'running'"                   \
	"  AND r.lease_until >= " N "))"

/*
 * PostgreSQL (issue 22): many processes share the queue.  The candidate is
 * picked with FOR UPDATE SKIP LOCKED, so concurrent workers take different
 * rows instead of queueing behind one; the claim runs in the same
 * transaction, with the ready condition checked again.  Under READ
 * COMMITTED two workers could each claim a different job of one serial key
 * (neither sees the other's uncommitted claim), so the claim first takes a
 * transaction-level advisory lock on the key: the second waits for the
 * first's commit, and its re-check then sees the running twin.
 */
static const char pick_sql[] = "SELECT j.id, j.serial_key FROM jobs j WHERE " JOB_READY(
    "?1") " ORDER BY j.priority DESC, j.run_at, j.id LIMIT 1 FOR UPDATE OF j SKIP LOCKED";

static const char claim_sql[] =
    "UPDATE jobs SET state = 'running', lease_owner = ?1, lease_until = ?2, "
    "attempts = attempts + 1, updated_at = ?3, dedupe_key = NULL WHERE id = ?4 AND EXISTS ("
    "SELECT 1 FROM jobs j WHERE j.id = ?4 AND " JOB_READY(
	"?3") ") RETURNING id, tenant_id, kind, payload, attempts, max_attempts, lease_until";

static int lease_pg(struct mlc_store *s, const char *owner, int64_t now_ms, int64_t lease_ms,
		    struct mlc_job *job, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int64_t id = 0;
	char *key = NULL;
	int rc = store_begin(s, err);

	if (rc < 0)
		return rc;
	rc = store_prepare(s, pick_sql, &st, err);
	if (rc < 0)
		goto out;
	stmt_bind_i64(st, 1, now_ms);
	rc = stmt_step(st, err);
	if (rc == 1) {
		id = stmt_col_i64(st, 0);
		key = stmt_col_dup(st, 1);
	}
	stmt_free(st);
	st = NULL;
	if (rc <= 0)
		goto out;
	if (key) {
		/* 22: the two-key space, apart from the scheduler's one-key lock */
		rc = store_prepare(s, "SELECT pg_advisory_xact_lock(22, hashtext(?))", &st, err);
		if (rc < 0)
			goto out;
		stmt_bind_text(st, 1, key);
		rc = stmt_step(st, err);
		stmt_free(st);
		st = NULL;
		if (rc < 0)
			goto out;
	}
	rc = store_prepare(s, claim_sql, &st, err);
	if (rc < 0)
		goto out;
	stmt_bind_text(st, 1, owner);
	stmt_bind_i64(st, 2, now_ms + lease_ms);
	stmt_bind_i64(st, 3, now_ms);
	stmt_bind_i64(st, 4, id);
	rc = stmt_step(st, err);
	if (rc == 1)
		lease_row(st, job);
	stmt_free(st);
	st = NULL;
out:
	free(key);
	if (rc >= 0) {
		int c = store_commit(s, err);
		rc = c < 0 ? c : rc;
	} else {
		store_rollback(s);
	}
	if (rc < 0)
		job_release(job);
	return rc;
}

int job_lease(struct mlc_store *s, const char *owner, int64_t now_ms, int64_t lease_ms,
	      struct mlc_job *job, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	memset(job, 0, sizeof(*job));
	if (strcmp(store_backend(s), "postgres") == 0)
		return lease_pg(s, owner, now_ms, lease_ms, job, err);
	/* One statement: the store's write lock (SQLite) or row lock makes the
	 * pick-and-claim atomic, so two workers never take the same job. */
	rc = store_prepare(
	    s,
	    "UPDATE jobs SET state = 'running', lease_owner = ?, lease_until = ?, "
	    "attempts = attempts + 1, updated_at = ?, dedupe_key = NULL WHERE id = ("
	    " SELECT j.id FROM jobs j WHERE ((j.state = 'queued' AND j.run_at <= ?4)"
	    " OR (j.state = 'running' AND j.lease_until < ?5))"
	    /* one run per serial key at a time: a job queued while its
	     * twin runs waits for it (and its dedupe key is free again, so
	     * events arriving during a run cause one more run) */
	    " AND (j.serial_key IS NULL OR NOT EXISTS (SELECT 1 FROM jobs r WHERE"
	    "  r.serial_key = j.serial_key AND r.id <> j.id AND r.state = 'running'"
	    "  AND r.lease_until >= ?5))"
	    " ORDER BY j.priority DESC, j.run_at, j.id LIMIT 1) "
	    "RETURNING id, tenant_id, kind, payload, attempts, max_attempts, lease_until",
	    &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_text(st, 1, owner);
	stmt_bind_i64(st, 2, now_ms + lease_ms);
	stmt_bind_i64(st, 3, now_ms);
	stmt_bind_i64(st, 4, now_ms);
	stmt_bind_i64(st, 5, now_ms);
	rc = stmt_step(st, err);
	if (rc == 1)
		lease_row(st, job);
	stmt_free(st);
	return rc;
}

/* Runs an UPDATE on a job held by owner; MLC_ESTATE if it is not held. */
static int owned_update(struct mlc_store *s, const char *sql, int64_t id, const char *owner,
			const char *text, int64_t num, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc = store_prepare(s, sql, &st, err);

	if (rc < 0)
		return rc;
	stmt_bind_text(st, 1, text);
	stmt_bind_i64(st, 2, num);
	stmt_bind_i64(st, 3, time_now_ms());
	stmt_bind_i64(st, 4, id);
	stmt_bind_text(st, 5, owner);
	rc = stmt_step(st, err);
	stmt_free(st);
	if (rc < 0)
		return rc;
	if (store_changes(s) == 0)
		return error_set(err, MLC_ESTATE, "job %lld is not leased by %s", (long long)id,
				 owner);
	return MLC_OK;
}

int job_complete(struct mlc_store *s, int64_t id, const char *owner, struct mlc_error *err)
{
	return owned_update(s,
			    "UPDATE jobs SET state = 'done', last_error = ?, lease_until = ?, "
			    "dedupe_key = NULL, lease_owner = NULL, updated_at = ? "
			    "WHERE id = ? AND lease_owner = ? AND state = 'running'",
			    id, owner, NULL, 0, err);
}

int job_fail(struct mlc_store *s, int64_t id, const char *owner, const char *error,
	     int64_t retry_at_ms, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	rc = store_begin(s, err);
	if (rc < 0)
		return rc;
	/*
	 * A retry takes its dedupe key back (issue 21, item 15): without it
	 * every enqueue during the backoff added one more job for the same
	 * flow, and they piled up through an outage.  A twin queued while this
	 * one ran (the key was free then) folds into the retry: one queued job
	 * per key.
	 */
	if (retry_at_ms >= 0) {
		rc = store_prepare(
		    s,
		    "DELETE FROM jobs WHERE state = 'queued' AND dedupe_key = ("
		    "SELECT serial_key FROM jobs WHERE id = ?1 AND lease_owner = ?2 AND "
		    "state = 'running' AND attempts < max_attempts)",
		    &st, err);
		if (rc < 0)
			goto out;
		stmt_bind_i64(st, 1, id);
		stmt_bind_text(st, 2, owner);
		rc = stmt_step(st, err);
		stmt_free(st);
		st = NULL;
		if (rc < 0)
			goto out;
	}
	/* dead when permanent or out of attempts; else queued again */
	rc = store_prepare(s,
			   "UPDATE jobs SET last_error = ?1, "
			   "state = CASE WHEN ?2 < 0 OR attempts >= max_attempts THEN 'dead' "
			   "ELSE 'queued' END, "
			   "run_at = CASE WHEN ?2 < 0 THEN run_at ELSE ?2 END, "
			   "dedupe_key = CASE WHEN ?2 < 0 OR attempts >= max_attempts THEN NULL "
			   "ELSE serial_key END, "
			   "lease_owner = NULL, lease_until = NULL, updated_at = ?3 "
			   "WHERE id = ?4 AND lease_owner = ?5 AND state = 'running'",
			   &st, err);
	if (rc < 0)
		goto out;
	stmt_bind_text(st, 1, error);
	stmt_bind_i64(st, 2, retry_at_ms);
	stmt_bind_i64(st, 3, time_now_ms());
	stmt_bind_i64(st, 4, id);
	stmt_bind_text(st, 5, owner);
	rc = stmt_step(st, err);
	stmt_free(st);
	st = NULL;
	if (rc < 0)
		goto out;
	if (store_changes(s) == 0) {
		rc = error_set(err, MLC_ESTATE, "job %lld is not leased by %s", (long long)id,
			       owner);
		goto out;
	}
	rc = MLC_OK;
out:
	if (rc < 0)
		store_rollback(s);
	else
		rc = store_commit(s, err);
	return rc;
}

int job_extend(struct mlc_store *s, int64_t id, const char *owner, int64_t lease_until_ms,
	       struct mlc_error *err)
{
	return owned_update(s,
			    /* ?1 (text) is not used here */
			    "UPDATE jobs SET lease_until = ?2, updated_at = ?3 "
			    "WHERE id = ?4 AND lease_owner = ?5 AND state = 'running'",
			    id, owner, NULL, lease_until_ms, err);
}

int job_release_lease(struct mlc_store *s, int64_t id, const char *owner, struct mlc_error *err)
{
	return owned_update(s,
			    "UPDATE jobs SET state = 'queued', attempts = CASE WHEN attempts > 0 "
			    "THEN attempts - 1 ELSE 0 END, "
			    "lease_owner = ?, lease_until = ?, updated_at = ? "
			    "WHERE id = ? AND lease_owner = ?5 AND state = 'running'",
			    id, owner, NULL, 0, err);
}

int job_requeue(struct mlc_store *s, int64_t id, int64_t now_ms, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc = store_prepare(s,
			       "UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?, "
			       "last_error = NULL, updated_at = ? WHERE id = ? AND state = 'dead'",
			       &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, now_ms);
	stmt_bind_i64(st, 2, now_ms);
	stmt_bind_i64(st, 3, id);
	rc = stmt_step(st, err);
	stmt_free(st);
	if (rc < 0)
		return rc;
	if (store_changes(s) == 0)
		return error_set(err, MLC_ENOTFOUND, "job %lld is not in the dead-letter list",
				 (long long)id);
	return MLC_OK;
}

int job_count(struct mlc_store *s, const char *state, int64_t *n, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc = store_prepare(s, "SELECT count(*) FROM jobs WHERE state = ?", &st, err);

	*n = 0;
	if (rc < 0)
		return rc;
	stmt_bind_text(st, 1, state);
	rc = stmt_step(st, err);
	if (rc == 1)
		*n = stmt_col_i64(st, 0);
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}
