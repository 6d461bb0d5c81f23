/*
 * The chart-of-accounts catalog as last read from NetSuite (table
 * account_catalog; core/account_catalog.h).
 */
#include <stdlib.h>

#include "core/account_catalog.h"
#include "util/jsonx.h"
#include "util/time.h"
#include "util/banned.h"

int account_catalog_replace(struct mlc_store *st, int64_t tenant_id, const json_t *catalog,
			    struct mlc_error *err)
{
	struct mlc_stmt *del = NULL, *ins = NULL;
	const char *k;
	json_t *a;
	int64_t now = time_now_ms();
	int rc;

	rc = store_begin(st, err);
	if (rc < 0)
		return rc;
	rc = store_prepare(st, "DELETE FROM account_catalog WHERE tenant_id = ?", &del, err);
	if (rc >= 0)
		rc = store_prepare(
		    st,
		    "INSERT INTO account_catalog (tenant_id, account_id, number, name, "
		    "type, inactive, summary, subsidiaries, read_at) VALUES "
		    "(?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    &ins, err);
	if (rc < 0)
		goto fail;
	stmt_bind_i64(del, 1, tenant_id);
	rc = stmt_step(del, err);
	if (rc < 0)
		goto fail;
	json_object_foreach ((json_t *)catalog, k, a) {
		char *subs = json_dumps(json_object_get(a, "subsidiaries"), JSON_COMPACT);
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
		if (rc < 0)
			goto fail;
	}
	stmt_free(del);
	stmt_free(ins);
	return store_commit(st, err);
fail:
	stmt_free(del);
	stmt_free(ins);
	store_rollback(st);
	return rc;
}
