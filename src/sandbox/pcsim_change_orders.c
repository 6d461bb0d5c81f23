/*
 * Procore simulator: commitment change orders and the commitment locks.
 *
 * Reference: docs/reference/procore.md "More endpoints (second set)";
 * endpoint files RestV10ProjectsProjectIdCommitmentChangeOrders{Get,Post,
 * IdGet,IdPatch}, RestV20CompaniesCompanyIdProjectsProjectIdCommitment
 * ChangeOrdersCommitmentChangeOrderIdLineItems{Get,Post,IdGet,IdPatch}
 * (line items exist on v2.0 only: string ids, {"data": ...} bodies) and
 * RestV10CommitmentsIdGet (approved_change_orders, pending_change_orders,
 * revised_contract = grand total plus approved change orders).
 *
 * Locks (docs/reference/procore/webhook-payloads.md section 6.1): the
 * schedule of values and the contract company of an Approved or Complete
 * commitment are locked and the commitment cannot be deleted; commitment
 * change orders in Approved (or Complete) have the same lock.  The company
 * setting "Restrict non-draft edits to Contracts and Change Orders"
 * extends the lock to every non-Draft status; the simulator keeps it on
 * by default (hidden company key "_restrict_non_draft", set through
 * POST /_sandbox/companies/{id}/commitment_settings
 * {"restrict_non_draft": bool}).  The answer is 422, Procore's status for
 * a business rule (docs/reference/procore.md "Pagination, rate limits,
 * errors": "422 = business rule (locked record ...)"), with an
 * {"errors": {"base": [msg]}} body; the message text is the simulator's,
 * as the endpoint files document no error body.
 *
 * Simulator assumptions where the files are silent: the change order's
 * response shape (the schema is empty) is the request's fields plus id,
 * contract_id, grand_total and timestamps; status values are the list
 * filter's enum (lower case); the v2.0 list pages by page/per_page
 * (default 10) without paging headers.
 */
#include <string.h>

#include "sandbox/pcsim.h"
#include "sandbox/pcsim_records.h"
#include "util/num.h"
#include "util/banned.h"

#define LOCK_MSG                                                                                   \
	"The schedule of values of this commitment is locked (status %s): change it through a "    \
	"commitment change order"

static const struct pc_field cco_fields[] = {
    {"description", 's', NULL},
    {"due_date", 'd', NULL},
    {"executed", 'b', NULL},
    {"field_change", 'b', NULL},
    {"invoiced_date", 'd', NULL},
    {"number", 's', NULL},
    {"paid", 'b', NULL},
    {"paid_date", 'd', NULL},
    {"private", 'b', NULL},
    {"reason", 's', NULL},
    {"reference", 's', NULL},
    {"revision", 'i', NULL},
    {"signature_required", 'b', NULL},
    {"status", 'e',
     "draft|pricing|not_pricing|pending|revised|proceeding|not_proceeding|pending_billable|"
     "no_charge|approved|rejected|void"},
    {"title", 's', NULL},
    {NULL, 0, NULL},
};

static bool restrict_non_draft(struct pcsim *pc, int64_t company_id)
{
	json_t *co = pc_get(pc, PC_COMPANY, company_id);
	json_t *v = json_object_get(co, "_restrict_non_draft");
	return !json_is_false(v);
}

/* Approved or Complete in either vocabulary (PO statuses map onto the
 * commitments index: Partially Received -> Approved, Received/Closed ->
 * Complete, as pcsim_contracts.c maps them). */
static bool approved_or_complete(const char *s)
{
	static const char *const locked[] = {"Approved", "Complete", "Partially Received",
					     "Received", "Closed",   "approved",
					     "complete"};
	for (size_t i = 0; s && i < MLC_ARRAY_LEN(locked); i++)
		if (strcmp(s, locked[i]) == 0)
			return true;
	return false;
}

static bool status_locked(struct pcsim *pc, int64_t company_id, const char *status)
{
	if (approved_or_complete(status))
		return true;
	return restrict_non_draft(pc, company_id) && status && strcmp(status, "Draft") != 0 &&
	       strcmp(status, "draft") != 0;
}

bool pc_commitment_locked(struct pcsim *pc, const json_t *contract)
{
	return contract &&
	       status_locked(pc, pc_int(contract, "_company_id"), pc_str(contract, "status"));
}

