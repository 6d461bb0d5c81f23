#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mapping.h"
#include "core/project.h"
#include "core/watermark.h"
#include "flows/accounts.h"
#include "flows/links.h"
#include "flows/mapping_check.h"
#include "procore/pc_project_codes.h"
#include "util/jsonx.h"
#include "util/banned.h"

/* Did the link check reach the Procore project? */
static bool procore_reachable(const json_t *link_results, int64_t project)
{
	size_t i;
	json_t *v;

	json_array_foreach (link_results, i, v)
		if (json_integer_value(json_object_get(v, "procore_project_id")) == project)
			return json_is_true(json_object_get(v, "procore_ok"));
	return true;
}

/* Every leaf cost code of every reachable linked project, as {code: true}. */
static int linked_codes(struct mlc_session *s, const struct mlc_project_link *links, size_t n,
			const json_t *link_results, json_t *codes, struct mlc_error *err)
{
	for (size_t i = 0; i < n; i++) {
		json_t *list = NULL, *v;
		size_t j;
		int rc;
		if (!procore_reachable(link_results, links[i].procore_project_id))
			continue; /* listed under bad links */
		rc = procore_project_cost_codes(s->pc, links[i].procore_project_id, &list, err);
		if (rc < 0)
			return rc;
		json_array_foreach (list, j, v) {
			const char *fc = jsonx_str(v, "full_code");
			if (fc && strchr(fc, '-')) /* divisions ("03") carry no costs */
				json_object_set_new(codes, fc, json_true());
		}
		json_decref(list);
	}
	return MLC_OK;
}

/* The mapped accounts against the chart of accounts (the catalog is refreshed). */
static int bad_accounts(struct mlc_session *s, json_t **bad, struct mlc_error *err)
{
	json_t *accounts = NULL, *maps = NULL;
	int64_t *subs = NULL;
	size_t nsub = 0;
	int rc;

	*bad = NULL;
	rc = accounts_refresh(s, true, &accounts, err);
	if (rc >= 0)
		rc = accounts_mappings(s, &maps, err);
	if (rc >= 0)
		rc = accounts_subsidiaries(s, &subs, &nsub, err);
	if (rc < 0)
		goto out;
	*bad = accounts_check(accounts, maps, subs, nsub);
out:
	json_decref(accounts);
	json_decref(maps);
	free(subs);
	return rc;
}

/* Codes not seen by the last check; remembers this check's codes. */
static int new_codes(struct mlc_session *s, const json_t *codes, json_t *fresh,
		     struct mlc_error *err)
{
	json_t *seen_prev = NULL, *v;
	char *wm = NULL, *now = NULL;
	const char *k;
	int rc;

	rc = watermark_get(s->store, s->tenant.id, "mapping-check", "", &wm, err);
	if (rc < 0)
		goto out;
	seen_prev = wm ? json_loads(wm, 0, NULL) : NULL;
	json_object_foreach ((json_t *)codes, k, v)
		if (seen_prev && !json_object_get(seen_prev, k))
			json_array_append_new(fresh, json_string(k));
	now = json_dumps(codes, JSON_COMPACT | JSON_SORT_KEYS);
	rc = watermark_set(s->store, s->tenant.id, "mapping-check", "", now, err);
out:
	free(now);
	free(wm);
	json_decref(seen_prev);
	return rc;
}

int mapping_check_run(struct mlc_session *s, json_t **out, struct mlc_error *err)
{
	struct mlc_project_link *links = NULL;
	size_t n = 0, i;
	json_t *cca = NULL, *codes = json_object(), *unmapped = json_array(), *bad = NULL;
	json_t *fresh = json_array(), *link_results = NULL, *bad_links = json_array(), *v;
	const char *k;
	int rc;

	*out = NULL;
	rc = project_list(s->store, s->tenant.id, &links, &n, err);
	if (rc >= 0)
		rc = mapping_all(s->store, s->tenant.id, "cost-code-account", &cca, err);
	if (rc < 0)
		goto out;
	/* every link against both systems */
	rc = links_check(s, &link_results, err);
	if (rc < 0)
		goto out;
	json_array_foreach (link_results, i, v)
		if (!json_is_true(json_object_get(v, "ok")))
			json_array_append(bad_links, v);
	rc = linked_codes(s, links, n, link_results, codes, err);
	if (rc < 0)
		goto out;
	json_object_foreach (codes, k, v) {
		const char *mk;
		json_t *mv;
		int mapped = 0;
		size_t kl = strlen(k);
		json_object_foreach (cca, mk, mv)
			mapped |= strncmp(mk, k, kl) == 0 && mk[kl] == '|';
		if (!mapped)
			json_array_append_new(unmapped, json_string(k));
	}
	rc = bad_accounts(s, &bad, err);
	if (rc >= 0)
		rc = new_codes(s, codes, fresh, err);
	if (rc < 0)
		goto out;
	*out = json_pack("{s:I, s:I, s:O, s:O, s:O, s:O}", "cost_codes",
			 (json_int_t)json_object_size(codes), "projects", (json_int_t)n,
			 "unmapped_cost_codes", unmapped, "bad_accounts", bad, "new_cost_codes",
			 fresh, "bad_links", bad_links);
	rc = MLC_OK;
out:
	free(links);
	json_decref(cca);
	json_decref(codes);
	json_decref(unmapped);
	json_decref(bad);
	json_decref(fresh);
	json_decref(link_results);
	json_decref(bad_links);
	return rc;
}

bool mapping_check_failed(const json_t *report)
{
	static const char *const keys[] = {"unmapped_cost_codes", "bad_accounts", "new_cost_codes",
					   "bad_links"};

	for (size_t i = 0; i < MLC_ARRAY_LEN(keys); i++)
		if (json_array_size(json_object_get(report, keys[i])))
			return true;
	return false;
}
