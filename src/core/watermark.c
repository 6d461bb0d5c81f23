#include <stdlib.h>

#include "core/watermark.h"
#include "util/time.h"
#include "util/banned.h"

int watermark_get(struct mlc_store *s, int64_t tenant_id, const char *flow, const char *scope,
		  char **value, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	*value = NULL;
	rc = store_prepare_cached(
	    s,
	    "SELECT value FROM watermarks WHERE tenant_id = ? AND flow = ? AND "
	    "scope = ?",
	    &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, flow);
	stmt_bind_text(st, 3, scope ? scope : "");
	rc = stmt_step(st, err);
	if (rc == 1)
		*value = stmt_col_dup(st, 0);
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

int watermark_set(struct mlc_store *s, int64_t tenant_id, const char *flow, const char *scope,
		  const char *value, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	/* a run that saw nothing newer leaves the row as it is (the WHERE) */
	rc = store_prepare_cached(
	    s,
	    "INSERT INTO watermarks (tenant_id, flow, scope, value, updated_at) "
	    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, flow, scope) DO "
	    "UPDATE SET value = excluded.value, updated_at = excluded.updated_at "
	    "WHERE watermarks.value <> excluded.value",
	    &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, flow);
	stmt_bind_text(st, 3, scope ? scope : "");
	stmt_bind_text(st, 4, value);
	stmt_bind_i64(st, 5, time_now_ms());
	rc = stmt_step(st, err);
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

int watermark_clear(struct mlc_store *s, int64_t tenant_id, const char *flow, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	rc = store_prepare(s, "DELETE FROM watermarks WHERE tenant_id = ? AND flow = ?", &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, flow);
	rc = stmt_step(st, err);
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}
