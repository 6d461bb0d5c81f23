#include <stdlib.h>
#include <string.h>

#include "core/store.h"
#include "core/store_cache.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

int store_open(const char *url, struct mlc_store **out, struct mlc_error *err)
{
	struct mlc_store *s = NULL;
	int rc;

	*out = NULL;
	if (str_starts_with(url, "sqlite:"))
		rc = store_sqlite_open(url + 7, &s, err);
	else if (str_starts_with(url, "postgres://") || str_starts_with(url, "postgresql://"))
		rc = store_pg_open(url, &s, err);
	else
		return error_set(err, MLC_ECONFIG,
				 "store '%s': unknown scheme (sqlite: or postgres://)", url);
	if (rc < 0)
		return rc;
	rc = store_migrate(s, err);
	if (rc < 0) {
		store_free(s);
		return rc;
	}
	*out = s;
	return MLC_OK;
}

void store_free(struct mlc_store *s)
{
	if (!s)
		return;
	store_cache_release(s); /* statements go before their connection */
	s->ops->close(s);
}

bool store_ping(struct mlc_store *s)
{
	struct mlc_stmt *st = NULL;
	bool ok = false;

	if (store_prepare(s, "SELECT 1", &st, NULL) == 0)
		ok = stmt_step(st, NULL) == 1;
	stmt_free(st);
	return ok;
}

const char *store_backend(const struct mlc_store *s)
{
	return s->ops->name;
}

bool store_in_transaction(const struct mlc_store *s)
{
	return s->depth > 0;
}

int store_durable(struct mlc_store *s, bool on, struct mlc_error *err)
{
	if (s->depth > 0)
		return error_set(err, MLC_ESTATE, "durability is set outside a transaction");
	return s->ops->durable ? s->ops->durable(s, on, err) : MLC_OK;
}

int store_begin(struct mlc_store *s, struct mlc_error *err)
{
	int rc = MLC_OK;

	if (s->depth == 0)
		rc = s->ops->exec(s, s->ops->begin_sql, err);
	if (rc == MLC_OK)
		s->depth++;
	return rc;
}

int store_commit(struct mlc_store *s, struct mlc_error *err)
{
	if (s->depth <= 0)
		return error_set(err, MLC_ESTATE, "commit without a transaction");
	if (--s->depth > 0)
		return MLC_OK;
	int rc = s->ops->exec(s, "COMMIT", err);
	if (rc < 0) {
		/* a failed COMMIT (disk full, I/O error) leaves SQLite's transaction
		 * open: roll it back so the connection is usable and nothing half
		 * written is kept */
		int rb = s->ops->exec(s, "ROLLBACK", NULL);
		MLC_UNUSED(rb);
	}
	return rc;
}

void store_rollback(struct mlc_store *s)
{
	if (s->depth <= 0)
		return;
	s->depth = 0;
	int rc = s->ops->exec(s, "ROLLBACK", NULL);
	MLC_UNUSED(rc);
}

int store_exec(struct mlc_store *s, const char *sql, struct mlc_error *err)
{
	return s->ops->exec(s, sql, err);
}

int store_prepare(struct mlc_store *s, const char *sql, struct mlc_stmt **out,
		  struct mlc_error *err)
{
	return s->ops->prepare(s, sql, out, err);
}

int64_t store_changes(struct mlc_store *s)
{
	return s->ops->changes(s);
}

int stmt_bind_i64(struct mlc_stmt *st, int idx, int64_t v)
{
	return st->store->ops->bind_i64(st, idx, v);
}

int stmt_bind_text(struct mlc_stmt *st, int idx, const char *v)
{
	if (!v)
		return st->store->ops->bind_null(st, idx);
	return st->store->ops->bind_text(st, idx, v);
}

int stmt_bind_blob(struct mlc_stmt *st, int idx, const void *v, size_t n)
{
	return st->store->ops->bind_blob(st, idx, v, n);
}

int stmt_bind_null(struct mlc_stmt *st, int idx)
{
	return st->store->ops->bind_null(st, idx);
}

int stmt_bind_opt_id(struct mlc_stmt *st, int idx, int64_t v)
{
	return v ? stmt_bind_i64(st, idx, v) : stmt_bind_null(st, idx);
}

int stmt_step(struct mlc_stmt *st, struct mlc_error *err)
{
	return st->store->ops->step(st, err);
}

int stmt_reset(struct mlc_stmt *st)
{
	return st->store->ops->reset(st);
}

bool stmt_col_is_null(struct mlc_stmt *st, int col)
{
	return st->store->ops->col_is_null(st, col);
}

int64_t stmt_col_i64(struct mlc_stmt *st, int col)
{
	return st->store->ops->col_i64(st, col);
}

const char *stmt_col_text(struct mlc_stmt *st, int col)
{
	return st->store->ops->col_text(st, col);
}

const void *stmt_col_blob(struct mlc_stmt *st, int col, size_t *n)
{
	return st->store->ops->col_blob(st, col, n);
}

char *stmt_col_dup(struct mlc_stmt *st, int col)
{
	const char *t = stmt_col_is_null(st, col) ? NULL : stmt_col_text(st, col);
	return t ? xstrdup(t) : NULL;
}

void stmt_free(struct mlc_stmt *st)
{
	if (!st)
		return;
	if (st->cached)
		store_cache_put_back(st);
	else
		st->store->ops->finalize(st);
}
