/*
 * Procore simulator: direct costs v1.0 (`item` wrapper, line items, both
 * sync endpoints) and v1.1 (`direct_cost` wrapper, inline line_items),
 * with the rule that a direct cost carrying an origin_id is locked against
 * edits in Procore's UI (the admin API plays the UI).  Reference:
 * docs/reference/procore.md "Direct costs v1.0", "Sync (batch) endpoints"; schemas
 * RestV10ProjectsProjectIdDirectCosts*, RestV11ProjectsProjectIdDirectCosts*.
 */
#include <stdio.h>
#include <string.h>

#include "sandbox/pcsim.h"
#include "sandbox/pcsim_records.h"
#include "util/banned.h"

#define DC_STATUS "draft|pending|revise_and_resubmit|approved"

static const struct pc_field dc_fields[] = {
    {"description", 's', NULL},
    {"direct_cost_date", 'd', NULL},
    {"invoice_number", 's', NULL},
    {"origin_data", 's', NULL},
    {"origin_id", 's', NULL},
    {"payment_date", 'd', NULL},
    {"received_date", 'd', NULL},
    {"status", 'e', DC_STATUS},
    {"terms", 's', NULL},
    {"direct_cost_type", 'e', "invoice|expense|payroll|subcontractor_invoice"},
    {NULL, 0, NULL},
};

static bool in_project(const json_t *rec, const json_t *scope, int64_t company_id)
{
	return pc_int(rec, "_company_id") == company_id &&
	       pc_int(rec, "_project_id") == pc_int(scope, "id");
}

static bool is_v11(struct pc_ctx *c)
{
	return strstr(c->req->path, "/rest/v1.1/") != NULL;
}

/* Validates (and with apply, applies) a direct cost body. */
static bool dc_check(struct pc_ctx *c, json_t *dc, const json_t *in, json_t *errs, bool apply)
{
	json_t *vid = json_object_get(in, "vendor_id"), *vendor = NULL, *other;
	const char *type = json_string_value(json_object_get(in, "direct_cost_type"));

	if (dc && !json_is_null(json_object_get(dc, "origin_id")) &&
	    json_object_get(dc, "origin_id")) {
		/* Procore's UI refuses edits once an integration owns the record,
		 * and the API answers 422 (docs/reference/procore.md "More
		 * endpoints (second set)": the whole record is immutable). */
		pc_add_error(
		    errs, "base",
		    "This direct cost is synced with an ERP integration and cannot be edited.");
		return false;
	}
	if (vid && !json_is_null(vid)) {
		vendor =
		    json_is_integer(vid) ? pc_get(c->pc, PC_VENDOR, json_integer_value(vid)) : NULL;
		if (!vendor || pc_int(vendor, "_company_id") != c->company_id)
			pc_add_error(errs, "vendor_id", "is invalid");
	}
	if (type && strcmp(type, "subcontractor_invoice") == 0 && !is_v11(c))
		pc_add_error(errs, "direct_cost_type", "is not included in the list");
	other = pc_find_origin(c->pc, PC_DC, c->company_id,
			       json_string_value(json_object_get(in, "origin_id")));
	if (other && other != dc)
		pc_add_error(errs, "origin_id", "has already been taken");
	if (json_object_size(errs))
		return false;
	if (!apply) {
		json_t *probe = json_object();
		bool ok = pc_apply_fields(probe, in, dc_fields, errs);
		json_decref(probe);
		return ok;
	}
	if (!pc_apply_fields(dc, in, dc_fields, errs))
		return false;
	if (vendor)
		pc_dc_set_vendor(dc, vendor);
	pc_touch(c->pc, dc);
	return true;
}

bool pc_dc_update(struct pc_ctx *c, json_t *dc, const json_t *in, json_t *errs)
{
	return dc_check(c, dc, in, errs, true);
}

json_t *pc_dc_create(struct pc_ctx *c, const json_t *project, const json_t *in, json_t *errs)
{
	/* Required per RestV10ProjectsProjectIdDirectCostsPost. */
	static const char *const req[] = {"invoice_number", "vendor_id", "direct_cost_type", NULL};
	json_t *dc;

	pc_require(in, req, errs);
	if (json_object_size(errs) || !dc_check(c, NULL, in, errs, false))
		return NULL;
	dc = pc_dc_new(c->pc, project);
	dc_check(c, dc, in, errs, true);
	return dc;
}

