#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "core/project.h"
#include "core/vault.h"
#include "flows/links.h"
#include "flows/session.h"
#include "util/banned.h"

static int opt_id(const char *opt, const char *text, int64_t *out)
{
	*out = 0;
	return text ? cli_parse_id(opt, text, out) : CLI_OK;
}

static int project_link_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *pp = NULL, *job_text = NULL, *sub = NULL, *dep = NULL, *cls = NULL, *loc = NULL;
	const struct cli_opt opts[] = {
	    {"procore-project", "ID", "Procore project id", &pp, NULL},
	    {"netsuite-job", "ID", "NetSuite job (project customer) internal id", &job_text, NULL},
	    {"subsidiary", "ID", "checked against the job's (default: the job's)", &sub, NULL},
	    {"department", "ID", "NetSuite department", &dep, NULL},
	    {"class", "ID", "NetSuite class", &cls, NULL},
	    {"location", "ID", "NetSuite location", &loc, NULL},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "project link TENANT --procore-project ID --netsuite-job ID [--subsidiary ID] "
	    "[--department ID] [--class ID] [--location ID]",
	    "Links a Procore project to a NetSuite job with the dimensions its postings carry.\n"
	    "The job is read from NetSuite: postings carry its subsidiary, and the link\n"
	    "records its customer.  NetSuite must be reachable; nothing is saved otherwise.\n"
	    "Linking an already linked Procore project updates the link (dimensions not\n"
	    "given are cleared).",
	    opts,
	    1,
	    1,
	};
	const char *pos[1];
	int npos, rc;
	struct mlc_vault *vault = NULL;
	struct mlc_session *s = NULL;
	struct mlc_project_link l = {0};
	struct mlc_link_job job;
	struct mlc_error err = {0};

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc != CLI_OK)
		return rc;
	if (!pp || !job_text) {
		fprintf(stderr,
			"ml-connector project link: --procore-project and --netsuite-job are "
			"required\n");
		return CLI_USAGE;
	}
	if (cli_parse_id("--procore-project", pp, &l.procore_project_id) ||
	    cli_parse_id("--netsuite-job", job_text, &l.netsuite_job_id) ||
	    opt_id("--subsidiary", sub, &l.subsidiary_id) ||
	    opt_id("--department", dep, &l.department_id) || opt_id("--class", cls, &l.class_id) ||
	    opt_id("--location", loc, &l.location_id))
		return CLI_FAIL;
	rc = cli_open_store(ctx);
	if (rc == CLI_OK)
		rc = cli_open_vault(ctx, &vault);
	if (rc != CLI_OK)
		goto out;
	struct mlc_session_opts so = {
	    .store = ctx->store, .vault = vault, .tenant = pos[0], .need_netsuite = true};
	/* the job names the subsidiary (and customer) its postings need */
	if (session_open(&so, &s, &err) < 0 || links_resolve(s, &l, &job, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	l.tenant_id = s->tenant.id;
	if (project_link(ctx->store, &l, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	printf("linked Procore project %lld to NetSuite job %lld \"%s\" (subsidiary %lld%s, "
	       "customer %lld, from the job)\n",
	       (long long)l.procore_project_id, (long long)l.netsuite_job_id, job.name,
	       (long long)l.subsidiary_id, sub ? " as given" : "", (long long)l.customer_id);
	rc = CLI_OK;
out:
	session_free(s);
	vault_free(vault);
	return rc;
}

static int project_unlink_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *pp = NULL;
	const struct cli_opt opts[] = {
	    {"procore-project", "ID", "Procore project id", &pp, NULL},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"project unlink TENANT --procore-project ID",
				      "Removes a project link.", opts, 1, 1};
	const char *pos[1];
	int npos, rc;
	int64_t id;
	struct mlc_tenant t;
	struct mlc_error err = {0};

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc != CLI_OK)
		return rc;
	if (!pp) {
		fprintf(stderr, "ml-connector project unlink: --procore-project is required\n");
		return CLI_USAGE;
	}
	if (cli_parse_id("--procore-project", pp, &id))
		return CLI_FAIL;
	rc = cli_get_tenant(ctx, pos[0], &t);
	if (rc != CLI_OK)
		return rc;
	rc = project_unlink(ctx->store, t.id, id, &err);
	tenant_release(&t);
	if (rc < 0)
		return cli_fail(&err);
	printf("unlinked Procore project %lld\n", (long long)id);
	return CLI_OK;
}

static void print_opt(int64_t v)
{
	if (v)
		printf(" %-12lld", (long long)v);
	else
		printf(" %-12s", "-");
}

static int project_list_cmd(struct cli_ctx *ctx, int argc, char **argv)
{
	bool json = false;
	const struct cli_opt opts[] = {
	    {"json", NULL, "print as JSON", NULL, &json},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {"project list TENANT [--json]",
				      "Lists a tenant's project links.", opts, 1, 1};
	const char *pos[1];
	int npos, rc;
	struct mlc_tenant t;
	struct mlc_project_link *list = NULL;
	size_t n = 0;
	struct mlc_error err = {0};

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc == CLI_OK)
		rc = cli_get_tenant(ctx, pos[0], &t);
	if (rc != CLI_OK)
		return rc;
	rc = project_list(ctx->store, t.id, &list, &n, &err);
	tenant_release(&t);
	if (rc < 0)
		return cli_fail(&err);
	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, project_to_json(&list[i]));
		cli_print_json(arr);
	} else if (n == 0) {
		printf("no projects linked (link one with 'ml-connector project link')\n");
	} else {
		printf("%-20s %-12s %-12s %-12s %-12s %-12s\n", "PROCORE PROJECT", "NETSUITE JOB",
		       "SUBSIDIARY", "DEPARTMENT", "CLASS", "LOCATION");
		for (size_t i = 0; i < n; i++) {
			printf("%-20lld %-12lld", (long long)list[i].procore_project_id,
			       (long long)list[i].netsuite_job_id);
			print_opt(list[i].subsidiary_id);
			print_opt(list[i].department_id);
			print_opt(list[i].class_id);
			print_opt(list[i].location_id);
			printf("\n");
		}
	}
	free(list);
	return CLI_OK;
}

int cmd_project(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
	    {"link", "link a Procore project to a NetSuite job", project_link_cmd},
	    {"unlink", "remove a project link", project_unlink_cmd},
	    {"list", "list a tenant's project links", project_list_cmd},
	    {NULL, NULL, NULL},
	};
	return cli_dispatch(ctx, "project", "Project links between Procore and NetSuite.", cmds,
			    argc, argv);
}
