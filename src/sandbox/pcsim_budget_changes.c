/*
 * Procore simulator: Budget Changes, the Budget Modifications sunset and
 * locked budgets (pcsim_budget_changes.h).
 *
 * Reference: docs/reference/procore.md "More endpoints (second set)" and
 * docs/reference/procore/webhook-payloads.md items 5 and 6; the endpoint
 * files RestV10ProjectsProjectIdBudgetChanges{Get,Post,IdGet,IdPatch},
 * RestV20CompaniesCompanyIdProjectsProjectId{BudgetChangesAdjustmentLineItemsGet,
 * BudgetChangeHistoryGet} and RestV10ProjectsProjectIdBudgetModifications*.
 *
 * Rules modelled:
 *   - A locked budget's Original Budget is read-only (webhook-payloads.md
 *     item 5); pcsim_budget.c answers a write of original_budget_amount
 *     with 422 on original_budget_amount.
 *   - Budget Modification writes answer 405 with "Allow: GET" once the
 *     company has migrated to Budget Changes (item 6); the simulator's
 *     companies have migrated unless an admin route says otherwise.
 *   - A budget change carries adjustment line items keyed by wbs_code_id;
 *     a "budget_change" line needs a "change_event" line with the same
 *     adjustment_number (the note of the endpoint files' "type"); a PATCH
 *     line with "_delete": true removes it.  Adjustments can be edited only
 *     while the budget change is Draft: a PATCH carrying
 *     adjustment_line_items on another status answers 422.
 *   - A budget line item's revised budget counts the adjustments of
 *     approved budget changes; draft and under-review ones are pending.
 * Simulator assumptions where the reference is silent: responses wrap the
 * record in {"data": ...} as the endpoint files' response schemas do; an
 * adjustment on a WBS code with no budget line item adds the line at an
 * original of 0 (Procore shows such lines as unbudgeted); the 405 body is
 * {"errors": "..."} like Procore's other error bodies; the history has one
 * row per change of a line's approved budget changes.
 *
 * Admin routes (not Procore's API), as a person in Procore's UI:
 *   POST  /_sandbox/projects/{project_id}/budget_lock     {"locked": bool}
 *   POST  /_sandbox/companies/{id}/budget_changes_migration {"migrated": bool}
 *   POST  /_sandbox/projects/{project_id}/budget_changes  the API's body
 *   PATCH /_sandbox/projects/{project_id}/budget_changes/{id}
 */
#include <stdio.h>
#include <string.h>

#include "sandbox/pcsim.h"
#include "sandbox/pcsim_budget_changes.h"
#include "sandbox/pcsim_records.h"
#include "util/buf.h"
#include "util/money.h"
#include "util/num.h"
#include "util/banned.h"

#define ADJ_PAGE_MAX 100

static const struct pc_field bc_fields[] = {
    {"title", 's', NULL},
    {"description", 's', NULL},
    {"status", 'e', "draft|approved|under_review|void"},
    {NULL, 0, NULL},
};

static const struct pc_field adj_fields[] = {
    {"description", 's', NULL},
    {"comment", 's', NULL},
    {"uom", 's', NULL},
    {"calculation_strategy", 'e', "automatic|manual"},
    {NULL, 0, NULL},
};

bool pc_budget_locked(const json_t *project)
{
	return json_is_true(json_object_get(project, "_budget_locked"));
}

static bool in_project(const json_t *rec, const json_t *project)
{
	return pc_int(rec, "_project_id") == pc_int(project, "id") &&
	       pc_int(rec, "_company_id") == pc_int(project, "_company_id");
}

static json_t *bli_of_wbs(struct pcsim *pc, const json_t *wbs)
{
	json_t *b;
	size_t i;

	json_array_foreach (pc->t[PC_BLI].rows, i, b) {
		if (pc_int(b, "_project_id") == pc_int(wbs, "_project_id") &&
		    pc_int(b, "_cost_code_id") == pc_int(wbs, "_cost_code_id") &&
		    pc_int(b, "_lit_id") == pc_int(wbs, "_lit_id"))
			return b;
	}
	return NULL;
}

/* ---- sums ------------------------------------------------------------------------------- */

