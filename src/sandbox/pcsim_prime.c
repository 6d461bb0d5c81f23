/*
 * Procore simulator: prime contracts and their line items (schedule of
 * values by cost code), payment application (owner invoice) line items,
 * and contract payments, with the locks Procore documents for records an
 * ERP integration owns.
 *
 * References (docs/reference/procore/endpoints): RestV10PrimeContract{Get,IdGet},
 * RestV10PrimeContractsGet, RestV10PrimeContractsPrimeContractIdLineItems{Get,IdGet},
 * RestV20CompaniesCompanyIdProjectsProjectIdPrimeContracts{Get,PrimeContractIdGet,
 * PrimeContractIdLineItemsGet}, RestV10PrimeContractsPrimeContractIdPaymentApplicationsIdPatch,
 * RestV10PrimeContractsPrimeContractIdPaymentApplicationLineItemsIdPatch (the line item's
 * fields: the "Payment Application (Owner Invoice) Contract Item" it answers with),
 * RestV10ContractPayments{Get,Post,IdGet,IdPatch}.  Rules: docs/reference/procore.md
 * "More endpoints (second set)" and procore/webhook-payloads.md section 6.2: a payment
 * application carrying an origin_id is immutable (an API update answers 422); a contract
 * payment synced with an ERP (origin_id set) can change only attachments, origin_id and
 * origin_data.
 *
 * Not simulated here: writes to prime contracts and their line items (POST/PATCH/sync),
 * owner invoice creation through the API and markup line items.
 */
#include <stdio.h>
#include <string.h>

#include "sandbox/pcsim.h"
#include "sandbox/pcsim_records.h"
#include "util/banned.h"

#define LOCKED_MSG "This record is synced with an ERP integration and cannot be edited."

static bool mine(struct pc_ctx *c, const json_t *rec, const json_t *project)
{
	return rec && pc_int(rec, "_company_id") == c->company_id &&
	       (!project || pc_int(rec, "_project_id") == pc_int(project, "id"));
}

static bool has_origin(const json_t *rec)
{
	const json_t *o = json_object_get(rec, "origin_id");
	return o && !json_is_null(o);
}

static int64_t cents_of(const json_t *rec, const char *key)
{
	int64_t v = 0;
	return pc_cents(json_object_get(rec, key), &v) == 0 ? v : 0;
}

/* ---- seed ------------------------------------------------------------------------------------ */

static json_t *prime_new(struct pcsim *pc, const json_t *project, int64_t contract_cents)
{
	json_t *r = json_object();
	json_object_set_new(r, "id", json_integer(pc_int(project, "_prime_contract_id")));
	json_object_set_new(r, "accounting_method", json_string("amount"));
	json_object_set_new(r, "approved_change_orders", json_string("0.00"));
	json_object_set_new(r, "contract_date",
			    json_object_get(project, "start_date")
				? json_deep_copy(json_object_get(project, "start_date"))
				: json_null());
	json_object_set_new(r, "deleted_at", json_null());
	json_object_set_new(r, "description", json_string("Owner contract"));
	json_object_set_new(r, "executed", json_true());
	json_object_set_new(r, "grand_total", pc_money(contract_cents));
	json_object_set_new(r, "number", json_string("1"));
	json_object_set_new(r, "origin_code", json_null());
	json_object_set_new(r, "origin_data", json_null());
	json_object_set_new(r, "origin_id", json_null());
	json_object_set_new(r, "status", json_string("Approved"));
	json_object_set_new(r, "title", json_sprintf("%s Prime Contract", pc_str(project, "name")));
	json_object_set_new(r, "allow_payment_applications", json_true());
	json_object_set_new(r, "allow_payments", json_true());
	json_object_set_new(r, "retainage_percent", json_string("5.0"));
	json_object_set_new(r, "project",
			    json_pack("{s:I,s:O}", "id", (json_int_t)pc_int(project, "id"), "name",
				      json_object_get(project, "name")));
	json_object_set_new(r, "created_at", pc_now_json(pc));
	json_object_set_new(r, "updated_at", pc_now_json(pc));
	json_object_set_new(r, "_company_id", json_integer(pc_int(project, "_company_id")));
	json_object_set_new(r, "_project_id", json_integer(pc_int(project, "id")));
	json_object_set_new(r, "_cents", json_integer(contract_cents));
	return pc_insert(pc, PC_PRIME, r);
}

