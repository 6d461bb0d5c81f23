/*
 * Procore simulator: company-level resources.  Projects (+ sync), the
 * company vendor directory (+ sync, filters[origin_id], filters[updated_at]),
 * cost codes (+ sync) and line item types (+ sync).
 * Reference: docs/reference/procore.md "Resources the connector uses" and the schemas
 * RestV10Projects*, RestV10Vendors*, RestV10CostCodes*, RestV10LineItemTypes*.
 */
#include <string.h>
#include <strings.h>

#include "sandbox/pcsim.h"
#include "sandbox/pcsim_records.h"
#include "util/banned.h"

static const struct pc_field vendor_fields[] = {
    {"name", 's', NULL},
    {"abbreviated_name", 's', NULL},
    {"address", 's', NULL},
    {"city", 's', NULL},
    {"zip", 's', NULL},
    {"business_phone", 's', NULL},
    {"mobile_phone", 's', NULL},
    {"fax_number", 's', NULL},
    {"email_address", 's', NULL},
    {"is_active", 'b', NULL},
    {"state_code", 's', NULL},
    {"authorized_bidder", 'b', NULL},
    {"prequalified", 'b', NULL},
    {"country_code", 's', NULL},
    {"labor_union", 's', NULL},
    {"license_number", 's', NULL},
    {"website", 's', NULL},
    {"union_member", 'b', NULL},
    {"non_union_prevailing_wage", 'b', NULL},
    {"notes", 's', NULL},
    {"origin_id", 's', NULL},
    {"origin_data", 's', NULL},
    {"origin_code", 's', NULL},
    {"trade_name", 's', NULL},
    {NULL, 0, NULL},
};

static const struct pc_field project_fields[] = {
    {"name", 's', NULL},
    {"project_number", 's', NULL},
    {"address", 's', NULL},
    {"city", 's', NULL},
    {"state_code", 's', NULL},
    {"zip", 's', NULL},
    {"country_code", 's', NULL},
    {"phone", 's', NULL},
    {"active", 'b', NULL},
    {"origin_id", 's', NULL},
    {"origin_data", 's', NULL},
    {"accounting_project_number", 's', NULL},
    {"store_number", 's', NULL},
    {"total_value", 'n', NULL},
    {"estimated_value", 'n', NULL},
    {"estimated_budget", 'N', NULL},
    {"start_date", 'd', NULL},
    {"completion_date", 'd', NULL},
    {"sector", 's', NULL},
    {"time_zone", 's', NULL},
    {"description", 's', NULL},
    {"work_scope", 'e', "new_construction|renovation_alteration|maintenance_service"},
    {"delivery_method", 'e',
     "construction_management_at_risk_cmar|construction_manager_as_agent_owners_rep|design_bid_"
     "build_dbb|"
     "design_build_db|indefinite_delivery_indefinite_quantity_idiq|integrated_project_delivery|"
     "multi_prime|"
     "public_private_partnership_p3|other"},
    {"priority", 'e', "low|medium|high"},
    {NULL, 0, NULL},
};

static const struct pc_field cost_code_fields[] = {
    {"code", 's', NULL},      {"name", 's', NULL},
    {"origin_id", 's', NULL}, {"origin_data", 's', NULL},
    {"position", 'i', NULL},  {"standard_cost_code_id", 'i', NULL},
    {NULL, 0, NULL},
};

static const struct pc_field lit_fields[] = {
    {"name", 's', NULL},
    {"origin_id", 's', NULL},
    {"origin_data", 's', NULL},
    {"base_type", 'e', "equipment|materials|commitment|owner_cost|professional_services|other"},
    {NULL, 0, NULL},
};

static bool in_company(const json_t *rec, const json_t *scope, int64_t company_id)
{
	(void)scope;
	return pc_int(rec, "_company_id") == company_id;
}

static bool in_project(const json_t *rec, const json_t *scope, int64_t company_id)
{
	/* a deleted cost code is gone from the project's list and can no
	 * longer be shown, updated or synced */
	return pc_int(rec, "_company_id") == company_id &&
	       pc_int(rec, "_project_id") == pc_int(scope, "id") &&
	       !json_is_string(json_object_get(rec, "deleted_at"));
}

