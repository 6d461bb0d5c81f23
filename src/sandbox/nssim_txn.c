#include <stdio.h>
#include <string.h>

#include "sandbox/nssim_rec.h"
#include "util/money.h"
#include "util/str.h"
#include "util/banned.h"

/*
 * Transactions: purchaseOrder (item and expense sublists), vendorBill
 * (same, posting to AP), journalEntry (line sublist, must balance to the
 * cent).  Stored as SuiteQL stores them: a transaction row, a main line
 * (transactionline id 0: entity, subsidiary, header dimensions) plus one
 * transactionline per sublist line, and for posting types the GL impact in
 * transactionaccountingline.  Bills and journals must post to an open
 * period (docs/reference/netsuite.md: "Posting to a closed or locked accounting period is
 * rejected").
 */

static const struct ns_txn_type txn_types[] = {
    {"purchaseOrder", "PurchOrd", "purchaseOrder", {"item", "expense"}, "PO", false},
    {"vendorBill", "VendBill", "vendorBill", {"item", "expense"}, "BILL", true},
    {"journalEntry", "Journal", "journalEntry", {"line", NULL}, "JE", true},
};

#define F   NS_FIELD
#define REF NS_REF

/* Header fields on the transaction row. */
const struct rec_field nstxn_head_fields[] = {
    F("id", "id", RO),
    F("tranId", "tranid", STR),
    F("transactionNumber", "transactionnumber", RO),
    F("tranDate", "trandate", DATE),
    REF("entity", "entity", "entity"),
    F("memo", "memo", STR),
    F("externalId", "externalid", STR),
    F("status", "status", ENUM),
    F("approvalStatus", "approvalstatus", ENUM),
    REF("currency", "currency", "currency"),
    F("exchangeRate", "exchangerate", NUM),
    F("dueDate", "duedate", DATE),
    REF("postingPeriod", "postingperiod", "accountingperiod"),
    F("otherRefNum", "otherrefnum", STR),
    F("total", "foreigntotal", RO),
    F("createdDate", "createddate", TS),
    F("lastModifiedDate", "lastmodifieddate", TS),
};
/* Header fields kept on the main line. */
const struct rec_field nstxn_main_fields[] = {
    REF("subsidiary", "subsidiary", "subsidiary"), REF("department", "department", "department"),
    REF("class", "class", "classification"),       REF("location", "location", "location"),
    REF("account", "expenseaccount", "account"),
};
#define LINE_DIMS                                                                                  \
	REF("department", "department", "department"), REF("class", "class", "classification"),    \
	    REF("location", "location", "location"),                                               \
	    REF(nsdb_seg_field, nsdb_seg_field, nsdb_seg_table)
static const struct rec_field item_fields[] = {
    F("line", "id", INT),
    REF("item", "item", "item"),
    F("quantity", "quantity", NUM),
    F("rate", "rate", NUM),
    F("amount", "amount", MONEY),
    F("description", "memo", STR),
    REF("customer", "entity", "entity"),
    F("isBillable", "isbillable", BOOL),
    F("isClosed", "isclosed", BOOL),
    LINE_DIMS,
};
static const struct rec_field expense_fields[] = {
    F("line", "id", INT),
    REF("account", "expenseaccount", "account"),
    F("amount", "amount", MONEY),
    F("memo", "memo", STR),
    REF("customer", "entity", "entity"),
    F("isBillable", "isbillable", BOOL),
    LINE_DIMS,
};
static const struct rec_field je_fields[] = {
    F("line", "id", INT),
    REF("account", "expenseaccount", "account"),
    F("debit", "debitforeignamount", MONEY),
    F("credit", "creditforeignamount", MONEY),
    F("memo", "memo", STR),
    REF("entity", "entity", "entity"),
    LINE_DIMS,
};

const struct ns_txn_type *nstxn_find(const char *rest)
{
	for (size_t i = 0; i < MLC_ARRAY_LEN(txn_types); i++)
		if (strcmp(txn_types[i].rest, rest) == 0)
			return &txn_types[i];
	return NULL;
}

bool nstxn_is_transaction(const char *type)
{
	return nstxn_find(type) != NULL;
}

