/* Procore simulator: line items, totals and per-kind serialisers. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sandbox/contractor.h"
#include "sandbox/pcsim.h"
#include "util/money.h"
#include "util/banned.h"

static json_t *id_name(const json_t *rec)
{
	return json_pack("{s:I,s:O}", "id", (json_int_t)pc_int(rec, "id"), "name",
			 json_object_get(rec, "name"));
}

json_t *pc_line_item_new(struct pcsim *pc, enum pc_kind k, const json_t *project, int64_t holder_id,
			 const char *holder_type)
{
	json_t *company = pc_get(pc, PC_COMPANY, pc_int(project, "_company_id"));
	size_t position = json_array_size(pc_lines(pc, k, holder_id)) + 1;
	json_t *r = json_object();
	json_object_set_new(r, "id", json_integer(pc_next_id(pc, k)));
	json_object_set_new(r, "amount", json_string("0.00"));
	json_object_set_new(r, "company", id_name(company));
	json_object_set_new(r, "cost_code", json_null());
	json_object_set_new(r, "created_at", pc_now_json(pc));
	json_object_set_new(r, "description", json_null());
	json_object_set_new(r, "extended_type", json_string("manual"));
	json_object_set_new(
	    r, "holder",
	    json_pack("{s:I,s:s}", "id", (json_int_t)holder_id, "holder_type", holder_type));
	json_object_set_new(r, "line_item_type", json_null());
	json_object_set_new(r, "origin_data", json_null());
	json_object_set_new(r, "origin_id", json_null());
	json_object_set_new(r, "position", json_integer((json_int_t)position));
	json_object_set_new(r, "project", id_name(project));
	json_object_set_new(r, "quantity", json_string("1.0"));
	json_object_set_new(r, "tax_code_id", json_null());
	json_object_set_new(r, "total_amount", json_string("0.00"));
	json_object_set_new(r, "extended_amount", json_string("0.00"));
	json_object_set_new(r, "unit_cost", json_string("0.00"));
	json_object_set_new(r, "uom", json_string("LS"));
	json_object_set_new(r, "updated_at", pc_now_json(pc));
	json_object_set_new(r, "change_event_line_item", json_null());
	json_object_set_new(r, "wbs_code", json_null());
	json_object_set_new(r, "currency_configuration",
			    json_pack("{s:s}", "currency_iso_code", "USD"));
	json_object_set_new(r, "_company_id", json_integer(pc_int(project, "_company_id")));
	json_object_set_new(r, "_project_id", json_integer(pc_int(project, "id")));
	json_object_set_new(r, "_holder_id", json_integer(holder_id));
	json_object_set_new(r, "_cents", json_integer(0));
	return r;
}

static json_t *find_wbs(struct pcsim *pc, int64_t project_id, int64_t cost_code_id, int64_t lit_id)
{
	size_t i;
	json_t *w;
	json_array_foreach (pc->t[PC_WBS].rows, i, w) {
		if (pc_int(w, "_project_id") == project_id &&
		    pc_int(w, "_cost_code_id") == cost_code_id && pc_int(w, "_lit_id") == lit_id)
			return w;
	}
	return NULL;
}

static bool opt_id(const json_t *in, const char *key, int64_t *out, json_t *errors)
{
	json_t *v = json_object_get(in, key);
	if (!v || json_is_null(v))
		return false;
	if (!json_is_integer(v) || json_integer_value(v) <= 0) {
		pc_add_error(errors, key, "is not a number");
		return false;
	}
	*out = json_integer_value(v);
	return true;
}

static void set_wbs_refs(struct pcsim *pc, json_t *li, json_t *cc, json_t *lit)
{
	json_t *w;
	if (cc)
		json_object_set_new(li, "cost_code", pc_public(cc));
	if (lit)
		json_object_set_new(li, "line_item_type", pc_public(lit));
	cc = cc ? cc : pc_get(pc, PC_COST_CODE, pc_int(json_object_get(li, "cost_code"), "id"));
	lit = lit ? lit : pc_get(pc, PC_LIT, pc_int(json_object_get(li, "line_item_type"), "id"));
	w = (cc && lit)
		? find_wbs(pc, pc_int(li, "_project_id"), pc_int(cc, "id"), pc_int(lit, "id"))
		: NULL;
	json_object_set_new(li, "wbs_code", w ? pc_public(w) : json_null());
}

bool pc_line_item_apply(struct pcsim *pc, json_t *li, const json_t *in, json_t *errors, bool create)
{
	int64_t cc_id = 0, lit_id = 0, wbs_id = 0, cents = 0, unit = 0, qty = 0;
	json_t *cc = NULL, *lit = NULL, *v;
	bool have_amount = false, have_unit = false, have_qty = false;
	struct mlc_error err;
	const char *strs[] = {"description", "origin_id", "origin_data", "uom"};
	size_t nerr0 = json_object_size(errors);

	if (opt_id(in, "wbs_code_id", &wbs_id, errors)) {
		json_t *w = pc_get(pc, PC_WBS, wbs_id);
		if (!w || pc_int(w, "_project_id") != pc_int(li, "_project_id")) {
			pc_add_error(errors, "wbs_code_id", "is invalid");
		} else {
			cc = pc_get(pc, PC_COST_CODE, pc_int(w, "_cost_code_id"));
			lit = pc_get(pc, PC_LIT, pc_int(w, "_lit_id"));
		}
	}
	if (opt_id(in, "cost_code_id", &cc_id, errors)) {
		cc = pc_get(pc, PC_COST_CODE, cc_id);
		if (!cc || pc_int(cc, "_project_id") != pc_int(li, "_project_id")) {
			pc_add_error(errors, "cost_code_id", "is invalid");
			cc = NULL;
		}
	}
	if (opt_id(in, "line_item_type_id", &lit_id, errors)) {
		lit = pc_get(pc, PC_LIT, lit_id);
		if (!lit || pc_int(lit, "_company_id") != pc_int(li, "_company_id")) {
			pc_add_error(errors, "line_item_type_id", "is invalid");
			lit = NULL;
		}
	}
	if (create && !cc && !json_object_get(errors, "cost_code_id") &&
	    !json_object_get(errors, "wbs_code_id"))
		pc_add_error(errors, "cost_code_id", "can't be blank");
	v = json_object_get(in, "amount");
	if (v && !json_is_null(v)) {
		if (pc_cents(v, &cents) != 0)
			pc_add_error(errors, "amount", "is not a number");
		else
			have_amount = true;
	}
	v = json_object_get(in, "unit_cost");
	if (v && !json_is_null(v)) {
		if (pc_cents(v, &unit) != 0)
			pc_add_error(errors, "unit_cost", "is not a number");
		else
			have_unit = true;
	}
	v = json_object_get(in, "quantity");
	if (v && !json_is_null(v)) {
		if (dec_from_json(v, 4, DEC_HALF_EVEN, &qty, &err) != 0)
			pc_add_error(errors, "quantity", "is not a number");
		else
			have_qty = true;
	}
	if (create && !have_amount && !have_unit)
		pc_add_error(errors, "amount", "can't be blank");
	for (size_t i = 0; i < MLC_ARRAY_LEN(strs); i++) {
		v = json_object_get(in, strs[i]);
		if (v && !json_is_null(v) && !json_is_string(v))
			pc_add_error(errors, strs[i], "must be a string");
	}
	if (json_object_size(errors) > nerr0)
		return false;

	for (size_t i = 0; i < MLC_ARRAY_LEN(strs); i++) {
		v = json_object_get(in, strs[i]);
		if (v)
			json_object_set(li, strs[i], v);
	}
	if (cc || lit)
		set_wbs_refs(pc, li, cc, lit);
	if (have_qty) {
		char q[48];
		dec_format_trim(qty, 4, 1, q, sizeof(q));
		json_object_set_new(li, "quantity", json_string(q));
	}
	if (have_unit)
		json_object_set_new(li, "unit_cost", pc_money(unit));
	if (!have_amount && have_unit) {
		struct mlc_error e2;
		int64_t q = 0;
		if (dec_from_json(json_object_get(li, "quantity"), 4, DEC_HALF_EVEN, &q, &e2) != 0)
			q = 10000;
		if (money_mul_dec(unit, q, 4, DEC_HALF_UP, &cents) == 0)
			have_amount = true;
	}
	if (have_amount) {
		json_object_set_new(li, "_cents", json_integer(cents));
		json_object_set_new(li, "amount", pc_money(cents));
		json_object_set_new(li, "total_amount", pc_money(cents));
		json_object_set_new(li, "extended_amount", pc_money(cents));
		if (!have_unit && !have_qty)
			json_object_set_new(li, "unit_cost", pc_money(cents));
	}
	json_object_set_new(li, "updated_at", pc_now_json(pc));
	return true;
}

void pc_holder_recompute(struct pcsim *pc, enum pc_kind holder_kind, json_t *holder)
{
	enum pc_kind lk = holder_kind == PC_DC ? PC_DCLI : PC_CLI;
	int64_t id = pc_int(holder, "id"), sum = 0, n = 0;
	size_t i;
	json_t *li;

	json_array_foreach (pc_lines(pc, lk, id), i, li) {
		sum += pc_int(li, "_cents");
		n++;
	}
	json_object_set_new(holder, "grand_total", pc_money(sum));
	json_object_set_new(holder, "_cents", json_integer(sum));
	if (holder_kind == PC_DC)
		json_object_set_new(holder, "line_items_count", json_integer(n));
	else
		json_object_set_new(holder, "revised_contract", pc_money(sum));
}

static json_t *line_items_of(struct pcsim *pc, enum pc_kind lk, int64_t holder_id, enum pc_view v)
{
	json_t *arr = json_array(), *li;
	size_t i;
	json_array_foreach (pc_lines(pc, lk, holder_id), i, li)
		json_array_append_new(arr, pc_ser(pc, lk, li, v));
	return arr;
}

json_t *pc_ser(struct pcsim *pc, enum pc_kind k, const json_t *rec, enum pc_view v)
{
	json_t *out = pc_public(rec);

	switch (k) {
	case PC_DC:
		if (v == PC_VIEW_LIST) {
			/* The index view flattens the vendor to its name and adds amount. */
			json_object_set(out, "amount", json_object_get(rec, "grand_total"));
			json_object_set(out, "vendor", json_object_get(rec, "vendor_name"));
			json_object_del(out, "attachments");
			json_object_del(out, "attachments_count");
			json_object_del(out, "line_items_count");
		} else if (v == PC_VIEW_V11) {
			json_t *project = pc_get(pc, PC_PROJECT, pc_int(rec, "_project_id"));
			json_t *company = pc_get(pc, PC_COMPANY, pc_int(rec, "_company_id"));
			json_object_set_new(out, "company", id_name(company));
			json_object_set_new(out, "project", id_name(project));
			json_object_set_new(out, "currency_configuration",
					    json_pack("{s:s,s:s,s:s}", "currency_iso_code", "USD",
						      "currency_exchange_rate", "1.0",
						      "base_currency_iso_code", "USD"));
			json_object_set_new(out, "line_items",
					    line_items_of(pc, PC_DCLI, pc_int(rec, "id"), v));
		}
		break;
	case PC_DCLI:
		if (v == PC_VIEW_V11) {
			json_object_set_new(out, "ref", json_null());
			json_object_del(out, "holder");
			json_object_del(out, "project");
			json_object_del(out, "change_event_line_item");
		}
		break;
	case PC_PO:
	case PC_WO:
		if (v == PC_VIEW_SHOW)
			json_object_set_new(out, "line_items",
					    line_items_of(pc, PC_CLI, pc_int(rec, "id"), v));
		else
			json_object_del(out, "line_items");
		break;
	default:
		break;
	}
	return out;
}
