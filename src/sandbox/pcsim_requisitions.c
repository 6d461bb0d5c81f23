/*
 * Procore simulator: requisitions (subcontractor invoices), their items
 * and the project's billing periods.  No sync endpoint, no webhooks.
 *
 * Rules, each from the reference:
 * - A billing period must exist before a requisition is created; only one
 *   period is Open at a time; periods have distinct date ranges
 *   (docs/reference/procore/webhook-payloads.md section 6 item 4 [P1-P4];
 *   RestV10ProjectsProjectIdBillingPeriods{Get,Post,IdGet,IdPatch}.json).
 *   A POST without period_id takes the Open period and its dates [P4].
 * - A requisition carrying an origin_id is immutable: 422 on any update,
 *   its items included (webhook-payloads.md section 6 item 2 [D6][D7]).
 * - A user without admin permission may update only the most recent
 *   requisition of its commitment, in draft or revise_and_resubmit; an
 *   admin any (RestV10RequisitionsIdPatch.json, description).  The
 *   service account's admin permission is a per-company simulator setting,
 *   admin by default: retainage can be written by admin users only
 *   (RestV10RequisitionsRequisitionIdBulkItemUpdatePatch.json,
 *   work_completed_retainage_retained_this_period), so an integration that
 *   bills retainage runs as an admin.
 * - Items: one contract item per commitment line, made with the
 *   requisition (RestV10RequisitionsRequisitionIdContractItemsGet.json);
 *   contract detail items and change order items are listed
 *   (..ContractDetailItemsGet, ..ChangeOrderItemsGet.json) and empty here:
 *   the simulator has no detail lines and no change order packages on
 *   requisitions.  Items change through PATCH .../bulk_item_update; the
 *   single-item PATCH of contract items is deprecated but served
 *   (..ContractItemsIdPatch.json, description).
 *
 * Simulator assumptions where the reference is silent: the refusal texts;
 * a permission refusal is 403; retainage on an item asks for a non-zero
 * work_completed_this_period ("should be non-zero to hold a retainage")
 * or is 422.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sandbox/pcsim.h"
#include "sandbox/pcsim_records.h"
#include "util/time.h"
#include "util/banned.h"

static const struct pc_field req_fields[] = {
    {"period_id", 'i', NULL},
    {"requisition_start", 'd', NULL},
    {"requisition_end", 'd', NULL},
    {"billing_date", 'd', NULL},
    {"final", 'b', NULL},
    {"invoice_number", 's', NULL},
    {"payment_date", 'd', NULL},
    {"origin_data", 's', NULL},
    {"origin_id", 's', NULL},
    {"status", 'e',
     "draft|under_review|revise_and_resubmit|approved|approved_as_noted|pending_owner_approval"},
    {"comment", 's', NULL},
    {NULL, 0, NULL},
};

static const struct pc_field period_fields[] = {
    {"due_date", 'd', NULL},        {"start_date", 'd', NULL}, {"end_date", 'd', NULL},
    {"status", 'e', "open|closed"}, {NULL, 0, NULL},
};

static bool in_project(const json_t *rec, const json_t *scope, int64_t company_id)
{
	return pc_int(rec, "_company_id") == company_id &&
	       pc_int(rec, "_project_id") == pc_int(scope, "id");
}

static int64_t cents_of(const json_t *rec, const char *key)
{
	int64_t v = 0;
	if (pc_cents(json_object_get(rec, key), &v) != 0)
		v = 0;
	return v;
}

static json_t *commitment_get(struct pcsim *pc, int64_t id)
{
	json_t *k = pc_get(pc, PC_WO, id);
	return k ? k : pc_get(pc, PC_PO, id);
}

/* The company's setting: does the service account have admin permission on
 * invoices?  Absent: admin (see the head comment). */
static bool caller_admin(struct pc_ctx *c)
{
	json_t *co = pc_get(c->pc, PC_COMPANY, c->company_id);
	json_t *v = co ? json_object_get(co, "_requisitions_admin") : NULL;
	return !json_is_false(v);
}

/* ---- billing periods ---- */

static const char *bp_text(const json_t *bp, const char *key)
{
	const char *s = pc_str(bp, key);
	return s ? s : "";
}

/*
 * Whether bp (start..end, status) may stand beside the project's other
 * periods: one Open at a time, distinct date ranges.  errs filled.
 */
static bool bp_fits(struct pcsim *pc, const json_t *project, const json_t *self, const char *start,
		    const char *end, const char *status, json_t *errs)
{
	json_t *r;
	size_t i;

	if (strcmp(start, end) > 0)
		pc_add_error(errs, "end_date", "must be on or after the start date");
	json_array_foreach (pc->t[PC_BPERIOD].rows, i, r) {
		if (r == self || pc_int(r, "_project_id") != pc_int(project, "id"))
			continue;
		if (strcmp(status, "open") == 0 && strcmp(bp_text(r, "status"), "open") == 0)
			pc_add_error(errs, "status",
				     "only one billing period can be open at a time");
		if (strcmp(start, bp_text(r, "end_date")) <= 0 &&
		    strcmp(bp_text(r, "start_date"), end) <= 0)
			pc_add_error(errs, "start_date", "overlaps another billing period");
	}
	return json_object_size(errs) == 0;
}