/* The nth cost code of the project that has a parent (a leaf), or NULL. */
static json_t *leaf(struct pcsim *pc, int64_t project_id, size_t nth)
{
	size_t i, seen = 0;
	json_t *cc;
	json_array_foreach (pc->t[PC_COST_CODE].rows, i, cc) {
		if (pc_int(cc, "_project_id") == project_id &&
		    !json_is_null(json_object_get(cc, "parent")) && seen++ == nth)
			return cc;
	}
	return NULL;
}

/* The schedule of values: the contract spread over six leaf cost codes
 * (the last takes the remainder, so the lines sum to the contract). */
static void prime_lines(struct pcsim *pc, const json_t *project, json_t *prime)
{
	int64_t total = pc_int(prime, "_cents"), left = total;
	size_t n = 0;

	while (n < 6 && leaf(pc, pc_int(project, "id"), n * 3))
		n++;
	for (size_t i = 0; i < n; i++) {
		json_t *cc = leaf(pc, pc_int(project, "id"), i * 3);
		json_t *li =
		    pc_line_item_new(pc, PC_PRIMELI, project, pc_int(prime, "id"), "PrimeContract");
		int64_t cents = i + 1 == n ? left : total / (int64_t)n;
		left -= cents;
		json_object_set_new(li, "cost_code", pc_public(cc));
		json_object_set_new(li, "description", json_string(pc_str(cc, "name")));
		json_object_set_new(li, "amount", pc_money(cents));
		json_object_set_new(li, "total_amount", pc_money(cents));
		json_object_set_new(li, "extended_amount", pc_money(cents));
		json_object_set_new(li, "unit_cost", pc_money(cents));
		json_object_set_new(li, "_cents", json_integer(cents));
		pc_insert(pc, PC_PRIMELI, li);
	}
}

/* A payment application's contract item for one prime contract line. */
static json_t *pali_new(struct pcsim *pc, const json_t *pa, const json_t *pli, int number)
{
	json_t *r = json_object();
	json_object_set_new(r, "id", json_integer(pc_next_id(pc, PC_PALI)));
	json_object_set_new(r, "item_number", json_integer(number));
	json_object_set(r, "description_of_work", json_object_get(pli, "description"));
	json_object_set(r, "cost_code", json_object_get(pli, "cost_code"));
	json_object_set_new(r, "wbs_code", json_null());
	json_object_set(r, "scheduled_value", json_object_get(pli, "amount"));
	json_object_set_new(r, "type", json_string("PaymentApplicationContractItem"));
	json_object_set_new(r, "_company_id", json_integer(pc_int(pa, "_company_id")));
	json_object_set_new(r, "_project_id", json_integer(pc_int(pa, "_project_id")));
	json_object_set_new(r, "_holder_id", json_integer(pc_int(pa, "id")));
	json_object_set_new(r, "_prime_line_id", json_integer(pc_int(pli, "id")));
	return r;
}

/* Sets a contract item's amounts this period and the derived columns. */
static void pali_set(json_t *li, int64_t work, int64_t stored, int64_t retained, int64_t released)
{
	int64_t sched = cents_of(li, "scheduled_value");
	int64_t before = cents_of(li, "work_completed_from_previous_application");
	int64_t to_date = before + work + stored;

	json_object_set_new(li, "work_completed_from_previous_application", pc_money(before));
	json_object_set_new(li, "work_completed_this_period", pc_money(work));
	json_object_set_new(li, "materials_presently_stored", pc_money(stored));
	json_object_set_new(li, "total_completed_and_stored_to_date", pc_money(to_date));
	json_object_set_new(li, "total_completed_and_stored_to_date_percent",
			    json_sprintf("%lld.0", sched ? (long long)(to_date * 100 / sched) : 0));
	json_object_set_new(li, "balance_to_finish", pc_money(sched - to_date));
	json_object_set_new(li, "work_completed_retainage_retained_this_period",
			    pc_money(retained));
	json_object_set_new(li, "work_completed_retainage_percent_this_period",
			    json_string(work ? "5.0" : "0.0"));
	json_object_set_new(li, "work_completed_retainage_released_this_period",
			    pc_money(released));
	json_object_set_new(li, "materials_stored_retainage_retained_this_period",
			    json_string("0.00"));
	json_object_set_new(li, "total_retainage_currently_retained",
			    pc_money(retained - released));
}

