#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/nssim_rec.h"
#include "util/money.h"
#include "util/num.h"
#include "util/str.h"
#include "util/banned.h"

/* Field conversion between REST JSON and the tables (see nssim_rec.h). */

void colvals_release(struct colvals *cv)
{
	for (size_t i = 0; i < cv->n; i++)
		free(cv->v[i].s);
	cv->n = 0;
}

static struct colval *slot(struct colvals *cv, const char *col)
{
	for (size_t i = 0; i < cv->n; i++) {
		if (strcmp(cv->v[i].col, col) == 0) {
			free(cv->v[i].s);
			cv->v[i].s = NULL;
			return &cv->v[i];
		}
	}
	if (cv->n == MLC_ARRAY_LEN(cv->v))
		abort(); /* a programming error: more bound columns than any table has */
	cv->v[cv->n].col = col;
	cv->v[cv->n].s = NULL;
	return &cv->v[cv->n++];
}

void colvals_set_text(struct colvals *cv, const char *col, const char *s)
{
	struct colval *v = slot(cv, col);

	v->type = s ? SQLITE_TEXT : SQLITE_NULL;
	v->s = s ? xstrdup(s) : NULL;
}

void colvals_set_int(struct colvals *cv, const char *col, int64_t i)
{
	struct colval *v = slot(cv, col);

	v->type = SQLITE_INTEGER;
	v->i = i;
}

void colvals_set_real(struct colvals *cv, const char *col, double d)
{
	struct colval *v = slot(cv, col);

	v->type = SQLITE_FLOAT;
	v->d = d;
}

void colvals_set_null(struct colvals *cv, const char *col)
{
	slot(cv, col)->type = SQLITE_NULL;
}

const struct colval *colvals_get(const struct colvals *cv, const char *col)
{
	for (size_t i = 0; i < cv->n; i++)
		if (strcmp(cv->v[i].col, col) == 0)
			return &cv->v[i];
	return NULL;
}

void colvals_bind(const struct colvals *cv, sqlite3_stmt *st, int first)
{
	for (size_t i = 0; i < cv->n; i++) {
		int idx = first + (int)i;
		switch (cv->v[i].type) {
		case SQLITE_INTEGER:
			sqlite3_bind_int64(st, idx, cv->v[i].i);
			break;
		case SQLITE_FLOAT:
			sqlite3_bind_double(st, idx, cv->v[i].d);
			break;
		case SQLITE_TEXT:
			sqlite3_bind_text(st, idx, cv->v[i].s, -1, SQLITE_STATIC);
			break;
		default:
			sqlite3_bind_null(st, idx);
			break;
		}
	}
}

const struct rec_field *rf_find(const struct rec_field *fields, size_t n, const char *rest)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(fields[i].rest, rest) == 0)
			/* an account without the segment has no such field */
			return fields[i].rest == nsdb_seg_field && !nsdb_seg_present ? NULL
										     : &fields[i];
	return NULL;
}

int64_t nsrec_parse_id(const json_t *v)
{
	int64_t id = 0;
	struct mlc_error err;

	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? json_integer_value(v) : 0;
	if (json_is_string(v) && num_parse_id(json_string_value(v), &id, &err) == 0)
		return id;
	return 0;
}

static bool bad(struct ns_write_ctx *w, const char *path, const char *why)
{
	ns_result_error(w->r, 400, "INVALID_CONTENT", path,
			"Error while accessing a resource. Invalid value for the field '%s': %s.",
			path, why);
	return false;
}

static bool valid_date(const char *s)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	return s[5] <= '1' && s[8] <= '3';
}

