/*
 * Procore simulator: commitments.  Purchase order and work order contracts
 * (+ line items, + sync of both) and the read-only commitments index
 * (requisitions are in pcsim_requisitions.c).  Reference:
 * docs/reference/procore.md "Commitments"; schemas RestV10PurchaseOrderContracts*,
 * RestV10WorkOrderContracts*, RestV10CommitmentsGet.
 */
#include <stdio.h>
#include <string.h>

#include "sandbox/pcsim.h"
#include "sandbox/pcsim_records.h"
#include "util/banned.h"

static const struct pc_field po_fields[] = {
    {"accounting_method", 'e', "amount|unit"},
    {"approval_letter_date", 'd', NULL},
    {"bill_to_address", 's', NULL},
    {"contract_date", 'd', NULL},
    {"delivery_date", 'd', NULL},
    {"description", 's', NULL},
    {"executed", 'b', NULL},
    {"execution_date", 'd', NULL},
    {"issued_on_date", 'd', NULL},
    {"letter_of_intent_date", 'd', NULL},
    {"origin_code", 's', NULL},
    {"origin_data", 's', NULL},
    {"origin_id", 's', NULL},
    {"number", 's', NULL},
    {"payment_terms", 's', NULL},
    {"private", 'b', NULL},
    {"retainage_percent", 's', NULL},
    {"returned_date", 'd', NULL},
    {"ship_to_address", 's', NULL},
    {"ship_via", 's', NULL},
    {"status", 'e', "Draft|Processing|Submitted|Partially Received|Received|Approved|Closed"},
    {"title", 's', NULL},
    {NULL, 0, NULL},
};

static const struct pc_field wo_fields[] = {
    {"accounting_method", 'e', "amount|unit"},
    {"actual_completion_date", 'd', NULL},
    {"approval_letter_date", 'd', NULL},
    {"contract_date", 'd', NULL},
    {"contract_estimated_completion_date", 'd', NULL},
    {"contract_start_date", 'd', NULL},
    {"description", 's', NULL},
    {"exclusions", 's', NULL},
    {"executed", 'b', NULL},
    {"execution_date", 'd', NULL},
    {"inclusions", 's', NULL},
    {"issued_on_date", 'd', NULL},
    {"letter_of_intent_date", 'd', NULL},
    {"origin_code", 's', NULL},
    {"origin_data", 's', NULL},
    {"origin_id", 's', NULL},
    {"number", 's', NULL},
    {"private", 'b', NULL},
    {"retainage_percent", 's', NULL},
    {"returned_date", 'd', NULL},
    {"signed_contract_received_date", 'd', NULL},
    {"status", 'e', "Draft|Out For Bid|Out For Signature|Approved|Complete|Terminated|Void"},
    {"title", 's', NULL},
    {NULL, 0, NULL},
};

static enum pc_kind kind_of(struct pc_ctx *c)
{
	return strstr(c->req->path, "/work_order_contracts") ? PC_WO : PC_PO;
}

static const char *resource_of(enum pc_kind k)
{
	return k == PC_WO ? "Work Order Contracts" : "Purchase Order Contracts";
}

static bool in_project(const json_t *rec, const json_t *scope, int64_t company_id)
{
	return pc_int(rec, "_company_id") == company_id &&
	       pc_int(rec, "_project_id") == pc_int(scope, "id");
}

static bool in_holder(const json_t *rec, const json_t *scope, int64_t company_id)
{
	return pc_int(rec, "_company_id") == company_id &&
	       pc_int(rec, "_holder_id") == pc_int(scope, "id");
}

static void contracts_list(struct pc_ctx *c)
{
	enum pc_kind k = kind_of(c);
	json_t *p = pc_need_project(c), *items, *r;
	const char *status = http_request_query(c->req, "filters[status]");
	size_t i;

	if (!p)
		return;
	items = json_array();
	json_array_foreach (c->pc->t[k].rows, i, r) {
		if (!in_project(r, p, c->company_id) || !pc_origin_filter_ok(c, r) ||
		    !pc_updated_filter_ok(c, r) || !pc_id_filter_ok(c, r))
			continue;
		if (status && (!pc_str(r, "status") || strcmp(status, pc_str(r, "status")) != 0))
			continue;
		json_array_append_new(items, pc_ser(c->pc, k, r, PC_VIEW_LIST));
	}
	pc_reply_page(c, items);
}

static json_t *contract_of(struct pc_ctx *c, enum pc_kind k, const json_t *p, const char *param)
{
	int64_t id;
	json_t *r = pc_param_id(c, param, &id) ? pc_get(c->pc, k, id) : NULL;
	if (!r || !in_project(r, p, c->company_id)) {
		pc_reply_errors(c, 404, "Contract not found");
		return NULL;
	}
	return r;
}

