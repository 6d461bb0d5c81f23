#include <errno.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "core/store.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/banned.h"

/*
 * PostgreSQL backend (libpq), behind the same interface as store_sqlite.c.
 *
 * - One connection per struct mlc_store, so one per thread, as for SQLite.
 * - '?' placeholders become $1, $2, ... (outside quotes and comments).
 *   A statement runs at its first stmt_step() with PQexecParams: integer
 *   parameters are sent typed int8, text untyped (the server infers the
 *   column's type, as SQLite's affinity does), blobs binary bytea.
 *   Results come back as text; stmt_col_i64() parses them ('t'/'f' too).
 * - Transactions: store.c's BEGIN/COMMIT/ROLLBACK.  Isolation is READ
 *   COMMITTED, PostgreSQL's default and what row locks and SKIP LOCKED are
 *   made for; SQLite's BEGIN IMMEDIATE serialises writers instead.  Inside
 *   a transaction every statement runs under a savepoint so that a failed
 *   statement (a unique violation answered MLC_EEXIST) leaves the
 *   transaction usable, as SQLite does, instead of aborting it.
 * - Busy: lock_timeout is 10 s like SQLite's busy timeout; a lock timeout,
 *   a deadlock or a serialisation failure is MLC_EBUSY.
 * - Durability: commits are durable at PostgreSQL's default
 *   (synchronous_commit on), so there is no durable() switch.
 */

#define PG_INT8OID  20
#define PG_BYTEAOID 17
#define PG_TEXTOID  25

struct pg_store {
	struct mlc_store base;
	PGconn *conn;
	int64_t changes;
};

struct pg_stmt {
	struct mlc_stmt base;
	char *sql; /* with $n placeholders */
	int nparams;
	char **values;
	int *lengths;
	int *formats;
	unsigned *types;
	PGresult *res;
	int row;
	bool ran;
	unsigned char **blobs; /* per column: col_blob()'s unescaped bytes, this row */
	size_t *blob_lens;
	int nblobs;
};

#define PS(s)   ((struct pg_store *)(s))
#define PST(st) ((struct pg_stmt *)(st))

static int map_result(struct pg_store *s, PGresult *r, struct mlc_error *err, const char *what)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	/* the primary message only ("relation x does not exist"), not the
	 * multi-line report with the statement's text */
	const char *msg = primary ? primary : PQerrorMessage(s->conn);
	struct mlc_buf m = MLC_BUF_INIT;
	int code = MLC_ESTORE;

	buf_addstr(&m, msg && *msg ? msg : "no answer from the server");
	while (m.len && (m.data[m.len - 1] == '\n' || m.data[m.len - 1] == ' '))
		m.data[--m.len] = '\0';
	if (state && strcmp(state, "23505") == 0)
		code = MLC_EEXIST; /* unique_violation */
	else if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
			   strcmp(state, "55P03") == 0))
		code = MLC_EBUSY; /* serialization_failure, deadlock, lock_not_available */
	code = error_set(err, code, "%s: %s%s", what, code == MLC_EBUSY ? "database busy: " : "",
			 m.data);
	buf_release(&m);
	return code;
}

static bool result_ok(PGresult *r)
{
	ExecStatusType t = PQresultStatus(r);
	return t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK;
}

static void note_changes(struct pg_store *s, PGresult *r)
{
	const char *n = PQcmdTuples(r);
	s->changes = n && *n ? strtoll(n, NULL, 10) : 0;
}

/* Runs a parameterless command whose failure only matters to the caller. */
static int simple(struct pg_store *s, const char *sql, struct mlc_error *err)
{
	PGresult *r = PQexec(s->conn, sql);
	int rc = result_ok(r) ? MLC_OK : map_result(s, r, err, "postgres");
	PQclear(r);
	return rc;
}

static bool in_tx(struct pg_store *s)
{
	return s->base.depth > 0;
}

/* Before a statement inside a transaction: a savepoint to return to. */
static int guard_begin(struct pg_store *s, struct mlc_error *err)
{
	return in_tx(s) ? simple(s, "SAVEPOINT mlc_stmt", err) : MLC_OK;
}

