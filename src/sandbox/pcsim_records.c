/*
 * Procore simulator: record constructors in the field names and JSON
 * types of the endpoint schemas (reference/procore/endpoints/ JSON files).
 * Fields Procore leaves empty are present as null, as Procore sends them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sandbox/pcsim.h"
#include "sandbox/pcsim_records.h"
#include "util/money.h"
#include "util/banned.h"

void pc_set_nulls(json_t *o, const char *names)
{
	const char *p = names;
	while (*p) {
		char key[64];
		size_t n = strcspn(p, " ");
		if (n && n < sizeof(key)) {
			memcpy(key, p, n);
			key[n] = '\0';
			if (!json_object_get(o, key))
				json_object_set_new(o, key, json_null());
		}
		p += n;
		while (*p == ' ')
			p++;
	}
}

static json_t *usd(void)
{
	return json_pack("{s:s}", "currency_iso_code", "USD");
}

static void stamp(struct pcsim *pc, json_t *r)
{
	json_object_set_new(r, "created_at", pc_now_json(pc));
	json_object_set_new(r, "updated_at", pc_now_json(pc));
}

void pc_touch(struct pcsim *pc, json_t *r)
{
	json_object_set_new(r, "updated_at", pc_now_json(pc));
}

json_t *pc_company_new(struct pcsim *pc, const char *name, bool installed)
{
	json_t *r =
	    json_pack("{s:I,s:s,s:b,s:n,s:b,s:b,s:b}", "id", (json_int_t)pc_next_id(pc, PC_COMPANY),
		      "name", name, "is_active", 1, "logo_url", "pcn_business_experience", 0,
		      "my_company", 1, "_installed", installed);
	return pc_insert(pc, PC_COMPANY, r);
}

json_t *pc_project_new(struct pcsim *pc, int64_t company_id, const char *name, const char *number)
{
	json_t *co = pc_get(pc, PC_COMPANY, company_id);
	json_t *r = json_object();
	char display[256];

	json_object_set_new(r, "id", json_integer(pc_next_id(pc, PC_PROJECT)));
	json_object_set_new(r, "name", json_string(name));
	json_object_set_new(r, "is_demo", json_false());
	snprintf(display, sizeof(display), "%s - %s", number ? number : "", name);
	json_object_set_new(r, "display_name", json_string(number ? display : name));
	json_object_set_new(r, "project_number", number ? json_string(number) : json_null());
	json_object_set_new(r, "country_code", json_string("US"));
	json_object_set_new(r, "time_zone", json_string("US/Pacific"));
	json_object_set_new(r, "stage", json_string("Course of Construction"));
	json_object_set_new(r, "project_stage",
			    json_pack("{s:i,s:s}", "id", 3, "name", "Course of Construction"));
	json_object_set_new(r, "active", json_true());
	json_object_set_new(r, "company",
			    json_pack("{s:I,s:O}", "id", (json_int_t)company_id, "name",
				      json_object_get(co, "name")));
	json_object_set_new(r, "created_by",
			    json_pack("{s:I,s:s,s:s}", "id", (json_int_t)pc->field_user_id, "name",
				      "Dana Whitfield", "login",
				      "dana.whitfield@meridianbuilders.example"));
	json_object_set_new(r, "custom_fields", json_object());
	json_object_set_new(r, "work_scope", json_string("new_construction"));
	json_object_set_new(r, "delivery_method", json_string("design_bid_build_dbb"));
	json_object_set_new(r, "priority", json_string("medium"));
	stamp(pc, r);
	pc_set_nulls(
	    r, "parent_job_id parent_job address city state_code zip county latitude longitude "
	       "project_template phone origin_id origin_data origin_code owners_project_id "
	       "total_value "
	       "store_number accounting_project_number designated_market_area project_region_id "
	       "project_bid_type_id project_owner_type_id photo_id start_date completion_date "
	       "projected_finish_date estimated_value fax sector estimated_budget "
	       "project_sector_id logo_url "
	       "description square_feet warranty_start_date warranty_end_date flag public_notes "
	       "actual_start_date estimated_start_date estimated_completion_date office "
	       "project_type program");
	json_object_set_new(r, "departments", json_array());
	json_object_set_new(r, "_company_id", json_integer(company_id));
	return pc_insert(pc, PC_PROJECT, r);
}

json_t *pc_vendor_new(struct pcsim *pc, int64_t company_id, const char *name)
{
	json_t *r = json_object();
	json_object_set_new(r, "id", json_integer(pc_next_id(pc, PC_VENDOR)));
	json_object_set_new(r, "name", json_string(name));
	json_object_set_new(r, "is_active", json_true());
	json_object_set_new(r, "country_code", json_string("US"));
	json_object_set_new(r, "authorized_bidder", json_false());
	json_object_set_new(r, "prequalified", json_false());
	json_object_set_new(r, "union_member", json_false());
	json_object_set_new(r, "non_union_prevailing_wage", json_false());
	json_object_set_new(r, "trades", json_array());
	json_object_set_new(r, "bidding", json_object());
	stamp(pc, r);
	pc_set_nulls(
	    r,
	    "abbreviated_name address city state_code zip business_phone mobile_phone fax_number "
	    "email_address website labor_union license_number notes vendor_group parent "
	    "primary_contact "
	    "origin_id origin_data origin_code trade_name");
	json_object_set_new(r, "_company_id", json_integer(company_id));
	return pc_insert(pc, PC_VENDOR, r);
}

json_t *pc_lit_new(struct pcsim *pc, int64_t company_id, const char *code, const char *name,
		   const char *base)
{
	json_t *r =
	    json_pack("{s:I,s:s,s:s,s:s,s:n,s:n,s:I}", "id", (json_int_t)pc_next_id(pc, PC_LIT),
		      "name", name, "code", code, "base_type", base, "origin_data", "origin_id",
		      "_company_id", (json_int_t)company_id);
	return pc_insert(pc, PC_LIT, r);
}

json_t *pc_cost_code_new(struct pcsim *pc, const json_t *project, const json_t *parent,
			 const char *code, const char *name)
{
	json_t *r = json_object(), *lits = json_array(), *lit;
	char full[96];
	size_t i, position = 1;
	int64_t company_id = pc_int(project, "_company_id");

	json_array_foreach (pc->t[PC_COST_CODE].rows, i, lit) {
		if (pc_int(lit, "_project_id") == pc_int(project, "id"))
			position++;
	}
	if (parent)
		snprintf(full, sizeof(full), "%s-%s", pc_str(parent, "full_code"), code);
	else
		snprintf(full, sizeof(full), "%s", code);
	json_object_set_new(r, "id", json_integer(pc_next_id(pc, PC_COST_CODE)));
	json_object_set_new(r, "biller",
			    json_object_get(project, "name")
				? json_copy(json_object_get(project, "name"))
				: json_null());
	json_object_set_new(r, "biller_id", json_integer(pc_int(project, "id")));
	json_object_set_new(r, "biller_type", json_string("Project"));
	json_object_set_new(r, "budgeted", json_false());
	json_object_set_new(r, "code", json_string(code));
	stamp(pc, r);
	json_object_set_new(r, "deleted_at", json_null());
	json_object_set_new(r, "full_code", json_string(full));
	json_object_set_new(r, "name", json_string(name));
	json_object_set_new(r, "origin_data", json_null());
	json_object_set_new(r, "origin_id", json_null());
	json_object_set_new(r, "parent",
			    parent ? json_pack("{s:I}", "id", (json_int_t)pc_int(parent, "id"))
				   : json_null());
	json_object_set_new(r, "position", json_integer((json_int_t)position));
	json_object_set_new(r, "sortable_code", json_string(full));
	json_object_set_new(r, "standard_cost_code_id", json_null());
	json_object_set_new(r, "standard_cost_code_list_id", json_null());
	json_array_foreach (pc->t[PC_LIT].rows, i, lit) {
		if (pc_int(lit, "_company_id") == company_id)
			json_array_append_new(lits, pc_public(lit));
	}
	json_object_set_new(r, "line_item_types", lits);
	json_object_set_new(r, "_company_id", json_integer(company_id));
	json_object_set_new(r, "_project_id", json_integer(pc_int(project, "id")));
	pc_insert(pc, PC_COST_CODE, r);
	/* Every cost code x line item type is a WBS code (v1.1's wbs_code_id). */
	json_array_foreach (pc->t[PC_LIT].rows, i, lit) {
		char flat[128];
		if (!parent || pc_int(lit, "_company_id") != company_id)
			continue;
		snprintf(flat, sizeof(flat), "%s.%s", full, pc_str(lit, "code"));
		pc_insert(
		    pc, PC_WBS,
		    json_pack("{s:I,s:s,s:s,s:I,s:I,s:I,s:I}", "id",
			      (json_int_t)pc_next_id(pc, PC_WBS), "flat_code", flat, "description",
			      name, "_project_id", (json_int_t)pc_int(project, "id"), "_company_id",
			      (json_int_t)company_id, "_cost_code_id", (json_int_t)pc_int(r, "id"),
			      "_lit_id", (json_int_t)pc_int(lit, "id")));
	}
	return r;
}

