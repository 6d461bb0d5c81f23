#include <stdlib.h>
#include <string.h>

#include "core/mapping.h"
#include "util/csv.h"
#include "util/num.h"
#include "util/str.h"
#include "util/time.h"
#include "util/banned.h"

#define END                                                                                        \
	{                                                                                          \
		NULL, MAP_TEXT, false                                                              \
	}

static const struct mapping_col cc_keys[] = {
    {"cost_code", MAP_TEXT, true}, {"cost_type", MAP_TEXT, false}, END};
static const struct mapping_col cc_account_vals[] = {
    {"account", MAP_ID, true}, {"department", MAP_ID, false}, END};
static const struct mapping_col cc_only_keys[] = {{"cost_code", MAP_TEXT, true}, END};
static const struct mapping_col segment_vals[] = {{"segment_value", MAP_ID, true}, END};
static const struct mapping_col ct_keys[] = {{"cost_type", MAP_TEXT, true}, END};
static const struct mapping_col account_vals[] = {{"account", MAP_ID, true}, END};
static const struct mapping_col doc_keys[] = {{"document_type", MAP_TEXT, true}, END};

static const struct mapping_kind kinds[] = {
    {"cost-code-account", "Procore cost code (+ cost type) -> NetSuite expense account", cc_keys,
     cc_account_vals},
    {"cost-code-segment", "Procore cost code -> NetSuite cost-code segment value", cc_only_keys,
     segment_vals},
    {"cost-type-account", "Procore line item type <-> NetSuite expense account", ct_keys,
     account_vals},
    {"offset-account", "posting type -> NetSuite credit/offset account", doc_keys, account_vals},
};

const struct mapping_kind *mapping_kinds(size_t *n)
{
	*n = MLC_ARRAY_LEN(kinds);
	return kinds;
}