json_t *pc_billing_period_new(struct pcsim *pc, const json_t *project, const char *start,
			      const char *end, const char *due, const char *status)
{
	json_t *r = json_object(), *o;
	int64_t position = 1;
	size_t i;

	json_array_foreach (pc->t[PC_BPERIOD].rows, i, o)
		if (pc_int(o, "_project_id") == pc_int(project, "id"))
			position++;
	json_object_set_new(r, "id", json_integer(pc_next_id(pc, PC_BPERIOD)));
	json_object_set_new(r, "created_at", pc_now_json(pc));
	json_object_set_new(r, "updated_at", pc_now_json(pc));
	json_object_set_new(r, "due_date", json_string(due));
	json_object_set_new(r, "start_date", json_string(start));
	json_object_set_new(r, "end_date", json_string(end));
	json_object_set_new(r, "position", json_integer(position));
	json_object_set_new(r, "project_id", json_integer(pc_int(project, "id")));
	json_object_set_new(r, "status", json_string(status));
	json_object_set_new(r, "_company_id", json_integer(pc_int(project, "_company_id")));
	json_object_set_new(r, "_project_id", json_integer(pc_int(project, "id")));
	return pc_insert(pc, PC_BPERIOD, r);
}

static void bp_list(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *items, *r;
	const char *status = http_request_query(c->req, "filters[status]");
	size_t i;

	if (!p)
		return;
	items = json_array();
	json_array_foreach (c->pc->t[PC_BPERIOD].rows, i, r) {
		if (!in_project(r, p, c->company_id) || !pc_updated_filter_ok(c, r) ||
		    !pc_id_filter_ok(c, r))
			continue;
		if (status && strcmp(status, bp_text(r, "status")) != 0)
			continue;
		json_array_append_new(items, pc_public(r));
	}
	pc_reply_page(c, items);
}

static json_t *bp_of(struct pc_ctx *c, const json_t *p)
{
	int64_t id;
	json_t *r = pc_param_id(c, "id", &id) ? pc_get(c->pc, PC_BPERIOD, id) : NULL;
	if (!r || !in_project(r, p, c->company_id)) {
		pc_reply_errors(c, 404, "Billing Period not found");
		return NULL;
	}
	return r;
}

static void bp_show(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *r;
	r = p ? bp_of(c, p) : NULL;
	if (r)
		pc_reply(c, 200, pc_public(r));
}

/* POST and PATCH: every field is required (the endpoint files' schema). */
static void bp_write(struct pc_ctx *c, bool create)
{
	static const char *const need[] = {"due_date", "start_date", "end_date", "status", NULL};
	json_t *p = pc_need_project(c), *in, *errs, *r = NULL, *probe;

	if (!p)
		return;
	if (!create) {
		r = bp_of(c, p);
		if (!r)
			return;
	}
	in = pc_wrapper(c, "billing_period");
	if (!in)
		return;
	errs = json_object();
	pc_require(in, need, errs);
	probe = json_object();
	if (json_object_size(errs) || !pc_apply_fields(probe, in, period_fields, errs) ||
	    !bp_fits(c->pc, p, r, bp_text(probe, "start_date"), bp_text(probe, "end_date"),
		     bp_text(probe, "status"), errs)) {
		json_decref(probe);
		pc_reply_422(c, errs);
		return;
	}
	if (create)
		r = pc_billing_period_new(c->pc, p, bp_text(probe, "start_date"),
					  bp_text(probe, "end_date"), bp_text(probe, "due_date"),
					  bp_text(probe, "status"));
	else
		pc_apply_fields(r, in, period_fields, errs);
	json_decref(probe);
	json_decref(errs);
	pc_touch(c->pc, r);
	pc_reply(c, create ? 201 : 200, pc_public(r));
}

static void bp_post(struct pc_ctx *c)
{
	bp_write(c, true);
}

static void bp_patch(struct pc_ctx *c)
{
	bp_write(c, false);
}

/* ---- items ---- */

static const char *const item_money[] = {
    "work_completed_this_period",
    "materials_presently_stored",
    "work_completed_retainage_retained_this_period",
    "materials_stored_retainage_currently_retained",
    "work_completed_retainage_released_this_period",
    "subcontractor_claimed_amount",
};

