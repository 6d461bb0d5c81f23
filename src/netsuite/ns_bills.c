/*
 * NetSuite vendor bills read into typed records (ns_bills.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netsuite/ns_bills.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/str.h"
#include "util/banned.h"

struct bill_read {
	struct ns_bill *v;
	size_t n, cap;
};

static int collect(void *arg, json_t *items)
{
	struct bill_read *rd = arg;
	json_t *row;
	size_t i;

	json_array_foreach (items, i, row) {
		struct ns_bill *b;
		if (rd->n == rd->cap) {
			rd->cap = rd->cap ? rd->cap * 2 : 64;
			rd->v = xrealloc(rd->v, rd->cap * sizeof(*rd->v));
		}
		b = &rd->v[rd->n++];
		memset(b, 0, sizeof(*b));
		b->id = jsonx_id_or0(row, "id");
		b->vendor_id = jsonx_id_or0(row, "entity");
		b->approval = jsonx_id_or0(row, "approvalstatus");
		b->tranid = str_dup_or_null(jsonx_str(row, "tranid"));
		b->trandate = str_dup_or_null(jsonx_str(row, "trandate"));
		b->memo = str_dup_or_null(jsonx_str(row, "memo"));
		b->status = str_dup_or_null(jsonx_str(row, "status"));
		b->lastmodified = str_dup_or_null(jsonx_str(row, "lastmodified"));
	}
	return 0;
}

int netsuite_po_bills_since(struct mlc_netsuite *ns, const char *since, struct ns_bill **bills,
			    size_t *n, struct mlc_error *err)
{
	struct mlc_buf q = MLC_BUF_INIT;
	struct bill_read rd = {0};
	int rc;

	*bills = NULL;
	*n = 0;
	/* createdfrom (the purchase order a bill was made from) is a column of
	 * transactionline, not of transaction (docs/reference/netsuite.md,
	 * netsuite/suiteql.md): bills from a PO are those with such a line */
	buf_addstr(&q,
		   "SELECT id, tranid, TO_CHAR(trandate, 'YYYY-MM-DD') AS trandate, "
		   "entity, status, approvalstatus, memo, "
		   "TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified "
		   "FROM transaction WHERE type = 'VendBill' AND id IN (SELECT transaction FROM "
		   "transactionline WHERE createdfrom IS NOT NULL) AND ");
	if (since)
		buf_addf(&q, "lastmodifieddate >= TO_TIMESTAMP('%s', 'YYYY-MM-DD HH24:MI:SS') AND ",
			 since);
	buf_addstr(&q, "%s ORDER BY id");
	rc = netsuite_suiteql_keyset(ns, q.data, "id", collect, &rd, err);
	buf_release(&q);
	if (rc < 0) {
		ns_bills_free(rd.v, rd.n);
		return rc;
	}
	*bills = rd.v;
	*n = rd.n;
	return MLC_OK;
}

static void line_parse(const json_t *row, const char *seg_field, struct ns_bill_line *l)
{
	struct mlc_error err = {0};

	memset(l, 0, sizeof(*l));
	l->line = jsonx_id_or0(row, "id");
	l->job = jsonx_id_or0(row, "entity");
	l->created_from = jsonx_id_or0(row, "createdfrom");
	l->cost_seg = jsonx_id_or0(row, seg_field);
	l->amount_ok = jsonx_money_get(row, "netamount", true, &l->amount, &err) == 0;
}

int netsuite_po_bill_lines(struct mlc_netsuite *ns, const char *seg_field, struct ns_bill *bills,
			   size_t n, struct mlc_error *err)
{
	json_t *ids = json_array(), *by_tx = NULL;
	char cols[96], key[32];
	size_t i, k;
	int rc;

	snprintf(cols, sizeof(cols), "transaction, id, netamount, entity, createdfrom%s%s",
		 seg_field ? ", " : "", seg_field ? seg_field : "");
	for (i = 0; i < n; i++)
		if (bills[i].id)
			json_array_append_new(ids,
					      json_pack("{s:I}", "id", (json_int_t)bills[i].id));
	rc = netsuite_lines_by_transaction(ns, cols, ids, &by_tx, err);
	for (i = 0; rc == MLC_OK && i < n; i++) {
		const json_t *rows;
		snprintf(key, sizeof(key), "%lld", (long long)bills[i].id);
		rows = json_object_get(by_tx, key);
		bills[i].nlines = json_array_size(rows);
		bills[i].lines =
		    bills[i].nlines ? xcalloc(bills[i].nlines, sizeof(*bills[i].lines)) : NULL;
		for (k = 0; k < bills[i].nlines; k++)
			line_parse(json_array_get(rows, k), seg_field, &bills[i].lines[k]);
	}
	json_decref(ids);
	json_decref(by_tx);
	return rc;
}

static void set_text(json_t *o, const char *key, const char *v)
{
	if (v)
		json_object_set_new(o, key, json_string(v));
}

static void set_id(json_t *o, const char *key, int64_t v)
{
	char t[32];

	if (!v)
		return;
	snprintf(t, sizeof(t), "%lld", (long long)v);
	json_object_set_new(o, key, json_string(t));
}

json_t *ns_bill_json(const struct ns_bill *b)
{
	json_t *o = json_object();

	set_id(o, "id", b->id);
	set_text(o, "tranid", b->tranid);
	set_text(o, "trandate", b->trandate);
	set_id(o, "entity", b->vendor_id);
	set_text(o, "status", b->status);
	set_id(o, "approvalstatus", b->approval);
	set_text(o, "memo", b->memo);
	set_text(o, "lastmodified", b->lastmodified);
	return o;
}

void ns_bills_free(struct ns_bill *bills, size_t n)
{
	size_t i;

	for (i = 0; bills && i < n; i++) {
		free(bills[i].lines);
		free(bills[i].tranid);
		free(bills[i].trandate);
		free(bills[i].memo);
		free(bills[i].status);
		free(bills[i].lastmodified);
	}
	free(bills);
}
