#include <stdlib.h>
#include <string.h>

#include "core/store_copy.h"
#include "util/buf.h"
#include "util/banned.h"

/*
 * Copying an installation between stores (`store migrate`).  Both stores
 * are open, so both are migrated to this build's schema; the tables and
 * their columns are read from the PostgreSQL target's catalogue
 * (information_schema), so a table added by a later migration is copied
 * without a change here.  Values move as they are stored: integers as
 * integers, text as text, binary columns (the secrets' nonce and
 * ciphertext, still sealed by the master key) as bytes.
 */

enum col_kind { COL_INT, COL_TEXT, COL_BLOB };

struct col {
	char *name;
	enum col_kind kind;
};

static void cols_free(struct col *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].name);
	free(c);
}

/* The target's tables, parents first: tenants and runs are referenced by
 * the others' foreign keys (migrations.c); the rest in name order. */
static int list_tables(struct mlc_store *to, char ***out, size_t *n, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	char **v = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	rc = store_prepare(to,
			   "SELECT table_name FROM information_schema.tables WHERE table_schema = "
			   "current_schema() AND table_type = 'BASE TABLE' AND table_name <> "
			   "'schema_version' ORDER BY CASE table_name WHEN 'tenants' THEN 0 WHEN "
			   "'runs' THEN 1 ELSE 2 END, table_name",
			   &st, err);
	while (rc >= 0 && (rc = stmt_step(st, err)) == 1) {
		v = xrealloc(v, (*n + 1) * sizeof(*v));
		v[(*n)++] = xstrdup(stmt_col_text(st, 0));
	}
	stmt_free(st);
	*out = v;
	return rc < 0 ? rc : MLC_OK;
}

static int list_cols(struct mlc_store *to, const char *table, struct col **out, size_t *n,
		     struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	struct col *c = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	rc = store_prepare(to,
			   "SELECT column_name, data_type FROM information_schema.columns WHERE "
			   "table_schema = current_schema() AND table_name = ? ORDER BY "
			   "ordinal_position",
			   &st, err);
	if (rc == MLC_OK)
		rc = stmt_bind_text(st, 1, table);
	while (rc >= 0 && (rc = stmt_step(st, err)) == 1) {
		const char *type = stmt_col_text(st, 1);
		c = xrealloc(c, (*n + 1) * sizeof(*c));
		c[*n].name = xstrdup(stmt_col_text(st, 0));
		c[*n].kind = strcmp(type, "bytea") == 0 ? COL_BLOB
			     : strcmp(type, "bigint") == 0 || strcmp(type, "integer") == 0
				 ? COL_INT
				 : COL_TEXT;
		(*n)++;
	}
	stmt_free(st);
	*out = c;
	return rc < 0 ? rc : MLC_OK;
}

static int count_rows(struct mlc_store *s, const char *table, int64_t *n, struct mlc_error *err)
{
	struct mlc_buf q = MLC_BUF_INIT;
	struct mlc_stmt *st = NULL;
	int rc;

	*n = 0;
	buf_addf(&q, "SELECT count(*) FROM \"%s\"", table);
	rc = store_prepare(s, q.data, &st, err);
	if (rc == MLC_OK)
		rc = stmt_step(st, err);
	if (rc == 1) {
		*n = stmt_col_i64(st, 0);
		rc = MLC_OK;
	}
	stmt_free(st);
	buf_release(&q);
	return rc < 0 ? rc : MLC_OK;
}

static int copy_value(struct mlc_stmt *src, struct mlc_stmt *dst, const struct col *c, int i)
{
	size_t len = 0;
	const void *p;

	if (stmt_col_is_null(src, i))
		return stmt_bind_null(dst, i + 1);
	switch (c->kind) {
	case COL_INT:
		return stmt_bind_i64(dst, i + 1, stmt_col_i64(src, i));
	case COL_BLOB:
		p = stmt_col_blob(src, i, &len);
		return stmt_bind_blob(dst, i + 1, p ? p : "", len);
	default:
		return stmt_bind_text(dst, i + 1, stmt_col_text(src, i));
	}
}