const struct mapping_kind *mapping_kind_find(const char *name)
{
	for (size_t i = 0; i < MLC_ARRAY_LEN(kinds); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

/* Column index of each declared column in the CSV header (-1 if absent). */
static int map_header(const struct mapping_kind *k, const struct mlc_csv_row *hdr, int *keyidx,
		      int *validx, const char *label, struct mlc_error *err)
{
	size_t i;
	const struct mapping_col *c;

	for (i = 0; i < hdr->nfields; i++) {
		const char *h = str_trim(hdr->fields[i]);
		int known = 0;
		for (c = k->keys; c->name; c++)
			known |= strcmp(c->name, h) == 0;
		for (c = k->values; c->name; c++)
			known |= strcmp(c->name, h) == 0;
		if (!known)
			return error_set(err, MLC_EINVAL, "%s:%d: unknown column '%s' for %s",
					 label, hdr->line, h, k->name);
	}
	for (int pass = 0; pass < 2; pass++) {
		const struct mapping_col *cols = pass ? k->values : k->keys;
		int *idx = pass ? validx : keyidx;
		for (int j = 0; cols[j].name; j++) {
			idx[j] = -1;
			for (i = 0; i < hdr->nfields; i++)
				if (strcmp(cols[j].name, hdr->fields[i]) == 0)
					idx[j] = (int)i;
			if (idx[j] < 0 && cols[j].required)
				return error_set(err, MLC_EINVAL, "%s:%d: missing column '%s'",
						 label, hdr->line, cols[j].name);
		}
	}
	return MLC_OK;
}

static const char *cell(const struct mlc_csv_row *r, int idx)
{
	if (idx < 0 || (size_t)idx >= r->nfields)
		return "";
	return str_trim(r->fields[idx]);
}

/* Builds key and target for one row; fills err with LABEL:LINE: ... */
static int row_to_mapping(const struct mapping_kind *k, const struct mlc_csv_row *r,
			  const int *keyidx, const int *validx, const char *label,
			  struct mlc_buf *key, json_t *target, struct mlc_error *err)
{
	for (int j = 0; k->keys[j].name; j++) {
		const char *v = cell(r, keyidx[j]);
		if (!*v && k->keys[j].required)
			return error_set(err, MLC_EINVAL, "%s:%d: %s: empty", label, r->line,
					 k->keys[j].name);
		if (strchr(v, '|'))
			return error_set(err, MLC_EINVAL, "%s:%d: %s: '|' is not allowed", label,
					 r->line, k->keys[j].name);
		if (j)
			buf_addch(key, '|');
		buf_addstr(key, v);
	}
	for (int j = 0; k->values[j].name; j++) {
		const struct mapping_col *c = &k->values[j];
		const char *v = cell(r, validx[j]);
		int64_t id;
		struct mlc_error e2 = {0};
		if (!*v) {
			if (c->required)
				return error_set(err, MLC_EINVAL, "%s:%d: %s: empty", label,
						 r->line, c->name);
			continue;
		}
		if (c->type == MAP_ID) {
			if (num_parse_id(v, &id, &e2) < 0)
				return error_set(err, MLC_EINVAL, "%s:%d: %s: %s", label, r->line,
						 c->name, e2.msg);
			if (json_object_set_new(target, c->name, json_integer(id)) < 0)
				return error_set(err, MLC_ENOMEM, "%s:%d: %s: out of memory", label,
						 r->line, c->name);
		} else if (json_object_set_new(target, c->name, json_string(v)) < 0) {
			/* json_string() refuses text that is not UTF-8 */
			return error_set(err, MLC_EINVAL, "%s:%d: %s: not UTF-8 text", label,
					 r->line, c->name);
		}
	}
	return MLC_OK;
}

int mapping_import(struct mlc_store *s, int64_t tenant_id, const struct mapping_kind *k,
		   const char *csv, size_t len, const char *label, bool replace, bool dry_run,
		   size_t *imported, struct mlc_error *err)
{
	struct mlc_csv_row *rows = NULL;
	size_t nrows = 0, i;
	int keyidx[8], validx[8], rc;
	struct mlc_stmt *st = NULL;
	struct mlc_buf key = MLC_BUF_INIT;
	json_t *seen = json_object(), *targets = json_array();
	int in_tx = 0;

	*imported = 0;
	rc = csv_parse(csv, len, &rows, &nrows, err);
	if (rc < 0) {
		error_prefix(err, "%s: ", label);
		goto out;
	}
	if (nrows == 0) {
		rc = error_set(err, MLC_EINVAL, "%s: empty file (expected a header row)", label);
		goto out;
	}
	rc = map_header(k, &rows[0], keyidx, validx, label, err);
	if (rc < 0)
		goto out;
	/* validate everything first: nothing is written unless every row is good */
	if (!seen || !targets) {
		rc = error_set(err, MLC_ENOMEM, "%s: out of memory", label);
		goto out;
	}
	for (i = 1; i < nrows; i++) {
		json_t *t = json_object();
		if (!t) {
			rc =
			    error_set(err, MLC_ENOMEM, "%s:%d: out of memory", label, rows[i].line);
			goto out;
		}
		buf_reset(&key);
		rc = row_to_mapping(k, &rows[i], keyidx, validx, label, &key, t, err);
		if (rc == MLC_OK && json_object_get(seen, key.data))
			rc = error_set(err, MLC_EINVAL, "%s:%d: key '%s' repeats line %d", label,
				       rows[i].line, key.data,
				       (int)json_integer_value(json_object_get(seen, key.data)));
		/* a key jansson cannot hold (not UTF-8) would escape the repeat check */
		if (rc == MLC_OK &&
		    json_object_set_new(seen, key.data, json_integer(rows[i].line)) < 0)
			rc = error_set(err, MLC_EINVAL, "%s:%d: key is not UTF-8 text", label,
				       rows[i].line);
		if (rc < 0) {
			json_decref(t);
			goto out;
		}
		/* "o" hands t to the pack, which frees it on failure too */
		if (json_array_append_new(targets,
					  json_pack("{s:s, s:o}", "key", key.data, "t", t)) < 0) {
			rc =
			    error_set(err, MLC_ENOMEM, "%s:%d: out of memory", label, rows[i].line);
			goto out;
		}
	}
	if (dry_run) {
		*imported = json_array_size(targets);
		goto out;
	}
	rc = store_begin(s, err);
	if (rc < 0)
		goto out;
	in_tx = 1;
	if (replace) {
		rc = store_prepare(s, "DELETE FROM mappings WHERE tenant_id = ? AND kind = ?", &st,
				   err);
		if (rc < 0)
			goto out;
		stmt_bind_i64(st, 1, tenant_id);
		stmt_bind_text(st, 2, k->name);
		rc = stmt_step(st, err);
		stmt_free(st);
		st = NULL;
		if (rc < 0)
			goto out;
	}
	rc = store_prepare(s,
			   "INSERT INTO mappings (tenant_id, kind, source_key, target, updated_at) "
			   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, kind, source_key) DO "
			   "UPDATE SET target = excluded.target, updated_at = excluded.updated_at "
			   "WHERE mappings.target <> excluded.target",
			   &st, err);
	if (rc < 0)
		goto out;
	for (i = 0; i < json_array_size(targets); i++) {
		json_t *e = json_array_get(targets, i);
		char *text = json_dumps(json_object_get(e, "t"), JSON_COMPACT | JSON_SORT_KEYS);
		if (!text) {
			rc = error_set(err, MLC_ENOMEM, "%s: out of memory", label);
			goto out;
		}
		stmt_reset(st);
		stmt_bind_i64(st, 1, tenant_id);
		stmt_bind_text(st, 2, k->name);
		stmt_bind_text(st, 3, json_string_value(json_object_get(e, "key")));
		stmt_bind_text(st, 4, text);
		stmt_bind_i64(st, 5, time_now_ms());
		free(text);
		rc = stmt_step(st, err);
		if (rc < 0)
			goto out;
	}
	in_tx = 0; /* a failed commit has rolled back already */
	rc = store_commit(s, err);
	if (rc < 0)
		goto out;
	/* counted only once every row is committed */
	*imported = json_array_size(targets);
out:
	if (in_tx && rc < 0)
		store_rollback(s);
	if (rc < 0)
		*imported = 0;
	stmt_free(st);
	buf_release(&key);
	json_decref(seen);
	json_decref(targets);
	csv_rows_free(rows, nrows);
	return rc < 0 ? rc : MLC_OK;
}

int mapping_export(struct mlc_store *s, int64_t tenant_id, const struct mapping_kind *k,
		   struct mlc_buf *out, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	json_error_t jerr;
	int rc, first = 1;

	for (int j = 0; k->keys[j].name; j++, first = 0)
		csv_add_field(out, k->keys[j].name, first);
	for (int j = 0; k->values[j].name; j++)
		csv_add_field(out, k->values[j].name, 0);
	buf_addch(out, '\n');
	rc = store_prepare(s,
			   "SELECT source_key, target FROM mappings WHERE tenant_id = ? AND "
			   "kind = ? ORDER BY source_key",
			   &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, k->name);
	while ((rc = stmt_step(st, err)) == 1) {
		char *key = xstrdup(stmt_col_text(st, 0));
		json_t *t = json_loads(stmt_col_text(st, 1), 0, &jerr);
		char *p = key;
		first = 1;
		for (int j = 0; k->keys[j].name; j++, first = 0) {
			char *bar = strchr(p, '|');
			if (bar)
				*bar = '\0';
			csv_add_field(out, p, first);
			p = bar ? bar + 1 : p + strlen(p);
		}
		for (int j = 0; k->values[j].name; j++) {
			json_t *v = t ? json_object_get(t, k->values[j].name) : NULL;
			char num[32];
			if (json_is_integer(v)) {
				snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
					 json_integer_value(v));
				csv_add_field(out, num, 0);
			} else {
				csv_add_field(out, json_is_string(v) ? json_string_value(v) : "",
					      0);
			}
		}
		buf_addch(out, '\n');
		json_decref(t);
		free(key);
	}
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

int mapping_get(struct mlc_store *s, int64_t tenant_id, const char *kind, const char *key,
		json_t **target, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	json_error_t jerr;
	int rc;

	*target = NULL;
	rc =
	    store_prepare_cached(s,
				 "SELECT target FROM mappings WHERE tenant_id = ? AND kind = ? AND "
				 "source_key = ?",
				 &st, err);
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, kind);
	stmt_bind_text(st, 3, key);
	rc = stmt_step(st, err);
	if (rc == 1) {
		*target = json_loads(stmt_col_text(st, 0), 0, &jerr);
		rc = *target ? MLC_OK
			     : error_set(err, MLC_ESTORE, "mapping %s %s is corrupt", kind, key);
	} else if (rc == 0) {
		rc = error_set(err, MLC_ENOTFOUND, "%s has no mapping for '%s'", kind, key);
	}
	stmt_free(st);
	return rc;
}

