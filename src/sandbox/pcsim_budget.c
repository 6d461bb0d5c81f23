/*
 * Procore simulator: budget views with detail rows, and budget line items
 * (+ sync).  Reference: docs/reference/procore.md "Budget"; schemas RestV10BudgetViews*,
 * RestV10BudgetLineItems*, RestV11BudgetLineItems*.
 *
 * A line's revised budget is original + legacy budget modifications
 * (_mod_cents) + approved budget changes (_bc_approved); budget changes,
 * budget modifications and locked budgets live in pcsim_budget_changes.c.
 * Detail rows carry the line's wbs_code_id and, as the Standard Budget
 * view's columns, approved_budget_changes, pending_budget_changes and
 * revised_budget.  A locked budget's original is read-only
 * (docs/reference/procore/webhook-payloads.md item 5): a write of
 * original_budget_amount answers 422 on that field; creating a line on a
 * locked budget is accepted only at an original of 0 (simulator
 * assumption: Procore adds such a line as unbudgeted).
 */
#include <stdio.h>
#include <string.h>

#include "sandbox/pcsim.h"
#include "sandbox/pcsim_budget_changes.h"
#include "sandbox/pcsim_records.h"
#include "util/banned.h"

static const struct pc_field bli_fields[] = {
    {"uom", 's', NULL},
    {"calculation_strategy", 'e', "automatic|manual"},
    {"origin_id", 's', NULL},
    {NULL, 0, NULL},
};

static bool in_project(const json_t *rec, const json_t *scope, int64_t company_id)
{
	return pc_int(rec, "_company_id") == company_id &&
	       pc_int(rec, "_project_id") == pc_int(scope, "id");
}

static void views_list(struct pc_ctx *c)
{
	json_t *items = json_array(), *v;
	int64_t pid = 0;
	size_t i;

	pc_param_id(c, "project_id", &pid);
	json_array_foreach (c->pc->t[PC_BVIEW].rows, i, v) {
		json_t *o;
		char link[160];
		if (pc_int(v, "_company_id") != c->company_id)
			continue;
		o = pc_public(v);
		snprintf(link, sizeof(link),
			 "/rest/v1.0/budget_views/%lld/detail_rows?project_id=%lld",
			 (long long)pc_int(v, "id"), (long long)pid);
		json_object_set_new(json_object_get(o, "links"), "detail_rows", json_string(link));
		snprintf(link, sizeof(link),
			 "/rest/v1.0/budget_views/%lld/summary_rows?project_id=%lld",
			 (long long)pc_int(v, "id"), (long long)pid);
		json_object_set_new(json_object_get(o, "links"), "summary_rows", json_string(link));
		json_array_append_new(items, o);
	}
	pc_reply_page(c, items);
}

static json_t *detail_row(struct pcsim *pc, const json_t *project, const json_t *bli)
{
	json_t *cc = pc_get(pc, PC_COST_CODE, pc_int(bli, "_cost_code_id"));
	json_t *lit = pc_get(pc, PC_LIT, pc_int(bli, "_lit_id"));
	json_t *div = pc_get(pc, PC_COST_CODE, pc_int(json_object_get(cc, "parent"), "id"));
	json_t *co = pc_get(pc, PC_COMPANY, pc_int(project, "_company_id"));
	json_t *r = json_object();
	char label[256];
	int64_t cents = pc_int(bli, "_cents"), mods = pc_int(bli, "_mod_cents");
	int64_t approved = pc_int(bli, "_bc_approved"), rev = cents + mods + approved;

	json_object_set_new(r, "id", json_integer(pc_int(bli, "id")));
	json_object_set_new(r, "deletable", json_false());
	json_object_set_new(r, "company_id", json_integer(pc_int(co, "id")));
	json_object_set(r, "company", json_object_get(co, "name"));
	json_object_set_new(r, "project_id", json_integer(pc_int(project, "id")));
	json_object_set_new(r, "wbs_code_id",
			    json_integer(pc_int(json_object_get(bli, "wbs_code"), "id")));
	json_object_set_new(r, "biller_id", json_integer(pc_int(project, "id")));
	json_object_set_new(r, "root_cost_code_id", json_integer(pc_int(div, "id")));
	json_object_set_new(r, "cost_code_id", json_integer(pc_int(cc, "id")));
	json_object_set(r, "cost_code_origin_id", json_object_get(cc, "origin_id"));
	json_object_set_new(r, "category_id", json_integer(pc_int(lit, "id")));
	json_object_set(r, "project", json_object_get(project, "name"));
	json_object_set(r, "biller", json_object_get(project, "name"));
	json_object_set_new(r, "biller_type", json_string("Project"));
	snprintf(label, sizeof(label), "%s - %s", pc_str(div, "full_code"), pc_str(div, "name"));
	json_object_set_new(r, "root_cost_code", json_string(label));
	snprintf(label, sizeof(label), "%s - %s", pc_str(cc, "full_code"), pc_str(cc, "name"));
	json_object_set_new(r, "cost_code", json_string(label));
	snprintf(label, sizeof(label), "%s - %s", pc_str(lit, "code"), pc_str(lit, "name"));
	json_object_set_new(r, "category", json_string(label));
	json_object_set_new(r, "budget_modifications", pc_money(mods));
	json_object_set_new(r, "original_budget_amount", pc_money(cents));
	json_object_set_new(r, "approved_budget_changes", pc_money(approved));
	json_object_set_new(r, "pending_budget_changes", pc_money(pc_int(bli, "_bc_pending")));
	json_object_set_new(r, "revised_budget", pc_money(rev));
	json_object_set_new(
	    r, "budget_forecast",
	    json_pack("{s:I,s:n,s:o,s:o,s:b,s:s,s:n}", "id", (json_int_t)pc_int(bli, "id"),
		      "manual_amount", "automatic_amount", pc_money(rev), "amount", pc_money(rev),
		      "automatically_calculated", 1, "calculation_strategy", "automatic", "notes"));
	json_object_set_new(r, "currency_configuration",
			    json_pack("{s:s}", "currency_iso_code", "USD"));
	json_object_set_new(r, "unbudgeted_reason", json_null());
	return r;
}