/* After it: kept on success, undone on failure (the transaction lives). */
static void guard_end(struct pg_store *s, bool ok)
{
	int rc;

	if (!in_tx(s))
		return;
	if (!ok) {
		rc = simple(s, "ROLLBACK TO SAVEPOINT mlc_stmt", NULL);
		MLC_UNUSED(rc);
	}
	rc = simple(s, "RELEASE SAVEPOINT mlc_stmt", NULL);
	MLC_UNUSED(rc);
}

static int pg_exec(struct mlc_store *base, const char *sql, struct mlc_error *err)
{
	struct pg_store *s = PS(base);
	PGresult *r = NULL;
	int rc = guard_begin(s, err);

	if (rc < 0)
		return rc;
	r = PQexec(s->conn, sql);
	if (result_ok(r)) {
		note_changes(s, r);
		rc = MLC_OK;
	} else {
		rc = map_result(s, r, err, "postgres");
	}
	PQclear(r);
	guard_end(s, rc == MLC_OK);
	return rc;
}

/*
 * '?' -> $n outside '...', "...", -- and block comments.  Numbering is
 * SQLite's: ?NNN is parameter NNN, a bare ? is one more than the largest
 * number so far.  Returns the number of parameters (the largest).
 */
static int rewrite(const char *sql, struct mlc_buf *out)
{
	int max = 0;
	const char *p = sql;

	while (*p) {
		char c = *p;
		if (c == '\'' || c == '"') {
			const char *q = p + 1;
			while (*q && !(*q == c && q[1] != c))
				q += (*q == c) ? 2 : 1;
			if (*q)
				q++;
			buf_add(out, p, (size_t)(q - p));
			p = q;
		} else if (c == '-' && p[1] == '-') {
			size_t k = strcspn(p, "\n");
			buf_add(out, p, k);
			p += k;
		} else if (c == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			size_t k = e ? (size_t)(e + 2 - p) : strlen(p);
			buf_add(out, p, k);
			p += k;
		} else if (c == '?') {
			int n = 0;
			p++;
			while (*p >= '0' && *p <= '9' && n < 100000)
				n = n * 10 + (*p++ - '0');
			if (!n)
				n = max + 1;
			if (n > max)
				max = n;
			buf_addf(out, "$%d", n);
		} else {
			buf_addch(out, c);
			p++;
		}
	}
	return max;
}

static int pg_prepare(struct mlc_store *s, const char *sql, struct mlc_stmt **out,
		      struct mlc_error *err)
{
	struct mlc_buf b = MLC_BUF_INIT;
	struct pg_stmt *st = xcalloc(1, sizeof(*st));

	MLC_UNUSED(err);
	st->base.store = s;
	st->nparams = rewrite(sql, &b);
	st->sql = buf_detach(&b, NULL);
	if (st->nparams) {
		st->values = xcalloc((size_t)st->nparams, sizeof(*st->values));
		st->lengths = xcalloc((size_t)st->nparams, sizeof(*st->lengths));
		st->formats = xcalloc((size_t)st->nparams, sizeof(*st->formats));
		st->types = xcalloc((size_t)st->nparams, sizeof(*st->types));
	}
	*out = &st->base;
	return MLC_OK;
}

static int set_param(struct mlc_stmt *base, int idx, char *v, int len, int format, unsigned type)
{
	struct pg_stmt *st = PST(base);

	if (idx < 1 || idx > st->nparams) {
		free(v);
		return MLC_ESTORE;
	}
	free(st->values[idx - 1]);
	st->values[idx - 1] = v;
	st->lengths[idx - 1] = len;
	st->formats[idx - 1] = format;
	st->types[idx - 1] = type;
	return MLC_OK;
}

static int pg_bind_i64(struct mlc_stmt *st, int idx, int64_t v)
{
	struct mlc_buf b = MLC_BUF_INIT;
	buf_addf(&b, "%lld", (long long)v);
	return set_param(st, idx, buf_detach(&b, NULL), 0, 0, PG_INT8OID);
}