static void history_add(struct pcsim *pc, json_t *project, const json_t *bli, int64_t from,
			int64_t to)
{
	json_t *h = json_object_get(project, "_budget_history");
	json_t *w = json_object_get(bli, "wbs_code");
	char a[MONEY_FMT_MAX], b[MONEY_FMT_MAX];

	if (!h) {
		h = json_array();
		json_object_set_new(project, "_budget_history", h);
	}
	money_format(from, a);
	money_format(to, b);
	json_array_append_new(
	    h, json_pack("{s:s, s:O, s:s, s:s, s:o, s:s, s:s, s:s}", "budget_code",
			 pc_str(w, "flat_code") ? pc_str(w, "flat_code") : "", "description",
			 json_object_get(json_object_get(bli, "cost_code"), "name"), "type",
			 "Budget Line Item", "column", "Approved Budget Changes", "created_at",
			 pc_now_json(pc), "created_by", "Procore", "old_value", a, "new_value", b));
}

void pc_budget_changes_recompute(struct pcsim *pc, int64_t project_id)
{
	json_t *project = pc_get(pc, PC_PROJECT, project_id), *b, *adj;
	size_t i;

	json_array_foreach (pc->t[PC_BLI].rows, i, b) {
		if (pc_int(b, "_project_id") != project_id)
			continue;
		json_object_set_new(b, "_bc_new_approved", json_integer(0));
		json_object_set_new(b, "_bc_pending", json_integer(0));
	}
	json_array_foreach (pc->t[PC_BADJ].rows, i, adj) {
		json_t *bc = pc_get(pc, PC_BCHANGE, pc_int(adj, "_holder_id"));
		const char *st = pc_str(bc, "status");
		const char *key = NULL;

		b = pc_get(pc, PC_BLI, pc_int(adj, "_bli_id"));
		if (!b || pc_int(adj, "_project_id") != project_id || !st)
			continue;
		if (strcmp(st, "approved") == 0)
			key = "_bc_new_approved";
		else if (strcmp(st, "draft") == 0 || strcmp(st, "under_review") == 0)
			key = "_bc_pending";
		if (key)
			json_object_set_new(b, key,
					    json_integer(pc_int(b, key) + pc_int(adj, "_cents")));
	}
	json_array_foreach (pc->t[PC_BLI].rows, i, b) {
		int64_t was, now;
		if (pc_int(b, "_project_id") != project_id)
			continue;
		was = pc_int(b, "_bc_approved");
		now = pc_int(b, "_bc_new_approved");
		json_object_del(b, "_bc_new_approved");
		json_object_set_new(b, "_bc_approved", json_integer(now));
		if (was != now) {
			if (project)
				history_add(pc, project, b, was, now);
			pc_touch(pc, b);
		}
		pc_bli_revise(b);
	}
}

/* ---- budget changes --------------------------------------------------------------------- */

static json_t *adj_public(struct pcsim *pc, const json_t *adj)
{
	json_t *o = pc_public(adj);
	(void)pc;
	json_object_set_new(o, "amount", pc_money_num(pc_int(adj, "_cents")));
	return o;
}

static json_t *bc_public(struct pcsim *pc, const json_t *bc, bool with_lines)
{
	json_t *o = pc_public(bc), *lines = pc_lines(pc, PC_BADJ, pc_int(bc, "id")), *l, *arr;
	int64_t total = 0;
	size_t i;

	arr = json_array();
	json_array_foreach (lines, i, l) {
		total += pc_int(l, "_cents");
		json_array_append_new(arr, adj_public(pc, l));
	}
	json_object_set_new(o, "amount", pc_money_num(total));
	if (with_lines)
		json_object_set_new(o, "adjustment_line_items", arr);
	else
		json_decref(arr);
	return o;
}

static json_t *bc_of(struct pc_ctx *c, const json_t *p)
{
	int64_t id;
	json_t *bc = pc_param_id(c, "id", &id) ? pc_get(c->pc, PC_BCHANGE, id) : NULL;
	if (!bc || !in_project(bc, p)) {
		pc_reply_errors(c, 404, "Budget change not found");
		return NULL;
	}
	return bc;
}