bool rf_convert(struct ns_write_ctx *w, const struct rec_field *f, const json_t *v,
		const char *path, struct colvals *cv)
{
	if (f->kind == RF_RO || f->kind == RF_TS || !f->col)
		return true;
	if (json_is_null(v)) {
		colvals_set_null(cv, f->col);
		return true;
	}
	switch (f->kind) {
	case RF_STR:
		if (!json_is_string(v))
			return bad(w, path, "expected a string");
		colvals_set_text(cv, f->col, json_string_value(v));
		return true;
	case RF_BOOL:
		if (!json_is_boolean(v))
			return bad(w, path, "expected a boolean");
		colvals_set_text(cv, f->col, json_is_true(v) ? "T" : "F");
		return true;
	case RF_INT:
		if (!json_is_integer(v))
			return bad(w, path, "expected an integer");
		colvals_set_int(cv, f->col, json_integer_value(v));
		return true;
	case RF_NUM:
		if (!json_is_number(v))
			return bad(w, path, "expected a number");
		colvals_set_real(cv, f->col, json_number_value(v));
		return true;
	case RF_MONEY: {
		int64_t cents;
		struct mlc_error err;
		if (!json_is_number(v) || money_from_json(v, &cents, &err) < 0)
			return bad(w, path, "expected an amount with at most two decimals");
		colvals_set_real(cv, f->col, (double)cents / 100.0);
		return true;
	}
	case RF_DATE:
		if (!json_is_string(v) || !valid_date(json_string_value(v)))
			return bad(w, path, "expected a date YYYY-MM-DD");
		{
			char d[32];
			snprintf(d, sizeof(d), "%s 00:00:00", json_string_value(v));
			colvals_set_text(cv, f->col, d);
		}
		return true;
	case RF_ENUM: {
		const json_t *id = json_is_object(v) ? json_object_get(v, "id") : v;
		if (!json_is_string(id))
			return bad(w, path, "expected {\"id\": value}");
		colvals_set_text(cv, f->col, json_string_value(id));
		return true;
	}
	case RF_REF: {
		int64_t id = nsrec_ref(w, f->ref, v, path);
		if (!id)
			return false;
		colvals_set_int(cv, f->col, id);
		return true;
	}
	case RF_REFS: {
		/* Oracle, "Format of Multiselects": a collection of references,
		 * {"items": [{"id": "1"}, ...]} */
		const json_t *items = json_is_object(v) ? json_object_get(v, "items") : NULL;
		struct mlc_buf ids = MLC_BUF_INIT;
		const json_t *it;
		size_t i;
		if (!json_is_array(items))
			return bad(w, path, "expected {\"items\": [{\"id\": value}, ...]}");
		json_array_foreach (items, i, it) {
			char ipath[300];
			int64_t id;
			snprintf(ipath, sizeof(ipath), "%s.items[%zu]", path, i);
			id = nsrec_ref(w, f->ref, it, ipath);
			if (!id) {
				buf_release(&ids);
				return false;
			}
			buf_addf(&ids, "%s%lld", i ? ", " : "", (long long)id);
		}
		colvals_set_text(cv, f->col, ids.len ? ids.data : NULL);
		buf_release(&ids);
		return true;
	}
	default:
		return true;
	}
}

json_t *nsrec_self_links(const char *base, const char *type, int64_t id, const char *suffix)
{
	char href[512];

	snprintf(href, sizeof(href), "%s/services/rest/record/v1/%s/%lld%s", base, type,
		 (long long)id, suffix ? suffix : "");
	return json_pack("[{s:s,s:s}]", "rel", "self", "href", href);
}

const char *nsrec_rest_type(struct nssim *ns, const char *table, int64_t id)
{
	static const struct {
		const char *table, *rest;
	} map[] = {
	    {"vendor", "vendor"},
	    {"vendorcategory", "vendorCategory"},
	    {"customer", "customer"},
	    {"job", "job"},
	    {"account", "account"},
	    {"accountingperiod", "accountingPeriod"},
	    {"department", "department"},
	    {"classification", "classification"},
	    {"location", "location"},
	    {"subsidiary", "subsidiary"},
	    {"currency", "currency"},
	    {"item", "nonInventoryPurchaseItem"},
	    {nsdb_seg_table, nsdb_seg_table},
	};
	if (strcmp(table, "entity") == 0 || strcmp(table, "transaction") == 0) {
		/* These tables hold several record types: the row's type says which. */
		static const struct {
			const char *code, *rest;
		} kinds[] = {
		    {"Vendor", "vendor"},
		    {"Job", "job"},
		    {"VendBill", "vendorBill"},
		    {"Journal", "journalEntry"},
		};
		bool entity = strcmp(table, "entity") == 0;
		const char *t = entity ? "customer" : "purchaseOrder";
		sqlite3_stmt *st = NULL;
		char sql[96];
		snprintf(sql, sizeof(sql), "SELECT type FROM \"%s\" WHERE id = ?", table);
		if (sqlite3_prepare_v2(ns->db, sql, -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, id);
			if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
				const char *ty = (const char *)sqlite3_column_text(st, 0);
				for (size_t i = 0; i < MLC_ARRAY_LEN(kinds); i++)
					if (strcmp(ty, kinds[i].code) == 0)
						t = kinds[i].rest;
			}
		}
		sqlite3_finalize(st);
		return t;
	}
	for (size_t i = 0; i < MLC_ARRAY_LEN(map); i++)
		if (strcmp(map[i].table, table) == 0)
			return map[i].rest;
	return table;
}

