/*
 * Procore requisitions, their contract items and billing periods
 * (pc_requisitions.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procore/pc_requisitions.h"
#include "util/jsonx.h"
#include "util/money.h"
#include "util/str.h"
#include "util/banned.h"

json_t *pc_requisition_json(const struct pc_requisition *q)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "invoice_number", q->invoice_number,
			      "billing_date", q->billing_date, "origin_data", q->origin_data);
	if (q->period_id)
		json_object_set_new(o, "period_id", json_integer(q->period_id));
	return o;
}

int procore_billing_periods(struct mlc_procore *pc, int64_t project_id,
			    struct pc_billing_period **periods, size_t *n, struct mlc_error *err)
{
	char path[96];
	json_t *list = NULL, *v;
	size_t i;
	int rc;

	*periods = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "/rest/v1.0/projects/%lld/billing_periods",
		 (long long)project_id);
	rc = procore_list(pc, path, NULL, &list, err);
	if (rc < 0)
		return rc;
	*periods = json_array_size(list) ? xcalloc(json_array_size(list), sizeof(**periods)) : NULL;
	json_array_foreach (list, i, v) {
		struct pc_billing_period *b = &(*periods)[*n];
		const char *st = jsonx_str(v, "status");
		b->id = jsonx_id_or0(v, "id");
		str_copy(b->start, sizeof(b->start),
			 jsonx_str(v, "start_date") ? jsonx_str(v, "start_date") : "");
		str_copy(b->end, sizeof(b->end),
			 jsonx_str(v, "end_date") ? jsonx_str(v, "end_date") : "");
		b->open = st && strcmp(st, "open") == 0;
		if (b->id)
			(*n)++;
	}
	json_decref(list);
	return MLC_OK;
}

static int period_by_start(struct mlc_procore *pc, int64_t project_id, const char *start,
			   int64_t *id, struct mlc_error *err)
{
	struct pc_billing_period *b = NULL;
	size_t n = 0, i;
	int rc = procore_billing_periods(pc, project_id, &b, &n, err);

	*id = 0;
	for (i = 0; rc == MLC_OK && i < n && !*id; i++)
		if (strcmp(b[i].start, start) == 0)
			*id = b[i].id;
	free(b);
	return rc;
}

int procore_billing_period_open(struct mlc_procore *pc, int64_t project_id, const char *start,
				const char *end, int64_t *id, struct mlc_error *err)
{
	char path[96];
	json_t *resp = NULL;
	int status = 0, rc;

	*id = 0;
	snprintf(path, sizeof(path), "/rest/v1.0/projects/%lld/billing_periods",
		 (long long)project_id);
	rc = procore_write(pc, "POST", path, NULL,
			   json_pack("{s:{s:s, s:s, s:s, s:s}}", "billing_period", "start_date",
				     start, "end_date", end, "due_date", end, "status", "open"),
			   &resp, &status, err);
	if (rc == MLC_EUNKNOWN || (rc == MLC_EPERM && status == 422)) {
		struct mlc_error e2 = {0};
		if (period_by_start(pc, project_id, start, id, &e2) == 0 && *id)
			rc = MLC_OK;
	} else if (rc == MLC_OK) {
		*id = jsonx_id_or0(resp, "id");
	}
	json_decref(resp);
	return rc;
}

int procore_requisition_find(struct mlc_procore *pc, int64_t project_id, int64_t contract,
			     const char *origin, int64_t *id, bool *complete, struct mlc_error *err)
{
	char pid[32], cid[32];
	const char *q[] = {"project_id", pid, "filters[commitment_id]", cid, NULL};
	json_t *list = NULL, *v;
	size_t i;
	int rc;

	*id = 0;
	*complete = false;
	snprintf(pid, sizeof(pid), "%lld", (long long)project_id);
	snprintf(cid, sizeof(cid), "%lld", (long long)contract);
	rc = procore_list(pc, "/rest/v1.0/requisitions", q, &list, err);
	if (rc < 0)
		return rc;
	json_array_foreach (list, i, v) {
		const char *oid = jsonx_str(v, "origin_id"), *od = jsonx_str(v, "origin_data");
		bool done = oid && strcmp(oid, origin) == 0;
		if ((done || (!oid && od && strcmp(od, origin) == 0)) &&
		    jsonx_id(v, "id", id) == 0) {
			*complete = done;
			break;
		}
	}
	json_decref(list);
	return MLC_OK;
}

int procore_requisitions(struct mlc_procore *pc, int64_t project_id, struct pc_req_head **reqs,
			 size_t *n, struct mlc_error *err)
{
	char pid[32];
	const char *q[] = {"project_id", pid, NULL};
	json_t *list = NULL, *v;
	size_t i;
	int rc;

	*reqs = NULL;
	*n = 0;
	snprintf(pid, sizeof(pid), "%lld", (long long)project_id);
	rc = procore_list(pc, "/rest/v1.0/requisitions", q, &list, err);
	if (rc < 0)
		return rc;
	*reqs = xcalloc(json_array_size(list) + 1, sizeof(**reqs));
	json_array_foreach (list, i, v) {
		struct pc_req_head *h = &(*reqs)[*n];
		const char *oid = jsonx_str(v, "origin_id"), *od = jsonx_str(v, "origin_data");
		h->id = jsonx_id_or0(v, "id");
		h->commitment_id = jsonx_id_or0(v, "commitment_id");
		str_copy(h->marker, sizeof(h->marker), oid ? oid : od ? od : "");
		if (h->id)
			(*n)++;
	}
	json_decref(list);
	return MLC_OK;
}

int procore_requisition_create(struct mlc_procore *pc, int64_t project_id, int64_t contract,
			       const struct pc_requisition *q, int64_t *id, struct mlc_error *err)
{
	json_t *resp = NULL;
	int status = 0, rc;

	*id = 0;
	rc = procore_write(pc, "POST", "/rest/v1.0/requisitions", NULL,
			   json_pack("{s:I, s:I, s:o}", "project_id", (json_int_t)project_id,
				     "commitment_id", (json_int_t)contract, "requisition",
				     pc_requisition_json(q)),
			   &resp, &status, err);
	if (rc == MLC_EUNKNOWN) {
		struct mlc_error e2 = {0};
		bool complete;
		if (procore_requisition_find(pc, project_id, contract, q->origin_data, id,
					     &complete, &e2) == 0 &&
		    *id)
			rc = MLC_OK;
	} else if (rc == MLC_OK && jsonx_id(resp, "id", id) < 0) {
		*id = 0;
	}
	json_decref(resp);
	return rc;
}

static int64_t amount_or0(const json_t *v, const char *key)
{
	struct mlc_error e = {0};
	int64_t c = 0;
	if (jsonx_money_get(v, key, true, &c, &e) < 0)
		c = 0;
	return c;
}

int procore_requisition_items(struct mlc_procore *pc, int64_t project_id, int64_t req_id,
			      struct pc_req_item **items, size_t *n, struct mlc_error *err)
{
	char path[96], pid[32];
	const char *q[] = {"project_id", pid, NULL};
	json_t *list = NULL, *v;
	size_t i;
	int rc;

	*items = NULL;
	*n = 0;
	snprintf(pid, sizeof(pid), "%lld", (long long)project_id);
	snprintf(path, sizeof(path), "/rest/v1.0/requisitions/%lld/contract_items",
		 (long long)req_id);
	rc = procore_list(pc, path, q, &list, err);
	if (rc < 0)
		return rc;
	*items = json_array_size(list) ? xcalloc(json_array_size(list), sizeof(**items)) : NULL;
	json_array_foreach (list, i, v) {
		struct pc_req_item *it = &(*items)[(*n)++];
		it->id = jsonx_id_or0(v, "id");
		it->line_item_id = jsonx_id_or0(v, "line_item_id");
		it->this_period = amount_or0(v, "work_completed_this_period");
		it->retainage = amount_or0(v, "work_completed_retainage_retained_this_period");
	}
	json_decref(list);
	return MLC_OK;
}

int procore_requisition_items_write(struct mlc_procore *pc, int64_t project_id, int64_t req_id,
				    const struct pc_req_item *items, size_t n,
				    struct mlc_error *err)
{
	char path[96], pid[32], a[MONEY_FMT_MAX], r[MONEY_FMT_MAX];
	const char *q[] = {"project_id", pid, NULL};
	json_t *arr = json_array(), *resp = NULL;
	int status = 0, rc;

	snprintf(pid, sizeof(pid), "%lld", (long long)project_id);
	snprintf(path, sizeof(path), "/rest/v1.0/requisitions/%lld/bulk_item_update",
		 (long long)req_id);
	for (size_t i = 0; i < n; i++) {
		money_format(items[i].this_period, a);
		money_format(items[i].retainage, r);
		json_array_append_new(
		    arr, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)items[i].id,
				   "item_type", "contract_item", "work_completed_this_period", a,
				   "work_completed_retainage_retained_this_period", r));
	}
	rc = procore_write(pc, "PATCH", path, q, json_pack("{s:o}", "requisition_items", arr),
			   &resp, &status, err);
	json_decref(resp);
	return rc;
}

int procore_requisition_mark(struct mlc_procore *pc, int64_t project_id, int64_t contract,
			     int64_t req_id, const char *origin, const char *status,
			     struct mlc_error *err)
{
	char path[64];
	json_t *resp = NULL;
	int http = 0, rc;

	snprintf(path, sizeof(path), "/rest/v1.0/requisitions/%lld", (long long)req_id);
	rc = procore_write(pc, "PATCH", path, NULL,
			   json_pack("{s:I, s:I, s:{s:s, s:s}}", "project_id",
				     (json_int_t)project_id, "commitment_id", (json_int_t)contract,
				     "requisition", "origin_id", origin, "status", status),
			   &resp, &http, err);
	json_decref(resp);
	if (rc == MLC_EUNKNOWN) {
		struct mlc_error e2 = {0};
		int64_t id = 0;
		bool complete = false;
		if (procore_requisition_find(pc, project_id, contract, origin, &id, &complete,
					     &e2) == 0 &&
		    id == req_id && complete)
			rc = MLC_OK;
	}
	return rc;
}

int procore_commitment_retainage(struct mlc_procore *pc, int64_t project_id, int64_t contract,
				 int64_t *pct4, struct mlc_error *err)
{
	static const char *const kinds[] = {"purchase_order_contracts", "work_order_contracts"};
	char path[96], pid[32];
	const char *q[] = {"project_id", pid, NULL};
	json_t *c = NULL, *v;
	int rc = MLC_ENOTFOUND;

	*pct4 = 0;
	snprintf(pid, sizeof(pid), "%lld", (long long)project_id);
	for (size_t k = 0; k < MLC_ARRAY_LEN(kinds) && rc == MLC_ENOTFOUND; k++) {
		struct mlc_error e2 = {0};
		snprintf(path, sizeof(path), "/rest/v1.0/%s/%lld", kinds[k], (long long)contract);
		rc = procore_get(pc, path, q, &c, k + 1 < MLC_ARRAY_LEN(kinds) ? &e2 : err);
		if (rc == MLC_EPERM && k + 1 < MLC_ARRAY_LEN(kinds))
			rc = MLC_ENOTFOUND;
	}
	if (rc < 0)
		return rc;
	v = json_object_get(c, "retainage_percent");
	if (v && !json_is_null(v))
		rc = dec_from_json(v, 4, DEC_HALF_UP, pct4, err);
	json_decref(c);
	return rc < 0 ? rc : MLC_OK;
}

/* ---- approved requisitions for the sub-invoices flow ---- */

