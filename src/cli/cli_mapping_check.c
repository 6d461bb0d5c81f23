#include <stdio.h>

#include "cli/cli.h"
#include "flows/mapping_check.h"
#include "flows/session.h"
#include "util/jsonx.h"
#include "util/banned.h"

/* mapping check: the checks are flows/mapping_check.h's; this prints them. */
int cmd_mapping_check(struct cli_ctx *ctx, int argc, char **argv)
{
	bool json = false;
	const struct cli_opt opts[] = {
	    {"json", NULL, "print as JSON", NULL, &json},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "mapping check TENANT [--json]",
	    "Lists unmapped Procore cost codes, mappings to inactive or non-postable NetSuite\n"
	    "accounts, cost codes new since the last check, and project links NetSuite or\n"
	    "Procore would refuse (with the command that fixes each).  Exit 1 if any.",
	    opts,
	    1,
	    1,
	};
	const char *pos[1];
	int npos, rc;
	struct mlc_vault *vault = NULL;
	struct mlc_session *s = NULL;
	struct mlc_error err = {0};
	json_t *report = NULL, *v;
	size_t i;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc != CLI_OK)
		goto out;
	rc = cli_open_store(ctx);
	if (rc == CLI_OK)
		rc = cli_open_vault(ctx, &vault);
	if (rc != CLI_OK)
		goto out;
	struct mlc_session_opts so = {.store = ctx->store,
				      .vault = vault,
				      .tenant = pos[0],
				      .need_netsuite = true,
				      .need_procore = true};
	if (session_open(&so, &s, &err) < 0 || mapping_check_run(s, &report, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (json) {
		cli_print_json(json_pack("{s:O, s:O, s:O, s:O}", "unmapped_cost_codes",
					 json_object_get(report, "unmapped_cost_codes"),
					 "bad_accounts", json_object_get(report, "bad_accounts"),
					 "new_cost_codes",
					 json_object_get(report, "new_cost_codes"), "bad_links",
					 json_object_get(report, "bad_links")));
	} else {
		printf("%lld cost codes in %lld linked projects\n",
		       (long long)json_integer_value(json_object_get(report, "cost_codes")),
		       (long long)json_integer_value(json_object_get(report, "projects")));
		json_array_foreach (json_object_get(report, "unmapped_cost_codes"), i, v)
			printf("unmapped   %s: no cost-code-account row\n", json_string_value(v));
		json_array_foreach (json_object_get(report, "bad_accounts"), i, v)
			printf("account    %s %s -> %lld: %s\n", jsonx_str(v, "kind"),
			       jsonx_str(v, "mapping"),
			       (long long)json_integer_value(json_object_get(v, "account")),
			       jsonx_str(v, "problem"));
		json_array_foreach (json_object_get(report, "new_cost_codes"), i, v)
			printf("new        %s (since the last check)\n", json_string_value(v));
		json_array_foreach (json_object_get(report, "bad_links"), i, v)
			printf("link       %s\n", jsonx_str(v, "detail"));
	}
	rc = mapping_check_failed(report) ? CLI_FAIL : CLI_OK;
out:
	json_decref(report);
	session_free(s);
	vault_free(vault);
	return rc;
}