static void dc_list(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *items, *dc;
	const char *inv = http_request_query(c->req, "filters[invoice_number]");
	size_t i;

	if (!p)
		return;
	items = json_array();
	json_array_foreach (c->pc->t[PC_DC].rows, i, dc) {
		if (!in_project(dc, p, c->company_id) || !pc_origin_filter_ok(c, dc) ||
		    !pc_updated_filter_ok(c, dc) || !pc_id_filter_ok(c, dc))
			continue;
		if (inv && (!pc_str(dc, "invoice_number") ||
			    strcmp(inv, pc_str(dc, "invoice_number")) != 0))
			continue;
		json_array_append_new(items, pc_ser(c->pc, PC_DC, dc, PC_VIEW_LIST));
	}
	pc_reply_page(c, items);
}

static json_t *dc_of(struct pc_ctx *c, const json_t *p, const char *param)
{
	int64_t id;
	json_t *dc = pc_param_id(c, param, &id) ? pc_get(c->pc, PC_DC, id) : NULL;
	if (!dc || !in_project(dc, p, c->company_id)) {
		pc_reply_errors(c, 404, "Direct cost not found");
		return NULL;
	}
	return dc;
}

static void dc_show(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *dc;
	dc = p ? dc_of(c, p, "id") : NULL;
	if (dc)
		pc_reply(c, 200, pc_ser(c->pc, PC_DC, dc, is_v11(c) ? PC_VIEW_V11 : PC_VIEW_SHOW));
}

static json_t *dcli_create_for(struct pc_ctx *c, json_t *dc, const json_t *in, json_t *errs)
{
	json_t *project = pc_get(c->pc, PC_PROJECT, pc_int(dc, "_project_id"));
	json_t *li = pc_line_item_new(c->pc, PC_DCLI, project, pc_int(dc, "id"), "DirectCost");
	json_t *other = pc_find_origin(c->pc, PC_DCLI, c->company_id,
				       json_string_value(json_object_get(in, "origin_id")));
	if (other)
		pc_add_error(errs, "origin_id", "has already been taken");
	if (other || !pc_line_item_apply(c->pc, li, in, errs, true)) {
		json_decref(li);
		return NULL;
	}
	return li;
}

/* A v1.1 inline line item: with an id, an update of that line (checked on
 * a copy); without, a new line.  Returns the line to commit or NULL. */
static json_t *inline_line(struct pc_ctx *c, json_t *dc, const json_t *l, json_t *lerrs)
{
	json_t *idv = json_object_get(l, "id"), *cur, *li;

	if (!json_is_integer(idv))
		return dcli_create_for(c, dc, l, lerrs);
	cur = pc_get(c->pc, PC_DCLI, json_integer_value(idv));
	if (!cur || pc_int(cur, "_holder_id") != pc_int(dc, "id")) {
		pc_add_error(lerrs, "id", "not found");
		return NULL;
	}
	li = json_deep_copy(cur);
	if (!pc_line_item_apply(c->pc, li, l, lerrs, false)) {
		json_decref(li);
		return NULL;
	}
	return li;
}

/*
 * v1.1 writes the direct cost and its inline line items all or nothing:
 * on any error nothing is created and a PATCH leaves the record as it was.
 */