static json_t *contract_any(struct pcsim *pc, int64_t id)
{
	json_t *r = pc_get(pc, PC_PO, id);
	return r ? r : pc_get(pc, PC_WO, id);
}

static bool in_project(const json_t *r, const json_t *p, int64_t company_id)
{
	return r && pc_int(r, "_company_id") == company_id &&
	       pc_int(r, "_project_id") == pc_int(p, "id");
}

/* ---- sums ---- */

static int64_t cco_total(struct pcsim *pc, int64_t cco_id)
{
	json_t *lines = pc_lines(pc, PC_CCOLI, cco_id), *li;
	int64_t sum = 0;
	size_t i;
	json_array_foreach (lines, i, li)
		sum += pc_int(li, "_cents");
	return sum;
}

/* Sums the change orders of a contract: approved, and pending/revised. */
static void cco_sums(struct pcsim *pc, int64_t contract_id, int64_t *approved, int64_t *pending)
{
	json_t *r;
	size_t i;

	*approved = *pending = 0;
	json_array_foreach (pc->t[PC_CCO].rows, i, r) {
		const char *s = pc_str(r, "status");
		if (pc_int(r, "contract_id") != contract_id || !s)
			continue;
		if (strcmp(s, "approved") == 0)
			*approved += cco_total(pc, pc_int(r, "id"));
		else if (strcmp(s, "pending") == 0 || strcmp(s, "revised") == 0)
			*pending += cco_total(pc, pc_int(r, "id"));
	}
}

static json_t *cco_view(struct pcsim *pc, const json_t *r)
{
	json_t *out = pc_public(r);
	json_object_set_new(out, "grand_total", pc_money(cco_total(pc, pc_int(r, "id"))));
	return out;
}

/* ---- change orders (v1.0) ---- */

static void cco_list(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *items, *r;
	const char *status = http_request_query(c->req, "filters[status]");
	int64_t contract = 0;
	size_t i;

	if (!p)
		return;
	if (http_request_query(c->req, "filters[contract_id]") &&
	    !pc_param_id(c, "filters[contract_id]", &contract)) {
		pc_reply_errors(c, 400, "filters[contract_id] is invalid");
		return;
	}
	items = json_array();
	json_array_foreach (c->pc->t[PC_CCO].rows, i, r) {
		if (!in_project(r, p, c->company_id) || !pc_updated_filter_ok(c, r) ||
		    !pc_id_filter_ok(c, r))
			continue;
		if (contract && pc_int(r, "contract_id") != contract)
			continue;
		if (status && (!pc_str(r, "status") || strcmp(status, pc_str(r, "status")) != 0))
			continue;
		json_array_append_new(items, cco_view(c->pc, r));
	}
	pc_reply_page(c, items);
}

static json_t *cco_of(struct pc_ctx *c, const json_t *p, const char *param)
{
	int64_t id;
	json_t *r = pc_param_id(c, param, &id) ? pc_get(c->pc, PC_CCO, id) : NULL;
	if (!r || !in_project(r, p, c->company_id)) {
		pc_reply_errors(c, 404, "Change Order not found");
		return NULL;
	}
	return r;
}

static void cco_show(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *r;
	r = p ? cco_of(c, p, "id") : NULL;
	if (r)
		pc_reply(c, 200, cco_view(c->pc, r));
}

static void cco_post(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *in, *errs, *contract, *r, *probe;
	json_t *cid;

	if (!p)
		return;
	in = pc_wrapper(c, "change_order");
	if (!in)
		return;
	errs = json_object();
	cid = json_object_get(in, "contract_id");
	contract = json_is_integer(cid) ? contract_any(c->pc, json_integer_value(cid)) : NULL;
	if (!cid || json_is_null(cid))
		pc_add_error(errs, "contract_id", "can't be blank");
	else if (!in_project(contract, p, c->company_id))
		pc_add_error(errs, "contract_id", "is invalid");
	probe = json_object();
	if (!json_object_size(errs))
		pc_apply_fields(probe, in, cco_fields, errs);
	json_decref(probe);
	if (json_object_size(errs)) {
		pc_reply_422(c, errs);
		return;
	}
	r = json_pack("{s:I,s:I,s:s,s:s,s:n,s:s,s:i,s:b,s:b,s:o,s:o,s:I,s:I}", "id",
		      (json_int_t)pc_next_id(c->pc, PC_CCO), "contract_id",
		      (json_int_t)pc_int(contract, "id"), "status", "draft", "title", "",
		      "description", "number", "", "revision", 0, "executed", 0, "private", 0,
		      "created_at", pc_now_json(c->pc), "updated_at", pc_now_json(c->pc),
		      "_company_id", (json_int_t)c->company_id, "_project_id",
		      (json_int_t)pc_int(p, "id"));
	pc_apply_fields(r, in, cco_fields, errs);
	json_decref(errs);
	pc_insert(c->pc, PC_CCO, r);
	pc_reply(c, 201, cco_view(c->pc, r));
}

