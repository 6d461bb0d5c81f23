#include <stdio.h>
#include <string.h>

#include "sandbox/nssim_rec.h"
#include "util/money.h"
#include "util/str.h"
#include "util/banned.h"

/*
 * Writing transactions (see nssim_txn.c for the model): validate the
 * merged body and its lines, compute amounts in integer cents, enforce the
 * journal balance and the open period, then rewrite the transaction row,
 * its lines and its GL impact.
 */

struct line {
	struct colvals cv;
	const char *sub;
	int64_t cents; /* amount (item/expense) or debit - credit (journal) */
	int64_t gl_account;
};

static bool user_error(struct ns_write_ctx *w, const char *path, const char *msg)
{
	ns_result_error(w->r, 400, "USER_ERROR", path, "%s", msg);
	return false;
}

static int64_t cents_of(const struct colvals *cv, const char *col)
{
	const struct colval *v = colvals_get(cv, col);
	double d = v && v->type == SQLITE_FLOAT ? v->d : 0;

	return (int64_t)(d * 100.0 + (d >= 0 ? 0.5 : -0.5));
}

static bool read_lines(struct ns_write_ctx *w, const struct ns_txn_type *tt, const json_t *body,
		       struct line **out, size_t *nout)
{
	struct line *lines = NULL;
	size_t n = 0;
	int64_t next_line = 1;

	for (int s = 0; s < 2 && tt->subs[s]; s++) {
		const json_t *items = json_object_get(json_object_get(body, tt->subs[s]), "items");
		size_t i;
		json_t *li;
		json_array_foreach (items, i, li) {
			int64_t l = json_is_integer(json_object_get(li, "line"))
					? json_integer_value(json_object_get(li, "line"))
					: 0;
			if (l >= next_line)
				next_line = l + 1;
		}
	}
	for (int s = 0; s < 2 && tt->subs[s]; s++) {
		const char *sub = tt->subs[s];
		const json_t *sl = json_object_get(body, sub), *items;
		char def[64], prefix[64];
		size_t nf, i;
		const struct rec_field *f = nstxn_sub_fields(sub, &nf);
		json_t *li;

		if (!sl || json_is_null(sl))
			continue;
		items = json_object_get(sl, "items");
		if (!json_is_object(sl) || (items && !json_is_array(items))) {
			ns_result_error(w->r, 400, "INVALID_CONTENT", sub,
					"Error while accessing a resource. A sublist is an object "
					"with an 'items' array.");
			goto fail;
		}
		snprintf(def, sizeof(def), "%s-%sElement", tt->def, sub);
		json_array_foreach (items, i, li) {
			struct line *L;
			const char *key;
			json_t *v;
			lines = xrealloc(lines, (n + 1) * sizeof(*lines));
			L = &lines[n++];
			memset(L, 0, sizeof(*L));
			L->sub = sub;
			snprintf(prefix, sizeof(prefix), "%s.items[%zu].", sub, i);
			if (!rf_check_names(w, def, f, nf, li, prefix))
				goto fail;
			json_object_foreach (li, key, v) {
				const struct rec_field *fd = rf_find(f, nf, key);
				char path[128];
				snprintf(path, sizeof(path), "%s%s", prefix, key);
				if (fd && !rf_convert(w, fd, v, path, &L->cv))
					goto fail;
			}
			if (!colvals_get(&L->cv, "id"))
				colvals_set_int(&L->cv, "id", next_line++);
		}
	}
	*out = lines;
	*nout = n;
	return true;
fail:
	for (size_t i = 0; i < n; i++)
		colvals_release(&lines[i].cv);
	free(lines);
	return false;
}

