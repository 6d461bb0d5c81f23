/*
 * The chart-of-accounts catalog as last read from NetSuite (table
 * account_catalog; core/account_catalog.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/account_catalog.h"
#include "util/jsonx.h"
#include "util/time.h"
#include "util/banned.h"

/* An account is written when it is new or one of its columns changed: a
 * rerun that reads the same chart writes nothing (issue 20).  number and
 * subsidiaries may be NULL, hence the IS NULL comparisons. */
static const char *const upsert_sql =
    "INSERT INTO account_catalog (tenant_id, account_id, number, name, type, inactive, "
    "summary, subsidiaries, read_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (tenant_id, account_id) DO UPDATE SET number = excluded.number, "
    "name = excluded.name, type = excluded.type, inactive = excluded.inactive, "
    "summary = excluded.summary, subsidiaries = excluded.subsidiaries, "
    "read_at = excluded.read_at WHERE account_catalog.name <> excluded.name OR "
    "account_catalog.type <> excluded.type OR account_catalog.inactive <> excluded.inactive "
    "OR account_catalog.summary <> excluded.summary OR "
    "(account_catalog.number IS NULL) <> (excluded.number IS NULL) OR "
    "account_catalog.number <> excluded.number OR "
    "(account_catalog.subsidiaries IS NULL) <> (excluded.subsidiaries IS NULL) OR "
    "account_catalog.subsidiaries <> excluded.subsidiaries";

static int put_account(struct mlc_stmt *ins, int64_t tenant_id, const json_t *a, int64_t now,
		       struct mlc_error *err)
{
	char *subs = json_dumps(json_object_get(a, "subsidiaries"), JSON_COMPACT);
	int rc;

	stmt_reset(ins);
	stmt_bind_i64(ins, 1, tenant_id);
	stmt_bind_i64(ins, 2, json_integer_value(json_object_get(a, "id")));
	if (jsonx_str(a, "number"))
		stmt_bind_text(ins, 3, jsonx_str(a, "number"));
	else
		stmt_bind_null(ins, 3);
	stmt_bind_text(ins, 4, jsonx_str(a, "name") ? jsonx_str(a, "name") : "");
	stmt_bind_text(ins, 5, jsonx_str(a, "type") ? jsonx_str(a, "type") : "");
	stmt_bind_i64(ins, 6, json_is_true(json_object_get(a, "inactive")));
	stmt_bind_i64(ins, 7, json_is_true(json_object_get(a, "summary")));
	stmt_bind_text(ins, 8, subs ? subs : "[]");
	stmt_bind_i64(ins, 9, now);
	rc = stmt_step(ins, err);
	free(subs);
	return rc < 0 ? rc : MLC_OK;
}

/* Deletes the accounts the chart no longer lists.  The ids are read first
 * and deleted after: no delete runs under the open SELECT. */
static int drop_gone(struct mlc_store *st, int64_t tenant_id, const json_t *catalog,
		     struct mlc_error *err)
{
	struct mlc_stmt *q = NULL, *del = NULL;
	json_t *ids = json_object(), *gone = json_array();
	json_t *a;
	const char *k;
	size_t i;
	int rc = ids && gone ? MLC_OK : error_set(err, MLC_ENOMEM, "out of memory");

	json_object_foreach ((json_t *)catalog, k, a) {
		char id[32];
		snprintf(id, sizeof(id), "%lld",
			 (long long)json_integer_value(json_object_get(a, "id")));
		if (rc == MLC_OK && json_object_set_new(ids, id, json_true()) < 0)
			rc = error_set(err, MLC_ENOMEM, "out of memory");
	}
	if (rc == MLC_OK)
		rc = store_prepare(st, "SELECT account_id FROM account_catalog WHERE tenant_id = ?",
				   &q, err);
	if (rc < 0)
		goto out;
	stmt_bind_i64(q, 1, tenant_id);
	while ((rc = stmt_step(q, err)) == 1) {
		char id[32];
		snprintf(id, sizeof(id), "%lld", (long long)stmt_col_i64(q, 0));
		if (!json_object_get(ids, id))
			json_array_append_new(gone, json_integer(stmt_col_i64(q, 0)));
	}
	if (rc < 0 || json_array_size(gone) == 0)
		goto out;
	rc = store_prepare(st, "DELETE FROM account_catalog WHERE tenant_id = ? AND account_id = ?",
			   &del, err);
	json_array_foreach (gone, i, a) {
		if (rc < 0)
			break;
		stmt_reset(del);
		stmt_bind_i64(del, 1, tenant_id);
		stmt_bind_i64(del, 2, json_integer_value(a));
		rc = stmt_step(del, err);
	}
out:
	stmt_free(q);
	stmt_free(del);
	json_decref(ids);
	json_decref(gone);
	return rc < 0 ? rc : MLC_OK;
}

int account_catalog_replace(struct mlc_store *st, int64_t tenant_id, const json_t *catalog,
			    struct mlc_error *err)
{
	struct mlc_stmt *ins = NULL;
	const char *k;
	json_t *a;
	int64_t now = time_now_ms();
	int rc;

	rc = store_begin(st, err);
	if (rc < 0)
		return rc;
	rc = drop_gone(st, tenant_id, catalog, err);
	if (rc == MLC_OK)
		rc = store_prepare(st, upsert_sql, &ins, err);
	if (rc < 0)
		goto fail;
	json_object_foreach ((json_t *)catalog, k, a) {
		rc = put_account(ins, tenant_id, a, now, err);
		if (rc < 0)
			goto fail;
	}
	stmt_free(ins);
	return store_commit(st, err);
fail:
	stmt_free(ins);
	store_rollback(st);
	return rc;
}