/* The header's billed amount and payment due follow the contract items
 * (G702: work billed this period, less the retainage held this period). */
static void payapp_recompute(struct pcsim *pc, json_t *pa)
{
	json_t *lines = pc_lines(pc, PC_PALI, pc_int(pa, "id")), *li;
	json_t *g = json_object_get(pa, "g702");
	int64_t billed = 0, held = 0;
	size_t i;

	json_array_foreach (lines, i, li) {
		billed += cents_of(li, "work_completed_this_period") +
			  cents_of(li, "materials_presently_stored");
		held += cents_of(li, "work_completed_retainage_retained_this_period") +
			cents_of(li, "materials_stored_retainage_retained_this_period") -
			cents_of(li, "work_completed_retainage_released_this_period");
	}
	json_object_set_new(pa, "total_amount_accrued_this_period", pc_money(billed));
	if (json_is_object(g))
		json_object_set_new(g, "current_payment_due", pc_money(billed - held));
}

void pc_payapp_spread(struct pcsim *pc, json_t *pa, int64_t amount_cents)
{
	int64_t prime_id = pc_int(json_object_get(pa, "contract"), "id");
	json_t *plines = pc_lines(pc, PC_PRIMELI, prime_id), *pli;
	size_t n = json_array_size(plines), i;
	int64_t left = amount_cents;

	json_array_foreach (plines, i, pli) {
		json_t *li = pali_new(pc, pa, pli, (int)i + 1);
		int64_t work = i + 1 == n ? left : amount_cents / (int64_t)n;
		left -= work;
		pali_set(li, work, 0, work * 5 / 100, 0);
		pc_insert(pc, PC_PALI, li);
	}
	if (n)
		payapp_recompute(pc, pa);
}

static void seed_payment(struct pcsim *pc, const json_t *pa)
{
	json_t *r = json_object();
	json_object_set_new(r, "id", json_integer(pc_next_id(pc, PC_CPAY)));
	json_object_set(r, "amount",
			json_object_get(json_object_get(pa, "g702"), "current_payment_due"));
	json_object_set_new(r, "check_number",
			    json_sprintf("%lld", (long long)(10000 + pc_int(pa, "number"))));
	json_object_set_new(r, "contract_id",
			    json_integer(pc_int(json_object_get(pa, "contract"), "id")));
	json_object_set(r, "date", json_object_get(pa, "billing_date"));
	json_object_set_new(r, "draw_request_number", json_integer(pc_int(pa, "number")));
	json_object_set(r, "invoice_number", json_object_get(pa, "invoice_number"));
	json_object_set_new(r, "notes", json_null());
	json_object_set_new(r, "payment_number", json_integer(1));
	json_object_set_new(r, "attachments", json_array());
	json_object_set_new(r, "project_id", json_integer(pc_int(pa, "_project_id")));
	json_object_set_new(r, "requisition_id", json_null());
	json_object_set_new(r, "origin_id", json_null());
	json_object_set_new(r, "origin_code", json_null());
	json_object_set_new(r, "origin_data", json_null());
	json_object_set_new(r, "status", json_string("paid"));
	json_object_set_new(r, "created_at", pc_now_json(pc));
	json_object_set_new(r, "updated_at", pc_now_json(pc));
	json_object_set_new(r, "_company_id", json_integer(pc_int(pa, "_company_id")));
	json_object_set_new(r, "_project_id", json_integer(pc_int(pa, "_project_id")));
	pc_insert(pc, PC_CPAY, r);
}