json_t *pc_contract_vendor(const json_t *vendor)
{
	return json_pack("{s:I,s:O,s:O,s:O}", "id", (json_int_t)pc_int(vendor, "id"), "company",
			 json_object_get(vendor, "name"), "origin_data",
			 json_object_get(vendor, "origin_data"), "origin_id",
			 json_object_get(vendor, "origin_id"));
}

json_t *pc_contract_new(struct pcsim *pc, enum pc_kind k, const json_t *project,
			const json_t *vendor)
{
	json_t *r = json_object();

	json_object_set_new(r, "id", json_integer(pc_next_id(pc, k)));
	json_object_set_new(r, "accounting_method", json_string("amount"));
	json_object_set_new(r, "approved_change_orders", json_string("0.00"));
	json_object_set_new(r, "change_order_packages", json_array());
	json_object_set_new(r, "change_order_requests", json_array());
	json_object_set_new(r, "potential_change_orders", json_array());
	json_object_set_new(r, "invoice_contacts", json_array());
	json_object_set_new(r, "payments_issued", json_array());
	json_object_set_new(r, "created_by_id", json_integer(pc->field_user_id));
	json_object_set_new(r, "draft_change_orders_amount", json_string("0.00"));
	json_object_set_new(r, "executed", json_false());
	json_object_set_new(r, "grand_total", json_string("0.00"));
	json_object_set_new(r, "pending_change_orders", json_string("0.00"));
	json_object_set_new(r, "pending_revised_contract", json_string("0.00"));
	json_object_set_new(r, "percentage_paid", json_string("0.0"));
	json_object_set_new(r, "private", json_false());
	json_object_set_new(r, "project",
			    json_pack("{s:I,s:O}", "id", (json_int_t)pc_int(project, "id"), "name",
				      json_object_get(project, "name")));
	json_object_set_new(r, "remaining_balance_outstanding", json_string("0.00"));
	json_object_set_new(r, "requisitions_are_enabled", json_boolean(k == PC_WO));
	json_object_set_new(r, "retainage_percent", json_string(k == PC_WO ? "10.0" : "0.0"));
	json_object_set_new(r, "revised_contract", json_string("0.00"));
	json_object_set_new(r, "show_line_items_to_non_admins", json_false());
	json_object_set_new(r, "status", json_string("Draft"));
	json_object_set_new(r, "total_draw_requests_amount", json_string("0.00"));
	json_object_set_new(r, "total_payments", json_string("0.00"));
	json_object_set_new(r, "total_requisitions_amount", json_string("0.00"));
	json_object_set_new(r, "currency_configuration", usd());
	json_object_set_new(r, "vendor", vendor ? pc_contract_vendor(vendor) : json_null());
	json_object_set_new(r, "deleted_at", json_null());
	stamp(pc, r);
	pc_set_nulls(
	    r, "approval_letter_date attachments contract_date description execution_date "
	       "issued_on_date letter_of_intent_date number origin_code origin_data origin_id "
	       "returned_date signed_contract_received_date title");
	if (k == PC_PO)
		pc_set_nulls(
		    r,
		    "assignee bill_to_address delivery_date payment_terms ship_to_address ship_via "
		    "billing_schedule_of_values_status");
	else
		pc_set_nulls(
		    r,
		    "actual_completion_date contract_start_date contract_estimated_completion_date "
		    "exclusions inclusions");
	json_object_set_new(r, "_company_id", json_integer(pc_int(project, "_company_id")));
	json_object_set_new(r, "_project_id", json_integer(pc_int(project, "id")));
	json_object_set_new(r, "_cents", json_integer(0));
	return pc_insert(pc, k, r);
}