json_t *nsrec_refjson(struct nssim *ns, const char *base, const char *type, const char *table,
		      int64_t id)
{
	const struct ns_table *t = nsdb_table(table);
	json_t *o;
	char idtxt[24], sql[256];
	sqlite3_stmt *st = NULL;

	snprintf(idtxt, sizeof(idtxt), "%lld", (long long)id);
	o = json_pack("{s:s}", "id", idtxt);
	if (t && t->df_col) {
		snprintf(sql, sizeof(sql), "SELECT %s FROM \"%s\" WHERE id = ?", t->df_col,
			 t->name);
		if (sqlite3_prepare_v2(ns->db, sql, -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, id);
			if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
				json_object_set_new(
				    o, "refName",
				    json_string((const char *)sqlite3_column_text(st, 0)));
		}
		sqlite3_finalize(st);
	}
	json_object_set_new(
	    o, "links",
	    nsrec_self_links(base, type ? type : nsrec_rest_type(ns, table, id), id, NULL));
	return o;
}

void rf_render(struct nssim *ns, const char *base, const struct rec_field *f, sqlite3_stmt *st,
	       int col, json_t *obj)
{
	const char *s;

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return;
	s = (const char *)sqlite3_column_text(st, col);
	switch (f->kind) {
	case RF_STR:
		json_object_set_new(obj, f->rest, json_string(s));
		break;
	case RF_BOOL:
		json_object_set_new(obj, f->rest, json_boolean(s && s[0] == 'T'));
		break;
	case RF_INT:
		json_object_set_new(obj, f->rest, json_integer(sqlite3_column_int64(st, col)));
		break;
	case RF_NUM:
	case RF_MONEY:
		json_object_set_new(obj, f->rest, json_real(sqlite3_column_double(st, col)));
		break;
	case RF_DATE: {
		char d[11];
		snprintf(d, sizeof(d), "%s", s);
		json_object_set_new(obj, f->rest, json_string(d));
		break;
	}
	case RF_TS: {
		/* "2026-11-26 16:12:48" -> "2026-11-26T16:12:48Z" */
		char d[32];
		snprintf(d, sizeof(d), "%.10sT%.8sZ", s, strlen(s) > 11 ? s + 11 : "00:00:00");
		json_object_set_new(obj, f->rest, json_string(d));
		break;
	}
	case RF_ENUM:
		json_object_set_new(obj, f->rest, json_pack("{s:s,s:s}", "id", s, "refName", s));
		break;
	case RF_REF:
		json_object_set_new(
		    obj, f->rest,
		    nsrec_refjson(ns, base, NULL, f->ref, sqlite3_column_int64(st, col)));
		break;
	case RF_REFS: {
		/* "1, 3" -> {"links": [...], "items": [{"links": [...], "id": "1"}, ...],
		 * "totalResults": 2} (Oracle, "Format of Multiselects") */
		json_t *items = json_array();
		const char *p = s;
		while (p && *p) {
			char *end;
			long long id = strtoll(p, &end, 10);
			if (end == p) {
				p++;
				continue;
			}
			json_array_append_new(items, nsrec_refjson(ns, base, NULL, f->ref, id));
			p = end;
		}
		json_object_set_new(obj, f->rest,
				    json_pack("{s:[],s:I,s:o}", "links", "totalResults",
					      (json_int_t)json_array_size(items), "items", items));
		break;
	}
	case RF_RO:
		json_object_set_new(obj, f->rest, json_string(s));
		break;
	}
}

/* Does v have the JSON type of a docs/reference/netsuite/records.json type string? */
static bool extra_type_ok(const char *type, const json_t *v)
{
	if (strncmp(type, "string", 6) == 0)
		return json_is_string(v);
	if (strcmp(type, "boolean") == 0)
		return json_is_boolean(v);
	if (strncmp(type, "number", 6) == 0)
		return json_is_number(v);
	if (strncmp(type, "integer", 7) == 0)
		return json_is_integer(v);
	if (strncmp(type, "array", 5) == 0)
		return json_is_array(v);
	return json_is_object(v); /* ref, refs, enum-ref, object, sublist */
}

