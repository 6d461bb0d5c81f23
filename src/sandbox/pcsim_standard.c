/*
 * Procore simulator: the company's standard cost code lists (the company
 * level list new projects copy their codes from).
 *
 *   GET    /rest/v1.0/standard_cost_code_lists?company_id=
 *          [{id, name, is_erp_list, available_to_use_on_new_projects}]
 *   GET    /rest/v1.0/standard_cost_codes?company_id=&standard_cost_code_list_id=
 *          [{id, code, full_code, name, origin_id, origin_data, parent_id,
 *            standard_cost_code_list_id}]
 *   PATCH  /rest/v1.0/standard_cost_codes/sync
 *          {company_id, standard_cost_code_list_id, updates: [{id?, code, name,
 *           parent_id, origin_id, origin_data}]} -> {entities, errors}
 *   DELETE /rest/v1.0/standard_cost_codes/{id}?company_id=
 *
 * Shapes from Procore's published models (StandardCostCodeList,
 * StandardCostCode); Procore marks these endpoints deprecated in favour of
 * the WBS segment item lists, which the simulator does not model.  A
 * deleted code leaves the list (deleted_at set) and frees its origin id.
 */
#include <stdio.h>
#include <string.h>

#include "sandbox/pcsim.h"
#include "sandbox/pcsim_records.h"
#include "util/banned.h"

static const struct pc_field scc_fields[] = {
    {"code", 's', NULL},        {"name", 's', NULL}, {"origin_id", 's', NULL},
    {"origin_data", 's', NULL}, {NULL, 0, NULL},
};

static bool live(const json_t *rec)
{
	return !json_is_string(json_object_get(rec, "deleted_at"));
}

static bool in_list(const json_t *rec, const json_t *list, int64_t company_id)
{
	return pc_int(rec, "_company_id") == company_id &&
	       pc_int(rec, "standard_cost_code_list_id") == pc_int(list, "id") && live(rec);
}

/* The list named by standard_cost_code_list_id (query or body); answers
 * 400 / 404 itself and returns NULL. */
static json_t *need_list(struct pc_ctx *c)
{
	int64_t id;
	json_t *l;

	if (!pc_param_id(c, "standard_cost_code_list_id", &id)) {
		pc_reply_errors(c, 400,
				"param is missing or the value is empty: "
				"standard_cost_code_list_id");
		return NULL;
	}
	l = pc_get(c->pc, PC_SCCL, id);
	if (!l || pc_int(l, "_company_id") != c->company_id) {
		pc_reply_errors(c, 404, "Standard Cost Code List not found");
		return NULL;
	}
	return l;
}

static void full_code(struct pcsim *pc, json_t *rec)
{
	json_t *parent = pc_get(pc, PC_SCC, pc_int(rec, "parent_id"));
	json_object_set_new(
	    rec, "full_code",
	    parent ? json_sprintf("%s-%s", pc_str(parent, "full_code"), pc_str(rec, "code"))
		   : json_copy(json_object_get(rec, "code")));
}

json_t *pc_scc_new(struct pcsim *pc, const json_t *list, const json_t *parent, const char *code,
		   const char *name)
{
	json_t *r = json_object();

	json_object_set_new(r, "id", json_integer(pc_next_id(pc, PC_SCC)));
	json_object_set_new(r, "code", json_string(code));
	json_object_set_new(r, "name", json_string(name));
	json_object_set_new(r, "origin_id", json_null());
	json_object_set_new(r, "origin_data", json_null());
	json_object_set_new(r, "parent_id",
			    parent ? json_integer(pc_int(parent, "id")) : json_null());
	json_object_set_new(r, "standard_cost_code_list_id", json_integer(pc_int(list, "id")));
	json_object_set_new(r, "deleted_at", json_null());
	json_object_set_new(r, "_company_id", json_integer(pc_int(list, "_company_id")));
	full_code(pc, r);
	return pc_insert(pc, PC_SCC, r);
}

static void lists_list(struct pc_ctx *c)
{
	json_t *items = json_array(), *l;
	size_t i;

	json_array_foreach (c->pc->t[PC_SCCL].rows, i, l) {
		if (pc_int(l, "_company_id") == c->company_id)
			json_array_append_new(items, pc_public(l));
	}
	pc_reply_page(c, items);
}