json_t *pc_dc_new(struct pcsim *pc, const json_t *project)
{
	json_t *r = json_object();
	json_object_set_new(r, "id", json_integer(pc_next_id(pc, PC_DC)));
	json_object_set_new(r, "attachments", json_array());
	json_object_set_new(r, "attachments_count", json_integer(0));
	stamp(pc, r);
	json_object_set_new(r, "deleted_at", json_null());
	json_object_set_new(r, "direct_cost_type", json_string("invoice"));
	json_object_set_new(r, "grand_total", json_string("0.00"));
	json_object_set_new(r, "line_items_count", json_integer(0));
	json_object_set_new(r, "status", json_string("draft"));
	json_object_set_new(r, "currency_configuration", usd());
	pc_set_nulls(r, "description employee invoice_number direct_cost_date origin_data "
			"origin_id payment_date "
			"received_date terms vendor vendor_id vendor_name");
	json_object_set_new(r, "_company_id", json_integer(pc_int(project, "_company_id")));
	json_object_set_new(r, "_project_id", json_integer(pc_int(project, "id")));
	json_object_set_new(r, "_cents", json_integer(0));
	return pc_insert(pc, PC_DC, r);
}

void pc_dc_set_vendor(json_t *dc, const json_t *vendor)
{
	if (!vendor) {
		json_object_set_new(dc, "vendor", json_null());
		json_object_set_new(dc, "vendor_id", json_null());
		json_object_set_new(dc, "vendor_name", json_null());
		return;
	}
	json_object_set_new(dc, "vendor",
			    json_pack("{s:I,s:O}", "id", (json_int_t)pc_int(vendor, "id"), "name",
				      json_object_get(vendor, "name")));
	json_object_set_new(dc, "vendor_id", json_integer(pc_int(vendor, "id")));
	json_object_set(dc, "vendor_name", json_object_get(vendor, "name"));
}