/* origin_id must stay unique within the company. */
static bool origin_free(struct pcsim *pc, enum pc_kind k, int64_t company_id, const json_t *rec,
			const json_t *in, json_t *errs)
{
	const char *o = json_string_value(json_object_get(in, "origin_id"));
	json_t *other = pc_find_origin(pc, k, company_id, o);
	if (other && other != rec) {
		pc_add_error(errs, "origin_id", "has already been taken");
		return false;
	}
	return true;
}

/* ---- projects ---- */

static void projects_list(struct pc_ctx *c)
{
	json_t *items = json_array(), *p;
	size_t i;
	const char *num = http_request_query(c->req, "filters[project_number]");

	json_array_foreach (c->pc->t[PC_PROJECT].rows, i, p) {
		if (pc_int(p, "_company_id") != c->company_id || !pc_origin_filter_ok(c, p) ||
		    !pc_updated_filter_ok(c, p) || !pc_id_filter_ok(c, p))
			continue;
		if (num &&
		    (!pc_str(p, "project_number") || strcmp(num, pc_str(p, "project_number")) != 0))
			continue;
		json_array_append_new(items, pc_public(p));
	}
	pc_reply_page(c, items);
}

static void project_show(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c);
	if (p)
		pc_reply(c, 200, pc_public(p));
}

static bool project_update(struct pc_ctx *c, json_t *rec, const json_t *in, json_t *errs)
{
	if (!origin_free(c->pc, PC_PROJECT, c->company_id, rec, in, errs) ||
	    !pc_apply_fields(rec, in, project_fields, errs))
		return false;
	pc_touch(c->pc, rec);
	return true;
}

static json_t *project_create(struct pc_ctx *c, const json_t *scope, const json_t *in, json_t *errs)
{
	static const char *const req[] = {"name", NULL};
	json_t *p, *probe = json_object();
	(void)scope;
	pc_require(in, req, errs);
	if (!json_object_size(errs))
		pc_apply_fields(probe, in, project_fields, errs);
	json_decref(probe);
	if (json_object_size(errs))
		return NULL;
	p = pc_project_new(c->pc, c->company_id, json_string_value(json_object_get(in, "name")),
			   json_string_value(json_object_get(in, "project_number")));
	project_update(c, p, in, errs);
	return p;
}

static const struct pc_sync_spec project_sync = {
    PC_PROJECT, "updates", project_create, project_update, in_company, PC_VIEW_SHOW, "Projects",
};

static void projects_sync(struct pc_ctx *c)
{
	if (pc_body_company_ok(c))
		pc_sync_run(c, &project_sync, NULL, json_object_get(c->body, "updates"));
}

/* ---- vendors ---- */

static bool search_ok(struct pc_ctx *c, const json_t *v)
{
	const char *q = http_request_query(c->req, "filters[search]");
	const char *name = pc_str(v, "name");
	return !q || (name && strcasestr(name, q));
}

static void vendors_list(struct pc_ctx *c)
{
	json_t *items = json_array(), *v;
	size_t i;
	json_array_foreach (c->pc->t[PC_VENDOR].rows, i, v) {
		if (pc_int(v, "_company_id") != c->company_id || !pc_origin_filter_ok(c, v) ||
		    !pc_updated_filter_ok(c, v) || !pc_id_filter_ok(c, v) || !search_ok(c, v))
			continue;
		json_array_append_new(items, pc_public(v));
	}
	pc_reply_page(c, items);
}

static json_t *vendor_of(struct pc_ctx *c)
{
	int64_t id;
	json_t *v = pc_param_id(c, "id", &id) ? pc_get(c->pc, PC_VENDOR, id) : NULL;
	if (!v || pc_int(v, "_company_id") != c->company_id) {
		pc_reply_errors(c, 404, "Vendor not found");
		return NULL;
	}
	return v;
}

static void vendor_show(struct pc_ctx *c)
{
	json_t *v = vendor_of(c);
	if (v)
		pc_reply(c, 200, pc_public(v));
}