static void detail_rows(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *items, *bli;
	int64_t vid;
	size_t i;

	if (!p)
		return;
	if (!pc_param_id(c, "budget_view_id", &vid) || !pc_get(c->pc, PC_BVIEW, vid)) {
		pc_reply_errors(c, 404, "Budget view not found");
		return;
	}
	items = json_array();
	json_array_foreach (c->pc->t[PC_BLI].rows, i, bli) {
		if (in_project(bli, p, c->company_id))
			json_array_append_new(items, detail_row(c->pc, p, bli));
	}
	pc_reply_page(c, items);
}

static json_t *bli_of(struct pc_ctx *c, const json_t *p)
{
	int64_t id;
	json_t *b = pc_param_id(c, "id", &id) ? pc_get(c->pc, PC_BLI, id) : NULL;
	if (!b || !in_project(b, p, c->company_id)) {
		pc_reply_errors(c, 404, "Budget line item not found");
		return NULL;
	}
	return b;
}

static void bli_show(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *b;
	b = p ? bli_of(c, p) : NULL;
	if (b)
		pc_reply(c, 200, pc_public(b));
}

void pc_bli_revise(json_t *b)
{
	int64_t rev = pc_int(b, "_cents") + pc_int(b, "_mod_cents") + pc_int(b, "_bc_approved");
	int64_t pending = pc_int(b, "_bc_pending");

	json_object_set_new(b, "approved_budget_changes", pc_money_num(pc_int(b, "_bc_approved")));
	json_object_set_new(b, "pending_budget_changes", pc_money_num(pending));
	json_object_set_new(b, "revised_budget", pc_money_num(rev));
	json_object_set_new(b, "projected_budget", pc_money_num(rev + pending));
	json_object_set_new(b, "budget_forecast", pc_money_num(rev));
	json_object_set_new(b, "estimated_cost_at_completion", pc_money_num(rev));
}

/* A locked budget's original is read-only; a new line may start at 0. */
static bool lock_refuses(struct pcsim *pc, int64_t project_id, const json_t *in, bool create)
{
	json_t *amt = json_object_get(in, "original_budget_amount");
	int64_t cents = 0;

	if (!amt || json_is_null(amt) || !pc_budget_locked(pc_get(pc, PC_PROJECT, project_id)))
		return false;
	return !create || pc_cents(amt, &cents) != 0 || cents != 0;
}

static const char locked_msg[] = "cannot be changed once the budget is locked; use a budget "
				 "change";

static bool bli_apply(struct pc_ctx *c, json_t *b, const json_t *in, json_t *errs)
{
	json_t *amt = json_object_get(in, "original_budget_amount");
	int64_t cents = 0;
	json_t *other = pc_find_origin(c->pc, PC_BLI, c->company_id,
				       json_string_value(json_object_get(in, "origin_id")));

	if (amt && !json_is_null(amt) && pc_cents(amt, &cents) != 0)
		pc_add_error(errs, "original_budget_amount", "is not a number");
	if (other && other != b)
		pc_add_error(errs, "origin_id", "has already been taken");
	if (json_object_size(errs) || !pc_apply_fields(b, in, bli_fields, errs))
		return false;
	if (amt && !json_is_null(amt)) {
		json_object_set_new(b, "_cents", json_integer(cents));
		json_object_set_new(b, "original_budget_amount", pc_money_num(cents));
		pc_bli_revise(b);
	}
	return true;
}

