/*
 * The cost-code segment's values as canonical cost codes
 * (netsuite/ns_segment_values.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netsuite/ns_segment_values.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/str.h"
#include "util/banned.h"

/* "03-300 Cast-in-Place Concrete" with code "03-300" -> "Cast-in-Place Concrete". */
static const char *strip_code(const char *name, const char *code)
{
	size_t n = strlen(code);
	if (strncmp(name, code, n) == 0 && (name[n] == ' ' || name[n] == '\0')) {
		name += n;
		while (*name == ' ')
			name++;
	}
	return name;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int cmp_code(const void *a, const void *b)
{
	const struct ns_cost_code *x = a, *y = b;
	int c = strcmp(x->code, y->code);
	return c ? c : cmp_i64(&x->id, &y->id);
}

/* The parent ids of the rows, sorted (the groupings). */
static int64_t *parents_of(const json_t *rows, size_t *n)
{
	int64_t *p = xcalloc(json_array_size(rows) + 1, sizeof(*p));
	size_t i;
	json_t *row;

	*n = 0;
	json_array_foreach (rows, i, row) {
		if (jsonx_id_or0(row, "parent"))
			p[(*n)++] = jsonx_id_or0(row, "parent");
	}
	qsort(p, *n, sizeof(*p), cmp_i64);
	return p;
}

/* The code a value carries: externalid, else the first word of the name. */
static void code_of(const json_t *row, const char *name, char *code, size_t size)
{
	const char *ext = jsonx_str(row, "externalid");
	size_t k = 0;

	if (ext && *ext) {
		str_copy(code, size, ext);
		return;
	}
	while (name[k] && name[k] != ' ' && k + 1 < size) {
		code[k] = name[k];
		k++;
	}
	code[k] = '\0';
}

/* Drops the second and later values of one code (sorted by code, then id). */
static size_t dedupe(struct ns_cost_code *v, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		if (out && strcmp(v[out - 1].code, v[i].code) == 0) {
			log_warn("two NetSuite cost-code values carry one code; the first is used",
				 "code", v[i].code);
			free(v[i].code);
			free(v[i].name);
			continue;
		}
		v[out++] = v[i];
	}
	return out;
}

int ns_cost_codes_read(struct mlc_netsuite *ns, const char *table, struct ns_cost_code **out,
		       size_t *n, struct mlc_error *err)
{
	struct mlc_buf q = MLC_BUF_INIT;
	json_t *rows = NULL, *row;
	struct ns_cost_code *v = NULL;
	int64_t *parents = NULL;
	size_t i, np = 0, nv = 0;
	int rc;

	*out = NULL;
	*n = 0;
	buf_addf(&q, "SELECT id, name, externalid, isinactive, parent FROM %s ORDER BY id", table);
	rc = netsuite_suiteql_all(ns, q.data, &rows, err);
	if (rc < 0)
		goto out;
	parents = parents_of(rows, &np);
	v = xcalloc(json_array_size(rows) + 1, sizeof(*v));
	json_array_foreach (rows, i, row) {
		const char *name = jsonx_str(row, "name");
		int64_t id = 0;
		char code[64];

		if (jsonx_id(row, "id", &id) < 0 || !id || !name ||
		    bsearch(&id, parents, np, sizeof(*parents), cmp_i64))
			continue;
		code_of(row, name, code, sizeof(code));
		if (!code[0])
			continue;
		v[nv].id = id;
		v[nv].code = xstrdup(code);
		v[nv].name = xstrdup(strip_code(name, code));
		v[nv].active = !jsonx_bool(row, "isinactive");
		nv++;
	}
	qsort(v, nv, sizeof(*v), cmp_code);
	*n = dedupe(v, nv);
	*out = v;
	v = NULL;
	rc = MLC_OK;
out:
	free(v);
	free(parents);
	json_decref(rows);
	buf_release(&q);
	return rc;
}