static bool vendor_update(struct pc_ctx *c, json_t *rec, const json_t *in, json_t *errs)
{
	json_t *name = json_object_get(in, "name");
	if (name && (!json_is_string(name) || !*json_string_value(name)))
		pc_add_error(errs, "name", "can't be blank");
	if (json_object_size(errs) ||
	    !origin_free(c->pc, PC_VENDOR, c->company_id, rec, in, errs) ||
	    !pc_apply_fields(rec, in, vendor_fields, errs))
		return false;
	pc_touch(c->pc, rec);
	return true;
}

static json_t *vendor_create(struct pc_ctx *c, const json_t *scope, const json_t *in, json_t *errs)
{
	static const char *const req[] = {"name", NULL};
	json_t *probe = json_object(), *v;
	(void)scope;
	pc_require(in, req, errs);
	if (!json_object_size(errs))
		origin_free(c->pc, PC_VENDOR, c->company_id, NULL, in, errs);
	if (!json_object_size(errs))
		pc_apply_fields(probe, in, vendor_fields, errs);
	json_decref(probe);
	if (json_object_size(errs))
		return NULL;
	v = pc_vendor_new(c->pc, c->company_id, json_string_value(json_object_get(in, "name")));
	vendor_update(c, v, in, errs);
	return v;
}

static const struct pc_sync_spec vendor_sync = {
    PC_VENDOR, "updates", vendor_create, vendor_update, in_company, PC_VIEW_SHOW, "Company Vendors",
};

