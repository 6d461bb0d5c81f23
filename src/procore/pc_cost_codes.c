/*
 * Procore cost code lists as canonical records (procore/pc_cost_codes.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procore/pc_cost_codes.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/banned.h"

/* A code's parent: {"parent": {"id"}} on project codes, "parent_id" on
 * standard ones. */
static int64_t parent_of(const json_t *cc)
{
	int64_t p = jsonx_id_or0(json_object_get(cc, "parent"), "id");
	return p ? p : jsonx_id_or0(cc, "parent_id");
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int cmp_code(const void *a, const void *b)
{
	return strcmp(((const struct pc_cost_code *)a)->full_code,
		      ((const struct pc_cost_code *)b)->full_code);
}

static int cmp_key(const void *key, const void *elem)
{
	return strcmp(key, ((const struct pc_cost_code *)elem)->full_code);
}

const struct pc_cost_code *pc_cost_code_find(const struct pc_cost_code *v, size_t n,
					     const char *full_code)
{
	return n ? bsearch(full_code, v, n, sizeof(*v), cmp_key) : NULL;
}

static void free_codes(struct pc_cost_code *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].full_code);
		free(v[i].name);
	}
	free(v);
}

void pc_cc_list_release(struct pc_cc_list *l)
{
	free_codes(l->codes, l->ncodes);
	free_codes(l->divisions, l->ndivisions);
	memset(l, 0, sizeof(*l));
}

/* Sets or adds one entry of a sorted array (the last read wins, as a map). */
static void put(struct pc_cost_code **v, size_t *n, int64_t id, const char *code, const char *name)
{
	struct pc_cost_code *e = (struct pc_cost_code *)pc_cost_code_find(*v, *n, code);

	if (e) {
		free(e->name);
		e->id = id;
		e->name = xstrdup(name);
		return;
	}
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].id = id;
	(*v)[*n].full_code = xstrdup(code);
	(*v)[*n].name = xstrdup(name);
	(*n)++;
	qsort(*v, *n, sizeof(**v), cmp_code);
}

void pc_cc_list_add(struct pc_cc_list *l, bool division, int64_t id, const char *full_code,
		    const char *name)
{
	if (division)
		put(&l->divisions, &l->ndivisions, id, full_code, name);
	else
		put(&l->codes, &l->ncodes, id, full_code, name);
}

static int list_raw(struct mlc_procore *pc, const struct pc_cc_scope *sc, json_t **items,
		    struct mlc_error *err)
{
	char id[24], company[24];
	const char *q[] = {"project_id", id, NULL};
	const char *qs[] = {"company_id", company, "standard_cost_code_list_id", id, NULL};

	snprintf(id, sizeof(id), "%lld", (long long)sc->id);
	snprintf(company, sizeof(company), "%lld", (long long)sc->company_id);
	if (sc->standard)
		return procore_list(pc, "/rest/v1.0/standard_cost_codes", qs, items, err);
	return procore_list(pc, "/rest/v1.0/cost_codes", q, items, err);
}

struct ranked {
	struct pc_cost_code e;
	size_t ix; /* place in the reply */
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	int c = strcmp(x->e.full_code, y->e.full_code);
	return c ? c : (x->ix > y->ix) - (x->ix < y->ix);
}

/* Sorts entries read in reply order and keeps the last of each code (as a
 * map written in that order would). */
static void sort_unique(struct pc_cost_code *v, size_t *n)
{
	struct ranked *r = xcalloc(*n + 1, sizeof(*r));
	size_t out = 0;

	for (size_t i = 0; i < *n; i++)
		r[i] = (struct ranked){v[i], i};
	qsort(r, *n, sizeof(*r), cmp_ranked);
	for (size_t i = 0; i < *n; i++) {
		if (i + 1 < *n && strcmp(r[i].e.full_code, r[i + 1].e.full_code) == 0) {
			free(r[i].e.full_code);
			free(r[i].e.name);
			continue;
		}
		v[out++] = r[i].e;
	}
	*n = out;
	free(r);
}

int pc_cc_list_read(struct mlc_procore *pc, const struct pc_cc_scope *sc, struct pc_cc_list *out,
		    struct mlc_error *err)
{
	json_t *items = NULL, *cc;
	int64_t *parents = NULL;
	size_t i, np = 0;
	int rc;

