/*
 * Procore simulator: the Budget Modifications endpoints
 * (RestV10ProjectsProjectIdBudgetModifications{Get,Post,IdGet,IdPatch}),
 * which Budget Changes replaced (docs/reference/procore/webhook-payloads.md
 * item 6): once the company has migrated, POST and PATCH answer 405 with
 * "Allow: GET"; before, a modification moves transfer_amount from one
 * budget line to another (_mod_cents).  The 405 body is {"errors": "..."},
 * like Procore's other error bodies (simulator assumption).
 */
#include <stdio.h>
#include <string.h>

#include "sandbox/pcsim.h"
#include "sandbox/pcsim_budget_changes.h"
#include "sandbox/pcsim_records.h"
#include "util/banned.h"

static bool migrated(struct pcsim *pc, int64_t company_id)
{
	/* migrated unless said otherwise: the deadline passed on 16 Oct 2023 */
	return !json_is_false(
	    json_object_get(pc_get(pc, PC_COMPANY, company_id), "_budget_changes_migrated"));
}

static bool in_project(const json_t *rec, const json_t *project)
{
	return pc_int(rec, "_project_id") == pc_int(project, "id") &&
	       pc_int(rec, "_company_id") == pc_int(project, "_company_id");
}

/* _mod_cents of every line of the project from its budget modifications. */
static void mods_recompute(struct pcsim *pc, int64_t project_id)
{
	json_t *b, *m;
	size_t i;

	json_array_foreach (pc->t[PC_BLI].rows, i, b) {
		if (pc_int(b, "_project_id") == project_id)
			json_object_set_new(b, "_mod_cents", json_integer(0));
	}
	json_array_foreach (pc->t[PC_BMOD].rows, i, m) {
		json_t *to = pc_get(pc, PC_BLI, pc_int(m, "to_budget_line_item_id"));
		json_t *from = pc_get(pc, PC_BLI, pc_int(m, "from_budget_line_item_id"));
		if (pc_int(m, "_project_id") != project_id)
			continue;
		if (to)
			json_object_set_new(
			    to, "_mod_cents",
			    json_integer(pc_int(to, "_mod_cents") + pc_int(m, "_cents")));
		if (from)
			json_object_set_new(
			    from, "_mod_cents",
			    json_integer(pc_int(from, "_mod_cents") - pc_int(m, "_cents")));
	}
	json_array_foreach (pc->t[PC_BLI].rows, i, b) {
		if (pc_int(b, "_project_id") == project_id)
			pc_bli_revise(b);
	}
}

static bool bm_refused(struct pc_ctx *c)
{
	if (!migrated(c->pc, c->company_id))
		return false;
	/* webhook-payloads.md item 6: after the migration BM writes answer 405 */
	http_response_header(c->resp, "Allow", "GET");
	pc_reply_errors(c, 405,
			"Budget Modifications have been replaced by Budget Changes for this "
			"company; use /rest/v1.0/projects/{project_id}/budget_changes");
	return true;
}

static void bm_list(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *items, *m;
	size_t i;

	if (!p)
		return;
	items = json_array();
	json_array_foreach (c->pc->t[PC_BMOD].rows, i, m) {
		if (in_project(m, p))
			json_array_append_new(items, pc_public(m));
	}
	pc_reply_page(c, items);
}

static json_t *bm_of(struct pc_ctx *c, const json_t *p)
{
	int64_t id;
	json_t *m = pc_param_id(c, "id", &id) ? pc_get(c->pc, PC_BMOD, id) : NULL;
	if (!m || !in_project(m, p)) {
		pc_reply_errors(c, 404, "Budget modification not found");
		return NULL;
	}
	return m;
}

static void bm_show(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *m;
	m = p ? bm_of(c, p) : NULL;
	if (m)
		pc_reply(c, 200, pc_public(m));
}

static bool bm_line_ok(struct pc_ctx *c, const json_t *p, const json_t *in, const char *k)
{
	json_t *v = json_object_get(in, k), *b;
	if (!v || json_is_null(v))
		return true;
	b = json_is_integer(v) ? pc_get(c->pc, PC_BLI, json_integer_value(v)) : NULL;
	return b && in_project(b, p);
}

static void bm_write(struct pc_ctx *c, bool create)
{
	static const struct pc_field f[] = {
	    {"notes", 's', NULL},
	    {"origin_id", 's', NULL},
	    {"origin_data", 's', NULL},
	    {"to_budget_line_item_id", 'i', NULL},
	    {"from_budget_line_item_id", 'i', NULL},
	    {NULL, 0, NULL},
	};
	json_t *p = pc_need_project(c), *m = NULL, *in, *errs, *amt;
	int64_t cents = 0;

	if (!p || bm_refused(c))
		return;
	if (!create) {
		m = bm_of(c, p);
		if (!m)
			return;
	}
	in = pc_wrapper(c, "budget_modification");
	if (!in)
		return;
	errs = json_object();
	amt = json_object_get(in, "transfer_amount");
	if (create && (!amt || !json_object_get(in, "to_budget_line_item_id")))
		pc_add_error(errs, "transfer_amount", "can't be blank");
	if (amt && pc_cents(amt, &cents) != 0)
		pc_add_error(errs, "transfer_amount", "is not a number");
	if (!bm_line_ok(c, p, in, "to_budget_line_item_id") ||
	    !bm_line_ok(c, p, in, "from_budget_line_item_id"))
		pc_add_error(errs, "budget_line_item_id", "is invalid");
	if (create)
		m = json_pack("{s:I, s:o, s:o}", "id", (json_int_t)pc_next_id(c->pc, PC_BMOD),
			      "created_at", pc_now_json(c->pc), "updated_at", pc_now_json(c->pc));
	if (json_object_size(errs) || !pc_apply_fields(m, in, f, errs)) {
		if (create)
			json_decref(m);
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	if (amt) {
		json_object_set_new(m, "_cents", json_integer(cents));
		json_object_set_new(m, "transfer_amount", pc_money(cents));
	}
	if (create) {
		json_object_set_new(m, "_project_id", json_integer(pc_int(p, "id")));
		json_object_set_new(m, "_company_id", json_integer(pc_int(p, "_company_id")));
		m = pc_insert(c->pc, PC_BMOD, m);
	}
	pc_touch(c->pc, m);
	mods_recompute(c->pc, pc_int(p, "id"));
	pc_reply(c, create ? 201 : 200, pc_public(m));
}

static void bm_post(struct pc_ctx *c)
{
	bm_write(c, true);
}

static void bm_patch(struct pc_ctx *c)
{
	bm_write(c, false);
}

int pc_routes_budget_modifications(struct pcsim *pc, struct mlc_http_server *http,
				   struct mlc_error *err)
{
	static const struct pc_route_def r[] = {
	    {"GET", "/rest/v1.0/projects/{project_id}/budget_modifications", bm_list},
	    {"POST", "/rest/v1.0/projects/{project_id}/budget_modifications", bm_post},
	    {"GET", "/rest/v1.0/projects/{project_id}/budget_modifications/{id}", bm_show},
	    {"PATCH", "/rest/v1.0/projects/{project_id}/budget_modifications/{id}", bm_patch},
	};
	return pc_routes_add(pc, http, r, MLC_ARRAY_LEN(r), false, err);
}