static void cco_patch(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *in, *errs, *r, *cid;

	r = p ? cco_of(c, p, "id") : NULL;
	if (!r)
		return;
	in = pc_wrapper(c, "change_order");
	if (!in)
		return;
	errs = json_object();
	cid = json_object_get(in, "contract_id");
	if (cid && !json_is_null(cid) &&
	    (!json_is_integer(cid) || json_integer_value(cid) != pc_int(r, "contract_id")))
		pc_add_error(errs, "contract_id", "cannot be changed");
	if (json_object_size(errs) || !pc_apply_fields(r, in, cco_fields, errs)) {
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	pc_touch(c->pc, r);
	pc_reply(c, 200, cco_view(c->pc, r));
}

/* ---- change order line items (v2.0) ---- */

static json_t *cco_scope(struct pc_ctx *c)
{
	int64_t company, project;
	json_t *p, *r;

	if (!pc_param_id(c, "company_id", &company) || company != c->company_id ||
	    !pc_param_id(c, "project_id", &project)) {
		pc_reply_errors(c, 404, "Not Found");
		return NULL;
	}
	p = pc_get(c->pc, PC_PROJECT, project);
	if (!p || pc_int(p, "_company_id") != c->company_id) {
		pc_reply_errors(c, 404, "Project not found");
		return NULL;
	}
	r = cco_of(c, p, "commitment_change_order_id");
	return r;
}

static json_t *li_view(const json_t *li)
{
	json_t *out = pc_public(li);
	json_object_set_new(out, "id", json_sprintf("%lld", (long long)pc_int(li, "id")));
	return out;
}

static void li_list(struct pc_ctx *c)
{
	json_t *r = cco_scope(c), *lines, *li, *data;
	const char *ps = http_request_query(c->req, "page");
	const char *pps = http_request_query(c->req, "per_page");
	int page = 1, per_page = 10;
	struct mlc_error e;
	size_t i;

	if (!r)
		return;
	if (ps && num_parse_int(ps, 1, 1000000, &page, &e) != 0)
		page = 1;
	if (pps && num_parse_int(pps, 1, 100, &per_page, &e) != 0)
		per_page = 10;
	lines = pc_lines(c->pc, PC_CCOLI, pc_int(r, "id"));
	data = json_array();
	json_array_foreach (lines, i, li) {
		if (i >= (size_t)(page - 1) * (size_t)per_page &&
		    i < (size_t)page * (size_t)per_page)
			json_array_append_new(data, li_view(li));
	}
	pc_reply(c, 200, json_pack("{s:o}", "data", data));
}

static json_t *li_of(struct pc_ctx *c, const json_t *r)
{
	int64_t id;
	json_t *li = pc_param_id(c, "id", &id) ? pc_get(c->pc, PC_CCOLI, id) : NULL;
	if (!li || pc_int(li, "_holder_id") != pc_int(r, "id")) {
		pc_reply_errors(c, 404, "Line item not found");
		return NULL;
	}
	return li;
}

static void li_show(struct pc_ctx *c)
{
	json_t *r = cco_scope(c), *li;
	li = r ? li_of(c, r) : NULL;
	if (li)
		pc_reply(c, 200, json_pack("{s:o}", "data", li_view(li)));
}

/* An id sent as a string (v2.0) or an integer; false when absent. */
static bool v2_id(const json_t *in, const char *key, int64_t *out, json_t *errs)
{
	json_t *v = json_object_get(in, key);
	struct mlc_error e;

	if (!v || json_is_null(v))
		return false;
	if (json_is_integer(v) && json_integer_value(v) > 0) {
		*out = json_integer_value(v);
		return true;
	}
	if (json_is_string(v) && num_parse_id(json_string_value(v), out, &e) == 0)
		return true;
	pc_add_error(errs, key, "is invalid");
	return false;
}

/* Validates and applies {amount, description, wbs_code_id,
 * commitment_line_item_id} to li (create: wbs_code_id and amount required). */
static bool li_apply(struct pc_ctx *c, const json_t *cco, json_t *li, const json_t *in, bool create,
		     json_t *errs)
{
	int64_t wbs = 0, cli = 0, cents = 0;
	json_t *w = NULL, *line = NULL, *amount = json_object_get(in, "amount");
	json_t *desc = json_object_get(in, "description");
	bool have_wbs = v2_id(in, "wbs_code_id", &wbs, errs);
	bool have_cli = v2_id(in, "commitment_line_item_id", &cli, errs);

	if (have_wbs) {
		w = pc_get(c->pc, PC_WBS, wbs);
		if (!w || pc_int(w, "_project_id") != pc_int(cco, "_project_id"))
			pc_add_error(errs, "wbs_code_id", "is invalid");
	} else if (create && !json_object_get(errs, "wbs_code_id")) {
		pc_add_error(errs, "wbs_code_id", "can't be blank");
	}
	if (have_cli) {
		line = pc_get(c->pc, PC_CLI, cli);
		if (!line || pc_int(line, "_holder_id") != pc_int(cco, "contract_id"))
			pc_add_error(errs, "commitment_line_item_id", "is invalid");
	}
	if (amount && !json_is_null(amount) && pc_cents(amount, &cents) != 0)
		pc_add_error(errs, "amount", "is not a number");
	else if (create && (!amount || json_is_null(amount)))
		pc_add_error(errs, "amount", "can't be blank");
	if (desc && !json_is_null(desc) && !json_is_string(desc))
		pc_add_error(errs, "description", "must be a string");
	if (json_object_size(errs))
		return false;
	if (w) {
		json_object_set_new(li, "wbs_code_id", json_sprintf("%lld", (long long)wbs));
		json_object_set_new(li, "wbs_code",
				    json_pack("{s:o,s:O,s:O}", "id",
					      json_sprintf("%lld", (long long)wbs), "flat_code",
					      json_object_get(w, "flat_code"), "description",
					      json_object_get(w, "description")));
	}
	if (line)
		json_object_set_new(li, "commitment_line_item_id",
				    json_sprintf("%lld", (long long)cli));
	if (amount && !json_is_null(amount)) {
		json_object_set_new(li, "_cents", json_integer(cents));
		json_object_set_new(li, "amount", pc_money(cents));
		json_object_set_new(li, "unit_cost", pc_money(cents));
	}
	if (desc)
		json_object_set(li, "description", desc);
	return true;
}

/* 422 when the change order's schedule of values is locked. */
static bool cco_sov_open(struct pc_ctx *c, const json_t *r)
{
	char msg[256];

	if (!status_locked(c->pc, c->company_id, pc_str(r, "status")))
		return true;
	snprintf(msg, sizeof(msg), LOCK_MSG, pc_str(r, "status"));
	pc_reply_field_error(c, 422, "base", msg);
	return false;
}

static void li_post(struct pc_ctx *c)
{
	json_t *r = cco_scope(c), *li, *errs;
	json_t *lines;

	if (!r || !cco_sov_open(c, r))
		return;
	if (!json_is_object(c->body)) {
		pc_reply_errors(c, 400, "Bad Request");
		return;
	}
	lines = pc_lines(c->pc, PC_CCOLI, pc_int(r, "id"));
	li = json_pack("{s:I,s:n,s:n,s:s,s:n,s:n,s:s,s:s,s:s,s:n,s:n,s:I,s:o,s:I,s:I,s:I,s:I}",
		       "id", (json_int_t)pc_next_id(c->pc, PC_CCOLI), "prime_line_item_id",
		       "commitment_line_item_id", "description", "", "wbs_code_id", "wbs_code",
		       "uom", "LS", "amount", "0.00", "extended_type", "manual", "tax_code_id",
		       "work_breakdown_structure", "position",
		       (json_int_t)(json_array_size(lines) + 1), "quantity", json_real(1.0),
		       "_company_id", (json_int_t)c->company_id, "_project_id",
		       (json_int_t)pc_int(r, "_project_id"), "_holder_id",
		       (json_int_t)pc_int(r, "id"), "_cents", (json_int_t)0);
	errs = json_object();
	if (!li_apply(c, r, li, c->body, true, errs)) {
		json_decref(li);
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	pc_insert(c->pc, PC_CCOLI, li);
	pc_touch(c->pc, r);
	pc_reply(c, 201, json_pack("{s:o}", "data", li_view(li)));
}

static void li_patch(struct pc_ctx *c)
{
	json_t *r = cco_scope(c), *li, *errs;

	li = r ? li_of(c, r) : NULL;
	if (!li || !cco_sov_open(c, r))
		return;
	if (!json_is_object(c->body)) {
		pc_reply_errors(c, 400, "Bad Request");
		return;
	}
	errs = json_object();
	if (!li_apply(c, r, li, c->body, false, errs)) {
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	pc_touch(c->pc, r);
	pc_reply(c, 200, json_pack("{s:o}", "data", li_view(li)));
}

/* ---- one commitment with its change order totals (RestV10CommitmentsIdGet) ---- */

static void commitment_show(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *r, *out, *v;
	int64_t id, approved, pending, total;

	if (!p)
		return;
	r = pc_param_id(c, "id", &id) ? contract_any(c->pc, id) : NULL;
	if (!in_project(r, p, c->company_id)) {
		pc_reply_errors(c, 404, "Commitment not found");
		return;
	}
	total = pc_int(r, "_cents");
	cco_sums(c->pc, id, &approved, &pending);
	v = json_object_get(r, "vendor");
	out =
	    json_pack("{s:I,s:O,s:O,s:O,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:O,s:o}", "id", (json_int_t)id,
		      "title", json_object_get(r, "title"), "number", json_object_get(r, "number"),
		      "status", json_object_get(r, "status"), "type",
		      pc_get(c->pc, PC_PO, id) ? "PurchaseOrderContract" : "WorkOrderContract",
		      "grand_total", pc_money(total), "line_items_total", pc_money(total),
		      "approved_change_orders", pc_money(approved), "pending_change_orders",
		      pc_money(pending), "revised_contract", pc_money(total + approved),
		      "pending_revised_contract", pc_money(total + approved + pending),
		      "updated_at", json_object_get(r, "updated_at"), "vendor",
		      json_is_object(v) ? json_pack("{s:O,s:O}", "id", json_object_get(v, "id"),
						    "name", json_object_get(v, "company"))
					: json_null());
	pc_reply(c, 200, out);
}

/* ---- admin: the company's commitment settings ---- */

static void admin_settings(struct pc_ctx *c)
{
	int64_t id;
	json_t *co = pc_param_id(c, "id", &id) ? pc_get(c->pc, PC_COMPANY, id) : NULL;
	json_t *v = json_object_get(c->body, "restrict_non_draft");

	if (!co) {
		pc_reply_errors(c, 404, "Company not found");
		return;
	}
	if (!json_is_boolean(v)) {
		pc_reply_errors(c, 400, "restrict_non_draft must be true or false");
		return;
	}
	json_object_set(co, "_restrict_non_draft", v);
	pc_reply(c, 200, json_pack("{s:O}", "restrict_non_draft", v));
}

int pc_routes_change_orders(struct pcsim *pc, struct mlc_http_server *http, struct mlc_error *err)
{
#define CCO_LI                                                                                     \
	"/rest/v2.0/companies/{company_id}/projects/{project_id}/commitment_change_orders/"        \
	"{commitment_change_order_id}/line_items"
	static const struct pc_route_def r[] = {
	    {"GET", "/rest/v1.0/projects/{project_id}/commitment_change_orders", cco_list},
	    {"POST", "/rest/v1.0/projects/{project_id}/commitment_change_orders", cco_post},
	    {"GET", "/rest/v1.0/projects/{project_id}/commitment_change_orders/{id}", cco_show},
	    {"PATCH", "/rest/v1.0/projects/{project_id}/commitment_change_orders/{id}", cco_patch},
	    {"GET", CCO_LI, li_list},
	    {"POST", CCO_LI, li_post},
	    {"GET", CCO_LI "/{id}", li_show},
	    {"PATCH", CCO_LI "/{id}", li_patch},
	    {"GET", "/rest/v1.0/commitments/{id}", commitment_show},
	};
	static const struct pc_route_def admin[] = {
	    {"POST", "/_sandbox/companies/{id}/commitment_settings", admin_settings},
	};
#undef CCO_LI
	int rc = pc_routes_add(pc, http, r, MLC_ARRAY_LEN(r), false, err);
	return rc ? rc : pc_routes_add(pc, http, admin, MLC_ARRAY_LEN(admin), true, err);
}