	pc_cc_list_release(out);
	rc = list_raw(pc, sc, &items, err);
	if (rc < 0)
		return rc;
	/* which codes group others */
	parents = xcalloc(json_array_size(items) + 1, sizeof(*parents));
	out->codes = xcalloc(json_array_size(items) + 1, sizeof(*out->codes));
	out->divisions = xcalloc(json_array_size(items) + 1, sizeof(*out->divisions));
	json_array_foreach (items, i, cc) {
		if (parent_of(cc))
			parents[np++] = parent_of(cc);
	}
	qsort(parents, np, sizeof(*parents), cmp_i64);
	json_array_foreach (items, i, cc) {
		int64_t id = 0;
		const char *full = jsonx_str(cc, "full_code"), *code = jsonx_str(cc, "code");
		const char *name = jsonx_str(cc, "name");
		struct pc_cost_code *e;

		if (jsonx_id(cc, "id", &id) < 0 || !id || !full || !code)
			continue;
		if (!parent_of(cc) && bsearch(&id, parents, np, sizeof(*parents), cmp_i64)) {
			e = &out->divisions[out->ndivisions++];
			e->full_code = xstrdup(code);
			e->name = xstrdup("");
		} else {
			e = &out->codes[out->ncodes++];
			e->full_code = xstrdup(full);
			e->name = xstrdup(name ? name : "");
		}
		e->id = id;
	}
	sort_unique(out->codes, &out->ncodes);
	sort_unique(out->divisions, &out->ndivisions);
	free(parents);
	json_decref(items);
	return MLC_OK;
}

int pc_cc_standard_list(struct mlc_procore *pc, int64_t company_id, int64_t *id,
			struct mlc_error *err)
{
	char company[24];
	const char *q[] = {"company_id", company, NULL};
	json_t *lists = NULL, *l;
	size_t i;
	int rc;

	*id = 0;
	snprintf(company, sizeof(company), "%lld", (long long)company_id);
	rc = procore_list(pc, "/rest/v1.0/standard_cost_code_lists", q, &lists, err);
	if (rc < 0)
		return rc;
	json_array_foreach (lists, i, l) {
		if (!*id || jsonx_bool(l, "is_erp_list")) {
			*id = jsonx_id_or0(l, "id");
			if (jsonx_bool(l, "is_erp_list"))
				break;
		}
	}
	json_decref(lists);
	return MLC_OK;
}

static json_t *update_json(const struct pc_cc_update *u)
{
	json_t *o = json_pack("{s:s}", "name", u->name);

	if (u->id)
		json_object_set_new(o, "id", json_integer(u->id));
	if (u->parent_id)
		json_object_set_new(o, "parent_id", json_integer(u->parent_id));
	if (u->code)
		json_object_set_new(o, "code", json_string(u->code));
	if (u->origin_id)
		json_object_set_new(o, "origin_id", json_string(u->origin_id));
	return o;
}

int pc_cc_sync(struct mlc_procore *pc, const struct pc_cc_scope *sc, const struct pc_cc_update *u,
	       int64_t *id_out, struct mlc_error *err)
{
	json_t *ents = NULL, *errs = NULL, *body;
	char path[96];
	int rc;

	*id_out = 0;
	if (sc->standard) {
		snprintf(path, sizeof(path), "/rest/v1.0/standard_cost_codes/sync");
		body = json_pack("{s:I, s:I, s:[o]}", "company_id", (json_int_t)sc->company_id,
				 "standard_cost_code_list_id", (json_int_t)sc->id, "updates",
				 update_json(u));
	} else {
		snprintf(path, sizeof(path), "/rest/v1.0/cost_codes/sync?project_id=%lld",
			 (long long)sc->id);
		body = json_pack("{s:[o]}", "updates", update_json(u));
	}
	rc = procore_sync(pc, "PATCH", path, body, &ents, &errs, err);
	if (rc == MLC_OK)
		*id_out = jsonx_id_or0(json_array_get(ents, 0), "id");
	if (rc == MLC_OK && !*id_out) {
		struct mlc_buf why = MLC_BUF_INIT;
		procore_error_text(json_array_get(errs, 0), &why);
		rc = error_set(err, MLC_EPERM, "%s", why.data ? why.data : "refused by Procore");
		buf_release(&why);
	}
	json_decref(ents);
	json_decref(errs);
	return rc;
}

int pc_cc_delete(struct mlc_procore *pc, const struct pc_cc_scope *sc, int64_t id,
		 struct mlc_error *err)
{
	char path[128];

	if (sc->standard)
		snprintf(path, sizeof(path), "/rest/v1.0/standard_cost_codes/%lld?company_id=%lld",
			 (long long)id, (long long)sc->company_id);
	else
		snprintf(path, sizeof(path), "/rest/v1.0/cost_codes/%lld?project_id=%lld",
			 (long long)id, (long long)sc->id);
	return procore_write(pc, "DELETE", path, NULL, NULL, NULL, NULL, err);
}