void pc_seed_prime(struct pcsim *pc, const json_t *project, int64_t contract_cents)
{
	json_t *prime = prime_new(pc, project, contract_cents), *pa;
	size_t i;

	prime_lines(pc, project, prime);
	json_array_foreach (pc->t[PC_PAYAPP].rows, i, pa) {
		if (pc_int(pa, "_project_id") != pc_int(project, "id"))
			continue;
		pc_payapp_spread(pc, pa, cents_of(pa, "total_amount_accrued_this_period"));
		if (strcmp(pc_str(pa, "status"), "approved") == 0)
			seed_payment(pc, pa);
	}
}

/* ---- prime contracts ------------------------------------------------------------------------- */

static void primes_list(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *items, *r;
	size_t i;
	if (!p)
		return;
	items = json_array();
	json_array_foreach (c->pc->t[PC_PRIME].rows, i, r) {
		if (mine(c, r, p) && pc_id_filter_ok(c, r) && pc_updated_filter_ok(c, r))
			json_array_append_new(items, pc_public(r));
	}
	pc_reply_page(c, items);
}

static json_t *prime_of(struct pc_ctx *c, const json_t *p, const char *param)
{
	int64_t id;
	json_t *r = pc_param_id(c, param, &id) ? pc_get(c->pc, PC_PRIME, id) : NULL;
	if (!mine(c, r, p)) {
		pc_reply_errors(c, 404, "Prime contract not found");
		return NULL;
	}
	return r;
}

static void prime_show(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *r;
	r = p ? prime_of(c, p, "id") : NULL;
	if (r)
		pc_reply(c, 200, pc_public(r));
}

static void prime_lines_list(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *r, *items, *li;
	size_t i;
	r = p ? prime_of(c, p, "prime_contract_id") : NULL;
	if (!r)
		return;
	items = json_array();
	json_array_foreach (pc_lines(c->pc, PC_PRIMELI, pc_int(r, "id")), i, li) {
		if (pc_id_filter_ok(c, li) && pc_updated_filter_ok(c, li))
			json_array_append_new(items, pc_public(li));
	}
	pc_reply_page(c, items);
}

static void prime_line_show(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *r, *li;
	int64_t id;
	r = p ? prime_of(c, p, "prime_contract_id") : NULL;
	if (!r)
		return;
	li = pc_param_id(c, "id", &id) ? pc_get(c->pc, PC_PRIMELI, id) : NULL;
	if (!li || pc_int(li, "_holder_id") != pc_int(r, "id")) {
		pc_reply_errors(c, 404, "Line item not found");
		return;
	}
	pc_reply(c, 200, pc_public(li));
}

/* v2.0: {"data": ...} with string ids (RestV20...PrimeContracts*). */
static json_t *project_v2(struct pc_ctx *c)
{
	int64_t co = 0, id = 0;
	json_t *p;
	if (!pc_param_id(c, "company_id", &co) || co != c->company_id) {
		pc_reply_errors(c, 404, "Company not found");
		return NULL;
	}
	p = pc_param_id(c, "project_id", &id) ? pc_get(c->pc, PC_PROJECT, id) : NULL;
	if (!mine(c, p, NULL)) {
		pc_reply_errors(c, 404, "Project not found");
		return NULL;
	}
	return p;
}

static json_t *v2(const json_t *rec)
{
	json_t *o = pc_public(rec);
	json_object_set_new(o, "id", json_sprintf("%lld", (long long)pc_int(rec, "id")));
	return o;
}

static void primes_list_v2(struct pc_ctx *c)
{
	json_t *p = project_v2(c), *items, *r;
	size_t i;
	if (!p)
		return;
	items = json_array();
	json_array_foreach (c->pc->t[PC_PRIME].rows, i, r) {
		if (mine(c, r, p))
			json_array_append_new(items, v2(r));
	}
	pc_reply(c, 200, json_pack("{s:o}", "data", items));
}

static void prime_show_v2(struct pc_ctx *c)
{
	json_t *p = project_v2(c), *r;
	r = p ? prime_of(c, p, "prime_contract_id") : NULL;
	if (r)
		pc_reply(c, 200, json_pack("{s:o}", "data", v2(r)));
}

