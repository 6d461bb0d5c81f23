#include <string.h>

#include "core/changes.h"
#include "util/banned.h"

static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/*
 * PostgreSQL has no data_version: the cluster's current snapshot
 * (xmin:xmax:running xids) changes whenever a transaction that wrote
 * commits, starts or ends, so its hash differs after any other
 * connection's commit; unlike SQLite's number it also moves on this
 * connection's own commits and on other databases' writes, which only
 * costs the caller a fingerprint (the check that decides).
 */
static const char *version_sql(struct mlc_store *s)
{
	return strcmp(store_backend(s), "postgres") == 0 ? "SELECT pg_current_snapshot()::text"
							 : "PRAGMA data_version";
}

int changes_data_version(struct mlc_store *s, int64_t *out, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	bool pg = strcmp(store_backend(s), "postgres") == 0;
	int rc = store_prepare(s, version_sql(s), &st, err);

	*out = 0;
	if (rc == MLC_OK)
		rc = stmt_step(st, err);
	if (rc == 1 && pg) {
		const char *t = stmt_col_text(st, 0);
		*out = (int64_t)(fnv(0xcbf29ce484222325ULL, t, strlen(t)) >> 1);
	} else if (rc == 1) {
		*out = stmt_col_i64(st, 0);
	}
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

/* Hashes columns 0..ncols-1 of every row of sql, a NUL after each column
 * so that boundaries count. */
static int hash_rows(struct mlc_store *s, const char *sql, int ncols, uint64_t *h,
		     struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc = store_prepare(s, sql, &st, err);

	while (rc >= 0 && (rc = stmt_step(st, err)) == 1) {
		for (int c = 0; c < ncols; c++) {
			size_t n = 0;
			const void *p = stmt_col_blob(st, c, &n);
			*h = fnv(*h, p ? p : "", p ? n : 0);
			*h = fnv(*h, "", 1);
		}
		*h = fnv(*h, "\n", 1);
	}
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

int changes_tenants_fingerprint(struct mlc_store *s, uint64_t *out, struct mlc_error *err)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	int rc;

	*out = 0;
	rc = hash_rows(s,
		       "SELECT id, name, procore_company_id, netsuite_account, netsuite_url, "
		       "settings, updated_at FROM tenants ORDER BY id",
		       7, &h, err);
	if (rc >= 0)
		rc = hash_rows(
		    s,
		    "SELECT tenant_id, name, key_id, nonce, updated_at FROM secrets ORDER BY "
		    "tenant_id, name",
		    5, &h, err);
	if (rc < 0)
		return rc;
	*out = h;
	return MLC_OK;
}
