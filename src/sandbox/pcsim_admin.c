/*
 * Procore simulator: /_sandbox/ admin routes on the Procore port (not part
 * of Procore's API).  A "field user" adds, edits and approves direct costs
 * as Procore's UI would (webhooks fire, source_application_id null;
 * records owned by an integration through origin_id are refused with
 * 422), and state dumps for test assertions.
 *
 *   POST  /_sandbox/direct_costs             {project_id, item fields..., line_items:[...]}
 *   PATCH /_sandbox/direct_costs/{id}        {item fields...}
 *   POST  /_sandbox/direct_costs/{id}/approve
 *   DELETE /_sandbox/direct_costs/{id}       (a "delete" event; gone from the API)
 *   POST  /_sandbox/payment_applications     {project_id, amount}: the next owner invoice
 *   POST  /_sandbox/payment_applications/{id}/approve
 *   POST  /_sandbox/requisitions             {project_id, commitment_id, amount}: the next
 *                                            subcontractor invoice (no webhook: polled)
 *   POST  /_sandbox/requisitions/{id}/approve
 *   POST  /_sandbox/companies/{id}/install    {"installed": bool}: install our app in
 *                                            the second seeded company (or remove it)
 *   GET   /_sandbox/state                    every table, hidden keys included
 *   GET   /_sandbox/state/{kind}             one table ("direct_costs", "vendors", ...)
 *   POST  /_sandbox/state/save               writes the snapshot DATA/procore.db
 *   GET   /_sandbox/webhooks                 {"pending": n}
 *   POST  /_sandbox/cost_codes?project_id=   PATCH / DELETE /_sandbox/cost_codes/{id}?project_id=:
 *                                            the cost code API as a person in the UI
 *                                            (pcsim_directory.c)
 */
#include <stdio.h>
#include <string.h>

#include "sandbox/pcsim.h"
#include "sandbox/pcsim_records.h"
#include "util/time.h"
#include "util/banned.h"

static bool locked(const json_t *dc)
{
	json_t *o = json_object_get(dc, "origin_id");
	return o && !json_is_null(o);
}

static void refuse_locked(struct pc_ctx *c)
{
	pc_reply_field_error(
	    c, 422, "base",
	    "This direct cost is synced with an ERP integration and cannot be edited.");
}

static json_t *admin_dc(struct pc_ctx *c)
{
	int64_t id;
	json_t *dc = pc_param_id(c, "id", &id) ? pc_get(c->pc, PC_DC, id) : NULL;
	if (!dc || pc_int(dc, "_company_id") != c->company_id) {
		pc_reply_errors(c, 404, "Direct cost not found");
		return NULL;
	}
	return dc;
}

