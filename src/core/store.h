#ifndef MLC_STORE_H
#define MLC_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/compat.h"
#include "util/error.h"

/*
 * The store: one interface, one backend per database (store_sqlite.c,
 * store_pg.c), chosen by the URL given to store_open().  Callers
 * write portable SQL with '?' placeholders; a backend rewrites what its
 * dialect needs.  Flows never see the dialect: domain modules (tenant.c,
 * project.c, ...) sit on this interface.
 *
 * A struct mlc_store is one connection: use one per thread.
 *
 * Schema: versioned migrations (migrations.c) are applied by store_open()
 * inside a transaction each; the applied version is in schema_version.
 */
struct mlc_store;
struct mlc_stmt;

/* The backend vtable.  Every backend implements all of it. */
struct mlc_store_ops {
	const char *name;
	/* Dialect tokens substituted into migrations: @ID@ (auto id primary key),
	 * @BLOB@ (binary column). */
	const char *id_column;
	const char *blob_type;
	/* What store_begin() sends to open the outermost transaction. */
	const char *begin_sql;
	int (*exec)(struct mlc_store *s, const char *sql, struct mlc_error *err);
	int (*prepare)(struct mlc_store *s, const char *sql, struct mlc_stmt **out,
		       struct mlc_error *err);
	int (*bind_i64)(struct mlc_stmt *st, int idx, int64_t v);
	int (*bind_text)(struct mlc_stmt *st, int idx, const char *v);
	int (*bind_blob)(struct mlc_stmt *st, int idx, const void *v, size_t n);
	int (*bind_null)(struct mlc_stmt *st, int idx);
	int (*step)(struct mlc_stmt *st, struct mlc_error *err);
	int (*reset)(struct mlc_stmt *st);
	bool (*col_is_null)(struct mlc_stmt *st, int col);
	int64_t (*col_i64)(struct mlc_stmt *st, int col);
	const char *(*col_text)(struct mlc_stmt *st, int col);
	const void *(*col_blob)(struct mlc_stmt *st, int col, size_t *n);
	int64_t (*changes)(struct mlc_store *s);
	void (*finalize)(struct mlc_stmt *st);
	void (*close)(struct mlc_store *s);
	/* Optional (NULL: every commit is already durable): on, the next
	 * commits survive an OS crash or power loss; off, back to the
	 * backend's default.  Called outside a transaction only. */
	int (*durable)(struct mlc_store *s, bool on, struct mlc_error *err);
};

/* Common head of every backend's store struct. */
struct mlc_store {
	const struct mlc_store_ops *ops;
	int depth; /* transaction nesting */
};

/* Common head of every backend's statement struct. */
struct mlc_stmt {
	struct mlc_store *store;
};

/*
 * Opens the store at url ("sqlite:/path/file.db", "sqlite::memory:",
 * "postgres://user@host:port/db?host=/socket/dir", any libpq URI) and
 * applies pending migrations.  Caller frees with store_free().
 */
int store_open(const char *url, struct mlc_store **out, struct mlc_error *err) MLC_MUST_CHECK;
void store_free(struct mlc_store *s);
/* Current schema version. */
int store_schema_version(struct mlc_store *s, int *version, struct mlc_error *err) MLC_MUST_CHECK;
/* Number of migrations this build knows. */
int store_schema_latest(void);
/* True if the store answers a trivial query (readiness checks). */
bool store_ping(struct mlc_store *s);

/*
 * Makes the commits that follow durable against an OS crash or power loss
 * (SQLite: synchronous=FULL; its default here is NORMAL, which can lose
 * the last commits of a WAL database) until store_durable(s, false).  For
 * a write acknowledged to someone who will not send it again, such as a
 * webhook answered 2xx.  Only outside a transaction: MLC_ESTATE inside one.
 */
int store_durable(struct mlc_store *s, bool on, struct mlc_error *err) MLC_MUST_CHECK;
/* True while a transaction (store_begin) is open on s. */
bool store_in_transaction(const struct mlc_store *s);

/* Transactions nest: only the outermost begin/commit touch the database;
 * a rollback at any depth rolls back the whole transaction. */
int store_begin(struct mlc_store *s, struct mlc_error *err) MLC_MUST_CHECK;
int store_commit(struct mlc_store *s, struct mlc_error *err) MLC_MUST_CHECK;
void store_rollback(struct mlc_store *s);

int store_exec(struct mlc_store *s, const char *sql, struct mlc_error *err) MLC_MUST_CHECK;
int store_prepare(struct mlc_store *s, const char *sql, struct mlc_stmt **out,
		  struct mlc_error *err) MLC_MUST_CHECK;
/* Rows changed by the last statement. */
int64_t store_changes(struct mlc_store *s);

/* Binding is 1-based like SQLite.  A NULL text binds SQL NULL. */
int stmt_bind_i64(struct mlc_stmt *st, int idx, int64_t v);
int stmt_bind_text(struct mlc_stmt *st, int idx, const char *v);
int stmt_bind_blob(struct mlc_stmt *st, int idx, const void *v, size_t n);
int stmt_bind_null(struct mlc_stmt *st, int idx);
/* Binds v, or NULL when v is 0 (optional ids). */
int stmt_bind_opt_id(struct mlc_stmt *st, int idx, int64_t v);
/* Returns 1 when a row is ready, 0 when done, or a negative code
 * (MLC_EEXIST for a unique or primary key violation). */
int stmt_step(struct mlc_stmt *st, struct mlc_error *err) MLC_MUST_CHECK;
int stmt_reset(struct mlc_stmt *st);
/* Columns are 0-based.  Text and blob pointers live until the next step. */
bool stmt_col_is_null(struct mlc_stmt *st, int col);
int64_t stmt_col_i64(struct mlc_stmt *st, int col);
const char *stmt_col_text(struct mlc_stmt *st, int col);
const void *stmt_col_blob(struct mlc_stmt *st, int col, size_t *n);
/* xstrdup of a text column, NULL for SQL NULL. */
char *stmt_col_dup(struct mlc_stmt *st, int col);
void stmt_free(struct mlc_stmt *st);

/* Backends. */
int store_sqlite_open(const char *path, struct mlc_store **out,
		      struct mlc_error *err) MLC_MUST_CHECK;
/* url is a libpq connection URI (postgres:// or postgresql://). */
int store_pg_open(const char *url, struct mlc_store **out, struct mlc_error *err) MLC_MUST_CHECK;
/* The backend's name: "sqlite" or "postgres". */
const char *store_backend(const struct mlc_store *s);

/* Migrations (migrations.c). */
struct mlc_migration {
	int version;
	const char *name;
	const char *sql; /* portable SQL with @ID@ / @BLOB@ tokens; ';'-separated */
};
const struct mlc_migration *migrations_list(size_t *n);
int store_migrate(struct mlc_store *s, struct mlc_error *err) MLC_MUST_CHECK;

#endif