/* Recomputes an item's derived amounts from its stored ones. */
static void item_recompute(json_t *it)
{
	int64_t sv = cents_of(it, "scheduled_value");
	int64_t prev = cents_of(it, "work_completed_from_previous_application");
	int64_t now = cents_of(it, "work_completed_this_period");
	int64_t stored = cents_of(it, "materials_presently_stored");
	int64_t ret = cents_of(it, "work_completed_retainage_retained_this_period");
	int64_t done = prev + now + stored;
	char pct[48];

	json_object_set_new(it, "total_completed_and_stored_to_date", pc_money(done));
	snprintf(pct, sizeof(pct), "%" PRId64 ".%02" PRId64, sv ? done * 100 / sv : 0,
		 sv ? done * 10000 / sv % 100 : 0);
	json_object_set_new(it, "total_completed_and_stored_to_date_percent", json_string(pct));
	snprintf(pct, sizeof(pct), "%" PRId64 ".%02" PRId64, now ? ret * 100 / now : 0,
		 now ? ret * 10000 / now % 100 : 0);
	json_object_set_new(it, "work_completed_retainage_percent_this_period", json_string(pct));
}

/* Work completed on a commitment line by the other requisitions' items. */
static int64_t line_previous(struct pcsim *pc, int64_t commitment, int64_t line_id, int64_t *ret)
{
	json_t *r, *it;
	int64_t sum = 0;
	size_t i, j;

	*ret = 0;
	json_array_foreach (pc->t[PC_REQ].rows, i, r) {
		if (pc_int(r, "commitment_id") != commitment)
			continue;
		json_array_foreach (pc_lines(pc, PC_REQITEM, pc_int(r, "id")), j, it) {
			if (pc_int(it, "line_item_id") != line_id)
				continue;
			sum += cents_of(it, "work_completed_this_period");
			*ret += cents_of(it, "work_completed_retainage_retained_this_period");
		}
	}
	return sum;
}

/* One contract item per commitment line (RestV10RequisitionsRequisitionIdContractItemsGet). */
static void items_make(struct pcsim *pc, const json_t *req, const json_t *contract)
{
	json_t *li;
	size_t i;
	int pos = 0;

	json_array_foreach (pc_lines(pc, PC_CLI, pc_int(contract, "id")), i, li) {
		json_t *it = json_object(), *cc = json_object_get(li, "cost_code");
		int64_t ret,
		    prev = line_previous(pc, pc_int(contract, "id"), pc_int(li, "id"), &ret);
		json_object_set_new(it, "id", json_integer(pc_next_id(pc, PC_REQITEM)));
		json_object_set_new(it, "item_type", json_string("contract_item"));
		json_object_set_new(it, "cost_code_id", json_integer(pc_int(cc, "id")));
		json_object_set_new(it, "line_item_id", json_integer(pc_int(li, "id")));
		json_object_set(it, "description_of_work", json_object_get(li, "description"));
		json_object_set_new(it, "scheduled_value", pc_money(pc_int(li, "_cents")));
		json_object_set_new(it, "work_completed_from_previous_application", pc_money(prev));
		json_object_set_new(it, "work_completed_retainage_from_previous_application",
				    pc_money(ret));
		for (size_t k = 0; k < MLC_ARRAY_LEN(item_money); k++)
			json_object_set_new(it, item_money[k], json_string("0.00"));
		json_object_set_new(it, "materials_stored_retainage_percent_this_period",
				    json_string("0.00"));
		json_object_set_new(it, "materials_stored_retainage_released_this_period",
				    json_string("0.00"));
		json_object_set_new(it, "materials_moved", json_string("0.00"));
		json_object_set_new(it, "materials_retainage_retained_moved", json_string("0.00"));
		json_object_set_new(it, "status", json_string("no_action"));
		json_object_set_new(it, "position", json_integer(++pos));
		json_object_set_new(it, "ssr_manual_override", json_false());
		json_object_set_new(it, "currency_configuration",
				    json_pack("{s:s}", "currency_iso_code", "USD"));
		if (json_is_object(json_object_get(li, "wbs_code")))
			json_object_set(it, "wbs_code", json_object_get(li, "wbs_code"));
		else
			json_object_set_new(it, "wbs_code", json_null());
		pc_set_nulls(it, "comment scheduled_quantity scheduled_unit_price "
				 "work_completed_this_period_quantity "
				 "work_completed_from_previous_application_quantity");
		json_object_set_new(it, "_company_id", json_integer(pc_int(req, "_company_id")));
		json_object_set_new(it, "_project_id", json_integer(pc_int(req, "_project_id")));
		json_object_set_new(it, "_holder_id", json_integer(pc_int(req, "id")));
		item_recompute(it);
		pc_insert(pc, PC_REQITEM, it);
	}
}