static json_t *g702(int64_t contract, int64_t completed, int64_t retain_pct_tenths,
		    int64_t previous)
{
	int64_t retainage = completed * retain_pct_tenths / 1000;
	int64_t earned = completed - retainage;
	char pct[48];
	json_t *s;

	snprintf(pct, sizeof(pct), "%" PRId64 ".%" PRId64, retain_pct_tenths / 10,
		 retain_pct_tenths % 10);
	s = json_object();
	json_object_set_new(s, "balance_to_finish_including_retainage",
			    pc_money(contract - earned));
	json_object_set_new(s, "completed_work_retainage_percent", json_string(pct));
	json_object_set_new(s, "completed_work_retainage_amount", pc_money(retainage));
	json_object_set_new(s, "contract_sum_to_date", pc_money(contract));
	json_object_set_new(s, "current_payment_due", pc_money(earned - previous));
	json_object_set_new(s, "formatted_period", json_null());
	json_object_set_new(s, "less_previous_certificates_for_payment", pc_money(previous));
	json_object_set_new(s, "negative_change_order_item_total", json_string("0.00"));
	json_object_set_new(s, "negative_new_change_order_item_total", json_string("0.00"));
	json_object_set_new(s, "negative_previous_change_order_item_total", json_string("0.00"));
	json_object_set_new(s, "net_change_by_change_orders", json_string("0.00"));
	json_object_set_new(s, "original_contract_sum", pc_money(contract));
	json_object_set_new(s, "positive_change_order_item_total", json_string("0.00"));
	json_object_set_new(s, "positive_new_change_order_item_total", json_string("0.00"));
	json_object_set_new(s, "positive_previous_change_order_item_total", json_string("0.00"));
	json_object_set_new(s, "stored_materials_retainage_amount", json_string("0.00"));
	json_object_set_new(s, "stored_materials_retainage_percent", json_string("0.0"));
	json_object_set_new(s, "tax_applicable_to_this_payment", json_string("0.00"));
	json_object_set_new(s, "total_completed_and_stored_to_date", pc_money(completed));
	json_object_set_new(s, "total_earned_less_retainage", pc_money(earned));
	json_object_set_new(s, "total_retainage", pc_money(retainage));
	return s;
}