const struct rec_field *nstxn_sub_fields(const char *sub, size_t *n)
{
	if (strcmp(sub, "item") == 0) {
		*n = MLC_ARRAY_LEN(item_fields);
		return item_fields;
	}
	if (strcmp(sub, "expense") == 0) {
		*n = MLC_ARRAY_LEN(expense_fields);
		return expense_fields;
	}
	*n = MLC_ARRAY_LEN(je_fields);
	return je_fields;
}

const struct rec_field *nstxn_head(size_t *n)
{
	*n = MLC_ARRAY_LEN(nstxn_head_fields);
	return nstxn_head_fields;
}

const struct rec_field *nstxn_main(size_t *n)
{
	*n = MLC_ARRAY_LEN(nstxn_main_fields);
	return nstxn_main_fields;
}

/* ---- rendering ---- */

static void render_fields(struct nssim *ns, const char *base, const struct rec_field *f, size_t n,
			  const char *sql, int64_t id, int64_t line, json_t *o)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(ns->db, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, id);
	if (line >= 0)
		sqlite3_bind_int64(st, 2, line);
	if (sqlite3_step(st) == SQLITE_ROW)
		for (size_t i = 0; i < n; i++)
			if (f[i].col)
				rf_render(ns, base, &f[i], st, (int)i, o);
	sqlite3_finalize(st);
}

static char *select_sql(const struct rec_field *f, size_t n, const char *from_where)
{
	struct mlc_buf b = MLC_BUF_INIT;

	buf_addstr(&b, "SELECT ");
	for (size_t i = 0; i < n; i++)
		if (f[i].col)
			buf_addf(&b, "%s\"%s\"", i ? ", " : "", f[i].col);
		else
			buf_addf(&b, "%sNULL", i ? ", " : "");
	buf_addf(&b, " %s", from_where);
	return buf_detach(&b, NULL);
}

json_t *nstxn_get(struct nssim *ns, const char *type, int64_t id, bool expand, const char *base)
{
	size_t nhead_fields, nmain_fields;
	const struct rec_field *head_fields = nstxn_head(&nhead_fields);
	const struct rec_field *main_fields = nstxn_main(&nmain_fields);
	const struct ns_txn_type *tt = nstxn_find(type);
	json_t *o;
	char *sql;

	if (!tt)
		return NULL;
	o = json_object();
	json_object_set_new(o, "links", nsrec_self_links(base, type, id, NULL));
	sql = select_sql(head_fields, nhead_fields, "FROM \"transaction\" WHERE id = ?");
	render_fields(ns, base, head_fields, nhead_fields, sql, id, -1, o);
	free(sql);
	sql = select_sql(main_fields, nmain_fields,
			 "FROM transactionline WHERE \"transaction\" = ? AND id = 0");
	render_fields(ns, base, main_fields, nmain_fields, sql, id, -1, o);
	free(sql);
	if (strcmp(type, "purchaseOrder") == 0)
		json_object_del(o, "account");
	if (json_object_get(o, "total"))
		json_object_set_new(
		    o, "total", json_real(atof(json_string_value(json_object_get(o, "total")))));
	if (json_object_get(o, "tranId"))
		json_object_set(o, "refName", json_object_get(o, "tranId"));
	{
		json_t *extra = nsrec_extra_load(ns, type, id);
		if (extra)
			json_object_update_missing(o, extra);
		json_decref(extra);
	}
	for (int s = 0; s < 2 && tt->subs[s]; s++) {
		const char *sub = tt->subs[s];
		char suffix[32];
		json_t *sl;
		snprintf(suffix, sizeof(suffix), "/%s", sub);
		sl = json_pack("{s:o}", "links", nsrec_self_links(base, type, id, suffix));
		if (expand) {
			size_t nf;
			const struct rec_field *f = nstxn_sub_fields(sub, &nf);
			json_t *items = json_array();
			sqlite3_stmt *st = NULL;
			const char *cond = strcmp(sub, "item") == 0      ? "item IS NOT NULL"
					   : strcmp(sub, "expense") == 0 ? "item IS NULL"
									 : "1";
			char q[256];
			snprintf(q, sizeof(q),
				 "SELECT id FROM transactionline WHERE \"transaction\" = ? AND "
				 "mainline = 'F' AND %s ORDER BY id",
				 cond);
			sql = select_sql(
			    f, nf, "FROM transactionline WHERE \"transaction\" = ? AND id = ?");
			if (sqlite3_prepare_v2(ns->db, q, -1, &st, NULL) == SQLITE_OK) {
				sqlite3_bind_int64(st, 1, id);
				while (sqlite3_step(st) == SQLITE_ROW) {
					int64_t line = sqlite3_column_int64(st, 0);
					char lsuf[64];
					json_t *lo = json_object();
					snprintf(lsuf, sizeof(lsuf), "/%s/%lld", sub,
						 (long long)line);
					json_object_set_new(lo, "links",
							    nsrec_self_links(base, type, id, lsuf));
					render_fields(ns, base, f, nf, sql, id, line, lo);
					json_array_append_new(items, lo);
				}
			}
			sqlite3_finalize(st);
			free(sql);
			json_object_set_new(sl, "items", items);
			json_object_set_new(sl, "totalResults",
					    json_integer((json_int_t)json_array_size(items)));
			json_object_set_new(sl, "count",
					    json_integer((json_int_t)json_array_size(items)));
			json_object_set_new(sl, "hasMore", json_false());
			json_object_set_new(sl, "offset", json_integer(0));
		}
		json_object_set_new(o, sub, sl);
	}
	return o;
}