static void bc_list(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *items, *bc;
	size_t i;

	if (!p)
		return;
	items = json_array();
	json_array_foreach (c->pc->t[PC_BCHANGE].rows, i, bc) {
		if (in_project(bc, p))
			json_array_append_new(items, bc_public(c->pc, bc, false));
	}
	pc_reply(c, 200, json_pack("{s:o}", "data", items));
}

static void bc_show(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *bc;
	bc = p ? bc_of(c, p) : NULL;
	if (bc)
		pc_reply(c, 200, json_pack("{s:o}", "data", bc_public(c->pc, bc, false)));
}

/* An adjustment line of the budget change by id and type, or NULL. */
static json_t *adj_find(struct pcsim *pc, const json_t *bc, int64_t id, const char *type)
{
	json_t *lines = pc_lines(pc, PC_BADJ, pc_int(bc, "id")), *l;
	size_t i;

	json_array_foreach (lines, i, l) {
		if (pc_int(l, "id") == id && strcmp(pc_str(l, "type"), type) == 0)
			return l;
	}
	return NULL;
}

static const char *item_type(const json_t *it)
{
	const char *t = json_string_value(json_object_get(it, "type"));
	return t ? t : "change_event";
}

/* Checks one input line: a new line needs a WBS code of the project and
 * an amount; an existing one (id) must belong to bc. */
static void adj_check(struct pc_ctx *c, const json_t *p, const json_t *bc, const json_t *it,
		      json_t *errs)
{
	const char *type = item_type(it);
	json_t *idv = json_object_get(it, "id"), *w, *amt = json_object_get(it, "amount");
	int64_t cents;

	if (!json_is_object(it)) {
		pc_add_error(errs, "adjustment_line_items", "must be objects");
		return;
	}
	if (strcmp(type, "change_event") != 0 && strcmp(type, "budget_change") != 0)
		pc_add_error(errs, "type", "is not included in the list");
	if (json_is_integer(idv)) {
		if (!bc || !adj_find(c->pc, bc, json_integer_value(idv), type))
			pc_add_error(errs, "id", "is invalid");
	} else {
		w = pc_get(c->pc, PC_WBS, pc_int(it, "wbs_code_id"));
		if (!w || !in_project(w, p))
			pc_add_error(errs, "wbs_code_id", "is invalid");
		if (!amt)
			pc_add_error(errs, "amount", "can't be blank");
	}
	if (amt && pc_cents(amt, &cents) != 0)
		pc_add_error(errs, "amount", "is not a number");
	if (json_object_get(it, "adjustment_number") &&
	    !json_is_integer(json_object_get(it, "adjustment_number")))
		pc_add_error(errs, "adjustment_number", "is not a number");
}

/* Whether adjustment number n keeps a change_event line after items. */
static bool has_change_event(struct pcsim *pc, const json_t *bc, const json_t *items, int64_t n)
{
	json_t *lines = bc ? pc_lines(pc, PC_BADJ, pc_int(bc, "id")) : NULL, *l, *it;
	size_t i, j;

	json_array_foreach (items, j, it) {
		if (!json_is_true(json_object_get(it, "_delete")) && !json_object_get(it, "id") &&
		    strcmp(item_type(it), "change_event") == 0 &&
		    pc_int(it, "adjustment_number") == n)
			return true;
	}
	json_array_foreach (lines, i, l) {
		bool deleted = false;
		if (strcmp(pc_str(l, "type"), "change_event") != 0 ||
		    pc_int(l, "adjustment_number") != n)
			continue;
		json_array_foreach (items, j, it) {
			if (pc_int(it, "id") == pc_int(l, "id") &&
			    strcmp(item_type(it), "change_event") == 0 &&
			    json_is_true(json_object_get(it, "_delete")))
				deleted = true;
		}
		if (!deleted)
			return true;
	}
	return false;
}

static int64_t next_adjustment_number(struct pcsim *pc, const json_t *bc, const json_t *items)
{
	json_t *lines = bc ? pc_lines(pc, PC_BADJ, pc_int(bc, "id")) : NULL, *l;
	int64_t n = 0;
	size_t i;

	json_array_foreach (lines, i, l) {
		if (pc_int(l, "adjustment_number") > n)
			n = pc_int(l, "adjustment_number");
	}
	json_array_foreach (items, i, l) {
		if (pc_int(l, "adjustment_number") > n)
			n = pc_int(l, "adjustment_number");
	}
	return n + 1;
}

