#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth/clock.h"
#include "auth/token.h"
#include "cli/cli.h"
#include "cli/cli_clock.h"
#include "core/vault.h"
#include "flows/ping.h"
#include "util/banned.h"

int cmd_ping(struct cli_ctx *ctx, int argc, char **argv)
{
	bool json = false;
	const char *flows = NULL;
	const struct cli_opt opts[] = {
	    {"json", NULL, "print the checks as JSON", NULL, &json},
	    {"flows", "LIST",
	     "check the fit of these flows (all, or e.g. costs,budgets) instead "
	     "of the tenant's scheduled ones",
	     &flows, NULL},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "ping TENANT [--flows LIST] [--json]",
	    "Checks a tenant's credentials and access: gets a NetSuite and a Procore token,\n"
	    "runs a SuiteQL query, lists the Procore company and the linked projects, and\n"
	    "checks every project link: the NetSuite job, its subsidiary, the link's\n"
	    "department, class and location (active, available to the subsidiary) and the\n"
	    "Procore project.\n"
	    "Then the fit of the enabled flows (those with a schedule, or --flows): the\n"
	    "cost-code segment and where it applies, the role's read access per record\n"
	    "type, the push script's deployments, the integration user, the Procore tools\n"
	    "the flows use, objects another integration owns (origin_id), and, as facts,\n"
	    "approved commitments.\n"
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

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc != CLI_OK)
		return rc;
	rc = cli_get_tenant(ctx, pos[0], &t);
	if (rc != CLI_OK)
		goto out;
	have_tenant = true;
	rc = cli_open_vault(ctx, &v);
	if (rc != CLI_OK)
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
	po.links = true;
	po.flows = flows;
	if (ping_run(&po, &report, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
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