static void prime_lines_v2(struct pc_ctx *c)
{
	json_t *p = project_v2(c), *r, *items, *li;
	size_t i;
	r = p ? prime_of(c, p, "prime_contract_id") : NULL;
	if (!r)
		return;
	items = json_array();
	json_array_foreach (pc_lines(c->pc, PC_PRIMELI, pc_int(r, "id")), i, li) {
		json_t *o = v2(li);
		json_object_set_new(o, "wbs_code_id", json_null());
		json_array_append_new(items, o);
	}
	pc_reply(c, 200, json_pack("{s:o}", "data", items));
}

/* ---- owner invoices: the locks --------------------------------------------------------------- */

json_t *pc_payapp_lines_json(struct pcsim *pc, const json_t *pa)
{
	json_t *out = json_array(), *li;
	size_t i;
	json_array_foreach (pc_lines(pc, PC_PALI, pc_int(pa, "id")), i, li)
		json_array_append_new(out, pc_public(li));
	return out;
}

static json_t *payapp_of(struct pc_ctx *c, const json_t *p, int64_t prime_id, int64_t id)
{
	json_t *r = pc_get(c->pc, PC_PAYAPP, id);
	if (!mine(c, r, p) || pc_int(json_object_get(r, "contract"), "id") != prime_id) {
		pc_reply_errors(c, 404, "Payment application not found");
		return NULL;
	}
	return r;
}

/* An API update of a record carrying an origin_id answers 422 (procore.md,
 * "If a requisition, payment application, payment or direct cost has an
 * origin_id, the whole record is immutable"). */
static bool refuse_locked(struct pc_ctx *c, const json_t *rec)
{
	json_t *errs;
	if (!has_origin(rec))
		return false;
	errs = json_object();
	pc_add_error(errs, "base", LOCKED_MSG);
	pc_reply_422(c, errs);
	return true;
}

