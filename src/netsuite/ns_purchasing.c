/*
 * NetSuite purchase orders read into typed records (ns_purchasing.h): the
 * SuiteQL texts and the row parsing live here and nowhere else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netsuite/ns_purchasing.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/money.h"
#include "util/str.h"
#include "util/banned.h"

struct po_read {
	struct ns_po *pos;
	size_t n, cap;
};

static int collect(void *arg, json_t *items)
{
	struct po_read *rd = arg;
	json_t *row;
	size_t i;

	json_array_foreach (items, i, row) {
		struct ns_po *po;
		if (rd->n == rd->cap) {
			rd->cap = rd->cap ? rd->cap * 2 : 64;
			rd->pos = xrealloc(rd->pos, rd->cap * sizeof(*rd->pos));
		}
		po = &rd->pos[rd->n++];
		memset(po, 0, sizeof(*po));
		po->id = jsonx_id_or0(row, "id");
		po->vendor_id = jsonx_id_or0(row, "entity");
		po->tranid = str_dup_or_null(jsonx_str(row, "tranid"));
		po->trandate = str_dup_or_null(jsonx_str(row, "trandate"));
		po->status = str_dup_or_null(jsonx_str(row, "status"));
		po->memo = str_dup_or_null(jsonx_str(row, "memo"));
		po->lastmodified = str_dup_or_null(jsonx_str(row, "lastmodified"));
	}
	return 0;
}

/* The header query: one %s for the keyset condition, ORDER BY id. */
static void header_query(struct mlc_buf *q, const char *since)
{
	buf_addstr(q,
		   "SELECT id, tranid, TO_CHAR(trandate, 'YYYY-MM-DD') AS trandate, status, memo, "
		   "entity, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified "
		   "FROM transaction WHERE type = 'PurchOrd' AND ");
	if (since)
		buf_addf(q, "lastmodifieddate >= TO_TIMESTAMP('%s', 'YYYY-MM-DD HH24:MI:SS') AND ",
			 since);
	buf_addstr(q, "%s ORDER BY id");
}

int netsuite_purchase_orders_since(struct mlc_netsuite *ns, const char *since, struct ns_po **pos,
				   size_t *n, struct mlc_error *err)
{
	struct mlc_buf q = MLC_BUF_INIT;
	struct po_read rd = {0};
	int rc;

	*pos = NULL;
	*n = 0;
	header_query(&q, since);
	rc = netsuite_suiteql_keyset(ns, q.data, "id", collect, &rd, err);
	buf_release(&q);
	if (rc < 0) {
		ns_purchase_orders_free(rd.pos, rd.n);
		return rc;
	}
	*pos = rd.pos;
	*n = rd.n;
	return MLC_OK;
}

/* One keyset page of headers handed to the caller, then freed. */
struct po_pager {
	int (*fn)(void *arg, struct ns_po *pos, size_t n, struct mlc_error *err);
	void *arg;
	struct mlc_error *err;
};

static int page_one(void *arg, json_t *items)
{
	struct po_pager *pg = arg;
	struct po_read rd = {0};
	int rc;

	collect(&rd, items);
	rc = pg->fn(pg->arg, rd.pos, rd.n, pg->err);
	ns_purchase_orders_free(rd.pos, rd.n);
	return rc;
}

int netsuite_purchase_orders_pages(struct mlc_netsuite *ns, const char *since,
				   int (*fn)(void *arg, struct ns_po *pos, size_t n,
					     struct mlc_error *err),
				   void *arg, struct mlc_error *err)
{
	struct mlc_buf q = MLC_BUF_INIT;
	struct po_pager pg = {fn, arg, err};
	int rc;

	header_query(&q, since);
	rc = netsuite_suiteql_keyset(ns, q.data, "id", page_one, &pg, err);
	buf_release(&q);
	return rc;
}

