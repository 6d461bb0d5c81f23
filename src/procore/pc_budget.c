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
	r->amounts_ok = jsonx_money_get(v, "original_budget_amount", true, &r->original, &e) == 0 &&
			jsonx_money_get(v, "budget_modifications", true, &r->mods, &e) == 0;
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

int pc_budget_line_put(struct mlc_procore *pc, const struct pc_budget_write *w, int64_t *bli_id,
		       struct mlc_error *err)
{
	char path[96];
	json_t *item = json_object(), *out = NULL, *body;
	int status = 0, rc;

	/* project_id goes in the body only: the create and update endpoint
	 * files (RestV10BudgetLineItems{Post,IdPatch}.json) take no query */
	json_object_set_new(item, "original_budget_amount", jsonx_money(w->original));
	if (*bli_id) {
		body = json_pack("{s:I, s:o}", "project_id", (json_int_t)w->project_id,
				 "budget_line_item", item);
		snprintf(path, sizeof(path), "/rest/v1.0/budget_line_items/%lld",
			 (long long)*bli_id);
		rc = procore_write(pc, "PATCH", path, NULL, body, &out, &status, err);
	} else {
		json_object_set_new(item, "cost_code_id", json_integer(w->cost_code_id));
		json_object_set_new(item, "line_item_type_id", json_integer(w->line_item_type_id));
		body = json_pack("{s:I, s:o}", "project_id", (json_int_t)w->project_id,
				 "budget_line_item", item);
		rc = procore_write(pc, "POST", "/rest/v1.0/budget_line_items", NULL, body, &out,
				   &status, err);
		if (rc == MLC_OK && jsonx_id(out, "id", bli_id) < 0)
			*bli_id = 0;
	}
	json_decref(out);
	return rc;
}