static void payapp_patch(struct pc_ctx *c)
{
	static const struct pc_field fields[] = {
	    {"commitment_billing_period_id", 'i', NULL},
	    {"period_start", 'd', NULL},
	    {"period_end", 'd', NULL},
	    {"billing_date", 'd', NULL},
	    {"invoice_number", 's', NULL},
	    {"origin_data", 's', NULL},
	    {"origin_id", 's', NULL},
	    {"status", 'e', "draft|under_review|revise_and_resubmit|approved"},
	    {NULL, 0, NULL},
	};
	json_t *p = pc_need_project(c), *r, *in, *errs;
	int64_t prime = 0, id = 0;

	if (!p)
		return;
	pc_param_id(c, "prime_contract_id", &prime);
	pc_param_id(c, "id", &id);
	r = payapp_of(c, p, prime, id);
	if (!r || refuse_locked(c, r))
		return;
	in = pc_wrapper(c, "payment_application");
	if (!in)
		return;
	errs = json_object();
	if (!pc_apply_fields(r, in, fields, errs)) {
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	pc_touch(c->pc, r);
	pc_emit(c, "Payment Applications", "update", pc_int(r, "id"), pc_int(p, "id"));
	pc_reply(c, 200, pc_public(r));
}

static bool money_field(const json_t *in, const char *k, int64_t *v, json_t *errs)
{
	const json_t *x = json_object_get(in, k);
	if (!x || json_is_null(x))
		return true;
	if (pc_cents(x, v) != 0) {
		pc_add_error(errs, k, "is not a number");
		return false;
	}
	return true;
}

static void payapp_line_patch(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *li, *pa, *in, *errs;
	int64_t prime = 0, id = 0, work, stored, retained, released;

	if (!p)
		return;
	pc_param_id(c, "prime_contract_id", &prime);
	li = pc_param_id(c, "id", &id) ? pc_get(c->pc, PC_PALI, id) : NULL;
	if (!mine(c, li, p)) {
		pc_reply_errors(c, 404, "Line item not found");
		return;
	}
	pa = payapp_of(c, p, prime, pc_int(li, "_holder_id"));
	if (!pa || refuse_locked(c, pa))
		return;
	in = pc_wrapper(c, "payment_application_line_item");
	if (!in)
		return;
	work = cents_of(li, "work_completed_this_period");
	stored = cents_of(li, "materials_presently_stored");
	retained = cents_of(li, "work_completed_retainage_retained_this_period");
	released = cents_of(li, "work_completed_retainage_released_this_period");
	errs = json_object();
	money_field(in, "work_completed_this_period", &work, errs);
	money_field(in, "materials_presently_stored", &stored, errs);
	money_field(in, "work_completed_retainage_retained_this_period", &retained, errs);
	money_field(in, "work_completed_retainage_released_this_period", &released, errs);
	if (json_object_size(errs)) {
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	pali_set(li, work, stored, retained, released);
	payapp_recompute(c->pc, pa);
	pc_touch(c->pc, pa);
	pc_emit(c, "Payment Applications", "update", pc_int(pa, "id"), pc_int(p, "id"));
	pc_reply(c, 200, pc_public(li));
}

/* ---- contract payments ----------------------------------------------------------------------- */

static const struct pc_field cpay_fields[] = {
    {"date", 'd', NULL},
    {"invoice_number", 's', NULL},
    {"check_number", 's', NULL},
    {"invoice_date", 'd', NULL},
    {"draw_request_number", 'i', NULL},
    {"notes", 's', NULL},
    {"payment_number", 'i', NULL},
    {"payment_method", 'e', "check|credit_card|electronic"},
    {"amount", 'n', NULL},
    {"origin_id", 's', NULL},
    {"origin_data", 's', NULL},
    {NULL, 0, NULL},
};

static bool contract_ok(struct pc_ctx *c, const json_t *p, int64_t *contract)
{
	json_t *r, *b = json_object_get(c->body, "contract_id");
	if (json_is_integer(b))
		*contract = json_integer_value(b);
	else if (!pc_param_id(c, "contract_id", contract)) {
		pc_reply_errors(c, 400, "param is missing or the value is empty: contract_id");
		return false;
	}
	r = pc_get(c->pc, PC_PRIME, *contract);
	if (!r)
		r = pc_get(c->pc, PC_PO, *contract);
	if (!r)
		r = pc_get(c->pc, PC_WO, *contract);
	if (!mine(c, r, p)) {
		pc_reply_errors(c, 404, "Contract not found");
		return false;
	}
	return true;
}

static void cpay_list(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *items, *r;
	int64_t contract = 0;
	size_t i;
	if (!p || !contract_ok(c, p, &contract))
		return;
	items = json_array();
	json_array_foreach (c->pc->t[PC_CPAY].rows, i, r) {
		if (mine(c, r, p) && pc_int(r, "contract_id") == contract)
			json_array_append_new(items, pc_public(r));
	}
	pc_reply_page(c, items);
}

static json_t *cpay_of(struct pc_ctx *c, const json_t *p, int64_t contract)
{
	int64_t id;
	json_t *r = pc_param_id(c, "id", &id) ? pc_get(c->pc, PC_CPAY, id) : NULL;
	if (!mine(c, r, p) || pc_int(r, "contract_id") != contract) {
		pc_reply_errors(c, 404, "Contract payment not found");
		return NULL;
	}
	return r;
}

static void cpay_show(struct pc_ctx *c)
{
	json_t *p = pc_need_project(c), *r;
	int64_t contract = 0;
	if (!p || !contract_ok(c, p, &contract))
		return;
	r = cpay_of(c, p, contract);
	if (r)
		pc_reply(c, 200, pc_public(r));
}

/* A synced payment (origin_id set) takes only origin_id and origin_data
 * (attachments travel as multipart, which the simulator does not take):
 * RestV10ContractPaymentsIdPatch.json. */
static bool cpay_locked_fields(const json_t *r, const json_t *in, json_t *errs)
{
	const char *k;
	const json_t *v;
	if (!has_origin(r))
		return true;
	json_object_foreach ((json_t *)in, k, v) {
		if (strcmp(k, "origin_id") && strcmp(k, "origin_data"))
			pc_add_error(errs, k,
				     "cannot be changed: the payment is synced with an ERP");
	}
	return json_object_size(errs) == 0;
}

static void cpay_write(struct pc_ctx *c, bool create)
{
	json_t *p = pc_need_project(c), *r = NULL, *in, *errs;
	int64_t contract = 0;

	if (!p || !contract_ok(c, p, &contract))
		return;
	if (!create) {
		r = cpay_of(c, p, contract);
		if (!r)
			return;
	}
	in = pc_wrapper(c, "contract_payment");
	if (!in)
		return;
	errs = json_object();
	if (pc_find_origin(c->pc, PC_CPAY, c->company_id,
			   json_string_value(json_object_get(in, "origin_id"))) &&
	    pc_find_origin(c->pc, PC_CPAY, c->company_id,
			   json_string_value(json_object_get(in, "origin_id"))) != r)
		pc_add_error(errs, "origin_id", "has already been taken");
	if (!create)
		cpay_locked_fields(r, in, errs);
	if (json_object_size(errs)) {
		pc_reply_422(c, errs);
		return;
	}
	if (create) {
		json_t *probe = json_object();
		bool ok = pc_apply_fields(probe, in, cpay_fields, errs);
		json_decref(probe);
		if (!ok) {
			pc_reply_422(c, errs);
			return;
		}
		r = json_pack("{s:I,s:s,s:I,s:I,s:o,s:n,s:n,s:n,s:s}", "id",
			      (json_int_t)pc_next_id(c->pc, PC_CPAY), "amount", "0.00",
			      "contract_id", (json_int_t)contract, "project_id",
			      (json_int_t)pc_int(p, "id"), "attachments", json_array(), "origin_id",
			      "origin_data", "origin_code", "status", "paid");
		json_object_set_new(r, "created_at", pc_now_json(c->pc));
		json_object_set_new(r, "_company_id", json_integer(c->company_id));
		json_object_set_new(r, "_project_id", json_integer(pc_int(p, "id")));
		pc_insert(c->pc, PC_CPAY, r);
	}
	if (!pc_apply_fields(r, in, cpay_fields, errs)) {
		pc_reply_422(c, errs);
		return;
	}
	json_decref(errs);
	pc_touch(c->pc, r);
	pc_reply(c, create ? 201 : 200, pc_public(r));
}

static void cpay_post(struct pc_ctx *c)
{
	cpay_write(c, true);
}

static void cpay_patch(struct pc_ctx *c)
{
	cpay_write(c, false);
}

int pc_routes_prime(struct pcsim *pc, struct mlc_http_server *http, struct mlc_error *err)
{
	static const struct pc_route_def r[] = {
	    {"GET", "/rest/v1.0/prime_contract", primes_list},
	    {"GET", "/rest/v1.0/prime_contract/{id}", prime_show},
	    {"GET", "/rest/v1.0/prime_contracts", primes_list},
	    {"GET", "/rest/v1.0/prime_contracts/{prime_contract_id}/line_items", prime_lines_list},
	    {"GET", "/rest/v1.0/prime_contracts/{prime_contract_id}/line_items/{id}",
	     prime_line_show},
	    {"GET", "/rest/v2.0/companies/{company_id}/projects/{project_id}/prime_contracts",
	     primes_list_v2},
	    {"GET",
	     "/rest/v2.0/companies/{company_id}/projects/{project_id}/prime_contracts/"
	     "{prime_contract_id}",
	     prime_show_v2},
	    {"GET",
	     "/rest/v2.0/companies/{company_id}/projects/{project_id}/prime_contracts/"
	     "{prime_contract_id}/line_items",
	     prime_lines_v2},
	    {"PATCH", "/rest/v1.0/prime_contracts/{prime_contract_id}/payment_applications/{id}",
	     payapp_patch},
	    {"PATCH",
	     "/rest/v1.0/prime_contracts/{prime_contract_id}/payment_application_line_items/{id}",
	     payapp_line_patch},
	    {"GET", "/rest/v1.0/contract_payments", cpay_list},
	    {"POST", "/rest/v1.0/contract_payments", cpay_post},
	    {"GET", "/rest/v1.0/contract_payments/{id}", cpay_show},
	    {"PATCH", "/rest/v1.0/contract_payments/{id}", cpay_patch},
	};
	return pc_routes_add(pc, http, r, MLC_ARRAY_LEN(r), false, err);
}
