#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store.h"
#include "util/buf.h"
#include "util/banned.h"

/* SQLite backend: WAL journal, 10 s busy timeout, foreign keys on. */

struct sqlite_store {
	struct mlc_store base;
	sqlite3 *db;
};

struct sqlite_stmt {
	struct mlc_stmt base;
	sqlite3_stmt *st;
};

#define DB(s) (((struct sqlite_store *)(s))->db)
#define ST(s) (((struct sqlite_stmt *)(s))->st)

static int map_rc(sqlite3 *db, int rc, struct mlc_error *err, const char *what)
{
	int ext = sqlite3_extended_errcode(db);

	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		return error_set(err, MLC_EEXIST, "%s: %s", what, sqlite3_errmsg(db));
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return error_set(err, MLC_EBUSY, "%s: database busy: %s", what, sqlite3_errmsg(db));
	return error_set(err, MLC_ESTORE, "%s: %s", what, sqlite3_errmsg(db));
}

static int sq_exec(struct mlc_store *s, const char *sql, struct mlc_error *err)
{
	int rc = sqlite3_exec(DB(s), sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? MLC_OK : map_rc(DB(s), rc, err, "sqlite");
}

static int sq_prepare(struct mlc_store *s, const char *sql, struct mlc_stmt **out,
		      struct mlc_error *err)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(DB(s), sql, -1, &st, NULL);

	*out = NULL;
	if (rc != SQLITE_OK)
		return map_rc(DB(s), rc, err, "sqlite prepare");
	struct sqlite_stmt *w = xcalloc(1, sizeof(*w));
	w->base.store = s;
	w->st = st;
	*out = &w->base;
	return MLC_OK;
}

static int sq_bind_i64(struct mlc_stmt *st, int idx, int64_t v)
{
	return sqlite3_bind_int64(ST(st), idx, v) == SQLITE_OK ? MLC_OK : MLC_ESTORE;
}

static int sq_bind_text(struct mlc_stmt *st, int idx, const char *v)
{
	return sqlite3_bind_text(ST(st), idx, v, -1, SQLITE_TRANSIENT) == SQLITE_OK ? MLC_OK
										    : MLC_ESTORE;
}

static int sq_bind_blob(struct mlc_stmt *st, int idx, const void *v, size_t n)
{
	return sqlite3_bind_blob64(ST(st), idx, v, n, SQLITE_TRANSIENT) == SQLITE_OK ? MLC_OK
										     : MLC_ESTORE;
}

static int sq_bind_null(struct mlc_stmt *st, int idx)
{
	return sqlite3_bind_null(ST(st), idx) == SQLITE_OK ? MLC_OK : MLC_ESTORE;
}

static int sq_step(struct mlc_stmt *st, struct mlc_error *err)
{
	int rc = sqlite3_step(ST(st));

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return map_rc(DB(st->store), rc, err, "sqlite");
}

static int sq_reset(struct mlc_stmt *st)
{
	sqlite3_reset(ST(st));
	sqlite3_clear_bindings(ST(st));
	return MLC_OK;
}

static bool sq_col_is_null(struct mlc_stmt *st, int col)
{
	return sqlite3_column_type(ST(st), col) == SQLITE_NULL;
}

static int64_t sq_col_i64(struct mlc_stmt *st, int col)
{
	return sqlite3_column_int64(ST(st), col);
}

static const char *sq_col_text(struct mlc_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(ST(st), col);
	return t ? (const char *)t : "";
}

static const void *sq_col_blob(struct mlc_stmt *st, int col, size_t *n)
{
	const void *p = sqlite3_column_blob(ST(st), col);
	*n = (size_t)sqlite3_column_bytes(ST(st), col);
	return p;
}

static int64_t sq_changes(struct mlc_store *s)
{
	return sqlite3_changes64(DB(s));
}

static void sq_finalize(struct mlc_stmt *st)
{
	sqlite3_finalize(ST(st));
	free(st);
}

static void sq_close(struct mlc_store *s)
{
	sqlite3_close_v2(DB(s));
	free(s);
}

/* WAL with synchronous=NORMAL (the default set at open) syncs only at
 * checkpoints: commits since the last one can be lost to an OS crash.
 * FULL syncs the WAL at every commit. */
static int sq_durable(struct mlc_store *s, bool on, struct mlc_error *err)
{
	return sq_exec(s, on ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", err);
}

static const struct mlc_store_ops sqlite_ops = {
    .name = "sqlite",
    .id_column = "INTEGER PRIMARY KEY AUTOINCREMENT",
    .blob_type = "BLOB",
    .begin_sql = "BEGIN IMMEDIATE",
    .exec = sq_exec,
    .prepare = sq_prepare,
    .bind_i64 = sq_bind_i64,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .reset = sq_reset,
    .col_is_null = sq_col_is_null,
    .col_i64 = sq_col_i64,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .changes = sq_changes,
    .finalize = sq_finalize,
    .close = sq_close,
    .durable = sq_durable,
};

/*
 * Creates the database file 0600 before SQLite opens it: SQLite would
 * create it 0644 (less the umask), and it creates the -wal and -shm files
 * with the database file's mode (os_unix.c findCreateFileMode and
 * unixOpenSharedMemory), so they are 0600 too.  O_CREAT with the mode is
 * atomic; an existing file keeps its mode.  O_EXCL matters: closing a
 * descriptor of a file this process has open elsewhere would drop every
 * POSIX lock SQLite holds on it (fcntl(2)), so an existing file is never
 * opened here.
 */
static int create_private(const char *path, struct mlc_error *err)
{
	int fd;

	if (!*path || strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
		return MLC_OK;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0 && errno != EEXIST)
		return error_set(err, MLC_ESTORE, "cannot create database %s: %s", path,
				 strerror(errno));
	if (fd >= 0)
		close(fd);
	return MLC_OK;
}

int store_sqlite_open(const char *path, struct mlc_store **out, struct mlc_error *err)
{
	sqlite3 *db = NULL;
	int rc;

	*out = NULL;
	rc = create_private(path, err);
	if (rc < 0)
		return rc;
	rc = sqlite3_open_v2(
	    path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = error_set(err, MLC_ESTORE, "cannot open database %s: %s", path,
			       db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close_v2(db);
		return rc;
	}
	sqlite3_busy_timeout(db, 10000);
	rc = sqlite3_exec(db,
			  "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
			  "PRAGMA foreign_keys=ON;",
			  NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		rc = error_set(err, MLC_ESTORE, "cannot set up database %s: %s", path,
			       sqlite3_errmsg(db));
		sqlite3_close_v2(db);
		return rc;
	}
	struct sqlite_store *s = xcalloc(1, sizeof(*s));
	s->base.ops = &sqlite_ops;
	s->db = db;
	*out = &s->base;
	return MLC_OK;
}
