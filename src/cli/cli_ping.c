#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth/clock.h"
#include "auth/token.h"
#include "cli/cli.h"
#include "cli/cli_clock.h"
#include "core/ping.h"
#include "core/vault.h"
#include "flows/links.h"
#include "flows/session.h"
#include "util/banned.h"

/* Has the check called name passed? */
static bool passed(const struct mlc_ping_report *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->checks[i].name, name) == 0)
			return r->checks[i].ok;
	return false;
}

/* One check per project link (flows/links.h), when both systems answered. */
static void add_link_checks(struct cli_ctx *ctx, const struct mlc_tenant *t,
                            const struct mlc_vault *v, struct mlc_token_shared *shared,
                            struct mlc_ping_report *r)
{
	struct mlc_session_opts so = {.store = ctx->store,
	                              .vault = v,
	                              .shared = shared,
	                              .tenant = t->name,
	                              .need_netsuite = true,
	                              .need_procore = true};
	struct mlc_session *s = NULL;
	struct mlc_error err = {0};
	json_t *results = NULL, *one;
	size_t i;

	if (!passed(r, "netsuite.suiteql") || !passed(r, "procore.company"))
		return; /* the failures above say why; the links cannot be read */
	if (session_open(&so, &s, &err) < 0 || links_check(s, &results, &err) < 0) {
		ping_report_add(r, "links", false, true, err.msg);
		goto out;
	}
	json_array_foreach(results, i, one)
	{
		char name[48];
		snprintf(name, sizeof(name), "link.%lld",
		         (long long)json_integer_value(json_object_get(one, "procore_project_id")));
		ping_report_add(r, name, json_is_true(json_object_get(one, "ok")), true,
		                json_string_value(json_object_get(one, "detail")));
	}
out:
	json_decref(results);
	session_free(s);
}

int cmd_ping(struct cli_ctx *ctx, int argc, char **argv)
{
	bool json = false;
	const struct cli_opt opts[] = {
	    {"json", NULL, "print the checks as JSON", NULL, &json},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "ping TENANT [--json]",
	    "Checks a tenant's credentials and access: gets a NetSuite and a Procore token,\n"
	    "runs a SuiteQL query, lists the Procore company and the linked projects, and\n"
	    "checks every project link: the NetSuite job, its subsidiary, the link's\n"
	    "department, class and location (active, available to the subsidiary) and the\n"
	    "Procore project.\n"
	    "Prints one line per check, with the cause and the fix for each failure.\n"
	    "Exit code 0 only when every check passes.",
	    opts,
	    1,
	    1,
	};
	const char *pos[1];
	int npos, rc;
	struct mlc_tenant t = {0};
	struct mlc_vault *v = NULL;
	struct mlc_token_shared *shared = NULL;
	struct mlc_ping_opts po = {0};
	struct mlc_ping_report report = {0};
	struct mlc_error err = {0};
	bool have_tenant = false;

	if ((rc = cli_parse(&spec, argc, argv, pos, &npos)) != CLI_OK)
		return rc;
	if ((rc = cli_get_tenant(ctx, pos[0], &t)) != CLI_OK)
		goto out;
	have_tenant = true;
	if ((rc = cli_open_vault(ctx, &v)) != CLI_OK)
		goto out;
	if (ctx->cfg.redis && *ctx->cfg.redis &&
	    token_shared_new(ctx->cfg.redis, v, &shared, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (cli_clock_error(&err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	po.store = ctx->store;
	po.vault = v;
	po.tenant = &t;
	po.shared = shared;
	po.clock = clock_get() ? clock_get()->now_ms : NULL;
	po.clock_arg = clock_get() ? clock_get()->ctx : NULL;
	if (ping_run(&po, &report, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	add_link_checks(ctx, &t, v, shared, &report);
	if (json) {
		cli_print_json(ping_report_to_json(&report, t.name));
	} else {
		bool color = isatty(1);
		for (size_t i = 0; i < report.n; i++) {
			const struct mlc_ping_check *c = &report.checks[i];
			const char *mark = c->ok ? "ok" : c->required ? "FAIL" : "warn";
			if (color)
				printf("%s%-4s\033[0m %-22s %s\n",
				       c->ok         ? "\033[32m"
				       : c->required ? "\033[31m"
				                     : "\033[33m",
				       mark, c->name, c->detail);
			else
				printf("%-4s %-22s %s\n", mark, c->name, c->detail);
		}
		printf("%s: %s\n", t.name,
		       report.ok ? "NetSuite and Procore both answer" : "some checks failed");
	}
	rc = report.ok ? CLI_OK : CLI_FAIL;
out:
	ping_report_release(&report);
	token_shared_free(shared);
	vault_free(v);
	if (have_tenant)
		tenant_release(&t);
	return rc;
}