static void vendor_post(struct pc_ctx *c)
{
	json_t *in = json_object_get(c->body, "vendor"), *errs, *v;
	if (!pc_body_company_ok(c))
		return;
	in = pc_wrapper(c, "vendor");
	if (!in)
		return;
	errs = json_object();
	v = vendor_create(c, NULL, in, errs);
	if (!v) {
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	pc_emit(c, "Company Vendors", "create", pc_int(v, "id"), 0);
	pc_reply(c, 201, pc_public(v));
}

static void vendor_patch(struct pc_ctx *c)
{
	json_t *in = json_object_get(c->body, "vendor"), *errs, *v;
	v = pc_body_company_ok(c) ? vendor_of(c) : NULL;
	if (!v)
		return;
	in = pc_wrapper(c, "vendor");
	if (!in)
		return;
	errs = json_object();
	if (!vendor_update(c, v, in, errs)) {
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	pc_emit(c, "Company Vendors", "update", pc_int(v, "id"), 0);
	pc_reply(c, 200, pc_public(v));
}

static void vendors_sync(struct pc_ctx *c)
{
	if (pc_body_company_ok(c))
		pc_sync_run(c, &vendor_sync, NULL, json_object_get(c->body, "updates"));
}

/* ---- cost codes ---- */

static void cost_codes_list(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *items, *cc;
	size_t i;
	if (!p)
		return;
	items = json_array();
	json_array_foreach (c->pc->t[PC_COST_CODE].rows, i, cc) {
		if (in_project(cc, p, c->company_id) && pc_origin_filter_ok(c, cc) &&
		    pc_id_filter_ok(c, cc))
			json_array_append_new(items, pc_public(cc));
	}
	pc_reply_page(c, items);
}

static json_t *cost_code_of(struct pc_ctx *c, const json_t *p)
{
	int64_t id;
	json_t *cc = pc_param_id(c, "id", &id) ? pc_get(c->pc, PC_COST_CODE, id) : NULL;
	if (!cc || !in_project(cc, p, c->company_id)) {
		pc_reply_errors(c, 404, "Cost code not found");
		return NULL;
	}
	return cc;
}

static void cost_code_show(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *cc;
	cc = p ? cost_code_of(c, p) : NULL;
	if (cc)
		pc_reply(c, 200, pc_public(cc));
}

static bool cost_code_update(struct pc_ctx *c, json_t *rec, const json_t *in, json_t *errs)
{
	json_t *parent = NULL, *pv = json_object_get(in, "parent_id");

	if (pv && !json_is_null(pv)) {
		parent = json_is_integer(pv) ? pc_get(c->pc, PC_COST_CODE, json_integer_value(pv))
					     : NULL;
		if (!parent || pc_int(parent, "_project_id") != pc_int(rec, "_project_id") ||
		    parent == rec)
			pc_add_error(errs, "parent_id", "is invalid");
	}
	if (json_object_size(errs) ||
	    !origin_free(c->pc, PC_COST_CODE, c->company_id, rec, in, errs) ||
	    !pc_apply_fields(rec, in, cost_code_fields, errs))
		return false;
	if (parent)
		json_object_set_new(rec, "parent",
				    json_pack("{s:I}", "id", (json_int_t)pc_int(parent, "id")));
	parent = pc_get(c->pc, PC_COST_CODE, pc_int(json_object_get(rec, "parent"), "id"));
	json_object_set_new(
	    rec, "full_code",
	    parent ? json_sprintf("%s-%s", pc_str(parent, "full_code"), pc_str(rec, "code"))
		   : json_copy(json_object_get(rec, "code")));
	json_object_set(rec, "sortable_code", json_object_get(rec, "full_code"));
	pc_touch(c->pc, rec);
	return true;
}

static json_t *cost_code_create(struct pc_ctx *c, const json_t *scope, const json_t *in,
				json_t *errs)
{
	static const char *const req[] = {"name", "code", NULL};
	json_t *probe = json_object(), *cc, *parent = NULL, *pv = json_object_get(in, "parent_id");

	pc_require(in, req, errs);
	if (json_is_integer(pv)) {
		parent = pc_get(c->pc, PC_COST_CODE, json_integer_value(pv));
		if (!parent || pc_int(parent, "_project_id") != pc_int(scope, "id"))
			pc_add_error(errs, "parent_id", "is invalid");
	}
	if (!json_object_size(errs))
		origin_free(c->pc, PC_COST_CODE, c->company_id, NULL, in, errs);
	if (!json_object_size(errs))
		pc_apply_fields(probe, in, cost_code_fields, errs);
	json_decref(probe);
	if (json_object_size(errs))
		return NULL;
	cc = pc_cost_code_new(c->pc, scope, parent, json_string_value(json_object_get(in, "code")),
			      json_string_value(json_object_get(in, "name")));
	cost_code_update(c, cc, in, errs);
	return cc;
}

static const struct pc_sync_spec cost_code_sync = {
    PC_COST_CODE, "updates",    cost_code_create, cost_code_update,
    in_project,   PC_VIEW_SHOW, "Cost Codes",
};

static void cost_codes_sync(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c);
	if (p)
		pc_sync_run(c, &cost_code_sync, p, json_object_get(c->body, "updates"));
}

static void cost_code_write(struct pc_ctx *c, bool create)
{
	json_t *p = pc_need_project(c), *in = json_object_get(c->body, "cost_code"), *errs,
	       *cc = NULL;
	if (!p)
		return;
	if (!create) {
		cc = cost_code_of(c, p);
		if (!cc)
			return;
	}
	in = pc_wrapper(c, "cost_code");
	if (!in)
		return;
	errs = json_object();
	if (create)
		cc = cost_code_create(c, p, in, errs);
	else if (!cost_code_update(c, cc, in, errs))
		cc = NULL;
	if (!cc) {
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	pc_emit(c, "Cost Codes", create ? "create" : "update", pc_int(cc, "id"), pc_int(p, "id"));
	pc_reply(c, create ? 201 : 200, pc_public(cc));
}

/* DELETE /rest/v1.0/cost_codes/{id}?project_id=: the code leaves the
 * project's list (deleted_at set); records already on it keep it. */
static void cost_code_delete(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *cc;

	cc = p ? cost_code_of(c, p) : NULL;
	if (!cc)
		return;
	pc_touch(c->pc, cc);
	json_object_set_new(cc, "deleted_at", pc_now_json(c->pc));
	pc_emit(c, "Cost Codes", "delete", pc_int(cc, "id"), pc_int(p, "id"));
	pc_reply(c, 200, json_pack("{s:I}", "id", (json_int_t)pc_int(cc, "id")));
}

static void cost_code_post(struct pc_ctx *c)
{
	cost_code_write(c, true);
}

static void cost_code_patch(struct pc_ctx *c)
{
	cost_code_write(c, false);
}

/* ---- line item types ---- */

static void lits_list(struct pc_ctx *c)
{
	json_t *items = json_array(), *l;
	size_t i;
	json_array_foreach (c->pc->t[PC_LIT].rows, i, l) {
		if (pc_int(l, "_company_id") == c->company_id && pc_origin_filter_ok(c, l))
			json_array_append_new(items, pc_public(l));
	}
	pc_reply_page(c, items);
}

static bool lit_update(struct pc_ctx *c, json_t *rec, const json_t *in, json_t *errs)
{
	json_t *code = json_object_get(in, "csv_import_code");
	if (code && !json_is_null(code) && !json_is_string(code))
		pc_add_error(errs, "csv_import_code", "must be a string");
	if (json_object_size(errs) || !origin_free(c->pc, PC_LIT, c->company_id, rec, in, errs) ||
	    !pc_apply_fields(rec, in, lit_fields, errs))
		return false;
	if (json_is_string(code))
		json_object_set(rec, "code", code);
	return true;
}

static json_t *lit_create(struct pc_ctx *c, const json_t *scope, const json_t *in, json_t *errs)
{
	static const char *const req[] = {"name", "csv_import_code", NULL};
	json_t *l;
	(void)scope;
	pc_require(in, req, errs);
	if (!json_object_size(errs))
		origin_free(c->pc, PC_LIT, c->company_id, NULL, in, errs);
	if (json_object_size(errs))
		return NULL;
	l = pc_lit_new(c->pc, c->company_id,
		       json_string_value(json_object_get(in, "csv_import_code")),
		       json_string_value(json_object_get(in, "name")), "other");
	if (!lit_update(c, l, in, errs)) {
		pc_delete(c->pc, PC_LIT, pc_int(l, "id"));
		return NULL;
	}
	return l;
}

static const struct pc_sync_spec lit_sync = {
    PC_LIT, "updates", lit_create, lit_update, in_company, PC_VIEW_SHOW, NULL,
};

static void lits_sync(struct pc_ctx *c)
{
	if (pc_body_company_ok(c))
		pc_sync_run(c, &lit_sync, NULL, json_object_get(c->body, "updates"));
}

int pc_routes_directory(struct pcsim *pc, struct mlc_http_server *http, struct mlc_error *err)
{
	static const struct pc_route_def r[] = {
	    /* Sync routes first: "/vendors/sync" must not match "/vendors/{id}". */
	    {"PATCH", "/rest/v1.0/projects/sync", projects_sync},
	    {"GET", "/rest/v1.0/projects", projects_list},
	    {"GET", "/rest/v1.1/projects", projects_list},
	    {"GET", "/rest/v1.0/projects/{project_id}", project_show},
	    {"PATCH", "/rest/v1.0/vendors/sync", vendors_sync},
	    {"GET", "/rest/v1.0/vendors", vendors_list},
	    {"POST", "/rest/v1.0/vendors", vendor_post},
	    {"GET", "/rest/v1.0/vendors/{id}", vendor_show},
	    {"PATCH", "/rest/v1.0/vendors/{id}", vendor_patch},
	    {"PATCH", "/rest/v1.0/cost_codes/sync", cost_codes_sync},
	    {"GET", "/rest/v1.0/cost_codes", cost_codes_list},
	    {"POST", "/rest/v1.0/cost_codes", cost_code_post},
	    {"GET", "/rest/v1.0/cost_codes/{id}", cost_code_show},
	    {"PATCH", "/rest/v1.0/cost_codes/{id}", cost_code_patch},
	    {"DELETE", "/rest/v1.0/cost_codes/{id}", cost_code_delete},
	    {"PATCH", "/rest/v1.0/line_item_types/sync", lits_sync},
	    {"GET", "/rest/v1.0/line_item_types", lits_list},
	};
	/* A person in Procore's UI edits cost codes too: the same handlers as
	 * admin routes, so their webhooks carry no source_application_id. */
	static const struct pc_route_def ui[] = {
	    {"POST", "/_sandbox/cost_codes", cost_code_post},
	    {"PATCH", "/_sandbox/cost_codes/{id}", cost_code_patch},
	    {"DELETE", "/_sandbox/cost_codes/{id}", cost_code_delete},
	};
	int rc = pc_routes_add(pc, http, r, MLC_ARRAY_LEN(r), false, err);
	return rc < 0 ? rc : pc_routes_add(pc, http, ui, MLC_ARRAY_LEN(ui), true, err);
}
