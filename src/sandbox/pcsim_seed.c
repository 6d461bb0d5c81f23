/*
 * Procore simulator: the seeded company, deterministic by --seed.  The
 * same general contractor as the NetSuite simulator (contractor.c): ten
 * projects whose project_number is the NetSuite job number, CSI cost codes,
 * the cost types as line item types, the Procore spellings of the vendor
 * directory, and field activity (commitments, requisitions, direct costs in
 * every status, payment applications, a budget per project).  A second
 * company where our app is not installed exists so that invisibility can
 * be tested.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/contractor.h"
#include "sandbox/pcsim.h"
#include "sandbox/pcsim_budget_changes.h"
#include "sandbox/pcsim_records.h"
#include "util/time.h"
#include "util/banned.h"

#define DAY_MS (86400LL * 1000)

static const char *base_type_of(const char *code)
{
	switch (code[0]) {
	case 'M':
		return "materials";
	case 'S':
		return "commitment";
	case 'E':
		return "equipment";
	default:
		return "other";
	}
}

static void date_ago(struct pcsim *pc, int days, char out[MLC_TIME_FMT_MAX])
{
	time_format_date(sbx_clock_now(pc->clock) - (int64_t)days * DAY_MS, out);
}

static json_t *leaf_code(struct pcsim *pc, int64_t project_id, size_t nth)
{
	size_t i, seen = 0;
	json_t *cc;
	json_array_foreach (pc->t[PC_COST_CODE].rows, i, cc) {
		if (pc_int(cc, "_project_id") == project_id &&
		    !json_is_null(json_object_get(cc, "parent"))) {
			if (seen++ == nth)
				return cc;
		}
	}
	return NULL;
}

static size_t leaf_count(struct pcsim *pc, int64_t project_id)
{
	size_t i, n = 0;
	json_t *cc;
	json_array_foreach (pc->t[PC_COST_CODE].rows, i, cc) {
		if (pc_int(cc, "_project_id") == project_id &&
		    !json_is_null(json_object_get(cc, "parent")))
			n++;
	}
	return n;
}

static json_t *lit_by_code(struct pcsim *pc, int64_t company_id, char code)
{
	size_t i;
	json_t *l;
	json_array_foreach (pc->t[PC_LIT].rows, i, l) {
		if (pc_int(l, "_company_id") == company_id && pc_str(l, "code")[0] == code)
			return l;
	}
	return NULL;
}

static void add_line(struct pcsim *pc, enum pc_kind lk, const json_t *project, json_t *holder,
		     const char *holder_type, const json_t *cc, const json_t *lit, int64_t cents,
		     const char *desc)
{
	json_t *li = pc_line_item_new(pc, lk, project, pc_int(holder, "id"), holder_type);
	json_t *in = json_pack("{s:I,s:I,s:I,s:s}", "cost_code_id", (json_int_t)pc_int(cc, "id"),
			       "line_item_type_id", (json_int_t)pc_int(lit, "id"), "amount",
			       (json_int_t)0, "description", desc);
	json_t *errors = json_object();

	json_object_set_new(in, "amount", pc_money(cents));
	if (!pc_line_item_apply(pc, li, in, errors, true))
		fprintf(stderr, "pcsim seed: bad line item\n");
	pc_insert(pc, lk, li);
	json_decref(in);
	json_decref(errors);
}

static void seed_cost_codes(struct pcsim *pc, const json_t *project)
{
	size_t n;
	const struct contractor_cost_code *codes = contractor_cost_codes(&n);
	json_t *div = NULL;
	int last_div = -1;

	for (size_t i = 0; i < n; i++) {
		char dcode[8];
		if (codes[i].division != last_div) {
			snprintf(dcode, sizeof(dcode), "%02d", codes[i].division);
			div = pc_cost_code_new(pc, project, NULL, dcode, codes[i].division_name);
			last_div = codes[i].division;
		}
		/* Procore stores the segment ("300"); full_code is "03-300". */
		pc_cost_code_new(pc, project, div, strchr(codes[i].code, '-') + 1, codes[i].name);
	}
}

/* The company's standard cost code list: the contractor's codes, which
 * every seeded project was created from. */