static char *text_of(const json_t *v, const char *key)
{
	const char *s = jsonx_str(v, key);
	return xstrdup(s ? s : "");
}

static int sub_items(struct mlc_procore *pc, int64_t project_id, struct pc_sub_invoice *q,
		     struct mlc_error *err)
{
	char path[96], pid[32];
	const char *qq[] = {"project_id", pid, NULL};
	json_t *list = NULL, *v;
	size_t i;
	int rc;

	snprintf(pid, sizeof(pid), "%lld", (long long)project_id);
	snprintf(path, sizeof(path), "/rest/v1.0/requisitions/%lld/contract_items",
		 (long long)q->id);
	rc = procore_list(pc, path, qq, &list, err);
	if (rc < 0)
		return rc;
	q->items = json_array_size(list) ? xcalloc(json_array_size(list), sizeof(*q->items)) : NULL;
	json_array_foreach (list, i, v) {
		struct pc_sub_item *it = &q->items[q->nitems++];
		it->id = jsonx_id_or0(v, "id");
		it->line_item_id = jsonx_id_or0(v, "line_item_id");
		it->cost_code_id = jsonx_id_or0(v, "cost_code_id");
		it->amount = amount_or0(v, "work_completed_this_period");
		it->retainage = amount_or0(v, "work_completed_retainage_retained_this_period");
	}
	json_decref(list);
	return MLC_OK;
}