static void contract_show(struct pc_ctx *c)
{
	enum pc_kind k = kind_of(c);
	json_t *p = pc_need_project(c), *r;
	r = p ? contract_of(c, k, p, "id") : NULL;
	if (r)
		pc_reply(c, 200, pc_ser(c->pc, k, r, PC_VIEW_SHOW));
}

static bool contract_update_k(struct pc_ctx *c, enum pc_kind k, json_t *rec, const json_t *in,
			      json_t *errs)
{
	json_t *vid = json_object_get(in, "vendor_id"), *vendor = NULL, *other;
	const char *origin = json_string_value(json_object_get(in, "origin_id"));

	if (vid && !json_is_null(vid)) {
		vendor =
		    json_is_integer(vid) ? pc_get(c->pc, PC_VENDOR, json_integer_value(vid)) : NULL;
		if (!vendor || pc_int(vendor, "_company_id") != c->company_id)
			pc_add_error(errs, "vendor_id", "is invalid");
	}
	other = pc_find_origin(c->pc, k, c->company_id, origin);
	if (other && other != rec)
		pc_add_error(errs, "origin_id", "has already been taken");
	/* the contract company of a locked commitment (pcsim_change_orders.c) */
	if (vendor && pc_int(json_object_get(rec, "vendor"), "id") != pc_int(vendor, "id") &&
	    pc_commitment_locked(c->pc, rec))
		pc_add_error(errs, "vendor_id", "cannot be changed on a locked commitment");
	if (json_object_size(errs) ||
	    !pc_apply_fields(rec, in, k == PC_WO ? wo_fields : po_fields, errs))
		return false;
	if (vendor)
		json_object_set_new(rec, "vendor", pc_contract_vendor(vendor));
	pc_touch(c->pc, rec);
	return true;
}

static bool po_update(struct pc_ctx *c, json_t *rec, const json_t *in, json_t *errs)
{
	return contract_update_k(c, PC_PO, rec, in, errs);
}

static bool wo_update(struct pc_ctx *c, json_t *rec, const json_t *in, json_t *errs)
{
	return contract_update_k(c, PC_WO, rec, in, errs);
}

static json_t *contract_create_k(struct pc_ctx *c, enum pc_kind k, const json_t *scope,
				 const json_t *in, json_t *errs)
{
	json_t *probe = json_object(), *r;
	bool ok = contract_update_k(c, k, probe, in, errs);
	json_decref(probe);
	if (!ok)
		return NULL;
	r = pc_contract_new(c->pc, k, scope, NULL);
	contract_update_k(c, k, r, in, errs);
	return r;
}

static json_t *po_create(struct pc_ctx *c, const json_t *scope, const json_t *in, json_t *errs)
{
	return contract_create_k(c, PC_PO, scope, in, errs);
}

static json_t *wo_create(struct pc_ctx *c, const json_t *scope, const json_t *in, json_t *errs)
{
	return contract_create_k(c, PC_WO, scope, in, errs);
}

static const struct pc_sync_spec po_sync = {
    PC_PO, "updates", po_create, po_update, in_project, PC_VIEW_LIST, "Purchase Order Contracts",
};
static const struct pc_sync_spec wo_sync = {
    PC_WO, "updates", wo_create, wo_update, in_project, PC_VIEW_LIST, "Work Order Contracts",
};

static void contracts_sync(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c);
	if (p)
		pc_sync_run(c, kind_of(c) == PC_WO ? &wo_sync : &po_sync, p,
			    json_object_get(c->body, "updates"));
}