static int pg_bind_text(struct mlc_stmt *st, int idx, const char *v)
{
	return set_param(st, idx, xstrdup(v), 0, 0, 0);
}

static int pg_bind_blob(struct mlc_stmt *st, int idx, const void *v, size_t n)
{
	char *copy = xmalloc(n ? n : 1);

	if (n > INT32_MAX) {
		free(copy);
		return MLC_ERANGE;
	}
	if (n)
		memcpy(copy, v, n);
	return set_param(st, idx, copy, (int)n, 1, PG_BYTEAOID);
}

static int pg_bind_null(struct mlc_stmt *st, int idx)
{
	return set_param(st, idx, NULL, 0, 0, 0);
}

static void drop_blobs(struct pg_stmt *st)
{
	for (int i = 0; i < st->nblobs; i++)
		if (st->blobs[i])
			PQfreemem(st->blobs[i]);
	free(st->blobs);
	free(st->blob_lens);
	st->blobs = NULL;
	st->blob_lens = NULL;
	st->nblobs = 0;
}

static void drop_result(struct pg_stmt *st)
{
	PQclear(st->res);
	st->res = NULL;
	drop_blobs(st);
}

static bool indeterminate(PGresult *r)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	return state && strcmp(state, "42P18") == 0; /* indeterminate_datatype */
}

static int run(struct pg_stmt *st, struct mlc_error *err)
{
	struct pg_store *s = PS(st->base.store);
	int rc = guard_begin(s, err);

	if (rc < 0)
		return rc;
	st->res = PQexecParams(s->conn, st->sql, st->nparams, st->types,
			       (const char *const *)st->values, st->lengths, st->formats, 0);
	if (!result_ok(st->res) && indeterminate(st->res)) {
		/* "? IS NULL": SQLite needs no type, PostgreSQL does; text is
		 * what an untyped SQLite value compares as.  The failed try is
		 * undone by its savepoint inside a transaction. */
		guard_end(s, false);
		PQclear(st->res);
		for (int i = 0; i < st->nparams; i++)
			if (!st->types[i])
				st->types[i] = PG_TEXTOID;
		rc = guard_begin(s, err);
		if (rc < 0) {
			st->res = NULL;
			return rc;
		}
		st->res =
		    PQexecParams(s->conn, st->sql, st->nparams, st->types,
				 (const char *const *)st->values, st->lengths, st->formats, 0);
	}
	if (result_ok(st->res)) {
		note_changes(s, st->res);
		rc = MLC_OK;
	} else {
		rc = map_result(s, st->res, err, "postgres");
		PQclear(st->res);
		st->res = NULL;
	}
	guard_end(s, rc == MLC_OK);
	return rc;
}

static int pg_step(struct mlc_stmt *base, struct mlc_error *err)
{
	struct pg_stmt *st = PST(base);

	drop_blobs(st);
	if (!st->ran) {
		int rc = run(st, err);
		if (rc < 0)
			return rc;
		st->ran = true;
		st->row = 0;
	} else {
		st->row++;
	}
	return st->res && st->row < PQntuples(st->res) ? 1 : 0;
}

static int pg_reset(struct mlc_stmt *base)
{
	struct pg_stmt *st = PST(base);

	drop_result(st);
	st->ran = false;
	for (int i = 0; i < st->nparams; i++) {
		free(st->values[i]);
		st->values[i] = NULL;
		st->lengths[i] = st->formats[i] = 0;
		st->types[i] = 0;
	}
	return MLC_OK;
}

static bool have(struct pg_stmt *st, int col)
{
	return st->res && st->row < PQntuples(st->res) && col >= 0 && col < PQnfields(st->res);
}

static bool pg_col_is_null(struct mlc_stmt *base, int col)
{
	struct pg_stmt *st = PST(base);
	return !have(st, col) || PQgetisnull(st->res, st->row, col);
}