json_t *pc_req_new(struct pcsim *pc, const json_t *contract, int number, int64_t completed_cents,
		   int64_t previous_cents, const char *status, const char *start, const char *end)
{
	json_t *r = json_object();
	int64_t total = pc_int(contract, "_cents");
	char pct[48];
	const json_t *vendor = json_object_get(contract, "vendor");

	snprintf(pct, sizeof(pct), "%" PRId64 ".0", total ? completed_cents * 100 / total : 0);
	json_object_set_new(r, "id", json_integer(pc_next_id(pc, PC_REQ)));
	json_object_set_new(r, "project_id", json_integer(pc_int(contract, "_project_id")));
	json_object_set_new(r, "electronic_signature_id", json_null());
	json_object_set_new(r, "billing_date", json_string(end));
	json_object_set_new(r, "commitment_id", json_integer(pc_int(contract, "id")));
	json_object_set_new(r, "commitment_type", json_string("WorkOrderContract"));
	json_object_set(r, "contract_name", json_object_get(contract, "title"));
	stamp(pc, r);
	json_object_set_new(r, "created_by",
			    json_pack("{s:I,s:s,s:s,s:O}", "id", (json_int_t)pc->field_user_id,
				      "name", "Dana Whitfield", "login",
				      "dana.whitfield@meridianbuilders.example", "company_name",
				      json_object_get(vendor, "company")));
	json_object_set_new(r, "invoice_number", json_sprintf("INV-%d", 1000 + number));
	pc_set_nulls(
	    r, "origin_data origin_id payment_date period_id erp_status submitted_at comment");
	json_object_set_new(r, "requisition_start", json_string(start));
	json_object_set_new(r, "requisition_end", json_string(end));
	json_object_set_new(r, "status", json_string(status));
	json_object_set_new(r, "final", json_false());
	json_object_set_new(r, "number", json_integer(number));
	json_object_set_new(r, "percent_complete", json_string(pct));
	json_object_set(r, "vendor_name", json_object_get(vendor, "company"));
	json_object_set_new(r, "vendor_id", json_integer(pc_int(vendor, "id")));
	json_object_set_new(r, "total_claimed_amount", pc_money(completed_cents - previous_cents));
	json_object_set_new(r, "deletable", json_false());
	json_object_set_new(r, "custom_fields", json_object());
	json_object_set_new(r, "currency_configuration", usd());
	json_object_set_new(r, "attachments", json_array());
	json_object_set_new(r, "summary", g702(total, completed_cents, 100, previous_cents));
	json_object_set_new(r, "action_policy", json_object());
	json_object_set_new(r, "_company_id", json_integer(pc_int(contract, "_company_id")));
	json_object_set_new(r, "_project_id", json_integer(pc_int(contract, "_project_id")));
	return pc_insert(pc, PC_REQ, r);
}

json_t *pc_payapp_new(struct pcsim *pc, const json_t *project, int number, int64_t contract_cents,
		      int64_t completed_cents, int64_t previous_cents, const char *status,
		      const char *start, const char *end)
{
	json_t *r = json_object();
	char title[160], pct[48];

	snprintf(title, sizeof(title), "%s Prime Contract", pc_str(project, "name"));
	snprintf(pct, sizeof(pct), "%" PRId64 ".0",
		 contract_cents ? completed_cents * 100 / contract_cents : 0);
	json_object_set_new(r, "id", json_integer(pc_next_id(pc, PC_PAYAPP)));
	json_object_set_new(r, "billing_date", json_string(end));
	json_object_set_new(r, "invoice_number",
			    json_sprintf("%s-%02d", pc_str(project, "project_number"), number));
	json_object_set_new(r, "origin_data", json_null());
	json_object_set_new(r, "origin_id", json_null());
	json_object_set_new(r, "percent_complete", json_string(pct));
	json_object_set_new(r, "period_start", json_string(start));
	json_object_set_new(r, "period_end", json_string(end));
	json_object_set_new(r, "period_id", json_null());
	json_object_set_new(r, "status", json_string(status));
	json_object_set_new(r, "total_amount_paid",
			    pc_money(strcmp(status, "approved") == 0 ? previous_cents : 0));
	json_object_set_new(r, "number", json_integer(number));
	json_object_set_new(r, "total_amount_accrued_this_period",
			    pc_money(completed_cents - previous_cents));
	json_object_set_new(r, "formatted_contract_company",
			    json_string("Meridian Builders Group"));
	json_object_set_new(r, "currency_configuration",
			    json_pack("{s:s,s:s,s:s}", "currency_iso_code", "USD",
				      "currency_exchange_rate", "1.0", "base_currency_iso_code",
				      "USD"));
	json_object_set_new(r, "g702", g702(contract_cents, completed_cents, 50, previous_cents));
	json_object_set_new(r, "billing_period",
			    json_pack("{s:s,s:s}", "start_date", start, "end_date", end));
	json_object_set_new(r, "contract",
			    json_pack("{s:I,s:s,s:s}", "id",
				      (json_int_t)pc_int(project, "_prime_contract_id"), "type",
				      "PrimeContract", "title", title));
	stamp(pc, r);
	json_object_set_new(r, "_company_id", json_integer(pc_int(project, "_company_id")));
	json_object_set_new(r, "_project_id", json_integer(pc_int(project, "id")));
	return pc_insert(pc, PC_PAYAPP, r);
}