static void contract_write(struct pc_ctx *c, bool create)
{
	enum pc_kind k = kind_of(c);
	const char *wrapper = k == PC_WO ? "work_order_contract" : "purchase_order_contract";
	json_t *p = pc_need_project(c), *in = json_object_get(c->body, wrapper), *errs, *r = NULL;

	if (!p)
		return;
	if (!create) {
		r = contract_of(c, k, p, "id");
		if (!r)
			return;
	}
	if (!json_is_object(in)) {
		pc_reply_errors(
		    c, 400,
		    k == PC_WO ? "param is missing or the value is empty: work_order_contract"
			       : "param is missing or the value is empty: purchase_order_contract");
		return;
	}
	errs = json_object();
	if (create)
		r = contract_create_k(c, k, p, in, errs);
	else if (!contract_update_k(c, k, r, in, errs))
		r = NULL;
	if (!r) {
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	pc_emit(c, resource_of(k), create ? "create" : "update", pc_int(r, "id"), pc_int(p, "id"));
	pc_reply(c, create ? 201 : 200, pc_ser(c->pc, k, r, PC_VIEW_SHOW));
}

static void contract_post(struct pc_ctx *c)
{
	contract_write(c, true);
}

static void contract_patch(struct pc_ctx *c)
{
	contract_write(c, false);
}

/* ---- contract line items ---- */

static json_t *holder_of(struct pc_ctx *c, json_t **project)
{
	enum pc_kind k = kind_of(c);
	const char *param = k == PC_WO ? "work_order_contract_id" : "purchase_order_contract_id";
	json_t *p = pc_need_project(c);
	*project = p;
	return p ? contract_of(c, k, p, param) : NULL;
}

static void cli_list(struct pc_ctx *c)
{
	json_t *p, *h = holder_of(c, &p), *items, *li;
	size_t i;
	if (!h)
		return;
	items = json_array();
	json_array_foreach (c->pc->t[PC_CLI].rows, i, li) {
		if (in_holder(li, h, c->company_id) && pc_updated_filter_ok(c, li) &&
		    pc_id_filter_ok(c, li))
			json_array_append_new(items, pc_public(li));
	}
	pc_reply_page(c, items);
}

/* The schedule of values of a locked commitment takes no edit. */
static bool sov_open(struct pc_ctx *c, const json_t *holder, json_t *errs)
{
	char msg[256];

	if (!pc_commitment_locked(c->pc, holder))
		return true;
	snprintf(msg, sizeof(msg),
		 "The schedule of values of this commitment is locked (status %s): change it "
		 "through a commitment change order",
		 pc_str(holder, "status"));
	pc_add_error(errs, "base", msg);
	return false;
}

static bool cli_update(struct pc_ctx *c, json_t *rec, const json_t *in, json_t *errs)
{
	json_t *other = pc_find_origin(c->pc, PC_CLI, c->company_id,
				       json_string_value(json_object_get(in, "origin_id")));
	json_t *holder = pc_get(c->pc, PC_PO, pc_int(rec, "_holder_id"));
	if (!sov_open(c, holder ? holder : pc_get(c->pc, PC_WO, pc_int(rec, "_holder_id")), errs))
		return false;
	if (other && other != rec) {
		pc_add_error(errs, "origin_id", "has already been taken");
		return false;
	}
	if (!pc_line_item_apply(c->pc, rec, in, errs, false))
		return false;
	pc_holder_recompute(c->pc, pc_get(c->pc, PC_PO, pc_int(rec, "_holder_id")) ? PC_PO : PC_WO,
			    pc_get(c->pc, PC_PO, pc_int(rec, "_holder_id"))
				? pc_get(c->pc, PC_PO, pc_int(rec, "_holder_id"))
				: pc_get(c->pc, PC_WO, pc_int(rec, "_holder_id")));
	return true;
}

static json_t *cli_create(struct pc_ctx *c, const json_t *scope, const json_t *in, json_t *errs)
{
	enum pc_kind k = pc_get(c->pc, PC_PO, pc_int(scope, "id")) ? PC_PO : PC_WO;
	json_t *project = pc_get(c->pc, PC_PROJECT, pc_int(scope, "_project_id"));
	json_t *li = pc_line_item_new(c->pc, PC_CLI, project, pc_int(scope, "id"),
				      k == PC_PO ? "PurchaseOrderContract" : "WorkOrderContract");
	json_t *other = pc_find_origin(c->pc, PC_CLI, c->company_id,
				       json_string_value(json_object_get(in, "origin_id")));

	if (other)
		pc_add_error(errs, "origin_id", "has already been taken");
	if (other || !sov_open(c, scope, errs) || !pc_line_item_apply(c->pc, li, in, errs, true)) {
		json_decref(li);
		return NULL;
	}
	pc_insert(c->pc, PC_CLI, li);
	pc_holder_recompute(c->pc, k, (json_t *)scope);
	return li;
}

static const struct pc_sync_spec cli_sync = {
    PC_CLI,
    "updates",
    cli_create,
    cli_update,
    in_holder,
    PC_VIEW_SHOW,
    "Purchase Order Contract Line Items",
};

static void cli_sync_handler(struct pc_ctx *c)
{
	json_t *p, *h = holder_of(c, &p);
	struct pc_sync_spec spec = cli_sync;
	if (!h)
		return;
	if (kind_of(c) == PC_WO)
		spec.webhook_resource = NULL;
	pc_sync_run(c, &spec, h, json_object_get(c->body, "updates"));
}

static void cli_post(struct pc_ctx *c)
{
	json_t *p, *h = holder_of(c, &p), *in = json_object_get(c->body, "line_item"), *errs, *li;
	if (!h)
		return;
	in = pc_wrapper(c, "line_item");
	if (!in)
		return;
	errs = json_object();
	li = cli_create(c, h, in, errs);
	if (!li) {
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	if (kind_of(c) == PC_PO)
		pc_emit(c, "Purchase Order Contract Line Items", "create", pc_int(li, "id"),
			pc_int(p, "id"));
	pc_emit(c, resource_of(kind_of(c)), "update", pc_int(h, "id"), pc_int(p, "id"));
	pc_reply(c, 201, pc_public(li));
}

/* ---- commitments (read-only index of both kinds) ---- */

/*
 * The index speaks the work order status vocabulary
 * (RestV10CommitmentsGet enum); purchase order statuses are mapped onto
 * it.  The mapping is the simulator's assumption.
 */
static const char *commitment_status(enum pc_kind k, const char *status)
{
	static const char *const map[][2] = {
	    {"Processing", "Out For Signature"},
	    {"Submitted", "Out For Signature"},
	    {"Partially Received", "Approved"},
	    {"Received", "Complete"},
	    {"Closed", "Complete"},
	};
	if (k == PC_PO && status) {
		for (size_t i = 0; i < MLC_ARRAY_LEN(map); i++)
			if (strcmp(status, map[i][0]) == 0)
				return map[i][1];
	}
	return status ? status : "Draft";
}

static void commitments_list(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *items, *r;
	enum pc_kind kinds[] = {PC_WO, PC_PO};
	size_t i;

	if (!p)
		return;
	items = json_array();
	for (size_t k = 0; k < MLC_ARRAY_LEN(kinds); k++) {
		json_array_foreach (c->pc->t[kinds[k]].rows, i, r) {
			json_t *v = json_object_get(r, "vendor");
			if (!in_project(r, p, c->company_id))
				continue;
			json_array_append_new(
			    items,
			    json_pack("{s:I,s:O,s:O,s:s,s:O,s:O,s:O,s:O,s:O,s:o}", "id",
				      (json_int_t)pc_int(r, "id"), "title",
				      json_object_get(r, "title"), "number",
				      json_object_get(r, "number"), "status",
				      commitment_status(kinds[k], pc_str(r, "status")),
				      "description", json_object_get(r, "description"), "executed",
				      json_object_get(r, "executed"), "delivery_date",
				      json_object_get(r, "delivery_date")
					  ? json_object_get(r, "delivery_date")
					  : json_null(),
				      "created_at", json_object_get(r, "created_at"), "private",
				      json_object_get(r, "private"), "vendor",
				      json_is_object(v)
					  ? json_pack("{s:O,s:O}", "id", json_object_get(v, "id"),
						      "name", json_object_get(v, "company"))
					  : json_null()));
		}
	}
	pc_reply_page(c, items);
}

int pc_routes_contracts(struct pcsim *pc, struct mlc_http_server *http, struct mlc_error *err)
{
	static const struct pc_route_def r[] = {
	    {"PATCH", "/rest/v1.0/purchase_order_contracts/sync", contracts_sync},
	    {"GET", "/rest/v1.0/purchase_order_contracts", contracts_list},
	    {"POST", "/rest/v1.0/purchase_order_contracts", contract_post},
	    {"GET", "/rest/v1.0/purchase_order_contracts/{id}", contract_show},
	    {"PATCH", "/rest/v1.0/purchase_order_contracts/{id}", contract_patch},
	    {"PATCH",
	     "/rest/v1.0/purchase_order_contracts/{purchase_order_contract_id}/line_items/sync",
	     cli_sync_handler},
	    {"GET", "/rest/v1.0/purchase_order_contracts/{purchase_order_contract_id}/line_items",
	     cli_list},
	    {"POST", "/rest/v1.0/purchase_order_contracts/{purchase_order_contract_id}/line_items",
	     cli_post},
	    {"PATCH", "/rest/v1.0/work_order_contracts/sync", contracts_sync},
	    {"GET", "/rest/v1.0/work_order_contracts", contracts_list},
	    {"POST", "/rest/v1.0/work_order_contracts", contract_post},
	    {"GET", "/rest/v1.0/work_order_contracts/{id}", contract_show},
	    {"PATCH", "/rest/v1.0/work_order_contracts/{id}", contract_patch},
	    {"PATCH", "/rest/v1.0/work_order_contracts/{work_order_contract_id}/line_items/sync",
	     cli_sync_handler},
	    {"GET", "/rest/v1.0/work_order_contracts/{work_order_contract_id}/line_items",
	     cli_list},
	    {"POST", "/rest/v1.0/work_order_contracts/{work_order_contract_id}/line_items",
	     cli_post},
	    {"GET", "/rest/v1.0/commitments", commitments_list},
	};
	return pc_routes_add(pc, http, r, MLC_ARRAY_LEN(r), false, err);
}
