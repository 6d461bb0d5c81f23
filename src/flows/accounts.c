/*
 * The chart of accounts catalog and the mapped-account check
 * (flows/accounts.h), and flow "accounts" which runs both and puts every
 * mapping that would make a posting fail on the review list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/account_catalog.h"
#include "core/mapping.h"
#include "core/project.h"
#include "flows/accounts.h"
#include "flows/flow.h"
#include "netsuite/ns_refdata.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/time.h"
#include "util/banned.h"

const char *const accounts_mapping_kinds[] = {"cost-code-account", "cost-type-account",
					      "offset-account", NULL};

/* "1, 3, 4" (SuiteQL multi-select, docs/reference/netsuite/suiteql.md V8) -> [1, 3, 4] */
static json_t *id_list(const char *s)
{
	json_t *a = json_array();
	while (s && *s) {
		char *end;
		long long v = strtoll(s, &end, 10);
		if (end == s) {
			s++;
			continue;
		}
		json_array_append_new(a, json_integer(v));
		s = end;
	}
	return a;
}

int accounts_refresh(struct mlc_session *s, bool keep, json_t **catalog, struct mlc_error *err)
{
	json_t *rows = NULL, *row;
	size_t i;
	int rc;

	*catalog = NULL;
	rc = netsuite_read_accounts(s->ns, &rows, err);
	if (rc < 0)
		return rc;
	*catalog = json_object();
	json_array_foreach (rows, i, row) {
		int64_t id = 0;
		char k[24];
		if (jsonx_id(row, "id", &id) < 0 || !id)
			continue;
		snprintf(k, sizeof(k), "%lld", (long long)id);
		json_object_set_new(
		    *catalog, k,
		    json_pack("{s:I, s:o, s:s, s:s, s:b, s:b, s:o}", "id", (json_int_t)id, "number",
			      jsonx_str(row, "acctnumber")
				  ? json_string(jsonx_str(row, "acctnumber"))
				  : json_null(),
			      "name", jsonx_str(row, "acctname") ? jsonx_str(row, "acctname") : "",
			      "type", jsonx_str(row, "accttype") ? jsonx_str(row, "accttype") : "",
			      "inactive", jsonx_bool(row, "isinactive"), "summary",
			      jsonx_bool(row, "issummary"), "subsidiaries",
			      id_list(jsonx_str(row, "subsidiary"))));
	}
	json_decref(rows);
	if (keep) {
		rc = account_catalog_replace(s->store, s->tenant.id, *catalog, err);
		if (rc < 0) {
			json_decref(*catalog);
			*catalog = NULL;
		}
	}
	return rc;
}

static bool has_sub(const json_t *subs, int64_t sub)
{
	size_t i;
	json_t *v;
	/* an account with no subsidiary list (a single-subsidiary account) is everywhere */
	if (!json_array_size(subs))
		return true;
	json_array_foreach (subs, i, v)
		if (json_integer_value(v) == sub)
			return true;
	return false;
}

json_t *accounts_check(const json_t *catalog, const json_t *mappings, const int64_t *subsidiaries,
		       size_t nsub)
{
	json_t *bad = json_array();

	for (const char *const *kind = accounts_mapping_kinds; *kind; kind++) {
		const char *k;
		json_t *t;
		json_object_foreach (json_object_get(mappings, *kind), k, t) {
			json_t *acct;
			int64_t a = 0;
			char key[24], problem[64] = "";
			if (jsonx_id(t, "account", &a) < 0 || !a)
				continue;
			snprintf(key, sizeof(key), "%lld", (long long)a);
			acct = json_object_get(catalog, key);
			if (!acct)
				snprintf(problem, sizeof(problem), "no such account");
			else if (json_is_true(json_object_get(acct, "inactive")))
				snprintf(problem, sizeof(problem), "inactive");
			else if (json_is_true(json_object_get(acct, "summary")))
				snprintf(problem, sizeof(problem), "summary (not postable)");
			else
				for (size_t i = 0; i < nsub && !problem[0]; i++)
					if (!has_sub(json_object_get(acct, "subsidiaries"),
						     subsidiaries[i]))
						snprintf(problem, sizeof(problem),
							 "not available to subsidiary %lld",
							 (long long)subsidiaries[i]);
			if (problem[0])
				json_array_append_new(bad,
						      json_pack("{s:s, s:s, s:I, s:s}", "kind",
								*kind, "mapping", k, "account",
								(json_int_t)a, "problem", problem));
		}
	}
	return bad;
}

