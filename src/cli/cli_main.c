#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli.h"
#include "cli/cli_clock.h"
#include "util/log.h"
#include "util/banned.h"

static const struct cli_command commands[] = {
    {"init", "create a working directory: config, master key, database", cmd_init},
    {"config", "check and print the effective configuration", cmd_config},
    {"tenant", "add, list, show, change and remove tenants", cmd_tenant},
    {"project", "link Procore projects to NetSuite jobs", cmd_project},
    {"mapping", "import and export mapping tables (CSV)", cmd_mapping},
    {"secret", "store, list and remove a tenant's encrypted credentials", cmd_secret},
    {"keys", "rotate the master key", cmd_keys},
    {"sync", "run one flow for a tenant once", cmd_sync},
    {"serve", "run the daemon: webhooks, schedules, workers", cmd_serve},
    {"reconcile", "compare Procore job cost with the NetSuite GL", cmd_reconcile},
    {"webhook", "register the Procore webhook of a tenant", cmd_webhook},
    {"audit", "list and show record movements", cmd_audit},
    {"replay", "re-execute failed or chosen records", cmd_replay},
    {"runs", "list flow runs", cmd_runs},
    {"review", "records parked for a person: list, show, resolve", cmd_review},
    {"status", "per tenant: last runs, lag, queue, parked", cmd_status},
    {"user", "add, list and remove console users", cmd_user},
    {"schedule", "per-tenant cron schedules", cmd_schedule},
    {"ping", "check a tenant's credentials against NetSuite and Procore", cmd_ping},
    {"sandbox", "serve NetSuite and Procore simulators on loopback", cmd_sandbox},
    {"store", "move the store between backends (SQLite to PostgreSQL)", cmd_store},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: ml-connector [global options] <command> [<args>]\n\n"
		     "Keeps a contractor's NetSuite ledger and Procore projects in agreement.\n\n"
		     "global options:\n"
		     "  -c, --config FILE     configuration file (default $MLC_CONFIG or "
		     "./ml-connector.yaml)\n"
		     "  --log-level LEVEL     debug, info, warn or error\n"
		     "  --log-format FORMAT   logfmt or json\n"
		     "  --version             print the version and exit\n"
		     "  -h, --help            show this help\n\n"
		     "commands:\n");
	for (const struct cli_command *c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\nRun 'ml-connector <command> --help' for more.\n"
		     "Exit codes: 0 success, 1 failure, 2 usage error.\n");
}

static int global_value(int argc, char **argv, int *i, const char *name, const char **out)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (strncmp(a, name, n) == 0 && a[n] == '=') {
		*out = a + n + 1;
		return 1;
	}
	if (strcmp(a, name) != 0)
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "ml-connector: %s needs a value\n", name);
		return -1;
	}
	*out = argv[++*i];
	return 1;
}

int cli_main(int argc, char **argv)
{
	struct cli_ctx ctx;
	int i, rc;

	memset(&ctx, 0, sizeof(ctx));
	if (sodium_init() < 0) {
		fprintf(stderr, "ml-connector: cannot initialise libsodium\n");
		return CLI_FAIL;
	}
	/* A peer that went away (Redis stopped, a connection reset) must show
	 * as an error from write(), not kill the process. */
	signal(SIGPIPE, SIG_IGN);
	log_setup(MLC_LOG_INFO, MLC_LOG_LOGFMT, stderr);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		int r;
		if (strcmp(a, "--version") == 0) {
			printf("ml-connector %s\n", MLC_VERSION);
			return CLI_OK;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return CLI_OK;
		}
		r = global_value(argc, argv, &i, "-c", &ctx.config_path);
		if (!r)
			r = global_value(argc, argv, &i, "--config", &ctx.config_path);
		if (!r)
			r = global_value(argc, argv, &i, "--log-level", &ctx.log_level);
		if (!r)
			r = global_value(argc, argv, &i, "--log-format", &ctx.log_format);
		if (r) {
			if (r < 0)
				return CLI_USAGE;
			continue;
		}
		fprintf(stderr, "ml-connector: unknown option '%s'\nTry 'ml-connector --help'.\n",
			a);
		return CLI_USAGE;
	}
	if (i >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	cli_clock_setup();
	rc = -1;
	for (const struct cli_command *c = commands; c->name; c++) {
		if (strcmp(c->name, argv[i]) == 0) {
			rc = c->run(&ctx, argc - i, argv + i);
			break;
		}
	}
	if (rc == -1) {
		fprintf(stderr, "ml-connector: unknown command '%s'\nTry 'ml-connector --help'.\n",
			argv[i]);
		rc = CLI_USAGE;
	}
	if (rc == CLI_HELP_SHOWN)
		rc = CLI_OK;
	cli_clock_release();
	store_free(ctx.store);
	if (ctx.cfg_loaded)
		config_release(&ctx.cfg);
	return rc;
}