static bool bli_update(struct pc_ctx *c, json_t *b, const json_t *in, json_t *errs)
{
	if (lock_refuses(c->pc, pc_int(b, "_project_id"), in, false)) {
		pc_add_error(errs, "original_budget_amount", locked_msg);
		return false;
	}
	return bli_apply(c, b, in, errs);
}

static json_t *bli_create(struct pc_ctx *c, const json_t *scope, const json_t *in, json_t *errs)
{
	static const char *const req[] = {"cost_code_id", "line_item_type_id", NULL};
	json_t *ccv = json_object_get(in, "cost_code_id"),
	       *litv = json_object_get(in, "line_item_type_id");
	json_t *cc = NULL, *lit = NULL, *b, *probe;
	bool ok;

	pc_require(in, req, errs);
	if (json_is_integer(ccv)) {
		cc = pc_get(c->pc, PC_COST_CODE, json_integer_value(ccv));
		if (!cc || !in_project(cc, scope, c->company_id))
			pc_add_error(errs, "cost_code_id", "is invalid");
	}
	if (json_is_integer(litv)) {
		lit = pc_get(c->pc, PC_LIT, json_integer_value(litv));
		if (!lit || pc_int(lit, "_company_id") != c->company_id)
			pc_add_error(errs, "line_item_type_id", "is invalid");
	}
	if (lock_refuses(c->pc, pc_int(scope, "id"), in, true))
		pc_add_error(errs, "original_budget_amount", locked_msg);
	if (json_object_size(errs))
		return NULL;
	probe = json_object();
	ok = bli_apply(c, probe, in, errs);
	json_decref(probe);
	if (!ok)
		return NULL;
	b = pc_bli_new(c->pc, scope, cc, lit, 0);
	bli_apply(c, b, in, errs);
	json_object_set_new(cc, "budgeted", json_true());
	return b;
}

static const struct pc_sync_spec bli_sync = {
    PC_BLI,     "budget_line_items", bli_create,          bli_update,
    in_project, PC_VIEW_SHOW,        "Budget Line Items",
};

static void bli_sync_handler(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c);
	if (p)
		pc_sync_run(c, &bli_sync, p, json_object_get(c->body, "budget_line_items"));
}

static void bli_write(struct pc_ctx *c, bool create)
{
	json_t *p = pc_need_project(c), *in = json_object_get(c->body, "budget_line_item"), *errs,
	       *b = NULL;
	if (!p)
		return;
	if (!create) {
		b = bli_of(c, p);
		if (!b)
			return;
	}
	in = pc_wrapper(c, "budget_line_item");
	if (!in)
		return;
	errs = json_object();
	if (create)
		b = bli_create(c, p, in, errs);
	else if (!bli_update(c, b, in, errs))
		b = NULL;
	if (!b) {
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	pc_emit(c, "Budget Line Items", create ? "create" : "update", pc_int(b, "id"),
		pc_int(p, "id"));
	pc_reply(c, create ? 201 : 200, pc_public(b));
}

static void bli_post(struct pc_ctx *c)
{
	bli_write(c, true);
}

static void bli_patch(struct pc_ctx *c)
{
	bli_write(c, false);
}

int pc_routes_budget(struct pcsim *pc, struct mlc_http_server *http, struct mlc_error *err)
{
	static const struct pc_route_def r[] = {
	    {"GET", "/rest/v1.0/budget_views", views_list},
	    {"GET", "/rest/v1.0/budget_views/{budget_view_id}/detail_rows", detail_rows},
	    {"POST", "/rest/v1.0/budget_line_items/sync", bli_sync_handler},
	    {"POST", "/rest/v1.0/budget_line_items", bli_post},
	    {"GET", "/rest/v1.0/budget_line_items/{id}", bli_show},
	    {"PATCH", "/rest/v1.0/budget_line_items/{id}", bli_patch},
	    {"POST", "/rest/v1.1/budget_line_items", bli_post},
	    {"GET", "/rest/v1.1/budget_line_items/{id}", bli_show},
	    {"PATCH", "/rest/v1.1/budget_line_items/{id}", bli_patch},
	};
	int rc = pc_routes_add(pc, http, r, MLC_ARRAY_LEN(r), false, err);

	return rc ? rc : pc_routes_budget_changes(pc, http, err);
}