int mapping_put(struct mlc_store *s, int64_t tenant_id, const char *kind, const char *key,
		const json_t *target, struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	char *text = json_dumps(target, JSON_COMPACT | JSON_SORT_KEYS);
	/* an unchanged row is not written again (the upsert's WHERE) */
	int rc = store_prepare_cached(s,
				      "INSERT INTO mappings (tenant_id, kind, source_key, target, "
				      "updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, "
				      "kind, source_key) DO UPDATE SET target = excluded.target, "
				      "updated_at = excluded.updated_at WHERE mappings.target <> "
				      "excluded.target",
				      &st, err);

	if (rc < 0 || !text) {
		free(text);
		return rc < 0 ? rc : error_set(err, MLC_ENOMEM, "out of memory");
	}
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, kind);
	stmt_bind_text(st, 3, key);
	stmt_bind_text(st, 4, text);
	stmt_bind_i64(st, 5, time_now_ms());
	rc = stmt_step(st, err);
	stmt_free(st);
	free(text);
	return rc < 0 ? rc : MLC_OK;
}

int mapping_count(struct mlc_store *s, int64_t tenant_id, const char *kind, int64_t *n,
		  struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	int rc = store_prepare(s, "SELECT count(*) FROM mappings WHERE tenant_id = ? AND kind = ?",
			       &st, err);

	*n = 0;
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, kind);
	rc = stmt_step(st, err);
	if (rc == 1)
		*n = stmt_col_i64(st, 0);
	stmt_free(st);
	return rc < 0 ? rc : MLC_OK;
}

int mapping_all(struct mlc_store *s, int64_t tenant_id, const char *kind, json_t **all,
		struct mlc_error *err)
{
	struct mlc_stmt *st = NULL;
	json_error_t jerr;
	int rc = store_prepare(s,
			       "SELECT source_key, target FROM mappings WHERE tenant_id = ? AND "
			       "kind = ?",
			       &st, err);

	*all = NULL;
	if (rc < 0)
		return rc;
	stmt_bind_i64(st, 1, tenant_id);
	stmt_bind_text(st, 2, kind);
	*all = json_object();
	while ((rc = stmt_step(st, err)) == 1) {
		json_t *t = json_loads(stmt_col_text(st, 1), 0, &jerr);
		if (t)
			json_object_set_new(*all, stmt_col_text(st, 0), t);
	}
	stmt_free(st);
	if (rc < 0) {
		json_decref(*all);
		*all = NULL;
		return rc;
	}
	return MLC_OK;
}
