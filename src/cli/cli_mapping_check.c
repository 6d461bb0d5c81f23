#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/mapping.h"
#include "core/project.h"
#include "core/watermark.h"
#include "flows/accounts.h"
#include "flows/links.h"
#include "flows/session.h"
#include "util/jsonx.h"
#include "util/banned.h"

/*
 * mapping check: mapping drift before it parks a posting.
 *  - Procore cost codes used in linked projects with no cost-code-account row
 *    (for any cost type);
 *  - mapped NetSuite accounts (every account mapping kind) that are missing,
 *    inactive, summary accounts, or not available to a linked project's
 *    subsidiary, from the chart of accounts (which refreshes the catalog);
 *  - codes new since the last check (remembered as a watermark);
 *  - project links that would make writes fail (flows/links.h: the job, its
 *    subsidiary, the dimensions, the Procore project), each with its fix.
 * Exit 1 when anything needs a person.
 */
/* Did the link check reach the Procore project? */
static bool procore_reachable(const json_t *link_results, int64_t project)
{
	size_t i;
	json_t *v;

	json_array_foreach(link_results, i, v)
		if (json_integer_value(json_object_get(v, "procore_project_id")) == project)
			return json_is_true(json_object_get(v, "procore_ok"));
	return true;
}

int cmd_mapping_check(struct cli_ctx *ctx, int argc, char **argv)
{
	bool json = false;
	const struct cli_opt opts[] = {
		{ "json", NULL, "print as JSON", NULL, &json },
		{ NULL, NULL, NULL, NULL, NULL },
	};
	const struct cli_spec spec = {
		"mapping check TENANT [--json]",
		"Lists unmapped Procore cost codes, mappings to inactive or non-postable NetSuite\n"
		"accounts, cost codes new since the last check, and project links NetSuite or\n"
		"Procore would refuse (with the command that fixes each).  Exit 1 if any.",
		opts, 1, 1,
	};
	const char *pos[1];
	int npos, rc;
	struct mlc_vault *vault = NULL;
	struct mlc_session *s = NULL;
	struct mlc_error err = { 0 };
	struct mlc_project_link *links = NULL;
	size_t n = 0, i;
	json_t *cca = NULL, *codes = json_object(), *unmapped = json_array(), *bad = json_array();
	json_t *fresh = json_array(), *accounts = NULL, *seen_prev = NULL, *v;
	json_t *link_results = NULL, *bad_links = json_array();
	char *wm = NULL;
	const char *k;

	if ((rc = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_OK)
		goto out;
	if ((rc = cli_open_store(ctx)) != CLI_OK || (rc = cli_open_vault(ctx, &vault)) != CLI_OK)
		goto out;
	struct mlc_session_opts so = { .store = ctx->store, .vault = vault, .tenant = pos[0],
				       .need_netsuite = true, .need_procore = true };
	if (session_open(&so, &s, &err) < 0 || project_list(ctx->store, s->tenant.id, &links, &n, &err) < 0 ||
	    mapping_all(ctx->store, s->tenant.id, "cost-code-account", &cca, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	/* every link against both systems */
	if (links_check(s, &link_results, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	json_array_foreach(link_results, i, v)
		if (!json_is_true(json_object_get(v, "ok")))
			json_array_append(bad_links, v);
	/* every leaf cost code of every linked project */
	for (i = 0; i < n; i++) {
		char pid[32];
		const char *q[] = { "project_id", pid, NULL };
		json_t *list = NULL;
		size_t j;
		snprintf(pid, sizeof(pid), "%lld", (long long)links[i].procore_project_id);
		if (!procore_reachable(link_results, links[i].procore_project_id))
			continue; /* listed under bad links */
		if (procore_list(s->pc, "/rest/v1.0/cost_codes", q, &list, &err) < 0) {
			rc = cli_fail(&err);
			goto out;
		}
		json_array_foreach(list, j, v) {
			const char *fc = jsonx_str(v, "full_code");
			if (fc && strchr(fc, '-')) /* divisions ("03") carry no costs */
				json_object_set_new(codes, fc, json_true());
		}
		json_decref(list);
	}
	json_object_foreach(codes, k, v) {
		const char *mk;
		json_t *mv;
		int mapped = 0;
		size_t kl = strlen(k);
		json_object_foreach(cca, mk, mv)
			mapped |= strncmp(mk, k, kl) == 0 && mk[kl] == '|';
		if (!mapped)
			json_array_append_new(unmapped, json_string(k));
	}
	/* the mapped accounts against the chart of accounts (the catalog is refreshed) */
	{
		json_t *maps = NULL;
		int64_t *subs = NULL;
		size_t nsub = 0;
		if (accounts_refresh(s, true, &accounts, &err) < 0 ||
		    accounts_mappings(s, &maps, &err) < 0 ||
		    accounts_subsidiaries(s, &subs, &nsub, &err) < 0) {
			json_decref(maps);
			rc = cli_fail(&err);
			goto out;
		}
		json_decref(bad);
		bad = accounts_check(accounts, maps, subs, nsub);
		json_decref(maps);
		free(subs);
	}
	/* new since the last check */
	if (watermark_get(ctx->store, s->tenant.id, "mapping-check", "", &wm, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	seen_prev = wm ? json_loads(wm, 0, NULL) : NULL;
	json_object_foreach(codes, k, v)
		if (seen_prev && !json_object_get(seen_prev, k))
			json_array_append_new(fresh, json_string(k));
	{
		char *now = json_dumps(codes, JSON_COMPACT | JSON_SORT_KEYS);
		if (watermark_set(ctx->store, s->tenant.id, "mapping-check", "", now, &err) < 0) {
			free(now);
			rc = cli_fail(&err);
			goto out;
		}
		free(now);
	}
	if (json) {
		cli_print_json(json_pack("{s:O, s:O, s:O, s:O}", "unmapped_cost_codes", unmapped,
					 "bad_accounts", bad, "new_cost_codes", fresh, "bad_links",
					 bad_links));
	} else {
		printf("%zu cost codes in %zu linked projects\n", json_object_size(codes), n);
		json_array_foreach(unmapped, i, v)
			printf("unmapped   %s: no cost-code-account row\n", json_string_value(v));
		json_array_foreach(bad, i, v)
			printf("account    %s %s -> %lld: %s\n", jsonx_str(v, "kind"), jsonx_str(v, "mapping"),
			       (long long)json_integer_value(json_object_get(v, "account")),
			       jsonx_str(v, "problem"));
		json_array_foreach(fresh, i, v)
			printf("new        %s (since the last check)\n", json_string_value(v));
		json_array_foreach(bad_links, i, v)
			printf("link       %s\n", jsonx_str(v, "detail"));
	}
	rc = json_array_size(unmapped) || json_array_size(bad) || json_array_size(fresh) ||
		     json_array_size(bad_links)
		 ? CLI_FAIL
		 : CLI_OK;
out:
	free(links);
	free(wm);
	json_decref(cca);
	json_decref(codes);
	json_decref(unmapped);
	json_decref(bad);
	json_decref(fresh);
	json_decref(link_results);
	json_decref(bad_links);
	json_decref(accounts);
	json_decref(seen_prev);
	session_free(s);
	vault_free(vault);
	return rc;
}