/* The requisition's summary and claimed total from its items (G702 lines). */
static void req_recompute(struct pcsim *pc, json_t *r)
{
	json_t *it, *s = json_object_get(r, "summary");
	int64_t done = 0, now = 0, ret = 0, prev_earned = 0, sv = 0;
	size_t i;

	if (!json_array_size(pc_lines(pc, PC_REQITEM, pc_int(r, "id"))) || !json_is_object(s))
		return;
	json_array_foreach (pc_lines(pc, PC_REQITEM, pc_int(r, "id")), i, it) {
		int64_t prev = cents_of(it, "work_completed_from_previous_application");
		int64_t prev_ret =
		    cents_of(it, "work_completed_retainage_from_previous_application");
		sv += cents_of(it, "scheduled_value");
		done += cents_of(it, "total_completed_and_stored_to_date");
		now += cents_of(it, "work_completed_this_period") +
		       cents_of(it, "materials_presently_stored");
		ret += prev_ret + cents_of(it, "work_completed_retainage_retained_this_period");
		prev_earned += prev - prev_ret;
	}
	json_object_set_new(s, "total_completed_and_stored_to_date", pc_money(done));
	json_object_set_new(s, "completed_work_retainage_amount", pc_money(ret));
	json_object_set_new(s, "total_retainage", pc_money(ret));
	json_object_set_new(s, "total_earned_less_retainage", pc_money(done - ret));
	json_object_set_new(s, "less_previous_certificates_for_payment", pc_money(prev_earned));
	json_object_set_new(s, "current_payment_due", pc_money(done - ret - prev_earned));
	json_object_set_new(s, "balance_to_finish_including_retainage",
			    pc_money(sv - (done - ret)));
	json_object_set_new(r, "total_claimed_amount", pc_money(now));
}

/* ---- the locks ---- */

/*
 * Whether the caller may change requisition r (or its items); otherwise
 * answers and returns false.  The origin_id lock holds for everyone.
 */
static bool req_editable(struct pc_ctx *c, const json_t *r)
{
	const char *origin = pc_str(r, "origin_id"), *st = pc_str(r, "status");
	json_t *o;
	size_t i;

	if (origin && *origin) {
		pc_reply_field_error(
		    c, 422, "base",
		    "This subcontractor invoice is synced with an ERP (origin_id is "
		    "set) and cannot be edited");
		return false;
	}
	if (caller_admin(c))
		return true;
	json_array_foreach (c->pc->t[PC_REQ].rows, i, o) {
		if (o != r && pc_int(o, "commitment_id") == pc_int(r, "commitment_id") &&
		    pc_int(o, "number") > pc_int(r, "number")) {
			pc_reply_errors(c, 403,
					"Only the most recent subcontractor invoice can be "
					"updated without admin permission");
			return false;
		}
	}
	if (!st || (strcmp(st, "draft") && strcmp(st, "revise_and_resubmit"))) {
		pc_reply_errors(c, 403,
				"Without admin permission a subcontractor invoice can be updated "
				"only in status draft or revise_and_resubmit");
		return false;
	}
	return true;
}

/* ---- requisitions ---- */

static bool is_v11(struct pc_ctx *c)
{
	return strstr(c->req->path, "/rest/v1.1/") != NULL;
}

/* One item of the v1.1 shape (RestV11RequisitionsGet) for commitment line li. */
static json_t *v11_item(const json_t *li, int64_t id, int pos, int64_t sv, int64_t before,
			int64_t done)
{
	json_t *it = json_object();

	json_object_set_new(it, "id", json_integer(id));
	json_object_set_new(it, "item_type", json_string("line_item"));
	json_object_set_new(it, "accounting_method", json_string("amount"));
	json_object_set_new(it, "cost_code_id",
			    json_integer(pc_int(json_object_get(li, "cost_code"), "id")));
	json_object_set_new(it, "currency_configuration",
			    json_pack("{s:s,s:s,s:s}", "currency_iso_code", "USD",
				      "currency_exchange_rate", "1.0", "base_currency_iso_code",
				      "USD"));
	json_object_set_new(it, "line_item_id", json_integer(pc_int(li, "id")));
	json_object_set(it, "description_of_work", json_object_get(li, "description"));
	if (json_is_object(json_object_get(li, "wbs_code"))) {
		json_t *w = json_copy(json_object_get(li, "wbs_code"));
		json_object_set_new(w, "segment_items", json_array());
		json_object_set_new(it, "wbs_code", w);
	} else {
		json_object_set_new(it, "wbs_code", json_null());
	}
	json_object_set_new(it, "scheduled_value", pc_money(sv));
	json_object_set_new(it, "work_completed_from_previous_application", pc_money(before));
	json_object_set_new(it, "work_completed_this_period", pc_money(done - before));
	json_object_set_new(it, "total_completed_and_stored_to_date", pc_money(done));
	json_object_set_new(it, "net_amount", pc_money(done - before));
	json_object_set_new(it, "gross_amount", pc_money(done - before));
	json_object_set_new(it, "status", json_string("pending"));
	json_object_set_new(it, "position", json_integer(pos));
	json_object_set_new(it, "line_number", json_sprintf("%d", pos));
	json_object_set_new(it, "ssr_manual_override", json_false());
	json_object_set_new(it, "taxes", json_array());
	json_object_set(it, "uom", json_object_get(li, "uom"));
	pc_set_nulls(it, "materials_presently_stored materials_presently_stored_quantity "
			 "materials_presently_stored_from_previous_progress "
			 "materials_previously_stored_quantity "
			 "materials_moved materials_retainage_retained_moved "
			 "total_completed_and_stored_to_date_percent "
			 "total_completed_and_stored_to_date_from_previous "
			 "work_completed_retainage_from_previous_application "
			 "work_completed_retainage_retained_this_period "
			 "work_completed_retainage_percent_this_period "
			 "materials_stored_retainage_currently_retained "
			 "materials_stored_retainage_percent_this_period "
			 "materials_stored_retainage_new_materials "
			 "work_completed_retainage_released_this_period "
			 "materials_stored_retainage_released_this_period "
			 "scheduled_quantity scheduled_unit_price "
			 "work_completed_this_period_quantity "
			 "work_completed_from_previous_application_quantity "
			 "comment subcontractor_claimed_amount previous_progress_id");
	return it;
}

