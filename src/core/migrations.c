#include <string.h>

#include "core/store.h"
#include "util/buf.h"
#include "util/time.h"
#include "util/banned.h"

/*
 * The schema, as an append-only list of migrations.  Never edit a released
 * migration: add a new one.  Times are BIGINT milliseconds since the epoch
 * (UTC) so both backends agree without date types.  Money is BIGINT cents.
 */
static const struct mlc_migration migrations[] = {
    {1, "initial schema",
     "CREATE TABLE tenants ("
     " id @ID@,"
     " name TEXT NOT NULL UNIQUE,"
     " procore_company_id BIGINT NOT NULL,"
     " netsuite_account TEXT NOT NULL,"
     " netsuite_url TEXT,"
     " procore_api_url TEXT,"
     " procore_auth_url TEXT,"
     " procore_env TEXT NOT NULL DEFAULT 'production',"
     " settings TEXT NOT NULL DEFAULT '{}',"
     " created_at BIGINT NOT NULL,"
     " updated_at BIGINT NOT NULL);"

     "CREATE TABLE project_links ("
     " id @ID@,"
     " tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
     " procore_project_id BIGINT NOT NULL,"
     " netsuite_job_id BIGINT NOT NULL,"
     " subsidiary_id BIGINT, department_id BIGINT, class_id BIGINT, location_id BIGINT,"
     " active INTEGER NOT NULL DEFAULT 1,"
     " created_at BIGINT NOT NULL,"
     " updated_at BIGINT NOT NULL,"
     " UNIQUE (tenant_id, procore_project_id),"
     " UNIQUE (tenant_id, netsuite_job_id));"

     /* Ciphertext only; key_id names the master key that sealed it. */
     "CREATE TABLE secrets ("
     " tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
     " name TEXT NOT NULL,"
     " key_id TEXT NOT NULL,"
     " nonce @BLOB@ NOT NULL,"
     " ciphertext @BLOB@ NOT NULL,"
     " updated_at BIGINT NOT NULL,"
     " PRIMARY KEY (tenant_id, name));"

     /* One row per synced record: both systems' keys and the hash of the
      * last version written, so unchanged records cost no call. */
     "CREATE TABLE id_map ("
     " tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
     " entity TEXT NOT NULL,"
     " netsuite_key TEXT,"
     " procore_key TEXT,"
     " content_hash TEXT,"
     " updated_at BIGINT NOT NULL,"
     " UNIQUE (tenant_id, entity, netsuite_key),"
     " UNIQUE (tenant_id, entity, procore_key));"

     /* Mapping tables: kind (cost_code_account, vendor, ...) -> source key ->
      * target as JSON, imported and exported as CSV. */
     "CREATE TABLE mappings ("
     " tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
     " kind TEXT NOT NULL,"
     " source_key TEXT NOT NULL,"
     " target TEXT NOT NULL,"
     " updated_at BIGINT NOT NULL,"
     " PRIMARY KEY (tenant_id, kind, source_key));"

     "CREATE TABLE watermarks ("
     " tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
     " flow TEXT NOT NULL,"
     " scope TEXT NOT NULL DEFAULT '',"
     " value TEXT NOT NULL,"
     " updated_at BIGINT NOT NULL,"
     " PRIMARY KEY (tenant_id, flow, scope));"

     /* The job queue: a worker leases a job until lease_until; an expired
      * lease makes the job takeable again. */
     "CREATE TABLE jobs ("
     " id @ID@,"
     " tenant_id BIGINT REFERENCES tenants(id) ON DELETE CASCADE,"
     " kind TEXT NOT NULL,"
     " payload TEXT NOT NULL DEFAULT '{}',"
     " dedupe_key TEXT UNIQUE,"
     " serial_key TEXT,"
     " state TEXT NOT NULL DEFAULT 'queued',"
     " priority INTEGER NOT NULL DEFAULT 0,"
     " run_at BIGINT NOT NULL,"
     " attempts INTEGER NOT NULL DEFAULT 0,"
     " max_attempts INTEGER NOT NULL DEFAULT 8,"
     " lease_owner TEXT,"
     " lease_until BIGINT,"
     " last_error TEXT,"
     " created_at BIGINT NOT NULL,"
     " updated_at BIGINT NOT NULL);"
     "CREATE INDEX jobs_ready ON jobs (state, run_at);"

     /* Webhook events, written before the HTTP 200 goes back. */
     "CREATE TABLE inbox ("
     " id @ID@,"
     " tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
     " source TEXT NOT NULL,"
     " event_key TEXT NOT NULL,"
     " payload TEXT NOT NULL,"
     " state TEXT NOT NULL DEFAULT 'new',"
     " received_at BIGINT NOT NULL,"
     " processed_at BIGINT,"
     " UNIQUE (tenant_id, source, event_key));"
     "CREATE INDEX inbox_state ON inbox (state, received_at);"

     "CREATE TABLE runs ("
     " id @ID@,"
     " tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
     " flow TEXT NOT NULL,"
     " trigger TEXT NOT NULL,"
     " status TEXT NOT NULL DEFAULT 'running',"
     " stats TEXT NOT NULL DEFAULT '{}',"
     " started_at BIGINT NOT NULL,"
     " finished_at BIGINT);"

     /* Every record movement: what, from, to, request summary, result. */
     "CREATE TABLE audit ("
     " id @ID@,"
     " tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
     " run_id BIGINT REFERENCES runs(id) ON DELETE SET NULL,"
     " flow TEXT NOT NULL,"
     " entity TEXT NOT NULL,"
     " action TEXT NOT NULL,"
     " source_ref TEXT,"
     " target_ref TEXT,"
     " request_summary TEXT,"
     " result TEXT NOT NULL,"
     " error TEXT,"
     " attempt INTEGER NOT NULL DEFAULT 1,"
     " payload TEXT,"
     " created_at BIGINT NOT NULL);"
     "CREATE INDEX audit_tenant_time ON audit (tenant_id, created_at);"
     "CREATE INDEX audit_source ON audit (tenant_id, entity, source_ref);"},
    {2, "review list and posting ledger",
     /* Records a flow could not move without a person: ambiguous vendor
      * matches, unmapped cost codes, closed-period edits on hold. */
     "CREATE TABLE review ("
     " id @ID@,"
     " tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
     " flow TEXT NOT NULL,"
     " entity TEXT NOT NULL,"
     " source_ref TEXT NOT NULL,"
     " reason TEXT NOT NULL,"
     " candidates TEXT,"
     " payload TEXT,"
     " state TEXT NOT NULL DEFAULT 'open',"
     " created_at BIGINT NOT NULL,"
     " updated_at BIGINT NOT NULL,"
     " UNIQUE (tenant_id, entity, source_ref));"
     "CREATE INDEX review_open ON review (tenant_id, state);"
     /* What was posted for each Procore line: in which entry and period,
      * to which account, how much.  Edits after close post the delta. */
     "CREATE TABLE postings ("
     " tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
     " source_ref TEXT NOT NULL,"
     " doc_ref TEXT NOT NULL,"
     " je_external_id TEXT NOT NULL,"
     " period TEXT NOT NULL,"
     " project_id BIGINT NOT NULL,"
     " doc_id BIGINT,"
     " doc_type TEXT,"
     " cost_code TEXT,"
     " cost_type TEXT,"
     " account BIGINT NOT NULL,"
     " amount BIGINT NOT NULL,"
     " posted_at BIGINT NOT NULL,"
     " PRIMARY KEY (tenant_id, source_ref, je_external_id));"
     "CREATE INDEX postings_doc ON postings (tenant_id, doc_ref);"},
    {3, "master data bases and account catalog",
     /* Master data both ways: per record, the values both systems last
      * agreed on, so a run can tell which side changed a field. */
     "CREATE TABLE md_base ("
     " tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
     " type TEXT NOT NULL,"
     " key TEXT NOT NULL,"
     " base TEXT NOT NULL,"
     " updated_at BIGINT NOT NULL,"
     " PRIMARY KEY (tenant_id, type, key));"
     /* The NetSuite chart of accounts as last read by the accounts flow. */
     "CREATE TABLE account_catalog ("
     " tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
     " account_id BIGINT NOT NULL,"
     " number TEXT,"
     " name TEXT NOT NULL,"
     " type TEXT NOT NULL,"
     " inactive INTEGER NOT NULL,"
     " summary INTEGER NOT NULL,"
     " subsidiaries TEXT,"
     " read_at BIGINT NOT NULL,"
     " PRIMARY KEY (tenant_id, account_id));"},
    {4, "project link customer",
     /* The customer the NetSuite job belongs to (the job record's parent),
      * read with the subsidiary when the link is made. */
     "ALTER TABLE project_links ADD COLUMN customer_id BIGINT;"},
    {5, "inbox reason",
     /* Why a stored webhook event is unusable (state 'unusable'): it was
      * answered 2xx, so the reason is the only record of the problem. */
     "ALTER TABLE inbox ADD COLUMN reason TEXT;"},
    {6, "run owner",
     /* Who runs a flow (host name and process id) and when it last showed
      * life, so that a run whose process died (kill -9, power loss) can be
      * told from a live one and marked 'abandoned' (core/run_owner.h). */
     "ALTER TABLE runs ADD COLUMN owner_host TEXT;"
     "ALTER TABLE runs ADD COLUMN owner_pid BIGINT;"
     "ALTER TABLE runs ADD COLUMN heartbeat_at BIGINT;"
     "CREATE INDEX runs_status ON runs (status);"},
    {7, "retention indexes",
     /* The columns audit retention filters on (audit_prune), so that each
      * batch finds its rows by index instead of scanning the table; and
      * audit.run_id, which deleting a run sets to NULL (its foreign key). */
     "CREATE INDEX audit_created ON audit (created_at);"
     "CREATE INDEX audit_run ON audit (run_id);"
     "CREATE INDEX runs_finished ON runs (finished_at);"
     "CREATE INDEX inbox_received ON inbox (received_at);"},
    {8, "review decisions",
     /* What a person decided for a review item (core/review.h): the action
      * (link, create, ignore, post-in, drop, map, take), its argument, who
      * and why.  'pending' until the flow that parked the record applies
      * it; kept after that, so the record is never parked again. */
     "CREATE TABLE review_decision ("
     " id @ID@,"
     " tenant_id BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,"
     " review_id BIGINT NOT NULL,"
     " flow TEXT NOT NULL,"
     " entity TEXT NOT NULL,"
     " source_ref TEXT NOT NULL,"
     " action TEXT NOT NULL,"
     " arg TEXT,"
     " decided_by TEXT NOT NULL,"
     " why TEXT NOT NULL,"
     " state TEXT NOT NULL DEFAULT 'pending',"
     " created_at BIGINT NOT NULL,"
     " applied_at BIGINT,"
     " UNIQUE (tenant_id, entity, source_ref));"
     "CREATE INDEX review_decision_flow ON review_decision (tenant_id, flow, state);"},
    {9, "console users and sessions",
     /* Local users of the web console (issue 23): an argon2id hash
      * (libsodium crypto_pwhash_str), never the password.  Sessions are
      * kept by the hash of their cookie, so the table alone lets nobody
      * in; removing a user ends their sessions (core/console_users.h). */
     "CREATE TABLE console_users ("
     " id @ID@,"
     " name TEXT NOT NULL UNIQUE,"
     " role TEXT NOT NULL,"
     " pw_hash TEXT NOT NULL,"
     " created_at BIGINT NOT NULL);"
     "CREATE TABLE console_sessions ("
     " token_hash TEXT PRIMARY KEY,"
     " user_id BIGINT NOT NULL REFERENCES console_users(id) ON DELETE CASCADE,"
     " csrf TEXT NOT NULL,"
     " created_at BIGINT NOT NULL,"
     " expires_at BIGINT NOT NULL);"},
    /* Issue 22: the serve processes sharing this store, one row each
     * (core/processes.h); scheduler is 1 for the one that schedules. */
    {10, "serve processes",
     "CREATE TABLE processes ("
     " owner TEXT PRIMARY KEY,"
     " host TEXT NOT NULL,"
     " pid BIGINT NOT NULL,"
     " started_at BIGINT NOT NULL,"
     " heartbeat_at BIGINT NOT NULL,"
     " jobs_running BIGINT NOT NULL DEFAULT 0,"
     " scheduler INTEGER NOT NULL DEFAULT 0);"},
};