json_t *pc_bli_new(struct pcsim *pc, const json_t *project, const json_t *cc, const json_t *lit,
		   int64_t cents)
{
	json_t *r = json_object(),
	       *div = pc_get(pc, PC_COST_CODE, pc_int(json_object_get(cc, "parent"), "id"));
	json_t *w;
	size_t i;
	const char *amounts[] = {"approved_budget_changes", "pending_budget_changes",
				 "committed_costs",         "direct_costs",
				 "pending_cost_changes",    "projected_costs"};

	json_object_set_new(r, "id", json_integer(pc_next_id(pc, PC_BLI)));
	json_object_set_new(r, "original_budget_amount", pc_money_num(cents));
	json_object_set_new(r, "uom", json_null());
	json_object_set_new(r, "quantity", json_null());
	json_object_set_new(r, "unit_cost", json_null());
	json_object_set_new(r, "calculation_strategy", json_string("automatic"));
	for (i = 0; i < MLC_ARRAY_LEN(amounts); i++)
		json_object_set_new(r, amounts[i], json_integer(0));
	json_object_set_new(r, "revised_budget", pc_money_num(cents));
	json_object_set_new(r, "projected_budget", pc_money_num(cents));
	json_object_set_new(r, "budget_forecast", pc_money_num(cents));
	json_object_set_new(r, "estimated_cost_at_completion", pc_money_num(cents));
	json_object_set_new(r, "projected_over_under", json_integer(0));
	json_object_set_new(r, "cost_code",
			    json_pack("{s:I,s:O,s:O,s:O}", "id", (json_int_t)pc_int(cc, "id"),
				      "name", json_object_get(cc, "name"), "code",
				      json_object_get(cc, "code"), "full_code",
				      json_object_get(cc, "full_code")));
	json_object_set_new(r, "division",
			    div ? json_pack("{s:I,s:O,s:O}", "id", (json_int_t)pc_int(div, "id"),
					    "name", json_object_get(div, "name"), "full_code",
					    json_object_get(div, "full_code"))
				: json_null());
	json_object_set_new(r, "line_item_type",
			    json_pack("{s:I,s:O}", "id", (json_int_t)pc_int(lit, "id"), "name",
				      json_object_get(lit, "name")));
	json_object_set_new(r, "currency_configuration", usd());
	json_object_set_new(r, "origin_id", json_null());
	json_object_set_new(r, "wbs_code", json_null());
	json_array_foreach (pc->t[PC_WBS].rows, i, w) {
		if (pc_int(w, "_cost_code_id") == pc_int(cc, "id") &&
		    pc_int(w, "_lit_id") == pc_int(lit, "id")) {
			json_object_set_new(r, "wbs_code", pc_public(w));
			break;
		}
	}
	json_object_set_new(r, "_company_id", json_integer(pc_int(project, "_company_id")));
	json_object_set_new(r, "_project_id", json_integer(pc_int(project, "id")));
	json_object_set_new(r, "_cost_code_id", json_integer(pc_int(cc, "id")));
	json_object_set_new(r, "_lit_id", json_integer(pc_int(lit, "id")));
	json_object_set_new(r, "_cents", json_integer(cents));
	return pc_insert(pc, PC_BLI, r);
}