/* Fills amounts and GL accounts, checks required line fields. */
static bool check_lines(struct ns_write_ctx *w, struct line *lines, size_t n, bool journal)
{
	char path[96];

	for (size_t i = 0; i < n; i++) {
		struct line *L = &lines[i];
		const struct colval *acct = colvals_get(&L->cv, "expenseaccount");
		snprintf(path, sizeof(path), "%s.items", L->sub);
		if (journal) {
			int64_t d = cents_of(&L->cv, "debitforeignamount");
			int64_t c = cents_of(&L->cv, "creditforeignamount");
			if (!acct || acct->type != SQLITE_INTEGER)
				return user_error(w, path, "Please enter value(s) for: Account");
			if ((d > 0) == (c > 0) || d < 0 || c < 0)
				return user_error(w, path,
						  "Each journal line needs either a debit or a "
						  "credit amount.");
			L->cents = d - c;
			L->gl_account = acct->i;
			colvals_set_real(&L->cv, "amount", (double)L->cents / 100.0);
		} else if (strcmp(L->sub, "expense") == 0) {
			if (!acct || acct->type != SQLITE_INTEGER)
				return user_error(w, path, "Please enter value(s) for: Account");
			if (!colvals_get(&L->cv, "amount"))
				return user_error(w, path, "Please enter value(s) for: Amount");
			L->cents = cents_of(&L->cv, "amount");
			L->gl_account = acct->i;
		} else {
			const struct colval *item = colvals_get(&L->cv, "item");
			const struct colval *q = colvals_get(&L->cv, "quantity");
			const struct colval *rate = colvals_get(&L->cv, "rate");
			double qty = q && q->type == SQLITE_FLOAT ? q->d : 1.0;
			char sql[96];
			if (!item || item->type != SQLITE_INTEGER)
				return user_error(w, path, "Please enter value(s) for: Item");
			if (!q)
				colvals_set_real(&L->cv, "quantity", qty);
			if (colvals_get(&L->cv, "amount")) {
				L->cents = cents_of(&L->cv, "amount");
			} else if (rate && rate->type == SQLITE_FLOAT) {
				double a = qty * rate->d * 100.0;
				L->cents = (int64_t)(a + (a >= 0 ? 0.5 : -0.5));
				colvals_set_real(&L->cv, "amount", (double)L->cents / 100.0);
			} else {
				return user_error(w, path, "Please enter value(s) for: Amount");
			}
			if (!rate)
				colvals_set_real(&L->cv, "rate",
						 qty != 0 ? (double)L->cents / 100.0 / qty : 0);
			snprintf(sql, sizeof(sql),
				 "SELECT expenseaccount FROM item WHERE id = %lld",
				 (long long)item->i);
			L->gl_account = nsdb_int(w->ns->db, sql, NULL, 0);
			colvals_set_int(&L->cv, "expenseaccount", L->gl_account);
		}
		colvals_set_real(&L->cv, "netamount", (double)L->cents / 100.0);
		colvals_set_real(&L->cv, "foreignamount", (double)L->cents / 100.0);
	}
	return true;
}

/* Posting period for a date: open, or a recognisable USER_ERROR. */
static bool check_period(struct ns_write_ctx *w, struct colvals *head, bool ap)
{
	const struct colval *pp = colvals_get(head, "postingperiod");
	const struct colval *date = colvals_get(head, "trandate");
	sqlite3_stmt *st = NULL;
	bool ok = false;
	const char *sql =
	    pp && pp->type == SQLITE_INTEGER
		? "SELECT id, periodname, isposting, closed, alllocked, aplocked FROM "
		  "accountingperiod WHERE id = ?"
		: "SELECT id, periodname, isposting, closed, alllocked, aplocked FROM "
		  "accountingperiod WHERE isposting = 'T' AND startdate <= ? AND enddate >= ?";

	if (sqlite3_prepare_v2(w->ns->db, sql, -1, &st, NULL) != SQLITE_OK)
		return user_error(w, "postingPeriod", "No accounting period.");
	if (pp && pp->type == SQLITE_INTEGER) {
		sqlite3_bind_int64(st, 1, pp->i);
	} else {
		sqlite3_bind_text(st, 1, date->s, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, date->s, -1, SQLITE_STATIC);
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		user_error(w, "postingPeriod",
			   "No open accounting period exists for the transaction date.");
		goto out;
	}
	{
		const char *name = (const char *)sqlite3_column_text(st, 1);
		bool posting = sqlite3_column_text(st, 2)[0] == 'T';
		bool closed = sqlite3_column_text(st, 3)[0] == 'T';
		bool locked = sqlite3_column_text(st, 4)[0] == 'T' ||
			      (ap && sqlite3_column_text(st, 5)[0] == 'T');
		if (!posting) {
			user_error(w, "postingPeriod",
				   "The posting period is not a posting period.");
			goto out;
		}
		if (closed || locked) {
			ns_result_error(w->r, 400, "USER_ERROR", "postingPeriod",
					"The accounting period %s is %s. You cannot post to a "
					"closed or locked period; choose an open period.",
					name, closed ? "closed" : "locked");
			goto out;
		}
		colvals_set_int(head, "postingperiod", sqlite3_column_int64(st, 0));
		ok = true;
	}
out:
	sqlite3_finalize(st);
	return ok;
}

