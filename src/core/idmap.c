#include <stdlib.h>
#include <string.h>

#include "core/idmap.h"
#include "util/buf.h"
#include "util/time.h"
#include "util/banned.h"

void idmap_entry_release(struct mlc_idmap_entry *e)
{
	if (!e)
		return;
	free(e->netsuite_key);
	free(e->procore_key);
	free(e->content_hash);
	memset(e, 0, sizeof(*e));
}

static int lookup(struct mlc_store *s, int64_t tenant_id, const char *entity, const char *col,
		  const char *key, struct mlc_idmap_entry *out, struct mlc_error *err)
{
	struct mlc_buf sql = MLC_BUF_INIT;
	struct mlc_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	buf_addf(&sql,
		 "SELECT netsuite_key, procore_key, content_hash, updated_at FROM id_map "
		 "WHERE tenant_id = ? AND entity = ? AND %s = ?",
		 col);
	rc = store_prepare_cached(s, sql.data, &st, err);
	buf_release(&sql);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, entity);
	stmt_bind_text(st, 3, key);
	rc = stmt_step(st, err);
	if (rc == 1) {
		out->netsuite_key = stmt_col_dup(st, 0);
		out->procore_key = stmt_col_dup(st, 1);
		out->content_hash = stmt_col_dup(st, 2);
		out->updated_at = stmt_col_i64(st, 3);
		rc = MLC_OK;
	} else if (rc == 0) {
		rc = error_set(err, MLC_ENOTFOUND, "no %s linked to %s %s", entity, col, key);
	}
	stmt_free(st);
	return rc;
}

int idmap_by_netsuite(struct mlc_store *s, int64_t tenant_id, const char *entity,
		      const char *netsuite_key, struct mlc_idmap_entry *out, struct mlc_error *err)
{
	return lookup(s, tenant_id, entity, "netsuite_key", netsuite_key, out, err);
}

int idmap_by_procore(struct mlc_store *s, int64_t tenant_id, const char *entity,
		     const char *procore_key, struct mlc_idmap_entry *out, struct mlc_error *err)
{
	return lookup(s, tenant_id, entity, "procore_key", procore_key, out, err);
}

int idmap_all(struct mlc_store *s, int64_t tenant_id, const char *entity, json_t **links,
	      struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc =
	    store_prepare(s,
			  "SELECT netsuite_key, procore_key FROM id_map WHERE tenant_id = ? "
			  "AND entity = ? AND netsuite_key IS NOT NULL AND procore_key IS NOT NULL",
			  &st, err);

	*links = NULL;
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, entity);
	*links = json_object();
	while ((rc = stmt_step(st, err)) == 1)
		json_object_set_new(*links, stmt_col_text(st, 0),
				    json_string(stmt_col_text(st, 1)));
	stmt_free(st);
	if (rc < 0) {
		json_decref(*links);
		*links = NULL;
		return rc;
	}
	return MLC_OK;
}

/* NULL and NULL are equal here, as the stored row's column and the
 * caller's value are compared. */
static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/*
 * Whether the put would change nothing: one row matches either key and
 * already holds both keys (a NULL argument keeps the stored key) and the
 * hash.  A quiet rerun puts every unchanged link again; it writes nothing.
 */
static int put_is_noop(struct mlc_store *s, int64_t tenant_id, const char *entity,
		       const char *netsuite_key, const char *procore_key, const char *content_hash,
		       bool *noop, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc, rows = 0;

	*noop = false;
	rc =
	    store_prepare_cached(s,
				 "SELECT netsuite_key, procore_key, content_hash FROM id_map WHERE "
				 "tenant_id = ? AND entity = ? AND (netsuite_key = ? OR "
				 "procore_key = ?)",
				 &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, entity);
	stmt_bind_text(st, 3, netsuite_key);
	stmt_bind_text(st, 4, procore_key);
	while ((rc = stmt_step(st, err)) == 1) {
		const char *ns = stmt_col_is_null(st, 0) ? NULL : stmt_col_text(st, 0);
		const char *pc = stmt_col_is_null(st, 1) ? NULL : stmt_col_text(st, 1);
		const char *h = stmt_col_is_null(st, 2) ? NULL : stmt_col_text(st, 2);
		if (++rows > 1) {
			*noop = false; /* two rows: the update below reports the conflict */
			break;
		}
		*noop = (!netsuite_key || same_text(ns, netsuite_key)) &&
			(!procore_key || same_text(pc, procore_key)) && same_text(h, content_hash);
	}
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

int idmap_put(struct mlc_store *s, int64_t tenant_id, const char *entity, const char *netsuite_key,
	      const char *procore_key, const char *content_hash, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;
	bool noop;
	int64_t now = time_now_ms();

	if (!netsuite_key && !procore_key)
		return error_set(err, MLC_EINVAL, "an id map entry needs at least one key");
	rc = put_is_noop(s, tenant_id, entity, netsuite_key, procore_key, content_hash, &noop, err);
	if (rc < 0 || noop)
		return rc;
	/* COALESCE keeps a known key when the caller passes NULL for it */
	rc = store_prepare_cached(
	    s,
	    "UPDATE id_map SET netsuite_key = COALESCE(?, netsuite_key), "
	    "procore_key = COALESCE(?, procore_key), content_hash = ?, updated_at = ? "
	    "WHERE tenant_id = ? AND entity = ? AND "
	    "(netsuite_key = ? OR procore_key = ?)",
	    &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_text(st, 1, netsuite_key);
	stmt_bind_text(st, 2, procore_key);
	stmt_bind_text(st, 3, content_hash);
	stmt_bind_i64(st, 4, now);
	stmt_bind_i64(st, 5, tenant_id);
	stmt_bind_text(st, 6, entity);
	stmt_bind_text(st, 7, netsuite_key);
	stmt_bind_text(st, 8, procore_key);
	rc = stmt_step(st, err);
	stmt_free(st);
	if (rc == MLC_EEXIST)
		return error_set(err, MLC_EEXIST,
				 "%s: NetSuite %s and Procore %s are each linked to another record",
				 entity, netsuite_key ? netsuite_key : "-",
				 procore_key ? procore_key : "-");
	if (rc < 0)
		return rc;
	if (store_changes(s) > 1)
		return error_set(err, MLC_EEXIST, "%s: keys matched two id map rows", entity);
	if (store_changes(s) == 1)
		return MLC_OK;
	rc = store_prepare_cached(
	    s,
	    "INSERT INTO id_map (tenant_id, entity, netsuite_key, procore_key, "
	    "content_hash, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
	    &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, entity);
	stmt_bind_text(st, 3, netsuite_key);
	stmt_bind_text(st, 4, procore_key);
	stmt_bind_text(st, 5, content_hash);
	stmt_bind_i64(st, 6, now);
	rc = stmt_step(st, err);
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}
