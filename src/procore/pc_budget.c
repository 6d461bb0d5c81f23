/*
 * Procore budgets as typed records (procore/pc_budget.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procore/pc_budget.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/str.h"
#include "util/banned.h"

int pc_line_item_types(struct mlc_procore *pc, int64_t company_id, struct pc_line_item_type **v,
		       size_t *n, struct mlc_error *err)
{
	char company[24];
	const char *q[] = {"company_id", company, NULL};
	json_t *items = NULL, *it;
	size_t i;
	int rc;

	*v = NULL;
	*n = 0;
	snprintf(company, sizeof(company), "%lld", (long long)company_id);
	rc = procore_list(pc, "/rest/v1.0/line_item_types", q, &items, err);
	if (rc < 0)
		return rc;
	*v = xcalloc(json_array_size(items) + 1, sizeof(**v));
	json_array_foreach (items, i, it) {
		struct pc_line_item_type *t = &(*v)[*n];
		if (!jsonx_str(it, "code") || jsonx_id(it, "id", &t->id) < 0 || !t->id)
			continue;
		str_copy(t->code, sizeof(t->code), jsonx_str(it, "code"));
		(*n)++;
	}
	json_decref(items);
	return MLC_OK;
}

int pc_budget_view_first(struct mlc_procore *pc, int64_t project_id, int64_t *view_id,
			 struct mlc_error *err)
{
	char pid[24];
	const char *q[] = {"project_id", pid, NULL};
	json_t *views = NULL;
	int rc;

	*view_id = 0;
	snprintf(pid, sizeof(pid), "%lld", (long long)project_id);
	rc = procore_list(pc, "/rest/v1.0/budget_views", q, &views, err);
	if (rc < 0)
		return rc;
	if (jsonx_id(json_array_get(views, 0), "id", view_id) < 0)
		*view_id = 0;
	json_decref(views);
	return MLC_OK;
}

static int cmp_ref(const void *a, const void *b)
{
	int64_t x = ((const struct pc_code_ref *)a)->id, y = ((const struct pc_code_ref *)b)->id;
	return (x > y) - (x < y);
}

int pc_project_code_refs(struct mlc_procore *pc, int64_t project_id, struct pc_code_ref **v,
			 size_t *n, struct mlc_error *err)
{
	char pid[24];
	const char *q[] = {"project_id", pid, NULL};
	json_t *items = NULL, *it;
	size_t i;
	int rc;

	*v = NULL;
	*n = 0;
	snprintf(pid, sizeof(pid), "%lld", (long long)project_id);
	rc = procore_list(pc, "/rest/v1.0/cost_codes", q, &items, err);
	if (rc < 0)
		return rc;
	*v = xcalloc(json_array_size(items) + 1, sizeof(**v));
	json_array_foreach (items, i, it) {
		struct pc_code_ref *r = &(*v)[*n];
		if (!jsonx_str(it, "full_code") || jsonx_id(it, "id", &r->id) < 0 || !r->id)
			continue;
		str_copy(r->full_code, sizeof(r->full_code), jsonx_str(it, "full_code"));
		(*n)++;
	}
	qsort(*v, *n, sizeof(**v), cmp_ref);
	json_decref(items);
	return MLC_OK;
}

static bool read_row(const json_t *v, struct pc_budget_row *r)
{
	struct mlc_error e = {0};

	memset(r, 0, sizeof(*r));
	if (jsonx_id(v, "id", &r->id) < 0 || !r->id ||
	    jsonx_id(v, "cost_code_id", &r->cost_code_id) < 0 ||
	    jsonx_id(v, "category_id", &r->category_id) < 0)
		return false;
	r->wbs_code_id = jsonx_id_or0(v, "wbs_code_id");
	r->amounts_ok = jsonx_money_get(v, "original_budget_amount", true, &r->original, &e) == 0;
	if (!r->amounts_ok)
		str_copy(r->why, sizeof(r->why), e.msg);
	return true;
}

int pc_budget_rows(struct mlc_procore *pc, int64_t view_id, int64_t project_id,
		   struct pc_budget_row **v, size_t *n, struct mlc_error *err)
{
	char pid[24], path[128];
	const char *q[] = {"project_id", pid, NULL};
	json_t *items = NULL, *it;
	size_t i;
	int rc;

	*v = NULL;
	*n = 0;
	snprintf(pid, sizeof(pid), "%lld", (long long)project_id);
	snprintf(path, sizeof(path), "/rest/v1.0/budget_views/%lld/detail_rows",
		 (long long)view_id);
	rc = procore_list(pc, path, q, &items, err);
	if (rc < 0)
		return rc;
	*v = xcalloc(json_array_size(items) + 1, sizeof(**v));
	json_array_foreach (items, i, it) {
		if (read_row(it, &(*v)[*n]))
			(*n)++;
	}
	json_decref(items);
	return MLC_OK;
}

int pc_budget_line_create(struct mlc_procore *pc, const struct pc_budget_write *w,
			  bool with_original, int64_t *bli_id, bool *locked, struct mlc_error *err)
{
	json_t *item = json_object(), *out = NULL, *body, *errs;
	int status = 0, rc;

	*bli_id = 0;
	*locked = false;
	/* project_id goes in the body only: the create endpoint file
	 * (RestV10BudgetLineItemsPost.json) takes no query */
	if (with_original)
		json_object_set_new(item, "original_budget_amount", jsonx_money(w->original));
	json_object_set_new(item, "cost_code_id", json_integer(w->cost_code_id));
	json_object_set_new(item, "line_item_type_id", json_integer(w->line_item_type_id));
	body = json_pack("{s:I, s:o}", "project_id", (json_int_t)w->project_id, "budget_line_item",
			 item);
	rc = procore_write(pc, "POST", "/rest/v1.0/budget_line_items", NULL, body, &out, &status,
			   err);
	errs = json_object_get(out, "errors");
	/* a locked budget's original is read-only (webhook-payloads.md item 5) */
	if (rc < 0 && status == 422 && json_object_get(errs, "original_budget_amount"))
		*locked = true;
	if (rc == MLC_OK && jsonx_id(out, "id", bli_id) < 0)
		*bli_id = 0;
	json_decref(out);
	return rc;
}