/* The v1.1 items: the stored contract items, or (a requisition made
 * without items, as the seeded ones) one per commitment line billed in
 * proportion to the requisition's claim. */
static json_t *v11_items(struct pcsim *pc, const json_t *r, const json_t *contract)
{
	json_t *items = json_array(), *li, *stored = pc_lines(pc, PC_REQITEM, pc_int(r, "id"));
	int64_t cid = pc_int(r, "commitment_id"), total, claimed = 0, previous = 0;
	size_t i;
	int pos = 0;

	if (json_array_size(stored)) {
		json_array_foreach (stored, i, li) {
			json_t *line = pc_get(pc, PC_CLI, pc_int(li, "line_item_id"));
			int64_t before = cents_of(li, "work_completed_from_previous_application");
			json_array_append_new(
			    items, v11_item(line ? line : li, pc_int(li, "id"), ++pos,
					    cents_of(li, "scheduled_value"), before,
					    cents_of(li, "total_completed_and_stored_to_date")));
		}
		return items;
	}
	total = pc_int(contract, "_cents");
	pc_cents(
	    json_object_get(json_object_get(r, "summary"), "total_completed_and_stored_to_date"),
	    &claimed);
	pc_cents(json_object_get(json_object_get(r, "summary"),
				 "less_previous_certificates_for_payment"),
		 &previous);
	json_array_foreach (pc_lines(pc, PC_CLI, cid), i, li) {
		int64_t sv = pc_int(li, "_cents"), done = total ? sv * claimed / total : 0;
		int64_t before = total ? sv * previous / total : 0;
		json_array_append_new(
		    items, v11_item(li, pc_int(li, "id") + 1000000000LL, ++pos, sv, before, done));
	}
	return items;
}

/* The v1.1 shape (RestV11RequisitionsGet): summary_text and the items of
 * the schedule of values. */
static json_t *req_v11(struct pcsim *pc, const json_t *r)
{
	json_t *out = pc_public(r), *contract, *project, *vendor, *summary;

	contract = commitment_get(pc, pc_int(r, "commitment_id"));
	project = pc_get(pc, PC_PROJECT, pc_int(r, "_project_id"));
	vendor = pc_get(pc, PC_VENDOR, pc_int(r, "vendor_id"));
	json_object_set_new(out, "items", v11_items(pc, r, contract));
	json_object_set_new(out, "item_packages", json_array());
	json_object_set_new(out, "invoice_type", json_string("requisition"));
	json_object_set_new(out, "move_materials_to_previous_work_completed", json_false());
	json_object_set_new(out, "previous_requisition_id", json_null());
	json_object_set_new(out, "currency_configuration",
			    json_pack("{s:s,s:f,s:s}", "currency_iso_code", "USD",
				      "currency_exchange_rate", 1.0, "base_currency_iso_code",
				      "USD"));
	summary = json_object_get(out, "summary");
	json_object_set_new(summary, "new_materials", json_string("0.00"));
	json_object_set_new(summary, "new_materials_quantity", json_string("0.0"));
	json_object_set_new(summary, "stored_materials", json_string("0.00"));
	json_object_set_new(summary, "stored_materials_quantity", json_string("0.0"));
	json_object_set_new(
	    out, "summary_text",
	    json_pack("{s:O,s:O,s:s,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:s,s:o,s:O,s:O}", "project_name",
		      json_object_get(project, "name"), "project_number",
		      json_object_get(project, "project_number"), "to_general_contractor",
		      "Meridian Builders Group", "requisition_period_start",
		      json_object_get(r, "requisition_start"), "requisition_period_end",
		      json_object_get(r, "requisition_end"), "subcontractor_name",
		      json_object_get(r, "vendor_name"), "subcontractor_street",
		      json_object_get(vendor, "address") ? json_object_get(vendor, "address")
							 : json_null(),
		      "subcontractor_city",
		      json_object_get(vendor, "city") ? json_object_get(vendor, "city")
						      : json_null(),
		      "subcontractor_state_code",
		      json_object_get(vendor, "state_code") ? json_object_get(vendor, "state_code")
							    : json_null(),
		      "subcontractor_zip",
		      json_object_get(vendor, "zip") ? json_object_get(vendor, "zip") : json_null(),
		      "subcontractor_country_code", "US", "application_number",
		      json_sprintf("%lld", (long long)pc_int(r, "number")), "contract_for",
		      json_object_get(contract, "title"), "contract_date",
		      json_object_get(contract, "contract_date")));
	return out;
}