static void dc_write(struct pc_ctx *c, bool create)
{
	bool v11 = is_v11(c);
	json_t *p = pc_need_project(c), *in, *errs, *dc = NULL, *lines, *made = NULL, *l,
	       *before = NULL;
	size_t i;

	if (!p)
		return;
	if (!create) {
		dc = dc_of(c, p, "id");
		if (!dc)
			return;
	}
	in = pc_wrapper(c, v11 ? "direct_cost" : "item");
	if (!in)
		return;
	errs = json_object();
	lines = v11 ? json_object_get(in, "line_items") : NULL;
	if (lines && !json_is_array(lines))
		pc_add_error(errs, "line_items", "must be an array");
	if (create) {
		if (!json_object_size(errs))
			dc = pc_dc_create(c, p, in, errs);
	} else {
		before = json_deep_copy(dc);
		if (json_object_size(errs) || !pc_dc_update(c, dc, in, errs))
			dc = NULL;
	}
	if (dc && json_is_array(lines)) {
		made = json_array();
		json_array_foreach (lines, i, l) {
			json_t *lerrs = json_object(), *li = inline_line(c, dc, l, lerrs);
			const char *field;
			json_t *msgs;
			json_object_foreach (lerrs, field, msgs) {
				char key[96];
				snprintf(key, sizeof(key), "line_items[%zu].%s", i, field);
				json_object_set(errs, key, msgs);
			}
			if (li)
				json_array_append_new(made, li);
			json_decref(lerrs);
		}
		if (json_object_size(errs)) {
			if (create)
				pc_delete(c->pc, PC_DC, pc_int(dc, "id"));
			else
				json_object_update(dc, before);
			dc = NULL;
		} else {
			json_array_foreach (made, i, l) {
				json_t *cur = pc_get(c->pc, PC_DCLI, pc_int(l, "id"));
				if (cur)
					json_object_update(cur, l);
				else
					pc_insert(c->pc, PC_DCLI, json_incref(l));
			}
			pc_holder_recompute(c->pc, PC_DC, dc);
		}
	}
	json_decref(made);
	json_decref(before);
	if (!dc) {
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	pc_emit(c, "Direct Costs", create ? "create" : "update", pc_int(dc, "id"), pc_int(p, "id"));
	pc_reply(c, create ? 201 : 200, pc_ser(c->pc, PC_DC, dc, v11 ? PC_VIEW_V11 : PC_VIEW_SHOW));
}

static void dc_post(struct pc_ctx *c)
{
	dc_write(c, true);
}

static void dc_patch(struct pc_ctx *c)
{
	dc_write(c, false);
}

static json_t *dc_sync_create(struct pc_ctx *c, const json_t *scope, const json_t *in, json_t *errs)
{
	return pc_dc_create(c, scope, in, errs);
}

static const struct pc_sync_spec dc_sync = {
    PC_DC, "updates", dc_sync_create, pc_dc_update, in_project, PC_VIEW_SHOW, "Direct Costs",
};

static void dc_sync_handler(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c);
	if (p)
		pc_sync_run(c, &dc_sync, p, json_object_get(c->body, "updates"));
}

/* ---- line items ---- */

static void dcli_list(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *dc = NULL, *items, *li;
	int64_t only = 0;
	size_t i;

	if (!p)
		return;
	if (http_request_param(c->req, "direct_cost_id")) {
		dc = dc_of(c, p, "direct_cost_id");
		if (!dc)
			return;
	}
	if (!dc && http_request_query(c->req, "filters[direct_cost_id]") &&
	    !pc_param_id(c, "filters[direct_cost_id]", &only)) {
		pc_reply_errors(c, 400, "filters[direct_cost_id] is invalid");
		return;
	}
	items = json_array();
	json_array_foreach (c->pc->t[PC_DCLI].rows, i, li) {
		if (!in_project(li, p, c->company_id) ||
		    (dc && pc_int(li, "_holder_id") != pc_int(dc, "id")) ||
		    (only && pc_int(li, "_holder_id") != only) || !pc_updated_filter_ok(c, li) ||
		    !pc_id_filter_ok(c, li))
			continue;
		json_array_append_new(items,
				      pc_ser(c->pc, PC_DCLI, li, dc ? PC_VIEW_SHOW : PC_VIEW_LIST));
	}
	pc_reply_page(c, items);
}

static void dcli_post(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *dc, *in = json_object_get(c->body, "line_item"), *errs,
	       *li;
	dc = p ? dc_of(c, p, "direct_cost_id") : NULL;
	if (!dc)
		return;
	in = pc_wrapper(c, "line_item");
	if (!in)
		return;
	errs = json_object();
	if (!c->via_api && !json_is_null(json_object_get(dc, "origin_id")) &&
	    json_object_get(dc, "origin_id"))
		pc_add_error(
		    errs, "base",
		    "This direct cost is synced with an ERP integration and cannot be edited.");
	li = json_object_size(errs) ? NULL : dcli_create_for(c, dc, in, errs);
	if (!li) {
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	pc_insert(c->pc, PC_DCLI, li);
	pc_holder_recompute(c->pc, PC_DC, dc);
	pc_emit(c, "Direct Cost Line Items", "create", pc_int(li, "id"), pc_int(p, "id"));
	pc_reply(c, 201, pc_public(li));
}

static json_t *dcli_sync_create(struct pc_ctx *c, const json_t *scope, const json_t *in,
				json_t *errs)
{
	json_t *dcid = json_object_get(in, "direct_cost_id"), *dc, *li;
	dc = json_is_integer(dcid) ? pc_get(c->pc, PC_DC, json_integer_value(dcid)) : NULL;
	if (!dc || !in_project(dc, scope, c->company_id)) {
		pc_add_error(errs, "direct_cost_id", dcid ? "is invalid" : "can't be blank");
		return NULL;
	}
	li = dcli_create_for(c, dc, in, errs);
	if (!li)
		return NULL;
	pc_insert(c->pc, PC_DCLI, li);
	pc_holder_recompute(c->pc, PC_DC, dc);
	return li;
}

static bool dcli_sync_update(struct pc_ctx *c, json_t *li, const json_t *in, json_t *errs)
{
	json_t *other = pc_find_origin(c->pc, PC_DCLI, c->company_id,
				       json_string_value(json_object_get(in, "origin_id")));
	if (other && other != li) {
		pc_add_error(errs, "origin_id", "has already been taken");
		return false;
	}
	if (!pc_line_item_apply(c->pc, li, in, errs, false))
		return false;
	pc_holder_recompute(c->pc, PC_DC, pc_get(c->pc, PC_DC, pc_int(li, "_holder_id")));
	return true;
}

static const struct pc_sync_spec dcli_sync = {
    PC_DCLI,    "updates",    dcli_sync_create,         dcli_sync_update,
    in_project, PC_VIEW_SHOW, "Direct Cost Line Items",
};

static void dcli_sync_handler(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c);
	if (p)
		pc_sync_run(c, &dcli_sync, p, json_object_get(c->body, "updates"));
}