/* Whether a value with an id below id may carry code (the list read
 * keeps the lowest): any externalid equal to it, or a name that is the
 * code or starts with it and a space.  Errs on yes. */
static int lower_namesake(struct mlc_netsuite *ns, const char *table, int64_t id, const char *code,
			  bool *any, struct mlc_error *err)
{
	struct mlc_buf q = MLC_BUF_INIT, like = MLC_BUF_INIT;
	json_t *rows = NULL;
	int rc;

	buf_addf(&like, "%s %%", code);
	buf_addf(&q, "SELECT id FROM %s WHERE id < %lld AND (externalid = ", table, (long long)id);
	netsuite_sql_quote(code, &q);
	buf_addstr(&q, " OR name = ");
	netsuite_sql_quote(code, &q);
	buf_addstr(&q, " OR name LIKE ");
	netsuite_sql_quote(like.data, &q);
	buf_addstr(&q, ")");
	rc = netsuite_suiteql_all(ns, q.data, &rows, err);
	*any = rc < 0 || json_array_size(rows) > 0;
	json_decref(rows);
	buf_release(&like);
	buf_release(&q);
	return rc;
}

int ns_cost_code_one(struct mlc_netsuite *ns, const char *table, int64_t id,
		     struct ns_cost_code *out, bool *found, struct mlc_error *err)
{
	struct mlc_buf q = MLC_BUF_INIT;
	json_t *rows = NULL, *row, *self = NULL;
	const char *name;
	char code[64];
	bool grouping = false, namesake = false;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	*found = false;
	/* the value and the values that hang from it (a grouping has some) */
	buf_addf(&q,
		 "SELECT id, name, externalid, isinactive, parent FROM %s WHERE id = %lld OR "
		 "parent = %lld ORDER BY id",
		 table, (long long)id, (long long)id);
	rc = netsuite_suiteql_all(ns, q.data, &rows, err);
	if (rc < 0)
		goto out;
	json_array_foreach (rows, i, row) {
		if (jsonx_id_or0(row, "id") == id)
			self = row;
		else if (jsonx_id_or0(row, "parent") == id)
			grouping = true;
	}
	name = jsonx_str(self, "name");
	if (!self || grouping || !name)
		goto out;
	code_of(self, name, code, sizeof(code));
	if (!code[0])
		goto out;
	rc = lower_namesake(ns, table, id, code, &namesake, err);
	if (rc < 0 || namesake)
		goto out;
	out->id = id;
	out->code = xstrdup(code);
	out->name = xstrdup(strip_code(name, code));
	out->active = !jsonx_bool(self, "isinactive");
	*found = true;
out:
	json_decref(rows);
	buf_release(&q);
	return rc;
}

void ns_cost_codes_free(struct ns_cost_code *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].code);
		free(v[i].name);
	}
	free(v);
}

static int cmp_key(const void *key, const void *elem)
{
	return strcmp(key, ((const struct ns_cost_code *)elem)->code);
}

const struct ns_cost_code *ns_cost_code_find(const struct ns_cost_code *v, size_t n,
					     const char *code)
{
	return n ? bsearch(code, v, n, sizeof(*v), cmp_key) : NULL;
}

int ns_cost_code_write(struct mlc_netsuite *ns, const char *table,
		       const struct ns_cost_code_write *w, int64_t *id_out, struct mlc_error *err)
{
	struct mlc_buf full = MLC_BUF_INIT;
	char ncode[NS_CODE_MAX] = "";
	json_t *b = json_object();
	bool create = w->id == 0;
	int rc;

	if (create || w->set_name) {
		buf_addf(&full, "%s %s", w->code, w->name);
		json_object_set_new(b, "name", json_string(full.data));
	}
	if (create || w->set_active)
		json_object_set_new(b, "isInactive", json_boolean(!w->active));
	if (create)
		rc = netsuite_upsert(ns, table, w->code, b, id_out, ncode, err);
	else
		rc = netsuite_update(ns, table, w->id, b, ncode, err);
	buf_release(&full);
	return rc;
}