static void reqs_list(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *items, *r;
	const char *status = http_request_query(c->req, "filters[status]");
	int64_t commitment = 0, period = 0;
	size_t i;

	if (!p)
		return;
	if ((http_request_query(c->req, "filters[commitment_id]") &&
	     !pc_param_id(c, "filters[commitment_id]", &commitment)) ||
	    (http_request_query(c->req, "filters[period_id]") &&
	     !pc_param_id(c, "filters[period_id]", &period))) {
		pc_reply_errors(c, 400, "filters[commitment_id] or filters[period_id] is invalid");
		return;
	}
	items = json_array();
	json_array_foreach (c->pc->t[PC_REQ].rows, i, r) {
		if (!in_project(r, p, c->company_id) || !pc_origin_filter_ok(c, r) ||
		    !pc_updated_filter_ok(c, r) || !pc_id_filter_ok(c, r))
			continue;
		if ((commitment && pc_int(r, "commitment_id") != commitment) ||
		    (period && pc_int(r, "period_id") != period))
			continue;
		if (status && strcmp(status, pc_str(r, "status")) != 0)
			continue;
		json_array_append_new(items, is_v11(c) ? req_v11(c->pc, r) : pc_public(r));
	}
	pc_reply_page(c, items);
}

static json_t *req_find(struct pc_ctx *c, const json_t *p, const char *param)
{
	int64_t id;
	json_t *r = pc_param_id(c, param, &id) ? pc_get(c->pc, PC_REQ, id) : NULL;
	if (!r || !in_project(r, p, c->company_id)) {
		pc_reply_errors(c, 404, "Requisition not found");
		return NULL;
	}
	return r;
}

static void req_show(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *r;
	r = p ? req_find(c, p, "id") : NULL;
	if (r)
		pc_reply(c, 200, is_v11(c) ? req_v11(c->pc, r) : pc_public(r));
}

static bool req_apply(struct pc_ctx *c, json_t *r, const json_t *in, json_t *errs)
{
	json_t *other = pc_find_origin(c->pc, PC_REQ, c->company_id,
				       json_string_value(json_object_get(in, "origin_id")));
	if (other && other != r) {
		pc_add_error(errs, "origin_id", "has already been taken");
		return false;
	}
	if (!pc_apply_fields(r, in, req_fields, errs))
		return false;
	pc_touch(c->pc, r);
	return true;
}

/*
 * The billing period of a new requisition: period_id when given (a period
 * of the project), else the Open one.  None: 422, and NULL.
 */
static json_t *req_period(struct pc_ctx *c, const json_t *p, const json_t *in)
{
	json_t *given = json_object_get(in, "period_id"), *r;
	size_t i;

	if (given && !json_is_null(given)) {
		r = json_is_integer(given) ? pc_get(c->pc, PC_BPERIOD, json_integer_value(given))
					   : NULL;
		if (r && in_project(r, p, c->company_id))
			return r;
		pc_reply_field_error(c, 422, "period_id", "is invalid");
		return NULL;
	}
	json_array_foreach (c->pc->t[PC_BPERIOD].rows, i, r)
		if (in_project(r, p, c->company_id) && strcmp(bp_text(r, "status"), "open") == 0)
			return r;
	pc_reply_field_error(c, 422, "period_id",
			     "A billing period must be created before a subcontractor invoice");
	return NULL;
}

static void req_post(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *in, *errs, *contract, *probe, *r, *bp;
	int64_t cid, number = 1;
	size_t i;

	if (!p)
		return;
	if (!pc_param_id(c, "commitment_id", &cid)) {
		pc_reply_errors(c, 400, "param is missing or the value is empty: commitment_id");
		return;
	}
	contract = commitment_get(c->pc, cid);
	if (!contract || !in_project(contract, p, c->company_id)) {
		pc_reply_errors(c, 404, "Commitment not found");
		return;
	}
	in = pc_wrapper(c, "requisition");
	if (!in)
		return;
	errs = json_object();
	probe = json_object();
	if (!req_apply(c, probe, in, errs)) {
		json_decref(probe);
		pc_reply_422(c, errs);
		return;
	}
	json_decref(probe);
	bp = req_period(c, p, in);
	if (!bp) {
		json_decref(errs);
		return;
	}
	json_array_foreach (c->pc->t[PC_REQ].rows, i, r) {
		if (pc_int(r, "commitment_id") == cid)
			number++;
	}
	r = pc_req_new(c->pc, contract, (int)number, 0, 0, "draft", bp_text(bp, "start_date"),
		       bp_text(bp, "end_date"));
	json_object_set_new(r, "period_id", json_integer(pc_int(bp, "id")));
	req_apply(c, r, in, errs);
	json_decref(errs);
	items_make(c->pc, r, contract);
	req_recompute(c->pc, r);
	pc_reply(c, 201, pc_public(r));
}