/* ---- payment applications (owner invoices) ---- */

static void payapps_list(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *items, *r;
	int64_t prime = 0;
	size_t i;
	if (!p)
		return;
	if (http_request_param(c->req, "prime_contract_id") &&
	    (!pc_param_id(c, "prime_contract_id", &prime) ||
	     prime != pc_int(p, "_prime_contract_id"))) {
		pc_reply_errors(c, 404, "Prime contract not found");
		return;
	}
	items = json_array();
	json_array_foreach (c->pc->t[PC_PAYAPP].rows, i, r) {
		if (in_project(r, p, c->company_id) && pc_id_filter_ok(c, r))
			json_array_append_new(items, pc_public(r));
	}
	pc_reply_page(c, items);
}

static void payapp_show(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *r, *out;
	int64_t id;
	if (!p)
		return;
	r = pc_param_id(c, "id", &id) ? pc_get(c->pc, PC_PAYAPP, id) : NULL;
	if (!r || !in_project(r, p, c->company_id)) {
		pc_reply_errors(c, 404, "Payment application not found");
		return;
	}
	/* The show's schema is {} in RestV10PaymentApplicationsIdGet.json; the
	 * simulator carries the contract items there, each shaped as
	 * RestV10PrimeContractsPrimeContractIdPaymentApplicationLineItemsIdPatch.json
	 * answers one (pcsim_prime.c). */
	out = pc_public(r);
	json_object_set_new(out, "line_items", pc_payapp_lines_json(c->pc, r));
	pc_reply(c, 200, out);
}

int pc_routes_costs(struct pcsim *pc, struct mlc_http_server *http, struct mlc_error *err)
{
	static const struct pc_route_def r[] = {
	    {"PATCH", "/rest/v1.0/projects/{project_id}/direct_costs/sync", dc_sync_handler},
	    {"PATCH", "/rest/v1.0/projects/{project_id}/direct_costs/line_items/sync",
	     dcli_sync_handler},
	    {"GET", "/rest/v1.0/projects/{project_id}/direct_costs/line_items", dcli_list},
	    {"GET", "/rest/v1.0/projects/{project_id}/direct_costs", dc_list},
	    {"POST", "/rest/v1.0/projects/{project_id}/direct_costs", dc_post},
	    {"GET", "/rest/v1.0/projects/{project_id}/direct_costs/{id}", dc_show},
	    {"PATCH", "/rest/v1.0/projects/{project_id}/direct_costs/{id}", dc_patch},
	    {"GET", "/rest/v1.0/projects/{project_id}/direct_costs/{direct_cost_id}/line_items",
	     dcli_list},
	    {"POST", "/rest/v1.0/projects/{project_id}/direct_costs/{direct_cost_id}/line_items",
	     dcli_post},
	    {"GET", "/rest/v1.1/projects/{project_id}/direct_costs", dc_list},
	    {"POST", "/rest/v1.1/projects/{project_id}/direct_costs", dc_post},
	    {"GET", "/rest/v1.1/projects/{project_id}/direct_costs/{id}", dc_show},
	    {"PATCH", "/rest/v1.1/projects/{project_id}/direct_costs/{id}", dc_patch},
	    {"GET", "/rest/v1.0/payment_applications", payapps_list},
	    {"GET", "/rest/v1.0/payment_applications/{id}", payapp_show},
	    {"GET", "/rest/v1.0/prime_contracts/{prime_contract_id}/payment_applications",
	     payapps_list},
	};
	int rc = pc_routes_add(pc, http, r, MLC_ARRAY_LEN(r), false, err);
	return rc ? rc : pc_routes_budget(pc, http, err);
}