static void seed_standard_list(struct pcsim *pc)
{
	size_t n;
	const struct contractor_cost_code *codes = contractor_cost_codes(&n);
	json_t *list, *div = NULL;
	int last_div = -1;

	list = pc_insert(pc, PC_SCCL,
			 json_pack("{s:I, s:s, s:b, s:b, s:I}", "id",
				   (json_int_t)pc_next_id(pc, PC_SCCL), "name",
				   CONTRACTOR_NAME " Standard Cost Codes", "is_erp_list", 1,
				   "available_to_use_on_new_projects", 1, "_company_id",
				   (json_int_t)pc->company_id));
	for (size_t i = 0; i < n; i++) {
		char dcode[8];
		if (codes[i].division != last_div) {
			snprintf(dcode, sizeof(dcode), "%02d", codes[i].division);
			div = pc_scc_new(pc, list, NULL, dcode, codes[i].division_name);
			last_div = codes[i].division;
		}
		pc_scc_new(pc, list, div, strchr(codes[i].code, '-') + 1, codes[i].name);
	}
}

static void seed_contracts(struct pcsim *pc, const json_t *project, json_t *vendors,
			   int64_t contract_cents)
{
	static const char *const po_status[] = {"Approved", "Approved", "Submitted", "Draft",
						"Received"};
	static const char *const wo_status[] = {"Approved", "Approved", "Out For Signature",
						"Complete"};
	int64_t pid = pc_int(project, "id"), cid = pc_int(project, "_company_id");
	size_t nleaf = leaf_count(pc, pid), nv = json_array_size(vendors);
	char start[MLC_TIME_FMT_MAX], end[MLC_TIME_FMT_MAX];

	for (int i = 0; i < 3; i++) {
		json_t *v = json_array_get(vendors, (size_t)pc_rand(pc, 0, (int64_t)nv - 1));
		json_t *po = pc_contract_new(pc, PC_PO, project, v);
		char num[32];
		snprintf(num, sizeof(num), "PO-%03d", i + 1);
		json_object_set_new(po, "number", json_string(num));
		json_object_set_new(po, "title", json_sprintf("%s materials", pc_str(v, "name")));
		json_object_set_new(po, "status", json_string(po_status[pc_rand(pc, 0, 4)]));
		json_object_set_new(po, "executed",
				    json_boolean(strcmp(pc_str(po, "status"), "Approved") == 0));
		for (int l = 0; l < 2; l++)
			add_line(pc, PC_CLI, project, po, "PurchaseOrderContract",
				 leaf_code(pc, pid, (size_t)pc_rand(pc, 0, (int64_t)nleaf - 1)),
				 lit_by_code(pc, cid, 'M'), pc_rand(pc, 5000, 90000) * 100,
				 "Material supply");
		pc_holder_recompute(pc, PC_PO, po);
	}
	for (int i = 0; i < 2; i++) {
		json_t *v = json_array_get(vendors, (size_t)pc_rand(pc, 0, (int64_t)nv - 1));
		json_t *wo = pc_contract_new(pc, PC_WO, project, v);
		int64_t done;
		char num[32];
		snprintf(num, sizeof(num), "SC-%03d", i + 1);
		json_object_set_new(wo, "number", json_string(num));
		json_object_set_new(wo, "title", json_sprintf("%s subcontract", pc_str(v, "name")));
		json_object_set_new(wo, "status", json_string(wo_status[pc_rand(pc, 0, 3)]));
		json_object_set_new(wo, "executed", json_true());
		for (int l = 0; l < 3; l++)
			add_line(pc, PC_CLI, project, wo, "WorkOrderContract",
				 leaf_code(pc, pid, (size_t)pc_rand(pc, 0, (int64_t)nleaf - 1)),
				 lit_by_code(pc, cid, 'S'),
				 contract_cents / 100 * pc_rand(pc, 2, 6), "Subcontract scope");
		pc_holder_recompute(pc, PC_WO, wo);
		/* Two pay periods of subcontractor invoices against it. */
		done = pc_int(wo, "_cents") * pc_rand(pc, 15, 35) / 100;
		date_ago(pc, 75, start);
		date_ago(pc, 45, end);
		pc_req_new(pc, wo, 1, done, 0, "approved", start, end);
		date_ago(pc, 44, start);
		date_ago(pc, 14, end);
		pc_req_new(pc, wo, 2, done * 2, done, i == 0 ? "under_review" : "draft", start,
			   end);
	}
}