int pc_budget_line_wbs(struct mlc_procore *pc, int64_t project_id, int64_t bli_id,
		       int64_t *wbs_code_id, struct mlc_error *err)
{
	char path[96], pid[24];
	const char *q[] = {"project_id", pid, NULL};
	json_t *out = NULL;
	int rc;

	*wbs_code_id = 0;
	snprintf(pid, sizeof(pid), "%lld", (long long)project_id);
	snprintf(path, sizeof(path), "/rest/v1.1/budget_line_items/%lld", (long long)bli_id);
	rc = procore_get(pc, path, q, &out, err);
	if (rc == MLC_OK)
		*wbs_code_id = jsonx_id_or0(json_object_get(out, "wbs_code"), "id");
	json_decref(out);
	return rc;
}

static enum pc_bc_status bc_status(const char *s)
{
	static const char *const names[] = {"", "draft", "under_review", "approved", "void"};
	for (size_t i = 1; s && i < MLC_ARRAY_LEN(names); i++)
		if (strcmp(s, names[i]) == 0)
			return (enum pc_bc_status)i;
	return PC_BC_OTHER;
}

static int read_adjustment(const json_t *it, struct pc_budget_adjustment *a, struct mlc_error *err)
{
	memset(a, 0, sizeof(*a));
	/* the v2.0 list gives ids as strings */
	if (jsonx_id(it, "id", &a->id) < 0 || jsonx_id(it, "wbs_code_id", &a->wbs_code_id) < 0 ||
	    jsonx_id(it, "budget_change_id", &a->budget_change_id) < 0)
		return error_set(err, MLC_EPERM, "Procore budget change adjustment without ids");
	if (jsonx_money_get(it, "amount", false, &a->cents, err) < 0)
		return err->code;
	a->status = bc_status(jsonx_str(it, "budget_change_status"));
	str_copy(a->name, sizeof(a->name), jsonx_str(it, "budget_change_name"));
	return MLC_OK;
}

int pc_budget_adjustments(struct mlc_procore *pc, int64_t company_id, int64_t project_id,
			  struct pc_budget_adjustment **v, size_t *n, struct mlc_error *err)
{
	char path[160], pg[16];
	const char *q[] = {"page", pg, "per_page", "100", NULL};
	json_t *out = NULL, *data, *it;
	size_t i, cap = 0;
	int rc = MLC_OK;

	*v = NULL;
	*n = 0;
	snprintf(path, sizeof(path),
		 "/rest/v2.0/companies/%lld/projects/%lld/budget_changes/adjustment_line_items",
		 (long long)company_id, (long long)project_id);
	for (int page = 1; rc == MLC_OK; page++) {
		snprintf(pg, sizeof(pg), "%d", page);
		rc = procore_get(pc, path, q, &out, err);
		if (rc < 0)
			break;
		data = json_object_get(out, "data");
		if (!json_is_array(data)) {
			rc = error_set(err, MLC_EPERM, "Procore %s: no data array", path);
			break;
		}
		json_array_foreach (data, i, it) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				*v = xrealloc(*v, cap * sizeof(**v));
			}
			rc = read_adjustment(it, &(*v)[*n], err);
			if (rc < 0)
				break;
			(*n)++;
		}
		/* a short page is the last (at most 100 a page) */
		if (rc < 0 || json_array_size(data) < 100)
			break;
		json_decref(out);
		out = NULL;
	}
	json_decref(out);
	if (rc < 0) {
		free(*v);
		*v = NULL;
		*n = 0;
	}
	return rc < 0 ? rc : MLC_OK;
}

int pc_budget_change_create(struct mlc_procore *pc, const struct pc_budget_change *bc, int64_t *id,
			    struct mlc_error *err)
{
	char path[96];
	json_t *lines = json_array(), *body, *out = NULL;
	int status = 0, rc;

	*id = 0;
	for (size_t i = 0; i < bc->nlines; i++)
		json_array_append_new(lines,
				      json_pack("{s:s, s:I, s:I, s:o, s:s}", "type", "change_event",
						"adjustment_number", (json_int_t)(i + 1),
						"wbs_code_id", (json_int_t)bc->lines[i].wbs_code_id,
						"amount", jsonx_money(bc->lines[i].cents),
						"description", bc->lines[i].description));
	body = json_pack("{s:s, s:s, s:s, s:o}", "status", bc->status, "title", bc->title,
			 "description", bc->description, "adjustment_line_items", lines);
	snprintf(path, sizeof(path), "/rest/v1.0/projects/%lld/budget_changes",
		 (long long)bc->project_id);
	rc = procore_write(pc, "POST", path, NULL, body, &out, &status, err);
	if (rc == MLC_OK)
		*id = jsonx_id_or0(json_object_get(out, "data"), "id");
	json_decref(out);
	return rc;
}