int accounts_mappings(struct mlc_session *s, json_t **mappings, struct mlc_error *err)
{
	*mappings = json_object();
	for (const char *const *kind = accounts_mapping_kinds; *kind; kind++) {
		json_t *all = NULL;
		int rc = mapping_all(s->store, s->tenant.id, *kind, &all, err);
		if (rc < 0) {
			json_decref(*mappings);
			*mappings = NULL;
			return rc;
		}
		json_object_set_new(*mappings, *kind, all);
	}
	return MLC_OK;
}

int accounts_subsidiaries(struct mlc_session *s, int64_t **subs, size_t *n, struct mlc_error *err)
{
	struct mlc_project_link *links = NULL;
	size_t nl = 0;
	int rc = project_list(s->store, s->tenant.id, &links, &nl, err);

	*subs = NULL;
	*n = 0;
	if (rc < 0)
		return rc;
	*subs = calloc(nl ? nl : 1, sizeof(**subs));
	if (!*subs) {
		free(links);
		return error_set(err, MLC_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < nl; i++) {
		size_t j;
		if (!links[i].active || !links[i].subsidiary_id)
			continue;
		for (j = 0; j < *n && (*subs)[j] != links[i].subsidiary_id; j++)
			;
		if (j == *n)
			(*subs)[(*n)++] = links[i].subsidiary_id;
	}
	free(links);
	return MLC_OK;
}

/* Flow "accounts": refresh the catalog, check the mappings, keep the review list current. */
int flow_accounts(struct flow_run *r, struct mlc_error *err)
{
	struct mlc_session *s = r->s;
	json_t *catalog = NULL, *maps = NULL, *bad = NULL, *open = json_object(), *p;
	int64_t *subs = NULL;
	size_t nsub = 0, i;
	int rc;

	rc = accounts_refresh(s, !r->opts.dry_run, &catalog, err);
	if (rc >= 0)
		rc = accounts_mappings(s, &maps, err);
	if (rc >= 0)
		rc = accounts_subsidiaries(s, &subs, &nsub, err);
	if (rc < 0)
		goto out;
	r->stats.read = (int64_t)json_object_size(catalog);
	bad = accounts_check(catalog, maps, subs, nsub);
	json_array_foreach (bad, i, p) {
		char src[160], why[224];
		snprintf(src, sizeof(src), "%s:%s", jsonx_str(p, "kind"), jsonx_str(p, "mapping"));
		snprintf(why, sizeof(why), "mapping %s %s -> account %lld: %s",
			 jsonx_str(p, "kind"), jsonx_str(p, "mapping"),
			 (long long)json_integer_value(json_object_get(p, "account")),
			 jsonx_str(p, "problem"));
		json_object_set_new(open, src, json_true());
		(void)flow_park(r, "account_mapping", src, NULL, why, p);
	}
	/* mappings fixed since the last run leave the review list */
	for (const char *const *kind = accounts_mapping_kinds; *kind; kind++) {
		const char *k;
		json_t *t;
		json_object_foreach (json_object_get(maps, *kind), k, t) {
			char src[160];
			snprintf(src, sizeof(src), "%s:%s", *kind, k);
			if (!json_object_get(open, src))
				flow_resolve(r, "account_mapping", src);
		}
	}
	rc = MLC_OK;
out:
	free(subs);
	json_decref(catalog);
	json_decref(maps);
	json_decref(bad);
	json_decref(open);
	return rc;
}