const struct mlc_migration *migrations_list(size_t *n)
{
	*n = MLC_ARRAY_LEN(migrations);
	return migrations;
}

int store_schema_latest(void)
{
	return migrations[MLC_ARRAY_LEN(migrations) - 1].version;
}

/* Replaces the dialect tokens with the backend's types. */
static void expand(const struct mlc_store_ops *ops, const char *sql, struct mlc_buf *out)
{
	const char *p = sql;

	while (*p) {
		if (strncmp(p, "@ID@", 4) == 0) {
			buf_addstr(out, ops->id_column);
			p += 4;
		} else if (strncmp(p, "@BLOB@", 6) == 0) {
			buf_addstr(out, ops->blob_type);
			p += 6;
		} else {
			buf_addch(out, *p++);
		}
	}
}

int store_schema_version(struct mlc_store *s, int *version, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	*version = 0;
	rc = store_prepare(s, "SELECT COALESCE(MAX(version), 0) FROM schema_version", &st, err);
	if (rc < 0)
		return rc;
	rc = stmt_step(st, err);
	if (rc == 1) {
		*version = (int)stmt_col_i64(st, 0);
		rc = MLC_OK;
	}
	stmt_free(st);
	return rc;
}

int store_migrate(struct mlc_store *s, struct mlc_error *err)
{
	int rc, current;
	size_t n;
	const struct mlc_migration *m = migrations_list(&n);

	rc = store_exec(
	    s,
	    "CREATE TABLE IF NOT EXISTS schema_version ("
	    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
	    err);
	if (rc < 0)
		return rc;
	rc = store_schema_version(s, &current, err);
	if (rc < 0)
		return rc;
	if (current > store_schema_latest())
		return error_set(
		    err, MLC_ESTORE,
		    "the database schema is version %d, newer than this build knows (%d): "
		    "upgrade ml-connector",
		    current, store_schema_latest());
	for (size_t i = 0; i < n; i++) {
		struct mlc_buf sql = MLC_BUF_INIT;
		struct mlc_stmt *st = NULL;

		if (m[i].version <= current)
			continue;
		rc = store_begin(s, err);
		if (rc < 0)
			return rc;
		expand(s->ops, m[i].sql, &sql);
		rc = store_exec(s, sql.data, err);
		buf_release(&sql);
		if (rc == MLC_OK)
			rc = store_prepare(s,
					   "INSERT INTO schema_version (version, name, applied_at) "
					   "VALUES (?, ?, ?)",
					   &st, err);
		if (rc == MLC_OK) {
			stmt_bind_i64(st, 1, m[i].version);
			stmt_bind_text(st, 2, m[i].name);
			stmt_bind_i64(st, 3, time_now_ms());
			rc = stmt_step(st, err);
			stmt_free(st);
		}
		if (rc < 0) {
			store_rollback(s);
			return error_prefix(err, "migration %d (%s): ", m[i].version, m[i].name);
		}
		rc = store_commit(s, err);
		if (rc < 0)
			return rc;
	}
	return MLC_OK;
}