static void admin_dc_create(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *errs, *dc, *lines, *l, *made;
	size_t i;

	if (!p)
		return;
	if (!c->body) {
		pc_reply_errors(c, 400, "a JSON body is required");
		return;
	}
	errs = json_object();
	if (json_object_get(c->body, "origin_id"))
		pc_add_error(errs, "origin_id", "cannot be set by a field user");
	lines = json_object_get(c->body, "line_items");
	if (lines && !json_is_array(lines))
		pc_add_error(errs, "line_items", "must be an array");
	dc = json_object_size(errs) ? NULL : pc_dc_create(c, p, c->body, errs);
	made = json_array();
	if (dc) {
		json_array_foreach (lines, i, l) {
			json_t *li =
			    pc_line_item_new(c->pc, PC_DCLI, p, pc_int(dc, "id"), "DirectCost");
			if (!pc_line_item_apply(c->pc, li, l, errs, true)) {
				json_decref(li);
				break;
			}
			json_array_append_new(made, li);
		}
		if (json_object_size(errs)) {
			pc_delete(c->pc, PC_DC, pc_int(dc, "id"));
			dc = NULL;
		}
	}
	if (!dc) {
		json_decref(made);
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	json_array_foreach (made, i, l)
		pc_insert(c->pc, PC_DCLI, json_incref(l));
	pc_holder_recompute(c->pc, PC_DC, dc);
	pc_emit(c, "Direct Costs", "create", pc_int(dc, "id"), pc_int(p, "id"));
	json_array_foreach (made, i, l)
		pc_emit(c, "Direct Cost Line Items", "create", pc_int(l, "id"), pc_int(p, "id"));
	json_decref(made);
	pc_reply(c, 201, pc_ser(c->pc, PC_DC, dc, PC_VIEW_V11));
}

static void admin_dc_edit(struct pc_ctx *c)
{
	json_t *dc = admin_dc(c), *errs;
	if (!dc)
		return;
	if (locked(dc)) {
		refuse_locked(c);
		return;
	}
	if (!c->body) {
		pc_reply_errors(c, 400, "a JSON body is required");
		return;
	}
	errs = json_object();
	if (json_object_get(c->body, "origin_id"))
		pc_add_error(errs, "origin_id", "cannot be set by a field user");
	if (json_object_size(errs) || !pc_dc_update(c, dc, c->body, errs)) {
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	pc_emit(c, "Direct Costs", "update", pc_int(dc, "id"), pc_int(dc, "_project_id"));
	pc_reply(c, 200, pc_ser(c->pc, PC_DC, dc, PC_VIEW_V11));
}

static void admin_dc_approve(struct pc_ctx *c)
{
	json_t *dc = admin_dc(c), *errs, *in;
	if (!dc)
		return;
	if (locked(dc)) {
		refuse_locked(c);
		return;
	}
	errs = json_object();
	in = json_pack("{s:s}", "status", "approved");
	if (!pc_dc_update(c, dc, in, errs)) {
		json_decref(in);
		pc_reply_422(c, errs);
		return;
	}
	json_decref(in);
	json_decref(errs);
	pc_emit(c, "Direct Costs", "update", pc_int(dc, "id"), pc_int(dc, "_project_id"));
	pc_reply(c, 200, pc_ser(c->pc, PC_DC, dc, PC_VIEW_V11));
}

static void admin_dc_delete(struct pc_ctx *c)
{
	json_t *dc = admin_dc(c), *lines;
	int64_t id, project;
	if (!dc)
		return;
	if (locked(dc)) {
		refuse_locked(c);
		return;
	}
	id = pc_int(dc, "id");
	project = pc_int(dc, "_project_id");
	lines = json_deep_copy(pc_lines(c->pc, PC_DCLI, id));
	for (size_t i = 0; i < json_array_size(lines); i++)
		pc_delete(c->pc, PC_DCLI, pc_int(json_array_get(lines, i), "id"));
	json_decref(lines);
	pc_delete(c->pc, PC_DC, id);
	pc_emit(c, "Direct Costs", "delete", id, project);
	http_response_text(c->resp, 204, "application/json", "");
}

/* Cents of a money string inside a nested object (0 when absent). */
static int64_t cents_at(const json_t *rec, const char *obj, const char *key)
{
	int64_t v = 0;
	if (pc_cents(json_object_get(json_object_get(rec, obj), key), &v) != 0)
		v = 0;
	return v;
}

static bool body_amount(struct pc_ctx *c, int64_t *cents)
{
	json_t *a = json_object_get(c->body, "amount");
	if (!a || pc_cents(a, cents) != 0 || *cents <= 0) {
		pc_reply_field_error(c, 422, "amount", "must be a positive amount");
		return false;
	}
	return true;
}

/* The billing period of a new document: the last 30 days. */
static void period(struct pcsim *pc, char start[MLC_TIME_FMT_MAX], char end[MLC_TIME_FMT_MAX])
{
	int64_t now = sbx_clock_now(pc->clock);
	time_format_date(now - 30LL * 86400 * 1000, start);
	time_format_date(now, end);
}

static void admin_payapp_create(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *last = NULL, *r;
	int64_t amount, contract = 0, previous = 0;
	char start[MLC_TIME_FMT_MAX], end[MLC_TIME_FMT_MAX];
	size_t i;

	if (!p || !body_amount(c, &amount))
		return;
	json_array_foreach (c->pc->t[PC_PAYAPP].rows, i, r) {
		if (pc_int(r, "_project_id") == pc_int(p, "id"))
			last = r;
	}
	if (pc_cents(json_object_get(p, "total_value"), &contract) != 0)
		contract = 0;
	if (last)
		previous = cents_at(last, "g702", "total_completed_and_stored_to_date");
	period(c->pc, start, end);
	r = pc_payapp_new(c->pc, p, last ? (int)pc_int(last, "number") + 1 : 1, contract,
			  previous + amount, previous, "under_review", start, end);
	pc_payapp_spread(c->pc, r, amount);
	pc_emit(c, "Payment Applications", "create", pc_int(r, "id"), pc_int(p, "id"));
	pc_reply(c, 201, pc_public(r));
}

static json_t *admin_find(struct pc_ctx *c, enum pc_kind k, const char *what)
{
	int64_t id;
	json_t *r = pc_param_id(c, "id", &id) ? pc_get(c->pc, k, id) : NULL;
	if (!r || pc_int(r, "_company_id") != c->company_id) {
		pc_reply_errors(c, 404, what);
		return NULL;
	}
	return r;
}

static void admin_payapp_approve(struct pc_ctx *c)
{
	json_t *r = admin_find(c, PC_PAYAPP, "Payment application not found");
	if (!r)
		return;
	json_object_set_new(r, "status", json_string("approved"));
	pc_touch(c->pc, r);
	pc_emit(c, "Payment Applications", "update", pc_int(r, "id"), pc_int(r, "_project_id"));
	pc_reply(c, 200, pc_public(r));
}

static void admin_req_create(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *contract = NULL, *last = NULL, *r;
	int64_t cid, amount, previous = 0;
	char start[MLC_TIME_FMT_MAX], end[MLC_TIME_FMT_MAX];
	size_t i;

	if (!p)
		return;
	if (pc_param_id(c, "commitment_id", &cid)) {
		contract = pc_get(c->pc, PC_WO, cid);
		if (!contract)
			contract = pc_get(c->pc, PC_PO, cid);
	}
	if (!contract || pc_int(contract, "_project_id") != pc_int(p, "id")) {
		pc_reply_field_error(c, 422, "commitment_id", "is invalid");
		return;
	}
	if (!body_amount(c, &amount))
		return;
	json_array_foreach (c->pc->t[PC_REQ].rows, i, r) {
		if (pc_int(r, "commitment_id") == cid)
			last = r;
	}
	if (last)
		previous = cents_at(last, "summary", "total_completed_and_stored_to_date");
	period(c->pc, start, end);
	r = pc_req_new(c->pc, contract, last ? (int)pc_int(last, "number") + 1 : 1,
		       previous + amount, previous, "draft", start, end);
	pc_reply(c, 201, pc_public(r));
}

static void admin_req_approve(struct pc_ctx *c)
{
	json_t *r = admin_find(c, PC_REQ, "Requisition not found");
	if (!r)
		return;
	json_object_set_new(r, "status", json_string("approved"));
	pc_touch(c->pc, r);
	/* Requisitions have no webhook resource. */
	pc_reply(c, 200, pc_public(r));
}

static void admin_install(struct pc_ctx *c)
{
	int64_t id;
	json_t *co = pc_param_id(c, "id", &id) ? pc_get(c->pc, PC_COMPANY, id) : NULL;
	json_t *flag = json_object_get(c->body, "installed");

	if (!co) {
		pc_reply_errors(c, 404, "Company not found");
		return;
	}
	json_object_set_new(co, "_installed", json_boolean(!flag || json_is_true(flag)));
	pc_reply(c, 200,
		 json_pack("{s:I,s:O}", "id", (json_int_t)id, "installed",
			   json_object_get(co, "_installed")));
}

static void admin_state(struct pc_ctx *c)
{
	const char *kind = http_request_param(c->req, "kind");
	json_t *out = json_object();

	for (int k = 0; k < PC_KIND_COUNT; k++) {
		if (kind && strcmp(kind, pc_kind_name((enum pc_kind)k)) == 0) {
			json_decref(out);
			pc_reply(c, 200, json_deep_copy(c->pc->t[k].rows));
			return;
		}
		if (!kind)
			json_object_set_new(out, pc_kind_name((enum pc_kind)k),
					    json_deep_copy(c->pc->t[k].rows));
	}
	if (kind) {
		json_decref(out);
		pc_reply_errors(c, 404, "unknown table");
		return;
	}
	pc_reply(c, 200, out);
}

static void admin_save(struct pc_ctx *c)
{
	if (pc_state_save(c->pc) != 0) {
		pc_reply_errors(c, 500, "cannot write the state file");
		return;
	}
	pc_reply(c, 200, json_pack("{s:s}", "path", c->pc->state_path));
}

static void admin_webhooks(struct pc_ctx *c)
{
	pc_reply(c, 200, json_pack("{s:I}", "pending", (json_int_t)pc_webhooks_pending(c->pc)));
}

int pc_routes_admin(struct pcsim *pc, struct mlc_http_server *http, struct mlc_error *err)
{
	static const struct pc_route_def r[] = {
	    {"POST", "/_sandbox/direct_costs", admin_dc_create},
	    {"PATCH", "/_sandbox/direct_costs/{id}", admin_dc_edit},
	    {"POST", "/_sandbox/direct_costs/{id}/approve", admin_dc_approve},
	    {"DELETE", "/_sandbox/direct_costs/{id}", admin_dc_delete},
	    {"POST", "/_sandbox/payment_applications", admin_payapp_create},
	    {"POST", "/_sandbox/payment_applications/{id}/approve", admin_payapp_approve},
	    {"POST", "/_sandbox/requisitions", admin_req_create},
	    {"POST", "/_sandbox/requisitions/{id}/approve", admin_req_approve},
	    {"POST", "/_sandbox/companies/{id}/install", admin_install},
	    {"GET", "/_sandbox/state", admin_state},
	    {"GET", "/_sandbox/state/{kind}", admin_state},
	    {"POST", "/_sandbox/state/save", admin_save},
	    {"GET", "/_sandbox/webhooks", admin_webhooks},
	};
	return pc_routes_add(pc, http, r, MLC_ARRAY_LEN(r), true, err);
}
