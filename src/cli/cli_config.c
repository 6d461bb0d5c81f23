#include <stdio.h>

#include "cli/cli.h"
#include "util/buf.h"
#include "util/banned.h"

static int config_check(struct cli_ctx *ctx, int argc, char **argv)
{
	bool json = false;
	const struct cli_opt opts[] = {
	    {"json", NULL, "print as JSON", NULL, &json},
	    {NULL, NULL, NULL, NULL, NULL},
	};
	const struct cli_spec spec = {
	    "config check [--json]",
	    "Validates the configuration (file, then environment overrides) and prints the\n"
	    "effective values with secrets masked.  Exit 1 names the file, line and key at fault.",
	    opts,
	    0,
	    0,
	};
	const char *pos[1];
	int npos, rc;
	struct mlc_buf out = MLC_BUF_INIT;

	rc = cli_parse(&spec, argc, argv, pos, &npos);
	if (rc != CLI_OK)
		return rc;
	rc = cli_load_config(ctx);
	if (rc != CLI_OK)
		return rc;
	config_dump(&ctx->cfg, &out, json);
	fputs(out.data, stdout);
	buf_release(&out);
	return CLI_OK;
}

int cmd_config(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
	    {"check", "validate and print the effective configuration", config_check},
	    {NULL, NULL, NULL},
	};
	return cli_dispatch(ctx, "config", "Process-wide configuration.", cmds, argc, argv);
}