int procore_requisitions_approved(struct mlc_procore *pc, int64_t project_id, const char *since,
				  struct pc_sub_invoice **out, size_t *n, struct mlc_error *err)
{
	char pid[32];
	const char *q[] = {"project_id",
			   pid,
			   "filters[status]",
			   "approved",
			   since && *since ? "filters[updated_at]" : NULL,
			   since,
			   NULL};
	json_t *list = NULL, *v;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	snprintf(pid, sizeof(pid), "%lld", (long long)project_id);
	rc = procore_list(pc, "/rest/v1.0/requisitions", q, &list, err);
	if (rc < 0)
		return rc;
	*out = json_array_size(list) ? xcalloc(json_array_size(list), sizeof(**out)) : NULL;
	json_array_foreach (list, i, v) {
		struct pc_sub_invoice *r = &(*out)[*n];
		r->id = jsonx_id_or0(v, "id");
		if (!r->id)
			continue;
		(*n)++;
		r->commitment_id = jsonx_id_or0(v, "commitment_id");
		r->vendor_id = jsonx_id_or0(v, "vendor_id");
		r->invoice_number = text_of(v, "invoice_number");
		r->billing_date = text_of(v, "billing_date");
		r->updated_at = text_of(v, "updated_at");
		rc = sub_items(pc, project_id, r, err);
		if (rc < 0)
			break;
	}
	json_decref(list);
	if (rc < 0) {
		pc_sub_invoices_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

void pc_sub_invoices_free(struct pc_sub_invoice *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].invoice_number);
		free(v[i].billing_date);
		free(v[i].updated_at);
		free(v[i].items);
	}
	free(v);
}