static void codes_list(struct pc_ctx *c)
{
	json_t *l = need_list(c), *items, *cc;
	size_t i;

	if (!l)
		return;
	items = json_array();
	json_array_foreach (c->pc->t[PC_SCC].rows, i, cc) {
		if (in_list(cc, l, c->company_id) && pc_origin_filter_ok(c, cc) &&
		    pc_id_filter_ok(c, cc))
			json_array_append_new(items, pc_public(cc));
	}
	pc_reply_page(c, items);
}

static bool scc_update(struct pc_ctx *c, json_t *rec, const json_t *in, json_t *errs)
{
	json_t *pv = json_object_get(in, "parent_id");

	if (pv && !json_is_null(pv)) {
		json_t *parent =
		    json_is_integer(pv) ? pc_get(c->pc, PC_SCC, json_integer_value(pv)) : NULL;
		if (!parent || !live(parent) ||
		    pc_int(parent, "standard_cost_code_list_id") !=
			pc_int(rec, "standard_cost_code_list_id") ||
		    parent == rec) {
			pc_add_error(errs, "parent_id", "is invalid");
			return false;
		}
	}
	if (!pc_apply_fields(rec, in, scc_fields, errs))
		return false;
	if (pv)
		json_object_set(rec, "parent_id", pv);
	full_code(c->pc, rec);
	return true;
}

static json_t *scc_create(struct pc_ctx *c, const json_t *scope, const json_t *in, json_t *errs)
{
	static const char *const req[] = {"code", "name", NULL};
	json_t *probe = json_object(), *rec;

	pc_require(in, req, errs);
	if (!json_object_size(errs))
		pc_apply_fields(probe, in, scc_fields, errs);
	json_decref(probe);
	if (json_object_size(errs))
		return NULL;
	rec = pc_scc_new(c->pc, scope, NULL, json_string_value(json_object_get(in, "code")),
			 json_string_value(json_object_get(in, "name")));
	if (!scc_update(c, rec, in, errs)) {
		pc_delete(c->pc, PC_SCC, pc_int(rec, "id"));
		return NULL;
	}
	return rec;
}

static const struct pc_sync_spec scc_sync = {
    PC_SCC, "updates", scc_create, scc_update, in_list, PC_VIEW_SHOW, NULL,
};

static void codes_sync(struct pc_ctx *c)
{
	json_t *l;

	l = pc_body_company_ok(c) ? need_list(c) : NULL;
	if (!l)
		return;
	pc_sync_run(c, &scc_sync, l, json_object_get(c->body, "updates"));
}

static void code_delete(struct pc_ctx *c)
{
	int64_t id;
	json_t *cc = pc_param_id(c, "id", &id) ? pc_get(c->pc, PC_SCC, id) : NULL;

	if (!cc || pc_int(cc, "_company_id") != c->company_id || !live(cc)) {
		pc_reply_errors(c, 404, "Standard Cost Code not found");
		return;
	}
	json_object_set_new(cc, "deleted_at", pc_now_json(c->pc));
	pc_reply(c, 200, json_pack("{s:I}", "id", (json_int_t)id));
}

int pc_routes_standard(struct pcsim *pc, struct mlc_http_server *http, struct mlc_error *err)
{
	static const struct pc_route_def r[] = {
	    {"GET", "/rest/v1.0/standard_cost_code_lists", lists_list},
	    {"PATCH", "/rest/v1.0/standard_cost_codes/sync", codes_sync},
	    {"GET", "/rest/v1.0/standard_cost_codes", codes_list},
	    {"DELETE", "/rest/v1.0/standard_cost_codes/{id}", code_delete},
	};
	/* a person edits the company list in the UI too (no application id) */
	static const struct pc_route_def ui[] = {
	    {"PATCH", "/_sandbox/standard_cost_codes/sync", codes_sync},
	    {"DELETE", "/_sandbox/standard_cost_codes/{id}", code_delete},
	};
	int rc = pc_routes_add(pc, http, r, MLC_ARRAY_LEN(r), false, err);
	return rc < 0 ? rc : pc_routes_add(pc, http, ui, MLC_ARRAY_LEN(ui), true, err);
}