bool rf_check_names(struct ns_write_ctx *w, const char *def, const struct rec_field *fields,
		    size_t n, const json_t *body, const char *prefix)
{
	const char *key;
	json_t *v;

	if (!json_is_object(body)) {
		ns_result_error(w->r, 400, "INVALID_CONTENT", prefix && *prefix ? prefix : NULL,
				"Error while accessing a resource. The request body must be a "
				"JSON object.");
		return false;
	}
	json_object_foreach ((json_t *)body, key, v) {
		char path[256];
		const struct ns_fielddef *fd;
		snprintf(path, sizeof(path), "%s%s", prefix ? prefix : "", key);
		if (rf_find(fields, n, key) || strcmp(key, "links") == 0 ||
		    strcmp(key, "refName") == 0)
			continue;
		fd = def ? nsfields_get(def, key) : NULL;
		if (fd) {
			/* Kept verbatim, but only with the JSON type
			 * docs/reference/netsuite/records.json gives. */
			if (json_is_null(v) || extra_type_ok(fd->type, v))
				continue;
			ns_result_error(w->r, 400, "INVALID_CONTENT", path,
					"Error while accessing a resource. Invalid value for the "
					"field '%s': expected %s.",
					path, fd->type);
			return false;
		}
		ns_result_error(w->r, 400, "INVALID_CONTENT", path,
				"Error while accessing a resource. The field '%s' does not exist "
				"on this record type.",
				key);
		return false;
	}
	return true;
}

json_t *nsrec_extra_load(struct nssim *ns, const char *type, int64_t id)
{
	sqlite3_stmt *st = NULL;
	json_t *j = NULL;

	if (sqlite3_prepare_v2(ns->db, "SELECT body FROM _extra WHERE rectype = ? AND id = ?", -1,
			       &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		j = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
	sqlite3_finalize(st);
	return j;
}

void nsrec_extra_store(struct nssim *ns, const char *type, int64_t id, const json_t *extra)
{
	sqlite3_stmt *st = NULL;
	char *txt;

	if (!extra || json_object_size(extra) == 0) {
		if (sqlite3_prepare_v2(ns->db, "DELETE FROM _extra WHERE rectype = ? AND id = ?",
				       -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, id);
			sqlite3_step(st);
		}
		sqlite3_finalize(st);
		return;
	}
	txt = json_dumps(extra, JSON_COMPACT);
	if (sqlite3_prepare_v2(ns->db, "INSERT OR REPLACE INTO _extra VALUES (?, ?, ?)", -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, id);
		sqlite3_bind_text(st, 3, txt, -1, SQLITE_STATIC);
		sqlite3_step(st);
	}
	sqlite3_finalize(st);
	free(txt);
}

int64_t nsrec_ref(struct ns_write_ctx *w, const char *table, const json_t *v, const char *path)
{
	struct nssim *ns = w->ns;
	sqlite3_stmt *st = NULL;
	const json_t *idv = json_is_object(v) ? json_object_get(v, "id") : NULL;
	const json_t *eid = json_is_object(v) ? json_object_get(v, "externalId") : NULL;
	int64_t id = 0, found = 0;
	char sql[160];

	if (idv)
		id = nsrec_parse_id(idv);
	if (id) {
		snprintf(sql, sizeof(sql), "SELECT id FROM \"%s\" WHERE id = ?", table);
		if (sqlite3_prepare_v2(ns->db, sql, -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, id);
			if (sqlite3_step(st) == SQLITE_ROW)
				found = id;
		}
	} else if (json_is_string(eid)) {
		snprintf(sql, sizeof(sql), "SELECT id FROM \"%s\" WHERE externalid = ?", table);
		if (sqlite3_prepare_v2(ns->db, sql, -1, &st, NULL) == SQLITE_OK) {
			sqlite3_bind_text(st, 1, json_string_value(eid), -1, SQLITE_STATIC);
			if (sqlite3_step(st) == SQLITE_ROW)
				found = sqlite3_column_int64(st, 0);
		}
	}
	sqlite3_finalize(st);
	if (!found)
		ns_result_error(w->r, 400, "INVALID_CONTENT", path,
				"Error while accessing a resource. Invalid value for the resource "
				"or sub-resource field '%s'. Provide a valid value.",
				path);
	return found;
}
