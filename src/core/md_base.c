/*
 * The master-data bases (table md_base): one JSON object per record and
 * type, the values both systems last agreed on (core/md_base.h).
 */
#include <stdlib.h>

#include "core/md_base.h"
#include "util/time.h"
#include "util/banned.h"

int md_base_get(struct mlc_store *st, int64_t tenant_id, const char *type, const char *key,
		json_t **base, struct mlc_error *err)
{
	struct mlc_stmt *q = NULL;
	json_error_t jerr;
	int rc =
	    store_prepare_cached(st,
				 "SELECT base FROM md_base WHERE tenant_id = ? AND type = ? AND "
				 "key = ?",
				 &q, err);

	*base = NULL;
	if (rc < 0)
		return rc;
	stmt_bind_i64(q, 1, tenant_id);
	stmt_bind_text(q, 2, type);
	stmt_bind_text(q, 3, key);
	rc = stmt_step(q, err);
	if (rc == 1) {
		*base = json_loads(stmt_col_text(q, 0), 0, &jerr);
		if (!*base)
			rc = error_set(err, MLC_ESTORE, "master data base %s %s is corrupt", type,
				       key);
	}
	stmt_free(q);
	return rc < 0 ? rc : MLC_OK;
}

int md_base_all(struct mlc_store *st, int64_t tenant_id, const char *type, json_t **all,
		struct mlc_error *err)
{
	struct mlc_stmt *q = NULL;
	json_error_t jerr;
	int rc = store_prepare(st, "SELECT key, base FROM md_base WHERE tenant_id = ? AND type = ?",
			       &q, err);

	*all = NULL;
	if (rc < 0)
		return rc;
	stmt_bind_i64(q, 1, tenant_id);
	stmt_bind_text(q, 2, type);
	*all = json_object();
	while ((rc = stmt_step(q, err)) == 1) {
		json_t *b = json_loads(stmt_col_text(q, 1), 0, &jerr);
		if (!b) {
			rc = error_set(err, MLC_ESTORE, "master data base %s %s is corrupt", type,
				       stmt_col_text(q, 0));
			break;
		}
		json_object_set_new(*all, stmt_col_text(q, 0), b);
	}
	stmt_free(q);
	if (rc < 0) {
		json_decref(*all);
		*all = NULL;
		return rc;
	}
	return MLC_OK;
}

int md_base_put(struct mlc_store *st, int64_t tenant_id, const char *type, const char *key,
		const json_t *base, struct mlc_error *err)
{
	struct mlc_stmt *q = NULL;
	char *text = json_dumps(base, JSON_COMPACT | JSON_SORT_KEYS);
	/* an unchanged base is not written again (a quiet rerun puts every
	 * record's base back): the upsert's WHERE skips the update */
	int rc = store_prepare_cached(
	    st,
	    "INSERT INTO md_base (tenant_id, type, key, base, updated_at) "
	    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, type, key) "
	    "DO UPDATE SET base = excluded.base, updated_at = excluded.updated_at "
	    "WHERE md_base.base <> excluded.base",
	    &q, err);

	if (rc < 0 || !text) {
		free(text);
		return rc < 0 ? rc : error_set(err, MLC_ENOMEM, "out of memory");
	}
	stmt_bind_i64(q, 1, tenant_id);
	stmt_bind_text(q, 2, type);
	stmt_bind_text(q, 3, key);
	stmt_bind_text(q, 4, text);
	stmt_bind_i64(q, 5, time_now_ms());
	rc = stmt_step(q, err);
	stmt_free(q);
	free(text);
	return rc < 0 ? rc : MLC_OK;
}
