/*
 * Procore simulator: the state snapshot in SQLite, DATA/procore.db.  The
 * simulator works in memory; the snapshot is written on demand
 * (POST /_sandbox/state/save) and when the simulator stops, and read back
 * when it starts, so a restart with the same --data keeps every record
 * (tokens and queued webhook deliveries are not kept).
 *
 *   records(kind TEXT, id INTEGER, body TEXT)   one row per record, in
 *                                               creation order (rowid)
 *   counters(kind TEXT PRIMARY KEY, next_id INTEGER)
 *   meta(key TEXT PRIMARY KEY, value INTEGER)   company ids
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "sandbox/pcsim.h"
#include "util/banned.h"

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS records(kind TEXT NOT NULL, id INTEGER NOT NULL, body TEXT NOT "
    "NULL);"
    "CREATE TABLE IF NOT EXISTS counters(kind TEXT PRIMARY KEY, next_id INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);";

static sqlite3 *open_db(const struct pcsim *pc, int flags)
{
	sqlite3 *db = NULL;
	if (!pc->state_path || sqlite3_open_v2(pc->state_path, &db, flags, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static int put_meta(sqlite3 *db, const char *key, int64_t value)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", -1,
				    &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, value);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	return rc;
}

int pc_state_save(struct pcsim *pc)
{
	sqlite3 *db = open_db(pc, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	sqlite3_stmt *rec = NULL, *ctr = NULL;
	int rc = MLC_EIO;

	if (!db)
		goto out;
	if (sqlite3_exec(db, schema_sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "BEGIN; DELETE FROM records; DELETE FROM counters; DELETE FROM meta;",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO records(kind, id, body) VALUES(?, ?, ?)", -1, &rec,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO counters(kind, next_id) VALUES(?, ?)", -1, &ctr,
			       NULL) != SQLITE_OK)
		goto out;
	for (int k = 0; k < PC_KIND_COUNT; k++) {
		size_t i;
		json_t *r;
		json_array_foreach (pc->t[k].rows, i, r) {
			char *body = json_dumps(r, JSON_COMPACT);
			int ok;
			sqlite3_bind_text(rec, 1, pc_kind_name((enum pc_kind)k), -1, SQLITE_STATIC);
			sqlite3_bind_int64(rec, 2, pc_int(r, "id"));
			sqlite3_bind_text(rec, 3, body, -1, free);
			ok = sqlite3_step(rec) == SQLITE_DONE;
			sqlite3_reset(rec);
			if (!ok)
				goto out;
		}
		sqlite3_bind_text(ctr, 1, pc_kind_name((enum pc_kind)k), -1, SQLITE_STATIC);
		sqlite3_bind_int64(ctr, 2, pc->next_id[k]);
		if (sqlite3_step(ctr) != SQLITE_DONE)
			goto out;
		sqlite3_reset(ctr);
	}
	if (put_meta(db, "company_id", pc->company_id) != SQLITE_OK ||
	    put_meta(db, "other_company_id", pc->other_company_id) != SQLITE_OK ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(rec);
	sqlite3_finalize(ctr);
	if (db && rc)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

static int kind_of(const char *name)
{
	for (int k = 0; k < PC_KIND_COUNT; k++)
		if (strcmp(name, pc_kind_name((enum pc_kind)k)) == 0)
			return k;
	return -1;
}

bool pc_state_load(struct pcsim *pc)
{
	sqlite3 *db = open_db(pc, SQLITE_OPEN_READONLY);
	sqlite3_stmt *st = NULL;
	bool ok = false;
	int n = 0;

	if (!db)
		return false;
	/* Only a complete snapshot counts: the meta rows are written last. */
	if (sqlite3_prepare_v2(db, "SELECT key, value FROM meta", -1, &st, NULL) != SQLITE_OK)
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		if (strcmp(key, "company_id") == 0) {
			pc->company_id = sqlite3_column_int64(st, 1);
			n++;
		} else if (strcmp(key, "other_company_id") == 0) {
			pc->other_company_id = sqlite3_column_int64(st, 1);
			n++;
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (n != 2 || sqlite3_prepare_v2(db, "SELECT kind, body FROM records ORDER BY rowid", -1,
					 &st, NULL) != SQLITE_OK)
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int k = kind_of((const char *)sqlite3_column_text(st, 0));
		json_error_t jerr;
		json_t *r = json_loads((const char *)sqlite3_column_text(st, 1), 0, &jerr);
		if (k < 0 || !json_is_object(r)) {
			json_decref(r);
			goto out;
		}
		pc_insert(pc, (enum pc_kind)k, r);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT kind, next_id FROM counters", -1, &st, NULL) !=
	    SQLITE_OK)
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int k = kind_of((const char *)sqlite3_column_text(st, 0));
		if (k >= 0)
			pc->next_id[k] = sqlite3_column_int64(st, 1);
	}
	ok = json_array_size(pc->t[PC_COMPANY].rows) > 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (!ok) {
		/* A broken snapshot: start from the seed instead. */
		pc_tables_release(pc);
		pc_tables_init(pc);
	}
	return ok;
}