/* ---- merge and transform ---- */

static bool in_csv(const char *csv, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = csv; p && *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p = c ? c + 1 : NULL;
	}
	return false;
}

void nstxn_merge(json_t *existing, const json_t *body, const char *replace)
{
	const char *key;
	json_t *v;

	if (!existing || !json_is_object(body))
		return;
	json_object_foreach ((json_t *)body, key, v) {
		json_t *old = json_object_get(existing, key);
		json_t *nitems = json_is_object(v) ? json_object_get(v, "items") : NULL;
		json_t *oitems = json_is_object(old) ? json_object_get(old, "items") : NULL;
		size_t i, j;
		json_t *line, *ol;

		if (!json_is_array(nitems) || !json_is_array(oitems) || in_csv(replace, key)) {
			json_object_set(existing, key, v);
			continue;
		}
		json_array_foreach (nitems, i, line) {
			json_t *lk = json_object_get(line, "line");
			bool matched = false;
			if (json_is_integer(lk)) {
				json_array_foreach (oitems, j, ol) {
					if (json_equal(json_object_get(ol, "line"), lk)) {
						json_object_update(ol, line);
						matched = true;
						break;
					}
				}
			}
			if (!matched)
				json_array_append(oitems, line);
		}
	}
}

json_t *nstxn_transform_bill(struct nssim *ns, int64_t po_id, const json_t *body,
			     struct ns_result *r)
{
	static const char *const head[] = {"entity", "subsidiary", "currency", "department",
					   "class",  "location",   "memo"};
	static const char *const item_keep[] = {
	    "item",       "quantity", "rate",     "amount",       "description", "customer",
	    "department", "class",    "location", nsdb_seg_field, "line"};
	static const char *const exp_keep[] = {"account",  "amount",       "memo",
					       "customer", "department",   "class",
					       "location", nsdb_seg_field, "line"};
	json_t *po = nstxn_get(ns, "purchaseOrder", po_id, true, "");
	json_t *bill = json_object();
	const char *key;
	json_t *v;

	if (!po) {
		json_decref(bill);
		ns_result_error(r, 404, "NONEXISTENT_ID", NULL,
				"The purchase order does not exist.");
		return NULL;
	}
	for (size_t i = 0; i < MLC_ARRAY_LEN(head); i++)
		if (json_object_get(po, head[i]))
			json_object_set(bill, head[i], json_object_get(po, head[i]));
	for (int s = 0; s < 2; s++) {
		const char *sub = s ? "expense" : "item";
		const char *const *keep = s ? exp_keep : item_keep;
		size_t nkeep = s ? MLC_ARRAY_LEN(exp_keep) : MLC_ARRAY_LEN(item_keep);
		json_t *src = json_object_get(json_object_get(po, sub), "items"),
		       *dst = json_array();
		size_t i;
		json_t *line;
		json_array_foreach (src, i, line) {
			json_t *nl = json_object();
			for (size_t k = 0; k < nkeep; k++)
				if (json_object_get(line, keep[k]))
					json_object_set(nl, keep[k],
							json_object_get(line, keep[k]));
			json_array_append_new(dst, nl);
		}
		json_object_set_new(bill, sub, json_pack("{s:o}", "items", dst));
	}
	json_decref(po);
	json_object_foreach ((json_t *)body, key, v)
		json_object_set(bill, key, v);
	return bill;
}