/* Fills missing adjustment numbers (one new adjustment per line without
 * one) and checks every line; false with errs filled. */
static bool adj_check_all(struct pc_ctx *c, const json_t *p, const json_t *bc, json_t *items,
			  json_t *errs)
{
	json_t *it;
	size_t i;

	if (items && !json_is_array(items)) {
		pc_add_error(errs, "adjustment_line_items", "must be an array");
		return false;
	}
	json_array_foreach (items, i, it) {
		if (json_is_object(it) && !json_object_get(it, "id") &&
		    !json_object_get(it, "adjustment_number"))
			json_object_set_new(it, "adjustment_number",
					    json_integer(next_adjustment_number(c->pc, bc, items)));
		adj_check(c, p, bc, it, errs);
	}
	json_array_foreach (items, i, it) {
		if (json_object_size(errs) || json_is_true(json_object_get(it, "_delete")) ||
		    strcmp(item_type(it), "budget_change") != 0)
			continue;
		if (!has_change_event(c->pc, bc, items, pc_int(it, "adjustment_number")))
			pc_add_error(errs, "type",
				     "budget_change needs a change_event line with the same "
				     "adjustment_number");
	}
	return json_object_size(errs) == 0;
}

static void adj_apply(struct pc_ctx *c, const json_t *p, json_t *bc, const json_t *it)
{
	json_t *l, *w, *bli, *amt = json_object_get(it, "amount"), *errs = json_object();
	int64_t cents = 0;

	if (json_object_get(it, "id")) {
		l = adj_find(c->pc, bc, pc_int(it, "id"), item_type(it));
		if (json_is_true(json_object_get(it, "_delete"))) {
			pc_delete(c->pc, PC_BADJ, pc_int(l, "id"));
			goto out;
		}
	} else {
		w = pc_get(c->pc, PC_WBS, pc_int(it, "wbs_code_id"));
		bli = bli_of_wbs(c->pc, w);
		if (!bli)
			bli = pc_bli_new(c->pc, p,
					 pc_get(c->pc, PC_COST_CODE, pc_int(w, "_cost_code_id")),
					 pc_get(c->pc, PC_LIT, pc_int(w, "_lit_id")), 0);
		l = json_pack("{s:I, s:s, s:I, s:I, s:n, s:n, s:n, s:n, s:n, s:s}", "id",
			      (json_int_t)pc_next_id(c->pc, PC_BADJ), "type", item_type(it),
			      "adjustment_number", (json_int_t)pc_int(it, "adjustment_number"),
			      "wbs_code_id", (json_int_t)pc_int(w, "id"), "description", "comment",
			      "uom", "quantity", "unit_cost", "calculation_strategy", "automatic");
		json_object_set_new(l, "_holder_id", json_integer(pc_int(bc, "id")));
		json_object_set_new(l, "_project_id", json_integer(pc_int(p, "id")));
		json_object_set_new(l, "_company_id", json_integer(pc_int(p, "_company_id")));
		json_object_set_new(l, "_bli_id", json_integer(pc_int(bli, "id")));
		l = pc_insert(c->pc, PC_BADJ, l);
	}
	if (amt && pc_cents(amt, &cents) == 0)
		json_object_set_new(l, "_cents", json_integer(cents));
	pc_apply_fields(l, it, adj_fields, errs);
out:
	json_decref(errs);
}

static bool number_taken(struct pcsim *pc, const json_t *p, const json_t *self, int64_t n)
{
	json_t *bc;
	size_t i;

	json_array_foreach (pc->t[PC_BCHANGE].rows, i, bc) {
		if (bc != self && in_project(bc, p) && pc_int(bc, "number") == n)
			return true;
	}
	return false;
}

static int64_t next_number(struct pcsim *pc, const json_t *p)
{
	json_t *bc;
	int64_t n = 0;
	size_t i;

	json_array_foreach (pc->t[PC_BCHANGE].rows, i, bc) {
		if (in_project(bc, p) && pc_int(bc, "number") > n)
			n = pc_int(bc, "number");
	}
	return n + 1;
}