static bool exec_insert(struct ns_write_ctx *w, const char *table, const struct colvals *cv)
{
	struct mlc_buf sql = MLC_BUF_INIT;
	sqlite3_stmt *st = NULL;
	bool ok;

	buf_addf(&sql, "INSERT INTO \"%s\" (", table);
	for (size_t i = 0; i < cv->n; i++)
		buf_addf(&sql, "%s\"%s\"", i ? ", " : "", cv->v[i].col);
	buf_addstr(&sql, ") VALUES (");
	for (size_t i = 0; i < cv->n; i++)
		buf_addstr(&sql, i ? ", ?" : "?");
	buf_addstr(&sql, ")");
	ok = sqlite3_prepare_v2(w->ns->db, sql.data, -1, &st, NULL) == SQLITE_OK;
	if (ok) {
		colvals_bind(cv, st, 1);
		ok = sqlite3_step(st) == SQLITE_DONE;
	}
	if (!ok) {
		bool dup = sqlite3_extended_errcode(w->ns->db) == SQLITE_CONSTRAINT_UNIQUE;
		ns_result_error(w->r, 400, dup ? "DUP_RCRD" : "UNEXPECTED_ERROR",
				dup ? "externalId" : NULL, "%s",
				dup ? "A record with this external ID already exists."
				    : sqlite3_errmsg(w->ns->db));
	}
	sqlite3_finalize(st);
	buf_release(&sql);
	return ok;
}

static void tal(struct ns_write_ctx *w, int64_t line, int64_t account, int64_t cents)
{
	struct colvals cv = {.n = 0};

	colvals_set_int(&cv, "transaction", w->id);
	colvals_set_int(&cv, "transactionline", line);
	colvals_set_int(&cv, "accountingbook", 1);
	colvals_set_int(&cv, "account", account);
	colvals_set_real(&cv, "amount", (double)cents / 100.0);
	colvals_set_real(&cv, "netamount", (double)cents / 100.0);
	if (cents >= 0)
		colvals_set_real(&cv, "debit", (double)cents / 100.0);
	else
		colvals_set_real(&cv, "credit", (double)-cents / 100.0);
	colvals_set_text(&cv, "posting", "T");
	colvals_set_text(&cv, "lastmodifieddate", w->now);
	MLC_UNUSED(exec_insert(w, "transactionaccountingline", &cv));
	colvals_release(&cv);
}

/*
 * An edit keeps each line's link to the order it was made from: over REST
 * a bill line carries orderDoc/orderLine, in SuiteQL transactionline.createdfrom
 * (docs/reference/netsuite.md "createdfrom"), and a person editing the
 * bill's amounts does not unlink it.  Lines are rewritten on every edit, so
 * the link of each surviving line (same id) is read before they are.
 */
static void keep_created_from(struct ns_write_ctx *w, struct line *lines, size_t n)
{
	char sql[160];

	for (size_t i = 0; i < n; i++) {
		int64_t from;
		if (colvals_get(&lines[i].cv, "createdfrom"))
			continue;
		snprintf(sql, sizeof(sql),
			 "SELECT createdfrom FROM transactionline WHERE \"transaction\" = %lld AND "
			 "id = %lld AND mainline = 'F'",
			 (long long)w->id, (long long)colvals_get(&lines[i].cv, "id")->i);
		from = nsdb_int(w->ns->db, sql, NULL, 0);
		if (from)
			colvals_set_int(&lines[i].cv, "createdfrom", from);
	}
}

