#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/api_budget.h"
#include "auth/token.h"
#include "cli/cli.h"
#include "flows/flow.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/banned.h"

static void print_summary(const json_t *res)
{
	json_t *st = json_object_get(res, "stats"), *calls = json_object_get(res, "calls");
	json_t *plan = json_object_get(res, "plan");
	size_t i;
	json_t *p;

	printf("%s %s%s: read %lld, created %lld, updated %lld, unchanged %lld, parked %lld, "
	       "failed %lld\n",
	       jsonx_str(res, "tenant"), jsonx_str(res, "flow"),
	       json_is_true(json_object_get(res, "dry_run")) ? " (dry run: nothing written)" : "",
	       (long long)json_integer_value(json_object_get(st, "read")),
	       (long long)json_integer_value(json_object_get(st, "created")),
	       (long long)json_integer_value(json_object_get(st, "updated")),
	       (long long)json_integer_value(json_object_get(st, "skipped")),
	       (long long)json_integer_value(json_object_get(st, "parked")),
	       (long long)json_integer_value(json_object_get(st, "failed")));
	if (json_integer_value(json_object_get(st, "conflicts")))
		printf("conflicts %lld: both sides changed a field; the owner won (audit action "
		       "'conflict' keeps both values)\n",
		       (long long)json_integer_value(json_object_get(st, "conflicts")));
	printf("API calls: NetSuite %lld read / %lld write, Procore %lld read / %lld write\n",
	       (long long)json_integer_value(
		   json_object_get(json_object_get(calls, "netsuite"), "reads")),
	       (long long)json_integer_value(
		   json_object_get(json_object_get(calls, "netsuite"), "writes")),
	       (long long)json_integer_value(
		   json_object_get(json_object_get(calls, "procore"), "reads")),
	       (long long)json_integer_value(
		   json_object_get(json_object_get(calls, "procore"), "writes")));
	json_array_foreach (plan, i, p) {
		const char *action = jsonx_str(p, "action");
		/* creates and updates are many on a first load: list them in a dry
		 * run, where the plan is the point; always list what needs a person */
		if (!json_is_true(json_object_get(res, "dry_run")) && action &&
		    (strcmp(action, "create") == 0 || strcmp(action, "update") == 0))
			continue;
		printf("  %-7s %-12s %-28s", action ? action : "?", jsonx_str(p, "entity"),
		       jsonx_str(p, "source") ? jsonx_str(p, "source") : "");
		if (jsonx_str(p, "target"))
			printf(" -> %s", jsonx_str(p, "target"));
		if (jsonx_str(p, "reason"))
			printf("  (%s)", jsonx_str(p, "reason"));
		else if (json_object_get(p, "detail")) {
			char *d =
			    json_dumps(json_object_get(p, "detail"), JSON_COMPACT | JSON_SORT_KEYS);
			printf("  %s", d ? d : "");
			free(d);
		}
		printf("\n");
	}
	if (jsonx_str(res, "error"))
		printf("error: %s\n", jsonx_str(res, "error"));
}

int cmd_sync(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *flow_name = NULL;
	bool dry = false, full = false, json = false;
	char flows_help[512] = "one of:";
	{
		size_t n, len;
		const struct flow_def *all = flow_list(&n);
		for (size_t i = 0; i < n; i++) {
			len = strlen(flows_help);
			snprintf(flows_help + len, sizeof(flows_help) - len, "%s %s", i ? "," : "",
				 all[i].name);
		}
	}
	const struct cli_opt opts[] = {
	    {"flow", "FLOW", flows_help, &flow_name, NULL},
	    {"dry-run", NULL, "print the plan; write nothing anywhere", NULL, &dry},
	    {"full", NULL, "ignore the watermark: read everything", NULL, &full},
	    {"json", NULL, "print the result as JSON", NULL, &json},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "sync TENANT --flow FLOW [--dry-run] [--full] [--json]",
	    "Runs one flow for a tenant once.  Exit 0 when every record was written, skipped\n"
	    "or parked for review; 1 when a record or the run failed (the watermark then stays).",
	    opts,
	    1,
	    1,
	};
	const char *pos[1];
	int npos, rc;
	const struct flow_def *f;
	struct mlc_vault *vault = NULL;
	struct mlc_token_shared *shared = NULL;
	struct mlc_session *s = NULL;
	struct mlc_error err = {0};
	json_t *res = NULL;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc != CLI_OK)
		return rc;
	if (!flow_name) {
		fprintf(stderr, "ml-connector sync: --flow is required\n");
		return CLI_USAGE;
	}
	f = flow_find(flow_name);
	if (!f) {
		size_t n;
		const struct flow_def *all = flow_list(&n);
		fprintf(stderr, "ml-connector sync: unknown flow '%s'; flows:", flow_name);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, " %s", all[i].name);
		fprintf(stderr, "\n");
		return CLI_USAGE;
	}
	rc = cli_open_store(ctx);
	if (rc == CLI_OK)
		rc = cli_open_vault(ctx, &vault);
	if (rc != CLI_OK)
		goto out;
	if (ctx->cfg.redis && *ctx->cfg.redis &&
	    token_shared_new(ctx->cfg.redis, vault, &shared, &err) < 0)
		log_warn("shared token cache unavailable; using the in-process cache", "error",
			 err.msg);
	struct api_budget_opts bo = {ctx->cfg.redis, ctx->cfg.redis_fallback_processes, 0};
	if (api_budget_setup(&bo, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	struct mlc_session_opts so = {.store = ctx->store,
				      .vault = vault,
				      .shared = shared,
				      .tenant = pos[0],
				      .need_netsuite = f->need_netsuite,
				      .need_procore = f->need_procore};
	if (session_open(&so, &s, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	struct flow_opts fo = {dry, full, "cli"};
	rc = flow_execute(s, f, &fo, &res, &err) < 0 ? CLI_FAIL : CLI_OK;
	if (json)
		cli_print_json(json_incref(res));
	else
		print_summary(res);
	if (json_integer_value(json_object_get(json_object_get(res, "stats"), "failed")))
		rc = CLI_FAIL;
out:
	json_decref(res);
	session_free(s);
	api_budget_shutdown();
	token_shared_free(shared);
	vault_free(vault);
	return rc;
}