/* Validates a create (bc NULL) or update body; false with errs filled. */
static bool bc_check(struct pc_ctx *c, const json_t *p, const json_t *bc, json_t *in, json_t *errs)
{
	json_t *num = json_object_get(in, "number"),
	       *items = json_object_get(in, "adjustment_line_items");
	json_t *probe = json_object();
	bool ok;

	if (!bc && !json_object_get(in, "status"))
		pc_add_error(errs, "status", "can't be blank");
	if (num && !json_is_integer(num))
		pc_add_error(errs, "number", "is not a number");
	else if (num && number_taken(c->pc, p, bc, json_integer_value(num)))
		pc_add_error(errs, "number", "has already been taken");
	/* webhook-payloads.md item 6: adjustments are editable only in Draft */
	if (bc && json_array_size(items) && strcmp(pc_str(bc, "status"), "draft") != 0)
		pc_add_error(errs, "adjustment_line_items",
			     "can only be edited while the budget change is in Draft");
	ok = pc_apply_fields(probe, in, bc_fields, errs);
	json_decref(probe);
	if (!ok || json_object_size(errs))
		return false;
	return adj_check_all(c, p, bc, items, errs);
}

static void bc_write(struct pc_ctx *c, bool create)
{
	json_t *p = pc_need_project(c), *bc = NULL, *errs, *items, *it;
	json_t *in = c->body;
	size_t i;

	if (!p)
		return;
	if (!create) {
		bc = bc_of(c, p);
		if (!bc)
			return;
	}
	if (!json_is_object(in)) {
		pc_reply_errors(c, 400, "param is missing or the value is empty: status");
		return;
	}
	errs = json_object();
	if (!bc_check(c, p, bc, in, errs)) {
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	if (create) {
		bc = json_pack("{s:I, s:s, s:s, s:n, s:o, s:o}", "id",
			       (json_int_t)pc_next_id(c->pc, PC_BCHANGE), "status", "draft",
			       "title", "", "description", "created_at", pc_now_json(c->pc),
			       "updated_at", pc_now_json(c->pc));
		json_object_set_new(bc, "number", json_integer(next_number(c->pc, p)));
		json_object_set_new(bc, "_project_id", json_integer(pc_int(p, "id")));
		json_object_set_new(bc, "_company_id", json_integer(pc_int(p, "_company_id")));
		bc = pc_insert(c->pc, PC_BCHANGE, bc);
	}
	items = json_object_get(in, "adjustment_line_items");
	json_array_foreach (items, i, it)
		adj_apply(c, p, bc, it);
	errs = json_object();
	pc_apply_fields(bc, in, bc_fields, errs);
	json_decref(errs);
	if (json_is_integer(json_object_get(in, "number")))
		json_object_set(bc, "number", json_object_get(in, "number"));
	pc_touch(c->pc, bc);
	pc_budget_changes_recompute(c->pc, pc_int(p, "id"));
	pc_reply(c, create ? 201 : 200, json_pack("{s:o}", "data", bc_public(c->pc, bc, true)));
}

static void bc_post(struct pc_ctx *c)
{
	bc_write(c, true);
}

static void bc_patch(struct pc_ctx *c)
{
	bc_write(c, false);
}

/* The v2.0 lists answer {"data": [...]} with at most 100 per page. */
static void reply_data_page(struct pc_ctx *c, json_t *items)
{
	const char *ps = http_request_query(c->req, "page");
	const char *pps = http_request_query(c->req, "per_page");
	int page = 1, per_page = 10;
	struct mlc_error err;
	json_t *out = json_array();
	char num[32];

	if (ps && num_parse_int(ps, 1, 1000000, &page, &err) != 0)
		page = 1;
	if (pps && num_parse_int(pps, 1, 1000000, &per_page, &err) != 0)
		per_page = 10;
	if (per_page > ADJ_PAGE_MAX)
		per_page = ADJ_PAGE_MAX;
	for (size_t i = (size_t)(page - 1) * (size_t)per_page;
	     i < json_array_size(items) && i < (size_t)page * (size_t)per_page; i++)
		json_array_append(out, json_array_get(items, i));
	snprintf(num, sizeof(num), "%zu", json_array_size(items));
	http_response_header(c->resp, "Total", num);
	snprintf(num, sizeof(num), "%d", per_page);
	http_response_header(c->resp, "Per-Page", num);
	json_decref(items);
	pc_reply(c, 200, json_pack("{s:o}", "data", out));
}

static bool company_path_ok(struct pc_ctx *c)
{
	int64_t id;
	if (!pc_param_id(c, "company_id", &id) || id != c->company_id) {
		pc_reply_errors(c, 403, "You do not have access to this company.");
		return false;
	}
	return true;
}

static json_t *str_id(int64_t id)
{
	char s[32];
	snprintf(s, sizeof(s), "%lld", (long long)id);
	return json_string(s);
}

static void adj_list(struct pc_ctx *c)
{
	json_t *p = company_path_ok(c) ? pc_need_project(c) : NULL, *items, *l;
	size_t i;

	if (!p)
		return;
	items = json_array();
	json_array_foreach (c->pc->t[PC_BADJ].rows, i, l) {
		json_t *bc = pc_get(c->pc, PC_BCHANGE, pc_int(l, "_holder_id"));
		if (!in_project(l, p) || !bc)
			continue;
		json_array_append_new(
		    items,
		    json_pack("{s:o, s:I, s:o, s:o, s:O, s:O, s:O, s:s, s:o, s:O, s:O, s:o}", "id",
			      str_id(pc_int(l, "id")), "adjustment_number",
			      (json_int_t)pc_int(l, "adjustment_number"), "wbs_code_id",
			      str_id(pc_int(l, "wbs_code_id")), "amount",
			      pc_money_num(pc_int(l, "_cents")), "uom", json_object_get(l, "uom"),
			      "quantity", json_object_get(l, "quantity"), "description",
			      json_object_get(l, "description"), "type", pc_str(l, "type"),
			      "budget_change_number", str_id(pc_int(bc, "number")),
			      "budget_change_status", json_object_get(bc, "status"),
			      "budget_change_name", json_object_get(bc, "title"),
			      "budget_change_id", str_id(pc_int(bc, "id"))));
	}
	reply_data_page(c, items);
}

static void history_list(struct pc_ctx *c)
{
	json_t *p = company_path_ok(c) ? pc_need_project(c) : NULL, *h;

	if (!p)
		return;
	h = json_object_get(p, "_budget_history");
	reply_data_page(c, h ? json_copy(h) : json_array());
}

/* ---- admin -------------------------------------------------------------------------------- */

static void admin_lock(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *flag = json_object_get(c->body, "locked");
	if (!p)
		return;
	json_object_set_new(p, "_budget_locked", json_boolean(!flag || json_is_true(flag)));
	pc_reply(c, 200,
		 json_pack("{s:I, s:O}", "project_id", (json_int_t)pc_int(p, "id"), "budget_locked",
			   json_object_get(p, "_budget_locked")));
}

static void admin_migration(struct pc_ctx *c)
{
	int64_t id;
	json_t *co = pc_param_id(c, "id", &id) ? pc_get(c->pc, PC_COMPANY, id) : NULL;
	json_t *flag = json_object_get(c->body, "migrated");

	if (!co) {
		pc_reply_errors(c, 404, "Company not found");
		return;
	}
	json_object_set_new(co, "_budget_changes_migrated",
			    json_boolean(!flag || json_is_true(flag)));
	pc_reply(c, 200,
		 json_pack("{s:I, s:O}", "company_id", (json_int_t)id, "migrated",
			   json_object_get(co, "_budget_changes_migrated")));
}

int pc_routes_budget_changes(struct pcsim *pc, struct mlc_http_server *http, struct mlc_error *err)
{
	static const struct pc_route_def r[] = {
	    {"GET", "/rest/v1.0/projects/{project_id}/budget_changes", bc_list},
	    {"POST", "/rest/v1.0/projects/{project_id}/budget_changes", bc_post},
	    {"GET", "/rest/v1.0/projects/{project_id}/budget_changes/{id}", bc_show},
	    {"PATCH", "/rest/v1.0/projects/{project_id}/budget_changes/{id}", bc_patch},
	    {"GET",
	     "/rest/v2.0/companies/{company_id}/projects/{project_id}/budget_changes/"
	     "adjustment_line_items",
	     adj_list},
	    {"GET", "/rest/v2.0/companies/{company_id}/projects/{project_id}/budget_change_history",
	     history_list},
	};
	static const struct pc_route_def admin[] = {
	    {"POST", "/_sandbox/projects/{project_id}/budget_lock", admin_lock},
	    {"POST", "/_sandbox/companies/{id}/budget_changes_migration", admin_migration},
	    {"POST", "/_sandbox/projects/{project_id}/budget_changes", bc_post},
	    {"PATCH", "/_sandbox/projects/{project_id}/budget_changes/{id}", bc_patch},
	};
	int rc = pc_routes_add(pc, http, r, MLC_ARRAY_LEN(r), false, err);

	if (!rc)
		rc = pc_routes_add(pc, http, admin, MLC_ARRAY_LEN(admin), true, err);
	return rc ? rc : pc_routes_budget_modifications(pc, http, err);
}

/* ---- seed --------------------------------------------------------------------------------- */

/* An approved budget change moving cents from line b to line a of a
 * project: one adjustment, change_event on a, budget_change on b. */
static void seed_transfer(struct pcsim *pc, const json_t *p, const json_t *a, const json_t *b,
			  int64_t cents)
{
	json_t *bc = json_pack("{s:I, s:I, s:s, s:s, s:s, s:o, s:o}", "id",
			       (json_int_t)pc_next_id(pc, PC_BCHANGE), "number", (json_int_t)1,
			       "status", "approved", "title", "Scope transfer", "description",
			       "Owner-approved scope transfer", "created_at", pc_now_json(pc),
			       "updated_at", pc_now_json(pc));
	const json_t *pair[2] = {a, b};

	json_object_set_new(bc, "_project_id", json_integer(pc_int(p, "id")));
	json_object_set_new(bc, "_company_id", json_integer(pc_int(p, "_company_id")));
	bc = pc_insert(pc, PC_BCHANGE, bc);
	for (int i = 0; i < 2; i++) {
		json_t *l = json_pack(
		    "{s:I, s:s, s:I, s:I, s:s, s:n, s:n, s:n, s:n, s:s}", "id",
		    (json_int_t)pc_next_id(pc, PC_BADJ), "type",
		    i ? "budget_change" : "change_event", "adjustment_number", (json_int_t)1,
		    "wbs_code_id", (json_int_t)pc_int(json_object_get(pair[i], "wbs_code"), "id"),
		    "description", i ? "from" : "to", "comment", "uom", "quantity", "unit_cost",
		    "calculation_strategy", "automatic");
		json_object_set_new(l, "_holder_id", json_integer(pc_int(bc, "id")));
		json_object_set_new(l, "_project_id", json_integer(pc_int(p, "id")));
		json_object_set_new(l, "_company_id", json_integer(pc_int(p, "_company_id")));
		json_object_set_new(l, "_bli_id", json_integer(pc_int(pair[i], "id")));
		json_object_set_new(l, "_cents", json_integer(i ? -cents : cents));
		pc_insert(pc, PC_BADJ, l);
	}
}

void pc_seed_budget_locks(struct pcsim *pc)
{
	json_t *p, *b, *lines[2] = {NULL, NULL};
	size_t i, j, nth = 0, n = 0;

	json_array_foreach (pc->t[PC_PROJECT].rows, i, p) {
		/* the second project of our company; the others stay unlocked */
		if (pc_int(p, "_company_id") == pc->company_id && ++nth == 2)
			break;
	}
	if (nth != 2 || !p)
		return;
	json_object_set_new(p, "_budget_locked", json_true());
	json_array_foreach (pc->t[PC_BLI].rows, j, b) {
		if (pc_int(b, "_project_id") == pc_int(p, "id") && n < 2)
			lines[n++] = b;
	}
	if (n == 2) {
		seed_transfer(pc, p, lines[0], lines[1], 150000);
		pc_budget_changes_recompute(pc, pc_int(p, "id"));
	}
}