void nstxn_write(struct ns_write_ctx *w, const json_t *body, const char *replace)
{
	size_t nhead_fields, nmain_fields;
	const struct rec_field *head_fields = nstxn_head(&nhead_fields);
	const struct rec_field *main_fields = nstxn_main(&nmain_fields);
	const struct ns_txn_type *tt = nstxn_find(w->type);
	bool journal = strcmp(tt->rest, "journalEntry") == 0;
	struct colvals head = {.n = 0}, mainl = {.n = 0};
	json_t *extra = json_object();
	struct line *lines = NULL;
	size_t nlines = 0;
	int64_t total = 0, debits = 0, credits = 0, uk;
	sqlite3 *db = w->ns->db;
	const char *key;
	json_t *v;
	char sql[256];

	MLC_UNUSED(replace);
	if (!rf_check_names(w, tt->def, head_fields, nhead_fields, body, ""))
		goto out;
	json_object_foreach ((json_t *)body, key, v) {
		const struct rec_field *f = rf_find(head_fields, nhead_fields, key);
		const struct rec_field *m = rf_find(main_fields, nmain_fields, key);
		if (m && strcmp(key, "account") == 0 && strcmp(tt->rest, "vendorBill") != 0)
			m = NULL;
		if (f && !rf_convert(w, f, v, key, &head))
			goto out;
		if (m && !rf_convert(w, m, v, key, &mainl))
			goto out;
		if (!f && !m && strcmp(key, "links") && strcmp(key, "refName") &&
		    !(json_is_object(v) && json_object_get(v, "items") &&
		      (strcmp(key, tt->subs[0]) == 0 ||
		       (tt->subs[1] && strcmp(key, tt->subs[1]) == 0))))
			json_object_set(extra, key, v);
	}
	if (!read_lines(w, tt, body, &lines, &nlines) || !check_lines(w, lines, nlines, journal))
		goto out;
	/* Required header fields and defaults. */
	if (!journal && !colvals_get(&head, "entity")) {
		user_error(w, "entity", "Please enter value(s) for: Vendor");
		goto out;
	}
	if (!journal) {
		snprintf(sql, sizeof(sql), "SELECT id FROM vendor WHERE id = %lld",
			 (long long)colvals_get(&head, "entity")->i);
		if (!nsdb_int(db, sql, NULL, 0)) {
			ns_result_error(w->r, 400, "INVALID_CONTENT", "entity",
					"Error while accessing a resource. Invalid value for the "
					"resource or sub-resource field 'entity'. Provide a valid "
					"value.");
			goto out;
		}
	}
	if (!colvals_get(&mainl, "subsidiary")) {
		if (journal) {
			user_error(w, "subsidiary", "Please enter value(s) for: Subsidiary");
			goto out;
		}
		snprintf(sql, sizeof(sql), "SELECT subsidiary FROM vendor WHERE id = %lld",
			 (long long)colvals_get(&head, "entity")->i);
		colvals_set_int(&mainl, "subsidiary", nsdb_int(db, sql, NULL, 1));
	}
	if (nlines == 0) {
		user_error(w, NULL, "You must enter at least one line item for this transaction.");
		goto out;
	}
	if (!colvals_get(&head, "trandate") ||
	    colvals_get(&head, "trandate")->type != SQLITE_TEXT) {
		char d[32];
		nsdb_ts(nssim_now_ms(w->ns), d);
		memcpy(d + 10, " 00:00:00", 10);
		colvals_set_text(&head, "trandate", d);
	}
	for (size_t i = 0; i < nlines; i++) {
		total += lines[i].cents;
		if (lines[i].cents > 0)
			debits += lines[i].cents;
		else
			credits -= lines[i].cents;
	}
	if (journal && debits != credits) {
		char d[MONEY_FMT_MAX], c[MONEY_FMT_MAX];
		money_format(debits, d);
		money_format(credits, c);
		ns_result_error(w->r, 400, "USER_ERROR", "line",
				"The transaction is out of balance: total debits %s do not equal "
				"total credits %s.",
				d, c);
		goto out;
	}
	if (tt->posting && !check_period(w, &head, !journal))
		goto out;
	if (strcmp(tt->rest, "vendorBill") == 0 && !colvals_get(&mainl, "expenseaccount"))
		colvals_set_int(
		    &mainl, "expenseaccount",
		    nsdb_int(db, "SELECT id FROM account WHERE accttype = 'AcctPay'", NULL, 0));
	if (!colvals_get(&head, "status"))
		colvals_set_text(&head, "status", journal ? "B" : tt->posting ? "A" : "B");
	if (!colvals_get(&head, "approvalstatus"))
		colvals_set_int(&head, "approvalstatus", 2);
	if (!colvals_get(&head, "currency"))
		colvals_set_int(&head, "currency", 1);
	colvals_set_real(&head, "foreigntotal", (double)(journal ? debits : total) / 100.0);
	colvals_set_text(&head, "lastmodifieddate", w->now);
	colvals_set_text(&head, "posting", tt->posting ? "T" : "F");
	colvals_set_text(&head, "voided", "F");
	colvals_set_text(&head, "type", tt->code);
	snprintf(sql, sizeof(sql), "%s", tt->rest);
	for (char *p = sql; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	colvals_set_text(&head, "recordtype", sql);
	if (w->creating) {
		char num[32];
		w->id = nsdb_int(db, "SELECT IFNULL(MAX(id), 0) + 1 FROM \"transaction\"", NULL, 1);
		snprintf(num, sizeof(num), "%s%lld", tt->prefix, (long long)w->id);
		colvals_set_int(&head, "id", w->id);
		colvals_set_text(&head, "transactionnumber", num);
		if (!colvals_get(&head, "tranid") && strcmp(tt->rest, "vendorBill") != 0)
			colvals_set_text(&head, "tranid", num);
		colvals_set_text(&head, "createddate", w->now);
		if (!exec_insert(w, "transaction", &head))
			goto out;
	} else {
		struct mlc_buf u = MLC_BUF_INIT;
		sqlite3_stmt *st = NULL;
		bool ok;
		buf_addstr(&u, "UPDATE \"transaction\" SET ");
		for (size_t i = 0; i < head.n; i++)
			buf_addf(&u, "%s\"%s\" = ?", i ? ", " : "", head.v[i].col);
		buf_addf(&u, " WHERE id = %lld", (long long)w->id);
		ok = sqlite3_prepare_v2(db, u.data, -1, &st, NULL) == SQLITE_OK;
		if (ok) {
			colvals_bind(&head, st, 1);
			ok = sqlite3_step(st) == SQLITE_DONE;
		}
		if (!ok)
			ns_result_error(w->r, 400, "DUP_RCRD", "externalId", "%s",
					sqlite3_errmsg(db));
		sqlite3_finalize(st);
		buf_release(&u);
		if (!ok)
			goto out;
		keep_created_from(w, lines, nlines);
		snprintf(sql, sizeof(sql),
			 "DELETE FROM transactionline WHERE \"transaction\" = %lld; DELETE FROM "
			 "transactionaccountingline WHERE \"transaction\" = %lld",
			 (long long)w->id, (long long)w->id);
		nsdb_run(db, sql);
	}
	/* Main line, then the sublist lines, then the GL impact. */
	uk = nsdb_int(db, "SELECT IFNULL(MAX(uniquekey), 0) FROM transactionline", NULL, 0);
	colvals_set_int(&mainl, "transaction", w->id);
	colvals_set_int(&mainl, "id", 0);
	colvals_set_int(&mainl, "linesequencenumber", 0);
	colvals_set_text(&mainl, "mainline", "T");
	colvals_set_text(&mainl, "taxline", "F");
	colvals_set_int(&mainl, "entity", journal ? 0 : colvals_get(&head, "entity")->i);
	if (journal)
		colvals_set_null(&mainl, "entity");
	colvals_set_real(&mainl, "foreignamount", (double)(journal ? 0 : -total) / 100.0);
	colvals_set_text(&mainl, "memo",
			 colvals_get(&head, "memo") ? colvals_get(&head, "memo")->s : NULL);
	colvals_set_int(&mainl, "uniquekey", ++uk);
	colvals_set_text(&mainl, "linelastmodifieddate", w->now);
	colvals_set_text(&mainl, "linecreateddate", w->now);
	if (!exec_insert(w, "transactionline", &mainl))
		goto out;
	for (size_t i = 0; i < nlines; i++) {
		struct line *L = &lines[i];
		colvals_set_int(&L->cv, "transaction", w->id);
		colvals_set_int(&L->cv, "linesequencenumber", colvals_get(&L->cv, "id")->i);
		colvals_set_text(&L->cv, "mainline", "F");
		colvals_set_text(&L->cv, "taxline", "F");
		colvals_set_int(&L->cv, "subsidiary", colvals_get(&mainl, "subsidiary")->i);
		colvals_set_int(&L->cv, "uniquekey", ++uk);
		if (!colvals_get(&L->cv, "isclosed"))
			colvals_set_text(&L->cv, "isclosed", "F");
		if (w->created_from)
			colvals_set_int(&L->cv, "createdfrom", w->created_from);
		colvals_set_text(&L->cv, "linelastmodifieddate", w->now);
		colvals_set_text(&L->cv, "linecreateddate", w->now);
		if (!exec_insert(w, "transactionline", &L->cv))
			goto out;
		if (tt->posting)
			tal(w, colvals_get(&L->cv, "id")->i, L->gl_account, L->cents);
	}
	if (strcmp(tt->rest, "vendorBill") == 0)
		tal(w, 0, colvals_get(&mainl, "expenseaccount")->i, -total);
	if (w->created_from) {
		snprintf(sql, sizeof(sql),
			 "UPDATE \"transaction\" SET status = 'G', lastmodifieddate = '%s' WHERE "
			 "id = %lld",
			 w->now, (long long)w->created_from);
		nsdb_run(db, sql);
		nssim_push(w->ns, "purchaseOrder", w->created_from, w->now, w->actor);
	}
	nsrec_extra_store(w->ns, tt->rest, w->id, extra);
	w->r->status = 204;
out:
	json_decref(extra);
	colvals_release(&head);
	colvals_release(&mainl);
	for (size_t i = 0; i < nlines; i++)
		colvals_release(&lines[i].cv);
	free(lines);
}
