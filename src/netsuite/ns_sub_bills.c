/*
 * Vendor bills for approved Procore requisitions (ns_sub_bills.h).
 */
#include <stdio.h>
#include <string.h>

#include "netsuite/ns_sub_bills.h"
#include "util/jsonx.h"
#include "util/banned.h"

static void set_ref(json_t *o, const char *key, int64_t id)
{
	char text[32];

	if (!id)
		return;
	snprintf(text, sizeof(text), "%lld", (long long)id);
	json_object_set_new(o, key, json_pack("{s:s}", "id", text));
}

json_t *ns_sub_bill_json(const struct ns_sub_bill *b)
{
	json_t *body = json_object(), *items = json_array();

	json_object_set_new(body, "externalId", json_string(b->external_id));
	json_object_set_new(body, "tranDate", json_string(b->tran_date));
	set_ref(body, "entity", b->vendor);
	if (b->tran_id && *b->tran_id)
		json_object_set_new(body, "tranId", json_string(b->tran_id));
	if (b->memo)
		json_object_set_new(body, "memo", json_string(b->memo));
	for (size_t i = 0; i < b->nlines; i++) {
		const struct ns_sub_bill_line *l = &b->lines[i];
		json_t *o = json_object();
		set_ref(o, "account", l->account);
		json_object_set_new(o, "amount", jsonx_money(l->amount));
		set_ref(o, "customer", l->customer);
		set_ref(o, "department", l->department);
		set_ref(o, "class", l->class_id);
		set_ref(o, "location", l->location);
		if (b->po) /* a string on expense lines (records.json, vendorBill-expenseElement) */
			json_object_set_new(o, "orderDoc", json_sprintf("%lld", (long long)b->po));
		if (l->memo)
			json_object_set_new(o, "memo", json_string(l->memo));
		json_array_append_new(items, o);
	}
	json_object_set_new(body, "expense", json_pack("{s:o}", "items", items));
	return body;
}

int netsuite_po_vendor(struct mlc_netsuite *ns, int64_t po_id, int64_t *vendor,
		       struct mlc_error *err)
{
	char id[32];
	json_t *po = NULL;
	int rc;

	*vendor = 0;
	snprintf(id, sizeof(id), "%lld", (long long)po_id);
	rc = netsuite_get(ns, "purchaseOrder", id, false, &po, err);
	if (rc == MLC_OK)
		*vendor = jsonx_id_or0(json_object_get(po, "entity"), "id");
	json_decref(po);
	return rc;
}

int netsuite_sub_bill_upsert(struct mlc_netsuite *ns, const struct ns_sub_bill *b, int64_t *id,
			     bool *closed_period, struct mlc_error *err)
{
	char code[NS_CODE_MAX] = "";
	int rc =
	    netsuite_upsert(ns, "vendorBill", b->external_id, ns_sub_bill_json(b), id, code, err);

	*closed_period =
	    rc < 0 && strcmp(code, "USER_ERROR") == 0 && strstr(err->msg, "closed or locked");
	return rc;
}