static int copy_table(struct mlc_store *from, struct mlc_store *to, const char *table,
		      int64_t *rows, bool *has_id, struct mlc_error *err)
{
	struct mlc_buf sel = MLC_BUF_INIT, ins = MLC_BUF_INIT;
	struct mlc_stmt *src = NULL, *dst = NULL;
	struct col *cols = NULL;
	size_t ncols = 0;
	int rc;

	*rows = 0;
	*has_id = false;
	rc = list_cols(to, table, &cols, &ncols, err);
	if (rc < 0 || ncols == 0)
		goto out;
	for (size_t i = 0; i < ncols; i++)
		*has_id = *has_id || strcmp(cols[i].name, "id") == 0;
	buf_addstr(&sel, "SELECT ");
	buf_addf(&ins, "INSERT INTO \"%s\" (", table);
	for (size_t i = 0; i < ncols; i++) {
		buf_addf(&sel, "%s\"%s\"", i ? ", " : "", cols[i].name);
		buf_addf(&ins, "%s\"%s\"", i ? ", " : "", cols[i].name);
	}
	buf_addf(&sel, " FROM \"%s\"", table);
	buf_addstr(&ins, ") VALUES (");
	for (size_t i = 0; i < ncols; i++)
		buf_addstr(&ins, i ? ", ?" : "?");
	buf_addstr(&ins, ")");
	rc = store_prepare(from, sel.data, &src, err);
	if (rc == MLC_OK)
		rc = store_prepare(to, ins.data, &dst, err);
	while (rc >= 0 && (rc = stmt_step(src, err)) == 1) {
		stmt_reset(dst);
		for (size_t i = 0; i < ncols && rc >= 0; i++)
			rc = copy_value(src, dst, &cols[i], (int)i);
		if (rc >= 0)
			rc = stmt_step(dst, err);
		if (rc >= 0)
			(*rows)++;
	}
	if (rc < 0)
		error_prefix(err, "table %s: ", table);
out:
	stmt_free(src);
	stmt_free(dst);
	buf_release(&sel);
	buf_release(&ins);
	cols_free(cols, ncols);
	return rc < 0 ? rc : MLC_OK;
}

/* An id identity column continues after the copied ids (a table with an
 * id column that is no identity is left alone by the WHERE). */
static int restart_ids(struct mlc_store *to, const char *table, struct mlc_error *err)
{
	struct mlc_buf q = MLC_BUF_INIT;
	int rc;

	buf_addf(&q,
		 "SELECT setval(pg_get_serial_sequence('\"%s\"', 'id'), COALESCE(MAX(id), 0) + 1, "
		 "false) FROM \"%s\" WHERE pg_get_serial_sequence('\"%s\"', 'id') IS NOT NULL",
		 table, table, table);
	rc = store_exec(to, q.data, err);
	buf_release(&q);
	return rc;
}

static int check_target(struct mlc_store *from, struct mlc_store *to, struct mlc_error *err)
{
	int vf = 0, vt = 0;
	int rc;

	if (strcmp(store_backend(to), "postgres") != 0)
		return error_set(err, MLC_EINVAL, "the target must be a postgres:// store");
	if (strcmp(store_backend(from), "postgres") == 0)
		return error_set(err, MLC_EINVAL, "the source must be a sqlite: store");
	rc = store_schema_version(from, &vf, err);
	if (rc >= 0)
		rc = store_schema_version(to, &vt, err);
	if (rc >= 0 && vf != vt)
		rc = error_set(err, MLC_ESTATE, "schema versions differ (source %d, target %d)", vf,
			       vt);
	return rc;
}

int store_copy(struct mlc_store *from, struct mlc_store *to, struct mlc_store_copy *report,
	       struct mlc_error *err)
{
	char **tables = NULL;
	size_t n = 0;
	int rc;

	memset(report, 0, sizeof(*report));
	rc = check_target(from, to, err);
	if (rc >= 0)
		rc = list_tables(to, &tables, &n, err);
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		int64_t rows = 0;
		rc = count_rows(to, tables[i], &rows, err);
		if (rc >= 0 && rows > 0)
			rc = error_set(err, MLC_EEXIST,
				       "the target is not empty (table %s has %lld rows): "
				       "store migrate copies into a new database only",
				       tables[i], (long long)rows);
	}
	if (rc >= 0)
		rc = store_begin(to, err);
	if (rc < 0)
		goto out;
	report->tables = xcalloc(n ? n : 1, sizeof(*report->tables));
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		struct mlc_store_copy_table *t = &report->tables[report->ntables++];
		t->name = xstrdup(tables[i]);
		bool has_id = false;
		rc = copy_table(from, to, tables[i], &t->rows, &has_id, err);
		if (rc >= 0 && has_id)
			rc = restart_ids(to, tables[i], err);
		report->rows += t->rows;
	}
	if (rc >= 0)
		rc = store_commit(to, err);
	else
		store_rollback(to);
out:
	for (size_t i = 0; i < n; i++)
		free(tables[i]);
	free(tables);
	return rc;
}

void store_copy_release(struct mlc_store_copy *report)
{
	for (size_t i = 0; i < report->ntables; i++)
		free(report->tables[i].name);
	free(report->tables);
	memset(report, 0, sizeof(*report));
}
