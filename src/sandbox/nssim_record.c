#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sandbox/nssim_rec.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

/*
 * The REST record service for non-transaction records (docs/reference/netsuite.md "REST
 * record service"), and the dispatch to nssim_txn.c for transactions.
 * The record types and their fields are generated into nssim_fields.c
 * from nssim_schema.json (nsrec_types, nssim_rec.h).
 * Field names and JSON types follow docs/reference/netsuite/records.json; fields that
 * docs/reference/netsuite/records.json knows but the simulator does not model are kept verbatim in
 * _extra and returned on GET; anything else is 400 INVALID_CONTENT with o:errorPath.
 */

static const struct nsrec_type *find_type(const char *rest)
{
	for (size_t i = 0; i < nsrec_ntypes; i++)
		if (strcmp(nsrec_types[i].rest, rest) == 0)
			/* no segment in the account: its values' record type is unknown */
			return nsrec_types[i].rest == nsdb_seg_table && !nsdb_seg_present
				   ? NULL
				   : &nsrec_types[i];
	return NULL;
}

bool nsrec_known_type(const char *type)
{
	return find_type(type) || nstxn_is_transaction(type) || strcmp(type, "budgetImport") == 0;
}

static const char *table_of(const char *type)
{
	const struct nsrec_type *rt = find_type(type);

	return rt ? rt->table : "transaction";
}