/* An exact decimal from a SuiteQL value; *has false when null or absent. */
static int dec_read(const json_t *row, const char *key, int scale, enum dec_rounding mode,
		    bool *has, int64_t *out, struct mlc_error *err)
{
	json_t *v = json_object_get(row, key);

	*has = false;
	*out = 0;
	if (!v || json_is_null(v))
		return MLC_OK;
	if (dec_from_json(v, scale, mode, out, err) < 0)
		return error_prefix(err, "%s: ", key);
	*has = true;
	return MLC_OK;
}

static void line_parse(const json_t *row, const char *seg_field, struct ns_po_line *l)
{
	struct mlc_error err = {0};

	memset(l, 0, sizeof(*l));
	l->bad_ids = jsonx_id(row, "id", &l->id) < 0 ||
		     jsonx_id(row, seg_field, &l->cost_seg) < 0 ||
		     jsonx_id(row, "expenseaccount", &l->expense_account) < 0 ||
		     jsonx_id(row, "item", &l->item) < 0;
	l->job = jsonx_id_or0(row, "entity");
	l->memo = str_dup_or_null(jsonx_str(row, "memo"));
	/* the first decimal that cannot be read is the line's defect */
	if (dec_read(row, "netamount", MONEY_SCALE, DEC_EXACT, &l->has_amount, &l->amount, &err) <
		0 ||
	    dec_read(row, "quantity", 4, DEC_HALF_EVEN, &l->has_qty, &l->qty, &err) < 0 ||
	    dec_read(row, "rate", 4, DEC_HALF_EVEN, &l->has_rate, &l->rate, &err) < 0)
		l->defect = xstrdup(err.msg);
}

int netsuite_purchase_order_lines(struct mlc_netsuite *ns, const char *seg_field, struct ns_po *pos,
				  size_t n, struct mlc_error *err)
{
	json_t *ids = json_array(), *by_tx = NULL;
	char cols[160], key[32];
	size_t i, k;
	int rc;

	snprintf(cols, sizeof(cols),
		 "transaction, id, linesequencenumber, item, expenseaccount, quantity, rate, "
		 "netamount, memo, entity, %s",
		 seg_field);
	for (i = 0; i < n; i++)
		if (pos[i].id)
			json_array_append_new(ids, json_pack("{s:I}", "id", (json_int_t)pos[i].id));
	rc = netsuite_lines_by_transaction(ns, cols, ids, &by_tx, err);
	for (i = 0; rc == MLC_OK && i < n; i++) {
		const json_t *rows;
		snprintf(key, sizeof(key), "%lld", (long long)pos[i].id);
		rows = json_object_get(by_tx, key);
		pos[i].nlines = json_array_size(rows);
		pos[i].lines = pos[i].nlines ? xcalloc(pos[i].nlines, sizeof(*pos[i].lines)) : NULL;
		for (k = 0; k < pos[i].nlines; k++)
			line_parse(json_array_get(rows, k), seg_field, &pos[i].lines[k]);
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

json_t *ns_purchase_order_json(const struct ns_po *po)
{
	json_t *o = json_object();
	char id[32];

	snprintf(id, sizeof(id), "%lld", (long long)po->id);
	json_object_set_new(o, "id", json_string(id));
	set_text(o, "tranid", po->tranid);
	set_text(o, "trandate", po->trandate);
	set_text(o, "status", po->status);
	set_text(o, "memo", po->memo);
	if (po->vendor_id) {
		snprintf(id, sizeof(id), "%lld", (long long)po->vendor_id);
		json_object_set_new(o, "entity", json_string(id));
	}
	set_text(o, "lastmodified", po->lastmodified);
	return o;
}

void ns_purchase_orders_free(struct ns_po *pos, size_t n)
{
	size_t i, k;

	for (i = 0; pos && i < n; i++) {
		for (k = 0; k < pos[i].nlines; k++) {
			free(pos[i].lines[k].memo);
			free(pos[i].lines[k].defect);
		}
		free(pos[i].lines);
		free(pos[i].tranid);
		free(pos[i].trandate);
		free(pos[i].status);
		free(pos[i].memo);
		free(pos[i].lastmodified);
	}
	free(pos);
}