static void seed_direct_costs(struct pcsim *pc, const json_t *project, json_t *vendors, int scale)
{
	static const char *const statuses[] = {"draft", "pending", "revise_and_resubmit",
					       "approved"};
	static const char *const types[] = {"invoice", "expense", "payroll"};
	static const char lit_codes[] = {'M', 'E', 'L', 'O'};
	int64_t pid = pc_int(project, "id"), cid = pc_int(project, "_company_id");
	size_t nleaf = leaf_count(pc, pid), nv = json_array_size(vendors);

	for (int i = 0; i < 8 * scale; i++) {
		json_t *dc = pc_dc_new(pc, project);
		const char *type = types[i % 3];
		char d[MLC_TIME_FMT_MAX];
		int nl = (int)pc_rand(pc, 1, 3);

		/* Every status occurs on every project. */
		json_object_set_new(dc, "status", json_string(statuses[i % 4]));
		json_object_set_new(dc, "direct_cost_type", json_string(type));
		json_object_set_new(
		    dc, "invoice_number",
		    json_sprintf("%c-%05d", type[0] - 32, (int)pc_rand(pc, 10000, 99999)));
		json_object_set_new(dc, "description", json_sprintf("%s %d", type, i + 1));
		pc_dc_set_vendor(dc,
				 json_array_get(vendors, (size_t)pc_rand(pc, 0, (int64_t)nv - 1)));
		date_ago(pc, (int)pc_rand(pc, 1, 80), d);
		json_object_set_new(dc, "direct_cost_date", json_string(d));
		json_object_set_new(dc, "received_date", json_string(d));
		if (strcmp(statuses[i % 4], "approved") == 0)
			json_object_set_new(dc, "payment_date", json_string(d));
		for (int l = 0; l < nl; l++)
			add_line(pc, PC_DCLI, project, dc, "DirectCost",
				 leaf_code(pc, pid, (size_t)pc_rand(pc, 0, (int64_t)nleaf - 1)),
				 lit_by_code(pc, cid, lit_codes[pc_rand(pc, 0, 3)]),
				 pc_rand(pc, 2500, 1250000), "Field cost");
		pc_holder_recompute(pc, PC_DC, dc);
	}
}

static void seed_budget(struct pcsim *pc, const json_t *project, int64_t contract_cents)
{
	int64_t pid = pc_int(project, "id"), cid = pc_int(project, "_company_id");
	size_t nleaf = leaf_count(pc, pid);
	/* A budget of about 92% of the contract, spread over every cost code. */
	int64_t each = contract_cents * 92 / 100 / (int64_t)nleaf;

	for (size_t i = 0; i < nleaf; i++) {
		json_t *cc = leaf_code(pc, pid, i);
		pc_bli_new(pc, project, cc, lit_by_code(pc, cid, i % 3 ? 'S' : 'L'),
			   each - each % 100);
		json_object_set_new(cc, "budgeted", json_true());
	}
}

static void seed_payapps(struct pcsim *pc, const json_t *project, int64_t contract_cents)
{
	char s[MLC_TIME_FMT_MAX], e[MLC_TIME_FMT_MAX];
	int64_t done1 = contract_cents * pc_rand(pc, 10, 20) / 100;
	int64_t done2 = done1 + contract_cents * pc_rand(pc, 8, 15) / 100;

	date_ago(pc, 60, s);
	date_ago(pc, 31, e);
	pc_payapp_new(pc, project, 1, contract_cents, done1, 0, "approved", s, e);
	date_ago(pc, 30, s);
	date_ago(pc, 1, e);
	pc_payapp_new(pc, project, 2, contract_cents, done2, done1, "under_review", s, e);
}