static int64_t pg_col_i64(struct mlc_stmt *base, int col)
{
	struct pg_stmt *st = PST(base);
	const char *v;

	if (pg_col_is_null(base, col))
		return 0;
	v = PQgetvalue(st->res, st->row, col);
	if (strcmp(v, "t") == 0)
		return 1;
	if (strcmp(v, "f") == 0)
		return 0;
	return strtoll(v, NULL, 10);
}

static const char *pg_col_text(struct mlc_stmt *base, int col)
{
	struct pg_stmt *st = PST(base);
	return have(st, col) ? PQgetvalue(st->res, st->row, col) : "";
}

static const void *pg_col_blob(struct mlc_stmt *base, int col, size_t *n)
{
	struct pg_stmt *st = PST(base);
	size_t len = 0;

	*n = 0;
	if (pg_col_is_null(base, col))
		return NULL;
	if (PQftype(st->res, col) != PG_BYTEAOID) {
		*n = (size_t)PQgetlength(st->res, st->row, col);
		return PQgetvalue(st->res, st->row, col);
	}
	if (!st->blobs) {
		st->nblobs = PQnfields(st->res);
		st->blobs = xcalloc((size_t)st->nblobs, sizeof(*st->blobs));
		st->blob_lens = xcalloc((size_t)st->nblobs, sizeof(*st->blob_lens));
	}
	if (!st->blobs[col]) {
		st->blobs[col] =
		    PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row, col), &len);
		st->blob_lens[col] = len;
	}
	*n = st->blobs[col] ? st->blob_lens[col] : 0;
	return st->blobs[col];
}

static int64_t pg_changes(struct mlc_store *s)
{
	return PS(s)->changes;
}

static void pg_finalize(struct mlc_stmt *base)
{
	struct pg_stmt *st = PST(base);

	pg_reset(base);
	free(st->values);
	free(st->lengths);
	free(st->formats);
	free(st->types);
	free(st->sql);
	free(st);
}

static void pg_close(struct mlc_store *s)
{
	PQfinish(PS(s)->conn);
	free(s);
}

static const struct mlc_store_ops pg_ops = {
    .name = "postgres",
    .id_column = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    .blob_type = "BYTEA",
    .begin_sql = "BEGIN ISOLATION LEVEL READ COMMITTED",
    .exec = pg_exec,
    .prepare = pg_prepare,
    .bind_i64 = pg_bind_i64,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .reset = pg_reset,
    .col_is_null = pg_col_is_null,
    .col_i64 = pg_col_i64,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .changes = pg_changes,
    .finalize = pg_finalize,
    .close = pg_close,
    .durable = NULL,
};

/* NOTICEs ("relation already exists, skipping") are not for the user. */
static void quiet(void *arg, const char *message)
{
	MLC_UNUSED(arg);
	MLC_UNUSED(message);
}

int store_pg_open(const char *url, struct mlc_store **out, struct mlc_error *err)
{
	PGconn *conn;
	struct pg_store *s;
	int rc;

	*out = NULL;
	conn = PQconnectdb(url);
	if (!conn)
		return error_set(err, MLC_ENOMEM, "cannot connect to PostgreSQL: out of memory");
	if (PQstatus(conn) != CONNECTION_OK) {
		/* libpq's message names host and reason, never the password */
		struct mlc_buf m = MLC_BUF_INIT;
		buf_addstr(&m, PQerrorMessage(conn));
		while (m.len && (m.data[m.len - 1] == '\n' || m.data[m.len - 1] == ' '))
			m.data[--m.len] = '\0';
		rc = error_set(err, MLC_ESTORE, "cannot connect to PostgreSQL: %s", m.data);
		buf_release(&m);
		PQfinish(conn);
		return rc;
	}
	PQsetNoticeProcessor(conn, quiet, NULL);
	s = xcalloc(1, sizeof(*s));
	s->base.ops = &pg_ops;
	s->conn = conn;
	rc = simple(s,
		    "SET lock_timeout = '10s'; SET client_min_messages = warning; "
		    "SET TIME ZONE 'UTC'",
		    err);
	if (rc < 0) {
		pg_close(&s->base);
		return rc;
	}
	*out = &s->base;
	return MLC_OK;
}
