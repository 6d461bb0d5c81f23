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

struct store_cache;

/* Common head of every backend's store struct (backends allocate it
 * zeroed). */
struct mlc_store {
	const struct mlc_store_ops *ops;
	int depth;                 /* transaction nesting */
	struct store_cache *cache; /* store_prepare_cached(); NULL until first use */
};

/* Common head of every backend's statement struct (zeroed). */
struct mlc_stmt {
	struct mlc_store *store;
	bool cached; /* owned by the store's cache: stmt_free() gives it back */
	bool in_use; /* a cached statement handed out and not given back yet */
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
/*
 * Like store_prepare(), for SQL run once per record: the store keeps one
 * prepared statement per SQL text (compared as text, so pass the same
 * text each time) and hands it out reset, with no bindings, saving the
 * parse.  stmt_free() gives it back (resets it, which also ends what a
 * SELECT holds) instead of finalizing it; store_free() finalizes the
 * cache.  Reentrant: while a statement is out, the same text gets a new,
 * uncached statement (stmt_free() finalizes that one).  Past
 * STORE_CACHE_MAX texts, statements are not cached.
 */
#define STORE_CACHE_MAX 128
int store_prepare_cached(struct mlc_store *s, const char *sql, struct mlc_stmt **out,
			 struct mlc_error *err) MLC_MUST_CHECK;
/* Statements the cache holds (tests). */
size_t store_cache_size(const struct mlc_store *s);
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
/* Finalizes st, or gives a cached statement back to its store. */
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