void pc_seed(struct pcsim *pc, uint64_t seed, int scale)
{
	size_t np, nt, nv;
	const struct contractor_project *projects = contractor_projects(&np);
	const struct contractor_cost_type *types = contractor_cost_types(&nt);
	struct contractor_vendor *cv = contractor_vendors(seed, scale, &nv);
	json_t *co, *other, *vendors = json_array(), *p;
	char d[MLC_TIME_FMT_MAX];

	pc->rng ^= seed * 0xD1B54A32D192ED03ULL;
	co = pc_company_new(pc, CONTRACTOR_NAME, true);
	pc->company_id = pc_int(co, "id");
	other = pc_company_new(pc, "Northgate Constructors", false);
	pc->other_company_id = pc_int(other, "id");

	for (size_t i = 0; i < nt; i++)
		pc_lit_new(pc, pc->company_id, types[i].code, types[i].name,
			   base_type_of(types[i].code));
	for (size_t i = 0; i < nv; i++) {
		json_t *v;
		if (cv[i].netsuite_only || !cv[i].procore_name[0])
			continue;
		v = pc_vendor_new(pc, pc->company_id, cv[i].procore_name);
		json_object_set_new(v, "trade_name", json_string(cv[i].trade));
		json_object_set_new(v, "city", json_string(projects[i % np].city));
		json_object_set_new(v, "state_code", json_string("CA"));
		json_object_set_new(v, "zip", json_string(projects[i % np].zip));
		json_array_append(vendors, v);
	}
	for (size_t i = 0; i < np; i++) {
		p = pc_project_new(pc, pc->company_id, projects[i].name, projects[i].number);
		json_object_set_new(p, "city", json_string(projects[i].city));
		json_object_set_new(p, "state_code", json_string(projects[i].state_code));
		json_object_set_new(p, "zip", json_string(projects[i].zip));
		json_object_set_new(p, "address",
				    json_sprintf("%d Main Street", 100 + (int)i * 25));
		json_object_set_new(p, "total_value", pc_money(projects[i].contract_cents));
		json_object_set_new(p, "estimated_value", pc_money(projects[i].contract_cents));
		json_object_set_new(p, "estimated_budget",
				    pc_money_num(projects[i].contract_cents * 92 / 100));
		json_object_set_new(p, "sector", json_string(projects[i].class_name));
		date_ago(pc, 400 - (int)i * 20, d);
		json_object_set_new(p, "start_date", json_string(d));
		json_object_set_new(p, "_prime_contract_id",
				    json_integer(77100001 + (json_int_t)i * 13));
		seed_cost_codes(pc, p);
		seed_contracts(pc, p, vendors, projects[i].contract_cents);
		seed_direct_costs(pc, p, vendors, scale);
		seed_budget(pc, p, projects[i].contract_cents);
		seed_payapps(pc, p, projects[i].contract_cents);
		pc_seed_prime(pc, p, projects[i].contract_cents);
	}
	pc_insert(pc, PC_BVIEW,
		  json_pack("{s:I,s:s,s:s,s:o,s:{s:I,s:s,s:s},s:o,s:s,s:{s:s,s:s},s:I}", "id",
			    (json_int_t)pc_next_id(pc, PC_BVIEW), "name", "Procore Standard Budget",
			    "description", "Company default budget view", "created_at",
			    pc_now_json(pc), "created_by", "id", (json_int_t)pc->field_user_id,
			    "name", "Dana Whitfield", "login",
			    "dana.whitfield@meridianbuilders.example", "updated_at",
			    pc_now_json(pc), "role", "standard", "links", "detail_rows", "",
			    "summary_rows", "", "_company_id", (json_int_t)pc->company_id));

	/* The other company: never visible through our app's token. */
	for (size_t i = 0; i < nt; i++)
		pc_lit_new(pc, pc->other_company_id, types[i].code, types[i].name,
			   base_type_of(types[i].code));
	p = pc_project_new(pc, pc->other_company_id, "Northgate Warehouse", "NG-001");
	seed_cost_codes(pc, p);
	json_decref(vendors);
	vendors = json_array();
	json_array_append(vendors, pc_vendor_new(pc, pc->other_company_id, "Acme Concrete, Inc."));
	json_array_append(vendors, pc_vendor_new(pc, pc->other_company_id, "Northgate Rebar"));
	seed_direct_costs(pc, p, vendors, 1);
	json_decref(vendors);
	free(cv);
	seed_standard_list(pc);
	pc_seed_billing_periods(pc);
	pc_seed_budget_locks(pc);
}