static void req_patch(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *in, *errs, *r;
	r = p ? req_find(c, p, "id") : NULL;
	if (!r)
		return;
	in = pc_wrapper(c, "requisition");
	if (!in || !req_editable(c, r))
		return;
	errs = json_object();
	if (!req_apply(c, r, in, errs)) {
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	/* Requisitions have no webhook resource: clients poll them. */
	pc_reply(c, 200, pc_public(r));
}

/* ---- item routes ---- */

static const char *item_type_of(struct pc_ctx *c)
{
	if (strstr(c->req->path, "/contract_detail_items"))
		return "contract_detail_item";
	if (strstr(c->req->path, "/change_order_items"))
		return "change_order_item";
	return "contract_item";
}

static void items_list(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *r, *items, *it;
	const char *type = item_type_of(c);
	size_t i;

	r = p ? req_find(c, p, "requisition_id") : NULL;
	if (!r)
		return;
	items = json_array();
	json_array_foreach (pc_lines(c->pc, PC_REQITEM, pc_int(r, "id")), i, it)
		if (strcmp(pc_str(it, "item_type"), type) == 0)
			json_array_append_new(items, pc_public(it));
	pc_reply_page(c, items);
}

static json_t *item_find(struct pc_ctx *c, const json_t *r, int64_t id, const char *type)
{
	json_t *it = pc_get(c->pc, PC_REQITEM, id);
	if (!it || pc_int(it, "_holder_id") != pc_int(r, "id") ||
	    (type && strcmp(pc_str(it, "item_type"), type) != 0))
		return NULL;
	return it;
}

static void item_show(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *r, *it = NULL;
	int64_t id;

	r = p ? req_find(c, p, "requisition_id") : NULL;
	if (!r)
		return;
	if (pc_param_id(c, "id", &id))
		it = item_find(c, r, id, item_type_of(c));
	if (!it) {
		pc_reply_errors(c, 404, "Requisition item not found");
		return;
	}
	pc_reply(c, 200, pc_public(it));
}

/*
 * Checks one item change (in) against item it into probe (a copy of it
 * with the change made); errs filled on a bad value.
 */
static void item_check(struct pc_ctx *c, const json_t *it, const json_t *in, json_t *probe,
		       json_t *errs)
{
	static const struct pc_field f[] = {
	    {"status", 'e', "approved|rejected|no_action"},
	    {"comment", 's', NULL},
	    {NULL, 0, NULL},
	};
	json_t *ret;
	int64_t v;

	(void)it;
	for (size_t k = 0; k < MLC_ARRAY_LEN(item_money); k++) {
		json_t *a = json_object_get(in, item_money[k]);
		if (!a)
			continue;
		if (pc_cents(a, &v) != 0)
			pc_add_error(errs, item_money[k], "is not a number");
		else
			json_object_set_new(probe, item_money[k], pc_money(v));
	}
	pc_apply_fields(probe, in, f, errs);
	ret = json_object_get(in, "work_completed_retainage_retained_this_period");
	if (ret && !caller_admin(c))
		pc_add_error(errs, "work_completed_retainage_retained_this_period",
			     "can be set by admin users only");
	if (cents_of(probe, "work_completed_retainage_retained_this_period") &&
	    !cents_of(probe, "work_completed_this_period"))
		pc_add_error(errs, "work_completed_retainage_retained_this_period",
			     "work_completed_this_period should be non-zero to hold a retainage");
}

/* Applies the changes (each {id, ...}) to r's items, all or none. */
static void items_update(struct pc_ctx *c, json_t *r, const json_t *changes, bool one)
{
	json_t *errs = json_object(), *probes = json_array(), *in, *out;
	size_t i;

	json_array_foreach (changes, i, in) {
		const char *type = json_string_value(json_object_get(in, "item_type"));
		json_t *idv = json_object_get(in, "id"), *it;
		it = json_is_integer(idv) ? item_find(c, r, json_integer_value(idv), type) : NULL;
		if (!it) {
			pc_add_error(errs, "requisition_items",
				     "an item id is not of this invoice");
			break;
		}
		json_array_append_new(probes, json_deep_copy(it));
		item_check(c, it, in, json_array_get(probes, i), errs);
	}
	if (json_object_size(errs)) {
		json_decref(probes);
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	out = json_array();
	json_array_foreach (probes, i, in) {
		json_t *it = pc_get(c->pc, PC_REQITEM, pc_int(in, "id"));
		json_object_update(it, in);
		item_recompute(it);
		pc_touch(c->pc, it);
		json_array_append_new(out, pc_public(it));
	}
	json_decref(probes);
	req_recompute(c->pc, r);
	pc_touch(c->pc, r);
	if (one) {
		pc_reply(c, 200, json_incref(json_array_get(out, 0)));
		json_decref(out);
		return;
	}
	pc_reply(c, 200, out);
}

static void items_bulk(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *r, *changes;

	r = p ? req_find(c, p, "requisition_id") : NULL;
	if (!r)
		return;
	changes = json_object_get(c->body, "requisition_items");
	if (!json_is_array(changes) || !json_array_size(changes)) {
		pc_reply_errors(c, 400,
				"param is missing or the value is empty: requisition_items");
		return;
	}
	if (req_editable(c, r))
		items_update(c, r, changes, false);
}

/* The deprecated single-item PATCH (..ContractItemsIdPatch.json). */
static void item_patch(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *r, *in, *one;
	int64_t id;

	r = p ? req_find(c, p, "requisition_id") : NULL;
	if (!r)
		return;
	if (!pc_param_id(c, "id", &id) || !item_find(c, r, id, "contract_item")) {
		pc_reply_errors(c, 404, "Requisition item not found");
		return;
	}
	in = pc_wrapper(c, "requisition_contract_item");
	if (!in || !req_editable(c, r))
		return;
	one = json_copy(in);
	json_object_set_new(one, "id", json_integer(id));
	in = json_pack("[o]", one);
	items_update(c, r, in, true);
	json_decref(in);
}

/* ---- the admin setting ---- */

/* POST /_sandbox/companies/{id}/requisition_permissions {"admin": bool} */
static void admin_permissions(struct pc_ctx *c)
{
	int64_t id;
	json_t *co = pc_param_id(c, "id", &id) ? pc_get(c->pc, PC_COMPANY, id) : NULL;
	json_t *flag = json_object_get(c->body, "admin");

	if (!co) {
		pc_reply_errors(c, 404, "Company not found");
		return;
	}
	if (!json_is_boolean(flag)) {
		pc_reply_field_error(c, 422, "admin", "must be true or false");
		return;
	}
	json_object_set(co, "_requisitions_admin", flag);
	pc_reply(c, 200, json_pack("{s:I,s:O}", "company_id", (json_int_t)id, "admin", flag));
}

int pc_routes_requisitions(struct pcsim *pc, struct mlc_http_server *http, struct mlc_error *err)
{
	static const struct pc_route_def r[] = {
	    {"GET", "/rest/v1.0/requisitions", reqs_list},
	    {"GET", "/rest/v1.1/requisitions", reqs_list},
	    {"POST", "/rest/v1.0/requisitions", req_post},
	    {"GET", "/rest/v1.0/requisitions/{id}", req_show},
	    {"GET", "/rest/v1.1/requisitions/{id}", req_show},
	    {"PATCH", "/rest/v1.0/requisitions/{id}", req_patch},
	    {"GET", "/rest/v1.0/requisitions/{requisition_id}/contract_items", items_list},
	    {"GET", "/rest/v1.0/requisitions/{requisition_id}/contract_items/{id}", item_show},
	    {"PATCH", "/rest/v1.0/requisitions/{requisition_id}/contract_items/{id}", item_patch},
	    {"GET", "/rest/v1.0/requisitions/{requisition_id}/contract_detail_items", items_list},
	    {"GET", "/rest/v1.0/requisitions/{requisition_id}/change_order_items", items_list},
	    {"PATCH", "/rest/v1.0/requisitions/{requisition_id}/bulk_item_update", items_bulk},
	    {"GET", "/rest/v1.0/projects/{project_id}/billing_periods", bp_list},
	    {"POST", "/rest/v1.0/projects/{project_id}/billing_periods", bp_post},
	    {"GET", "/rest/v1.0/projects/{project_id}/billing_periods/{id}", bp_show},
	    {"PATCH", "/rest/v1.0/projects/{project_id}/billing_periods/{id}", bp_patch},
	};
	static const struct pc_route_def a[] = {
	    {"POST", "/_sandbox/companies/{id}/requisition_permissions", admin_permissions},
	};
	int rc = pc_routes_add(pc, http, r, MLC_ARRAY_LEN(r), false, err);
	return rc < 0 ? rc : pc_routes_add(pc, http, a, MLC_ARRAY_LEN(a), true, err);
}

/* ---- seed ---- */

/*
 * Billing periods of our company's seeded projects: January 2026 closed
 * on every project, February 2026 open on the first one; the others get
 * their open period from the connector (the NetSuite seed's bills are
 * dated in 2026, nssim_seed.c).
 */
void pc_seed_billing_periods(struct pcsim *pc)
{
	json_t *p;
	size_t i;
	bool first = true;

	json_array_foreach (pc->t[PC_PROJECT].rows, i, p) {
		if (pc_int(p, "_company_id") != pc->company_id)
			continue;
		pc_billing_period_new(pc, p, "2026-01-01", "2026-01-31", "2026-02-10", "closed");
		if (first)
			pc_billing_period_new(pc, p, "2026-02-01", "2026-02-28", "2026-03-10",
					      "open");
		first = false;
	}
}
