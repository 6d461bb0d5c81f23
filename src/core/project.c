#include <stdlib.h>
#include <string.h>

#include "core/project.h"
#include "util/buf.h"
#include "util/time.h"
#include "util/banned.h"

int project_link(struct mlc_store *s, const struct mlc_project_link *l, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int64_t now = time_now_ms();
	int rc;

	if (l->procore_project_id <= 0 || l->netsuite_job_id <= 0)
		return error_set(err, MLC_EINVAL, "project ids must be positive");
	rc = store_prepare(
	    s,
	    "INSERT INTO project_links (tenant_id, procore_project_id, netsuite_job_id, "
	    "subsidiary_id, department_id, class_id, location_id, active, created_at, updated_at, "
	    "customer_id) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) "
	    "ON CONFLICT (tenant_id, procore_project_id) DO UPDATE SET "
	    "netsuite_job_id = excluded.netsuite_job_id, subsidiary_id = excluded.subsidiary_id, "
	    "customer_id = excluded.customer_id, "
	    "department_id = excluded.department_id, class_id = excluded.class_id, "
	    "location_id = excluded.location_id, active = 1, updated_at = excluded.updated_at",
	    &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, l->tenant_id);
	stmt_bind_i64(st, 2, l->procore_project_id);
	stmt_bind_i64(st, 3, l->netsuite_job_id);
	stmt_bind_opt_id(st, 4, l->subsidiary_id);
	stmt_bind_opt_id(st, 5, l->department_id);
	stmt_bind_opt_id(st, 6, l->class_id);
	stmt_bind_opt_id(st, 7, l->location_id);
	stmt_bind_i64(st, 8, now);
	stmt_bind_i64(st, 9, now);
	stmt_bind_opt_id(st, 10, l->customer_id);
	rc = stmt_step(st, err);
	stmt_free(st);
	if (rc == MLC_EEXIST)
		return error_set(err, MLC_EEXIST,
				 "NetSuite job %lld is already linked to another Procore project",
				 (long long)l->netsuite_job_id);
	return rc < 0 ? rc : MLC_OK;
}

int project_unlink(struct mlc_store *s, int64_t tenant_id, int64_t procore_project_id,
		   struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	rc = store_prepare(
	    s, "DELETE FROM project_links WHERE tenant_id = ? AND procore_project_id = ?", &st,
	    err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_i64(st, 2, procore_project_id);
	rc = stmt_step(st, err);
	stmt_free(st);
	if (rc < 0)
		return rc;
	if (store_changes(s) == 0)
		return error_set(err, MLC_ENOTFOUND, "Procore project %lld is not linked",
				 (long long)procore_project_id);
	return MLC_OK;
}

#define LINK_COLS                                                                                  \
	"tenant_id, procore_project_id, netsuite_job_id, subsidiary_id, department_id, "           \
	"class_id, location_id, active, customer_id"

static void load_row(struct mlc_stmt *st, struct mlc_project_link *l)
{
	l->tenant_id = stmt_col_i64(st, 0);
	l->procore_project_id = stmt_col_i64(st, 1);
	l->netsuite_job_id = stmt_col_i64(st, 2);
	l->subsidiary_id = stmt_col_i64(st, 3);
	l->department_id = stmt_col_i64(st, 4);
	l->class_id = stmt_col_i64(st, 5);
	l->location_id = stmt_col_i64(st, 6);
	l->active = (int)stmt_col_i64(st, 7);
	l->customer_id = stmt_col_i64(st, 8);
}

int project_list(struct mlc_store *s, int64_t tenant_id, struct mlc_project_link **out, size_t *n,
		 struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	struct mlc_project_link *list = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	rc = store_prepare(s,
			   "SELECT " LINK_COLS " FROM project_links WHERE tenant_id = ? "
			   "ORDER BY procore_project_id",
			   &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	while ((rc = stmt_step(st, err)) == 1) {
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			list = xrealloc(list, cap * sizeof(*list));
		}
		load_row(st, &list[len++]);
	}
	stmt_free(st);
	if (rc < 0) {
		free(list);
		return rc;
	}
	*out = list;
	*n = len;
	return MLC_OK;
}

int project_get(struct mlc_store *s, int64_t tenant_id, int64_t procore_project_id,
		struct mlc_project_link *out, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc;

	rc = store_prepare(s,
			   "SELECT " LINK_COLS " FROM project_links WHERE tenant_id = ? "
			   "AND procore_project_id = ?",
			   &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_i64(st, 2, procore_project_id);
	rc = stmt_step(st, err);
	if (rc == 1) {
		load_row(st, out);
		rc = MLC_OK;
	} else if (rc == 0) {
		rc = error_set(err, MLC_ENOTFOUND, "Procore project %lld is not linked",
			       (long long)procore_project_id);
	}
	stmt_free(st);
	return rc;
}

static void set_opt(json_t *o, const char *key, int64_t v)
{
	json_object_set_new(o, key, v ? json_integer(v) : json_null());
}

json_t *project_to_json(const struct mlc_project_link *l)
{
	json_t *o = json_object();

	json_object_set_new(o, "procore_project_id", json_integer(l->procore_project_id));
	json_object_set_new(o, "netsuite_job_id", json_integer(l->netsuite_job_id));
	set_opt(o, "customer_id", l->customer_id);
	set_opt(o, "subsidiary_id", l->subsidiary_id);
	set_opt(o, "department_id", l->department_id);
	set_opt(o, "class_id", l->class_id);
	set_opt(o, "location_id", l->location_id);
	json_object_set_new(o, "active", json_boolean(l->active));
	return o;
}