static json_t *render_simple(struct nssim *ns, const struct nsrec_type *rt, int64_t id,
			     const char *base)
{
	struct mlc_buf sql = MLC_BUF_INIT;
	sqlite3_stmt *st = NULL;
	json_t *o = NULL, *extra;

	buf_addstr(&sql, "SELECT ");
	for (size_t i = 0; i < rt->n; i++)
		buf_addf(&sql, "%s%s", i ? ", " : "", rt->fields[i].col);
	buf_addf(&sql, " FROM %s WHERE id = ?", rt->table);
	if (sqlite3_prepare_v2(ns->db, sql.data, -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out;
	o = json_object();
	json_object_set_new(o, "links", nsrec_self_links(base, rt->rest, id, NULL));
	for (size_t i = 0; i < rt->n; i++)
		rf_render(ns, base, &rt->fields[i], st, (int)i, o);
	extra = nsrec_extra_load(ns, rt->rest, id);
	if (extra)
		json_object_update_missing(o, extra);
	json_decref(extra);
	if (json_object_get(o, "companyName") || json_object_get(o, "name"))
		json_object_set(
		    o, "refName",
		    json_object_get(o, json_object_get(o, "companyName") ? "companyName" : "name"));
out:
	sqlite3_finalize(st);
	buf_release(&sql);
	return o;
}

static int64_t lookup_eid(struct nssim *ns, const char *table, const char *type, const char *eid)
{
	char sql[200];
	sqlite3_stmt *st = NULL;
	int64_t id = 0;

	if (strcmp(table, "transaction") == 0)
		snprintf(sql, sizeof(sql),
			 "SELECT id FROM \"transaction\" WHERE externalid = ? AND recordtype = "
			 "lower('%s')",
			 type);
	else
		snprintf(sql, sizeof(sql), "SELECT id FROM \"%s\" WHERE externalid = ?", table);
	if (sqlite3_prepare_v2(ns->db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, eid, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return id;
}

/* Resolves a path id ("12" or "eid:X") to an internal id, 0 if none. */
static int64_t resolve_id(struct nssim *ns, const char *type, const char *text, bool *is_eid)
{
	struct mlc_error err;
	int64_t id = 0;

	*is_eid = str_starts_with(text, "eid:");
	if (*is_eid)
		return lookup_eid(ns, table_of(type), type, text + 4);
	if (num_parse_id(text, &id, &err) < 0)
		return 0;
	if (nstxn_is_transaction(type)) {
		char sql[160];
		snprintf(
		    sql, sizeof(sql),
		    "SELECT id FROM \"transaction\" WHERE id = %lld AND recordtype = lower('%s')",
		    (long long)id, type);
		return nsdb_int(ns->db, sql, NULL, 0);
	}
	{
		char sql[160];
		snprintf(sql, sizeof(sql), "SELECT id FROM \"%s\" WHERE id = %lld", table_of(type),
			 (long long)id);
		return nsdb_int(ns->db, sql, NULL, 0);
	}
}

static void not_found(struct ns_result *r, const char *type, const char *id)
{
	ns_result_error(r, 404, "NONEXISTENT_ID", NULL,
			"The record instance does not exist. Provide a valid record instance ID. "
			"(%s %s)",
			type, id);
}

void nsrec_get(struct nssim *ns, const char *type, const char *idtext, bool expand,
	       const char *base, struct ns_result *r)
{
	const struct nsrec_type *rt = find_type(type);
	bool is_eid;
	int64_t id;

	memset(r, 0, sizeof(*r));
	pthread_mutex_lock(&ns->db_lock);
	if (strcmp(type, "budgetImport") == 0) {
		json_t *tmp = json_string(idtext);
		id = nsrec_parse_id(tmp);
		json_decref(tmp);
		r->body = id ? nsbudget_get(ns, id, base) : NULL;
		pthread_mutex_unlock(&ns->db_lock);
		if (!r->body)
			not_found(r, type, idtext);
		else
			r->status = 200;
		return;
	}
	id = resolve_id(ns, type, idtext, &is_eid);
	if (id)
		r->body =
		    rt ? render_simple(ns, rt, id, base) : nstxn_get(ns, type, id, expand, base);
	pthread_mutex_unlock(&ns->db_lock);
	if (!r->body) {
		not_found(r, type, idtext);
		return;
	}
	r->status = 200;
}

/* ---- writes ---- */

static void write_simple(struct ns_write_ctx *w, const struct nsrec_type *rt, const json_t *body)
{
	struct nssim *ns = w->ns;
	struct colvals cv = {.n = 0};
	struct mlc_buf sql = MLC_BUF_INIT;
	json_t *extra = json_object();
	sqlite3_stmt *st = NULL;
	const char *key;
	json_t *v;

	if (!rf_check_names(w, rt->def, rt->fields, rt->n, body, ""))
		goto out;
	json_object_foreach ((json_t *)body, key, v) {
		const struct rec_field *f = rf_find(rt->fields, rt->n, key);
		if (!f) {
			if (strcmp(key, "links") && strcmp(key, "refName"))
				json_object_set(extra, key, v);
			continue;
		}
		if (!rf_convert(w, f, v, key, &cv))
			goto out;
	}
	/* Required fields and derived columns. */
	if (rt->entity_type) {
		const struct colval *cn = colvals_get(&cv, "companyname");
		const struct colval *eid = colvals_get(&cv, "entityid");
		if (!cn || cn->type != SQLITE_TEXT || !*cn->s) {
			ns_result_error(w->r, 400, "USER_ERROR", "companyName",
					"Please enter value(s) for: Company Name");
			goto out;
		}
		if (strcmp(rt->rest, "vendor") == 0 && !colvals_get(&cv, "subsidiary")) {
			ns_result_error(w->r, 400, "USER_ERROR", "subsidiary",
					"Please enter value(s) for: Primary Subsidiary");
			goto out;
		}
		if (!eid || eid->type != SQLITE_TEXT)
			colvals_set_text(&cv, "entityid", cn->s);
		if (!colvals_get(&cv, "altname"))
			colvals_set_text(&cv, "altname", colvals_get(&cv, "companyname")->s);
	} else if (nsdb_column(nsdb_table(rt->table), "name")) {
		const struct colval *nm = colvals_get(&cv, "name");
		if (!nm || nm->type != SQLITE_TEXT || !*nm->s) {
			ns_result_error(w->r, 400, "USER_ERROR", "name",
					"Please enter value(s) for: Name");
			goto out;
		}
		if (nsdb_column(nsdb_table(rt->table), "fullname"))
			colvals_set_text(&cv, "fullname", nm->s);
	} else if (strcmp(rt->rest, "account") == 0) {
		const struct colval *num = colvals_get(&cv, "acctnumber");
		const struct colval *nm = colvals_get(&cv, "acctname");
		char full[300];
		if (!nm || nm->type != SQLITE_TEXT) {
			ns_result_error(w->r, 400, "USER_ERROR", "acctName",
					"Please enter value(s) for: Name");
			goto out;
		}
		snprintf(full, sizeof(full), "%s%s%s", num && num->s ? num->s : "",
			 num && num->s ? " " : "", nm->s);
		colvals_set_text(&cv, "fullname", full);
		colvals_set_text(&cv, "accountsearchdisplayname", full);
		colvals_set_text(&cv, "displaynamewithhierarchy", full);
	}
	if (nsdb_column(nsdb_table(rt->table), "isinactive") && !colvals_get(&cv, "isinactive"))
		colvals_set_text(&cv, "isinactive", "F");
	colvals_set_text(&cv, rt->lmd_col, w->now);
	if (w->creating) {
		if (rt->entity_type) {
			w->id =
			    nsdb_int(ns->db, "SELECT IFNULL(MAX(id), 0) + 1 FROM entity", NULL, 1);
			colvals_set_text(&cv, "datecreated", w->now);
		} else {
			char q[128];
			snprintf(q, sizeof(q), "SELECT IFNULL(MAX(id), 0) + 1 FROM %s", rt->table);
			w->id = nsdb_int(ns->db, q, NULL, 1);
			if (strcmp(rt->lmd_col, "lastmodified") == 0)
				colvals_set_text(&cv, "created", w->now);
		}
		colvals_set_int(&cv, "id", w->id);
		buf_addf(&sql, "INSERT INTO %s (", rt->table);
		for (size_t i = 0; i < cv.n; i++)
			buf_addf(&sql, "%s%s", i ? ", " : "", cv.v[i].col);
		buf_addstr(&sql, ") VALUES (");
		for (size_t i = 0; i < cv.n; i++)
			buf_addstr(&sql, i ? ", ?" : "?");
		buf_addstr(&sql, ")");
	} else {
		buf_addf(&sql, "UPDATE %s SET ", rt->table);
		for (size_t i = 0; i < cv.n; i++)
			buf_addf(&sql, "%s%s = ?", i ? ", " : "", cv.v[i].col);
		buf_addf(&sql, " WHERE id = %lld", (long long)w->id);
	}
	if (sqlite3_prepare_v2(ns->db, sql.data, -1, &st, NULL) != SQLITE_OK) {
		ns_result_error(w->r, 500, "UNEXPECTED_ERROR", NULL, "%s", sqlite3_errmsg(ns->db));
		goto out;
	}
	colvals_bind(&cv, st, 1);
	if (sqlite3_step(st) != SQLITE_DONE) {
		bool dup = sqlite3_extended_errcode(ns->db) == SQLITE_CONSTRAINT_UNIQUE;
		ns_result_error(w->r, 400, dup ? "DUP_RCRD" : "UNEXPECTED_ERROR",
				dup ? "externalId" : NULL, "%s",
				dup ? "A record with this external ID already exists."
				    : sqlite3_errmsg(ns->db));
		goto out;
	}
	if (rt->entity_type) {
		const struct colval *e = colvals_get(&cv, "entityid");
		const struct colval *t = colvals_get(&cv, "companyname");
		const struct colval *x = colvals_get(&cv, "externalid");
		const struct colval *ia = colvals_get(&cv, "isinactive");
		sqlite3_finalize(st);
		st = NULL;
		if (sqlite3_prepare_v2(
			ns->db, "INSERT OR REPLACE INTO entity VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1,
			&st, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, w->id);
			sqlite3_bind_text(st, 2, e && e->s ? e->s : "", -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, t && t->s ? t->s : "", -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 4, t && t->s ? t->s : "", -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 5, rt->entity_type, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 6, ia && ia->s ? ia->s : "F", -1, SQLITE_STATIC);
			if (x && x->s)
				sqlite3_bind_text(st, 7, x->s, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 8, w->now, -1, SQLITE_STATIC);
			sqlite3_step(st);
		}
		if (strcmp(rt->rest, "vendor") == 0 && w->creating) {
			const struct colval *sub = colvals_get(&cv, "subsidiary");
			char q[160];
			snprintf(
			    q, sizeof(q),
			    "INSERT INTO vendorsubsidiaryrelationship VALUES (%lld, %lld, 'T')",
			    (long long)w->id, (long long)(sub ? sub->i : 1));
			nsdb_run(ns->db, q);
		}
	}
	nsrec_extra_store(ns, rt->rest, w->id, extra);
	w->r->status = 204;
out:
	sqlite3_finalize(st);
	buf_release(&sql);
	colvals_release(&cv);
	json_decref(extra);
}

const struct ns_actor nssim_actor_rest = {NSSIM_INTEGRATION_USER, "RESTWEBSERVICES"};
const struct ns_actor nssim_actor_ui = {NSSIM_UI_USER, "USERINTERFACE"};

void nsrec_write(struct nssim *ns, const char *type, const char *idtext, bool is_put,
		 const json_t *body, const char *replace, struct ns_result *r)
{
	nsrec_write_as(ns, &nssim_actor_ui, type, idtext, is_put, body, replace, r);
}

void nsrec_write_as(struct nssim *ns, const struct ns_actor *actor, const char *type,
		    const char *idtext, bool is_put, const json_t *body, const char *replace,
		    struct ns_result *r)
{
	const struct nsrec_type *rt = find_type(type);
	struct ns_write_ctx w = {.ns = ns, .actor = actor, .type = type, .r = r};
	json_t *merged = NULL;
	bool is_eid = false;
	const char *eid = NULL;

	memset(r, 0, sizeof(*r));
	if (strcmp(type, "budgetImport") == 0) {
		if (idtext || is_put || !json_is_object(body)) {
			ns_result_error(
			    r, 400, "USER_ERROR", NULL,
			    "budgetImport records are created with POST and a JSON body; "
			    "a line with the same criteria is replaced.");
			return;
		}
		pthread_mutex_lock(&ns->db_lock);
		nsdb_ts(nssim_now_ms(ns), w.now);
		nsdb_run(ns->db, "SAVEPOINT w");
		nsbudget_import(&w, body);
		if (r->status == 204) {
			snprintf(r->location, sizeof(r->location),
				 "/services/rest/record/v1/budgetImport/%lld", (long long)w.id);
			nsdb_run(ns->db, "RELEASE w");
		} else {
			nsdb_run(ns->db, "ROLLBACK TO w; RELEASE w");
		}
		pthread_mutex_unlock(&ns->db_lock);
		return;
	}
	if (!rt && !nstxn_is_transaction(type)) {
		ns_result_error(r, 404, "INVALID_RCRD_TYPE", NULL,
				"Record type '%s' does not exist.", type);
		return;
	}
	/* not writable over the API; a person still adds subsidiaries (and edits
	 * periods) in the UI, which the admin routes stand for */
	if (rt && !rt->writable && actor != &nssim_actor_ui) {
		ns_result_error(r, 400, "USER_ERROR", NULL,
				"The simulator does not support writing %s records.", type);
		return;
	}
	pthread_mutex_lock(&ns->db_lock);
	nsdb_ts(nssim_now_ms(ns), w.now);
	nsdb_run(ns->db, "SAVEPOINT w");
	if (idtext && strstr(idtext, "/!transform/")) {
		if (strcmp(type, "purchaseOrder") ||
		    !str_ends_with(idtext, "/!transform/vendorBill")) {
			ns_result_error(r, 400, "INVALID_CONTENT", NULL,
					"Transform is supported from purchaseOrder to vendorBill.");
			goto out;
		}
		{
			char *pid = xstrndup(idtext, (size_t)(strchr(idtext, '/') - idtext));
			w.id = resolve_id(ns, type, pid, &is_eid);
			free(pid);
		}
		if (!w.id) {
			not_found(r, type, idtext);
			goto out;
		}
		merged = nstxn_transform_bill(ns, w.id, body, r);
		if (!merged)
			goto out;
		w.type = type = "vendorBill";
		w.created_from = w.id;
		w.id = 0;
		w.creating = true;
	} else if (idtext) {
		w.id = resolve_id(ns, type, idtext, &is_eid);
		if (is_eid)
			eid = idtext + 4;
		if (!w.id && !(is_put && is_eid)) {
			not_found(r, type, idtext);
			goto out;
		}
		w.creating = w.id == 0;
	} else {
		w.creating = true;
	}
	if (!merged) {
		if (!json_is_object(body)) {
			ns_result_error(
			    r, 400, "INVALID_CONTENT", NULL,
			    "Error while accessing a resource. The request body must be "
			    "a JSON object.");
			goto out;
		}
		if (w.creating) {
			merged = json_deep_copy(body);
		} else {
			merged = rt ? render_simple(ns, rt, w.id, "")
				    : nstxn_get(ns, type, w.id, true, "");
			/* a multiselect in the body is its whole new value, not lines to add */
			for (size_t i = 0; rt && merged && i < rt->n; i++)
				if (rt->fields[i].kind == RF_REFS &&
				    json_object_get(body, rt->fields[i].rest))
					json_object_del(merged, rt->fields[i].rest);
			nstxn_merge(merged, body, replace);
		}
		if (eid)
			json_object_set_new(merged, "externalId", json_string(eid));
	}
	if (rt)
		write_simple(&w, rt, merged);
	else
		nstxn_write(&w, merged, replace);
	if (r->status == 204) {
		snprintf(r->location, sizeof(r->location), "/services/rest/record/v1/%s/%lld", type,
			 (long long)w.id);
		if (nstxn_is_transaction(type) || strcmp(type, "vendor") == 0 ||
		    strcmp(type, nsdb_seg_table) == 0)
			nssim_push(ns, type, w.id, w.now, actor);
	}
out:
	if (r->status == 204)
		nsdb_run(ns->db, "RELEASE w");
	else
		nsdb_run(ns->db, "ROLLBACK TO w; RELEASE w");
	pthread_mutex_unlock(&ns->db_lock);
	json_decref(merged);
}
